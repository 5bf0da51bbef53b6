//! Where traces come from. Three strategies:
//!
//! - [`Strategy::Random`]: the simulator's traces (the random chooser with Quint's retries,
//!   one seed per sample derived from the run's seed: the same traces `spec simulate` samples).
//! - [`Strategy::CoverageGuided`]: at each step, the successors of the current state are
//!   enumerated with the engine's enumerating chooser (when every choice has at most
//!   [`CHOICE_LIMIT`] alternatives and there are at most [`MAX_PATHS`] ways to take the step;
//!   otherwise [`RANDOM_CANDIDATES`] random tries stand in for them), and the step taken is
//!   the one that takes the most actions and `any` branches not covered yet, then the one
//!   whose state has the most value features not seen yet (a variable's value, or an entry,
//!   field or element one level inside it: see `coverage::value_features`), then one that
//!   reaches a state not seen yet, then the one whose branches were taken least, ties
//!   broken by the sample's seed. Coverage carries over from trace to trace.
//! - [`Strategy::Transitions`]: when breadth-first search from the initial states closes
//!   within `max_states` states (every step enumerable), a set of traces that together take
//!   every transition (a state, the actions of a step, the next state) at least once: each
//!   trace is the shortest path to a transition not taken yet, then, greedily, transitions
//!   not taken yet from there, up to `max_steps` of them.
//!
//! Every strategy records coverage (see `coverage.rs`) of the traces it hands out.

use crate::coverage::{state_key, value_features, Branch, Coverage, Recorder, Universe};
use crate::runner::SpecTrace;
use spec_analysis::ir::DefId;
use spec_interpreter::simulate::sample_seed;
use spec_interpreter::{Chooser, Ctx, EnumeratingChooser, ErrorKind, EvalError, RandomChooser, Spec, State, Step};
use std::collections::{HashMap, HashSet, VecDeque};
use std::fmt;

/// How traces are generated; see the module documentation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Strategy {
    #[default]
    Random,
    CoverageGuided,
    Transitions,
}

impl std::str::FromStr for Strategy {
    type Err = String;
    fn from_str(s: &str) -> Result<Strategy, String> {
        match s {
            "random" => Ok(Strategy::Random),
            "coverage" | "coverage_guided" | "coverage-guided" => Ok(Strategy::CoverageGuided),
            "transitions" => Ok(Strategy::Transitions),
            other => Err(format!("unknown strategy `{other}` (expected random, coverage or transitions)")),
        }
    }
}

/// A choice with more alternatives than this is not enumerated (random tries instead).
pub const CHOICE_LIMIT: u64 = 64;
/// The most ways to take one step that are enumerated.
pub const MAX_PATHS: usize = 512;
/// Random tries of a step when its ways cannot be enumerated.
pub const RANDOM_CANDIDATES: usize = 16;
/// The default bound of the state space for [`Strategy::Transitions`].
pub const DEFAULT_MAX_STATES: usize = 20_000;

/// Why traces could not be generated.
#[derive(Debug)]
pub enum GenError {
    /// The spec failed while evaluating (a runtime error).
    Spec(Box<EvalError>),
    /// [`Strategy::Transitions`]: more than `limit` states.
    TooManyStates { limit: usize },
    /// [`Strategy::Transitions`]: a step has a choice too large to enumerate, or too many
    /// ways to be taken (`depth`: how far from an initial state).
    NotEnumerable { depth: usize },
}

impl fmt::Display for GenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GenError::Spec(e) => write!(f, "{}", e.message),
            GenError::TooManyStates { limit } => write!(f, "the state space has more than {limit} states: too large to cover every transition (raise max_states, or use the coverage-guided strategy)"),
            GenError::NotEnumerable { depth } => write!(
                f,
                "a step at depth {depth} has a choice with more than {CHOICE_LIMIT} alternatives, or more than {MAX_PATHS} ways to be taken: transitions cannot be enumerated (use the coverage-guided strategy)"
            ),
        }
    }
}

/// One way to take a step: the next state, what the step did, and the branches it took.
#[derive(Clone, Debug)]
pub struct Candidate {
    pub state: State,
    pub step: Step,
    pub branches: Vec<Branch>,
}

