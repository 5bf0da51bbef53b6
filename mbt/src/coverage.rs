//! Coverage of a spec by generated traces: which named actions fired, which branches of
//! `any` were taken, and how many distinct states were reached. The *universe* of actions
//! and branches is read from the spec's definitions reachable from `init` and `step`, so a
//! report can say "5 of 6 branches" and name the missing one. Branches taken are observed
//! by [`Recorder`], a chooser that wraps another one and notes the branch of every `any` it
//! answers, forgetting the ones a retry undid (a disabled branch, or a branch under a pick
//! that was retried), so what it returns after a step is what the step took.
//!
//! A branch is named by its `any` (the actions its branches call, `_` for a branch that is
//! not a call of a named action) and its position; two `any`s over the same actions count as
//! one, which the engine cannot tell apart either.

use spec_analysis::ir::{Callee, DefId, Expr, ExprKind};
use spec_interpreter::set::SetValue;
use spec_interpreter::{Choice, ChoiceError, Chooser, Site, Spec, State, Step, Tries, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;

/// A branch of an `any`; see the module documentation.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Branch {
    /// The `any`, as `any{a, b, _}`.
    pub site: Arc<str>,
    /// The branch's position in it, from 0.
    pub index: u32,
}

impl fmt::Display for Branch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}[{}]", self.site, self.index)
    }
}

fn site_label<'a>(names: impl Iterator<Item = Option<&'a str>>) -> Arc<str> {
    let names: Vec<&str> = names.map(|n| n.unwrap_or("_")).collect();
    Arc::from(format!("any{{{}}}", names.join(", ")))
}

/// A chooser that records the branches of `any` taken; see the module documentation.
pub struct Recorder<C> {
    pub inner: C,
    taken: Vec<Branch>,
    /// Choices on the current path: an identity of the choice site, the length of `taken`
    /// before it, and its number of alternatives.
    frames: Vec<(usize, usize, u64)>,
    labels: HashMap<usize, Arc<str>>,
    /// The product of the numbers of alternatives of the choices on the last evaluation's
    /// path (an estimate of how many ways an enumeration has).
    last_product: u64,
}

impl<C: Chooser> Recorder<C> {
    pub fn new(inner: C) -> Recorder<C> {
        Recorder { inner, taken: Vec::new(), frames: Vec::new(), labels: HashMap::new(), last_product: 1 }
    }

    /// The branches taken since the last call (the last evaluation's, if it was enabled).
    pub fn take_branches(&mut self) -> Vec<Branch> {
        self.last_product = self.frames.iter().fold(1u64, |p, f| p.saturating_mul(f.2));
        self.frames.clear();
        std::mem::take(&mut self.taken)
    }

    /// The product of the numbers of alternatives of the choices on the path of the
    /// evaluation before the last `take_branches` (choices a retry undid left out): for
    /// choices made one after another (`nondet`s in a row), the number of ways an
    /// enumeration of it has.
    pub fn last_product(&self) -> u64 {
        self.last_product
    }

    /// The identity of a choice site while it is open: where its alternatives live.
    fn site_id(choice: &Choice) -> usize {
        match choice.site {
            Site::Branch { names } => names.as_ptr() as usize,
            Site::Pick { set, .. } => set as *const _ as usize,
            Site::Number => 0,
        }
    }

    fn note(&mut self, choice: &Choice, index: u64) {
        if let Site::Branch { names } = choice.site {
            let id = names.as_ptr() as usize;
            let site = self.labels.entry(id).or_insert_with(|| site_label(names.iter().map(|n| n.as_deref()))).clone();
            self.taken.push(Branch { site, index: u32::try_from(index).unwrap_or(u32::MAX) });
        }
    }
}

