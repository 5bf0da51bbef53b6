//! `spec check`: the exhaustive model checker (the `spec-checker` crate) on the command line.
//! Resolves the request, runs the search with a progress line on a terminal and Ctrl-C that
//! stops with the summary so far, and reports the verdict with its own exit code, the
//! counterexample (text, ITF, JSON) and the statistics.

use super::signals;
use super::target::{Invariants, Target};
use crate::{out, outln, report};
use super::progress::{with_progress, Display};
use spec_checker::{check, trace, Budget, Model, Outcome, Progress, Stop, Verdict};
use spec_interpreter::render::{self, ItfOptions, TextStyle, Trace};
use spec_interpreter::{RunRequest, Spec, State, Step};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Exit codes of `spec check`, one per verdict (0-3 as every command, 6 `report::BOUNDED`).
pub const DEADLOCK: u8 = 4;
pub const NO_INITIAL_STATE: u8 = 5;

#[derive(clap::Args)]
#[command(after_help = "Exit codes: 0 every reachable state explored, no invariant violated; 1 an invariant is violated; \
2 invalid input; 3 a runtime error in a reachable state; 4 a deadlock (a reachable state where the step is disabled); \
5 no initial state; 6 a budget (--max-depth, --max-states, --max-seconds) was reached first, with no violation up to it; \
130 interrupted (SIGINT), 143 stopped by SIGTERM.")]
pub struct Args {
    #[command(flatten)]
    target: Target,
    #[command(flatten)]
    props: Invariants,
    /// Explore at most this many steps from an initial state.
    #[arg(long)]
    max_depth: Option<usize>,
    /// Stop after this many distinct states.
    #[arg(long)]
    max_states: Option<u64>,
    /// Stop after this many seconds.
    #[arg(long)]
    max_seconds: Option<f64>,
    /// Do not report states where the step is disabled.
    #[arg(long)]
    no_deadlock: bool,
    /// States where this is false are kept but not explored further.
    #[arg(long, allow_hyphen_values = true)]
    constraint: Option<String>,
    /// States with the same value of this expression count as one.
    #[arg(long, allow_hyphen_values = true)]
    view: Option<String>,
    /// Worker threads (default: all cores). The result is the same at any count.
    #[arg(short = 'j', long, default_value_t = 0)]
    threads: usize,
    /// Write the counterexample in ITF to this file.
    #[arg(long)]
    out_itf: Option<String>,
    /// Record `mbt::actionTaken` and `mbt::nondetPicks` in the ITF trace.
    #[arg(long)]
    mbt: bool,
    /// State variables to leave out of the output.
    #[arg(long, num_args = 1..)]
    hide: Vec<String>,
    /// Print the result as JSON on stdout.
    #[arg(long)]
    json: bool,
    /// Set by `verify`: reaching the depth bound is Quint's `[ok]` (exit 0).
    #[arg(skip)]
    depth_bound_is_ok: bool,
}

/// `verify`: Quint's bounded model checking (Apalache there), answered by this checker with
/// `--max-steps` as the depth bound. No violation up to the bound is `[ok]`, exit 0.
#[derive(clap::Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    target: Target,
    #[command(flatten)]
    props: Invariants,
    /// Explore at most this many steps from an initial state (Quint's default: 10).
    #[arg(long, default_value_t = 10)]
    max_steps: usize,
    /// Temporal properties (not supported: refused with an explanation).
    #[arg(long)]
    temporal: Option<String>,
    /// Write the counterexample in ITF to this file.
    #[arg(long)]
    out_itf: Option<String>,
    /// Accepted for Quint's command line (Apalache's options have no meaning here).
    #[arg(long, hide = true)]
    apalache_config: Option<String>,
    /// Accepted for Quint's command line.
    #[arg(long, default_value_t = 2)]
    verbosity: u8,
    /// Accepted for Quint's command line (the checker's answer does not depend on seeds).
    #[arg(long, hide = true)]
    seed: Option<String>,
    /// Print the result as JSON on stdout.
    #[arg(long)]
    json: bool,
}

pub fn verify(v: VerifyArgs) -> u8 {
    if v.temporal.is_some() {
        return report::fail("check", v.json, "--temporal: temporal properties are not checked yet; give invariants with --invariant");
    }
    run(Args {
        target: v.target,
        props: v.props,
        max_depth: Some(v.max_steps),
        max_states: None,
        max_seconds: None,
        no_deadlock: true,
        constraint: None,
        view: None,
        threads: 0,
        out_itf: v.out_itf,
        mbt: false,
        hide: Vec::new(),
        json: v.json,
        depth_bound_is_ok: true,
    })
}