/// Runs `def` from `state` once with `chooser`: the candidate, if the action is enabled.
fn run_once<C: Chooser>(spec: &Spec, state: &State, def: DefId, chooser: &mut Recorder<C>) -> Result<Option<Candidate>, Box<EvalError>> {
    let mut ctx = Ctx::new(&spec.compiled, state.clone(), chooser);
    let result = spec.step_in(&mut ctx, def);
    let next = ctx.state.clone();
    drop(ctx);
    let branches = chooser.take_branches();
    Ok(result?.map(|step| Candidate { state: next, step, branches }))
}

/// Every way to take `def` from `state`, or `None` when there are too many to enumerate
/// (a choice with more than [`CHOICE_LIMIT`] alternatives, or more than [`MAX_PATHS`] ways).
pub fn enumerate(spec: &Spec, state: &State, def: DefId) -> Result<Option<Vec<Candidate>>, Box<EvalError>> {
    enumerate_within(spec, state, def, CHOICE_LIMIT, MAX_PATHS)
}

/// [`enumerate`] with other bounds.
pub fn enumerate_within(spec: &Spec, state: &State, def: DefId, choice_limit: u64, max_paths: usize) -> Result<Option<Vec<Candidate>>, Box<EvalError>> {
    let mut chooser = Recorder::new(EnumeratingChooser::with_limit(choice_limit));
    let mut out = Vec::new();
    for path in 0..max_paths {
        let first = path == 0;
        match run_once(spec, state, def, &mut chooser) {
            Ok(Some(c)) => out.push(c),
            Ok(None) => {}
            Err(e) if e.kind == ErrorKind::Choice => return Ok(None),
            Err(e) => return Err(e),
        }
        // The first path tells how many there are when the choices come one after another:
        // give up at once rather than after `max_paths` runs.
        if first && chooser.last_product() > max_paths as u64 {
            return Ok(None);
        }
        if !chooser.inner.next_path() {
            return Ok(Some(out));
        }
    }
    Ok(None)
}

/// A small deterministic generator for tie-breaks (splitmix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        sample_seed(self.0, 0)
    }
}

/// A trace with the `any` branches each of its steps took.
pub type Traced = (SpecTrace, Vec<Vec<Branch>>);
/// A planned trace: the trace, its steps' branches, and the seed that made it.
pub type Planned = (SpecTrace, Vec<Vec<Branch>>, u64);

/// A trace handed out, with the seed that generated it (0 for transition traces).
#[derive(Clone, Debug)]
pub struct Generated {
    pub trace: SpecTrace,
    pub seed: u64,
}

/// Generates traces of a spec by a strategy, recording their coverage.
pub struct Generator<'s> {
    spec: &'s Spec,
    init: DefId,
    step: DefId,
    strategy: Strategy,
    seed: u64,
    max_steps: usize,
    pub coverage: Coverage,
    /// The traces of [`Strategy::Transitions`] (or given ones), planned up front, with the
    /// seed that made each (0 for transition traces).
    plan: VecDeque<Planned>,
    /// Hand out the plan, whatever the strategy.
    planned: bool,
    /// Transitions of the state graph ([`Strategy::Transitions`]).
    pub transitions: usize,
}

