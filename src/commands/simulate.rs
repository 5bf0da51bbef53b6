//! `spec simulate`: random executions that check invariants in every state. Prints the
//! shortest violation found (state by state, changed variables marked), the seed that
//! reproduces the run, and a summary; writes ITF traces on request.

use super::eval::report_load_error;
use super::progress::with_progress;
use crate::report;
use spec_interpreter::render::{self, ItfOptions, TextStyle, Trace};
use spec_interpreter::simulate::{self, Config, Outcome, Progress, Sample};
use spec_interpreter::{render_error, RequestError, RunRequest, Spec};
use std::io::IsTerminal;
use std::sync::atomic::Ordering;
use std::time::Instant;

#[derive(clap::Args)]
pub struct Args {
    /// The spec file (.qnt).
    file: String,
    /// The module to simulate (default: the one named after the file, else the last).
    #[arg(long)]
    main: Option<String>,
    /// The action that starts each execution.
    #[arg(long, default_value = "init")]
    init: String,
    /// The action of each step.
    #[arg(long, default_value = "step")]
    step: String,
    /// An invariant to check in every state: a definition's name or an expression.
    #[arg(long, allow_hyphen_values = true)]
    invariant: Vec<String>,
    /// Several invariants by name.
    #[arg(long, num_args = 1..)]
    invariants: Vec<String>,
    /// Properties to count: how many executions reach a state where each holds.
    #[arg(long, num_args = 1..)]
    witnesses: Vec<String>,
    /// The most steps per execution.
    #[arg(long, default_value_t = 20)]
    max_steps: usize,
    /// The number of executions.
    #[arg(long, default_value_t = 10000)]
    max_samples: u64,
    /// The random seed (default: chosen at random and printed).
    #[arg(long)]
    seed: Option<u64>,
    /// Worker threads (default: all cores).
    #[arg(short = 'j', long, default_value_t = 0)]
    threads: usize,
    /// Write traces in ITF to files named by this pattern; `{seq}` is the trace number.
    #[arg(long)]
    out_itf: Option<String>,
    /// How many traces to write with --out-itf (violations first, shortest first).
    #[arg(long, default_value_t = 1)]
    n_traces: usize,
    /// Record `mbt::actionTaken` and `mbt::nondetPicks` in ITF traces.
    #[arg(long)]
    mbt: bool,
    /// State variables to leave out of the output.
    #[arg(long, num_args = 1..)]
    hide: Vec<String>,
    /// Print the result as JSON on stdout.
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args) -> u8 {
    let request = RunRequest {
        file: args.file.clone(),
        main: args.main.clone(),
        init: args.init.clone(),
        step: args.step.clone(),
        invariants: args.invariant.iter().chain(&args.invariants).cloned().collect(),
        witnesses: args.witnesses.clone(),
        constraint: None,
        view: None,
    };
    let (spec, resolved) = match request.resolve() {
        Ok(r) => r,
        Err(RequestError::Load(e)) => return report_load_error(&e),
        Err(e) => return report::usage_error(&e.to_string()),
    };
    let config = Config {
        init: resolved.init,
        step: resolved.step,
        invariants: resolved.invariants.iter().map(|p| (p.shown.clone(), p.def)).collect(),
        witnesses: resolved.witnesses.iter().map(|p| (p.shown.clone(), p.def)).collect(),
        max_steps: args.max_steps,
        max_samples: args.max_samples,
        seed: args.seed.unwrap_or_else(random_seed),
        keep_traces: if args.out_itf.is_some() { args.n_traces } else { 0 },
    };
    let interrupt = simulate::interrupt_flag();
    {
        let flag = interrupt.clone();
        let _ = ctrlc::set_handler(move || flag.store(true, Ordering::Relaxed));
    }
    let progress = Progress::default();
    let started = Instant::now();
    let outcome = with_progress(&progress, args.max_samples, !args.json, || simulate::simulate(&spec, &config, args.threads, &progress, &interrupt));
    let elapsed = started.elapsed().as_secs_f64();

    if let Some(pattern) = &args.out_itf {
        if let Err(e) = write_traces(&spec, &args, &config, &outcome, pattern) {
            return report::usage_error(&e);
        }
    }
    if args.json {
        print_json(&spec, &args, &config, &outcome, elapsed);
    } else {
        print_text(&spec, &args, &config, &outcome, elapsed);
    }
    if let Some(sample) = &outcome.error {
        if let Some(e) = &sample.error {
            if !args.json {
                eprint!("{}", render_error(&spec.sources, e));
            }
        }
        return report::RUNTIME;
    }
    if outcome.samples > 0 && outcome.init_disabled == outcome.samples {
        eprintln!("error: `{}` was never enabled: no execution could start", args.init);
        return report::RUNTIME;
    }
    if outcome.violation.is_some() {
        report::VERDICT_NO
    } else {
        report::OK
    }
}

fn random_seed() -> u64 {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(0);
    simulate::sample_seed(nanos, std::process::id() as u64) % 1_000_000_000_000
}

fn reproduce(args: &Args, seed: u64) -> String {
    let mut cmd = format!("spec simulate {}", args.file);
    if let Some(m) = &args.main {
        cmd += &format!(" --main {m}");
    }
    if args.init != "init" {
        cmd += &format!(" --init {}", args.init);
    }
    if args.step != "step" {
        cmd += &format!(" --step {}", args.step);
    }
    for inv in &args.invariant {
        cmd += &format!(" --invariant '{inv}'");
    }
    if !args.invariants.is_empty() {
        cmd += &format!(" --invariants {}", args.invariants.join(" "));
    }
    cmd += &format!(" --max-steps {} --max-samples {} --seed {seed}", args.max_steps, args.max_samples);
    cmd
}

