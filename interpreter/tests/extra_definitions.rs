//! Definitions added on the command line (`--invariant EXPR`, `spec eval EXPR`) join the main
//! module as a layer of their own (a separate database input, not spliced text): their
//! diagnostics, static or at run time, point at what the user typed, shown as a source of its
//! own (`<invariant>:1:5`), and diagnostics elsewhere keep the file's own positions.

use spec_interpreter::Spec;

fn located(e: &spec_interpreter::LoadError) -> Vec<String> {
    e.diagnostics
        .iter()
        .map(|d| {
            let (line, col) = e.sources.line_col(d.span);
            format!("{}:{line}:{col}", e.sources.name(d.span.file))
        })
        .collect()
}

#[test]
fn errors_in_an_extra_expression_point_at_the_expression() {
    let file = "module m {\n  var x: int\n  action init = x' = 0\n  action step = x' = x + 1\n}\n";
    let Err(e) = Spec::with_extras("m.qnt", Some(file), None, &[("temporal", "__invariant0", "x < y")]) else { panic!("y is unknown") };
    assert_eq!(located(&e), ["<invariant>:1:5"]);
    let Err(e) = Spec::with_extras("m.qnt", Some(file), None, &[("temporal", "__invariant0", "x <")]) else { panic!("incomplete") };
    assert_eq!(located(&e), ["<invariant>:1:4"]);
    let Err(e) = Spec::with_extras("<expr>", None, None, &[("temporal", "__input", "1 + z")]) else { panic!("z is unknown") };
    assert_eq!(located(&e), ["<input>:1:5"]);
}

#[test]
fn errors_in_the_file_keep_their_positions() {
    let file = "module m {\n  var x: int\n  action init = x' = 0\n  action step = x' = x + 1\n}\nmodule n {\n  val v = w\n}\n";
    let Err(e) = Spec::with_extras("m.qnt", Some(file), Some("m"), &[("temporal", "__invariant0", "x > 0")]) else { panic!("w is unknown") };
    assert_eq!(located(&e), ["m.qnt:7:11"]);
}

#[test]
fn runtime_errors_in_an_extra_expression_point_at_the_expression() {
    let file = "module m {\n  var x: int\n  action init = x' = 0\n  action step = x' = x + 1\n}\n";
    let spec = Spec::with_extras("m.qnt", Some(file), None, &[("temporal", "__invariant0", "x + 10 / x > 0")]).unwrap_or_else(|e| panic!("{}", e.sources.render(&e.diagnostics)));
    let def = spec.lookup("__invariant0").expect("the invariant is a definition of the main module");
    let mut chooser = spec_interpreter::RandomChooser::new(1);
    let (state, _) = spec.run_action(&spec.state0(), "init", &mut chooser).expect("init runs").expect("init is enabled");
    let error = spec.eval_def(&state, def, &mut chooser).expect_err("division by zero");
    let (line, col) = spec.sources.line_col(error.span);
    assert_eq!((spec.sources.name(error.span.file), line, col), ("<invariant>", 1, 5), "{}", spec.render_error(&error));
}

#[test]
fn an_unknown_qualifier_is_an_error() {
    let Err(e) = Spec::with_extras("<expr>", None, None, &[("pure action", "__input", "1")]) else { panic!("not a qualifier") };
    assert!(e.message.is_some_and(|m| m.contains("`pure action` is not a qualifier")));
}
