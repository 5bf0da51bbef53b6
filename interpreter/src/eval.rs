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

/// The values a step assigns to the state variables (`x' = ...`), one slot a variable, and
/// which slots may hold one. A program holds every module's copy of the variables (an
/// instance's original module's too: two-phase commit's file has 16 slots, 4 of them in the
/// main module), and a step assigns a few: the chooser's snapshots (taken at every choice,
/// put back at every disabled branch) and the reset before each run look at the slots marked
/// here instead of scanning all of them.
///
/// Reading is through the slice (`next[i]`, `len`, `iter`); writing a slot through
/// `next[i] = ...` marks it (a slot written to, even with `None`, stays marked until the
/// next reset or restore: the marks over-approximate, never miss, the assigned slots).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Next {
    slots: Vec<Option<Value>>,
    /// Bit `i % 64` of word `i / 64` is set for every slot `i` that holds a value (and maybe
    /// for some that no longer do).
    marked: Vec<u64>,
}

impl Next {
    /// `count` empty slots.
    pub fn new(count: usize) -> Next {
        Next { slots: vec![None; count], marked: vec![0; count.div_ceil(64)] }
    }

    /// Empties every slot (only the marked ones hold values).
    pub fn clear(&mut self) {
        for w in 0..self.marked.len() {
            let mut bits = std::mem::take(&mut self.marked[w]);
            while bits != 0 {
                self.slots[w * 64 + bits.trailing_zeros() as usize] = None;
                bits &= bits - 1;
            }
        }
    }

    /// Whether no slot holds a value (a test of the marks; a marked slot may be empty).
    #[inline]
    pub fn nothing_marked(&self) -> bool {
        self.marked.iter().all(|w| *w == 0)
    }

    /// The marked slots in increasing order (every slot that holds a value is among them).
    pub fn marked(&self) -> impl Iterator<Item = usize> + '_ {
        self.marked.iter().enumerate().flat_map(|(w, &word)| {
            let mut bits = word;
            std::iter::from_fn(move || {
                if bits == 0 {
                    return None;
                }
                let i = w * 64 + bits.trailing_zeros() as usize;
                bits &= bits - 1;
                Some(i)
            })
        })
    }

    /// Moves the value out of slot `i` (`None` if it holds none, or past the end).
    pub fn take(&mut self, i: usize) -> Option<Value> {
        self.slots.get_mut(i).and_then(Option::take)
    }

    /// Puts back the assignments `kept` (slot, value; in increasing order of slot) and
    /// empties every other slot: the slots then hold exactly `kept`. A slot that holds the
    /// same shared value already is left alone (see `choose::Snapshot`).
    pub(crate) fn restore(&mut self, kept: &[(usize, Value)], same: impl Fn(&Value, &Value) -> bool) {
        let mut next_kept = 0;
        for w in 0..self.marked.len() {
            let mut bits = std::mem::take(&mut self.marked[w]);
            while bits != 0 {
                let i = w * 64 + bits.trailing_zeros() as usize;
                bits &= bits - 1;
                while kept.get(next_kept).is_some_and(|(at, _)| *at < i) {
                    next_kept += 1;
                }
                if !kept.get(next_kept).is_some_and(|(at, _)| *at == i) {
                    self.slots[i] = None;
                }
            }
        }
        for (i, v) in kept {
            let slot = &mut self.slots[*i];
            if !slot.as_ref().is_some_and(|now| same(now, v)) {
                *slot = Some(v.clone());
            }
            self.marked[i / 64] |= 1 << (i % 64);
        }
    }

    /// The slots, for a caller that only moves values out of them (which keeps every
    /// slot that holds a value marked).
    pub(crate) fn slots_to_take(&mut self) -> &mut [Option<Value>] {
        &mut self.slots
    }

    /// Moves every value out, slot by slot (`None` for an empty slot); the slots are empty
    /// afterwards.
    pub fn drain(&mut self) -> impl Iterator<Item = Option<Value>> + '_ {
        self.marked.iter_mut().for_each(|w| *w = 0);
        self.slots.iter_mut().map(Option::take)
    }
}

impl std::ops::Deref for Next {
    type Target = [Option<Value>];

