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

/// The states a run went through (for ITF output), replayed from its seed.
pub fn record(spec: &Spec, def: DefId, seed: u64) -> Vec<crate::State> {
    let mut chooser = RandomChooser::new(seed);
    let mut ctx = crate::Ctx::new(&spec.compiled, spec.state0(), &mut chooser);
    ctx.recorded = Some(Vec::new());
    let _ = spec.eval_in(&mut ctx, def);
    ctx.recorded.take().unwrap_or_default()
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
