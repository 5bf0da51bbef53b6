//! Nondeterminism, resolved by a chooser. The evaluator meets three kinds of choice: an
//! element of a set (`nondet x = S.oneOf()`, told the name `x`; an anonymous `oneOf`
//! elsewhere), a branch of `any`, and a number for `apalache::generate`. For each it asks the
//! chooser for an *index* below a known size, and sets answer `nth(index)`: randomness, order
//! and scripts live in choosers, never in values.
//!
//! A choice may be retried. When the body of a `nondet` or the branch of `any` turns out
//! disabled, the evaluator undoes what that try assigned and asks the chooser for another
//! index ([`Chooser::retry`]); the step is disabled only when the chooser gives up. This is
//! Quint's simulation semantics (Quint PR #1670): the random chooser tries the other elements
//! of small sets, and the other branches of `any`, in random order.
//!
//! Choosers: [`RandomChooser`] (simulation, tests, the REPL), [`EnumeratingChooser`] (every
//! combination of choices of one action; see `Spec::successors`), [`ScriptedChooser`]
//! (replays a trace: picks by name and the actions taken).

mod enumerate;
mod random;
mod scripted;
mod tail;
mod tries;

pub use enumerate::{EnumeratingChooser, NextState};
pub use random::{RandomChooser, RETRY_BELOW, RETRY_MAX_TRIES};
pub use scripted::ScriptedChooser;
pub use tail::Tails;
pub use tries::Tries;

use crate::eval::{Ctx, ErrorKind, EvalError, EvalResult, Next};
use crate::set::SetValue;
use crate::value::Value;
use num_bigint::BigInt;
use spec_syntax::Span;
use std::fmt;
use std::sync::Arc;

/// What is being chosen.
#[derive(Clone, Copy, Debug)]
pub enum Site<'a> {
    /// An element of `set`, for `nondet name = set.oneOf()`; `name` is `None` for a `oneOf`
    /// that is not bound by `nondet`.
    Pick { name: Option<&'a str>, set: &'a SetValue },
    /// A branch of `any`: `names[i]` is the action branch `i` calls, when it is a named one.
    Branch { names: &'a [Option<Arc<str>>] },
    /// A number, for `apalache::generate`.
    Number,
}

/// A choice among `size` alternatives (at least one), numbered from 0.
#[derive(Clone, Copy, Debug)]
pub struct Choice<'a> {
    pub site: Site<'a>,
    pub size: u64,
}

/// Resolves nondeterminism; see the module documentation.
pub trait Chooser {
    /// The first alternative to try (below `choice.size`), with the plan for the others.
    fn choose(&mut self, choice: &Choice) -> Result<Tries, ChoiceError>;

    /// The alternative tried last was disabled: move `tries` to another one, or return
    /// `false` to give up (the construct is then disabled).
    fn retry(&mut self, choice: &Choice, tries: &mut Tries) -> bool;

    /// For a chooser that runs an action again and again (the enumerator): moves to the next
    /// run's choices, `false` when there is none. Others make one run.
    fn next_run(&mut self) -> bool {
        false
    }

    /// An index into a set with more elements than a `u64` counts (`size`); never retried.
    fn choose_big(&mut self, choice: &Choice, size: &BigInt) -> Result<BigInt, ChoiceError> {
        let _ = choice;
        Err(ChoiceError::TooLarge(Some(size.clone())))
    }

    /// The body of the choice at `span` (a branch of `any`, the rest of a `nondet`) was
    /// enabled, and `next` holds the next state's assignments. A chooser that enumerates the
    /// runs of an action, when the choice is in tail position of it (see [`Tails`]), takes
    /// the next state (moves the values out) and returns `true`: the evaluator then goes on
    /// as after a disabled body, with the choice's next alternative. Others return `false`.
    fn emit(&mut self, span: Span, next: &mut Next) -> bool {
        let _ = (span, next);
        false
    }
}

/// Why a chooser could not answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChoiceError {
    /// The script gives no pick for this `nondet` name.
    NoPick { name: String },
    /// The script's pick for `name` is not an element of the set it is picked from.
    NotInSet { name: String, value: Value, set: String },
    /// A choice without a name (a `oneOf` outside `nondet`, `apalache::generate`): a script
    /// cannot give it.
    Anonymous,
    /// An enumeration met a set too large (its size) or infinite (`None`).
    TooLarge(Option<BigInt>),
    /// Re-running an action with the same earlier choices met a different choice.
    Diverged { expected: u64, found: u64 },
    /// The chooser answered an index past the alternatives.
    OutOfRange { index: u64, size: u64 },
    /// The chooser stopped the evaluation (an enumeration whose caller failed on a next
    /// state it was handed: the caller reports its own error instead).
    Stopped,
}

