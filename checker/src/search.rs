//! The breadth-first search and its verdicts (see the crate documentation for the order
//! that makes results independent of the thread count).

use crate::fingerprint::{combine, fingerprint, next_value_hash, value_hash, EntryHashes, VisitedHasher};
use crate::level::{Columns, Level, LevelCopy};
use crate::memo::Memo;
use crate::reads::variables_read;
use crate::visited::{Full, Room, Visited};
use rayon::prelude::*;
use spec_analysis::ir::DefId;
use spec_interpreter::choose::Tails;
use spec_interpreter::{Ctx, EnumeratingChooser, EvalError, Spec, State, Value};
use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::{Arc, Mutex, OnceLock};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// What to check: the actions that start and continue executions, the invariants (with the
/// names to show), and optionally a constraint (states where it is false are kept but not
/// explored further, as TLC's `CONSTRAINT`) and a view (states with the same view count as one).
#[derive(Clone, Debug)]
pub struct Model {
    pub init: DefId,
    pub step: DefId,
    pub invariants: Vec<(String, DefId)>,
    pub constraint: Option<DefId>,
    pub view: Option<DefId>,
}

/// Limits of one search. A search that reaches one ends with [`Verdict::Bounded`], never
/// with a claim that the invariants hold.
#[derive(Clone, Debug)]
pub struct Budget {
    /// The most steps from an initial state (initial states are at depth 0).
    pub max_depth: Option<usize>,
    /// The most distinct states.
    pub max_states: Option<u64>,
    pub max_time: Option<Duration>,
    /// Report a reachable state where the step is disabled (TLC's default).
    pub deadlock: bool,
    /// Worker threads; 0 means every core.
    pub threads: usize,
}

impl Default for Budget {
    fn default() -> Budget {
        Budget { max_depth: None, max_states: None, max_time: None, deadlock: true, threads: 0 }
    }
}

/// Which budget ended the search.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    Depth,
    States,
    Time,
    /// Stopped on request (Ctrl-C).
    Interrupted,
}

/// The answer of a search.
#[derive(Debug)]
pub enum Verdict {
    /// Every reachable state was explored and satisfies every invariant.
    Holds,
    /// A reachable state violates this invariant (the trace ends in it).
    Violation { invariant: String },
    /// A reachable state where the step is disabled (the trace ends in it).
    Deadlock,
    /// `init` is never enabled: there is nothing to check.
    NoInitialState,
    /// Evaluating the spec failed in a reachable state (the trace ends in it).
    Error(Box<EvalError>),
    /// A budget was reached first: no violation in the states explored, up to
    /// [`Stats::complete_depth`].
    Bounded(Stop),
}

/// Numbers of a search.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Stats {
    /// States told apart by fingerprint.
    pub distinct: u64,
    /// Successors computed, duplicates included (initial states count too).
    pub generated: u64,
    /// The deepest level reached.
    pub depth: usize,
    /// The deepest level explored completely (every state at it and above has been expanded).
    pub complete_depth: Option<usize>,
    /// States waiting to be expanded when the search ended.
    pub queue: usize,
    pub seconds: f64,
    /// The bytes the visited set had allocated when the search ended (at most 16 a distinct
    /// state; the frontier is not included).
    pub visited_bytes: u64,
}

impl Stats {
    /// TLC's optimistic estimate of the probability that two distinct states shared a
    /// fingerprint: `distinct * (generated - distinct) / 2^64`.
    pub fn collision_probability(&self) -> f64 {
        let n = self.distinct as f64;
        let m = self.generated as f64;
        (n * (m - n).max(0.0) / 2f64.powi(64)).min(1.0)
    }

    pub fn states_per_second(&self) -> f64 {
        if self.seconds > 0.0 { self.distinct as f64 / self.seconds } else { 0.0 }
    }
}

/// The result: the verdict, the numbers, and for a violation, deadlock or error in a state,
/// the fingerprints of the states from an initial one to it (rebuild it with [`crate::trace`]).
#[derive(Debug)]
pub struct Outcome {
    pub verdict: Verdict,
    pub stats: Stats,
    pub path: Option<Vec<u64>>,
}

/// Live counters for a progress display; the search updates them as it goes.
#[derive(Debug, Default)]
pub struct Progress {
    pub distinct: AtomicU64,
    pub generated: AtomicU64,
    pub depth: AtomicUsize,
    pub queue: AtomicUsize,
}

