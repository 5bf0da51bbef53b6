//! Incrementality: after editing the body of one definition in a 2,000-line spec, only the
//! inference of that definition re-runs (and of the definitions that use it, when its type
//! changes). Query executions are counted through salsa's event hook.

use spec_analysis::db::ExecutionLog;
use spec_analysis::{analyzed, Database};

/// A spec of about 2,000 lines: `f{i}` uses `f{i-1}`; `g{i}` stand alone.
fn spec(body_of_f10: &str) -> String {
    let mut text = String::from("module big {\n  var x: int\n  action init = x' = 0\n");
    for i in 0..500 {
        let f = if i == 0 {
            "  pure def f0(a: int): int = a + 1\n".to_string()
        } else if i == 10 {
            format!("  pure def f10(a: int): int = f9(a) {body_of_f10}\n")
        } else {
            format!("  pure def f{i}(a: int): int = f{}(a) + 1\n", i - 1)
        };
        text.push_str(&f);
        text.push_str(&format!("  /// Stand-alone {i}.\n  pure def g{i}(r: {{ k: int, v: str }}): Set[int] = Set(r.k, {i})\n  val h{i} = x > {i}\n"));
    }
    text.push_str("}\n");
    text
}

fn executions(log: &ExecutionLog, query: &str) -> Vec<String> {
    log.lock().unwrap().iter().filter(|e| e.contains(query)).cloned().collect()
}

/// The executions of the query named exactly `query` (`headers(`, not `piece_headers(`).
fn runs_of(log: &ExecutionLog, query: &str) -> Vec<String> {
    log.lock().unwrap().iter().filter(|e| e.starts_with(query)).cloned().collect()
}

#[test]
fn editing_one_body_reinfers_only_that_definition() {
    let log = ExecutionLog::default();
    let mut db = Database::with_log(log.clone());
    let original = spec("+ 1");
    assert!(original.lines().count() >= 2000);
    let file = db.set_text("big.qnt", original.clone());
    let first = analyzed(&db, file).clone();
    assert!(!first.has_errors(), "{}", db.source_map().render(&first.diagnostics));
    let total = executions(&log, "def_types").len();
    assert!(total >= 1500, "every definition inferred once: {total}");

    // Same type, different body: only f10 is inferred again.
    log.lock().unwrap().clear();
    db.set_text("big.qnt", spec("+ 7"));
    let second = analyzed(&db, file).clone();
    assert!(!second.has_errors());
    let rerun = executions(&log, "def_types");
    assert_eq!(rerun.len(), 1, "only the edited definition: {rerun:?}");
    let rechecked = executions(&log, "def_modes(");
    assert_eq!(rechecked.len(), 1, "modes of the edited definition only: {rechecked:?}");

    // An edit that changes the length moves every later definition, but their IR is kept
    // relative to their own start: still only f10 is inferred again. The declarations of
    // this one-module file keep their positions too, and are not resolved again.
    log.lock().unwrap().clear();
    db.set_text("big.qnt", spec("+ 1000 * 3"));
    assert!(!analyzed(&db, file).has_errors());
    let rerun = executions(&log, "def_types");
    assert_eq!(rerun.len(), 1, "only the edited definition: {rerun:?}");
    assert!(runs_of(&log, "headers(").is_empty(), "{:?}", runs_of(&log, "headers("));

    // A body whose type changes: the definitions that use f10 are inferred again (and report
    // the error), the others are not.
    log.lock().unwrap().clear();
    db.set_text("big.qnt", spec("< 7"));
    let third = analyzed(&db, file).clone();
    assert!(third.has_errors());
    let rerun = executions(&log, "def_types").len();
    assert!(rerun >= 2 && rerun < 50, "f10 and its users, not the rest: {rerun}");
}

#[test]
fn a_local_that_hides_another_gets_a_warning_not_an_error() {
    let mut db = Database::default();
    let text = "module m {\n  pure def f(x: int): int = { val x = 2 x }\n  pure val a = 1\n  pure val h = Set(1).map(a => a)\n}\n";
    let file = db.set_text("shadow.qnt", text.to_string());
    let analysis = analyzed(&db, file);
    assert!(!analysis.has_errors());
    let warnings: Vec<_> = analysis.diagnostics.iter().filter(|d| d.severity == spec_syntax::Severity::Warning).collect();
    assert_eq!(warnings.len(), 1, "only the local hiding a parameter: {warnings:?}");
    assert!(warnings[0].message.contains("`x` hides another local name"));
}

