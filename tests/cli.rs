//! The `spec` command line, end to end: exit codes, output, JSON, ITF files, Ctrl-C, and
//! the REPL in a real pseudo-terminal.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn spec() -> Command {
    Command::new(env!("CARGO_BIN_EXE_spec"))
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn run(args: &[&str]) -> Output {
    spec().args(args).current_dir(root()).output().expect("spec runs")
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn temp(name: &str, content: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("spec-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path
}

#[test]
fn parse_and_typecheck_exit_codes() {
    assert_eq!(run(&["parse", "examples/counter.qnt"]).status.code(), Some(0));
    assert_eq!(run(&["typecheck", "examples/counter.qnt"]).status.code(), Some(0));
    let bad = temp("bad.qnt", b"module m {\n  pure val a = 1 +\n}\n");
    let out = run(&["parse", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("bad.qnt:3:1"), "{}", text(&out));
}

#[test]
fn json_diagnostics_are_machine_readable() {
    let bad = temp("types.qnt", b"module m {\n  pure val a: int = 1 + \"two\"\n}\n");
    let out = run(&["typecheck", "--json", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(json["ok"], false);
    let d = &json["diagnostics"][0];
    assert_eq!(d["code"], "T001");
    assert_eq!(d["location"]["line"], 2);
    assert_eq!(d["location"]["column"], 25);
    let ok = run(&["typecheck", "--json", "examples/counter.qnt"]);
    let json: serde_json::Value = serde_json::from_slice(&ok.stdout).unwrap();
    assert!(json["definitions"].as_array().unwrap().iter().any(|d| d["name"] == "increment" && d["mode"] == "action" && d["type"] == "bool"));
}

#[test]
fn missing_and_non_utf8_files_are_clear_errors() {
    let out = run(&["typecheck", "no/such/file.qnt"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("no such file"));
    let bin = temp("binary.qnt", &[0x6d, 0x6f, 0xff, 0xfe, 0x00]);
    let out = run(&["parse", bin.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("not valid UTF-8"), "{}", text(&out));
}

#[test]
fn eval_prints_values_and_errors() {
    let out = run(&["eval", "Set(3, 1).map(x => x * 2)"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "Set(2, 6)");
    assert_eq!(run(&["eval", "1 / 0"]).status.code(), Some(3));
    assert_eq!(run(&["eval", "1 + "]).status.code(), Some(2));
    let out = run(&["eval", "--file", "examples/counter.qnt", "LIMIT * 2"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "20");
}

#[test]
fn text_after_a_complete_expression_says_that_the_input_should_end() {
    // Once said "expected something else".
    let out = run(&["eval", "not true"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("expected the end of the input, found `true`"), "{}", text(&out));
    assert!(text(&out).contains("`not` is applied like an operator: `not(...)`"), "{}", text(&out));
    let out = run(&["eval", "1e3"]);
    assert!(text(&out).contains("there is no exponent notation"), "{}", text(&out));
}

#[test]
fn simulate_reports_a_violation_with_its_trace_and_seed() {
    let out = run(&["simulate", "examples/counter.qnt", "--invariant", "neverFive", "--seed", "5"]);
    assert_eq!(out.status.code(), Some(1));
    let t = text(&out);
    assert!(t.contains("[State 0] after init"));
    assert!(t.contains("count: 5"));
    assert!(t.contains("neverFive is false"));
    assert!(t.contains("--seed 5"));
    let ok = run(&["simulate", "examples/counter.qnt", "--invariant", "bounded", "--max-samples", "200"]);
    assert_eq!(ok.status.code(), Some(0));
    // An expression as the invariant.
    let expr = run(&["simulate", "examples/counter.qnt", "--invariant", "count < 3", "--seed", "1"]);
    assert_eq!(expr.status.code(), Some(1));
}

#[test]
fn simulate_same_seed_same_output_on_any_thread_count() {
    let a = run(&["simulate", "examples/counter.qnt", "--invariant", "neverFive", "--seed", "9", "-j", "1"]);
    let b = run(&["simulate", "examples/counter.qnt", "--invariant", "neverFive", "--seed", "9", "-j", "2"]);
    assert_eq!(a.stdout, b.stdout);
}

#[test]
fn simulate_writes_itf_with_mbt_fields() {
    let pattern = temp("placeholder", b"").with_file_name("trace_{seq}.itf.json");
    let out = run(&["simulate", "examples/counter.qnt", "--invariant", "neverFive", "--seed", "3", "--out-itf", pattern.to_str().unwrap(), "--n-traces", "2", "--mbt"]);
    assert_eq!(out.status.code(), Some(1));
    let first = pattern.to_str().unwrap().replace("{seq}", "0");
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&first).expect("trace written")).unwrap();
    assert_eq!(json["#meta"]["format"], "ITF");
    assert_eq!(json["#meta"]["status"], "violation");
    let states = json["states"].as_array().unwrap();
    let last = states.last().unwrap();
    assert_eq!(last["count"]["#bigint"], "5");
    assert!(states[1]["mbt::actionTaken"].is_string());
    assert!(states[0]["mbt::nondetPicks"].is_object());
    assert!(Path::new(&pattern.to_str().unwrap().replace("{seq}", "1")).exists());
}

#[test]
fn coverage_counts_the_actions_of_nested_anys() {
    // `step = any { outer, other }` where `outer = any { inner, ... }`: both levels count
    // (the summary once listed the outer ones as never fired).
    let spec = temp("nested.qnt", b"module nested {\n  var n: int\n  action inner = n' = n + 1\n  action alsoInner = n' = n + 2\n  action outer = any { inner, alsoInner }\n  action other = n' = n\n  action init = n' = 0\n  action step = any { outer, other }\n}\n");
    let out = run(&["simulate", spec.to_str().unwrap(), "--max-samples", "20", "--max-steps", "10", "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let count = |name: &str| json["coverage"][name].as_u64().unwrap_or(0);
    assert_eq!(count("outer") + count("other"), json["steps"].as_u64().unwrap(), "{json}");
    assert_eq!(count("inner") + count("alsoInner"), count("outer"), "{json}");
    assert!(count("outer") > 0 && count("inner") > 0, "{json}");
}

#[test]
fn a_branch_that_calls_no_action_is_recorded_as_the_empty_action() {
    // As Quint's `mbt::actionTaken` (quint-connect-clj pins it with a fixture): "" for the
    // branch of `any` that calls no action, the action's name for the other.
    let spec = temp("anonymous.qnt", b"module anonymous {\n  var n: int\n  action idle = n' = n\n  action init = n' = 0\n  action step = any { n' = n + 1, idle }\n}\n");
    let itf = spec.with_file_name("anonymous.itf.json");
    let out = run(&["simulate", spec.to_str().unwrap(), "--mbt", "--max-samples", "1", "--max-steps", "30", "--seed", "5", "--out-itf", itf.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&itf).expect("trace written")).unwrap();
    let states = json["states"].as_array().unwrap();
    assert_eq!(states[0]["mbt::actionTaken"], "init");
    for pair in states.windows(2) {
        let grew = pair[1]["n"]["#bigint"] != pair[0]["n"]["#bigint"];
        assert_eq!(pair[1]["mbt::actionTaken"], if grew { "" } else { "idle" }, "{pair:?}");
    }
}

#[test]
fn simulate_json_output() {
    let out = run(&["simulate", "examples/counter.qnt", "--invariant", "neverFive", "--seed", "3", "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(json["status"], "violation");
    assert_eq!(json["seed"], 3);
    assert!(json["violation"]["trace"]["states"].is_array());
}

#[test]
fn test_command_runs_matching_runs() {
    let pattern = temp("placeholder2", b"").with_file_name("test_{test}.itf.json");
    let out = run(&["test", "examples/counter.qnt", "--out-itf", pattern.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("3 passed, 0 failed"));
    let trace = std::fs::read_to_string(pattern.to_str().unwrap().replace("{test}", "resetTest")).expect("trace written");
    let json: serde_json::Value = serde_json::from_str(&trace).unwrap();
    let counts: Vec<&str> = json["states"].as_array().unwrap().iter().map(|s| s["count"]["#bigint"].as_str().unwrap()).collect();
    assert_eq!(counts, vec!["0", "1", "0"]);
    let failing = temp("failing.qnt", b"module failing {\n  var x: int\n  action init = x' = 0\n  run badTest = init.expect(x == 1)\n}\n");
    let out = run(&["test", failing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("badTest"));
    assert!(text(&out).contains("failing.qnt:4:"));
}

#[test]
fn ctrl_c_stops_a_simulation_cleanly_with_a_summary_and_valid_itf() {
    let itf = temp("interrupted.itf.json", b"");
    let child = spec()
        .args(["simulate", "examples/counter.qnt", "--invariant", "bounded", "--max-samples", "1000000000", "--out-itf"])
        .arg(&itf)
        .current_dir(root())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let status = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    let t = text(&out);
    assert_eq!(out.status.code(), Some(130), "{t}");
    assert!(t.contains("interrupted"), "{t}");
    assert!(!t.contains("[ok]"), "an unfinished run is not [ok]: {t}");
    assert!(t.contains("seed:"), "{t}");
    assert!(t.contains("samples:"), "{t}");
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&itf).unwrap()).expect("well-formed ITF");
    assert!(json["states"].is_array());
}

#[test]
fn repl_in_a_pseudo_terminal() {
    let command = format!("{} repl {}/examples/counter.qnt", env!("CARGO_BIN_EXE_spec"), root().display());
    let mut session = rexpect::spawn(&command, Some(10_000)).expect("spawns");
    session.exp_string("loaded module `counter`").unwrap();
    session.exp_string(">>> ").unwrap();
    session.send_line("init").unwrap();
    session.exp_string("count: 0").unwrap();
    session.send_line("increment").unwrap();
    session.exp_string("count: 1").unwrap();
    session.send_line("Set(1, 2).map(x => {").unwrap();
    session.send_line("x * 100 })").unwrap();
    session.exp_string("Set(100, 200)").unwrap();
    session.send_line("count + \"oops\"").unwrap();
    session.exp_string("should be int").unwrap();
    session.send_line(".back").unwrap();
    session.exp_string("back to state 0").unwrap();
    // Ctrl-C stops a long evaluation, not the session.
    session.send_line("1.to(3000).fold(0, (s, x) => s + 1.to(3000).fold(0, (t, y) => t + y))").unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    session.send_control('c').unwrap();
    session.exp_string("interrupted").unwrap();
    session.exp_string(">>> ").unwrap();
    session.send_line("count + 1000").unwrap();
    session.exp_string("1000").unwrap();
    session.exp_string(">>> ").unwrap();
    session.send_line(".exit").unwrap();
    session.exp_eof().unwrap();
}

/// Resource budgets are flags (before or after the command): hitting one is an error that
/// names the limit, and the flag raises it. Nesting can be raised to 3,000 levels, at which
/// deep expressions, types and list literals are still analysed and evaluated (no crash).
#[test]
fn resource_budgets_are_flags_that_name_and_raise_the_limits() {
    let out = run(&["eval", "2^200", "--max-int-bits", "100"]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(text(&out).contains("the `int-bits` limit (100; raise it with --max-int-bits)"), "{}", text(&out));
    let out = run(&["--max-int-bits", "500", "eval", "2^200"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "1606938044258990275541962092341162602522202993782792835301376");

    let out = run(&["eval", "1.to(11).map(x => x).size()", "--max-set-elements", "10"]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(text(&out).contains("the `set-elements` limit (10; raise it with --max-set-elements)"), "{}", text(&out));
    let out = run(&["eval", "1.to(11).map(x => x).size()", "--max-set-size", "11"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "11", "{}", text(&out));

    // In a run, the error also gives the seed and the statistics so far.
    let out = run(&["simulate", "examples/counter.qnt", "--max-int-bits", "3", "--seed", "1", "--max-samples", "10"]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(text(&out).contains("the `int-bits` limit (3; raise it with --max-int-bits)") && text(&out).contains("seed: 1"), "{}", text(&out));
    assert!(text(&out).contains("--seed 1 --max-int-bits 3"), "the command to reproduce keeps the budget: {}", text(&out));

    // A time budget ends a simulation with the samples finished so far: a bound, not `[ok]`.
    let out = run(&["simulate", "examples/counter.qnt", "--max-samples", "1000000000", "--max-seconds", "1", "--seed", "3"]);
    assert_eq!(out.status.code(), Some(6), "{}", text(&out));
    assert!(text(&out).contains("[bounded] stopped by the time budget (1 s, --max-seconds)") && !text(&out).contains("[ok]"), "{}", text(&out));
    assert!(text(&out).contains("seed: 3"), "{}", text(&out));
    let out = run(&["simulate", "examples/counter.qnt", "--max-seconds", "0"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));

    // `(1 + (1 + ...))`: two levels a parenthesis.
    let deep = |n: usize| format!("{}1{}", "(1 + ".repeat(n), ")".repeat(n));
    let first_line = |o: &Output| text(o).lines().next().unwrap_or("").to_string();
    let out = run(&["eval", &deep(700)]);
    assert_eq!(out.status.code(), Some(2), "{}", first_line(&out));
    assert!(first_line(&out).contains("(the `nesting` limit)"), "{}", first_line(&out));
    let out = run(&["--max-nesting", "2000", "eval", &deep(700)]);
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "701", "{}", first_line(&out));

    // At the highest nesting accepted, deep types and list literals still just work.
    let types = temp("deep_types.qnt", format!("module m {{ pure val x: {}int{} = Set() }}\n", "Set[".repeat(2900), "]".repeat(2900)).as_bytes());
    let out = run(&["typecheck", types.to_str().unwrap(), "--max-nesting", "3000"]);
    assert_eq!(out.status.code(), Some(0), "{}", first_line(&out));
    let lists = temp("deep_lists.qnt", format!("module m {{ pure val x = {}1{} }}\n", "[".repeat(2900), "]".repeat(2900)).as_bytes());
    let out = run(&["eval", "--file", lists.to_str().unwrap(), "x.length()", "--max-nesting", "3000"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "1", "{}", first_line(&out));
    let out = run(&["eval", "1", "--max-nesting", "3001"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("3001"), "{}", text(&out));
    let out = run(&["eval", "1", "--max-int-bits", "0"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
}

/// A file given where a spec was expected but not named `.qnt` (`spec typecheck /etc/passwd`)
/// is located in diagnostics, never quoted: its lines stay out of the output.
#[test]
fn a_file_that_is_not_a_spec_is_located_but_not_quoted() {
    let dir = std::env::temp_dir().join(format!("spec-unquoted-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("passwd");
    std::fs::write(&file, "root x 0 0 secret-token-xyz\nsecond-line-secret\n").unwrap();
    let out = run(&["typecheck", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let shown = text(&out);
    assert!(shown.contains("passwd:1:1: error[S001]"), "{shown}");
    assert!(!shown.contains("secret-token-xyz") && !shown.contains("second-line-secret") && !shown.contains('│'), "{shown}");
    // The same text in a `.qnt` file is quoted, as any spec is.
    std::fs::copy(&file, dir.join("passwd.qnt")).unwrap();
    let out = run(&["typecheck", dir.join("passwd.qnt").to_str().unwrap()]);
    assert!(text(&out).contains("secret-token-xyz"), "{}", text(&out));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Quint's way to start the REPL: `quint -q -r file.qnt::Module`, commands on stdin. Quiet
/// prints values and errors only, one per line, as Quint does (`true`, then `0`).
#[test]
fn quints_repl_options_start_a_quiet_session() {
    use std::io::Write;
    use std::process::Stdio;
    for args in [&["-q", "-r", "examples/counter.qnt::counter"][..], &["repl", "--quiet", "--require", "examples/counter.qnt::counter", "--backend", "rust"]] {
        let mut child = spec().args(args).current_dir(root()).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spec runs");
        child.stdin.take().expect("stdin").write_all(b"init\ncount\nincrement\ncount + 1\n").expect("written");
        let out = child.wait_with_output().expect("spec ends");
        assert_eq!(String::from_utf8_lossy(&out.stdout), "true\n0\ntrue\n2\n", "{args:?}: {}", text(&out));
        assert_eq!(out.status.code(), Some(0));
    }
    let missing = run(&["-q", "-r", "examples/no_such.qnt::counter"]);
    assert_eq!(missing.status.code(), Some(2), "{}", text(&missing));
}

#[test]
fn docs_prints_each_declarations_signature_and_comment() {
    let out = run(&["docs", "examples/counter.qnt"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let page = String::from_utf8_lossy(&out.stdout);
    assert!(page.starts_with("# Documentation for counter\n\n"), "{page}");
    assert!(page.contains("## bounded\n\nSignature: `val bounded`\n\nThe counter never leaves [0, LIMIT]."), "{page}");
    let broken = temp("docs_broken.qnt", b"module m { val = }");
    let out = run(&["docs", broken.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(out.stdout.is_empty());
}

/// `parse` checks what Quint's `parse` checks: syntax, names, imports and cycles among
/// definitions, not types (Quint's fixtures: an unknown name fails `quint parse`).
#[test]
fn parse_reports_unknown_names_but_not_types() {
    let unknown = temp("parse_unknown_name.qnt", b"module m {\n  val a = x + 1\n}\n");
    let out = run(&["parse", unknown.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("unknown name `x`"), "{}", text(&out));
    let cycle = temp("parse_cycle.qnt", b"module m {\n  val a = b\n  val b = a\n}\n");
    assert_eq!(run(&["parse", cycle.to_str().unwrap()]).status.code(), Some(2));
    let typed = temp("parse_type_error.qnt", b"module m {\n  val a: int = \"s\"\n}\n");
    let out = run(&["parse", typed.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "a type error is typecheck's: {}", text(&out));
}

/// Quint's `compile --flatten` (its default) and `--flatten=false` are accepted; the file
/// after `--flatten` is still the file.
#[test]
fn compile_accepts_quints_flatten_flag() {
    for flag in ["--flatten", "--flatten=false"] {
        let out = run(&["compile", "--target", "json", flag, "examples/counter.qnt"]);
        assert_eq!(out.status.code(), Some(0), "{flag}: {}", text(&out));
        assert!(String::from_utf8_lossy(&out.stdout).starts_with('{'), "{flag}");
    }
}

/// The REPL's options before another command are a usage error, not ignored: `spec --seed 3
/// simulate` used to run with a random seed.
#[test]
fn repl_options_before_another_command_are_refused() {
    let out = run(&["--seed", "3", "simulate", "examples/counter.qnt", "--max-samples", "2"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("spec simulate --seed 3"), "{}", text(&out));
}

/// The ITF trace of a test in a module imported under a qualifier shows that module's
/// variables, named as the test is (`c0::n`); it had no variable and one state.
#[test]
fn itf_of_a_test_in_a_qualified_import_shows_its_variables() {
    let dir = std::env::temp_dir().join(format!("spec-itf-instance-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let pattern = dir.join("{test}.itf.json");
    let out = run(&["test", "tests/fixtures/quint_forms/tests_in_qualified_instances.qnt", "--main", "main", "--match", "c0::passing", "--out-itf", pattern.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let written = std::fs::read_to_string(dir.join("c0::passingTest.itf.json")).expect("the trace is written");
    let trace: serde_json::Value = serde_json::from_str(&written).unwrap();
    assert_eq!(trace["vars"][0], "c0::n", "{trace}");
    let states = trace["states"].as_array().unwrap();
    assert!(states.len() >= 2, "{trace}");
    assert_eq!(states[1]["c0::n"]["#bigint"], "1", "{trace}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A test's ITF trace has a state for every step, a step that changes nothing (`x' = x`)
/// included, as Quint's (its lastActionInRun fixture: [A, A, B, B]); `expect` adds none.
#[test]
fn test_traces_keep_stuttering_steps() {
    let spec = temp("stutter.qnt", b"module stutter {\n  var x: int\n  action init = x' = 0\n  run midTest = init.then(x' = x).then(x' = 1)\n  run endTest = init.then(x' = 1).then(x' = x)\n  run expectTest = init.then(x' = 1).expect(x == 1).then(x' = 2)\n}\n");
    let dir = spec.parent().unwrap().join("stutter-traces");
    std::fs::create_dir_all(&dir).unwrap();
    let pattern = dir.join("{test}.itf.json");
    let out = run(&["test", spec.to_str().unwrap(), "--out-itf", pattern.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    for (test, expected) in [("midTest", ["0", "0", "1"].as_slice()), ("endTest", &["0", "1", "1"]), ("expectTest", &["0", "1", "2"])] {
        let trace: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.join(format!("{test}.itf.json"))).unwrap()).unwrap();
        let xs: Vec<&str> = trace["states"].as_array().unwrap().iter().map(|s| s["x"]["#bigint"].as_str().unwrap()).collect();
        assert_eq!(xs, expected, "{test}");
    }
}