/// Prints a trace state by state; changed variables are marked (bold on a terminal).
pub fn print_trace(spec: &Spec, sample: &Sample, init: &str, hide: &[String]) {
    let trace = Trace { states: &sample.states, steps: &sample.steps, init };
    print!("{}", render::text(spec, trace, TextStyle { color: std::io::stdout().is_terminal(), hide }));
}

fn print_text(spec: &Spec, args: &Args, config: &Config, outcome: &Outcome, elapsed: f64) {
    if let Some(v) = &outcome.violation {
        println!("An execution that violates {}:\n", v.violated.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", "));
        print_trace(spec, v, &args.init, &args.hide);
        println!("[violation] {} is false in state {} (found in sample {}, {} steps).", v.violated.join(", "), v.states.len() - 1, v.index + 1, v.states.len() - 1);
        println!("Reproduce with: {}", reproduce(args, config.seed));
    } else if outcome.error.is_none() {
        let checked = if config.invariants.is_empty() { "no invariant given".to_string() } else { format!("no violation of {}", config.invariants.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>().join(", ")) };
        println!("[ok] {checked} found in {} samples of up to {} steps.", outcome.samples, args.max_steps);
    }
    let rate = if elapsed > 0.0 { outcome.samples as f64 / elapsed } else { 0.0 };
    let mean = if outcome.samples > 0 { outcome.steps as f64 / outcome.samples as f64 } else { 0.0 };
    eprintln!("seed: {}", config.seed);
    eprintln!("samples: {}, steps: {}, {:.0} samples/s, {:.2}s", outcome.samples, outcome.steps, rate, elapsed);
    eprintln!("trace length: min {}, mean {:.1}, max {}", outcome.min_length, mean, outcome.max_length);
    if outcome.deadlocks > 0 {
        eprintln!("{} samples ended early: step disabled", outcome.deadlocks);
    }
    if outcome.init_disabled > 0 {
        eprintln!("{} samples could not start: {} disabled", outcome.init_disabled, args.init);
    }
    for ((name, _), count) in config.witnesses.iter().zip(&outcome.witness_counts) {
        eprintln!("witness {name}: {count} of {} samples", outcome.samples);
    }
    let actions = simulate::top_level_actions(spec, config.step);
    if !actions.is_empty() {
        let fired: Vec<String> = actions.iter().map(|a| format!("{a} {}", outcome.coverage.get(a).copied().unwrap_or(0))).collect();
        eprintln!("actions: {}", fired.join(", "));
        let never: Vec<&str> = actions.iter().filter(|a| !outcome.coverage.contains_key(*a)).map(|a| a.as_str()).collect();
        if !never.is_empty() {
            eprintln!("never fired: {}", never.join(", "));
        }
    }
    if outcome.interrupted {
        eprintln!("interrupted: the summary covers the samples finished so far");
    }
}

fn print_json(spec: &Spec, args: &Args, config: &Config, outcome: &Outcome, elapsed: f64) {
    let options = ItfOptions { source: &args.file, status: "violation", seed: config.seed, mbt: args.mbt, hide: &args.hide };
    let violation = outcome.violation.as_ref().map(|v| {
        let trace = Trace { states: &v.states, steps: &v.steps, init: &args.init };
        serde_json::json!({
            "invariants": v.violated,
            "sample": v.index,
            "trace": render::itf(spec, trace, &options),
        })
    });
    let error = outcome.error.as_ref().and_then(|s| s.error.as_ref()).map(|e| {
        let (line, column) = spec.sources.line_col(e.span);
        serde_json::json!({ "message": e.message, "file": spec.sources.name(e.span.file), "line": line, "column": column })
    });
    let status = if error.is_some() { "error" } else if violation.is_some() { "violation" } else { "ok" };
    let out = serde_json::json!({
        "status": status,
        "seed": config.seed,
        "samples": outcome.samples,
        "steps": outcome.steps,
        "seconds": elapsed,
        "deadlocks": outcome.deadlocks,
        "trace_length": { "min": outcome.min_length, "max": outcome.max_length },
        "coverage": outcome.coverage,
        "witnesses": config.witnesses.iter().zip(&outcome.witness_counts).map(|((n, _), c)| (n.clone(), *c)).collect::<std::collections::BTreeMap<_, _>>(),
        "violation": violation,
        "error": error,
        "interrupted": outcome.interrupted,
    });
    println!("{out}");
}

fn write_traces(spec: &Spec, args: &Args, config: &Config, outcome: &Outcome, pattern: &str) -> Result<(), String> {
    for (seq, sample) in outcome.traces.iter().enumerate() {
        let status = if sample.is_violation() { "violation" } else { "ok" };
        let options = ItfOptions { source: &args.file, status, seed: config.seed, mbt: args.mbt, hide: &args.hide };
        let json = render::itf(spec, Trace { states: &sample.states, steps: &sample.steps, init: &args.init }, &options);
        let path = if pattern.contains("{seq}") { pattern.replace("{seq}", &seq.to_string()) } else if seq == 0 { pattern.to_string() } else { format!("{pattern}.{seq}") };
        let text = serde_json::to_string_pretty(&json).map_err(|e| e.to_string())?;
        std::fs::write(&path, text).map_err(|e| format!("cannot write `{path}`: {e}"))?;
    }
    Ok(())
}
