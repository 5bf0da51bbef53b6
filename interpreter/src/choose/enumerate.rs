//! The enumerating chooser: every combination of choices of one evaluation, depth first, in
//! lexicographic order of the alternatives taken. The action is run again and again, each
//! run replaying a recorded prefix of choices and taking the first alternative at new
//! choices, until every path of the choice tree has been run.
//!
//! Runs are cut short where they can be: when the body of a choice (a branch of `any`, the
//! rest of a `nondet`) turns out disabled, the evaluator asks the chooser to retry, and the
//! enumerator moves to the choice's next alternative within the same run instead of failing
//! the run and replaying the prefix from the root. That is sound only when the failed body's
//! whole subtree has been visited: every choice it made is at its last alternative (a choice
//! that does not retry, such as an anonymous `oneOf`, may still have alternatives left; the
//! run then ends disabled and the next run takes them). The leaves are visited in the same
//! order either way, so the successors and their order do not change; a two-phase commit
//! step runs about 10 times a state instead of 37.
//!
//! A caller that only wants the next states (a checker) can also save the replays: given
//! the choices in tail position of the action ([`Tails`]), the enumerator takes a next
//! state where such a choice's body turns out enabled, and the evaluator goes on with the
//! choice's next alternative as after a disabled body. An enabled body there ends the
//! action with `true` and changes nothing more, so the next run would replay the same
//! prefix only to reach that next alternative: the next states and their order are the
//! same, and a two-phase commit step runs once a state instead of once a next state.
//!
//! `Spec::successors` is built on it (an exhaustive model checker asks it for the successors
//! of each state); [`EnumeratingChooser::successor_states`] is the same enumeration for a
//! caller that expands many states and only wants the next states (no picks): it keeps its
//! buffers between states.

use super::{Choice, ChoiceError, Chooser, Tails, Tries};
use crate::eval::{unassigned_value, Ctx, EvalError, Next, Scratch};
use crate::{Spec, State, Step, Value};
use num_bigint::BigInt;
use spec_analysis::ir::DefId;
use spec_syntax::Span;
use std::cell::RefCell;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

/// See the module documentation.
#[derive(Debug, Default)]
pub struct EnumeratingChooser {
    /// (chosen alternative, number of alternatives) of each choice on the current path.
    path: Vec<(u64, u64)>,
    /// Choices made so far in the current run.
    depth: usize,
    /// Choices with more alternatives than this are refused (`TooLarge`), not enumerated.
    limit: Option<u64>,
    /// Runs finished since the enumeration started (see [`EnumeratingChooser::runs`]).
    runs: u64,
    buffers: Buffers,
    /// The choices in tail position of the action whose next states are taken where they
    /// are made (see the module documentation), when the caller gave them.
    tails: Option<Arc<Tails>>,
}

impl EnumeratingChooser {
    pub fn new() -> EnumeratingChooser {
        EnumeratingChooser::default()
    }

    /// An enumerator that refuses choices with more than `limit` alternatives.
    pub fn with_limit(limit: u64) -> EnumeratingChooser {
        EnumeratingChooser { limit: Some(limit), ..EnumeratingChooser::default() }
    }

    /// Takes the next states of `tails.def` at its choices in tail position, in
    /// [`EnumeratingChooser::for_each_successor_in`] (see the module documentation).
    pub fn with_tails(mut self, tails: Arc<Tails>) -> EnumeratingChooser {
        self.tails = Some(tails);
        self
    }

