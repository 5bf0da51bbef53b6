//! A spec's `run` test as the source of traces (`#[quint_test]`, as in quint-connect): the
//! run is evaluated with the random chooser, its committed states recorded (a run that made
//! no random choice is evaluated once; otherwise up to `max_samples` times, with the seeds
//! `spec test` uses), and each state is explained as a step of the spec, so that the driver
//! sees an action name and picks as in any other trace: the first state by the `init`
//! action, each later one by a way to take the `step` action (enumerated) that reaches
//! exactly that state (when several do, the first one enumerated, which has the earliest
//! picks: a run's `transferOf("alice", "alice", 2)` that changes nothing is given as the
//! transfer of 1). A run that does something `step` cannot do (a test-only action) is
//! reported with the state that no step explains. A run's last step that leaves the state
//! as it was (an `expect`, a final check) is not given to the driver.

use crate::coverage::Recorder;
use crate::runner::SpecTrace;
use crate::strategy::{enumerate_within, Planned, Traced};
use spec_analysis::ir::DefId;
use spec_interpreter::simulate::sample_seed;
use spec_interpreter::test_runner::{self, Asking, RecordError};
use spec_interpreter::{RandomChooser, Spec, State};
use std::fmt;

/// Bounds of the enumeration that explains a state: larger than the generators' (one step
/// is explained at a time, and a test's steps are few).
const EXPLAIN_CHOICE_LIMIT: u64 = 4096;
const EXPLAIN_MAX_PATHS: usize = 200_000;

/// Why a run test gave no traces.
#[derive(Debug)]
pub enum SpecTestError {
    /// The main module has no `run` of this name.
    NoSuchTest { name: String },
    /// The run failed in the spec itself (disabled, a false `expect`, a runtime error).
    Failed { name: String, seed: u64, message: String },
    /// State `state` of the run (1: after the first action) is not reached by any way of
    /// taking `init` (for the first) or `step` from the state before it.
    Unexplained { name: String, seed: u64, state: usize, action: String },
}

impl fmt::Display for SpecTestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SpecTestError::NoSuchTest { name } => write!(f, "the spec has no `run {name}`"),
            SpecTestError::Failed { name, seed, message } => write!(f, "the spec's test `{name}` failed by itself (seed {seed}):\n{message}"),
            SpecTestError::Unexplained { name, seed, state, action } => write!(
                f,
                "state {state} of the spec's test `{name}` (seed {seed}) is not reached by any way of taking `{action}` from the state before it: a driver can only be given steps of `{action}`"
            ),
        }
    }
}


/// The traces of the `run` named `name`: each with the branches of its steps and the seed
/// of its sample.
pub fn traces(spec: &Spec, init: DefId, step: DefId, name: &str, max_samples: u64, seed: u64) -> Result<Vec<Planned>, SpecTestError> {
    let def = spec.lookup(name).filter(|d| spec.analysis.program.defs[*d as usize].qualifier == spec_syntax::ast::Qualifier::Run).ok_or_else(|| SpecTestError::NoSuchTest { name: name.to_string() })?;
    let mut out: Vec<Planned> = Vec::new();
    for i in 0..max_samples.max(1) {
        let sample = sample_seed(seed, i);
        let (states, asked) = record(spec, def, sample).map_err(|message| SpecTestError::Failed { name: name.to_string(), seed: sample, message })?;
        let explained = explain(spec, init, step, &states).map_err(|(state, action)| SpecTestError::Unexplained { name: name.to_string(), seed: sample, state, action })?;
        if !out.iter().any(|(t, _, _)| t.states == explained.0.states) {
            out.push((explained.0, explained.1, sample));
        }
        if !asked {
            break;
        }
    }
    Ok(out)
}

/// The states a run commits, and whether it made a random choice; the error is rendered.
fn record(spec: &Spec, def: DefId, seed: u64) -> Result<(Vec<State>, bool), String> {
    let mut chooser = Asking::new(seed);
    let recorded = test_runner::record(spec, def, &mut chooser);
    match recorded.ended {
        Ok(()) => Ok((recorded.states, chooser.asked)),
        Err(RecordError::Disabled) => Err("the run is disabled: one of its actions could not happen".into()),
        Err(RecordError::Failed(e)) => Err(spec.render_error(&e)),
    }
}

/// Each state as a step of `init` (the first) or `step`: the trace, or the first state no
/// step reaches (its position from 1, and the action tried).
fn explain(spec: &Spec, init: DefId, step: DefId, states: &[State]) -> Result<Traced, (usize, String)> {
    let mut trace = SpecTrace { states: Vec::new(), steps: Vec::new() };
    let mut branches = Vec::new();
    let mut from = spec.state0();
    for (i, target) in states.iter().enumerate() {
        let def = if i == 0 { init } else { step };
        let action = spec.analysis.program.defs[def as usize].name.clone();
        let found = match enumerate_within(spec, &from, def, EXPLAIN_CHOICE_LIMIT, EXPLAIN_MAX_PATHS) {
            Ok(Some(candidates)) => candidates.into_iter().find(|c| c.state == *target),
            _ => random_match(spec, &from, def, target),
        };
        let Some(c) = found else {
            // A step of the run that changes nothing (`all { assert(...), x' = x }`) is in
            // its trace, as in Quint's, but is not a step a driver takes.
            if i > 0 && *target == from {
                continue;
            }
            return Err((i + 1, action));
        };
        trace.states.push(c.state.clone());
        trace.steps.push(c.step);
        branches.push(c.branches);
        from = c.state;
    }
    Ok((trace, branches))
}

/// When a step cannot be enumerated: random tries that reach `target`, if one does.
fn random_match(spec: &Spec, from: &State, def: DefId, target: &State) -> Option<crate::strategy::Candidate> {
    for seed in 0..256 {
        let mut chooser = Recorder::new(RandomChooser::new(seed));
        let result = spec.run_def(from, def, &mut chooser, None);
        let branches = chooser.take_branches();
        if let Ok(Some((state, step))) = result {
            if state == *target {
                return Some(crate::strategy::Candidate { state, step, branches });
            }
        }
    }
    None
}
