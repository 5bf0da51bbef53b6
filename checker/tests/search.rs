//! The checker's verdicts and state counts on small models whose numbers are computed here
//! independently (by hand, or by a plain breadth-first search written in Rust).

use spec_checker::{check, trace, Budget, Model, Outcome, Progress, Stop, Verdict};
use spec_interpreter::Spec;
use std::collections::{HashSet, VecDeque};
use std::sync::atomic::AtomicBool;

fn load(text: &str) -> Spec {
    match Spec::from_text("model.qnt", text, None) {
        Ok(spec) => spec,
        Err(e) => panic!("{}", e.sources.render(&e.diagnostics)),
    }
}

fn model(spec: &Spec, invariants: &[&str]) -> Model {
    let def = |name: &str| spec.lookup(name).unwrap_or_else(|| panic!("no `{name}`"));
    Model {
        init: def("init"),
        step: def("step"),
        invariants: invariants.iter().map(|n| (n.to_string(), def(n))).collect(),
        constraint: None,
        view: None,
    }
}

fn run(spec: &Spec, model: &Model, budget: Budget) -> Outcome {
    check(spec, model, &budget, &Progress::default(), &AtomicBool::new(false))
}

fn values_along(spec: &Spec, model: &Model, outcome: &Outcome, var: &str) -> Vec<String> {
    let path = outcome.path.as_ref().expect("a path");
    let steps = trace::rebuild(spec, model, path).expect("the path can be followed");
    steps.iter().map(|(state, _)| spec.var_value(state, var).expect("var").to_string()).collect()
}

#[test]
fn a_cycle_of_five_states() {
    let spec = load("module m { var x: int  action init = x' = 0  action step = x' = (x + 1) % 5 }");
    let outcome = run(&spec, &model(&spec, &[]), Budget::default());
    assert!(matches!(outcome.verdict, Verdict::Holds), "{:?}", outcome.verdict);
    assert_eq!(outcome.stats.distinct, 5);
    // One initial state, and one successor of each of the five states.
    assert_eq!(outcome.stats.generated, 6);
    assert_eq!(outcome.stats.depth, 4);
    assert_eq!(outcome.stats.complete_depth, Some(4));
}

#[test]
fn every_pick_and_every_branch_is_a_successor() {
    let spec = load(
        "module m { var x: int  var y: int
           action init = all { x' = 0, y' = 0 }
           action step = any {
             nondet v = 1.to(3).oneOf()
             all { x' = v, y' = y },
             all { x' = x, y' = 1 - y },
           } }",
    );
    let outcome = run(&spec, &model(&spec, &[]), Budget::default());
    assert!(matches!(outcome.verdict, Verdict::Holds), "{:?}", outcome.verdict);
    // x in 0..=3, y in 0..=1.
    assert_eq!(outcome.stats.distinct, 8);
    // Each state has 3 picks plus one flip.
    assert_eq!(outcome.stats.generated, 1 + 8 * 4);
}

#[test]
fn counts_agree_with_an_independent_search() {
    let spec = load(
        "module m { var a: int  var b: int
           action init = nondet s = 0.to(2).oneOf() all { a' = s, b' = 0 }
           action step = any {
             all { a' = (a + b) % 7, b' = b },
             all { a' = a, b' = (b * 2 + 1) % 5 },
             all { a < 3, a' = a + 4, b' = (a + b) % 5 },
           } }",
    );
    // The same model in plain Rust.
    let successors = |(a, b): (i64, i64)| {
        let mut out = vec![((a + b) % 7, b), (a, (b * 2 + 1) % 5)];
        if a < 3 {
            out.push((a + 4, (a + b) % 5));
        }
        out
    };
    let mut seen: HashSet<(i64, i64)> = HashSet::new();
    let mut queue: VecDeque<(i64, i64)> = VecDeque::new();
    let mut generated = 0;
    for s in 0..=2 {
        generated += 1;
        if seen.insert((s, 0)) {
            queue.push_back((s, 0));
        }
    }
    while let Some(state) = queue.pop_front() {
        for next in successors(state) {
            generated += 1;
            if seen.insert(next) {
                queue.push_back(next);
            }
        }
    }
    let outcome = run(&spec, &model(&spec, &[]), Budget::default());
    assert!(matches!(outcome.verdict, Verdict::Holds), "{:?}", outcome.verdict);
    assert_eq!(outcome.stats.distinct, seen.len() as u64);
    assert_eq!(outcome.stats.generated, generated);
}

