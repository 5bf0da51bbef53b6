//! Choosers on one evaluator: the random chooser retries like Quint's simulator, the
//! scripted chooser replays simulated traces by nondet name (and refuses missing or
//! impossible picks), the enumerating chooser finds every successor. Expected counts are
//! worked out by hand in the comments.

use spec_interpreter::simulate::{simulate, Config, Progress};
use spec_interpreter::{ErrorKind, RandomChooser, ScriptedChooser, Spec, State, Value};
use std::collections::BTreeSet;
use std::sync::atomic::AtomicBool;

const HOPS: &str = r#"
module hops {
  var x: int
  var log: List[str]
  action init = all { x' = 0, log' = [] }
  action jump = {
    nondet d = 1.to(5).oneOf()
    nondet who = Set("a", "b", "c").oneOf()
    all { (x + d) % 2 == 0, who != "b", x' = x + d, log' = log.append(who) }
  }
  action back = all { x > 3, x' = x - 3, log' = log.append("back") }
  action step = any { jump, back }
  val small = x < 1000
}"#;

fn load(text: &str) -> Spec {
    Spec::from_text("t.qnt", text, None).unwrap_or_else(|e| panic!("{:?}", e.diagnostics))
}

fn state_after_init(spec: &Spec) -> State {
    spec.run_action(&spec.state0(), "init", &mut RandomChooser::new(0)).unwrap().unwrap().0
}

fn with_x(spec: &Spec, x: i64) -> State {
    let mut s = (*state_after_init(spec)).clone();
    s[0] = Value::int(x);
    std::sync::Arc::new(s)
}

#[test]
fn a_scripted_replay_by_name_reproduces_simulated_traces_state_by_state() {
    let spec = load(HOPS);
    let step = spec.lookup("step").unwrap();
    let config = Config {
        init: spec.lookup("init").unwrap(),
        step,
        invariants: vec![("small".into(), spec.lookup("small").unwrap())],
        witnesses: vec![],
        max_steps: 15,
        max_samples: 40,
        seed: 11,
        keep_traces: 40,
    };
    let outcome = simulate(&spec, &config, 1, &Progress::default(), &AtomicBool::new(false));
    assert_eq!(outcome.traces.len(), 40);
    // With retries, no sample stops early: from any x, `jump` has an even x + d.
    assert_eq!(outcome.deadlocks, 0);
    let mut replayed = 0;
    for trace in &outcome.traces {
        for i in 1..trace.states.len() {
            let recorded = &trace.steps[i];
            let mut chooser = ScriptedChooser::replaying(recorded);
            let (state, again) = spec.run_def(&trace.states[i - 1], step, &mut chooser, None).unwrap().expect("the replayed step is enabled");
            assert_eq!(state, trace.states[i], "sample {}, step {i}", trace.index);
            assert_eq!(again.picks, recorded.picks);
            assert_eq!(again.actions, recorded.actions);
            replayed += 1;
        }
    }
    assert_eq!(replayed, 40 * 15);
}

#[test]
fn a_missing_or_impossible_pick_is_an_error_not_a_fallback() {
    let spec = load(HOPS);
    let s0 = state_after_init(&spec);
    let step = spec.lookup("step").unwrap();
    // `who` is not given.
    let mut chooser = ScriptedChooser::new([("d", Value::int(2))], ["jump"]);
    let e = spec.run_def(&s0, step, &mut chooser, None).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Choice);
    assert!(e.message.contains("nondet who"), "{}", e.message);
    // 7 is not in 1.to(5).
    let mut chooser = ScriptedChooser::new([("d", Value::int(7)), ("who", Value::str("a"))], ["jump"]);
    let e = spec.run_def(&s0, step, &mut chooser, None).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Choice);
    assert!(e.message.contains("picks 7 for `nondet d`"), "{}", e.message);
    // Possible picks that disable the action: the step is disabled (no retry in a replay).
    let mut chooser = ScriptedChooser::new([("d", Value::int(3)), ("who", Value::str("a"))], ["jump"]);
    assert!(spec.run_def(&s0, step, &mut chooser, None).unwrap().is_none());
    // The named action is taken even if another branch would be enabled.
    let s5 = with_x(&spec, 5);
    let none: [(&str, Value); 0] = [];
    let (next, taken) = spec.run_def(&s5, step, &mut ScriptedChooser::new(none, ["back"]), None).unwrap().unwrap();
    assert_eq!(spec.var_value(&next, "x"), Some(&Value::int(2)));
    assert_eq!(taken.actions.iter().map(|a| a.to_string()).collect::<Vec<_>>(), vec!["back"]);
}

