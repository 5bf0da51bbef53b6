//! `simulate --n-traces N` (the simulator's `keep_traces`): violations come first, then the
//! most diverse traces, never just the shortest. Checked on the simulator itself, against
//! what keeping the N shortest samples would have given.

use spec_interpreter::simulate::{run_sample, simulate, Config, Progress};
use spec_interpreter::{Spec, State};
use std::collections::HashSet;
use std::sync::atomic::AtomicBool;

fn load(file: &str) -> Spec {
    Spec::load_file(&format!("{}/../examples/{file}", env!("CARGO_MANIFEST_DIR")), None).unwrap_or_else(|e| panic!("{file}: {:?}", e.message))
}

fn config(spec: &Spec, invariants: &[&str], keep: usize) -> Config {
    Config {
        init: spec.lookup("init").expect("init"),
        step: spec.lookup("step").expect("step"),
        invariants: invariants.iter().map(|n| (n.to_string(), spec.lookup(n).expect("invariant"))).collect(),
        witnesses: Vec::new(),
        max_steps: 12,
        max_samples: 300,
        seed: 11,
        keep_traces: keep,
    }
}

fn distinct_states<'a>(traces: impl Iterator<Item = &'a Vec<State>>) -> usize {
    traces.flatten().collect::<HashSet<_>>().len()
}

#[test]
fn kept_traces_cover_more_than_the_shortest_ones() {
    let spec = load("two_phase_commit.qnt");
    let config = config(&spec, &[], 5);
    let outcome = simulate(&spec, &config, 1, &Progress::default(), &AtomicBool::new(false));
    assert_eq!(outcome.traces.len(), 5);
    // What keeping the five shortest samples would have kept.
    let mut all: Vec<_> = (0..config.max_samples).map(|i| run_sample(&spec, &config, i, None)).collect();
    all.sort_by_key(|s| (s.states.len(), s.index));
    let shortest = distinct_states(all.iter().take(5).map(|s| &s.states));
    let kept = distinct_states(outcome.traces.iter().map(|s| &s.states));
    assert!(kept > shortest, "kept traces reach {kept} distinct states, the shortest {shortest}");
    let kept_len: usize = outcome.traces.iter().map(|s| s.states.len()).sum();
    let shortest_len: usize = all.iter().take(5).map(|s| s.states.len()).sum();
    assert!(kept_len > shortest_len, "{kept_len} states in kept traces, {shortest_len} in the shortest");
}

#[test]
fn violations_are_kept_first() {
    let spec = load("counter.qnt");
    let config = Config { max_samples: 64, ..config(&spec, &["neverFive"], 3) };
    let outcome = simulate(&spec, &config, 1, &Progress::default(), &AtomicBool::new(false));
    let violation = outcome.violation.as_ref().expect("neverFive is violated");
    let first = outcome.traces.first().expect("traces are kept");
    assert!(first.is_violation(), "the first kept trace is a violation");
    assert_eq!(first.states.len(), violation.states.len(), "the shortest violation leads");
    let violations = outcome.traces.iter().take_while(|t| t.is_violation()).count();
    assert!(outcome.traces[violations..].iter().all(|t| !t.is_violation()), "violations come before the other traces");
}
