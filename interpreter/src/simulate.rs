//! The random simulator: many samples, each `init` then up to `max_steps` steps, checking
//! invariants in every state. Each sample's seed is derived from the run seed and the
//! sample's index. Samples are judged in fixed blocks of [`BATCH`], in index order: the run
//! stops after the first block that holds a violation or an error, so the result does not
//! depend on the number of threads. Worker threads take sample indices from a counter and merge
//! their results in index order as they come (see [`Run`]): no thread waits for another at a
//! round's end; a sample after the end of a block known to hold a violation is not started.

use crate::compile::Compiled;
use crate::eval::{ErrorKind, EvalError, RandomChooser};
use crate::{Ctx, Scratch, Spec, State, Step};
use spec_analysis::ir::DefId;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

/// Samples per block: the unit of the verdict (the run stops after the first block with a
/// violation or an error, all of whose samples count).
pub const BATCH: u64 = 64;

#[derive(Clone, Debug)]
pub struct Config {
    pub init: DefId,
    pub step: DefId,
    /// Invariants by name and definition.
    pub invariants: Vec<(String, DefId)>,
    pub witnesses: Vec<(String, DefId)>,
    pub max_steps: usize,
    pub max_samples: u64,
    pub seed: u64,
    /// How many traces to keep (for `--out-itf`).
    pub keep_traces: usize,
}

/// One sampled execution.
#[derive(Clone, Debug)]
pub struct Sample {
    pub index: u64,
    pub seed: u64,
    pub states: Vec<State>,
    /// What each transition did (`steps[i]` led to `states[i]`; `steps[0]` is `init`).
    pub steps: Vec<Step>,
    /// Names of the invariants violated in the last state.
    pub violated: Vec<String>,
    /// The step became disabled before `max_steps`: no choice the random chooser tried
    /// enabled it (it tries every branch of `any` and every element of small `nondet` sets,
    /// as Quint does; a pick from a large set is not retried).
    pub deadlocked: bool,
    pub error: Option<Box<EvalError>>,
    /// Witnesses that held in some state of the sample.
    pub witnessed: Vec<bool>,
}

impl Outcome {
    /// The "average" trace length that Quint 0.33 prints for the same samples, in states: its
    /// simulator counts a trace that ended early twice, and a sample whose `init` was
    /// disabled as a trace of 0 states. With many early ends it is below the true mean
    /// (`steps / samples` + 1); given to compare with Quint's figure like for like.
    pub fn quint_average_length(&self) -> f64 {
        let states = self.steps + (self.samples - self.init_disabled);
        let doubled = self.deadlocked_steps + self.deadlocks;
        let entries = self.samples + self.deadlocks;
        if entries == 0 {
            return 0.0;
        }
        (states + doubled) as f64 / entries as f64
    }
}

impl Sample {
    pub fn is_violation(&self) -> bool {
        !self.violated.is_empty()
    }
}

#[derive(Debug, Default)]
pub struct Outcome {
    pub samples: u64,
    pub steps: u64,
    /// The shortest violation found, if any.
    pub violation: Option<Sample>,
    /// A runtime error, if one stopped the run.
    pub error: Option<Sample>,
    /// Samples in which `init` was disabled.
    pub init_disabled: u64,
    pub deadlocks: u64,
    /// The steps of the samples that ended early (step disabled), in all.
    pub deadlocked_steps: u64,
    pub min_length: usize,
    pub max_length: usize,
    pub witness_counts: Vec<u64>,
    /// How often each named action fired.
    pub coverage: BTreeMap<String, u64>,
    /// The kept traces (`keep_traces` of them): violations first, then the most diverse
    /// (see `keep.rs`).
    pub traces: Vec<Sample>,
    /// What `keep.rs` knows about the kept traces.
    pub diversity: crate::keep::Diversity,
    pub interrupted: bool,
}

/// The seed of sample `index` of a run with seed `seed` (splitmix64 of both).
pub fn sample_seed(seed: u64, index: u64) -> u64 {
    let mut z = seed ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15).wrapping_add(0x6A09_E667_F3BC_C909);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Runs one sample.
pub fn run_sample(spec: &Spec, config: &Config, index: u64, interrupt: Option<&AtomicBool>) -> Sample {
    run_sample_with(spec, &spec.compiled, config, index, interrupt, &mut Scratch::default())
}