#[test]
fn a_violation_comes_with_a_shortest_trace() {
    let spec = load(
        "module m { var x: int
           action init = x' = 0
           action step = any { x' = x + 1, x' = x + 2 }
           val small = x < 5 }",
    );
    let model = model(&spec, &["small"]);
    let outcome = run(&spec, &model, Budget::default());
    assert!(matches!(&outcome.verdict, Verdict::Violation { invariant } if invariant == "small"), "{:?}", outcome.verdict);
    // The shortest way to 5 or more takes three steps; the first found is 0, 1, 3, 5.
    assert_eq!(values_along(&spec, &model, &outcome, "x"), ["0", "1", "3", "5"]);
}

#[test]
fn a_deadlock_is_reported_unless_turned_off() {
    let spec = load("module m { var x: int  action init = x' = 0  action step = all { x < 3, x' = x + 1 } }");
    let model = model(&spec, &[]);
    let outcome = run(&spec, &model, Budget::default());
    assert!(matches!(outcome.verdict, Verdict::Deadlock), "{:?}", outcome.verdict);
    assert_eq!(values_along(&spec, &model, &outcome, "x"), ["0", "1", "2", "3"]);
    let outcome = run(&spec, &model, Budget { deadlock: false, ..Budget::default() });
    assert!(matches!(outcome.verdict, Verdict::Holds), "{:?}", outcome.verdict);
    assert_eq!(outcome.stats.distinct, 4);
}

#[test]
fn no_initial_state_is_not_a_pass() {
    let spec = load("module m { var x: int  action init = all { false, x' = 0 }  action step = x' = x }");
    let outcome = run(&spec, &model(&spec, &[]), Budget::default());
    assert!(matches!(outcome.verdict, Verdict::NoInitialState), "{:?}", outcome.verdict);
}

#[test]
fn a_runtime_error_comes_with_the_trace_to_its_state() {
    let spec = load("module m { var x: int  action init = x' = 0  action step = all { 10 / (2 - x) > -100, x' = x + 1 } }");
    let model = model(&spec, &[]);
    let outcome = run(&spec, &model, Budget::default());
    assert!(matches!(&outcome.verdict, Verdict::Error(e) if e.message.contains("zero")), "{:?}", outcome.verdict);
    assert_eq!(values_along(&spec, &model, &outcome, "x"), ["0", "1", "2"]);
}

#[test]
fn invariants_that_read_some_variables_fail_in_the_first_state_in_order() {
    // `xSmall` reads only x and `yFine` only y: the checker evaluates each once per
    // distinct value it reads, and must still report the first failing state of the level
    // in order. y = 2 (an error in `yFine`) is met at depth 2, before x = 3 (depth 3); at
    // depth 2, (x, y) = (2, 0) and (1, 1) come before (0, 2).
    let spec = load(
        "module m { var x: int  var y: int
           action init = all { x' = 0, y' = 0 }
           action step = any { all { x' = x + 1, y' = y }, all { x' = x, y' = y + 1 } }
           val xSmall = x < 3
           val yFine = 10 / (2 - y) > -100 }",
    );
    let model = model(&spec, &["xSmall", "yFine"]);
    for threads in [1, 2] {
        let outcome = run(&spec, &model, Budget { threads, ..Budget::default() });
        assert!(matches!(&outcome.verdict, Verdict::Error(e) if e.message.contains("zero")), "{:?}", outcome.verdict);
        assert_eq!(values_along(&spec, &model, &outcome, "y"), ["0", "1", "2"]);
        assert_eq!(values_along(&spec, &model, &outcome, "x"), ["0", "0", "0"]);
    }
    // Without the failing invariant, x = 3 is first met with y = 0.
    let model = self::model(&spec, &["xSmall"]);
    let outcome = run(&spec, &model, Budget::default());
    assert!(matches!(&outcome.verdict, Verdict::Violation { invariant } if invariant == "xSmall"), "{:?}", outcome.verdict);
    assert_eq!(values_along(&spec, &model, &outcome, "x"), ["0", "1", "2", "3"]);
    assert_eq!(values_along(&spec, &model, &outcome, "y"), ["0", "0", "0", "0"]);
}