/// How many states of a level are expanded together (in parallel) before their successors
/// are merged into the visited set: bounds the successors held at once.
const CHUNK: usize = 1024;

/// What admitting a state gave.
enum Admission {
    /// Admitted, or seen before.
    Done,
    /// Not admitted: the visited set must grow first.
    NeedsRoom,
    /// The budget of states was reached first.
    Budget,
    /// The visited set is full.
    Full(Full),
}

/// How a level's expansion ended.
enum LevelEnd {
    /// Every state was expanded and its successors merged.
    Complete,
    /// The search was stopped (interrupt or time).
    Stopped,
    /// Expanding the state with this fingerprint failed.
    Error(Box<EvalError>, u64),
    /// The state with this fingerprint has no successor.
    Deadlock(u64),
    /// The budget of states was reached.
    Budget,
    Full(Full),
}

/// How merging (part of) a chunk ended.
enum Merged {
    /// Every successor of the chunk was merged.
    Chunk,
    /// The visited set must grow before the successor at the cursor.
    NeedsRoom,
    /// The level ends here.
    End(LevelEnd),
}

/// Where a merge stands in a chunk: the state, its next successor, and whether its
/// successors were counted.
#[derive(Default)]
struct Cursor {
    state: usize,
    successor: usize,
    counted: bool,
}

/// Adds a state to the visited set and to `fresh` unless it was seen before; or says that
/// the budget of states was reached first, or that the visited set must grow or is full
/// (the state is then not admitted).
#[allow(clippy::too_many_arguments)]
fn admit(visited: &Visited, budget: &Budget, stats: &mut Stats, depth: usize, parent: Option<u64>, fp: u64, values: &[Value], hashes: &[u64], fresh: &mut Level) -> Admission {
    if visited.contains(fp) {
        return Admission::Done;
    }
    if budget.max_states.is_some_and(|max| stats.distinct >= max) {
        stats.queue = fresh.len();
        stats.depth = depth;
        return Admission::Budget;
    }
    match visited.insert_shared(fp, parent) {
        Ok(_) => {}
        Err(Room::Needed) => return Admission::NeedsRoom,
        Err(Room::Full(full)) => {
            stats.queue = fresh.len();
            return Admission::Full(full);
        }
    }
    stats.distinct += 1;
    stats.depth = depth;
    fresh.push(fp, values, hashes);
    Admission::Done
}

/// What expanding one state gave.
enum Expansion {
    /// `generated` successors, of which these were not in the visited set when the chunk
    /// was expanded: their fingerprints, and the values and hashes of their variables (a
    /// row of [`Columns`] each).
    Successors { generated: usize, fingerprints: Vec<u64>, values: Vec<Value>, hashes: Vec<u64> },
    Error(Box<EvalError>),
    /// Not expanded: the search was stopped meanwhile.
    Skipped,
    /// Merged already (its values are gone).
    Merged,
}

/// One worker's reusable buffers: the enumerator (with its evaluation buffers), a chooser
/// for evaluating invariants and views, and room for hashes. A worker lives for one chunk
/// (`map_init` makes one per piece of a chunk a thread takes) and expands its states in
/// the frontier's order.
#[derive(Default)]
struct Worker {
    expander: EnumeratingChooser,
    evaluator: EnumeratingChooser,
    parent_hashes: Vec<u64>,
    hashes: Vec<u64>,
    /// The fingerprints this worker has met in this chunk (handed on, or found in the
    /// visited set). About four in five of
    /// the successors that pass the visited set are duplicates of others in the same chunk
    /// (sibling states reach the same states: 1.36 million pass it on two-phase commit with
    /// seven managers, for 296,448 distinct); a later one is dropped here rather than moved
    /// out, carried to the merge and looked up again there. The first one still reaches the
    /// merge, in order before the dropped ones, so the merge admits the same states with
    /// the same parents.
    emitted: HashSet<u64, VisitedHasher>,
    /// Hashes of map entries met before ([`EntryHashes`]).
    entries: EntryHashes,
    /// The state expanded last, whose allocation the next one reuses when nothing else
    /// holds it ([`Level::state_reusing`]).
    spare: Option<State>,
}

