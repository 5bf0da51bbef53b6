//! The evaluation context that compiled code runs in: registers for local names, the
//! current and next state, the chooser that resolves nondeterminism (see `choose`), and the call stack
//! that runtime errors report ("in def transfer at bank.qnt:40:5, called from step ...").

pub use crate::choose::{Chooser, RandomChooser, ScriptedChooser};
use crate::compile::Compiled;
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
    /// A chooser could not make a choice: a replayed trace gives no pick or an impossible
    /// one, or an enumeration met an infinite set.
    Choice,
}

pub type EvalResult = Result<Value, Box<EvalError>>;

pub fn error(span: Span, message: impl Into<String>) -> Box<EvalError> {
    Box::new(EvalError { message: message.into(), span, stack: Vec::new(), kind: ErrorKind::Runtime })
}

#[cold]
fn interrupted(span: Span) -> Box<EvalError> {
    Box::new(EvalError { message: "interrupted".into(), span, stack: Vec::new(), kind: ErrorKind::Interrupted })
}

/// See `Ctx::state_value`.
#[derive(Default)]
struct StateValues {
    state: Option<Arc<Vec<Value>>>,
    values: Vec<Option<Value>>,
    filled: Vec<DefId>,
}

/// The buffers of a context, kept between contexts (see [`Ctx::with_scratch`]).
#[derive(Default)]
pub struct Scratch {
    regs: Vec<Value>,
    args: Vec<Value>,
    active: Vec<u32>,
    state_values: StateValues,
    next: Vec<Option<Value>>,
    actions_taken: Vec<Arc<str>>,
    picks: Vec<(Arc<str>, Value)>,
}

impl std::fmt::Debug for Scratch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scratch").field("regs", &self.regs.len()).finish_non_exhaustive()
    }
}

/// The value a state variable takes when a step does not assign it: the unit value,
/// shared with the previous state's when that is one (no allocation, and a checker sees
/// the variable unchanged). Only variables outside the main module are left unassigned by
/// a complete step (an instance's original module's); an active one is an error when read.
pub fn unassigned_value(previous: &[Value], var: usize) -> Value {
    match previous.get(var) {
        Some(unit @ Value::Tuple(items)) if items.is_empty() => unit.clone(),
        _ => Value::unit(),
    }
}

/// Everything compiled code reads and writes while it runs.
pub struct Ctx<'a> {
    pub compiled: &'a Compiled,
    pub regs: Vec<Value>,
    /// Arguments of calls being made (pushed by the caller, taken by the callee).
    pub args: Vec<Value>,
    /// How many times each definition (by id), then each anonymous operator, is running:
    /// a call into one already running must keep the outer call's registers.
    pub active: Vec<u32>,
    /// Values of definitions that depend on the state alone, for the state they were computed
    /// in (see `Ctx::state_value`).
    state_values: StateValues,
    pub state: Arc<Vec<Value>>,
    pub next: Vec<Option<Value>>,
    pub chooser: &'a mut dyn Chooser,
    /// How many calls of definitions are running (the evaluation stops past a limit). The
    /// chain of calls an error reports is not kept while evaluating: each call adds itself
    /// to an error on its way out ([`Ctx::annotate`]).
    pub depth: usize,
    /// Names of the actions that fired under `any`, innermost first (for coverage and MBT).
    pub actions_taken: Vec<Arc<str>>,
    /// Nondeterministic picks of the current step, by name (for MBT traces).
    pub picks: Vec<(Arc<str>, Value)>,
    /// Whether `nondet` notes its picks in `picks` (the default). A caller that never reads
    /// them (an exhaustive search keeps only the next states) turns it off and saves a
    /// clone of each pick and of its name.
    pub record_picks: bool,
    pub interrupt: Option<&'a AtomicBool>,
    /// Lines printed by `q::debug`, when captured (the REPL); printed to stderr otherwise.
    pub debug_output: Option<Vec<String>>,
    /// When recording (tests with `--out-itf`): every state committed, in order, with the
    /// step that led to it (the actions noted and the picks made since the state before).
    pub recorded: Option<Vec<(Arc<Vec<Value>>, crate::Step)>>,
    /// Variables the last committed step did not assign. Runs may chain actions that assign
    /// only some variables (`a.then(b)` in a `run`), as in Quint: such a variable has no value
    /// afterwards, and reading it is an error. `init` and `step` are checked statically to
    /// assign every variable.
    pub unassigned: Vec<bool>,
    /// When kept (simulation): the states that `then` and `reps` commit inside an action
    /// before its last one. Quint's traces show them, and count them in a trace's length.
    pub intermediate: Option<Vec<crate::State>>,
    /// Stack addresses known to leave enough room to run code without asking `stacker`
    /// (see `compile::Sub::run`); empty until the first run.
    pub(crate) stack_room: StackRoom,
}