    /// Moves to the next path after a run; `false` when every path has been run.
    pub fn next_path(&mut self) -> bool {
        self.runs += 1;
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

    /// Forgets every path: the next run starts a new enumeration.
    pub fn restart(&mut self) {
        self.path.clear();
        self.depth = 0;
        self.runs = 0;
    }

    /// How many runs the enumeration has finished (the last one counts once `next_path`
    /// has been called after it).
    pub fn runs(&self) -> u64 {
        self.runs
    }

    /// The plan handed to the evaluator for alternative `chosen` of the choice at `entry` of
    /// the path. When alternatives remain, the plan is marked with the entry's index: the
    /// evaluator only asks whether a retry may follow and hands the plan back to
    /// [`Chooser::retry`], where the mark says which choice is retried (choices nest, and a
    /// closed choice after it on the path may have the same size and alternative, so they
    /// cannot be told apart otherwise).
    fn plan(chosen: u64, size: u64, entry: usize) -> Tries {
        if chosen + 1 < size {
            Tries::marked(chosen, entry as u64)
        } else {
            Tries::once(chosen)
        }
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
        let entry = self.depth;
        self.depth += 1;
        Ok(EnumeratingChooser::plan(chosen, choice.size, entry))
    }

    /// The body of the choice at the entry the plan names was disabled: move that choice to
    /// its next alternative in this run, when everything under the alternative just tried
    /// has been visited (every choice made in the body is at its last alternative).
    fn retry(&mut self, choice: &Choice, tries: &mut Tries) -> bool {
        let tried = tries.current;
        // The plan's mark is the entry's index (see `plan`); a plan without one has no
        // alternative left.
        let Some(entry) = tries.mark() else { return false };
        let entry = entry as usize;
        // Anything else (a prefix not replayed to its end, another plan) ends the run
        // instead: the next run takes the remaining alternatives, as without retries.
        if entry >= self.depth || self.depth != self.path.len() || self.path[entry] != (tried, choice.size) {
            return false;
        }
        if self.path[entry + 1..].iter().any(|(chosen, size)| chosen + 1 < *size) {
            return false;
        }
        let next = tried + 1;
        if next >= choice.size {
            return false;
        }
        self.path.truncate(entry + 1);
        self.path[entry].0 = next;
        self.depth = entry + 1;
        // The plan of `plan(next, size, entry)`, made in place.
        tries.remark(next, next + 1 < choice.size);
        true
    }

    fn choose_big(&mut self, _choice: &Choice, size: &BigInt) -> Result<BigInt, ChoiceError> {
        Err(ChoiceError::TooLarge(Some(size.clone())))
    }

    fn next_run(&mut self) -> bool {
        self.next_path()
    }
}

/// What runs of an action leave behind for the next run: the buffers of the evaluation
/// context (registers, assignments, picks, ...; see [`EnumeratingChooser::for_each_successor`]).
#[derive(Debug, Default)]
struct Buffers {
    scratch: Scratch,
}

/// The next state of one enabled run, before it is built: a caller that drops most next
/// states (a checker's worker, which keeps only states it has not seen) looks at the values
/// first and builds only the states it keeps.
pub struct NextState<'r> {
    parent: &'r State,
    values: &'r mut [Option<Value>],
    /// The first variable outside the program's active ones (`Compiled::active_vars`)
    /// that the step assigned.
    outside: Option<usize>,
}

impl NextState<'_> {
    /// The first variable the step assigned that is not one of the program's active
    /// variables (the main module's), if any.
    pub fn assigned_outside(&self) -> Option<usize> {
        self.outside
    }

    /// The value the step assigned to variable `var`; `None` when it assigned none (a
    /// variable outside the main module: it will be [`unassigned_value`]).
    pub fn value(&self, var: usize) -> Option<&Value> {
        self.values.get(var).and_then(Option::as_ref)
    }

    /// Moves out the value of variable `var` in the next state (for a caller that keeps
    /// some variables' values rather than a built state); [`NextState::value`] is `None`
    /// afterwards.
    pub fn take(&mut self, var: usize) -> Value {
        match self.values.get_mut(var).and_then(Option::take) {
            Some(value) => value,
            None => unassigned_value(self.parent, var),
        }
    }

    /// The number of variables.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The next state, built (the values are moved into it).
    pub fn build(self) -> State {
        let parent = self.parent;
        Arc::new(self.values.iter_mut().enumerate().map(|(var, v)| v.take().unwrap_or_else(|| unassigned_value(parent, var))).collect())
    }
}

impl EnumeratingChooser {
    /// Appends to `out` every next state of `state` under the action `def`, once per enabled
    /// combination of choices, in the order of `Spec::successors`, without the picks. Meant
    /// for a caller that expands many states (a checker's worker): the registers and buffers
    /// are kept from one run, and one state, to the next.
    pub fn successor_states(&mut self, spec: &Spec, state: &State, def: DefId, interrupt: Option<&AtomicBool>, out: &mut Vec<State>) -> Result<(), Box<EvalError>> {
        self.for_each_successor(spec, state, def, interrupt, |next| {
            out.push(next.build());
            Ok(())
        })
    }

