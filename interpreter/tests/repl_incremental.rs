//! The REPL re-checks only what changed: each accepted declaration is a layer over the
//! loaded file and the declarations before it, so typing a second definition infers that
//! definition alone, and evaluating an expression infers the expression alone. Query
//! executions are counted through salsa's event hook.

use spec_analysis::db::ExecutionLog;
use spec_analysis::Database;
use spec_interpreter::repl::Repl;

/// The inferences of definitions the log records: of the file's (`def_types`) and of the
/// layers' (`layer_def_types`).
fn inferences(log: &ExecutionLog) -> (usize, usize) {
    let log = log.lock().expect("the log is not poisoned");
    let layers = log.iter().filter(|e| e.starts_with("layer_def_types")).count();
    let file = log.iter().filter(|e| e.starts_with("def_types")).count();
    (file, layers)
}

#[test]
fn a_second_definition_reinfers_only_itself() {
    let dir = std::env::temp_dir().join(format!("spec-repl-incremental-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let path = dir.join("counter.qnt");
    let mut text = String::from("module counter {\n  var x: int\n  action init = x' = 0\n  action step = x' = x + 1\n");
    for i in 0..200 {
        text.push_str(&format!("  pure def f{i}(a: int): int = a + {i}\n"));
    }
    text.push_str("}\n");
    std::fs::write(&path, text).expect("the spec is written");

    let log = ExecutionLog::default();
    let mut repl = Repl::with_database(Database::with_log(log.clone()));
    let reply = repl.input(&format!(".load {}", path.display()));
    assert!(!reply.is_error(), "{}", reply.text());
    let (file, layers) = inferences(&log);
    assert!(file >= 202 && layers == 0, "loading infers the file's definitions: {file}, {layers}");

    log.lock().expect("log").clear();
    let reply = repl.input("def double(n) = 2 * f3(n)");
    assert!(!reply.is_error(), "{}", reply.text());
    assert_eq!(inferences(&log), (0, 1), "the first definition alone");

    log.lock().expect("log").clear();
    let reply = repl.input("def quadruple(n) = double(double(n))");
    assert!(!reply.is_error(), "{}", reply.text());
    assert_eq!(inferences(&log), (0, 1), "the second definition alone, not the first nor the file's");

    log.lock().expect("log").clear();
    let reply = repl.input("quadruple(f1(1))");
    assert_eq!(reply.text(), "26", "double(double(2)) = double(10)");
    assert_eq!(inferences(&log), (0, 1), "the expression alone");

    // A mistake points at what was typed, and leaves the session as it was.
    let reply = repl.input("def bad = quadruple(true)");
    assert!(reply.is_error() && reply.text().contains("<input>:1:"), "{}", reply.text());
    assert_eq!(repl.input("quadruple(1)").text(), "22");
    let _ = std::fs::remove_dir_all(&dir);
}
