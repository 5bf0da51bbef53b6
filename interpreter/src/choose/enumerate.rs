//! The enumerating chooser: every combination of choices of one evaluation, depth first. It
//! never retries; instead the action is run again and again, each run replaying a recorded
//! prefix of choices and taking the first alternative at new choices, until every path of
//! the choice tree has been run. `Spec::successors` is built on it (an exhaustive model
//! checker asks it for the successors of each state).

use super::{Choice, ChoiceError, Chooser, Tries};
use crate::eval::{Ctx, EvalError};
use crate::{Spec, State, Step};
use num_bigint::BigInt;
use spec_analysis::ir::DefId;

/// See the module documentation.
#[derive(Debug, Default)]
pub struct EnumeratingChooser {
    /// (chosen alternative, number of alternatives) of each choice on the current path.
    path: Vec<(u64, u64)>,
    /// Choices made so far in the current run.
    depth: usize,
    /// Choices with more alternatives than this are refused (`TooLarge`), not enumerated.
    limit: Option<u64>,
}

impl EnumeratingChooser {
    pub fn new() -> EnumeratingChooser {
        EnumeratingChooser::default()
    }

    /// An enumerator that refuses choices with more than `limit` alternatives.
    pub fn with_limit(limit: u64) -> EnumeratingChooser {
        EnumeratingChooser { limit: Some(limit), ..EnumeratingChooser::default() }
    }

    /// Moves to the next path after a run; `false` when every path has been run.
    pub fn next_path(&mut self) -> bool {
        self.path.truncate(self.depth);
        self.depth = 0;
        while let Some((chosen, size)) = self.path.last_mut() {
            if *chosen + 1 < *size {
                *chosen += 1;
                return true;
            }
            self.path.pop();
        }
        false
    }

    /// The alternatives taken on the current path, in the order they were chosen.
    pub fn path(&self) -> impl Iterator<Item = u64> + '_ {
        self.path.iter().map(|(c, _)| *c)
    }
}

impl Chooser for EnumeratingChooser {
    fn choose(&mut self, choice: &Choice) -> Result<Tries, ChoiceError> {
        if self.limit.is_some_and(|limit| choice.size > limit) {
            return Err(ChoiceError::TooLarge(Some(choice.size.into())));
        }
        let chosen = match self.path.get(self.depth) {
            Some(&(chosen, size)) if size == choice.size => chosen,
            Some(&(_, size)) => return Err(ChoiceError::Diverged { expected: size, found: choice.size }),
            None => {
                self.path.push((0, choice.size));
                0
            }
        };
        self.depth += 1;
        Ok(Tries::once(chosen))
    }

    fn retry(&mut self, _choice: &Choice, _tries: &mut Tries) -> bool {
        false
    }

    fn choose_big(&mut self, _choice: &Choice, size: &BigInt) -> Result<BigInt, ChoiceError> {
        Err(ChoiceError::TooLarge(Some(size.clone())))
    }
}

impl Spec {
    /// Every way the action `def` can run from `state`: the next state and what led there
    /// (the picks by name, the actions taken), once per enabled combination of choices (two
    /// combinations may lead to the same state). Empty when the action is disabled.
    pub fn successors(&self, state: &State, def: DefId) -> Result<Vec<(State, Step)>, Box<EvalError>> {
        self.successors_interruptible(state, def, None)
    }

    /// Like `successors`, stopping with an `Interrupted` error when `interrupt` is set.
    pub fn successors_interruptible(&self, state: &State, def: DefId, interrupt: Option<&std::sync::atomic::AtomicBool>) -> Result<Vec<(State, Step)>, Box<EvalError>> {
        self.successors_with(state, def, interrupt, EnumeratingChooser::new())
    }

    /// `successors` with a given enumerator (one with a limit, say).
    pub fn successors_with(&self, state: &State, def: DefId, interrupt: Option<&std::sync::atomic::AtomicBool>, mut chooser: EnumeratingChooser) -> Result<Vec<(State, Step)>, Box<EvalError>> {
        let mut out = Vec::new();
        // One path after another; the registers are allocated once and handed from one run's
        // context to the next (every register is written before it is read in a run).
        let mut regs: Vec<crate::Value> = Vec::new();
        loop {
            let mut ctx = Ctx::with_registers(&self.compiled, state.clone(), &mut chooser, std::mem::take(&mut regs));
            ctx.interrupt = interrupt;
            if let Some(step) = self.step_in(&mut ctx, def)? {
                out.push((ctx.state.clone(), step));
            }
            regs = std::mem::take(&mut ctx.regs);
            drop(ctx);
            if !chooser.next_path() {
                return Ok(out);
            }
        }
    }
}