impl fmt::Display for ChoiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChoiceError::NoPick { name } => write!(f, "the trace gives no value for `nondet {name}`"),
            ChoiceError::NotInSet { name, value, set } => write!(f, "the trace picks {value} for `nondet {name}`, which is not an element of {set}"),
            ChoiceError::Anonymous => write!(f, "a trace cannot give this choice: it has no `nondet` name"),
            ChoiceError::TooLarge(Some(n)) => {
                let digits = n.to_string();
                let count = if digits.len() > 24 { format!("a {}-digit number of", digits.len()) } else { digits };
                write!(f, "cannot try every element of this set one by one: it has {count} elements (an exhaustive search needs a bounded set here; `spec simulate` samples it instead)")
            }
            ChoiceError::TooLarge(None) => write!(f, "cannot try every element of an infinite set (an exhaustive search needs a bounded set here; `spec simulate` samples it instead)"),
            ChoiceError::Diverged { expected, found } => {
                write!(f, "the action made a different choice when run again ({found} alternatives where there were {expected})")
            }
            ChoiceError::OutOfRange { index, size } => write!(f, "the chooser answered alternative {index} of {size}"),
            ChoiceError::Stopped => write!(f, "the enumeration was stopped"),
        }
    }
}

/// A choice error as a runtime error at `span`.
pub fn choice_error(span: Span, e: ChoiceError) -> Box<EvalError> {
    Box::new(EvalError { message: e.to_string(), span, stack: Vec::new(), kind: ErrorKind::Choice })
}

/// Whether the alternative `tries` names is below `size` (checked in place: a plan is
/// large to move).
fn in_range(tries: &Tries, size: u64, span: Span) -> Result<(), Box<EvalError>> {
    if tries.current < size {
        Ok(())
    } else {
        Err(choice_error(span, ChoiceError::OutOfRange { index: tries.current, size }))
    }
}

/// What the evaluator undoes before another try: assignments, picks and actions recorded.
/// Only the assignments made before the snapshot are kept (cloned); the common case, a
/// choice made before anything is assigned, copies no value and allocates nothing. A plain
/// `Vec` (empty: no allocation) keeps the snapshot small: one is taken per `any` and per
/// retried `nondet` of every run, and a `SmallVec` of four inline entries cost a 120-byte
/// copy each time (2PC-5 under callgrind: 160 instructions a snapshot). Taking and
/// restoring look only at the slots the step may have assigned (`Next`'s marks), not at
/// every variable of the program.
pub(crate) struct Snapshot {
    assigned: Vec<(usize, Value)>,
    picks: usize,
    actions: usize,
}

impl Snapshot {
    #[inline]
    pub(crate) fn take(ctx: &Ctx) -> Snapshot {
        let mut assigned = Vec::new();
        // Most choices are made before anything is assigned: nothing is marked then.
        if !ctx.next.nothing_marked() {
            for i in ctx.next.marked() {
                if let Some(v) = &ctx.next[i] {
                    assigned.push((i, v.clone()));
                }
            }
        }
        Snapshot { assigned, picks: ctx.picks.len(), actions: ctx.actions_taken.len() }
    }

    /// Puts back what was assigned, picked and noted when the snapshot was taken. Called
    /// at every disabled branch: when nothing was assigned, picked or noted since (the
    /// common case), it only looks.
    #[inline]
    pub(crate) fn restore(&self, ctx: &mut Ctx) {
        self.restore_assignments(ctx);
        if ctx.picks.len() > self.picks {
            ctx.picks.truncate(self.picks);
        }
        if ctx.actions_taken.len() > self.actions {
            ctx.actions_taken.truncate(self.actions);
        }
    }

    /// Puts back only the assignments (what `or` undoes after a false disjunct): the slots
    /// marked since are emptied, and only the kept slots whose value changed are written
    /// (a disabled branch usually fails its guard before assigning anything: nothing is
    /// marked then, and nothing is done).
    #[inline]
    pub(crate) fn restore_assignments(&self, ctx: &mut Ctx) {
        if self.assigned.is_empty() && ctx.next.nothing_marked() {
            return;
        }
        ctx.next.restore(&self.assigned, same_value);
    }
}

