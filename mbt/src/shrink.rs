//! Shrinking a failing trace: drop steps while the implementation still fails. A candidate
//! keeps the initial state and replays the remaining steps' choices (their picks by name and
//! the actions they took) with the scripted chooser from the new states; a step the spec no
//! longer allows there (disabled, or a pick that is no longer possible) rules the candidate
//! out. A candidate that still fails, anywhere, is cut after its failing step and becomes the
//! new trace; shrinking ends when no single step can be dropped.
//!
//! Then the picks are simplified, step by step: each pick is tried with earlier elements of
//! the set it was picked from (the first, the one halfway, the one just before; and 0 for an
//! integer, when the set has it), the step replayed with the scripted chooser and the later
//! steps by their choices, and kept when the trace still fails the same way; each simpler
//! value is tried first in every later pick of the old value too (an account a trace uses
//! throughout is renamed throughout), then in that pick alone. Dropping steps and simplifying
//! picks alternate until neither changes the trace (at most `MAX_REPLAYS` replays in all).
//! Sets list their
//! elements in order, so earlier elements are smaller integers, shorter strings, and so on.

use crate::driver::Driver;
use crate::report::FailureKind;
use crate::runner::{Harness, SpecTrace};
use num_traits::ToPrimitive;
use spec_interpreter::set::SetValue;
use spec_interpreter::{Choice, ChoiceError, Chooser, ScriptedChooser, Site, State, Step, Tries, Value};
use std::sync::Arc;

/// The most candidate replays one shrink may try.
pub const MAX_REPLAYS: usize = 500;

/// Shrinks `trace`, which fails at step `at` with `kind`: a shorter trace that fails, where,
/// and how (the input when nothing shorter fails).
pub fn shrink<D: Driver>(harness: &Harness, trace: SpecTrace, at: usize, kind: FailureKind, make: &mut impl FnMut() -> D) -> (SpecTrace, usize, FailureKind) {
    let mut shrinking = Shrinking { best: cut(trace, at), at, kind, replays: 0 };
    // Dropping steps and simplifying picks each open chances for the other.
    loop {
        shrinking.drop_steps(harness, make);
        if !shrinking.simplify_picks(harness, make) {
            break;
        }
    }
    (shrinking.best, shrinking.at, shrinking.kind)
}

/// The smallest failing trace so far.
struct Shrinking {
    best: SpecTrace,
    at: usize,
    kind: FailureKind,
    replays: usize,
}

impl Shrinking {
    /// Replays `candidate`; keeps it (cut after its failure) if it fails the same way.
    fn try_candidate<D: Driver>(&mut self, harness: &Harness, candidate: SpecTrace, make: &mut impl FnMut() -> D) -> bool {
        self.replays += 1;
        match harness.replay(&candidate, make(), None) {
            Some((a, k)) if same_kind(&self.kind, &k) => {
                self.best = cut(candidate, a);
                self.at = a;
                self.kind = k;
                true
            }
            _ => false,
        }
    }

    /// Drops single steps until none can be dropped.
    fn drop_steps<D: Driver>(&mut self, harness: &Harness, make: &mut impl FnMut() -> D) {
        'outer: loop {
            // Later steps first: dropping them keeps more of the prefix that reached the failure.
            for drop in (1..self.best.steps.len()).rev() {
                if self.replays >= MAX_REPLAYS {
                    return;
                }
                let Some(candidate) = without(harness, &self.best, drop) else { continue };
                if self.try_candidate(harness, candidate, make) {
                    continue 'outer;
                }
            }
            return;
        }
    }

    /// Simplifies picks, step by step; whether anything changed.
    fn simplify_picks<D: Driver>(&mut self, harness: &Harness, make: &mut impl FnMut() -> D) -> bool {
        let mut changed = false;
        let mut index = 0;
        while index < self.best.steps.len() && self.replays < MAX_REPLAYS {
            let mut improved = false;
            for steps in simpler_picks(harness, &self.best, index) {
                if self.replays >= MAX_REPLAYS {
                    break;
                }
                let Some(candidate) = with_steps(harness, &self.best, index, &steps) else { continue };
                if self.try_candidate(harness, candidate, make) {
                    improved = true;
                    changed = true;
                    break;
                }
            }
            // A simpler pick may be simplified further; otherwise move on.
            if !improved {
                index += 1;
            }
        }
        changed
    }
}

/// A pick a step made: its name, which of the picks of that name it was, the set and the
/// position of the value in it.
struct Made {
    name: Arc<str>,
    occurrence: usize,
    set: SetValue,
    index: u64,
}

/// A scripted chooser that notes the picks it makes and the sets they come from.
struct NotingPicks {
    inner: ScriptedChooser,
    made: Vec<Made>,
}

impl NotingPicks {
    fn note(&mut self, choice: &Choice, index: u64) {
        if let Site::Pick { name: Some(name), set } = choice.site {
            let occurrence = self.made.iter().filter(|m| &*m.name == name).count();
            self.made.push(Made { name: Arc::from(name), occurrence, set: set.clone(), index });
        }
    }
}