impl<'s> Generator<'s> {
    pub fn new(spec: &'s Spec, init: DefId, step: DefId, strategy: Strategy, seed: u64, max_steps: usize, max_states: usize) -> Result<Generator<'s>, GenError> {
        let coverage = Coverage::new(Universe::of(spec, &[init, step]));
        let mut generator = Generator { spec, init, step, strategy, seed, max_steps, coverage, plan: VecDeque::new(), planned: false, transitions: 0 };
        if strategy == Strategy::Transitions {
            let graph = Graph::explore(spec, init, step, max_states)?;
            generator.transitions = graph.edges.len();
            generator.plan = graph.covering_traces(max_steps).into_iter().map(|(t, b)| (t, b, 0)).collect();
            generator.planned = true;
        }
        Ok(generator)
    }

    /// A generator that hands out the given traces (with the branches of each step and the
    /// seed that made the trace), recording their coverage.
    pub fn from_traces(spec: &'s Spec, init: DefId, step: DefId, traces: Vec<Planned>) -> Generator<'s> {
        let coverage = Coverage::new(Universe::of(spec, &[init, step]));
        Generator { spec, init, step, strategy: Strategy::Random, seed: 0, max_steps: 0, coverage, plan: traces.into(), planned: true, transitions: 0 }
    }

    /// Trace number `index`; `None` when the strategy has no more (only planned traces
    /// end). An empty trace: `init` was disabled.
    pub fn next_trace(&mut self, index: u64) -> Result<Option<Generated>, GenError> {
        let seed = sample_seed(self.seed, index);
        let (trace, branches, seed) = match (self.planned, self.strategy) {
            (true, _) => match self.plan.pop_front() {
                Some(t) => t,
                None => return Ok(None),
            },
            (false, Strategy::CoverageGuided) => {
                let (t, b) = self.guided(seed).map_err(GenError::Spec)?;
                (t, b, seed)
            }
            (false, _) => {
                let (t, b) = self.random(seed).map_err(GenError::Spec)?;
                (t, b, seed)
            }
        };
        for ((state, step), branches) in trace.states.iter().zip(&trace.steps).zip(&branches) {
            self.coverage.record(state, step, branches);
        }
        Ok(Some(Generated { trace, seed }))
    }

    /// The simulator's sample with this seed (the same choices as `simulate::run_sample`).
    fn random(&self, seed: u64) -> Result<Traced, Box<EvalError>> {
        let mut chooser = Recorder::new(RandomChooser::new(seed));
        let mut out = (SpecTrace { states: Vec::new(), steps: Vec::new() }, Vec::new());
        let mut state = self.spec.state0();
        for step_no in 0..=self.max_steps {
            let def = if step_no == 0 { self.init } else { self.step };
            let Some(c) = run_once(self.spec, &state, def, &mut chooser)? else { break };
            state = c.state.clone();
            push(&mut out, c);
        }
        Ok(out)
    }

    fn guided(&self, seed: u64) -> Result<Traced, Box<EvalError>> {
        let mut rng = Rng(seed);
        let mut out = (SpecTrace { states: Vec::new(), steps: Vec::new() }, Vec::new());
        // Coverage of this trace so far counts too: it should not take the same branch twice
        // to cover what it already covered.
        let mut local = self.coverage.clone();
        let mut state = self.spec.state0();
        for step_no in 0..=self.max_steps {
            let def = if step_no == 0 { self.init } else { self.step };
            let candidates = match enumerate(self.spec, &state, def)? {
                Some(all) => all,
                None => {
                    let mut some = Vec::new();
                    for _ in 0..RANDOM_CANDIDATES {
                        let mut chooser = Recorder::new(RandomChooser::new(rng.next()));
                        if let Some(c) = run_once(self.spec, &state, def, &mut chooser)? {
                            some.push(c);
                        }
                    }
                    some
                }
            };
            let Some(best) = candidates.into_iter().map(|c| (score(&local, &c, rng.next()), c)).max_by(|a, b| a.0.cmp(&b.0)).map(|(_, c)| c) else { break };
            local.record(&best.state, &best.step, &best.branches);
            state = best.state.clone();
            push(&mut out, best);
        }
        Ok(out)
    }
}

fn push(out: &mut Traced, c: Candidate) {
    out.0.states.push(c.state);
    out.0.steps.push(c.step);
    out.1.push(c.branches);
}

/// How much a candidate step is worth to coverage (larger is better): new actions and
/// branches, new value features, a new state, rarely taken branches, then a random
/// tie-break.
fn score(coverage: &Coverage, c: &Candidate, tie: u64) -> (usize, usize, bool, std::cmp::Reverse<u64>, u64) {
    let mut new = 0;
    let mut seen_branches: HashSet<&Branch> = HashSet::new();
    let mut rarity = 0u64;
    for b in &c.branches {
        if seen_branches.insert(b) {
            let n = coverage.branch_count(b);
            if n == 0 {
                new += 1;
            }
            rarity = rarity.saturating_add(n);
        }
    }
    let mut seen_actions: HashSet<&str> = HashSet::new();
    for a in &c.step.actions {
        if seen_actions.insert(a) && coverage.action_count(a) == 0 {
            new += 1;
        }
    }
    let new_state = !coverage.states.contains(&state_key(&c.state));
    let mut features = value_features(&c.state);
    features.sort_unstable();
    features.dedup();
    let new_values = features.iter().filter(|f| !coverage.values.contains(f)).count();
    (new, new_values, new_state, std::cmp::Reverse(rarity), tie)
}

/// A transition of the state graph.
#[derive(Clone, Debug)]
struct Edge {
    /// `None`: from before `init`.
    from: Option<usize>,
    to: usize,
    step: Step,
    branches: Vec<Branch>,
}

/// The reachable state graph, explored breadth first.
struct Graph {
    states: Vec<State>,
    /// The edge that first reached each state (the breadth-first tree).
    parent: Vec<usize>,
    edges: Vec<Edge>,
    /// The edges out of each state.
    out: Vec<Vec<usize>>,
}

impl Graph {
    fn explore(spec: &Spec, init: DefId, step: DefId, max_states: usize) -> Result<Graph, GenError> {
        let mut graph = Graph { states: Vec::new(), parent: Vec::new(), edges: Vec::new(), out: Vec::new() };
        let mut index: HashMap<State, usize> = HashMap::new();
        let mut depth: Vec<usize> = Vec::new();
        let mut seen_edges: HashSet<(Option<usize>, usize, Vec<std::sync::Arc<str>>)> = HashSet::new();
        let mut queue: VecDeque<usize> = VecDeque::new();
        let mut expand = |graph: &mut Graph, from: Option<usize>, candidates: Vec<Candidate>, queue: &mut VecDeque<usize>, depth: &mut Vec<usize>| -> Result<(), GenError> {
            let d = from.map(|f| depth[f] + 1).unwrap_or(0);
            for c in candidates {
                let edge_id = graph.edges.len();
                let to = match index.get(&c.state) {
                    Some(&i) => i,
                    None => {
                        if graph.states.len() >= max_states {
                            return Err(GenError::TooManyStates { limit: max_states });
                        }
                        let i = graph.states.len();
                        index.insert(c.state.clone(), i);
                        graph.states.push(c.state.clone());
                        graph.parent.push(edge_id);
                        graph.out.push(Vec::new());
                        depth.push(d);
                        queue.push_back(i);
                        i
                    }
                };
                if !seen_edges.insert((from, to, c.step.actions.clone())) {
                    continue;
                }
                if let Some(f) = from {
                    graph.out[f].push(edge_id);
                }
                graph.edges.push(Edge { from, to, step: c.step, branches: c.branches });
            }
            Ok(())
        };
        let initial = enumerate(spec, &spec.state0(), init).map_err(GenError::Spec)?.ok_or(GenError::NotEnumerable { depth: 0 })?;
        expand(&mut graph, None, initial, &mut queue, &mut depth)?;
        while let Some(s) = queue.pop_front() {
            let state = graph.states[s].clone();
            let next = enumerate(spec, &state, step).map_err(GenError::Spec)?.ok_or(GenError::NotEnumerable { depth: depth[s] + 1 })?;
            expand(&mut graph, Some(s), next, &mut queue, &mut depth)?;
        }
        Ok(graph)
    }

    /// The edges from an initial state to `state` along the breadth-first tree.
    fn prefix(&self, state: usize) -> Vec<usize> {
        let mut path = Vec::new();
        let mut at = Some(state);
        while let Some(s) = at {
            let e = self.parent[s];
            path.push(e);
            at = self.edges[e].from;
        }
        path.reverse();
        path
    }

    /// Traces that together take every edge; see the module documentation.
    fn covering_traces(&self, max_steps: usize) -> Vec<Traced> {
        let mut covered = vec![false; self.edges.len()];
        let mut traces = Vec::new();
        for e in 0..self.edges.len() {
            if covered[e] {
                continue;
            }
            let mut path = match self.edges[e].from {
                Some(from) => self.prefix(from),
                None => Vec::new(),
            };
            path.push(e);
            let mut at = self.edges[e].to;
            for _ in 0..max_steps {
                let Some(&next) = self.out[at].iter().find(|&&n| !covered[n] && !path.contains(&n)) else { break };
                path.push(next);
                at = self.edges[next].to;
            }
            for &p in &path {
                covered[p] = true;
            }
            let mut trace = (SpecTrace { states: Vec::new(), steps: Vec::new() }, Vec::new());
            for &p in &path {
                let edge = &self.edges[p];
                push(&mut trace, Candidate { state: self.states[edge.to].clone(), step: edge.step.clone(), branches: edge.branches.clone() });
            }
            traces.push(trace);
        }
        traces
    }
}
