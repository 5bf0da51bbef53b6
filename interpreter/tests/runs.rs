//! `run` tests chain actions with `then`: as in Quint, an action there may leave some state
//! variables unassigned; they have no value afterwards, and only reading one is an error.

use spec_interpreter::test_runner::{run_test, TestOutcome};
use spec_interpreter::Spec;

fn outcome(body: &str) -> TestOutcome {
    let text = format!(
        "module m {{ var x: int  var y: int
           action init = all {{ x' = 0, y' = 0 }}
           action onlyX = x' = x + 1
           action both = all {{ x' = x + 1, y' = y + 1 }}
           run t = {body} }}"
    );
    let spec = Spec::from_text("m.qnt", &text, None).unwrap_or_else(|e| panic!("{}", e.sources.render(&e.diagnostics)));
    run_test(&spec, spec.lookup("t").expect("t"), 1, 0)
}

#[test]
fn an_action_may_leave_a_variable_unassigned_in_a_run() {
    assert!(matches!(outcome("init.then(onlyX).expect(x == 1)"), TestOutcome::Passed { .. }), "{:?}", outcome("init.then(onlyX).expect(x == 1)"));
    // Assigned again later: fine.
    assert!(matches!(outcome("init.then(onlyX).then(all { x' = 5, y' = 7 }).expect(y == 7)"), TestOutcome::Passed { .. }));
}

#[test]
fn reading_a_variable_left_unassigned_is_an_error() {
    match outcome("init.then(onlyX).then(both)") {
        TestOutcome::Failed { error, .. } => assert!(error.message.contains("`y` has no value"), "{}", error.message),
        other => panic!("{other:?}"),
    }
}

/// A chain `init.then(a).then(b).then(c)` whose `b` is disabled points at `b`, as Quint
/// does, not at the whole chain before the last `then`.
#[test]
fn a_disabled_action_in_a_chain_is_the_place_of_the_error() {
    let text = "module m {\n  var x: int\n  action init = x' = 1\n  action a = x' = 2\n  action b = all { false, x' = 3 }\n  run chain = init.then(a).then(b).then(a)\n}";
    let spec = spec_interpreter::Spec::from_text("m.qnt", text, None).unwrap();
    let def = spec.lookup("chain").unwrap();
    let e = spec.eval_def(&spec.state0(), def, &mut spec_interpreter::RandomChooser::new(1)).unwrap_err();
    let at = &text[e.span.start as usize..e.span.end as usize];
    assert_eq!(at, "b", "{}", e.message);
    assert!(e.message.contains("this action is disabled"), "{}", e.message);
}