    /// Hands `visit` every next state of `state` under `def` before it is built, in the
    /// order of [`EnumeratingChooser::successor_states`]; an error from `visit` ends the
    /// enumeration.
    pub fn for_each_successor<F>(&mut self, spec: &Spec, state: &State, def: DefId, interrupt: Option<&AtomicBool>, visit: F) -> Result<(), Box<EvalError>>
    where
        F: FnMut(NextState<'_>) -> Result<(), Box<EvalError>>,
    {
        self.for_each_successor_in(spec, &spec.compiled, state, def, interrupt, visit)
    }

    /// [`EnumeratingChooser::for_each_successor`] with `compiled`, a compilation of `spec`'s
    /// program (a thread's own copy, see `Compiled::recompiled`).
    pub fn for_each_successor_in<F>(&mut self, spec: &Spec, compiled: &crate::compile::Compiled, state: &State, def: DefId, interrupt: Option<&AtomicBool>, mut visit: F) -> Result<(), Box<EvalError>>
    where
        F: FnMut(NextState<'_>) -> Result<(), Box<EvalError>>,
    {
        self.restart();
        let tails = self.tails.clone().filter(|tails| tails.def == def && !tails.is_empty());
        // Each next state goes to `visit` once its active variables are checked, whether a
        // tail choice or the end of a run made it. The chooser holds it (shared: the end of
        // a run calls it too) and keeps the first error it gave.
        let visit_next = RefCell::new(|values: &mut [Option<Value>]| visit_row(compiled, def, state, values, &mut visit));
        let failure: RefCell<Option<Box<EvalError>>> = RefCell::new(None);
        // One context for every run from this state (its buffers, and the values kept for
        // the state, carry over from run to run); the chooser moves to the next path
        // through it.
        let scratch = std::mem::take(&mut self.buffers.scratch);
        let mut taking = Taking { chooser: self, tails: tails.as_deref(), visit: &visit_next, failure: &failure };
        let mut ctx = Ctx::with_scratch(compiled, state.clone(), &mut taking, scratch);
        ctx.interrupt = interrupt;
        // The visitor sees the next states only: noting the picks and the actions taken
        // would cost a clone of each name and pick, per try.
        ctx.record_picks = false;
        ctx.record_actions = false;
        let result = loop {
            let run = spec.enabled_in(&mut ctx, def);
            // A next state handed over in the run failed first (the run may then have
            // been stopped).
            if let Some(e) = failure.borrow_mut().take() {
                break Err(e);
            }
            match run {
                Ok(true) => {
                    if let Err(e) = (visit_next.borrow_mut())(ctx.next.slots_to_take()) {
                        break Err(e);
                    }
                }
                Ok(false) => {}
                Err(e) => break Err(e),
            }
            if !ctx.chooser.next_run() {
                break Ok(());
            }
        };
        self.buffers.scratch = ctx.into_scratch();
        result
    }

    /// The context buffers kept between runs, to evaluate something else with them (an
    /// invariant); hand them back with [`EnumeratingChooser::put_scratch`].
    pub fn take_scratch(&mut self) -> Scratch {
        std::mem::take(&mut self.buffers.scratch)
    }

    pub fn put_scratch(&mut self, scratch: Scratch) {
        self.buffers.scratch = scratch;
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
    pub fn successors_interruptible(&self, state: &State, def: DefId, interrupt: Option<&AtomicBool>) -> Result<Vec<(State, Step)>, Box<EvalError>> {
        self.successors_with(state, def, interrupt, EnumeratingChooser::new())
    }

    /// `successors` with a given enumerator (one with a limit, say).
    pub fn successors_with(&self, state: &State, def: DefId, interrupt: Option<&AtomicBool>, mut chooser: EnumeratingChooser) -> Result<Vec<(State, Step)>, Box<EvalError>> {
        let mut out = Vec::new();
        // One path after another; the registers are allocated once and handed from one run's
        // context to the next (every register is written before it is read in a run).
        let mut regs: Vec<Value> = Vec::new();
        loop {
            let mut ctx = Ctx::with_registers(&self.compiled, state.clone(), &mut chooser, std::mem::take(&mut regs));
            ctx.interrupt = interrupt;
            if let Some(step) = self.step_in(&mut ctx, def)? {
                if let Some(var) = ctx.unassigned.iter().position(|unassigned| *unassigned) {
                    return Err(unassigned_error(&self.compiled, def, var));
                }
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

#[cfg(test)]
mod tests {
    //! Retrying within a run must visit the same enabled paths, in the same order, as the
    //! plain enumeration that fails a run at its first disabled choice and replays.
    use super::*;

    /// The enumeration without retries: every run ends at the first disabled body.
    struct NoRetry(EnumeratingChooser);

    impl Chooser for NoRetry {
        fn choose(&mut self, choice: &Choice) -> Result<Tries, ChoiceError> {
            self.0.choose(choice).map(|t| Tries::once(t.current))
        }
        fn retry(&mut self, _: &Choice, _: &mut Tries) -> bool {
            false
        }
    }

    fn plain(spec: &Spec, state: &State, def: DefId) -> (Vec<State>, usize) {
        let mut chooser = NoRetry(EnumeratingChooser::new());
        let (mut out, mut runs) = (Vec::new(), 0);
        loop {
            runs += 1;
            if let Some((next, _)) = spec.run_def(state, def, &mut chooser, None).unwrap() {
                out.push(next);
            }
            if !chooser.0.next_path() {
                return (out, runs);
            }
        }
    }

    /// Every state reachable in a few steps, compared successor list by successor list;
    /// also when the next states are taken at the tail choices of `init` and `step`
    /// (an enumerator for each). The runs saved are counted without the tails, and with
    /// them (the second number).
    fn same_as_plain(text: &str) -> (usize, usize) {
        same_as_plain_with_tails(text).0
    }

    fn same_as_plain_with_tails(text: &str) -> ((usize, usize), usize) {
        let spec = Spec::from_text("t.qnt", text, None).unwrap_or_else(|e| panic!("{:?}", e.diagnostics));
        let (init, step) = (spec.lookup("init").unwrap(), spec.lookup("step").unwrap());
        let mut chooser = EnumeratingChooser::new();
        let tails = |def| Arc::new(Tails::of(&spec.analysis.program, def));
        let mut taking = [EnumeratingChooser::new().with_tails(tails(init)), EnumeratingChooser::new().with_tails(tails(step))];
        let mut frontier = vec![spec.state0()];
        let (mut compared, mut saved, mut saved_by_tails) = (0, 0, 0);
        for depth in 0..4 {
            let def = if depth == 0 { init } else { step };
            let mut next_frontier = Vec::new();
            for state in &frontier {
                let (expected, runs) = plain(&spec, state, def);
                let mut got = Vec::new();
                chooser.successor_states(&spec, state, def, None, &mut got).unwrap();
                assert_eq!(got, expected, "successors of {state:?}");
                assert!(chooser.runs() <= runs as u64);
                saved += runs - chooser.runs() as usize;
                let taker = &mut taking[usize::from(depth > 0)];
                let mut taken = Vec::new();
                taker.successor_states(&spec, state, def, None, &mut taken).unwrap();
                assert_eq!(taken, expected, "successors of {state:?} taken at tail choices");
                assert!(taker.runs() <= chooser.runs());
                saved_by_tails += (chooser.runs() - taker.runs()) as usize;
                let with_steps: Vec<State> = spec.successors(state, def).unwrap().into_iter().map(|(s, _)| s).collect();
                assert_eq!(with_steps, expected);
                compared += expected.len();
                next_frontier.extend(expected);
            }
            next_frontier.sort();
            next_frontier.dedup();
            frontier = next_frontier;
        }
        assert!(compared > 0);
        ((compared, saved), saved_by_tails)
    }

    #[test]
    fn a_choice_closed_before_a_failing_guard_is_not_the_one_retried() {
        // The inner `any` has chosen (enabled) when the guard after it fails: the retry is
        // the outer `any`'s, though both have two branches and chose the first.
        let (n, _) = same_as_plain(
            "module m { var x: int
               action init = x' = 0
               action step = any { all { any { x' = x + 1, x' = x + 2 }, x < 3 }, all { x > 1, x' = x - 2 }, x' = 10 } }",
        );
        assert!(n >= 3);
    }

    #[test]
    fn a_pick_closed_before_a_failing_guard_keeps_its_other_elements() {
        // The `nondet` has picked (its body enabled) when the guard after its block fails:
        // retrying the outer `any` then would skip the pick's other elements.
        same_as_plain(
            "module m { var x: int
               action init = x' = 0
               action step = any { all { { nondet y = 1.to(3).oneOf() x' = x + y }, x < 4 }, all { x > 5, x' = 0 } } }",
        );
    }

    #[test]
    fn a_failing_guard_after_a_closed_choice_does_not_skip_its_other_branches() {
        // The second branch of the inner `any` fails at run time; the guard after the `any`
        // fails once the first branch is taken. Retrying the outer `any` there would skip the
        // second branch and hide the error the plain enumeration meets.
        let spec = Spec::from_text(
            "t.qnt",
            "module m { var x: int
               action init = x' = 0
               action step = any { all { any { x' = x + 1, x' = x / (x - x) }, x < 0 }, x' = 5 } }",
            None,
        )
        .unwrap_or_else(|e| panic!("{:?}", e.diagnostics));
        let (init, step) = (spec.lookup("init").unwrap(), spec.lookup("step").unwrap());
        let s0 = spec.successors(&spec.state0(), init).unwrap().remove(0).0;
        assert!(spec.successors(&s0, step).is_err());
        let mut out = Vec::new();
        assert!(EnumeratingChooser::new().successor_states(&spec, &s0, step, None, &mut out).is_err());
    }

    #[test]
    fn a_variable_outside_the_main_module_keeps_the_parents_unit() {
        // `base`'s own `x` is not part of the main module's state: no step assigns it, and
        // each next state shares the parent's unit value instead of allocating one.
        let spec = Spec::from_text(
            "t.qnt",
            "module base { const N: int  var x: int  action init = x' = 0  action step = any { x' = (x + 1) % N, x' = x } }
             module main { import base(N = 3).* }",
            Some("main"),
        )
        .unwrap_or_else(|e| panic!("{:?}", e.diagnostics));
        let (init, step) = (spec.lookup("init").unwrap(), spec.lookup("step").unwrap());
        let s1 = spec.successors(&spec.state0(), init).unwrap().remove(0).0;
        let inactive: Vec<usize> = (0..s1.len()).filter(|&v| !spec.compiled.active_vars[v]).collect();
        assert_eq!(inactive.len(), 1, "{s1:?}");
        let mut next = Vec::new();
        EnumeratingChooser::new().successor_states(&spec, &s1, step, None, &mut next).unwrap();
        assert_eq!(next.len(), 2);
        for s2 in &next {
            match (&s1[inactive[0]], &s2[inactive[0]]) {
                (Value::Tuple(a), Value::Tuple(b)) => assert!(Arc::ptr_eq(a, b) && a.is_empty()),
                other => panic!("not units: {other:?}"),
            }
        }
        assert_eq!(next, spec.successors(&s1, step).unwrap().into_iter().map(|(s, _)| s).collect::<Vec<_>>());
    }

    #[test]
    fn buffers_left_by_a_failed_run_do_not_change_the_next_state_successors() {
        // The run that divides by zero fails inside two nested calls; the same enumerator
        // then expands the other states as a fresh one does.
        let spec = Spec::from_text(
            "t.qnt",
            "module m { var x: int
               def inv(n) = 12 / n
               def twice(n) = inv(n) + inv(n)
               action init = nondet v = 0.to(3).oneOf() x' = v
               action step = any { x' = twice(x), x' = x + 1, all { x > 1, x' = 0 } } }",
            None,
        )
        .unwrap_or_else(|e| panic!("{:?}", e.diagnostics));
        let (init, step) = (spec.lookup("init").unwrap(), spec.lookup("step").unwrap());
        let initial: Vec<State> = spec.successors(&spec.state0(), init).unwrap().into_iter().map(|(s, _)| s).collect();
        let mut chooser = EnumeratingChooser::new();
        let mut failed = 0;
        for state in &initial {
            let mut got = Vec::new();
            match chooser.successor_states(&spec, state, step, None, &mut got) {
                Err(_) => failed += 1,
                Ok(()) => assert_eq!(got, spec.successors(state, step).unwrap().into_iter().map(|(s, _)| s).collect::<Vec<_>>()),
            }
        }
        assert_eq!(failed, 1, "only x = 0 divides by zero");
    }

    #[test]
    fn next_states_taken_at_tail_choices_save_the_replays() {
        // Two-phase commit's shape: an any of actions, one a nondet of an any of actions
        // called with the pick, and a guard in front of a choice (not in tail position) in
        // one of them, an error-free division on the way.
        let text = "module m { var x: int  var s: Set[int]
               action init = all { x' = 0, s' = Set() }
               action add(v) = all { not(s.contains(v)), x' = v, s' = s.union(Set(v)) }
               action drop(v) = all { s.contains(v), x' = 12 / v, s' = s.exclude(Set(v)) }
               action twice(v) = all { any { x' = v, x' = 2 * v }, s.contains(v), s' = s }
               action step = any {
                 all { s.size() > 2, x' = 0, s' = Set() },
                 nondet v = 1.to(4).oneOf() any { add(v), drop(v), twice(v) },
               } }";
        let ((compared, _), saved) = same_as_plain_with_tails(text);
        assert!(compared > 50 && saved > compared / 2, "{compared} next states compared, {saved} runs saved");
        let spec = Spec::from_text("t.qnt", text, None).unwrap_or_else(|e| panic!("{:?}", e.diagnostics));
        let step = spec.lookup("step").unwrap();
        let tails = Arc::new(Tails::of(&spec.analysis.program, step));
        // The step's any, the nondet and its any: not twice's, which a guard follows.
        assert_eq!(tails.len(), 3);
        let state: State = Arc::new(vec![Value::int(1), Value::Set(crate::set::SetValue::Explicit([Value::int(1), Value::int(3)].into_iter().collect()))]);
        let mut taker = EnumeratingChooser::new().with_tails(tails);
        let mut taken = Vec::new();
        taker.successor_states(&spec, &state, step, None, &mut taken).unwrap();
        // add 2, add 4, drop 1, drop 3, twice 1 (two), twice 3 (two). twice's inner any is
        // not in tail position: its first branch leaves the run to end open, once for each
        // pick (4 runs), and the last run takes its second branch for the last pick.
        assert_eq!(taken.len(), 8);
        assert_eq!(taker.runs(), 5, "{taken:?}");
        let mut plain = EnumeratingChooser::new();
        plain.successor_states(&spec, &state, step, None, &mut Vec::new()).unwrap();
        assert_eq!(plain.runs(), 11);
    }

    #[test]
    fn a_failing_visitor_ends_the_enumeration_with_its_error_with_or_without_tails() {
        let spec = Spec::from_text(
            "t.qnt",
            "module m { var x: int  var y: int
               action init = all { x' = 0, y' = 0 }
               action step = any { all { x' = 1, y' = y }, nondet v = 1.to(5).oneOf() all { x' = v, y' = v }, all { x' = x, y' = 1 / (y - y) } } }",
            None,
        )
        .unwrap_or_else(|e| panic!("{:?}", e.diagnostics));
        let (init, step) = (spec.lookup("init").unwrap(), spec.lookup("step").unwrap());
        let s0 = spec.successors(&spec.state0(), init).unwrap().remove(0).0;
        let tails = Arc::new(Tails::of(&spec.analysis.program, step));
        assert_eq!(tails.len(), 2);
        for mut chooser in [EnumeratingChooser::new(), EnumeratingChooser::new().with_tails(tails)] {
            // The visitor fails on the third next state: no fourth is handed over.
            let mut seen = Vec::new();
            let result = chooser.for_each_successor(&spec, &s0, step, None, |next| {
                seen.push(next.value(0).cloned());
                if seen.len() == 3 { Err(crate::eval::error(Span::default(), "enough")) } else { Ok(()) }
            });
            assert_eq!(result.map_err(|e| e.message), Err("enough".to_string()));
            assert_eq!(seen, vec![Some(Value::int(1)), Some(Value::int(1)), Some(Value::int(2))]);
            // Failing on the first: with tails, the nondet's choice after it stops the run.
            let mut calls = 0;
            let result = chooser.for_each_successor(&spec, &s0, step, None, |_| {
                calls += 1;
                Err(crate::eval::error(Span::default(), "first"))
            });
            assert_eq!((result.map_err(|e| e.message), calls), (Err("first".to_string()), 1));
            // The last branch divides by zero: an error after the six next states.
            let mut count = 0;
            let result = chooser.for_each_successor(&spec, &s0, step, None, |_| {
                count += 1;
                Ok(())
            });
            assert!(result.is_err_and(|e| e.message.contains("zero")));
            assert_eq!(count, 6);
        }
    }

    #[test]
    fn nested_picks_and_branches_agree_with_plain_enumeration() {
        let ((_, saved), _) = same_as_plain_with_tails(
            "module m { var x: int  var s: Set[int]
               action init = any { all { x' = 0, s' = Set() }, { nondet a = 1.to(3).oneOf() all { a > 1, x' = a, s' = Set(a) } } }
               action step = any {
                 { nondet a = 1.to(3).oneOf() nondet b = Set(a, a + 1).oneOf() any { all { b > a, x' = b, s' = s.union(Set(b)) }, all { s.contains(b), x' = 0, s' = s.exclude(Set(b)) } } },
                 all { x > 2, any { all { x' = x - 1, s' = s }, all { false, x' = x, s' = s } } },
                 { nondet c = s.oneOf() all { c == x, x' = c * 2, s' = s } },
               } }",
        );
        // Disabled bodies were moved past within runs rather than by new runs.
        assert!(saved > 10, "{saved} runs saved");
    }
}

/// The chooser of [`EnumeratingChooser::for_each_successor_in`]'s runs: the enumerator's
/// choices, and at the choices in tail position of the action (`tails`), each next state
/// handed to the visitor where it is made (see the module documentation). After the
/// visitor fails, the next choice stops the run (the error is the visitor's).
struct Taking<'e> {
    chooser: &'e mut EnumeratingChooser,
    tails: Option<&'e Tails>,
    visit: &'e RefCell<dyn FnMut(&mut [Option<Value>]) -> Result<(), Box<EvalError>> + 'e>,
    failure: &'e RefCell<Option<Box<EvalError>>>,
}

impl Chooser for Taking<'_> {
    fn choose(&mut self, choice: &Choice) -> Result<Tries, ChoiceError> {
        if self.failure.borrow().is_some() {
            return Err(ChoiceError::Stopped);
        }
        self.chooser.choose(choice)
    }

    fn retry(&mut self, choice: &Choice, tries: &mut Tries) -> bool {
        self.chooser.retry(choice, tries)
    }

    fn next_run(&mut self) -> bool {
        self.chooser.next_path()
    }

    fn choose_big(&mut self, choice: &Choice, size: &BigInt) -> Result<BigInt, ChoiceError> {
        self.chooser.choose_big(choice, size)
    }

    fn emit(&mut self, span: Span, next: &mut Next) -> bool {
        if !self.tails.is_some_and(|tails| tails.contains(span)) {
            return false;
        }
        if self.failure.borrow().is_none() {
            if let Err(e) = (self.visit.borrow_mut())(next.slots_to_take()) {
                *self.failure.borrow_mut() = Some(e);
            }
        }
        // What the visitor did not take (a next state seen before) goes now.
        next.clear();
        true
    }
}

/// Hands `visit` the next state whose assignments are `values`, after checking that every
/// active variable has one. Quint leaves a variable the step did not assign without a
/// value (an error where it is read); a checker's state needs every value. One pass over
/// the variables: an active one left unassigned, and the first inactive one assigned (a
/// caller that keeps only the active ones asks, instead of looking at every variable again).
fn visit_row<F>(compiled: &crate::compile::Compiled, def: DefId, parent: &State, values: &mut [Option<Value>], visit: &mut F) -> Result<(), Box<EvalError>>
where
    F: FnMut(NextState<'_>) -> Result<(), Box<EvalError>>,
{
    let mut outside = None;
    for (var, (value, &active)) in values.iter().zip(&compiled.active_vars).enumerate() {
        match (value.is_some(), active) {
            (false, true) => return Err(unassigned_error(compiled, def, var)),
            (true, false) if outside.is_none() => outside = Some(var),
            _ => {}
        }
    }
    visit(NextState { parent, values, outside })
}

/// The error of a step that leaves the state variable `var` without a value: the checker
/// and the oracle of model-based testing need every variable's value in a state.
fn unassigned_error(compiled: &crate::compile::Compiled, def: DefId, var: usize) -> Box<EvalError> {
    let program = &compiled.program;
    let name = program.vars.get(var).map(|v| v.name.as_str()).unwrap_or("?");
    let action = program.defs.get(def as usize);
    let span = action.map(|d| d.name_span).unwrap_or_default();
    let action = action.map(|d| d.name.as_str()).unwrap_or("the step");
    crate::eval::error(span, format!("`{action}` leaves the state variable `{name}` without a value; the checker needs a value for every variable (assign `{name}' = {name}` where it should stay the same)"))
}