#[test]
fn budgets_end_with_a_partial_result() {
    let spec = load("module m { var x: int  action init = x' = 0  action step = x' = x + 1 }");
    let model = model(&spec, &[]);
    let outcome = run(&spec, &model, Budget { max_depth: Some(3), ..Budget::default() });
    assert!(matches!(outcome.verdict, Verdict::Bounded(Stop::Depth)), "{:?}", outcome.verdict);
    assert_eq!(outcome.stats.distinct, 4);
    assert_eq!(outcome.stats.complete_depth, Some(3));
    let outcome = run(&spec, &model, Budget { max_states: Some(10), ..Budget::default() });
    assert!(matches!(outcome.verdict, Verdict::Bounded(Stop::States)), "{:?}", outcome.verdict);
    assert_eq!(outcome.stats.distinct, 10);
    let interrupt = AtomicBool::new(true);
    let outcome = check(&spec, &model, &Budget::default(), &Progress::default(), &interrupt);
    assert!(matches!(outcome.verdict, Verdict::Bounded(Stop::Interrupted)), "{:?}", outcome.verdict);
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    let spec = load(
        "module m { var a: int  var b: int  var c: int
           action init = all { a' = 0, b' = 0, c' = 0 }
           action step = any {
             all { a' = (a + 1) % 6, b' = b, c' = c },
             all { a' = a, b' = (b + a) % 5, c' = c },
             all { a' = a, b' = b, c' = (c + b + 1) % 7 },
           }
           val inv = not(a == 5 and b == 4 and c == 6) }",
    );
    let model = model(&spec, &["inv"]);
    let one = run(&spec, &model, Budget { threads: 1, ..Budget::default() });
    let two = run(&spec, &model, Budget { threads: 2, ..Budget::default() });
    assert!(matches!(one.verdict, Verdict::Violation { .. }), "{:?}", one.verdict);
    assert_eq!((one.stats.distinct, one.stats.generated, one.stats.depth), (two.stats.distinct, two.stats.generated, two.stats.depth));
    assert_eq!(one.path, two.path);
}

#[test]
fn a_view_merges_states_and_a_constraint_prunes_them() {
    let spec = load(
        "module m { var x: int  var t: int
           action init = all { x' = 0, t' = 0 }
           action step = all { x' = (x + 1) % 3, t' = t + 1 }
           val onlyX = x
           val bounded = t < 4 }",
    );
    let mut m = model(&spec, &[]);
    m.view = spec.lookup("onlyX");
    let outcome = run(&spec, &m, Budget::default());
    assert!(matches!(outcome.verdict, Verdict::Holds), "{:?}", outcome.verdict);
    assert_eq!(outcome.stats.distinct, 3);
    let mut m = model(&spec, &[]);
    m.constraint = spec.lookup("bounded");
    let outcome = run(&spec, &m, Budget::default());
    assert!(matches!(outcome.verdict, Verdict::Holds), "{:?}", outcome.verdict);
    // t = 0..=4: the state with t = 4 is kept but not explored.
    assert_eq!(outcome.stats.distinct, 5);
}

/// Two-phase commit (the benchmark's model, TLA+'s TwoPhase) against a plain breadth-first
/// search of the same transitions written here in Rust: the same distinct and generated
/// counts, at one and two threads.
#[test]
fn two_phase_commit_counts_agree_with_an_independent_search() {
    const RMS: usize = 4;
    // rmState per manager (0 working, 1 prepared, 2 committed, 3 aborted), tmState (0 init,
    // 1 committed, 2 aborted), tmPrepared and the prepared messages as bit sets, and whether
    // the commit and abort messages were sent.
    type S = ([u8; RMS], u8, u8, u8, bool, bool);
    let successors = |(rm, tm, tp, prepared, commit, abort): S| {
        let mut out: Vec<S> = Vec::new();
        if tm == 0 && tp == (1 << RMS) - 1 {
            out.push((rm, 1, tp, prepared, true, abort));
        }
        if tm == 0 {
            out.push((rm, 2, tp, prepared, commit, true));
        }
        for r in 0..RMS {
            let with = |state: u8| {
                let mut rm = rm;
                rm[r] = state;
                rm
            };
            if tm == 0 && prepared & (1 << r) != 0 {
                out.push((rm, tm, tp | (1 << r), prepared, commit, abort));
            }
            if rm[r] == 0 {
                out.push((with(1), tm, tp, prepared | (1 << r), commit, abort));
                out.push((with(3), tm, tp, prepared, commit, abort));
            }
            if commit {
                out.push((with(2), tm, tp, prepared, commit, abort));
            }
            if abort {
                out.push((with(3), tm, tp, prepared, commit, abort));
            }
        }
        out
    };
    let start: S = ([0; RMS], 0, 0, 0, false, false);
    let mut seen: HashSet<S> = HashSet::from([start]);
    let mut queue = VecDeque::from([start]);
    let mut generated = 1u64;
    while let Some(state) = queue.pop_front() {
        for next in successors(state) {
            generated += 1;
            if seen.insert(next) {
                queue.push_back(next);
            }
        }
    }
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../bench/models/two_phase.qnt")).expect("the benchmark model");
    let text = text.replace("module two_phase_3 {", "module two_phase_4 { import two_phase(RM = Set(\"r1\", \"r2\", \"r3\", \"r4\")).* }\nmodule two_phase_3 {");
    let spec = match Spec::from_text("two_phase.qnt", &text, Some("two_phase_4")) {
        Ok(spec) => spec,
        Err(e) => panic!("{}", e.sources.render(&e.diagnostics)),
    };
    let model = model(&spec, &["consistent"]);
    for threads in [1, 2] {
        let outcome = run(&spec, &model, Budget { deadlock: false, threads, ..Budget::default() });
        assert!(matches!(outcome.verdict, Verdict::Holds), "{:?}", outcome.verdict);
        assert_eq!(outcome.stats.distinct, seen.len() as u64, "-j {threads}");
        assert_eq!(outcome.stats.generated, generated, "-j {threads}");
        // The visited set's bound (issue 11): at most 16 bytes a distinct state, once past
        // its initial table of 256 slots (12 bytes each).
        let bytes = outcome.stats.visited_bytes;
        assert!(bytes > 0 && bytes <= 16 * outcome.stats.distinct.max(192), "{bytes} bytes for {} states", outcome.stats.distinct);
    }
}

/// Three counters modulo 3, 3 and 7 (the last one stops at 6): `a` and `b` take the same
/// values again and again in later levels, so an invariant reading only them is answered
/// from the results kept from earlier levels; the answers must be those of evaluating.
const RECURRING: &str = "module m { var a: int  var b: int  var c: int
  action init = all { a' = 0, b' = 0, c' = 0 }
  action step = any {
    all { a' = (a + 1) % 3, b' = b, c' = c },
    all { a' = a, b' = (b + 1) % 3, c' = c },
    all { c < 6, a' = a, b' = b, c' = c + 1 },
  }
  val small = a + b < 5
  val notBothTwo = not(a == 2 and b == 2)
  val late = c < 6 or a + b < 3
}";

#[test]
fn results_kept_across_levels_are_those_of_evaluating() {
    let spec = load(RECURRING);
    // Holds: every (a, b, c) with c in 0..=6 is reachable, 3 * 3 * 7 states.
    let outcome = run(&spec, &model(&spec, &["small"]), Budget::default());
    assert!(matches!(outcome.verdict, Verdict::Holds), "{:?}", outcome.verdict);
    assert_eq!(outcome.stats.distinct, 63);
    // a = b = 2 first at depth 4; (a, b) pairs met earlier with the result `true` do not hide it.
    let outcome = run(&spec, &model(&spec, &["small", "notBothTwo"]), Budget::default());
    assert!(matches!(&outcome.verdict, Verdict::Violation { invariant } if invariant == "notBothTwo"), "{:?}", outcome.verdict);
    assert_eq!(outcome.path.as_ref().map(Vec::len), Some(5));
    // Reads all three: c = 6 with a + b >= 3, first at depth 6 + 3.
    let outcome = run(&spec, &model(&spec, &["late"]), Budget::default());
    assert!(matches!(outcome.verdict, Verdict::Violation { .. }), "{:?}", outcome.verdict);
    assert_eq!(outcome.path.as_ref().map(Vec::len), Some(10));
}

/// Levels of thousands of states: several chunks a level, merged while the next chunk is
/// expanded, with the visited set growing mid-merge. x takes every value mod 61 and y every
/// value mod 53, and every state has 2 * 30 successors.
#[test]
fn levels_of_many_chunks_give_the_same_results_at_any_thread_count() {
    let spec = load(
        "module m { var x: int  var y: int
           action init = all { x' = 0, y' = 0 }
           action step = { nondet v = 0.to(29).oneOf() any { all { x' = (x + v) % 61, y' = y }, all { x' = x, y' = (y * 3 + v) % 53 } } }
           val far = not(x == 60 and y == 52) }",
    );
    let free = model(&spec, &[]);
    let guarded = model(&spec, &["far"]);
    let mut results = Vec::new();
    for threads in [1, 2] {
        let all = run(&spec, &free, Budget { threads, ..Budget::default() });
        assert!(matches!(all.verdict, Verdict::Holds), "{:?}", all.verdict);
        assert_eq!((all.stats.distinct, all.stats.generated), (61 * 53, 1 + 61 * 53 * 60));
        let violated = run(&spec, &guarded, Budget { threads, ..Budget::default() });
        assert!(matches!(violated.verdict, Verdict::Violation { .. }), "{:?}", violated.verdict);
        let path = violated.path.clone().expect("a trace");
        assert_eq!(path.len(), violated.stats.depth + 1, "the trace is as long as the level of the violation");
        let bounded = run(&spec, &free, Budget { threads, max_states: Some(2_000), ..Budget::default() });
        assert!(matches!(bounded.verdict, Verdict::Bounded(Stop::States)), "{:?}", bounded.verdict);
        assert_eq!(bounded.stats.distinct, 2_000);
        results.push((all.stats.depth, violated.stats.distinct, violated.stats.generated, path, bounded.stats.generated, bounded.stats.queue));
    }
    assert_eq!(results[0], results[1]);
}

#[test]
fn a_step_that_assigns_a_variable_outside_the_main_module_is_an_error() {
    // `B::x` is not one of the main module's variables: the checker keeps only those, so it
    // must stop rather than drop the assignment.
    let text = "module base { var x: int  action init = x' = 0  action step = x' = 1 }
                module main { import base as B  var y: int  action init = all { B::init, y' = 0 }  action step = all { B::step, y' = y } }";
    let spec = match Spec::from_text("model.qnt", text, Some("main")) {
        Ok(spec) => spec,
        Err(e) => panic!("{}", e.sources.render(&e.diagnostics)),
    };
    for threads in [1, 2] {
        let outcome = run(&spec, &model(&spec, &[]), Budget { threads, ..Budget::default() });
        match &outcome.verdict {
            Verdict::Error(e) => assert!(e.message.contains("`x`, a variable outside the main module"), "{}", e.message),
            other => panic!("{other:?}"),
        }
    }
}
