//! A spec's `run` test as the trace source: every state the run commits reaches the driver,
//! the last one too (a run's final action is not committed by `then`), also when the main
//! module is an instance of another with its own constants.

use spec_mbt::*;
use std::cell::RefCell;
use std::rc::Rc;

const SPEC: &str = r#"module counter_base {
  const Step: int
  var x: int
  action init = x' = 0
  action inc = x' = x + Step
  action dec = all { x > 0, x' = x - Step }
  action step = any { inc, dec }
  run upTest = init.then(inc).then(inc).then(dec)
  run checkedTest = init.then(inc).expect(x == Step)
}

module counter {
  import counter_base(Step = 2).*
}
"#;

/// The spec in a file of its own for each test (tests run in parallel).
fn spec_file(test: &str) -> String {
    let path = format!("{}/spec_test_{test}.qnt", env!("CARGO_TARGET_TMPDIR"));
    std::fs::write(&path, SPEC).unwrap_or_else(|e| panic!("cannot write {path}: {e}"));
    path
}

/// Notes the actions and the value of `x` it is driven through.
struct Noting(Rc<RefCell<Vec<(String, i64)>>>);

impl Driver for Noting {
    type State = ();
    fn step(&mut self, step: &Step) -> spec_mbt::Result {
        let x: i64 = step.state_value().field("x").map(|v| spec_mbt::from_value(v, "x")).transpose()?.unwrap_or(-1);
        self.0.borrow_mut().push((step.action().to_string(), x));
        Ok(())
    }
}

fn driven(test: &str) -> Vec<(String, i64)> {
    let seen = Rc::new(RefCell::new(Vec::new()));
    let config = RunConfig::new(test).spec(&spec_file(test)).test(test).main("counter");
    run(&config, || Noting(seen.clone())).unwrap_or_else(|e| panic!("{e}"));
    let out = seen.borrow().clone();
    out
}

#[test]
fn every_state_of_a_run_reaches_the_driver_the_last_one_too() {
    let expected: Vec<(String, i64)> = [("init", 0), ("inc", 2), ("inc", 4), ("dec", 2)].iter().map(|(a, x)| (a.to_string(), *x)).collect();
    assert_eq!(driven("upTest"), expected);
}

#[test]
fn a_run_ending_in_expect_gives_no_extra_step() {
    let expected: Vec<(String, i64)> = [("init", 0), ("inc", 2)].iter().map(|(a, x)| (a.to_string(), *x)).collect();
    assert_eq!(driven("checkedTest"), expected);
}
