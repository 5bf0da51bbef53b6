//! `run` tests: each matching `run` definition is evaluated from the empty state, up to
//! `max_samples` times with fresh nondeterminism (once, if it made no choice). A run that
//! ends disabled, fails an `expect`, or raises an error has failed.

use crate::choose::{Choice, ChoiceError, Chooser, RandomChooser, Tries};
use crate::eval::{ErrorKind, EvalError};
use crate::simulate::sample_seed;
use crate::{Spec, Value};
use spec_analysis::ir::DefId;
use spec_syntax::ast::Qualifier;

#[derive(Debug)]
pub enum TestOutcome {
    /// Passed every sample; `seed` is the last sample's (to replay it).
    Passed { samples: u64, seed: u64 },
    /// The run was disabled (an action in it could not happen).
    Disabled { seed: u64 },
    /// An `expect` was false, or another runtime error.
    Failed { seed: u64, error: Box<EvalError> },
}

/// Why a recorded run stopped before its end.
#[derive(Debug)]
pub enum RecordError {
    /// One of the run's actions could not happen.
    Disabled,
    /// The run failed (an `expect`, or another runtime error).
    Failed(Box<EvalError>),
}

/// A run as it went: the states and the step to each (the action taken and the picks, as
/// Quint records them for `mbt::actionTaken` and `mbt::nondetPicks`), up to its end or to
/// where it stopped.
pub struct Recorded {
    pub states: Vec<crate::State>,
    pub steps: Vec<crate::Step>,
    pub ended: Result<(), RecordError>,
}

/// Runs `def` with `chooser`, recording every state it commits.
pub fn record(spec: &Spec, def: DefId, chooser: &mut dyn Chooser) -> Recorded {
    let mut ctx = crate::Ctx::new(&spec.compiled, spec.state0(), chooser);
    ctx.recorded = Some(Vec::new());
    let mut ended = match spec.eval_in(&mut ctx, def) {
        Ok(Value::Bool(true)) => Ok(()),
        Ok(_) => Err(RecordError::Disabled),
        Err(e) => Err(RecordError::Failed(e)),
    };
    // The run's last action assigned the next state without committing it (unless it ended
    // in `expect`, which leaves the state as it was).
    let active = |i: &usize| spec.compiled.active_vars.get(*i).copied().unwrap_or(false);
    let assigned = (0..ctx.next.len()).filter(active).all(|i| ctx.next[i].is_some());
    let changed = (0..ctx.next.len()).filter(active).any(|i| ctx.next[i].as_ref() != ctx.state.get(i));
    if ended.is_ok() && assigned && changed {
        let span = spec.analysis.program.defs[def as usize].name_span;
        if let Err(e) = ctx.commit(span) {
            ended = Err(RecordError::Failed(e));
        }
    }
    let (states, steps) = ctx.recorded.take().unwrap_or_default().into_iter().unzip();
    Recorded { states, steps, ended }
}

/// The `run` definitions of the main module whose names match.
pub fn tests(spec: &Spec, matches: &dyn Fn(&str) -> bool) -> Vec<(String, DefId)> {
    let program = &spec.analysis.program;
    program.modules[spec.main as usize]
        .scope
        .iter()
        .filter_map(|(name, e)| match e {
            spec_analysis::ir::Entity::Def(d) if program.defs[*d as usize].qualifier == Qualifier::Run && matches(name) => Some((name.clone(), *d)),
            _ => None,
        })
        .collect()
}

/// A random chooser that notes whether a real choice was asked of it (one with more than one
/// alternative): a run that made none needs to be evaluated only once.
pub struct Asking {
    pub inner: RandomChooser,
    pub asked: bool,
}

impl Asking {
    pub fn new(seed: u64) -> Asking {
        Asking { inner: RandomChooser::new(seed), asked: false }
    }
}

impl Chooser for Asking {
    fn choose(&mut self, choice: &Choice) -> Result<Tries, ChoiceError> {
        self.asked |= choice.size > 1;
        self.inner.choose(choice)
    }
    fn retry(&mut self, choice: &Choice, tries: &mut Tries) -> bool {
        self.inner.retry(choice, tries)
    }
    fn choose_big(&mut self, choice: &Choice, size: &num_bigint::BigInt) -> Result<num_bigint::BigInt, ChoiceError> {
        self.asked = true;
        self.inner.choose_big(choice, size)
    }
}

/// Runs one test.
pub fn run_test(spec: &Spec, def: DefId, max_samples: u64, seed: u64) -> TestOutcome {
    for i in 0..max_samples.max(1) {
        let sample = sample_seed(seed, i);
        let mut chooser = Asking::new(sample);
        match spec.eval_def(&spec.state0(), def, &mut chooser) {
            Ok(Value::Bool(true)) => {}
            Ok(_) => return TestOutcome::Disabled { seed: sample },
            Err(error) => return TestOutcome::Failed { seed: sample, error },
        }
        if !chooser.asked {
            return TestOutcome::Passed { samples: i + 1, seed: sample };
        }
    }
    TestOutcome::Passed { samples: max_samples.max(1), seed: sample_seed(seed, max_samples.max(1) - 1) }
}

pub fn is_expectation(e: &EvalError) -> bool {
    e.kind == ErrorKind::Expectation
}