/// Whether two values are the same shared value (or the same small scalar): putting back
/// the one kept is then nothing to do.
fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Str(x), Value::Str(y)) => Arc::ptr_eq(x, y),
        (Value::Map(x), Value::Map(y)) => x.ptr_eq(y),
        (Value::Set(SetValue::Explicit(x)), Value::Set(SetValue::Explicit(y))) => x.ptr_eq(y),
        (Value::Record(x), Value::Record(y)) => Arc::ptr_eq(x, y),
        (Value::Tuple(x), Value::Tuple(y)) => Arc::ptr_eq(x, y),
        (Value::List(x), Value::List(y)) => Arc::ptr_eq(x, y),
        _ => false,
    }
}

/// `nondet name = set.oneOf(); body`: runs `body` with an element picked by the chooser,
/// and with others while the body is disabled (`false`) and the chooser retries. An empty
/// set disables the action.
pub fn nondet(ctx: &mut Ctx, name: &str, set: &SetValue, span: Span, body: &dyn Fn(&mut Ctx, Value) -> EvalResult) -> EvalResult {
    let Some(size) = set.size_u64() else {
        let picked = pick_big(ctx, Some(name), set, span)?;
        return body(ctx, picked);
    };
    if size == 0 {
        return Ok(Value::Bool(false));
    }
    let choice = Choice { site: Site::Pick { name: Some(name), set }, size };
    let mut tries = ctx.chooser.choose(&choice).map_err(|e| choice_error(span, e))?;
    in_range(&tries, size, span)?;
    let snapshot = tries.may_retry().then(|| Snapshot::take(ctx));
    loop {
        let v = set.nth(tries.current).map_err(|e| crate::eval::error(span, format!("cannot pick from {}: {e}", set.describe())))?;
        let result = body(ctx, v)?;
        // A next state handed to the enumerator counts as a disabled body from here on.
        let emitted = matches!(result, Value::Bool(true)) && ctx.chooser.emit(span, &mut ctx.next);
        if emitted || matches!(result, Value::Bool(false)) {
            if let Some(snapshot) = &snapshot {
                if ctx.chooser.retry(&choice, &mut tries) {
                    in_range(&tries, size, span)?;
                    snapshot.restore(ctx);
                    continue;
                }
            }
            if emitted {
                return Ok(Value::Bool(false));
            }
        }
        return Ok(result);
    }
}

/// `set.oneOf()` outside `nondet`: one element, no retry; an error for an empty set.
pub fn one_of(ctx: &mut Ctx, set: &SetValue, span: Span) -> EvalResult {
    let Some(size) = set.size_u64() else { return pick_big(ctx, None, set, span) };
    if size == 0 {
        return Err(crate::eval::error(span, "oneOf of an empty set"));
    }
    let choice = Choice { site: Site::Pick { name: None, set }, size };
    let tries = ctx.chooser.choose(&choice).map_err(|e| choice_error(span, e))?;
    in_range(&tries, size, span)?;
    set.nth(tries.current).map_err(|e| crate::eval::error(span, format!("cannot pick from {}: {e}", set.describe())))
}

/// The position of `n` among the picks from `Int` or `Nat` (see [`pick_big`]): a pick's
/// position less 2^255 is the integer picked.
pub(crate) fn infinite_pick_position(n: &BigInt) -> BigInt {
    n + (BigInt::from(1) << 255)
}

/// A pick from a set whose size does not fit a `u64`, or from `Int` or `Nat`.
fn pick_big(ctx: &mut Ctx, name: Option<&str>, set: &SetValue, span: Span) -> EvalResult {
    let cannot = |e: &dyn fmt::Display| crate::eval::error(span, format!("cannot pick from {}: {e}", set.describe()));
    if let SetValue::Int | SetValue::Nat = set {
        // As Quint's simulator: an integer of [-2^255, 2^255) (of Nat, its absolute value),
        // never retried. A chooser that enumerates cannot list it: the error names the set.
        let choice = Choice { site: Site::Pick { name, set }, size: u64::MAX };
        let position = match ctx.chooser.choose_big(&choice, &(BigInt::from(1) << 256)) {
            Ok(position) => position,
            Err(ChoiceError::TooLarge(_)) => return Err(cannot(&crate::set::SetError::Infinite)),
            Err(e) => return Err(choice_error(span, e)),
        };
        let n = position - (BigInt::from(1) << 255);
        let n = if matches!(set, SetValue::Nat) { num_traits::Signed::abs(&n) } else { n };
        return Ok(Value::Int(crate::value::Int::from_big(n)));
    }
    let Some(size) = set.size() else { return Err(cannot(&crate::set::SetError::Infinite)) };
    let choice = Choice { site: Site::Pick { name, set }, size: u64::MAX };
    let i = ctx.chooser.choose_big(&choice, &size).map_err(|e| choice_error(span, e))?;
    set.nth_big(&i).map_err(|e| cannot(&e))
}

