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

    // An edit that changes the length moves every later definition, but their IR is kept
    // relative to their own start: still only f10 is inferred again.
    log.lock().unwrap().clear();
    db.set_text("big.qnt", spec("+ 1000 * 3"));
    assert!(!analyzed(&db, file).has_errors());
    let rerun = executions(&log, "def_types");
    assert_eq!(rerun.len(), 1, "only the edited definition: {rerun:?}");

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