#[test]
fn the_enumerating_chooser_finds_every_successor() {
    let spec = load(HOPS);
    let step = spec.lookup("step").unwrap();
    let count = |x: i64| spec.successors(&with_x(&spec, x), step).unwrap();
    // From x = 0: d in {2, 4} (x + d even) times who in {a, c}; `back` needs x > 3.
    assert_eq!(count(0).len(), 4);
    // From x = 1: d in {1, 3, 5}, who in {a, c}.
    assert_eq!(count(1).len(), 6);
    // From x = 4: d in {2, 4}, who in {a, c}, plus `back`.
    let from4 = count(4);
    assert_eq!(from4.len(), 5);
    let xs: BTreeSet<String> = from4.iter().map(|(s, _)| spec.var_value(s, "x").unwrap().to_string()).collect();
    assert_eq!(xs, ["1", "6", "8"].iter().map(|s| s.to_string()).collect());
    // Each successor carries its picks by name.
    let (s, step_taken) = from4.iter().find(|(s, _)| spec.var_value(s, "x") == Some(&Value::int(8))).unwrap();
    assert_eq!(spec.var_value(s, "log").unwrap().to_string().len(), 5);
    let names: Vec<&str> = step_taken.picks.iter().map(|(n, _)| &**n).collect();
    assert_eq!(names, vec!["d", "who"]);
    assert_eq!(step_taken.actions.iter().map(|a| a.to_string()).collect::<Vec<_>>(), vec!["jump"]);
}

#[test]
fn enumeration_counts_combinations_and_leaves_equal_states_to_the_caller() {
    let spec = load(
        "module sub {
          var v: int
          action init = any { v' = 0, { nondet s = Set(1, 2).powerset().oneOf() v' = s.size() }, { nondet t = tuples(1.to(2), Set(true)).oneOf() all { t._2, v' = 10 * t._1 } } }
        }",
    );
    let init = spec.lookup("init").unwrap();
    // 1 + 4 subsets (sizes 0, 1, 1, 2) + 2 tuples (v = 10, 20): 7 combinations, 5 states.
    let all = spec.successors(&spec.state0(), init).unwrap();
    assert_eq!(all.len(), 7);
    let distinct: BTreeSet<Value> = all.iter().map(|(s, _)| s[0].clone()).collect();
    assert_eq!(distinct.len(), 5);
    // An action disabled for every choice has no successor.
    let none = load("module n { var v: int\n action init = { nondet x = 1.to(4).oneOf() all { x > 9, v' = x } } }");
    assert!(none.successors(&none.state0(), none.lookup("init").unwrap()).unwrap().is_empty());
    // An infinite set cannot be enumerated: an error, not a guess.
    let inf = load("module i { var v: int\n action init = { nondet x = Nat.oneOf() v' = x } }");
    assert!(inf.successors(&inf.state0(), inf.lookup("init").unwrap()).is_err());
}

const RETRY: &str = "
module retry {
  var v: int
  action init = v' = 0
  action seven = { nondet x = 1.to(10).oneOf() all { x == 7, v' = x } }
  action either = any { false, v' = 1 }
  action thirds = { nondet x = 1.to(10).oneOf() all { x % 3 == 0, v' = x } }
  action needle = { nondet x = 1.to(1000).oneOf() all { x == 7, v' = x } }
  action pair = { nondet p = tuples(1.to(50), 1.to(50)).oneOf() all { p == (50, 1), v' = p._1 } }
}";

fn run_seeds(spec: &Spec, action: &str, seeds: u64) -> Vec<Option<Value>> {
    let s0 = state_after_init(spec);
    (0..seeds)
        .map(|seed| spec.run_action(&s0, action, &mut RandomChooser::new(seed)).unwrap().map(|(s, _)| s[0].clone()))
        .collect()
}

#[test]
fn a_disabled_pick_is_retried_with_the_other_elements_of_a_small_set() {
    let spec = load(RETRY);
    assert!(run_seeds(&spec, "seven", 300).iter().all(|v| v == &Some(Value::int(7))));
    assert!(run_seeds(&spec, "either", 300).iter().all(|v| v == &Some(Value::int(1))));
    // Tuples are retried component by component (each below 100), as in Quint.
    assert!(run_seeds(&spec, "pair", 20).iter().all(|v| v == &Some(Value::int(50))));
}

#[test]
fn every_enabled_pick_stays_reachable_and_about_equally_likely() {
    let spec = load(RETRY);
    let mut counts = std::collections::BTreeMap::new();
    for v in run_seeds(&spec, "thirds", 3000) {
        *counts.entry(v.expect("always enabled").to_string()).or_insert(0) += 1;
    }
    assert_eq!(counts.keys().cloned().collect::<Vec<_>>(), vec!["3", "6", "9"]);
    assert!(counts.values().all(|c| (850..1150).contains(c)), "{counts:?}");
}

#[test]
fn a_large_set_is_not_retried_as_in_quint() {
    let spec = load(RETRY);
    let enabled = run_seeds(&spec, "needle", 200).iter().filter(|v| v.is_some()).count();
    assert!(enabled < 5, "{enabled} of 200");
    // The threshold is the chooser's to set.
    let s0 = state_after_init(&spec);
    let mut wide = RandomChooser::new(1).with_retry_threshold(2000);
    assert!(spec.run_action(&s0, "needle", &mut wide).unwrap().is_some());
    let mut never = RandomChooser::new(1).with_retry_threshold(0);
    let seven: usize = (0..100).filter(|&seed| {
        never = RandomChooser::new(seed).with_retry_threshold(0);
        spec.run_action(&s0, "seven", &mut never).unwrap().is_some()
    }).count();
    assert!(seven < 30, "{seven}");
}