/// Runs branch `i` of `any`: whether it is enabled.
pub type Branch<'f> = dyn Fn(&mut Ctx, usize) -> Result<bool, Box<EvalError>> + 'f;

/// `any { branches }`: tries branches in the chooser's order until one is enabled; `names`
/// are the actions the branches call (recorded when taken; "" for a branch that calls none).
pub fn any(ctx: &mut Ctx, names: &[Option<Arc<str>>], span: Span, branch: &Branch<'_>) -> EvalResult {
    let size = names.len() as u64;
    if size == 0 {
        return Ok(Value::Bool(false));
    }
    let choice = Choice { site: Site::Branch { names }, size };
    let mut tries = ctx.chooser.choose(&choice).map_err(|e| choice_error(span, e))?;
    in_range(&tries, size, span)?;
    let snapshot = Snapshot::take(ctx);
    loop {
        let i = tries.current as usize;
        // A next state handed to the enumerator counts as a disabled branch from here on.
        if branch(ctx, i)? && !ctx.chooser.emit(span, &mut ctx.next) {
            // A branch that calls no action is recorded as "", as Quint's `mbt::actionTaken`
            // has it (and MBT drivers dispatch on it).
            if ctx.record_actions {
                ctx.actions_taken.push(names[i].clone().unwrap_or_else(|| Arc::from("")));
            }
            return Ok(Value::Bool(true));
        }
        snapshot.restore(ctx);
        if !ctx.chooser.retry(&choice, &mut tries) {
            return Ok(Value::Bool(false));
        }
        in_range(&tries, size, span)?;
    }
}