/// A range of addresses of the current stack segment (`low` above its limit by more than
/// the room a nested run needs; `high` an address seen in the segment) inside which
/// compiled code runs directly: a stack pointer between them is in that segment, with room.
#[derive(Clone, Copy, Debug)]
pub(crate) struct StackRoom {
    pub(crate) low: usize,
    pub(crate) high: usize,
}

impl StackRoom {
    pub(crate) const EMPTY: StackRoom = StackRoom { low: usize::MAX, high: 0 };
}

impl<'a> Ctx<'a> {
    pub fn new(compiled: &'a Compiled, state: Arc<Vec<Value>>, chooser: &'a mut dyn Chooser) -> Ctx<'a> {
        Ctx::with_registers(compiled, state, chooser, Vec::new())
    }

    /// A context that reuses `regs`, the registers of an earlier context of the same program
    /// (an empty vector allocates them): runs one after another (a checker enumerating choice
    /// paths) then allocate once. Every register is written before it is read in a run.
    pub fn with_registers(compiled: &'a Compiled, state: Arc<Vec<Value>>, chooser: &'a mut dyn Chooser, regs: Vec<Value>) -> Ctx<'a> {
        Ctx::with_scratch(compiled, state, chooser, Scratch { regs, ..Scratch::default() })
    }

    /// A context built from the buffers an earlier context of the same program left
    /// ([`Ctx::into_scratch`]): a caller that runs many evaluations one after another (a
    /// checker enumerating the choices of an action, state after state) allocates them once.
    /// Values kept for a state ([`Ctx::state_value`]) stay valid while the state is the same.
    pub fn with_scratch(compiled: &'a Compiled, state: Arc<Vec<Value>>, chooser: &'a mut dyn Chooser, scratch: Scratch) -> Ctx<'a> {
        let Scratch { mut regs, mut args, mut active, state_values, mut next, mut actions_taken, mut picks } = scratch;
        if regs.len() != compiled.register_count {
            // Written in place (`vec![v; n]` clones `v` through the value's `Clone`, n times).
            regs.clear();
            regs.resize_with(compiled.register_count, || Value::Bool(false));
        }
        let counters = compiled.defs.len() + compiled.lambda_count;
        if active.len() == counters {
            // An evaluation that failed part-way may leave calls counted.
            active.iter_mut().for_each(|n| *n = 0);
        } else {
            active = vec![0; counters];
        }
        let vars = compiled.program.vars.len();
        if next.len() == vars {
            next.iter_mut().for_each(|v| *v = None);
        } else {
            next = vec![None; vars];
        }
        args.clear();
        actions_taken.clear();
        picks.clear();
        Ctx {
            compiled,
            regs,
            args,
            active,
            state_values,
            next,
            state,
            chooser,
            depth: 0,
            actions_taken,
            picks,
            record_picks: true,
            interrupt: None,
            debug_output: None,
            recorded: None,
            unassigned: Vec::new(),
            intermediate: None,
            stack_room: StackRoom::EMPTY,
        }
    }

    /// The context's buffers, for [`Ctx::with_scratch`].
    pub fn into_scratch(self) -> Scratch {
        Scratch {
            regs: self.regs,
            args: self.args,
            active: self.active,
            state_values: self.state_values,
            next: self.next,
            actions_taken: self.actions_taken,
            picks: self.picks,
        }
    }

    /// The value of definition `d` kept for the current state, if any.
    pub fn state_value(&self, d: DefId) -> Option<Value> {
        let kept = &self.state_values;
        match &kept.state {
            Some(s) if Arc::ptr_eq(s, &self.state) => kept.values.get(d as usize).cloned().flatten(),
            _ => None,
        }
    }

    /// Keeps the value of definition `d` in the current state. The state is held, so its
    /// address cannot be reused by another state while the values are kept.
    pub fn keep_state_value(&mut self, d: DefId, v: Value) {
        let kept = &mut self.state_values;
        if !kept.state.as_ref().is_some_and(|s| Arc::ptr_eq(s, &self.state)) {
            for old in kept.filled.drain(..) {
                kept.values[old as usize] = None;
            }
            kept.state = Some(self.state.clone());
        }
        if kept.values.len() <= d as usize {
            kept.values.resize(d as usize + 1, None);
        }
        if kept.values[d as usize].replace(v).is_none() {
            kept.filled.push(d);
        }
    }

    #[inline]
    pub fn check_interrupt(&self, span: Span) -> Result<(), Box<EvalError>> {
        match self.interrupt {
            Some(flag) if flag.load(Ordering::Relaxed) => Err(interrupted(span)),
            _ => Ok(()),
        }
    }

    /// Forgets what the previous evaluation left behind (assignments, picks, calls).
    pub fn reset(&mut self) {
        self.next.iter_mut().for_each(|v| *v = None);
        self.actions_taken.clear();
        self.picks.clear();
        self.depth = 0;
        self.args.clear();
    }

    /// Makes the assigned next state current. Every variable must have been assigned.
    pub fn commit(&mut self, span: Span) -> Result<(), Box<EvalError>> {
        let _ = span;
        let mut values = Vec::with_capacity(self.next.len());
        self.unassigned.clear();
        let count = self.next.len();
        for (i, v) in self.next.iter_mut().enumerate() {
            match v.take() {
                Some(v) => values.push(v),
                None => {
                    if self.compiled.active_vars[i] {
                        self.unassigned.resize(count, false);
                        self.unassigned[i] = true;
                    }
                    values.push(unassigned_value(&self.state, i))
                }
            }
        }
        let previous = std::mem::replace(&mut self.state, Arc::new(values));
        if let Some(states) = &mut self.recorded {
            // `a.expect(p)` keeps the state it checked: going on from it is not a new step.
            let kept = self.actions_taken.is_empty() && self.picks.is_empty() && states.last().is_some_and(|(last, _)| last == &self.state) && previous == self.state;
            let step = crate::Step { actions: std::mem::take(&mut self.actions_taken), picks: std::mem::take(&mut self.picks) };
            if !kept {
                states.push((self.state.clone(), step));
            }
        }
        Ok(())
    }

    pub fn var(&self, var: VarId, span: Span) -> EvalResult {
        self.var_ref(var, span).cloned()
    }

    /// The value of a state variable, borrowed (see [`Ctx::var`]).
    pub fn var_ref(&self, var: VarId, span: Span) -> Result<&Value, Box<EvalError>> {
        if self.unassigned.get(var as usize).copied().unwrap_or(false) {
            let name = &self.compiled.program.vars[var as usize].name;
            return Err(error(span, format!("the state variable `{name}` has no value: the previous action did not assign it")));
        }
        match self.state.get(var as usize) {
            Some(v) => Ok(v),
            None => Err(error(span, format!("the state variable `{}` has no value yet (run `init` first)", self.compiled.program.vars[var as usize].name))),
        }
    }

    /// Adds the call of definition `d` at `site` to an error on its way out of the call: an
    /// error that has passed every call that led to it lists them innermost first.
    #[cold]
    pub fn annotate(&self, mut e: Box<EvalError>, d: DefId, site: Span) -> Box<EvalError> {
        e.stack.push((self.compiled.program.defs[d as usize].name.clone(), site));
        e
    }

    pub fn debug(&mut self, line: String) {
        match &mut self.debug_output {
            Some(lines) => lines.push(line),
            None => eprintln!("{line}"),
        }
    }
}
