//! Trace strategies: coverage-guided generation reaches full action and branch coverage
//! sooner than random generation (counts with fixed seeds, not times), the transition
//! strategy takes every transition of a small state space, random traces are the
//! simulator's, and the branch recorder sees which branch of `any` a step took.

use spec_interpreter::simulate::{run_sample, Config as SimConfig};
use spec_interpreter::{RandomChooser, Spec};
use spec_mbt::coverage::{Branch, Recorder};
use spec_mbt::strategy::GenError;
use spec_mbt::*;
use std::cell::RefCell;
use std::collections::HashSet;
use std::rc::Rc;

fn example(file: &str) -> String {
    format!("{}/../examples/{file}", env!("CARGO_MANIFEST_DIR"))
}

fn explored(file: &str, strategy: Strategy, seed: u64, max_samples: u64) -> Report {
    let config = RunConfig::new(file).spec(&example(file)).strategy(strategy).seed(seed).max_samples(max_samples).max_steps(20).stop_at_full_coverage(true);
    explore(&config).unwrap_or_else(|e| panic!("{file}: {e}"))
}

#[test]
fn coverage_guided_covers_two_phase_commit_where_random_does_not() {
    let guided = explored("two_phase_commit.qnt", Strategy::CoverageGuided, 1, 200);
    let s = &guided.spec_coverage;
    assert!(s.is_full(), "{s}");
    assert_eq!((s.actions_total, s.branches_total), (6, 9), "{s}");
    let samples = guided.full_coverage_after.expect("full coverage");
    assert!(samples <= 3, "took {samples} samples");
    // Random generation takes `decideAbort` a third of the time from the start, so it
    // rarely gets every vote in before a decision: not within 200 samples with this seed.
    let random = explored("two_phase_commit.qnt", Strategy::Random, 1, 200);
    assert!(random.full_coverage_after.is_none_or(|r| r > samples), "random: {:?} {}", random.full_coverage_after, random.spec_coverage);
    assert!(random.spec_coverage.missing_actions.contains(&"decideCommit".to_string()) || random.full_coverage_after.is_some());
}

#[test]
fn coverage_guided_needs_fewer_steps_than_random_on_peterson_and_raft() {
    for file in ["peterson.qnt", "raft_election.qnt", "token.qnt"] {
        let guided = explored(file, Strategy::CoverageGuided, 1, 50);
        let random = explored(file, Strategy::Random, 1, 50);
        assert!(guided.spec_coverage.is_full(), "{file}: {}", guided.spec_coverage);
        let g = guided.full_coverage_after_steps.expect("guided reached full coverage");
        let r = random.full_coverage_after_steps.unwrap_or(u64::MAX);
        assert!(g < r, "{file}: guided {g} steps, random {r}");
        // No step can take more than one new action under a single `any` level here, so
        // covering n actions takes at least n steps after init.
        assert!(g > guided.spec_coverage.actions_total as u64, "{file}: {g}");
    }
}

/// A driver that notes every transition it is driven through: (state before, action and
/// picks, state after).
struct Noting {
    seen: Rc<RefCell<HashSet<(String, String, String)>>>,
    last: String,
}

impl Driver for Noting {
    type State = ();
    fn step(&mut self, step: &Step) -> spec_mbt::Result {
        let now = step.state_value().to_string();
        self.seen.borrow_mut().insert((std::mem::replace(&mut self.last, now.clone()), step.action().to_string(), now));
        Ok(())
    }
}

#[test]
fn the_transition_strategy_takes_every_transition() {
    for (file, states_hint) in [("dining_philosophers.qnt", 12), ("peterson.qnt", 20)] {
        let seen = Rc::new(RefCell::new(HashSet::new()));
        let config = RunConfig::new(file).spec(&example(file)).strategy(Strategy::Transitions).max_steps(10);
        let report = run(&config, || Noting { seen: seen.clone(), last: String::new() }).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(report.transitions > states_hint, "{file}: {} transitions", report.transitions);
        // Every transition was driven (by states and action; two transitions between the
        // same states by the same action count once, as in the plan).
        assert_eq!(seen.borrow().len(), report.transitions, "{file}");
        assert_eq!(report.spec_coverage.states, states_hint, "{file}: every reachable state");
        assert!(report.spec_coverage.is_full(), "{file}: {}", report.spec_coverage);
        // Fewer traces than transitions: traces go on through transitions not yet taken.
        assert!(report.samples < report.transitions as u64, "{file}: {} traces", report.samples);
    }
}

#[test]
fn the_transition_strategy_refuses_a_state_space_too_large() {
    let config = RunConfig::new("counter").spec(&example("counter.qnt")).strategy(Strategy::Transitions).max_states(50);
    match explore(&config) {
        Err(MbtError::Strategy(GenError::TooManyStates { limit: 50 })) => {}
        other => panic!("expected too many states, got {other:?}"),
    }
}

#[test]
fn random_traces_are_the_simulators() {
    let spec_path = example("two_phase_commit.qnt");
    let spec = Spec::load_file(&spec_path, None).unwrap_or_else(|e| panic!("{:?}", e.message));
    let (init, step) = (spec.lookup("init").expect("init"), spec.lookup("step").expect("step"));
    let mut generator = spec_mbt::strategy::Generator::new(&spec, init, step, Strategy::Random, 42, 12, 0).unwrap_or_else(|e| panic!("{e}"));
    let sim = SimConfig { init, step, invariants: Vec::new(), witnesses: Vec::new(), max_steps: 12, max_samples: 5, seed: 42, keep_traces: 0 };
    for index in 0..5 {
        let ours = generator.next_trace(index).unwrap_or_else(|e| panic!("{e}")).expect("a trace");
        let theirs = run_sample(&spec, &sim, index, None);
        assert_eq!(ours.trace.states, theirs.states, "sample {index}");
        assert_eq!(ours.seed, theirs.seed);
    }
}

#[test]
fn the_recorder_notes_the_branch_taken_not_the_ones_tried() {
    let text = "module m { var x: int
        action init = x' = 0
        action blocked = all { x > 100, x' = x }
        action inc = x' = x + 1
        action step = any { blocked, inc, all { x < 0, x' = x } }
    }";
    let spec = Spec::from_text("m.qnt", text, None).unwrap_or_else(|e| panic!("{:?}", e.diagnostics));
    let state = spec.run_action(&spec.state0(), "init", &mut RandomChooser::new(1)).expect("init runs").expect("init enabled").0;
    for seed in 0..20 {
        let mut recorder = Recorder::new(RandomChooser::new(seed));
        let (_, taken) = spec.run_action(&state, "step", &mut recorder).expect("step runs").expect("step enabled");
        assert_eq!(taken.actions.iter().map(|a| a.to_string()).collect::<Vec<_>>(), ["inc"]);
        assert_eq!(recorder.take_branches(), [Branch { site: "any{blocked, inc, _}".into(), index: 1 }], "seed {seed}");
    }
    let universe = spec_mbt::coverage::Universe::of(&spec, &[spec.lookup("init").expect("init"), spec.lookup("step").expect("step")]);
    assert_eq!(universe.branches.len(), 3);
    assert_eq!(universe.actions.iter().cloned().collect::<Vec<_>>(), ["blocked", "inc"]);
}