/// A number below `n` (`n` ≥ 1), for `apalache::generate`.
pub fn number(ctx: &mut Ctx, n: u64, span: Span) -> Result<u64, Box<EvalError>> {
    let choice = Choice { site: Site::Number, size: n.max(1) };
    let tries = ctx.chooser.choose(&choice).map_err(|e| choice_error(span, e))?;
    in_range(&tries, n.max(1), span)?;
    Ok(tries.current)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Spec;

    /// What a snapshot puts back is what was assigned when it was taken, whatever was
    /// assigned, overwritten or cleared since (its restore writes only the slots that changed).
    #[test]
    fn a_restored_snapshot_gives_back_the_assignments_it_saw() {
        let spec = Spec::from_text("t.qnt", "module m { var a: int  var b: int  var c: int  action init = all { a' = 0, b' = 0, c' = 0 }  action step = init }", None).unwrap_or_else(|e| panic!("{:?}", e.diagnostics));
        let mut chooser = RandomChooser::new(1);
        let mut ctx = Ctx::new(&spec.compiled, spec.state0(), &mut chooser);
        let empty = Snapshot::take(&ctx);
        ctx.next[1] = Some(Value::int(7));
        let one = Snapshot::take(&ctx);
        ctx.next[0] = Some(Value::int(1));
        ctx.next[1] = Some(Value::int(8));
        ctx.next[2] = Some(Value::str("x"));
        one.restore(&mut ctx);
        assert_eq!(ctx.next.to_vec(), vec![None, Some(Value::int(7)), None]);
        ctx.next[1] = None;
        one.restore(&mut ctx);
        assert_eq!(ctx.next.to_vec(), vec![None, Some(Value::int(7)), None]);
        empty.restore_assignments(&mut ctx);
        assert_eq!(ctx.next.to_vec(), vec![None, None, None]);
    }

    /// `any` notes the action of the branch it took, and `nondet` its pick, unless the
    /// caller turned the noting off (an exhaustive search); the next state is the same.
    #[test]
    fn actions_and_picks_are_noted_only_when_asked() {
        let spec = Spec::from_text("t.qnt", "module m { var x: int  action init = x' = 0  action a = x' = 1  action b = nondet v = Set(2, 3).oneOf() x' = v  action step = any { a, b } }", None).unwrap_or_else(|e| panic!("{:?}", e.diagnostics));
        let step = spec.lookup("step").unwrap_or_else(|| panic!("no step"));
        for record in [true, false] {
            let mut chooser = crate::EnumeratingChooser::new();
            let mut runs = Vec::new();
            loop {
                let mut ctx = Ctx::new(&spec.compiled, spec.state0(), &mut chooser);
                ctx.record_actions = record;
                ctx.record_picks = record;
                let enabled = spec.enabled_in(&mut ctx, step).unwrap_or_else(|e| panic!("{e:?}"));
                runs.push((enabled, ctx.next.to_vec(), ctx.actions_taken.clone(), ctx.picks.len()));
                drop(ctx);
                if !chooser.next_path() {
                    break;
                }
            }
            let next: Vec<_> = runs.iter().map(|(e, n, _, _)| (*e, n.clone())).collect();
            assert_eq!(next, vec![(true, vec![Some(Value::int(1))]), (true, vec![Some(Value::int(2))]), (true, vec![Some(Value::int(3))])]);
            let names: Vec<Vec<String>> = runs.iter().map(|(_, _, a, _)| a.iter().map(|n| n.to_string()).collect()).collect();
            let picks: Vec<usize> = runs.iter().map(|(_, _, _, p)| *p).collect();
            if record {
                assert_eq!(names, vec![vec!["a".to_string()], vec!["b".to_string()], vec!["b".to_string()]]);
                assert_eq!(picks, vec![0, 1, 1]);
            } else {
                assert!(names.iter().all(Vec::is_empty) && picks.iter().all(|p| *p == 0), "{names:?} {picks:?}");
            }
        }
    }

    /// Snapshots and resets look only at the slots marked as assigned: against a plain
    /// vector of slots that every operation writes in full, the slots agree after every
    /// step of long random sequences of assignments (some of `None`), nested snapshots,
    /// restores and resets, over 70 variables (two words of marks), and every slot that
    /// holds a value is marked.
    #[test]
    fn snapshots_over_marked_slots_agree_with_whole_slot_vectors() {
        let vars: String = (0..70).map(|i| format!("var v{i}: int  ")).collect();
        let text = format!("module m {{ {vars} action init = all {{ {} }}  action step = init }}", (0..70).map(|i| format!("v{i}' = 0")).collect::<Vec<_>>().join(", "));
        let spec = Spec::from_text("t.qnt", &text, None).unwrap_or_else(|e| panic!("{:?}", e.diagnostics));
        let mut chooser = RandomChooser::new(1);
        let mut ctx = Ctx::new(&spec.compiled, spec.state0(), &mut chooser);
        assert_eq!(ctx.next.len(), 70);
        let mut model: Vec<Option<Value>> = vec![None; 70];
        let mut snapshots: Vec<(Snapshot, Vec<Option<Value>>)> = Vec::new();
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut random = move |n: u64| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) % n
        };
        let (mut restores, mut non_empty) = (0, 0);
        for _ in 0..20_000 {
            match random(10) {
                0..=4 => {
                    // Mostly the first slots and the last word's, as a step assigns few.
                    let i = if random(2) == 0 { random(6) } else { 60 + random(10) } as usize;
                    let v = if random(5) == 0 { None } else { Some(Value::int(random(4) as i64)) };
                    ctx.next[i] = v.clone();
                    model[i] = v;
                }
                5 | 6 => snapshots.push((Snapshot::take(&ctx), model.clone())),
                7 | 8 => {
                    if let Some((snapshot, saved)) = snapshots.last() {
                        snapshot.restore_assignments(&mut ctx);
                        model = saved.clone();
                        restores += 1;
                        non_empty += usize::from(model.iter().any(Option::is_some));
                    }
                    if random(2) == 0 {
                        snapshots.pop();
                    }
                }
                _ => {
                    if random(20) == 0 {
                        ctx.reset();
                        model = vec![None; 70];
                        snapshots.clear();
                    }
                }
            }
            assert_eq!(ctx.next.to_vec(), model);
            let marked: Vec<usize> = ctx.next.marked().collect();
            assert!(marked.windows(2).all(|w| w[0] < w[1]), "{marked:?}");
            for (i, v) in model.iter().enumerate() {
                assert!(v.is_none() || marked.contains(&i), "slot {i} holds a value but is not marked");
            }
        }
        assert!(restores > 1000 && non_empty > 500, "{restores} restores, {non_empty} of a non-empty snapshot");
    }
}
