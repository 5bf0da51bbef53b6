//! Counterexamples rebuilt from fingerprints: the search keeps only a parent link per state,
//! so a trace is found again by running the spec from the initial states and following, at
//! each step, the first successor (in the engine's order, the one the search met first) whose
//! fingerprint is the next on the path. The steps carry the action and picks that led there,
//! exactly as a simulated trace does.

use crate::search::{state_fingerprint, Model};
use spec_interpreter::{EvalError, Spec, State, Step};

/// Why a path could not be followed again.
#[derive(Debug)]
pub enum RebuildError {
    /// Running the spec again failed.
    Eval(Box<EvalError>),
    /// No successor has the next fingerprint (the spec is not deterministic in what it
    /// computes, or the path does not come from this model).
    Lost { step: usize },
}

/// The states and steps along `path` (fingerprints from an initial state on). The first
/// entry is the initial state with the `init` step.
pub fn rebuild(spec: &Spec, model: &Model, path: &[u64]) -> Result<Vec<(State, Step)>, RebuildError> {
    let mut trace: Vec<(State, Step)> = Vec::with_capacity(path.len());
    let mut from = spec.state0();
    for (i, want) in path.iter().enumerate() {
        let action = if i == 0 { model.init } else { model.step };
        let successors = spec.successors(&from, action).map_err(RebuildError::Eval)?;
        let mut found = None;
        for (state, step) in successors {
            if state_fingerprint(spec, model, &state).map_err(RebuildError::Eval)? == *want {
                found = Some((state, step));
                break;
            }
        }
        let (state, step) = found.ok_or(RebuildError::Lost { step: i })?;
        from = state.clone();
        trace.push((state, step));
    }
    Ok(trace)
}
