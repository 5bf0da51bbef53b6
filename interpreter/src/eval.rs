//! The evaluation context that compiled code runs in: registers for local names, the
//! current and next state, the chooser that resolves nondeterminism, and the call stack
//! that runtime errors report ("in def transfer at bank.qnt:40:5, called from step ...").

use crate::compile::Compiled;
use crate::set::{SetError, SetValue};
use crate::value::Value;
use spec_analysis::ir::{DefId, VarId};
use spec_syntax::Span;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// A runtime error: what went wrong, where, and the chain of definitions that led there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvalError {
    pub message: String,
    pub span: Span,
    /// Innermost first: (definition name, the place it was called from).
    pub stack: Vec<(String, Span)>,
    pub kind: ErrorKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// A mistake in the spec found while running it (division by zero, missing key, ...).
    Runtime,
    /// `expect` found its condition false (a test failure, not a crash).
    Expectation,
    /// Evaluation was interrupted (Ctrl-C).
    Interrupted,
}

pub type EvalResult = Result<Value, Box<EvalError>>;

pub fn error(span: Span, message: impl Into<String>) -> Box<EvalError> {
    Box::new(EvalError { message: message.into(), span, stack: Vec::new(), kind: ErrorKind::Runtime })
}

/// Resolves nondeterminism: which element `oneOf` picks, in which order `any` tries its
/// branches. The seeded random chooser drives simulation; an enumerating chooser (every
/// pick in turn, for exhaustive checking) implements the same trait.
pub trait Chooser {
    /// An element of a non-empty set; `Ok(None)` for an empty set (the action is disabled).
    fn pick(&mut self, set: &SetValue) -> Result<Option<Value>, SetError>;
    /// The order in which to try `n` branches of `any`.
    fn order(&mut self, n: usize) -> Vec<usize>;
    /// A random number below `n`, for `apalache::generate`.
    fn below(&mut self, n: u64) -> u64;
}

/// The seeded random chooser: the same seed gives the same choices.
pub struct RandomChooser {
    rng: rand_chacha::ChaCha8Rng,
}

impl RandomChooser {
    pub fn new(seed: u64) -> RandomChooser {
        use rand::SeedableRng;
        RandomChooser { rng: rand_chacha::ChaCha8Rng::seed_from_u64(seed) }
    }
}

impl Chooser for RandomChooser {
    fn pick(&mut self, set: &SetValue) -> Result<Option<Value>, SetError> {
        set.pick(&mut self.rng)
    }

    fn order(&mut self, n: usize) -> Vec<usize> {
        use rand::seq::SliceRandom;
        let mut order: Vec<usize> = (0..n).collect();
        order.shuffle(&mut self.rng);
        order
    }

    fn below(&mut self, n: u64) -> u64 {
        use rand::RngExt;
        if n == 0 {
            0
        } else {
            self.rng.random_range(0..n)
        }
    }
}

/// A chooser that makes given picks, in order (for replaying a trace or driving a test):
/// `oneOf` returns the next given value, which must be in the set; `any` tries branches in
/// their written order. When the picks run out, it falls back to the least element.
pub struct ScriptedChooser {
    picks: std::collections::VecDeque<Value>,
}

impl ScriptedChooser {
    pub fn new(picks: impl IntoIterator<Item = Value>) -> ScriptedChooser {
        ScriptedChooser { picks: picks.into_iter().collect() }
    }
}

impl Chooser for ScriptedChooser {
    fn pick(&mut self, set: &SetValue) -> Result<Option<Value>, SetError> {
        if set.is_empty() {
            return Ok(None);
        }
        match self.picks.pop_front() {
            // A pick outside the set means this branch cannot happen with the given picks.
            Some(v) => Ok(set.contains(&v).then_some(v)),
            None => set.least(),
        }
    }

    fn order(&mut self, n: usize) -> Vec<usize> {
        (0..n).collect()
    }

    fn below(&mut self, _n: u64) -> u64 {
        0
    }
}

/// Everything compiled code reads and writes while it runs.
pub struct Ctx<'a> {
    pub compiled: &'a Compiled,
    pub regs: Vec<Value>,
    pub state: Arc<Vec<Value>>,
    pub next: Vec<Option<Value>>,
    pub chooser: &'a mut dyn Chooser,
    pub stack: Vec<(DefId, Span)>,
    /// Names of the actions that fired under `any`, innermost first (for coverage and MBT).
    pub actions_taken: Vec<Arc<str>>,
    /// Nondeterministic picks of the current step, by name (for MBT traces).
    pub picks: Vec<(Arc<str>, Value)>,
    pub interrupt: Option<&'a AtomicBool>,
    /// Lines printed by `q::debug`, when captured (the REPL); printed to stderr otherwise.
    pub debug_output: Option<Vec<String>>,
    /// When recording (tests with `--out-itf`): every state committed, in order.
    pub recorded: Option<Vec<Arc<Vec<Value>>>>,
}

impl<'a> Ctx<'a> {
    pub fn new(compiled: &'a Compiled, state: Arc<Vec<Value>>, chooser: &'a mut dyn Chooser) -> Ctx<'a> {
        Ctx {
            compiled,
            regs: vec![Value::Bool(false); compiled.register_count],
            next: vec![None; compiled.program.vars.len()],
            state,
            chooser,
            stack: Vec::new(),
            actions_taken: Vec::new(),
            picks: Vec::new(),
            interrupt: None,
            debug_output: None,
            recorded: None,
        }
    }

    pub fn check_interrupt(&self, span: Span) -> Result<(), Box<EvalError>> {
        match self.interrupt {
            Some(flag) if flag.load(Ordering::Relaxed) => {
                Err(Box::new(EvalError { message: "interrupted".into(), span, stack: Vec::new(), kind: ErrorKind::Interrupted }))
            }
            _ => Ok(()),
        }
    }

    /// Forgets what the previous evaluation left behind (assignments, picks, calls).
    pub fn reset(&mut self) {
        self.next.iter_mut().for_each(|v| *v = None);
        self.actions_taken.clear();
        self.picks.clear();
        self.stack.clear();
    }

    /// Makes the assigned next state current. Every variable must have been assigned.
    pub fn commit(&mut self, span: Span) -> Result<(), Box<EvalError>> {
        let mut values = Vec::with_capacity(self.next.len());
        for (i, v) in self.next.iter_mut().enumerate() {
            match v.take() {
                Some(v) => values.push(v),
                None if !self.compiled.active_vars[i] => values.push(Value::unit()),
                None => {
                    let name = self.compiled.program.vars[i].name.clone();
                    return Err(error(span, format!("the action did not assign the state variable `{name}`")));
                }
            }
        }
        self.state = Arc::new(values);
        if let Some(states) = &mut self.recorded {
            states.push(self.state.clone());
        }
        Ok(())
    }

    pub fn var(&self, var: VarId, span: Span) -> EvalResult {
        match self.state.get(var as usize) {
            Some(v) => Ok(v.clone()),
            None => Err(error(span, format!("the state variable `{}` has no value yet (run `init` first)", self.compiled.program.vars[var as usize].name))),
        }
    }

    /// Adds the current call stack to an error on its way out.
    pub fn annotate(&self, mut e: Box<EvalError>) -> Box<EvalError> {
        if e.stack.is_empty() {
            e.stack = self.stack.iter().rev().map(|(d, span)| (self.compiled.program.defs[*d as usize].name.clone(), *span)).collect();
        }
        e
    }

    pub fn debug(&mut self, line: String) {
        match &mut self.debug_output {
            Some(lines) => lines.push(line),
            None => eprintln!("{line}"),
        }
    }
}