impl<C: Chooser> Chooser for Recorder<C> {
    fn choose(&mut self, choice: &Choice) -> Result<Tries, ChoiceError> {
        let tries = self.inner.choose(choice)?;
        self.frames.push((Self::site_id(choice), self.taken.len(), choice.size));
        self.note(choice, tries.current);
        Ok(tries)
    }

    fn retry(&mut self, choice: &Choice, tries: &mut Tries) -> bool {
        let again = self.inner.retry(choice, tries);
        let id = Self::site_id(choice);
        // The innermost open choice at this site is the one retried: undo what it and
        // everything after it recorded.
        if let Some(pos) = self.frames.iter().rposition(|(site, _, _)| *site == id) {
            self.taken.truncate(self.frames[pos].1);
            self.frames.truncate(pos + 1);
        }
        if again {
            self.note(choice, tries.current);
        }
        again
    }

    fn choose_big(&mut self, choice: &Choice, size: &num_bigint::BigInt) -> Result<num_bigint::BigInt, ChoiceError> {
        self.inner.choose_big(choice, size)
    }
}

/// The actions and branches a spec has, from `init` and `step`.
#[derive(Clone, Debug, Default)]
pub struct Universe {
    pub actions: BTreeSet<String>,
    pub branches: BTreeSet<Branch>,
}

impl Universe {
    /// The named actions under `any` and the branches of every `any` in the definitions
    /// reachable from `roots`.
    pub fn of(spec: &Spec, roots: &[DefId]) -> Universe {
        let program = &spec.analysis.program;
        let mut universe = Universe::default();
        let mut seen: HashSet<DefId> = HashSet::new();
        let mut defs: Vec<DefId> = roots.to_vec();
        while let Some(d) = defs.pop() {
            if !seen.insert(d) {
                continue;
            }
            let Some(body) = program.defs.get(d as usize).and_then(|def| def.body.as_ref()) else { continue };
            let mut exprs: Vec<&Expr> = vec![body];
            while let Some(e) = exprs.pop() {
                match &e.kind {
                    ExprKind::Call { callee: Callee::Builtin("actionAny"), args, .. } => {
                        let names: Vec<Option<&str>> = args.iter().map(|a| action_def(a).map(|d| program.defs[d as usize].name.as_str())).collect();
                        let site = site_label(names.iter().copied());
                        for (i, n) in names.iter().enumerate() {
                            universe.branches.insert(Branch { site: site.clone(), index: i as u32 });
                            if let Some(n) = n {
                                universe.actions.insert(n.to_string());
                            }
                        }
                    }
                    ExprKind::Call { callee: Callee::Def(d), .. } | ExprKind::Def(d) => defs.push(*d),
                    _ => {}
                }
                exprs.extend(e.children());
            }
        }
        universe
    }
}

/// The action a branch of `any` calls, as the engine names it.
fn action_def(e: &Expr) -> Option<DefId> {
    match &e.kind {
        ExprKind::Def(d) | ExprKind::Call { callee: Callee::Def(d), .. } => Some(*d),
        _ => None,
    }
}

/// A state's identity for coverage (a hash of its values).
pub fn state_key(state: &State) -> u64 {
    let mut h = DefaultHasher::new();
    state.hash(&mut h);
    h.finish()
}

fn hash_of<T: Hash + ?Sized>(value: &T) -> u64 {
    let mut h = DefaultHasher::new();
    value.hash(&mut h);
    h.finish()
}

/// The most elements of one set that count as features.
const SET_FEATURES: usize = 64;

/// The *value features* of a state: each variable's value, and one level inside it (each
/// entry of a map, each field of a record, each element of an explicit set). A state with a
/// feature not seen before is new in a way that a plain state hash cannot rank: a vote set
/// never seen, a participant in a phase it never reached.
pub fn value_features(state: &State) -> Vec<u64> {
    let mut out = Vec::new();
    for (i, v) in state.iter().enumerate() {
        out.push(hash_of(&(0u8, i, v)));
        match v {
            Value::Map(m) => out.extend(m.iter().map(|(k, v)| hash_of(&(1u8, i, k, v)))),
            Value::Record(fields) => out.extend(fields.iter().map(|(f, v)| hash_of(&(2u8, i, &**f, v)))),
            Value::Set(SetValue::Explicit(set)) => out.extend(set.iter().take(SET_FEATURES).map(|e| hash_of(&(3u8, i, e)))),
            _ => {}
        }
    }
    out
}