impl Worker {
    /// A worker whose enumerator takes the step's next states at its choices in tail
    /// position (`tails`), instead of replaying the run up to each.
    fn expanding(tails: &Arc<Tails>) -> Worker {
        Worker { expander: EnumeratingChooser::new().with_tails(tails.clone()), ..Worker::default() }
    }

    /// Evaluates `def` (without parameters) in `state`, with the worker's registers.
    fn eval(&mut self, spec: &Spec, state: &State, def: DefId) -> Result<Value, Box<EvalError>> {
        self.evaluator.restart();
        let scratch = self.expander.take_scratch();
        let mut ctx = Ctx::with_scratch(&spec.compiled, state.clone(), &mut self.evaluator, scratch);
        let result = spec.eval_in(&mut ctx, def);
        self.expander.put_scratch(ctx.into_scratch());
        result
    }
}

/// Searches every state reachable in `model` within `budget`. `interrupt` stops the search
/// (with [`Stop::Interrupted`]) at the next state.
pub fn check(spec: &Spec, model: &Model, budget: &Budget, progress: &Progress, interrupt: &AtomicBool) -> Outcome {
    // `stop` interrupts evaluation itself (one state's successors can take long): a watcher
    // sets it on the user's interrupt or when the time budget runs out.
    let stop = AtomicBool::new(false);
    let done = AtomicBool::new(false);
    let started = Instant::now();
    std::thread::scope(|scope| {
        scope.spawn(|| {
            while !done.load(Ordering::Relaxed) {
                let late = budget.max_time.is_some_and(|max| started.elapsed() >= max);
                if late || interrupt.load(Ordering::Relaxed) {
                    stop.store(true, Ordering::Relaxed);
                    break;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
        });
        let search = || Search::new(spec, model, budget, progress, interrupt, &stop).run();
        let outcome = match rayon::ThreadPoolBuilder::new().num_threads(budget.threads).build() {
            Ok(pool) => pool.install(search),
            Err(_) => search(),
        };
        done.store(true, Ordering::Relaxed);
        outcome
    })
}

struct Search<'a> {
    spec: &'a Spec,
    model: &'a Model,
    budget: &'a Budget,
    progress: &'a Progress,
    interrupt: &'a AtomicBool,
    /// Set when the search must stop (interrupt or time); evaluation polls it.
    stop: &'a AtomicBool,
    started: Instant,
    /// The fingerprints seen, each with a link to its parent's (at most 16 bytes a state).
    visited: Visited,
    /// The variables each invariant reads, then the constraint's.
    reads: Vec<Vec<usize>>,
    /// The variables that make a state (the main module's).
    columns: Columns,
    /// The results of each invariant, then the constraint, kept across levels.
    memos: Vec<Memo>,
    /// Each worker thread's own compilation of the program (when there are several).
    compiled: Vec<OnceLock<spec_interpreter::compile::Compiled>>,
    /// The step's choices in tail position.
    tails: Arc<Tails>,
    stats: Stats,
}

impl<'a> Search<'a> {
    fn new(spec: &'a Spec, model: &'a Model, budget: &'a Budget, progress: &'a Progress, interrupt: &'a AtomicBool, stop: &'a AtomicBool) -> Search<'a> {
        let program = &spec.analysis.program;
        let reads: Vec<Vec<usize>> = model.invariants.iter().map(|(_, def)| *def).chain(model.constraint).map(|def| variables_read(program, def)).collect();
        let columns = Columns::new(&spec.compiled.active_vars);
        // A property that reads every variable has a combination per state: nothing to keep.
        let memos = reads.iter().map(|vars| Memo::new(!columns.vars.iter().all(|v| vars.contains(v)))).collect();
        let tails = Arc::new(Tails::of(program, model.step));
        Search { spec, model, budget, progress, interrupt, stop, started: Instant::now(), visited: Visited::default(), reads, columns, memos, compiled: Vec::new(), tails, stats: Stats::default() }
    }

    fn run(mut self) -> Outcome {
        let initial = match self.spec.successors(&self.spec.state0(), self.model.init) {
            Ok(successors) => successors,
            Err(e) => return self.finish(Verdict::Error(e), Some(Vec::new())),
        };
        if initial.is_empty() {
            return self.finish(Verdict::NoInitialState, None);
        }
        self.stats.generated = initial.len() as u64;
        let mut worker = Worker::default();
        let mut fresh = Level::new(self.columns.clone());
        for (state, _) in initial {
            let hashes = column_hashes(&self.columns, &state);
            let fp = match self.fingerprint_of(&mut worker, &state, &hashes) {
                Ok(fp) => fp,
                Err(e) => return self.finish(Verdict::Error(e), Some(Vec::new())),
            };
            let values: Vec<Value> = self.columns.vars.iter().map(|&v| state.get(v).cloned().unwrap_or_else(Value::unit)).collect();
            let admission = loop {
                match admit(&self.visited, self.budget, &mut self.stats, 0, None, fp, &values, &hashes, &mut fresh) {
                    Admission::NeedsRoom => {
                        if let Err(full) = self.visited.grow() {
                            break Admission::Full(full);
                        }
                    }
                    other => break other,
                }
            };
            match admission {
                Admission::Done | Admission::NeedsRoom => {}
                Admission::Budget => return self.finish_checked(fresh, Verdict::Bounded(Stop::States)),
                Admission::Full(full) => return self.finish(Verdict::Error(self.full_error(full)), None),
            }
        }
        self.progress.distinct.store(self.stats.distinct, Ordering::Relaxed);
        let mut frontier = match self.check_fresh(fresh) {
            Ok(frontier) => frontier,
            Err(outcome) => return outcome,
        };
        let mut depth = 0;
        // With several threads, each reads its own copies of the level's values (and keeps
        // its strings from level to level).
        let copies: Vec<Mutex<LevelCopy>> = match rayon::current_num_threads() {
            threads if threads > 1 => (0..threads).map(|_| Mutex::default()).collect(),
            _ => Vec::new(),
        };
        loop {
            if frontier.is_empty() {
                return self.finish(Verdict::Holds, None);
            }
            self.stats.depth = depth;
            self.progress.depth.store(depth, Ordering::Relaxed);
            self.progress.queue.store(frontier.len(), Ordering::Relaxed);
            if let Some(stop) = self.stopped() {
                self.stats.queue = frontier.len();
                return self.finish(Verdict::Bounded(stop), None);
            }
            if self.budget.max_depth.is_some_and(|max| depth >= max) {
                self.stats.queue = frontier.len();
                self.stats.complete_depth = Some(depth);
                return self.finish(Verdict::Bounded(Stop::Depth), None);
            }
            // The level is expanded a chunk at a time, so that only one chunk's successors
            // are held at once; the visited set takes them in order.
            let mut fresh = Level::new(self.columns.clone());
            let threads = rayon::current_num_threads();
            if threads > 1 && self.compiled.len() != threads {
                self.compiled = (0..threads).map(|_| OnceLock::new()).collect();
            }
            let mut stats = std::mem::take(&mut self.stats);
            let end = self.expand_level(&frontier, depth, &copies, &mut stats, &mut fresh);
            self.stats = stats;
            match end {
                LevelEnd::Complete => {}
                LevelEnd::Stopped => {
                    self.stats.queue = frontier.len();
                    let stop = self.stopped().unwrap_or(Stop::Interrupted);
                    return self.finish(Verdict::Bounded(stop), None);
                }
                LevelEnd::Error(e, fp) => return self.finish(Verdict::Error(e), Some(self.path_to(fp))),
                LevelEnd::Deadlock(fp) => return self.finish(Verdict::Deadlock, Some(self.path_to(fp))),
                LevelEnd::Budget => return self.finish_checked(fresh, Verdict::Bounded(Stop::States)),
                LevelEnd::Full(full) => return self.finish(Verdict::Error(self.full_error(full)), None),
            }
            self.stats.complete_depth = Some(depth);
            drop(frontier);
            frontier = match self.check_fresh(fresh) {
                Ok(frontier) => frontier,
                Err(outcome) => return outcome,
            };
            depth += 1;
        }
    }

    /// Expands the level `frontier` (at `depth`) a chunk at a time and merges the successors
    /// into the visited set and `fresh`, in order. The merge of a chunk runs while the next
    /// chunk is expanded (`rayon::join`): on one thread one after the other, as before; on
    /// several, the workers expand the next chunk while one thread merges, instead of
    /// waiting for it. Workers that read the visited set while the merge inserts may miss
    /// a state just added and hand it on: the merge, which alone decides, drops it.
    fn expand_level(&mut self, frontier: &Level, depth: usize, copies: &[Mutex<LevelCopy>], stats: &mut Stats, fresh: &mut Level) -> LevelEnd {
        let chunks: Vec<Range<usize>> = (0..frontier.len()).step_by(CHUNK).map(|start| start..(start + CHUNK).min(frontier.len())).collect();
        let expand_chunk = |search: &Search, chunk: &Range<usize>| -> Vec<Expansion> { chunk.clone().into_par_iter().map_init(|| Worker::expanding(&search.tails), |worker, i| search.expand(worker, frontier, copies, i)).collect() };
        let mut next = chunks.first().map(|chunk| expand_chunk(self, chunk));
        for (c, chunk) in chunks.iter().enumerate() {
            let Some(mut expansions) = next.take() else { break };
            // Room for the chunk's new states now, when growing now keeps the memory bound,
            // rather than a stop of the merge while the next chunk is expanded.
            let coming = expansions.iter().map(|e| if let Expansion::Successors { fingerprints, .. } = e { fingerprints.len() } else { 0 }).sum();
            self.visited.grow_before(coming);
            let mut cursor = Cursor::default();
            let search = &*self;
            let (mut merged, following) = rayon::join(
                || search.merge(frontier, chunk.start, depth, &mut expansions, &mut cursor, stats, fresh),
                || chunks.get(c + 1).map(|following| expand_chunk(search, following)),
            );
            // The table is full: it grows now that no worker reads it, and the merge goes on.
            while matches!(merged, Merged::NeedsRoom) {
                if let Err(full) = self.visited.grow() {
                    return LevelEnd::Full(full);
                }
                merged = self.merge(frontier, chunk.start, depth, &mut expansions, &mut cursor, stats, fresh);
            }
            if let Merged::End(end) = merged {
                return end;
            }
            next = following;
            self.progress.generated.store(stats.generated, Ordering::Relaxed);
            self.progress.distinct.store(stats.distinct, Ordering::Relaxed);
        }
        LevelEnd::Complete
    }

    /// Merges the expansions of the chunk of `frontier` that starts at `start`, from
    /// `cursor` on (see [`Merged`]).
    #[allow(clippy::too_many_arguments)]
    fn merge(&self, frontier: &Level, start: usize, depth: usize, expansions: &mut [Expansion], cursor: &mut Cursor, stats: &mut Stats, fresh: &mut Level) -> Merged {
        let width = self.columns.vars.len();
        while let Some(expansion) = expansions.get_mut(cursor.state) {
            let fp = frontier.fingerprint(start + cursor.state);
            match expansion {
                Expansion::Skipped => return Merged::End(LevelEnd::Stopped),
                Expansion::Merged => {}
                Expansion::Error(e) => return Merged::End(LevelEnd::Error(e.clone(), fp)),
                Expansion::Successors { generated, fingerprints, values, hashes } => {
                    if !cursor.counted {
                        if *generated == 0 && self.budget.deadlock {
                            return Merged::End(LevelEnd::Deadlock(fp));
                        }
                        stats.generated += *generated as u64;
                        cursor.counted = true;
                    }
                    while let Some(&child) = fingerprints.get(cursor.successor) {
                        let row = cursor.successor * width..(cursor.successor + 1) * width;
                        match admit(&self.visited, self.budget, stats, depth + 1, Some(fp), child, &values[row.clone()], &hashes[row], fresh) {
                            Admission::Done => cursor.successor += 1,
                            Admission::NeedsRoom => return Merged::NeedsRoom,
                            Admission::Budget => return Merged::End(LevelEnd::Budget),
                            Admission::Full(full) => return Merged::End(LevelEnd::Full(full)),
                        }
                    }
                }
            }
            // Done with this state: its successors' values go now.
            *expansion = Expansion::Merged;
            *cursor = Cursor { state: cursor.state + 1, ..Cursor::default() };
        }
        Merged::Chunk
    }

    /// The error that ends a search whose visited set is full: it names the limit (a wrong
    /// answer is never given instead).
    fn full_error(&self, full: Full) -> Box<EvalError> {
        let span = self.spec.analysis.program.defs[self.model.step as usize].name_span;
        spec_interpreter::eval::error(span, format!("the visited set is full: `spec check` keeps at most {} distinct states (its parent links are 32-bit); bound the search with --max-states, --max-depth or --constraint", full.limit))
    }

    /// Checks the invariants (and the constraint) in the states just admitted, in parallel,
    /// and returns those to explore next; or the outcome of the first (in order) that
    /// violates an invariant or fails. Each property is evaluated once per distinct
    /// combination of the values of the variables it reads ([`crate::reads`]); the result
    /// of a state is that of its combination, so the first failure in order is the same
    /// as when every state is evaluated.
    fn check_fresh(&mut self, mut fresh: Level) -> Result<Level, Outcome> {
        let properties: Vec<DefId> = self.model.invariants.iter().map(|(_, def)| *def).chain(self.model.constraint).collect();
        let mut classes: Vec<Vec<u32>> = Vec::with_capacity(properties.len());
        let mut results: Vec<Vec<Result<bool, Box<EvalError>>>> = Vec::with_capacity(properties.len());
        for (p, def) in properties.iter().enumerate() {
            let reads = &self.reads[p];
            let mut first_of: HashMap<Vec<u32>, u32, VisitedHasher> = HashMap::default();
            let mut representatives: Vec<usize> = Vec::new();
            let mut class_of = Vec::with_capacity(fresh.len());
            let mut key = Vec::with_capacity(reads.len());
            for i in 0..fresh.len() {
                fresh.indices(i, reads, &mut key);
                let class = match first_of.get(&key) {
                    Some(&class) => class,
                    None => {
                        representatives.push(i);
                        let class = (representatives.len() - 1) as u32;
                        first_of.insert(key.clone(), class);
                        class
                    }
                };
                class_of.push(class);
            }
            // Results kept from earlier levels; the others are evaluated (in parallel) and kept.
            let mut known: Vec<Option<Result<bool, Box<EvalError>>>> = Vec::with_capacity(representatives.len());
            let mut pending: Vec<(usize, u64, Vec<Value>)> = Vec::new();
            for (class, &i) in representatives.iter().enumerate() {
                if !self.memos[p].enabled() {
                    known.push(None);
                    pending.push((class, 0, Vec::new()));
                    continue;
                }
                let mut values = Vec::with_capacity(reads.len());
                let hash = fresh.values_of(i, reads, &mut values);
                match self.memos[p].get(hash, &values) {
                    Some(result) => known.push(Some(Ok(result))),
                    None => {
                        known.push(None);
                        pending.push((class, hash, values));
                    }
                }
            }
            let level = &fresh;
            let evaluated: Vec<Result<bool, Box<EvalError>>> = pending.par_iter().map_init(Worker::default, |worker, (class, _, _)| self.holds(worker, &level.state(representatives[*class]), *def)).collect();
            for ((class, hash, values), result) in pending.into_iter().zip(evaluated) {
                if let Ok(holds) = result {
                    self.memos[p].insert(hash, values, holds);
                }
                known[class] = Some(result);
            }
            let span = self.spec.analysis.program.defs[*def as usize].name_span;
            results.push(known.into_iter().map(|r| r.unwrap_or_else(|| Err(spec_interpreter::eval::error(span, "internal error: a property was not evaluated")))).collect());
            classes.push(class_of);
        }
        let invariants = self.model.invariants.len();
        let mut explore = Vec::with_capacity(fresh.len());
        for i in 0..fresh.len() {
            let result = |p: usize| &results[p][classes[p][i] as usize];
            for (p, (name, _)) in self.model.invariants.iter().enumerate() {
                match result(p) {
                    Ok(true) => {}
                    Ok(false) => return Err(self.finish(Verdict::Violation { invariant: name.clone() }, Some(self.path_to(fresh.fingerprint(i))))),
                    Err(e) => return Err(self.finish(Verdict::Error(e.clone()), Some(self.path_to(fresh.fingerprint(i))))),
                }
            }
            match self.model.constraint.map(|_| result(invariants)) {
                None => explore.push(true),
                Some(Ok(keep)) => explore.push(*keep),
                Some(Err(e)) => return Err(self.finish(Verdict::Error(e.clone()), Some(self.path_to(fresh.fingerprint(i))))),
            }
        }
        fresh.retain(&explore);
        Ok(fresh)
    }

    /// When the states budget ends a level part-way, the states admitted so far are still
    /// checked: a violation among them is reported rather than hidden by the budget.
    fn finish_checked(&mut self, admitted: Level, verdict: Verdict) -> Outcome {
        match self.check_fresh(admitted) {
            Ok(_) => self.finish(verdict, None),
            Err(outcome) => outcome,
        }
    }

    /// The successors of state `i` of the frontier that are not in the visited set yet, with
    /// their fingerprints and variable hashes. A next state is looked at before it is built:
    /// an unchanged variable's hash is the parent's, and a state already visited is never
    /// built.
    fn expand(&self, worker: &mut Worker, frontier: &Level, copies: &[Mutex<LevelCopy>], i: usize) -> Expansion {
        if self.stopped().is_some() {
            return Expansion::Skipped;
        }
        let thread = rayon::current_thread_index();
        let copy = thread.and_then(|t| copies.get(t));
        // Each thread runs its own compilation, so that cloning the program's constants does
        // not pass reference counts between cores either. Its copies of the states take its
        // strings, first those of its initial states (`rmState`'s keys and "working").
        let compiled = match thread.and_then(|t| self.compiled.get(t)) {
            Some(own) => {
                let mut made = false;
                let compiled = own.get_or_init(|| {
                    made = true;
                    self.spec.compiled.recompiled()
                });
                if let (true, Some(mut copy)) = (made, copy.and_then(|c| c.lock().ok())) {
                    self.adopt_initial_strings(compiled, &mut copy);
                }
                compiled
            }
            None => &*self.spec.compiled,
        };
        let (state, adopting) = match copy.and_then(|copy| copy.lock().ok()) {
            Some(mut copy) => (frontier.state_from(i, &mut copy, &mut worker.spare), copy.adopting()),
            None => (frontier.state_reusing(i, &mut worker.spare), false),
        };
        frontier.hashes(i, &mut worker.parent_hashes);
        let Worker { expander, evaluator, parent_hashes, hashes: own, emitted, entries, .. } = worker;
        let mut generated = 0;
        let (mut fingerprints, mut values, mut hashes) = (Vec::new(), Vec::new(), Vec::new());
        let columns = &self.columns;
        let result = expander.for_each_successor_in(self.spec, compiled, &state, self.model.step, Some(self.stop), |mut next| {
            generated += 1;
            // The kept columns are the program's active variables.
            if let Some(var) = next.assigned_outside() {
                return Err(outside_main_module(self.spec, self.model.step, var));
            }
            own.clear();
            own.extend(columns.vars.iter().enumerate().map(|(c, &v)| match (next.value(v), state.get(v)) {
                (Some(value), Some(old)) => next_value_hash(old, parent_hashes[c], value, entries),
                (Some(value), None) => value_hash(value),
                (None, _) => value_hash(&Value::unit()),
            }));
            match self.model.view {
                None => {
                    let fp = combine(own);
                    // A fingerprint met again in this chunk is dropped without a look at the
                    // visited set (the first time decided it).
                    if !emitted.insert(fp) || self.visited.contains(fp) {
                        return Ok(());
                    }
                    fingerprints.push(fp);
                    values.extend(columns.vars.iter().map(|&v| next.take(v)));
                }
                Some(view) => {
                    let built = next.build();
                    let fp = fingerprint(std::slice::from_ref(&view_value(self.spec, evaluator, &built, view)?));
                    // A fingerprint met again in this chunk is dropped without a look at the
                    // visited set (the first time decided it).
                    if !emitted.insert(fp) || self.visited.contains(fp) {
                        return Ok(());
                    }
                    fingerprints.push(fp);
                    values.extend(columns.vars.iter().map(|&v| built[v].clone()));
                }
            }
            hashes.extend_from_slice(own);
            Ok(())
        });
        worker.spare = Some(state);
        // The first next states of a level carry the thread's literals that are new in it
        // ("prepared" once a manager prepares, say), beside older copies (see
        // `LevelCopy::adopt_strings`): 2PC-5 at -j 2 did 4.9% fewer instructions with both
        // this and the initial states' strings adopted.
        if let (true, Some(mut copy)) = (adopting, copy.and_then(|c| c.lock().ok())) {
            values.iter().for_each(|v| copy.adopt_strings(v));
        }
        match result {
            Err(e) if e.kind == spec_interpreter::ErrorKind::Interrupted => Expansion::Skipped,
            Err(e) => Expansion::Error(e),
            Ok(()) => Expansion::Successors { generated, fingerprints, values, hashes },
        }
    }

    /// Adopts into a thread's `copy` the strings of the initial states as the thread's own
    /// `compiled` program makes them (see [`LevelCopy::adopt_strings`]); an error was met
    /// by the search already, and leaves the strings as they are.
    fn adopt_initial_strings(&self, compiled: &spec_interpreter::compile::Compiled, copy: &mut LevelCopy) {
        let _ = EnumeratingChooser::new().for_each_successor_in(self.spec, compiled, &self.spec.state0(), self.model.init, Some(self.stop), |next| {
            for &var in &self.columns.vars {
                if let Some(value) = next.value(var) {
                    copy.adopt_strings(value);
                }
            }
            Ok(())
        });
    }

    /// The fingerprint of `state` whose variables hash to `hashes`: of the view's value when
    /// the model has a view.
    fn fingerprint_of(&self, worker: &mut Worker, state: &State, hashes: &[u64]) -> Result<u64, Box<EvalError>> {
        match self.model.view {
            Some(view) => Ok(fingerprint(std::slice::from_ref(&worker.eval(self.spec, state, view)?))),
            None => Ok(combine(hashes)),
        }
    }

    fn holds(&self, worker: &mut Worker, state: &State, def: DefId) -> Result<bool, Box<EvalError>> {
        match worker.eval(self.spec, state, def)? {
            Value::Bool(b) => Ok(b),
            other => {
                let name = &self.spec.analysis.program.defs[def as usize].name;
                let span = self.spec.analysis.program.defs[def as usize].name_span;
                Err(spec_interpreter::eval::error(span, format!("`{name}` should be a Boolean, but it is {other}")))
            }
        }
    }

    fn stopped(&self) -> Option<Stop> {
        if self.interrupt.load(Ordering::Relaxed) {
            return Some(Stop::Interrupted);
        }
        let late = self.budget.max_time.is_some_and(|max| self.started.elapsed() >= max);
        if late || self.stop.load(Ordering::Relaxed) {
            return Some(Stop::Time);
        }
        None
    }

    /// The fingerprints from an initial state to `fp`.
    fn path_to(&self, fp: u64) -> Vec<u64> {
        self.visited.path_to(fp)
    }

    fn finish(&mut self, verdict: Verdict, path: Option<Vec<u64>>) -> Outcome {
        self.stats.seconds = self.started.elapsed().as_secs_f64();
        self.stats.visited_bytes = self.visited.allocated_bytes() as u64;
        Outcome { verdict, stats: self.stats.clone(), path }
    }
}