    fn deref(&self) -> &[Option<Value>] {
        &self.slots
    }
}

impl std::ops::Index<usize> for Next {
    type Output = Option<Value>;

    #[inline]
    fn index(&self, i: usize) -> &Option<Value> {
        &self.slots[i]
    }
}

impl std::ops::IndexMut<usize> for Next {
    /// The slot, marked (whatever is written to it).
    #[inline]
    fn index_mut(&mut self, i: usize) -> &mut Option<Value> {
        let slot = &mut self.slots[i];
        self.marked[i / 64] |= 1 << (i % 64);
        slot
    }
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
    next: Next,
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
    pub next: Next,
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
    /// Whether `any` notes the action of the branch it took in `actions_taken` (the
    /// default). An exhaustive search, which keeps only the next states, turns it off and
    /// saves a clone of each name (a reference count taken and given back per branch taken).
    pub record_actions: bool,
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
    /// Set by `a.expect(p)`: the next commit repeats the state `a` made (the expectation
    /// stands for the action itself), so a recorded trace does not show it twice. Any other
    /// commit is a step, one that changes nothing (`x' = x`) included, as in Quint's traces.
    pub repeating: bool,
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
            next.clear();
        } else {
            next = Next::new(vars);
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
            record_actions: true,
            interrupt: None,
            debug_output: None,
            recorded: None,
            unassigned: Vec::new(),
            intermediate: None,
            repeating: false,
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
        self.next.clear();
        self.actions_taken.clear();
        self.picks.clear();
        self.depth = 0;
        self.args.clear();
        self.repeating = false;
    }

    /// Makes the assigned next state current. Every variable must have been assigned.
    pub fn commit(&mut self, span: Span) -> Result<(), Box<EvalError>> {
        let _ = span;
        let mut values = Vec::with_capacity(self.next.len());
        self.unassigned.clear();
        let count = self.next.len();
        let previous = &self.state;
        for (i, v) in self.next.drain().enumerate() {
            match v {
                Some(v) => values.push(v),
                None => {
                    if self.compiled.active_vars[i] {
                        self.unassigned.resize(count, false);
                        self.unassigned[i] = true;
                    }
                    values.push(unassigned_value(previous, i))
                }
            }
        }
        self.state = Arc::new(values);
        if let Some(states) = &mut self.recorded {
            // `a.expect(p)` keeps the state it checked: going on from it is not a new step.
            let kept = std::mem::take(&mut self.repeating);
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Writing a slot marks it; clearing empties the marked slots and the marks; draining
    /// gives every slot in order and leaves them empty; marks are listed in order across
    /// words.
    #[test]
    fn next_marks_the_slots_written_and_clears_only_those() {
        let mut next = Next::new(130);
        assert!(next.nothing_marked());
        next[129] = Some(Value::int(1));
        next[3] = Some(Value::int(2));
        next[64] = None;
        assert!(!next.nothing_marked());
        assert_eq!(next.marked().collect::<Vec<_>>(), vec![3, 64, 129]);
        assert_eq!(next.take(3), Some(Value::int(2)));
        assert_eq!(next.take(3), None);
        assert_eq!(next.marked().collect::<Vec<_>>(), vec![3, 64, 129]);
        next.clear();
        assert!(next.nothing_marked());
        assert!(next.iter().all(Option::is_none));
        next[5] = Some(Value::int(5));
        let drained: Vec<Option<Value>> = next.drain().collect();
        assert_eq!(drained.len(), 130);
        assert_eq!(drained[5], Some(Value::int(5)));
        assert_eq!(drained.iter().filter(|v| v.is_some()).count(), 1);
        assert!(next.nothing_marked() && next.iter().all(Option::is_none));
        next[7] = Some(Value::int(7));
        next[100] = Some(Value::int(100));
        next.restore(&[(2, Value::int(2)), (100, Value::int(9))], |a, b| a == b);
        assert_eq!(next.marked().collect::<Vec<_>>(), vec![2, 100]);
        let held: Vec<(usize, Value)> = next.iter().enumerate().filter_map(|(i, v)| v.clone().map(|v| (i, v))).collect();
        assert_eq!(held, vec![(2, Value::int(2)), (100, Value::int(9))]);
    }
}