const COMMAND: &str = "check";

pub fn run(args: Args) -> u8 {
    let request = RunRequest { constraint: args.constraint.clone(), view: args.view.clone(), ..args.target.request(&args.props) };
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
    let model = Model {
        init: resolved.init,
        step: resolved.step,
        invariants: resolved.invariants.iter().map(|p| (p.shown.clone(), p.def)).collect(),
        constraint: resolved.constraint.map(|p| p.def),
        view: resolved.view.map(|p| p.def),
    };
    let budget = Budget {
        max_depth: args.max_depth,
        max_states: args.max_states,
        max_time: args.max_seconds.filter(|s| s.is_finite() && *s >= 0.0).map(Duration::from_secs_f64),
        deadlock: !args.no_deadlock,
        threads: args.threads,
    };
    let interrupt = Arc::new(AtomicBool::new(false));
    signals::install(interrupt.clone());
    let progress = Progress::default();
    let message = |elapsed: Duration| {
        let distinct = progress.distinct.load(Ordering::Relaxed);
        let rate = distinct as f64 / elapsed.as_secs_f64().max(0.001);
        format!(
            "{distinct} distinct states, {} generated, depth {}, queue {}, {rate:.0} states/s,",
            progress.generated.load(Ordering::Relaxed),
            progress.depth.load(Ordering::Relaxed),
            progress.queue.load(Ordering::Relaxed)
        )
    };
    let outcome = with_progress(Display::Spinner { message: &message }, !args.json, || check(&spec, &model, &budget, &progress, &interrupt));
    let trace = match outcome.path.as_deref().map(|path| trace::rebuild(&spec, &model, path)) {
        Some(Ok(steps)) => Some(steps),
        Some(Err(e)) => {
            eprintln!("error: the counterexample could not be rebuilt: {e:?}");
            None
        }
        None => None,
    };
    let (states, steps): (Vec<State>, Vec<Step>) = trace.unwrap_or_default().into_iter().unzip();
    let shown = Trace { states: &states, steps: &steps, init: &args.target.init };
    if let Some(path) = &args.out_itf {
        if !states.is_empty() {
            if let Err(e) = render::write_itf_file(&spec, shown, &itf_options(&args, &outcome), path) {
                return report::fail(COMMAND, args.json, &e);
            }
        }
    }
    if args.json {
        print_json(&spec, &args, &outcome, shown);
    } else {
        print_text(&spec, &args, &outcome, shown);
    }
    exit_code(&outcome.verdict, args.depth_bound_is_ok)
}

fn exit_code(verdict: &Verdict, depth_bound_is_ok: bool) -> u8 {
    match verdict {
        Verdict::Holds => report::OK,
        Verdict::Bounded(Stop::Depth) if depth_bound_is_ok => report::OK,
        Verdict::Violation { .. } => report::VERDICT_NO,
        Verdict::Deadlock => DEADLOCK,
        Verdict::NoInitialState => NO_INITIAL_STATE,
        Verdict::Error(_) => report::RUNTIME,
        Verdict::Bounded(Stop::Interrupted) => signals::exit_code(),
        Verdict::Bounded(_) => report::BOUNDED,
    }
}

fn status(verdict: &Verdict) -> &'static str {
    match verdict {
        Verdict::Holds => "ok",
        Verdict::Violation { .. } => "violation",
        Verdict::Deadlock => "deadlock",
        Verdict::NoInitialState => "no_initial_state",
        Verdict::Error(_) => "error",
        Verdict::Bounded(Stop::Interrupted) => "interrupted",
        Verdict::Bounded(_) => "bounded",
    }
}

fn itf_options<'a>(args: &'a Args, outcome: &Outcome) -> ItfOptions<'a> {
    ItfOptions { source: &args.target.file, status: status(&outcome.verdict), seed: 0, mbt: args.mbt, hide: &args.hide, ran: vec![&args.target.init, &args.target.step] }
}