impl Chooser for NotingPicks {
    fn choose(&mut self, choice: &Choice) -> Result<Tries, ChoiceError> {
        let tries = self.inner.choose(choice)?;
        self.note(choice, tries.current);
        Ok(tries)
    }

    fn retry(&mut self, choice: &Choice, tries: &mut Tries) -> bool {
        self.inner.retry(choice, tries)
    }

    fn choose_big(&mut self, choice: &Choice, size: &num_bigint::BigInt) -> Result<num_bigint::BigInt, ChoiceError> {
        let i = self.inner.choose_big(choice, size)?;
        if let Some(small) = i.to_u64() {
            self.note(choice, small);
        }
        Ok(i)
    }
}

/// The state a step of `trace` starts from, and the action it runs.
fn origin(harness: &Harness, trace: &SpecTrace, index: usize) -> Option<(State, spec_analysis::ir::DefId)> {
    if index == 0 {
        Some((harness.spec.state0(), harness.resolved.init))
    } else {
        Some((trace.states.get(index - 1)?.clone(), harness.resolved.step))
    }
}

/// Variants of the steps of `trace` from `index` on, with one pick of step `index` made
/// simpler, simplest first: for each simpler value, first with every later pick of the same
/// value replaced too (so an account that a trace uses throughout is renamed throughout),
/// then with only this pick replaced.
fn simpler_picks(harness: &Harness, trace: &SpecTrace, index: usize) -> Vec<Vec<Step>> {
    let Some(step) = trace.steps.get(index) else { return Vec::new() };
    let Some((from, def)) = origin(harness, trace, index) else { return Vec::new() };
    let mut chooser = NotingPicks { inner: ScriptedChooser::replaying(step), made: Vec::new() };
    if !matches!(harness.spec.run_def(&from, def, &mut chooser, None), Ok(Some(_))) {
        return Vec::new();
    }
    let mut out = Vec::new();
    for made in &chooser.made {
        let Some(current) = value_at(&made.set, made.index) else { continue };
        let mut values: Vec<Value> = Vec::new();
        if matches!(current, Value::Int(_)) && made.set.contains(&Value::int(0)) {
            values.push(Value::int(0));
        }
        for i in [0, made.index / 2, made.index.saturating_sub(1)] {
            if i < made.index {
                values.extend(value_at(&made.set, i));
            }
        }
        let mut tried: Vec<Value> = vec![current.clone()];
        for v in values {
            if tried.contains(&v) {
                continue;
            }
            tried.push(v.clone());
            let first = replace_pick(step, &made.name, made.occurrence, v.clone());
            let later = &trace.steps[index + 1..];
            let renamed: Vec<Step> = std::iter::once(rename(&first, &current, &v)).chain(later.iter().map(|s| rename(s, &current, &v))).collect();
            let alone: Vec<Step> = std::iter::once(first).chain(later.iter().cloned()).collect();
            if !same_picks(&renamed, &alone) {
                out.push(renamed);
            }
            out.push(alone);
        }
    }
    out
}

fn value_at(set: &SetValue, index: u64) -> Option<Value> {
    set.nth(index).ok()
}

/// `step` with its `occurrence`-th pick of `name` set to `value`.
fn replace_pick(step: &Step, name: &str, occurrence: usize, value: Value) -> Step {
    let mut out = step.clone();
    if let Some(slot) = out.picks.iter_mut().filter(|(n, _)| &**n == name).nth(occurrence) {
        slot.1 = value;
    }
    out
}

/// `step` with every pick of `old` set to `new`.
fn rename(step: &Step, old: &Value, new: &Value) -> Step {
    let mut out = step.clone();
    for (_, v) in out.picks.iter_mut() {
        if v == old {
            *v = new.clone();
        }
    }
    out
}

fn same_picks(a: &[Step], b: &[Step]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.picks == y.picks)
}

/// `trace` with the steps from `index` on replaced by `steps`, run by their choices from the
/// state before step `index`; `None` when the spec does not allow them.
fn with_steps(harness: &Harness, trace: &SpecTrace, index: usize, steps: &[Step]) -> Option<SpecTrace> {
    let (from, def) = origin(harness, trace, index)?;
    let (first, rest) = steps.split_first()?;
    let mut out = SpecTrace { states: trace.states[..index].to_vec(), steps: trace.steps[..index].to_vec() };
    let (state, taken) = replay_step(harness, &from, def, first)?;
    out.states.push(state);
    out.steps.push(taken);
    for later in rest {
        let from = out.states.last()?.clone();
        let (state, taken) = replay_step(harness, &from, harness.resolved.step, later)?;
        out.states.push(state);
        out.steps.push(taken);
    }
    Some(out)
}

/// Runs `def` from `from` with the choices of `step`.
fn replay_step(harness: &Harness, from: &State, def: spec_analysis::ir::DefId, step: &Step) -> Option<(State, Step)> {
    let mut chooser = ScriptedChooser::replaying(step);
    match harness.spec.run_def(from, def, &mut chooser, None) {
        Ok(Some(next)) => Some(next),
        _ => None,
    }
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
