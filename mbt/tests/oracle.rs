//! The spec as an oracle (`spec_interpreter::oracle`) on the bank of `examples/mbt/bank.qnt`:
//! events with known or unknown picks and partial observations, logs that the spec explains
//! and logs it does not, read as NDJSON and as ITF traces that the engine wrote.

use serde_json::json;
use spec_interpreter::oracle::{parse_itf, parse_log, parse_ndjson, validate, Event, LogError, Oracle, OracleError, Validation};
use spec_interpreter::render::{itf, ItfOptions, Trace};
use spec_interpreter::simulate::{run_sample, Config};
use spec_interpreter::{Resolved, RunRequest, Spec, Value};

const SPEC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/mbt/bank.qnt");

fn bank() -> (Spec, Resolved) {
    let request = RunRequest { file: SPEC.into(), init: "init".into(), step: "step".into(), ..RunRequest::default() };
    request.resolve().unwrap_or_else(|e| panic!("{e}"))
}

fn event(action: &str, picks: &[(&str, Value)], observed: &[(&str, Value)]) -> Event {
    let own = |xs: &[(&str, Value)]| xs.iter().map(|(n, v)| (n.to_string(), v.clone())).collect();
    Event { action: action.into(), picks: own(picks), observed: own(observed) }
}

#[test]
fn unknown_picks_keep_every_consistent_state() {
    let (spec, r) = bank();
    let mut oracle = Oracle::new(&spec, r.init, r.step);
    assert!(oracle.observe(&event("init", &[], &[])).unwrap());
    assert_eq!(oracle.states().len(), 1);
    // A deposit of an unknown amount to an unknown account: 3 accounts × 5 amounts.
    assert!(oracle.observe(&event("deposit", &[], &[])).unwrap());
    assert_eq!(oracle.states().len(), 15);
    // Knowing the account narrows it to the 5 amounts.
    let mut oracle = Oracle::new(&spec, r.init, r.step);
    oracle.observe(&event("init", &[], &[])).unwrap();
    assert!(oracle.observe(&event("deposit", &[("account", Value::str("bob"))], &[])).unwrap());
    assert_eq!(oracle.states().len(), 5);
    // Observing the last reply does not narrow a deposit (it is always Done).
    let done = spec_interpreter::itf::parse_value(&json!({"tag": "Some", "value": {"tag": "Done", "value": {"#tup": []}}})).unwrap();
    assert!(oracle.observe(&event("withdraw", &[("amount", Value::int(5))], &[("last", done)])).unwrap());
    // Only the withdrawal of 5 from bob, after a deposit of 5 to him, succeeds.
    assert_eq!(oracle.states().len(), 1);
    let state = &oracle.states()[0];
    assert_eq!(spec.var_value(state, "balances").map(|v| v.to_string()).as_deref(), Some(r#"Map("alice" -> 0, "bob" -> 0, "carol" -> 0)"#));
}

#[test]
fn a_withdrawal_the_balance_cannot_cover_is_unexplained() {
    let (spec, r) = bank();
    let log = r##"
{"action": "init", "state": {"balances": {"#map": [["alice", {"#bigint": "0"}], ["bob", {"#bigint": "0"}], ["carol", {"#bigint": "0"}]]}}}
{"action": "deposit", "picks": {"account": "alice", "amount": {"#bigint": "3"}}}
{"action": "withdraw", "picks": {"account": "alice"}, "state": {"last": {"tag": "Some", "value": {"tag": "Done", "value": {"#tup": []}}}}}
{"action": "withdraw", "picks": {"account": "alice", "amount": {"#bigint": "5"}}, "state": {"last": {"tag": "Some", "value": {"tag": "Done", "value": {"#tup": []}}}}}
"##;
    let events = parse_ndjson(log).unwrap();
    assert_eq!(events.len(), 4);
    // The first withdrawal took 1, 2 or 3 (unknown); none leaves 5 for the second.
    match validate(&spec, r.init, r.step, &events).unwrap() {
        Validation::Unexplained { index, event, candidates } => {
            assert_eq!(index, 3);
            assert_eq!(event.action, "withdraw");
            assert_eq!(candidates, 3);
        }
        other => panic!("expected the last event to be unexplained, got {other:?}"),
    }
    // Without the last event the log is consistent, with 3 states.
    match validate(&spec, r.init, r.step, &events[..3]).unwrap() {
        Validation::Consistent { events, states } => assert_eq!((events, states), (3, 3)),
        other => panic!("expected a consistent log, got {other:?}"),
    }
}

#[test]
fn unknown_names_are_errors() {
    let (spec, r) = bank();
    let events = vec![event("init", &[], &[]), event("borrow", &[], &[])];
    assert!(matches!(validate(&spec, r.init, r.step, &events), Err(OracleError::UnknownAction(a)) if a == "borrow"));
    let events = vec![event("init", &[], &[("debts", Value::int(0))])];
    assert!(matches!(validate(&spec, r.init, r.step, &events), Err(OracleError::UnknownVariable(v)) if v == "debts"));
}

#[test]
fn engine_traces_in_itf_validate_and_a_tampered_one_does_not() {
    let (spec, r) = bank();
    let config = Config { init: r.init, step: r.step, invariants: vec![], witnesses: vec![], max_steps: 12, max_samples: 1, seed: 11, keep_traces: 0 };
    let sample = run_sample(&spec, &config, 0, None);
    assert_eq!(sample.states.len(), 13);
    let trace = Trace { states: &sample.states, steps: &sample.steps, init: "init" };
    let options = ItfOptions { source: SPEC, status: "ok", seed: 11, mbt: true, hide: &[], ran: vec!["init", "step"] };
    let mut json = itf(&spec, trace, &options);
    let text = json.to_string();
    let events = parse_log(&text).unwrap();
    assert_eq!(events.len(), 13);
    match validate(&spec, r.init, r.step, &events).unwrap() {
        Validation::Consistent { events, states } => assert_eq!((events, states), (13, 1)),
        other => panic!("the engine's own trace should validate: {other:?}"),
    }
    // Give one account of state 5 a balance it cannot have (one more than the spec says).
    let state = &mut json["states"][5]["balances"]["#map"][0][1];
    let n: i64 = state["#bigint"].as_str().and_then(|s| s.parse().ok()).unwrap();
    *state = json!({"#bigint": (n + 100).to_string()});
    let events = parse_itf(&json.to_string()).unwrap();
    match validate(&spec, r.init, r.step, &events).unwrap() {
        Validation::Unexplained { index, .. } => assert_eq!(index, 5),
        other => panic!("the tampered trace should not validate: {other:?}"),
    }
}

#[test]
fn malformed_logs_say_where() {
    assert_eq!(parse_ndjson("{\"action\": \"init\"}\n{oops").map(|_| ()), Err(LogError::Json { line: 2, message: "key must be a string at line 1 column 2".into() }));
    assert!(matches!(parse_ndjson("{\"picks\": {}}"), Err(LogError::Shape { expected: "an `action` string", .. })));
}

#[test]
fn picks_from_large_sets_must_be_given() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("mbt_oracle_any");
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let file = dir.join("anyint.qnt");
    let text = "module anyint {\n  var x: int\n  action init = x' = 0\n  action choose_x = { nondet v = (-1000000).to(1000000).oneOf()\n x' = v }\n  action step = choose_x\n}\n";
    std::fs::write(&file, text).unwrap_or_else(|e| panic!("{e}"));
    let request = RunRequest { file: file.display().to_string(), init: "init".into(), step: "step".into(), ..RunRequest::default() };
    let (spec, r) = request.resolve().unwrap_or_else(|e| match e {
        spec_interpreter::RequestError::Load(l) => panic!("{}", l.sources.render(&l.diagnostics)),
        e => panic!("{e}"),
    });
    let given = vec![event("init", &[], &[]), event("choose_x", &[("v", Value::int(-7))], &[("x", Value::int(-7))])];
    let v = validate(&spec, r.init, r.step, &given);
    assert!(matches!(v, Ok(Validation::Consistent { events: 2, states: 1 })), "{v:?}");
    // Observed to differ from the pick: unexplained.
    let wrong = vec![event("init", &[], &[]), event("choose_x", &[("v", Value::int(3))], &[("x", Value::int(4))])];
    let v = validate(&spec, r.init, r.step, &wrong);
    assert!(matches!(v, Ok(Validation::Unexplained { index: 1, .. })), "{v:?}");
    // Not given: nothing can be enumerated, so nothing explains it.
    let unknown = vec![event("init", &[], &[]), event("choose_x", &[], &[("x", Value::int(4))])];
    let v = validate(&spec, r.init, r.step, &unknown);
    assert!(matches!(v, Ok(Validation::Unexplained { index: 1, .. })), "{v:?}");
}