#[test]
fn modes_are_checked_per_definition_and_reach_the_users_whose_summary_changed() {
    let spec = |a1: &str| {
        let mut text = format!("module m {{\n  var x: int\n  action init = x' = 0\n  action a1 = {a1}\n  action step = a1\n");
        for i in 0..200 {
            text.push_str(&format!("  val v{i} = x + {i}\n  action b{i} = x' = v{i}\n"));
        }
        text.push_str("}\n");
        text
    };
    let log = ExecutionLog::default();
    let mut db = Database::with_log(log.clone());
    let file = db.set_text("modes.qnt", spec("x' = 1"));
    assert!(!analyzed(&db, file).has_errors(), "{}", db.source_map().render(&analyzed(&db, file).diagnostics));
    assert!(executions(&log, "def_modes(").len() >= 400);

    // Same assignments: a1 alone is checked again.
    log.lock().unwrap().clear();
    db.set_text("modes.qnt", spec("x' = 2"));
    assert!(!analyzed(&db, file).has_errors());
    assert_eq!(executions(&log, "def_modes(").len(), 1, "{:?}", executions(&log, "def_modes("));

    // a1 assigns nothing now: `step` is checked again and misses `x`; the rest is not.
    log.lock().unwrap().clear();
    db.set_text("modes.qnt", spec("x == 2"));
    let analysis = analyzed(&db, file);
    let rechecked = executions(&log, "def_modes(").len();
    assert_eq!(rechecked, 2, "a1 and step: {:?}", executions(&log, "def_modes("));
    assert!(analysis.diagnostics.iter().any(|d| d.message.contains("`step` does not assign `x`")), "{:?}", analysis.diagnostics);
}

#[test]
fn a_long_chain_written_backwards_does_not_exhaust_the_stack() {
    // d0 uses d1, which uses d2, ...: checked from the end of the chain, no query waits on
    // thousands of others.
    let n = 20_000;
    let mut text = String::from("module chain {\n");
    for i in 0..n {
        text.push_str(&format!("  val d{i} = d{} + 1\n", i + 1));
    }
    text.push_str(&format!("  val d{n} = 0\n}}\n"));
    let mut db = Database::default();
    let file = db.set_text("chain.qnt", text.clone());
    assert!(!analyzed(&db, file).has_errors());
    // And again after an edit at the end of the chain, which every definition depends on.
    db.set_text("chain.qnt", text.replace(&format!("val d{n} = 0"), &format!("val d{n} = 1")));
    assert!(!analyzed(&db, file).has_errors());
}

/// Ten modules of forty definitions each, every module importing the one before (as
/// `bench/lsp_latency.py` generates them); `body` is the body of `weight0_7`.
fn modules(body: &str) -> String {
    modules_with(body, "", "")
}

/// [`modules`] with `first` declarations at the end of module `m0` and `extra` at the end
/// of module `m5`.
fn modules_with(body: &str, first: &str, extra: &str) -> String {
    let mut text = String::new();
    for m in 0..10 {
        text.push_str(&format!("module m{m} {{\n"));
        if m > 0 {
            text.push_str(&format!("  import m{}.*\n", m - 1));
        }
        text.push_str(&format!("  type Msg{m} = Req{m}({{ id: int, body: str }}) | Ack{m}(int) | Stop{m}\n"));
        for i in 0..20 {
            let plus = if m == 0 && i == 7 { body.to_string() } else { format!("r.id + {i}") };
            text.push_str(&format!("  pure def weight{m}_{i}(msg: Msg{m}): int = match msg {{ | Req{m}(r) => {plus} | Ack{m}(n) => n * 2 | Stop{m} => 0 }}\n"));
            text.push_str(&format!("  pure def total{m}_{i}(l: List[Msg{m}]): int = l.foldl(0, (s, x) => s + weight{m}_{i}(x))\n"));
        }
        if m == 0 {
            text.push_str(first);
        }
        if m == 5 {
            text.push_str(extra);
        }
        text.push_str("}\n");
    }
    text
}

