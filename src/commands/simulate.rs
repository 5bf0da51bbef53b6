//! `spec simulate`: random executions that check invariants in every state. Prints the
//! shortest violation found (state by state, changed variables marked), the seed that
//! reproduces the run, and a summary; writes ITF traces on request.

use super::progress::{with_progress, Display};
use super::signals;
use super::target::{Invariants, Target};
use crate::{out, outln, report};
use spec_interpreter::render::{self, ItfOptions, TextStyle, Trace};
use spec_interpreter::simulate::{self, Config, Outcome, Progress, Sample};
use spec_interpreter::{render_error, RunRequest, Spec};
use std::io::IsTerminal;
use std::sync::atomic::Ordering;
use std::time::Instant;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    target: Target,
    #[command(flatten)]
    props: Invariants,
    /// Properties to count: how many executions reach a state where each holds.
    #[arg(long, num_args = 1..)]
    witnesses: Vec<String>,
    /// The most steps per execution.
    #[arg(long, default_value_t = 20)]
    max_steps: usize,
    /// The number of executions.
    #[arg(long, default_value_t = 10000)]
    max_samples: u64,
    /// Stop after this many seconds, with the summary of the samples finished (exit 6: a
    /// bound, not a finished run).
    #[arg(long, value_name = "SECONDS", value_parser = positive_seconds)]
    max_seconds: Option<f64>,
    /// The random seed, in decimal or in hex as Quint prints it (default: chosen at random
    /// and printed).
    #[arg(long, value_parser = report::parse_seed)]
    seed: Option<u64>,
    /// Worker threads (default: all cores).
    #[arg(short = 'j', long, visible_alias = "n-threads", default_value_t = 0)]
    threads: usize,
    /// Write traces in ITF to files named by this pattern; `{seq}` is the trace number
    /// (without it and with --n-traces above 1, the number goes before the first dot).
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
    /// How much to print: 0 the verdict only, 1 and 2 the verdict, the trace and the
    /// statistics (the default), 3 and more the same (Quint's flag).
    #[arg(long, default_value_t = 2)]
    verbosity: u8,
    /// Accepted for Quint's command line: `typescript` or `rust` (both run this simulator).
    #[arg(long, value_parser = ["typescript", "rust"])]
    backend: Option<String>,
    /// Print the result as JSON on stdout.
    #[arg(long)]
    json: bool,
}

const COMMAND: &str = "simulate";