/// What the traces generated so far covered.
#[derive(Clone, Debug, Default)]
pub struct Coverage {
    pub universe: Universe,
    /// How often each action fired (every named action of a step, nested ones too).
    pub actions: BTreeMap<String, u64>,
    /// How often each branch was taken.
    pub branches: BTreeMap<Branch, u64>,
    /// The distinct states reached.
    pub states: HashSet<u64>,
    /// The value features seen (see [`value_features`]).
    pub values: HashSet<u64>,
    /// Steps recorded, init steps included.
    pub steps: u64,
    /// The steps after which every action and branch was covered, if that happened.
    pub full_after_steps: Option<u64>,
}

impl Coverage {
    pub fn new(universe: Universe) -> Coverage {
        Coverage { universe, ..Coverage::default() }
    }

    /// Notes a step that led to `state`, taking `branches`.
    pub fn record(&mut self, state: &State, step: &Step, branches: &[Branch]) {
        for a in &step.actions {
            *self.actions.entry(a.to_string()).or_insert(0) += 1;
        }
        for b in branches {
            *self.branches.entry(b.clone()).or_insert(0) += 1;
        }
        self.states.insert(state_key(state));
        self.values.extend(value_features(state));
        self.steps += 1;
        if self.full_after_steps.is_none() && self.is_full() {
            self.full_after_steps = Some(self.steps);
        }
    }

    pub fn action_count(&self, action: &str) -> u64 {
        self.actions.get(action).copied().unwrap_or(0)
    }

    pub fn branch_count(&self, branch: &Branch) -> u64 {
        self.branches.get(branch).copied().unwrap_or(0)
    }

    /// Every action and every branch of the universe has been taken.
    pub fn is_full(&self) -> bool {
        self.universe.actions.iter().all(|a| self.action_count(a) > 0) && self.universe.branches.iter().all(|b| self.branch_count(b) > 0)
    }

    pub fn summary(&self) -> Summary {
        Summary {
            actions: self.universe.actions.iter().filter(|a| self.action_count(a) > 0).count(),
            actions_total: self.universe.actions.len(),
            branches: self.universe.branches.iter().filter(|b| self.branch_count(b) > 0).count(),
            branches_total: self.universe.branches.len(),
            states: self.states.len(),
            missing_actions: self.universe.actions.iter().filter(|a| self.action_count(a) == 0).cloned().collect(),
            missing_branches: self.universe.branches.iter().filter(|b| self.branch_count(b) == 0).cloned().collect(),
        }
    }
}

/// Coverage in numbers, for reports.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub actions: usize,
    pub actions_total: usize,
    pub branches: usize,
    pub branches_total: usize,
    /// Distinct states reached.
    pub states: usize,
    pub missing_actions: Vec<String>,
    pub missing_branches: Vec<Branch>,
}

impl Summary {
    pub fn is_full(&self) -> bool {
        self.actions == self.actions_total && self.branches == self.branches_total
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "actions {}/{}, branches {}/{}, {} distinct states", self.actions, self.actions_total, self.branches, self.branches_total, self.states)?;
        if !self.missing_actions.is_empty() {
            write!(f, "; actions never taken: {}", self.missing_actions.join(", "))?;
        }
        if !self.missing_branches.is_empty() {
            let b: Vec<String> = self.missing_branches.iter().map(|b| b.to_string()).collect();
            write!(f, "; branches never taken: {}", b.join(", "))?;
        }
        Ok(())
    }
}