/// Runs one sample with `compiled`, a compilation of `spec`'s program (a thread's own copy),
/// in a context built from `scratch`, the buffers the thread's previous sample left (its
/// registers, argument stack, ...: allocated, filled and freed once per thread rather than once
/// per sample); they are left there for the next one.
fn run_sample_with(spec: &Spec, compiled: &Compiled, config: &Config, index: u64, interrupt: Option<&AtomicBool>, scratch: &mut Scratch) -> Sample {
    let seed = sample_seed(config.seed, index);
    let mut chooser = RandomChooser::new(seed);
    let mut sample = Sample {
        index,
        seed,
        states: Vec::new(),
        steps: Vec::new(),
        violated: Vec::new(),
        deadlocked: false,
        error: None,
        witnessed: vec![false; config.witnesses.len()],
    };
    let mut ctx = crate::Ctx::with_scratch(compiled, spec.state0(), &mut chooser, std::mem::take(scratch));
    ctx.interrupt = interrupt;
    // States that `then` commits inside `step` are part of the trace, as in Quint (they
    // count in its length; invariants are checked after each whole step). Quint's trace
    // starts at the state `init` ends in.
    ctx.intermediate = Some(Vec::new());
    run_steps(spec, &mut ctx, config, &mut sample);
    *scratch = ctx.into_scratch();
    sample
}

/// `init`, then steps until `max_steps`, a disabled step, a violation or an error, each
/// recorded in `sample`.
fn run_steps(spec: &Spec, ctx: &mut Ctx, config: &Config, sample: &mut Sample) {
    for step_no in 0..=config.max_steps {
        let action = if step_no == 0 { config.init } else { config.step };
        if let Some(states) = &mut ctx.intermediate {
            states.clear();
        }
        match spec.step_in(ctx, action) {
            Ok(Some(step)) => {
                let intermediate = ctx.intermediate.as_mut().map(std::mem::take).unwrap_or_default();
                for state in intermediate.into_iter().filter(|_| step_no > 0) {
                    sample.states.push(state);
                    sample.steps.push(Step::default());
                }
                sample.states.push(ctx.state.clone());
                sample.steps.push(step);
            }
            Ok(None) => {
                sample.deadlocked = step_no > 0;
                return;
            }
            Err(e) => {
                sample.error = Some(e);
                return;
            }
        }
        for (name, inv) in &config.invariants {
            match spec.eval_in(ctx, *inv) {
                Ok(crate::Value::Bool(true)) => {}
                Ok(_) => sample.violated.push(name.clone()),
                Err(e) => {
                    sample.error = Some(e);
                    return;
                }
            }
        }
        for (i, (_, w)) in config.witnesses.iter().enumerate() {
            if let Ok(crate::Value::Bool(true)) = spec.eval_in(ctx, *w) {
                sample.witnessed[i] = true;
            }
        }
        if sample.is_violation() {
            return;
        }
    }
}

/// Progress, readable while a run goes on (for a progress bar).
#[derive(Default)]
pub struct Progress {
    pub samples: AtomicU64,
    pub steps: AtomicU64,
}

/// Runs the simulation on `threads` threads (0: all cores).
pub fn simulate(spec: &Spec, config: &Config, threads: usize, progress: &Progress, interrupt: &AtomicBool) -> Outcome {
    let threads = if threads == 0 { std::thread::available_parallelism().map_or(1, |n| n.get()) } else { threads };
    let threads = threads.clamp(1, usize::try_from(config.max_samples).unwrap_or(usize::MAX).max(1));
    let run = Run::new(config, interrupt);
    std::thread::scope(|scope| {
        let mut spawned = 0;
        for t in 0..threads {
            let run = &run;
            let worker = std::thread::Builder::new().name(format!("sample {t}")).stack_size(WORKER_STACK);
            // The first worker runs the spec's own compilation; every other one compiles the
            // program for itself (see `Compiled::recompiled`).
            if worker.spawn_scoped(scope, move || run.work(spec, t > 0, progress)).is_ok() {
                spawned += 1;
            }
        }
        if spawned == 0 {
            // No thread could be made: the samples run here, on the caller's stack.
            run.work(spec, false, progress);
        }
    });
    run.finish()
}