fn print_text(spec: &Spec, args: &Args, outcome: &Outcome, shown: Trace) {
    let style = TextStyle { color: std::io::stdout().is_terminal(), hide: &args.hide };
    let steps = shown.states.len().saturating_sub(1);
    let stats = &outcome.stats;
    match &outcome.verdict {
        Verdict::Holds => {
            let what = if args.props.is_empty() { "no invariant given".to_string() } else { "no invariant violated".to_string() };
            outln!("[ok] every reachable state explored ({} distinct, depth {}): {what}.", stats.distinct, stats.depth);
        }
        Verdict::Violation { invariant } => {
            outln!("An execution that violates `{invariant}`:\n");
            out!("{}", render::text(spec, shown, style));
            outln!("[violation] `{invariant}` is false in state {steps} (a shortest counterexample: {steps} steps).");
        }
        Verdict::Deadlock => {
            outln!("An execution that reaches a deadlock:\n");
            out!("{}", render::text(spec, shown, style));
            outln!("[deadlock] `{}` is disabled in state {steps}; use --no-deadlock if executions may end.", args.target.step);
        }
        Verdict::NoInitialState => outln!("[error] `{}` is never enabled: there is no initial state to check.", args.target.init),
        Verdict::Error(e) => {
            if !shown.states.is_empty() {
                outln!("An execution that leads to an error:\n");
                out!("{}", render::text(spec, shown, style));
            }
            outln!("[error] a runtime error in state {steps}:");
            eprint!("{}", spec.render_error(e));
        }
        Verdict::Bounded(stop) => {
            let why = match stop {
                Stop::Depth => "the depth bound was reached".to_string(),
                Stop::States => "the state bound was reached".to_string(),
                Stop::Time => "the time bound was reached".to_string(),
                Stop::Interrupted => signals::name(),
            };
            let upto = match stats.complete_depth {
                Some(d) => format!("up to depth {d}"),
                None => "in the initial states".to_string(),
            };
            if args.depth_bound_is_ok && matches!(stop, Stop::Depth) {
                outln!("[ok] no violation up to {} steps, {} distinct states (a bounded check: --max-steps).", args.max_depth.unwrap_or(0), stats.distinct);
            } else {
                outln!("[bounded] no violation {upto}, {} distinct states ({why}; this is not a proof).", stats.distinct);
            }
        }
    }
    eprintln!(
        "states: {} distinct, {} generated, depth {}, queue {}; {:.0} states/s, {:.2}s",
        stats.distinct,
        stats.generated,
        stats.depth,
        stats.queue,
        stats.states_per_second(),
        stats.seconds
    );
    eprintln!("fingerprint collision probability (optimistic): {:.1e}", stats.collision_probability());
    eprintln!(
        "visited set: {:.1} MB, {:.1} bytes a state",
        stats.visited_bytes as f64 / 1e6,
        stats.visited_bytes as f64 / stats.distinct.max(1) as f64
    );
}

fn print_json(spec: &Spec, args: &Args, outcome: &Outcome, shown: Trace) {
    let stats = &outcome.stats;
    let trace = (!shown.states.is_empty()).then(|| render::itf(spec, shown, &itf_options(args, outcome)));
    let error = match &outcome.verdict {
        Verdict::Error(e) => {
            let (line, column) = spec.sources.line_col(e.span);
            Some(serde_json::json!({ "message": e.message, "file": spec.sources.name(e.span.file), "line": line, "column": column }))
        }
        _ => None,
    };
    let invariant = match &outcome.verdict {
        Verdict::Violation { invariant } => Some(invariant.clone()),
        _ => None,
    };
    let bound = match &outcome.verdict {
        Verdict::Bounded(Stop::Depth) => Some("depth"),
        Verdict::Bounded(Stop::States) => Some("states"),
        Verdict::Bounded(Stop::Time) => Some("time"),
        _ => None,
    };
    let diagnostics: Vec<serde_json::Value> = match &outcome.verdict {
        Verdict::Error(e) => vec![report::runtime_diagnostic(&spec.sources, e)],
        _ => Vec::new(),
    };
    let status = match &outcome.verdict {
        Verdict::Bounded(Stop::Depth) if args.depth_bound_is_ok => "ok",
        v => status(v),
    };
    let out = serde_json::json!({
        "command": COMMAND,
        "status": status,
        "invariants": args.props.invariant.iter().chain(&args.props.invariants).collect::<Vec<_>>(),
        "invariant": invariant,
        "bound": bound,
        "distinct_states": stats.distinct,
        "generated_states": stats.generated,
        "depth": stats.depth,
        "complete_depth": stats.complete_depth,
        "queue": stats.queue,
        "seconds": stats.seconds,
        "states_per_second": stats.states_per_second(),
        "collision_probability": stats.collision_probability(),
        "visited_bytes": stats.visited_bytes,
        "trace": trace,
        "error": error,
        "diagnostics": diagnostics,
    });
    report::json_out(&out);
}