/// The hashes of the variables of `state` that `columns` keeps.
fn column_hashes(columns: &Columns, state: &State) -> Vec<u64> {
    columns.vars.iter().map(|&v| state.get(v).map_or_else(|| value_hash(&Value::unit()), value_hash)).collect()
}

/// A step assigned a variable of another module than the main one (an instance's original):
/// the checker keeps only the main module's variables, so it cannot go on soundly.
fn outside_main_module(spec: &Spec, step: DefId, var: usize) -> Box<EvalError> {
    let program = &spec.analysis.program;
    let name = program.vars.get(var).map_or("?", |v| v.name.as_str());
    spec_interpreter::eval::error(program.defs[step as usize].name_span, format!("the step assigns `{name}`, a variable outside the main module: `spec check` explores the main module's variables only"))
}

/// The value of the view `def` in `state`, evaluated with `chooser` (a worker's, while its
/// enumerator is busy).
fn view_value(spec: &Spec, chooser: &mut EnumeratingChooser, state: &State, def: DefId) -> Result<Value, Box<EvalError>> {
    chooser.restart();
    spec.eval_def(state, def, chooser)
}

/// The fingerprint of a state: of the view's value when the model has a view, else of the
/// whole state.
pub(crate) fn state_fingerprint(spec: &Spec, model: &Model, state: &State) -> Result<u64, Box<EvalError>> {
    match model.view {
        Some(view) => {
            let value = spec.eval_def(state, view, &mut EnumeratingChooser::new())?;
            Ok(fingerprint(std::slice::from_ref(&value)))
        }
        None => Ok(combine(&column_hashes(&Columns::new(&spec.compiled.active_vars), state))),
    }
}