/// The stack of a worker thread: evaluation grows its stack by segments when it runs low, but
/// starts on this much.
const WORKER_STACK: usize = 16 * 1024 * 1024;

/// How far ahead of the merged samples a worker may start one: results that arrive before the
/// samples under them wait in memory (with their traces, when traces are kept), so a slow
/// sample holds at most this many finished ones back.
const AHEAD: u64 = 1024;

/// About how long the samples a worker takes at once run (see `Run::work`).
const CLAIM_TIME: std::time::Duration = std::time::Duration::from_millis(2);

/// The most samples a worker takes at once: below [`AHEAD`], so that the worker holding the
/// first unmerged sample never waits for room.
const CLAIM_MAX: u64 = 64;

/// A value alone on its cache line(s), so that writing it does not slow down reading its
/// neighbours on another core.
#[repr(align(128))]
struct CacheLine<T>(T);

/// A run shared by its workers. Each worker takes the next sample indices from a counter, runs
/// them, and merges their results in index order: there is no round at whose end the threads wait
/// for each other, so a thread that is slowed (by a long sample, or by the machine's other
/// work) holds up no other. The verdict is the same as merging the samples one after another.
struct Run<'a> {
    config: &'a Config,
    interrupt: &'a AtomicBool,
    /// The next sample index to take (on a cache line of its own: every claim writes it).
    next: CacheLine<AtomicU64>,
    /// No sample at or after this index starts: the end of the first block in which a
    /// violation or an error was found (every sample before it must still run), or the
    /// sample count; 0 once the verdict is merged.
    limit: AtomicU64,
    /// How many samples are merged (a copy of `Merge::merged`, read without the lock).
    merged: AtomicU64,
    merge: std::sync::Mutex<Merge>,
    /// Signalled when the merged samples advance, for workers that went too far ahead.
    room: std::sync::Condvar,
}

/// The results merged so far, and those that finished before an earlier sample.
struct Merge {
    outcome: Outcome,
    /// Samples `0..merged` are merged.
    merged: u64,
    /// Finished samples waiting for an earlier one, by index.
    waiting: BTreeMap<u64, (Tally, Option<Sample>)>,
    /// The verdict is in (a block with a violation or an error, or the run was interrupted):
    /// nothing more is merged.
    decided: bool,
    /// Workers waiting for `room`.
    sleepers: usize,
}

