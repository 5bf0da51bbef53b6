//! Shrinking a failing trace: drop steps while the implementation still fails. A candidate
//! keeps the initial state and replays the remaining steps' choices (their picks by name and
//! the actions they took) with the scripted chooser from the new states; a step the spec no
//! longer allows there (disabled, or a pick that is no longer possible) rules the candidate
//! out. A candidate that still fails, anywhere, is cut after its failing step and becomes the
//! new trace; shrinking ends when no single step can be dropped.

use crate::driver::Driver;
use crate::report::FailureKind;
use crate::runner::{Harness, SpecTrace};
use spec_interpreter::ScriptedChooser;

/// The most candidate replays one shrink may try.
pub const MAX_REPLAYS: usize = 500;

/// Shrinks `trace`, which fails at step `at` with `kind`: a shorter trace that fails, where,
/// and how (the input when nothing shorter fails).
pub fn shrink<D: Driver>(harness: &Harness, trace: SpecTrace, at: usize, kind: FailureKind, make: &mut impl FnMut() -> D) -> (SpecTrace, usize, FailureKind) {
    let mut best = cut(trace, at);
    let mut at = at;
    let mut kind = kind;
    let mut replays = 0;
    'outer: loop {
        // Later steps first: dropping them keeps more of the prefix that reached the failure.
        for drop in (1..best.steps.len()).rev() {
            if replays >= MAX_REPLAYS {
                break 'outer;
            }
            let Some(candidate) = without(harness, &best, drop) else { continue };
            replays += 1;
            if let Some((a, k)) = harness.replay(&candidate, make(), None) {
                if same_kind(&kind, &k) {
                    best = cut(candidate, a);
                    at = a;
                    kind = k;
                    continue 'outer;
                }
            }
        }
        break;
    }
    (best, at, kind)
}

/// A divergence shrinks to a divergence, a driver error to a driver error: a shorter trace
/// that fails for another reason is a different bug.
fn same_kind(a: &FailureKind, b: &FailureKind) -> bool {
    std::mem::discriminant(a) == std::mem::discriminant(b)
}

fn cut(mut trace: SpecTrace, at: usize) -> SpecTrace {
    trace.states.truncate(at + 1);
    trace.steps.truncate(at + 1);
    trace
}

/// `trace` without step `drop` (not the init step), the later steps replayed by their
/// choices; `None` when the spec does not allow them any more.
fn without(harness: &Harness, trace: &SpecTrace, drop: usize) -> Option<SpecTrace> {
    let mut out = SpecTrace { states: vec![trace.states.first()?.clone()], steps: vec![trace.steps.first()?.clone()] };
    for step in trace.steps.iter().skip(1).enumerate().filter(|(i, _)| i + 1 != drop).map(|(_, s)| s) {
        let mut chooser = ScriptedChooser::replaying(step);
        let from = out.states.last()?.clone();
        match harness.spec.run_def(&from, harness.resolved.step, &mut chooser, None) {
            Ok(Some((state, taken))) => {
                out.states.push(state);
                out.steps.push(taken);
            }
            _ => return None,
        }
    }
    Some(out)
}
