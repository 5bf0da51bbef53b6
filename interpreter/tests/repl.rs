//! The REPL backend, driven as a user would: load a spec, init, step, go back, inspect,
//! make mistakes and carry on.

use spec_interpreter::repl::Repl;

fn counter_file() -> String {
    format!("{}/../examples/counter.qnt", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn a_session_with_states_and_mistakes() {
    let mut repl = Repl::new();
    let r = repl.input(&format!(".load {}", counter_file()));
    assert!(!r.is_error(), "{}", r.text());
    assert!(r.text().contains("loaded module `counter`"));

    assert_eq!(repl.input("init").text().lines().next(), Some("true"));
    assert_eq!(repl.current("count").map(|v| v.to_string()).as_deref(), Some("0"));
    for _ in 0..3 {
        let r = repl.input("increment");
        assert!(!r.is_error(), "{}", r.text());
    }
    assert_eq!(repl.current("count").map(|v| v.to_string()).as_deref(), Some("3"));
    assert_eq!(repl.trace_len(), 4);
    let r = repl.input("increment");
    assert!(r.text().contains("* count: 4"), "changed variables are marked: {}", r.text());

    let r = repl.input(".back");
    assert!(r.text().contains("back to state 3"));
    assert_eq!(repl.current("count").map(|v| v.to_string()).as_deref(), Some("3"));
    assert_eq!(repl.input("count * 2").text(), "6");
    assert!(repl.input(".trace").text().contains("[State 3]"));
    assert!(repl.input(".state").text().contains("count: 3"));

    // Mistakes: a type error, an unknown name, a runtime error; the session goes on.
    let r = repl.input("count + \"a\"");
    assert!(r.is_error() && r.text().contains("should be int"), "{}", r.text());
    let r = repl.input("cuont");
    assert!(r.is_error() && r.text().contains("did you mean `count`?"), "{}", r.text());
    let r = repl.input("count / 0");
    assert!(r.is_error() && r.text().contains("division by zero"), "{}", r.text());
    let r = repl.input(".nonsense");
    assert!(r.is_error());

    // Definitions persist; a disabled action leaves the state alone.
    assert!(!repl.input("val doubled = count * 2").is_error());
    assert_eq!(repl.input("doubled").text(), "6");
    assert!(!repl.input("action stuck = all { count > 100, count' = 0, resets' = resets }").is_error());
    let r = repl.input("stuck");
    assert!(r.text().starts_with("false") && r.text().contains("disabled"));
    assert_eq!(repl.current("count").map(|v| v.to_string()).as_deref(), Some("3"));

    // A bad declaration is refused and forgotten.
    assert!(repl.input("val broken = nope").is_error());
    assert!(!repl.input("doubled + 1").is_error());

    assert!(repl.input(".exit").exit);
}

#[test]
fn without_a_file_the_repl_evaluates_and_remembers() {
    let mut repl = Repl::new();
    assert_eq!(repl.input("1 + 2").text(), "3");
    assert!(!repl.input("pure def sq(x: int): int = x * x").is_error());
    assert_eq!(repl.input("sq(12)").text(), "144");
    assert!(repl.input(".load /no/such/file.qnt").is_error());
    assert_eq!(repl.input("sq(2)").text(), "4");
}

#[test]
fn multi_line_input_continues_while_brackets_are_open() {
    assert!(!Repl::is_complete("Set(1, 2).map(x => {"));
    assert!(Repl::is_complete("Set(1, 2).map(x => {\n x })"));
    assert!(Repl::is_complete("\"{\""));
}

#[test]
fn completion_offers_names_and_methods() {
    let mut repl = Repl::new();
    repl.input(&format!(".load {}", counter_file()));
    let (_, names) = repl.completions("incr", 4);
    assert!(names.contains(&"increment".to_string()));
    let (start, methods) = repl.completions("Set(1).ma", 9);
    assert_eq!(start, 7);
    assert!(methods.contains(&"map".to_string()) && methods.contains(&"mapBy".to_string()));
    let (_, commands) = repl.completions(".lo", 3);
    assert_eq!(commands, vec!["load".to_string()]);
}

/// An action that assigns only some variables leaves the others without a value: the REPL
/// says so, and reading one is an error that names it (Quint: "Variable y not set"). It used
/// to show the placeholder `()` and fail later with "expected a set, found ()".
#[test]
fn a_variable_an_action_did_not_assign_has_no_value() {
    let mut repl = Repl::new();
    for line in ["var x: int", "var y: Set[int]", "action init = all { x' = 0, y' = Set(1) }", "action onlyX = x' = x + 1"] {
        let r = repl.input(line);
        assert!(!r.is_error(), "{line}: {}", r.text());
    }
    assert!(!repl.input("init").is_error());
    let r = repl.input("onlyX");
    assert!(r.text().contains("* y: (no value)"), "{}", r.text());
    assert!(r.text().contains("did not assign `y`"), "{}", r.text());
    assert_eq!(repl.current("y"), None);
    assert_eq!(repl.current("x").map(|v| v.to_string()).as_deref(), Some("1"));
    let r = repl.input("y.contains(1)");
    assert!(r.is_error() && r.text().contains("`y` has no value"), "{}", r.text());
    assert!(!r.text().contains("__input"), "the wrapper of the input is not a call the user made: {}", r.text());
    assert_eq!(repl.input("x").text(), "1");
    // Going back restores the value; an action that assigns it gives it one again.
    assert!(repl.input(".back").text().contains("y: Set(1)"));
    assert_eq!(repl.input("y.contains(1)").text(), "true");
    repl.input("onlyX");
    assert!(!repl.input("init").is_error());
    assert_eq!(repl.input("y").text(), "Set(1)");
}

/// `x' = 5 and y' = 0` is a temporal formula (Quint: QNT200), not an action: the REPL said
/// `true` and left the state alone. It is now an error that says how to combine actions.
#[test]
fn actions_joined_with_and_are_not_run() {
    let mut repl = Repl::new();
    for line in ["var x: int", "var y: int", "action init = all { x' = 0, y' = 0 }", "init"] {
        assert!(!repl.input(line).is_error(), "{line}");
    }
    let r = repl.input("x' = 5 and y' = 0");
    assert!(r.is_error() && r.text().contains("all { ... }"), "{}", r.text());
    assert_eq!(repl.current("x").map(|v| v.to_string()).as_deref(), Some("0"));
    let r = repl.input("all { x' = 5, y' = 0 }");
    assert!(!r.is_error(), "{}", r.text());
    assert_eq!(repl.current("x").map(|v| v.to_string()).as_deref(), Some("5"));
}

/// Quint's REPL forms: `;` between inputs, `.seed=N`, `.verbosity=N`, comments over several
/// lines, and `.save` of the declarations typed (read back by `.load`).
#[test]
fn quints_repl_forms() {
    let mut repl = Repl::new();
    assert_eq!(repl.input("val x = 3; 2 * x").text(), "6");
    assert_eq!(repl.input("x + 1;").text(), "4");
    assert!(!Repl::is_complete("/* a comment"));
    assert!(Repl::is_complete("/* a\n comment */"));
    assert!(Repl::is_complete("\"a ( in a string\""));
    assert_eq!(repl.input("/* a\n comment */").text(), "");
    assert_eq!(repl.input("/* before */ 1 + 1 // after").text(), "2");
    assert!(!repl.input(".seed=4").is_error());
    assert!(repl.input(".seed").text().contains("the seed is 4"));
    for line in ["var n: int", "action init = n' = x", "action step = n' = n + 1"] {
        assert!(!repl.input(line).is_error(), "{line}");
    }
    assert!(repl.input("init").text().contains("n: 3"), "states are shown at verbosity 2");
    assert!(!repl.input(".verbosity=1").is_error());
    assert_eq!(repl.input("step").text(), "true", "values only below verbosity 2");
    let path = std::env::temp_dir().join(format!("spec-repl-save-{}.qnt", std::process::id()));
    let path = path.to_string_lossy().into_owned();
    assert!(!repl.input(&format!(".save {path}")).is_error());
    let mut again = Repl::new();
    let r = again.input(&format!(".load {path}"));
    assert!(!r.is_error(), "{}", r.text());
    assert_eq!(again.input("x * 2").text(), "6");
    again.input("init");
    assert_eq!(again.current("n").map(|v| v.to_string()).as_deref(), Some("3"));
    let _ = std::fs::remove_file(&path);
}

/// Found in review: strings have no escapes (`"\"` is a string of one backslash), a
/// declaration may follow a comment, and option values are checked.
#[test]
fn inputs_with_backslashes_comments_and_bad_option_values() {
    let mut repl = Repl::new();
    assert!(Repl::is_complete("\"\\\" + \"(\""), "the `(` is inside the second string");
    assert_eq!(repl.input("\"\\\" == \"\\\"; 1 + 1").text(), "true\n2");
    assert!(!repl.input("/* a comment */ val a = 1").is_error());
    assert_eq!(repl.input("a").text(), "1");
    assert!(repl.input(".seed=abc").is_error());
    assert!(repl.input(".verbosity=lots").is_error());
    assert!(!repl.input(".seed = 6").is_error());
    assert!(repl.input(".seed").text().contains("the seed is 6"));
}