impl<'a> Run<'a> {
    fn new(config: &'a Config, interrupt: &'a AtomicBool) -> Run<'a> {
        Run {
            config,
            interrupt,
            next: CacheLine(AtomicU64::new(0)),
            limit: AtomicU64::new(config.max_samples),
            merged: AtomicU64::new(0),
            merge: std::sync::Mutex::new(Merge {
                outcome: Outcome { min_length: usize::MAX, witness_counts: vec![0; config.witnesses.len()], ..Outcome::default() },
                merged: 0,
                waiting: BTreeMap::new(),
                decided: false,
                sleepers: 0,
            }),
            room: std::sync::Condvar::new(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Merge> {
        // A worker that panicked leaves consistent counts behind (it panics outside the lock's
        // updates), and its panic is raised again when the threads are joined.
        self.merge.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Takes and runs samples until none is left to run.
    fn work(&self, spec: &Spec, own_compilation: bool, progress: &Progress) {
        // Wakes the others if this worker panics: they may be waiting for its sample.
        let _guard = StopOnPanic(self);
        let own = own_compilation.then(|| spec.compiled.recompiled());
        let compiled = own.as_ref().unwrap_or(&spec.compiled);
        // Samples taken at once: as many as run in about `CLAIM_TIME` (measured as the run
        // goes), so that short samples do not pay for a shared counter and the merge's lock
        // each, and long ones are not held back at the end of the run.
        let mut claim = 1u64;
        let mut done: Vec<(u64, Tally, Option<Sample>)> = Vec::new();
        let mut scratch = Scratch::default();
        loop {
            if self.interrupt.load(Ordering::Relaxed) {
                break;
            }
            let first = self.next.0.fetch_add(claim, Ordering::Relaxed);
            let end = first.saturating_add(claim).min(self.config.max_samples);
            if first >= self.limit.load(Ordering::Relaxed) || first >= end || !self.wait_for_room(end - 1) {
                break;
            }
            let started = std::time::Instant::now();
            let (mut samples, mut steps) = (0u64, 0u64);
            for i in first..end {
                // A violation found meanwhile (here or elsewhere) may make the rest useless.
                if i >= self.limit.load(Ordering::Relaxed) || self.interrupt.load(Ordering::Relaxed) {
                    break;
                }
                let s = run_sample_with(spec, compiled, self.config, i, Some(self.interrupt), &mut scratch);
                samples += 1;
                steps += s.states.len().saturating_sub(1) as u64;
                let tally = Tally::of(&s);
                if s.is_violation() || (s.error.is_some() && !tally.interrupted) {
                    self.limit.fetch_min((i / BATCH + 1) * BATCH, Ordering::Relaxed);
                }
                // A trace travels to the merge only when it may be reported; the others are
                // dropped here, on the thread whose allocator made them.
                let reportable = s.error.is_some() || s.is_violation() || self.config.keep_traces > 0;
                done.push((i, tally, reportable.then_some(s)));
            }
            progress.samples.fetch_add(samples, Ordering::Relaxed);
            progress.steps.fetch_add(steps, Ordering::Relaxed);
            self.offer(&mut done);
            if samples > 0 {
                let per_sample = started.elapsed() / u32::try_from(samples).unwrap_or(u32::MAX);
                claim = (CLAIM_TIME.as_nanos() / per_sample.as_nanos().max(1)).clamp(1, u128::from(CLAIM_MAX)) as u64;
            }
        }
    }

    /// Waits until sample `i` is less than [`AHEAD`] past the merged samples; false if the
    /// verdict came in meanwhile.
    fn wait_for_room(&self, i: u64) -> bool {
        if i < self.merged.load(Ordering::Acquire) + AHEAD {
            return true;
        }
        let mut m = self.lock();
        m.sleepers += 1;
        // The sample at `merged` was taken before `i`, in a claim that starts at it (a claim is
        // merged whole) and ends less than `CLAIM_MAX < AHEAD` past it: its worker did not
        // wait, and its merge wakes this one in time.
        while i >= m.merged + AHEAD && !m.decided {
            m = self.room.wait(m).unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        m.sleepers -= 1;
        !m.decided
    }

    /// Merges the results in `done` (emptied), and every waiting one that follows them, in
    /// index order.
    fn offer(&self, done: &mut Vec<(u64, Tally, Option<Sample>)>) {
        if done.is_empty() {
            return;
        }
        let mut guard = self.lock();
        let m = &mut *guard;
        if m.decided {
            done.clear();
            return;
        }
        for (i, tally, sample) in done.drain(..) {
            m.waiting.insert(i, (tally, sample));
        }
        let before = m.merged;
        while let Some((tally, sample)) = m.waiting.remove(&m.merged) {
            let index = m.merged;
            m.merged += 1;
            if tally.interrupted {
                m.outcome.interrupted = true;
            } else {
                absorb(&mut m.outcome, tally, sample, self.config.keep_traces);
            }
            // Judged block by block: a block with a violation or an error counts whole.
            let block_done = (index + 1) % BATCH == 0 || index + 1 == self.config.max_samples;
            if block_done && (m.outcome.violation.is_some() || m.outcome.error.is_some() || m.outcome.interrupted) {
                m.decided = true;
                m.waiting.clear();
                self.limit.store(0, Ordering::Relaxed);
                break;
            }
        }
        if m.merged != before {
            self.merged.store(m.merged, Ordering::Release);
            if m.sleepers > 0 {
                self.room.notify_all();
            }
        }
    }

    /// The outcome, once every worker has stopped.
    fn finish(self) -> Outcome {
        let interrupted = self.interrupt.load(Ordering::Relaxed);
        let m = self.merge.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut outcome = m.outcome;
        // Stopped before every sample ran and without a verdict: only an interruption does that.
        if !m.decided && m.merged < self.config.max_samples && interrupted {
            outcome.interrupted = true;
        }
        if outcome.min_length == usize::MAX {
            outcome.min_length = 0;
        }
        outcome
    }
}

/// Ends the run for every worker when the one that holds it panics (the panic itself is
/// raised again when the threads are joined).
struct StopOnPanic<'r, 'a>(&'r Run<'a>);

impl Drop for StopOnPanic<'_, '_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.limit.store(0, Ordering::Relaxed);
            let mut m = self.0.lock();
            m.decided = true;
            self.0.room.notify_all();
        }
    }
}

/// What one sample adds to the run's counts, taken on the thread that ran it.
struct Tally {
    /// The sample stopped because the run was interrupted: it counts for nothing.
    interrupted: bool,
    init_disabled: bool,
    steps: usize,
    deadlocked: bool,
    witnessed: Vec<bool>,
    /// How often each action fired (every action a step took, nested ones included), in
    /// order of first use.
    actions: Vec<(Arc<str>, u64)>,
}

impl Tally {
    fn of(s: &Sample) -> Tally {
        let mut actions: Vec<(Arc<str>, u64)> = Vec::new();
        // Every action a step took counts, the outer ones of nested `any`s too (`System` and
        // the `PassToken` inside it); a step that names one twice counts it once.
        for step in s.steps.iter().skip(1) {
            for (k, action) in step.actions.iter().enumerate() {
                if action.is_empty() || step.actions[..k].contains(action) {
                    continue;
                }
                match actions.iter_mut().find(|(a, _)| a == action) {
                    Some((_, n)) => *n += 1,
                    None => actions.push((action.clone(), 1)),
                }
            }
        }
        Tally {
            interrupted: s.error.as_ref().is_some_and(|e| e.kind == ErrorKind::Interrupted),
            init_disabled: s.states.is_empty() && s.error.is_none(),
            steps: s.states.len().saturating_sub(1),
            deadlocked: s.deadlocked,
            witnessed: s.witnessed.clone(),
            actions,
        }
    }
}

/// Adds a sample's tally to the outcome; `sample` is there when it may be reported (an error,
/// a violation, or traces are kept).
fn absorb(outcome: &mut Outcome, tally: Tally, sample: Option<Sample>, keep: usize) {
    outcome.samples += 1;
    if tally.init_disabled {
        outcome.init_disabled += 1;
    }
    outcome.steps += tally.steps as u64;
    outcome.min_length = outcome.min_length.min(tally.steps);
    outcome.max_length = outcome.max_length.max(tally.steps);
    if tally.deadlocked {
        outcome.deadlocks += 1;
        outcome.deadlocked_steps += tally.steps as u64;
    }
    for (i, w) in tally.witnessed.iter().enumerate() {
        if *w {
            outcome.witness_counts[i] += 1;
        }
    }
    for (action, n) in tally.actions {
        match outcome.coverage.get_mut(&*action) {
            Some(count) => *count += n,
            None => {
                outcome.coverage.insert(action.to_string(), n);
            }
        }
    }
    let Some(s) = sample else { return };
    if s.error.is_some() {
        if outcome.error.is_none() {
            outcome.error = Some(s);
        }
        return;
    }
    if s.is_violation() {
        let better = match &outcome.violation {
            None => true,
            Some(v) => (s.states.len(), s.index) < (v.states.len(), v.index),
        };
        if better {
            outcome.violation = Some(s.clone());
        }
    }
    crate::keep::offer(&mut outcome.traces, &mut outcome.diversity, s, keep);
}

/// The names of the actions directly under `any` in `step`, for coverage reports.
pub fn top_level_actions(spec: &Spec, step: DefId) -> Vec<String> {
    use spec_analysis::ir::{Callee, ExprKind};
    let program = &spec.analysis.program;
    let mut out = Vec::new();
    let mut stack: Vec<&spec_analysis::ir::Expr> = program.defs[step as usize].body.iter().collect();
    while let Some(e) = stack.pop() {
        match &e.kind {
            ExprKind::Call { callee: Callee::Builtin("actionAny"), args, .. } => {
                for a in args {
                    match &a.kind {
                        ExprKind::Def(d) | ExprKind::Call { callee: Callee::Def(d), .. } => out.push(program.defs[*d as usize].name.clone()),
                        _ => stack.push(a),
                    }
                }
            }
            ExprKind::Let { body, .. } | ExprKind::Nondet { body, .. } | ExprKind::LetPat { body, .. } => stack.push(body),
            _ => {}
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Shared, cancellable flag for Ctrl-C.
pub fn interrupt_flag() -> Arc<AtomicBool> {
    Arc::new(AtomicBool::new(false))
}

#[cfg(test)]
mod tests {
    use super::*;

    const WALK: &str = "
module walk {
  var x: int
  action init = x' = 0
  action up = { nondet d = 1.to(3).oneOf() x' = x + d }
  action down = x' = x - 1
  action step = any { up, down }
  val small = x < 9
  val any_x = x > -100
}";

    fn config(spec: &Spec, invariant: &str, samples: u64, keep: usize) -> Config {
        Config {
            init: spec.lookup("init").expect("init"),
            step: spec.lookup("step").expect("step"),
            invariants: vec![(invariant.to_string(), spec.lookup(invariant).expect("invariant"))],
            witnesses: vec![],
            max_steps: 12,
            max_samples: samples,
            seed: 5,
            keep_traces: keep,
        }
    }

    /// What a run reports, to compare runs on different thread counts.
    fn summary(o: &Outcome) -> (u64, u64, usize, usize, u64, Vec<(String, u64)>, Option<(u64, usize)>, Vec<u64>, bool) {
        let kept = o.traces.iter().map(|t| t.index).collect();
        let coverage = o.coverage.iter().map(|(k, v)| (k.clone(), *v)).collect();
        (o.samples, o.steps, o.min_length, o.max_length, o.deadlocks, coverage, o.violation.as_ref().map(|v| (v.index, v.states.len())), kept, o.interrupted)
    }

    #[test]
    fn any_thread_count_merges_the_same_samples_in_the_same_order() {
        let spec = Spec::from_text("walk.qnt", WALK, None).expect("spec");
        let stop = AtomicBool::new(false);
        // Kept traces depend on the order in which samples are offered; a violation on which
        // block holds it.
        for (invariant, samples) in [("any_x", 700), ("small", 3000)] {
            let c = config(&spec, invariant, samples, 3);
            let one = simulate(&spec, &c, 1, &Progress::default(), &stop);
            for threads in [2, 3, 7] {
                let many = simulate(&spec, &c, threads, &Progress::default(), &stop);
                assert_eq!(summary(&one), summary(&many), "{invariant}, {threads} threads");
            }
        }
        let one = simulate(&spec, &config(&spec, "small", 3000, 3), 1, &Progress::default(), &stop);
        assert!(one.violation.is_some(), "x < 9 is broken within 3000 samples");
    }

    #[test]
    fn a_sample_run_in_the_buffers_of_earlier_ones_equals_one_run_afresh() {
        // `small` is a value of the state: kept per state in the context's buffers, which
        // must not carry it over to the next sample's states.
        let spec = Spec::from_text("walk.qnt", WALK, None).expect("spec");
        let c = config(&spec, "small", 60, 0);
        let mut scratch = Scratch::default();
        for i in 0..c.max_samples {
            let reused = run_sample_with(&spec, &spec.compiled, &c, i, None, &mut scratch);
            let fresh = run_sample(&spec, &c, i, None);
            assert_eq!(reused.states, fresh.states, "sample {i}");
            assert_eq!(reused.violated, fresh.violated, "sample {i}");
            assert_eq!(reused.steps.iter().map(|s| &s.picks).collect::<Vec<_>>(), fresh.steps.iter().map(|s| &s.picks).collect::<Vec<_>>(), "sample {i}");
        }
    }

    #[test]
    fn an_interrupted_run_says_so_and_merges_nothing_after_it() {
        let spec = Spec::from_text("walk.qnt", WALK, None).expect("spec");
        let stop = AtomicBool::new(true);
        let outcome = simulate(&spec, &config(&spec, "any_x", 500, 0), 2, &Progress::default(), &stop);
        assert!(outcome.interrupted);
        assert_eq!(outcome.samples, 0);
    }

    #[test]
    fn a_worker_far_ahead_waits_for_the_samples_before_it() {
        // More samples than `AHEAD` on many threads: the merge keeps every one, in order.
        let spec = Spec::from_text("walk.qnt", WALK, None).expect("spec");
        let c = Config { max_steps: 2, ..config(&spec, "any_x", 3 * AHEAD + 5, 0) };
        let outcome = simulate(&spec, &c, 6, &Progress::default(), &AtomicBool::new(false));
        assert_eq!((outcome.samples, outcome.steps), (3 * AHEAD + 5, 2 * (3 * AHEAD + 5)));
    }
}
