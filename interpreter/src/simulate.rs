//! The random simulator: many samples, each `init` then up to `max_steps` steps, checking
//! invariants in every state. Each sample's seed is derived from the run seed and the
//! sample's index. Samples are judged in fixed blocks of [`BATCH`], in index order: the run
//! stops after the first block that holds a violation or an error, so the result does not
//! depend on the number of threads. They run in parallel in larger rounds (growing to
//! [`ROUND_MAX`] samples), because every round ends with the threads waiting for each other;
//! a sample in a block after one known to hold a violation is skipped.

use crate::compile::Compiled;
use crate::eval::{ErrorKind, EvalError, RandomChooser};
use crate::{Spec, State, Step};
use rayon::prelude::*;
use spec_analysis::ir::DefId;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

/// Samples per block: the unit of the verdict (the run stops after the first block with a
/// violation or an error, all of whose samples count).
pub const BATCH: u64 = 64;

/// The most samples run in parallel between two waits for every thread. Rounds start at one
/// block (an early violation is reported at once) and double. With rounds of one block, two
/// threads gave 1.6x one thread's speed on tic-tac-toe; with rounds of 512 samples, 1.85x.
pub const ROUND_MAX: u64 = 512;

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
    run_sample_with(spec, &spec.compiled, config, index, interrupt)
}

/// Runs one sample with `compiled`, a compilation of `spec`'s program (a thread's own copy).
fn run_sample_with(spec: &Spec, compiled: &Compiled, config: &Config, index: u64, interrupt: Option<&AtomicBool>) -> Sample {
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
    let mut ctx = crate::Ctx::new(compiled, spec.state0(), &mut chooser);
    ctx.interrupt = interrupt;
    // States that `then` commits inside `step` are part of the trace, as in Quint (they
    // count in its length; invariants are checked after each whole step). Quint's trace
    // starts at the state `init` ends in.
    ctx.intermediate = Some(Vec::new());
    for step_no in 0..=config.max_steps {
        let action = if step_no == 0 { config.init } else { config.step };
        if let Some(states) = &mut ctx.intermediate {
            states.clear();
        }
        match spec.step_in(&mut ctx, action) {
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
                break;
            }
            Err(e) => {
                sample.error = Some(e);
                return sample;
            }
        }
        for (name, inv) in &config.invariants {
            match spec.eval_in(&mut ctx, *inv) {
                Ok(crate::Value::Bool(true)) => {}
                Ok(_) => sample.violated.push(name.clone()),
                Err(e) => {
                    sample.error = Some(e);
                    return sample;
                }
            }
        }
        for (i, (_, w)) in config.witnesses.iter().enumerate() {
            if let Ok(crate::Value::Bool(true)) = spec.eval_in(&mut ctx, *w) {
                sample.witnessed[i] = true;
            }
        }
        if sample.is_violation() {
            break;
        }
    }
    sample
}

/// Progress, readable while a run goes on (for a progress bar).
#[derive(Default)]
pub struct Progress {
    pub samples: AtomicU64,
    pub steps: AtomicU64,
}

/// Runs the simulation on `threads` threads (0: all cores).
pub fn simulate(spec: &Spec, config: &Config, threads: usize, progress: &Progress, interrupt: &AtomicBool) -> Outcome {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).stack_size(16 * 1024 * 1024).build();
    let run = || run_batches(spec, config, progress, interrupt);
    match pool {
        Ok(pool) => pool.install(run),
        Err(_) => run(),
    }
}

fn run_batches(spec: &Spec, config: &Config, progress: &Progress, interrupt: &AtomicBool) -> Outcome {
    // Each worker thread compiles the program once for itself (see `Compiled::recompiled`).
    let own: Vec<std::sync::OnceLock<Compiled>> = (0..rayon::current_num_threads()).map(|_| std::sync::OnceLock::new()).collect();
    // One thread has nothing to share: it uses the spec's own compilation.
    let compiled_here = || match rayon::current_thread_index().and_then(|t| own.get(t)) {
        Some(slot) if own.len() > 1 => slot.get_or_init(|| spec.compiled.recompiled()),
        _ => &*spec.compiled,
    };
    let mut outcome = Outcome { min_length: usize::MAX, witness_counts: vec![0; config.witnesses.len()], ..Outcome::default() };
    let mut start = 0u64;
    let mut round = BATCH;
    // The first block in which some thread found a violation or an error.
    let first_bad_block = AtomicU64::new(u64::MAX);
    'rounds: while start < config.max_samples {
        if interrupt.load(Ordering::Relaxed) {
            outcome.interrupted = true;
            break;
        }
        let end = (start + round).min(config.max_samples);
        let ran: Vec<Option<(Tally, Option<Sample>)>> = (start..end)
            .into_par_iter()
            .map(|i| {
                if i / BATCH > first_bad_block.load(Ordering::Relaxed) {
                    return None;
                }
                let s = run_sample_with(spec, compiled_here(), config, i, Some(interrupt));
                progress.samples.fetch_add(1, Ordering::Relaxed);
                progress.steps.fetch_add(s.states.len().saturating_sub(1) as u64, Ordering::Relaxed);
                let tally = Tally::of(&s);
                let bad = s.is_violation() || (s.error.is_some() && !tally.interrupted);
                if bad {
                    first_bad_block.fetch_min(i / BATCH, Ordering::Relaxed);
                }
                // A trace travels back only when it may be reported; the others are
                // dropped here, on the thread whose allocator made them.
                let reportable = s.error.is_some() || s.is_violation() || config.keep_traces > 0;
                Some((tally, reportable.then_some(s)))
            })
            .collect();
        // Judged block by block: every sample of a block up to the first bad one has run
        // (only samples in later blocks are skipped).
        let count = ran.len();
        for (k, ran) in ran.into_iter().enumerate() {
            match ran {
                Some((tally, _)) if tally.interrupted => outcome.interrupted = true,
                Some((tally, sample)) => absorb(&mut outcome, tally, sample, config.keep_traces),
                None => {}
            }
            let block_done = (k + 1) % BATCH as usize == 0 || k + 1 == count;
            if block_done && (outcome.violation.is_some() || outcome.error.is_some() || outcome.interrupted) {
                break 'rounds;
            }
        }
        start = end;
        round = (round * 2).min(ROUND_MAX);
    }
    if outcome.min_length == usize::MAX {
        outcome.min_length = 0;
    }
    outcome
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