pub fn run(args: Args) -> u8 {
    let request = RunRequest { witnesses: args.witnesses.clone(), ..args.target.request(&args.props) };
    if args.max_samples == 0 {
        return report::fail(COMMAND, args.json, "--max-samples must be at least 1: no sample would run");
    }
    let (spec, resolved) = match request.resolve() {
        Ok(r) => r,
        Err(e) => return report::request_error(COMMAND, &e, args.json),
    };
    // The process ends after this command: freeing the program's compilation and tables
    // one by one would only delay the exit (ICS: 14M instructions).
    let spec = std::mem::ManuallyDrop::new(spec);
    if let Err(e) = report::check_hidden(&spec, &args.hide) {
        return report::fail(COMMAND, args.json, &e);
    }
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
    signals::install(interrupt.clone());
    if let Some(seconds) = args.max_seconds {
        signals::stop_after(seconds);
    }
    let progress = Progress::default();
    let started = Instant::now();
    let position = || progress.samples.load(Ordering::Relaxed);
    let display = Display::Bar { total: args.max_samples, template: "{bar:30} {pos}/{len} samples, {per_sec}, {elapsed}", position: &position };
    let outcome = with_progress(display, !args.json, || simulate::simulate(&spec, &config, args.threads, &progress, &interrupt));
    let elapsed = started.elapsed().as_secs_f64();

    if let Some(pattern) = &args.out_itf {
        if let Err(e) = write_traces(&spec, &args, &config, &outcome, pattern) {
            return report::fail(COMMAND, args.json, &e);
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
    if outcome.violation.is_none() && outcome.interrupted {
        return signals::exit_code();
    }
    if outcome.samples > 0 && outcome.init_disabled == outcome.samples {
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

/// A number of seconds: finite and above zero.
fn positive_seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(s) if s.is_finite() && s > 0.0 => Ok(s),
        _ => Err(format!("`{text}` is not a number of seconds above zero")),
    }
}

fn reproduce(args: &Args, seed: u64) -> String {
    let mut cmd = if report::program() == "quint" { format!("quint run {}", args.target.file) } else { format!("spec simulate {}", args.target.file) };
    if let Some(m) = &args.target.main {
        cmd += &format!(" --main {m}");
    }
    if args.target.init != "init" {
        cmd += &format!(" --init {}", args.target.init);
    }
    if args.target.step != "step" {
        cmd += &format!(" --step {}", args.target.step);
    }
    for inv in &args.props.invariant {
        cmd += &format!(" --invariant '{inv}'");
    }
    if !args.props.invariants.is_empty() {
        cmd += &format!(" --invariants {}", args.props.invariants.join(" "));
    }
    cmd += &format!(" --max-steps {} --max-samples {} --seed {seed}", args.max_steps, args.max_samples);
    // Budgets that were changed: the run depends on them (an error at a lower limit).
    let (limits, default) = (spec_syntax::Limits::current(), spec_syntax::Limits::default());
    for (flag, value, default) in [("--max-int-bits", limits.int_bits, default.int_bits), ("--max-set-elements", limits.set_elements, default.set_elements), ("--max-nesting", limits.nesting, default.nesting)] {
        if value != default {
            cmd += &format!(" {flag} {value}");
        }
    }
    cmd
}

/// Prints a trace state by state; changed variables are marked (bold on a terminal).
pub fn print_trace(spec: &Spec, sample: &Sample, init: &str, hide: &[String]) {
    let trace = Trace { states: &sample.states, steps: &sample.steps, init };
    out!("{}", render::text(spec, trace, TextStyle { color: std::io::stdout().is_terminal(), hide }));
}

fn print_text(spec: &Spec, args: &Args, config: &Config, outcome: &Outcome, elapsed: f64) {
    let verbose = args.verbosity >= 1;
    if let Some(v) = &outcome.violation {
        if verbose {
            outln!("An execution that violates {}:\n", v.violated.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", "));
            print_trace(spec, v, &args.target.init, &args.hide);
        }
        outln!("[violation] {} is false in state {} (found in sample {}, {} steps).", v.violated.join(", "), v.states.len() - 1, v.index + 1, v.states.len() - 1);
        outln!("Reproduce with: {}", reproduce(args, config.seed));
    } else if let Some(sample) = &outcome.error {
        let message = sample.error.as_ref().map_or("a runtime error", |e| e.message.as_str());
        outln!("[error] {message} (in sample {}, {} steps).", sample.index + 1, sample.states.len().saturating_sub(1));
        outln!("Reproduce with: {}", reproduce(args, config.seed));
    } else if outcome.interrupted {
        outln!("{} stopped by {} after {} of {} samples: no violation in those (this is not a finished run).", signals::marker(), signals::name(), outcome.samples, args.max_samples);
        outln!("Continue with: {}", reproduce(args, config.seed));
    } else if outcome.samples > 0 && outcome.init_disabled == outcome.samples {
        outln!("[error] `{}` was never enabled: no execution could start.", args.target.init);
    } else if config.invariants.is_empty() {
        outln!("[ok] {} samples of up to {} steps ran without a runtime error (no invariant was given).", outcome.samples, args.max_steps);
    } else {
        let names = config.invariants.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>().join(", ");
        outln!("[ok] no violation of {names} found in {} samples of up to {} steps.", outcome.samples, args.max_steps);
    }
    if !verbose {
        return;
    }
    let rate = if elapsed > 0.0 { outcome.samples as f64 / elapsed } else { 0.0 };
    let mean = if outcome.samples > 0 { outcome.steps as f64 / outcome.samples as f64 } else { 0.0 };
    eprintln!("seed: {} ({:#x})", config.seed, config.seed);
    eprintln!("samples: {}, steps: {}, {:.0} samples/s, {:.2}s", outcome.samples, outcome.steps, rate, elapsed);
    eprintln!("trace length: min {}, mean {:.1}, max {}", outcome.min_length, mean, outcome.max_length);
    if outcome.deadlocks > 0 {
        eprintln!("{} samples ended early: step disabled", outcome.deadlocks);
        eprintln!("(Quint counts those twice: for these samples it would print average={:.2} states)", outcome.quint_average_length());
    }
    if outcome.init_disabled > 0 {
        eprintln!("{} samples could not start: {} disabled", outcome.init_disabled, args.target.init);
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

/// The JSON document of a simulation (docs/json.md, `simulate`).
pub fn json_result(spec: &Spec, file: &str, (init, step): (&str, &str), mbt: bool, hide: &[String], config: &Config, outcome: &Outcome, elapsed: f64) -> serde_json::Value {
    let options = ItfOptions { source: file, status: "violation", seed: config.seed, mbt, hide, ran: vec![init, step] };
    let violation = outcome.violation.as_ref().map(|v| {
        let trace = Trace { states: &v.states, steps: &v.steps, init };
        serde_json::json!({
            "invariants": v.violated,
            "sample": v.index,
            "trace": render::itf(spec, trace, &options),
        })
    });
    let error_sample = outcome.error.as_ref();
    let error = error_sample.and_then(|s| s.error.as_ref()).map(|e| {
        let (line, column) = spec.sources.line_col(e.span);
        serde_json::json!({ "message": e.message, "file": spec.sources.name(e.span.file), "line": line, "column": column })
    });
    let error_trace = error_sample.map(|s| {
        let options = ItfOptions { source: file, status: "error", seed: config.seed, mbt, hide, ran: vec![init, step] };
        render::itf(spec, Trace { states: &s.states, steps: &s.steps, init }, &options)
    });
    let diagnostics: Vec<serde_json::Value> = error_sample.and_then(|s| s.error.as_ref()).map(|e| report::runtime_diagnostic(&spec.sources, e)).into_iter().collect();
    let never_started = outcome.samples > 0 && outcome.init_disabled == outcome.samples;
    let status = if error.is_some() || never_started {
        "error"
    } else if violation.is_some() {
        "violation"
    } else if outcome.interrupted {
        "interrupted"
    } else {
        "ok"
    };
    serde_json::json!({
        "command": COMMAND,
        "status": status,
        "seed": config.seed,
        "samples": outcome.samples,
        "steps": outcome.steps,
        "seconds": elapsed,
        "deadlocks": outcome.deadlocks,
        "init_disabled": outcome.init_disabled,
        "trace_length": { "min": outcome.min_length, "max": outcome.max_length, "quint_average": outcome.quint_average_length() },
        "invariants": config.invariants.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>(),
        "coverage": outcome.coverage,
        "witnesses": config.witnesses.iter().zip(&outcome.witness_counts).map(|((n, _), c)| (n.clone(), *c)).collect::<std::collections::BTreeMap<_, _>>(),
        "violation": violation,
        "error": error,
        "error_trace": error_trace,
        "interrupted": outcome.interrupted,
        "diagnostics": diagnostics,
    })
}

fn print_json(spec: &Spec, args: &Args, config: &Config, outcome: &Outcome, elapsed: f64) {
    report::json_out(&json_result(spec, &args.target.file, (&args.target.init, &args.target.step), args.mbt, &args.hide, config, outcome, elapsed));
}

fn write_traces(spec: &Spec, args: &Args, config: &Config, outcome: &Outcome, pattern: &str) -> Result<(), String> {
    for (seq, sample) in outcome.traces.iter().enumerate() {
        let status = if sample.is_violation() { "violation" } else { "ok" };
        let options = ItfOptions { source: &args.target.file, status, seed: config.seed, mbt: args.mbt, hide: &args.hide, ran: vec![&args.target.init, &args.target.step] };
        let path = report::itf_path(pattern, None, seq, args.n_traces > 1);
        render::write_itf_file(spec, Trace { states: &sample.states, steps: &sample.steps, init: &args.target.init }, &options, &path)?;
    }
    Ok(())
}
