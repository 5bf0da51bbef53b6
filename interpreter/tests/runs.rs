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