#[test]
fn an_edit_inside_one_body_parses_and_lowers_only_its_module_and_never_resolves_the_whole_file() {
    use spec_analysis::file_diagnostics;
    let log = ExecutionLog::default();
    let mut db = Database::with_log(log.clone());
    let file = db.set_text("mods.qnt", modules("r.id + 7"));
    assert!(file_diagnostics(&db, file).diagnostics.is_empty(), "{:?}", file_diagnostics(&db, file).diagnostics);
    assert_eq!(executions(&log, "piece_parsed(").len(), 10, "each module parsed once");
    assert_eq!(executions(&log, "def_ir(").len(), 400, "each definition lowered once");
    assert!(runs_of(&log, "resolved(").is_empty(), "diagnostics never build the whole resolved program");
    // Nor does asking which files a program reads (the language server asks it of every
    // open document after a change).
    assert_eq!(spec_analysis::db::files_read(&db, file), [spec_syntax::FileId(file.id(&db))]);
    assert!(runs_of(&log, "resolved(").is_empty());

    // Same length: one module parsed again, its definitions lowered again (compared with
    // their last IR), the declarations not resolved again, one definition inferred again.
    log.lock().unwrap().clear();
    db.set_text("mods.qnt", modules("r.id + 9"));
    assert!(file_diagnostics(&db, file).diagnostics.is_empty());
    assert_eq!(executions(&log, "piece_parsed(").len(), 1, "{:?}", executions(&log, "piece_parsed("));
    assert!(runs_of(&log, "headers(").is_empty(), "{:?}", runs_of(&log, "headers("));
    assert_eq!(executions(&log, "def_ir(").len(), 40, "the definitions of m0 only");
    assert_eq!(executions(&log, "def_types(").len(), 1);
    assert_eq!(executions(&log, "def_modes(").len(), 1);

    // Longer: every later definition and module moves, but the declarations keep their
    // positions (see `pieces.rs`) and are not resolved again; still only m0's definitions
    // are lowered again and only the edited one inferred again.
    log.lock().unwrap().clear();
    db.set_text("mods.qnt", modules("r.id + 1000 * 3"));
    assert!(file_diagnostics(&db, file).diagnostics.is_empty());
    assert_eq!(executions(&log, "piece_parsed(").len(), 1);
    assert!(runs_of(&log, "headers(").is_empty(), "{:?}", runs_of(&log, "headers("));
    assert_eq!(executions(&log, "def_ir(").len(), 40);
    assert_eq!(executions(&log, "def_types(").len(), 1);

    // An error in the body is reported where it is, by the diagnostics and by the whole
    // analysis alike (which then resolves the whole file for its program).
    log.lock().unwrap().clear();
    let text = modules("r.id + \"seven\"");
    db.set_text("mods.qnt", text.clone());
    let found = file_diagnostics(&db, file).diagnostics.clone();
    assert_eq!(found.len(), 1, "{found:?}");
    let at = text.find("\"seven\"").unwrap() as u32;
    assert!(found[0].span.start <= at && at < found[0].span.end, "{:?} at {at}", found[0]);
    assert_eq!(analyzed(&db, file).diagnostics, found);
    assert_eq!(runs_of(&log, "resolved(").len(), 1);
}

#[test]
fn diagnostics_after_edits_that_move_text_are_where_the_text_is_and_as_from_scratch() {
    use spec_analysis::file_diagnostics;
    // An unknown type in a declared type (reported by resolving the declarations and by
    // lowering the definition: once) and an unknown name in a body, in m5; a definition
    // named twice and a declared type that does not fit, after the edited one in m0.
    let first = "  val total0_3 = 1\n  val typed: bool = 1\n";
    let extra = "  val badType: Sett[int] = Set(1)\n  val badName = nowhere + 1\n";
    let mut db = Database::default();
    let file = db.set_text("moving.qnt", modules_with("r.id + 7", first, extra));
    assert_eq!(file_diagnostics(&db, file).diagnostics.len(), 4, "{:?}", file_diagnostics(&db, file).diagnostics);
    for body in ["r.id + 1000 * 3", "r.id", "r.id + 12345678", "r.id + 1000 * 3"] {
        let text = modules_with(body, first, extra);
        db.set_text("moving.qnt", text.clone());
        let found = file_diagnostics(&db, file).diagnostics.clone();
        let at = |w: &str| text.find(w).unwrap() as u32;
        let expected = vec![at("total0_3 = 1"), at("val typed: bool = 1") + "val typed: bool = ".len() as u32, at("Sett"), at("nowhere")];
        let starts: Vec<u32> = found.iter().map(|d| d.span.start).collect();
        assert_eq!(starts, expected, "{found:?}");
        assert_eq!(found[0].labels.first().map(|l| l.span.start), Some(at("total0_3(l")), "the first definition: {:?}", found[0]);
        let mut fresh = Database::default();
        let again = fresh.set_text("moving.qnt", text);
        assert_eq!(file_diagnostics(&fresh, again).diagnostics, found, "as from scratch");
    }
}

/// A module of about 120 KB: declarations of every kind, doc comments, braces in comments
/// and strings, blocks with `val` inside them, and (when `let_without_braces`) one body
/// whose `val` starts a line of the module, so that cutting there would be wrong.
fn long_module(body: &str, let_without_braces: bool) -> String {
    let mut text = String::from("/// The long module.\nmodule long {\n  const N: int\n  var x: int\n  type T = A(int) | B\n  assume positive = N > 0\n");
    for i in 0..600 {
        let plus = if i == 300 { body.to_string() } else { format!("{i}") };
        text.push_str(&format!("  /// Doc {i} {{ with a brace\n  /// on two lines.\n  pure def f{i}(a: int): int = {{\n    val b = a + {plus}\n    b * 2 // }} in a comment\n  }}\n"));
        text.push_str(&format!("  /* a block comment {{ */ val s{i} = \"{{ val not a start\"\n  action a{i} = x' = f{i}(x)\n"));
        // Declarations start at 4 + 2i (the doc) and 5 + 2i (the action): `val c` is the
        // 33rd start, where a chunk of 32 would begin.
        if let_without_braces && i == 12 {
            text.push_str("  val extra = 1\n  pure def g(a: int): int =\n  val c = a + 1\n  c * 2\n");
        }
    }
    text.push_str("  action init = x' = 0\n  action step = a0\n}\n");
    text
}

#[test]
fn a_long_module_is_parsed_in_chunks_that_give_what_the_whole_parse_gives() {
    use spec_analysis::db::lowered_def;
    use spec_analysis::file_diagnostics;
    for let_without_braces in [false, true] {
        let log = ExecutionLog::default();
        let mut db = Database::with_log(log.clone());
        let text = long_module("7", let_without_braces);
        assert!(text.len() > 100_000);
        let file = db.set_text("long.qnt", text);
        assert!(file_diagnostics(&db, file).diagnostics.is_empty(), "{:?}", file_diagnostics(&db, file).diagnostics);
        // A head and chunks; or, when the first chunk (which ends inside `g`) does not parse
        // alone, the head, that chunk and the whole text.
        let parsed = runs_of(&log, "piece_parsed(").len();
        assert!(if let_without_braces { parsed == 3 } else { parsed > 10 }, "{parsed}");
        // Every definition as its own query lowered it equals the whole program's.
        let analysis = analyzed(&db, file).clone();
        assert!(analysis.diagnostics.is_empty());
        // The whole program, assembled from the chunks' pieces, as a whole parse gives it.
        assert_eq!(*analysis.program, *spec_analysis::db::resolved_from_whole_files(&db, file).0);
        for (d, def) in analysis.program.defs.iter().enumerate() {
            let mut whole = def.clone();
            spec_analysis::ir::shift_def(&mut whole, -(def.span.start as i64));
            assert_eq!(lowered_def(&db, file, d as u32).as_ref(), Some(&whole), "definition {}", def.name);
        }
        // An edit inside one body parses one chunk again; when the cut inside `g` made a
        // chunk that does not parse alone, it parses the whole text again instead.
        log.lock().unwrap().clear();
        db.set_text("long.qnt", long_module("7 + 1000", let_without_braces));
        assert!(file_diagnostics(&db, file).diagnostics.is_empty());
        assert_eq!(runs_of(&log, "piece_parsed(").len(), 1, "{:?}", runs_of(&log, "piece_parsed("));
        assert!(runs_of(&log, "headers(").is_empty());
        // Problems in declarations and bodies of later chunks, after an edit that moved them,
        // are where the text is, as from scratch.
        let text = long_module("7 + 100000", let_without_braces).replace("val b = a + 550", "val b = a + \"x\"").replace("pure def f560(a: int)", "pure def f560(a: Intt)");
        db.set_text("long.qnt", text.clone());
        let found = file_diagnostics(&db, file).diagnostics.clone();
        let starts: Vec<u32> = found.iter().map(|d| d.span.start).collect();
        assert_eq!(starts, [text.find("a + \"x\"").unwrap() as u32 + 4, text.find("Intt").unwrap() as u32], "{found:?}");
        let mut fresh = Database::default();
        let again = fresh.set_text("long.qnt", text);
        assert_eq!(file_diagnostics(&fresh, again).diagnostics, found);
    }
}
