//! `spec test`: runs the definitions whose names match (`run`s, and values tested for being
//! true, as Quint does), reports each as passed, failed (with the failing place and the
//! seed) or ignored (a match that is not a test), exit 1 if any failed.

use crate::{outln, report};
use regex::Regex;
use spec_interpreter::test_runner::{last_action_span, record, run_test, tests, TestOutcome};
use spec_interpreter::render::{self, ItfOptions, Trace};
use spec_interpreter::{render_error, RandomChooser, Spec};

#[derive(clap::Args)]
pub struct Args {
    /// The spec file (.qnt).
    file: String,
    /// The module whose tests to run.
    #[arg(long)]
    main: Option<String>,
    /// Run the tests whose names match this regular expression.
    #[arg(long = "match", default_value = "Test$")]
    pattern: String,
    /// How many times to run each test with fresh random choices.
    #[arg(long, default_value_t = 10000)]
    max_samples: u64,
    /// The random seed, in decimal or in hex (`0x1a2b`, as Quint prints seeds).
    #[arg(long, default_value = "0", value_parser = report::parse_seed)]
    seed: u64,
    /// Write each test's trace in ITF to files named by this pattern: `{test}` is the
    /// test's name, `{seq}` its number.
    #[arg(long)]
    out_itf: Option<String>,
    /// Traces per test for --out-itf (accepted for Quint's command line; one is written,
    /// and above 1 the number goes before the first dot of a pattern without `{seq}`).
    #[arg(long, default_value_t = 1)]
    n_traces: usize,
    /// Quint's flag, accepted: test traces always record `mbt::actionTaken` (the action each
    /// step called) and `mbt::nondetPicks`, as Quint's do.
    #[arg(long)]
    mbt: bool,
    /// How much to print: 0 the summary only, 1 and more each test (Quint's flag).
    #[arg(long, default_value_t = 2)]
    verbosity: u8,
    /// Accepted for Quint's command line: `typescript` or `rust`.
    #[arg(long, value_parser = ["typescript", "rust"])]
    backend: Option<String>,
    /// Print results as JSON on stdout.
    #[arg(long)]
    json: bool,
}

const COMMAND: &str = "test";

pub fn run(args: Args) -> u8 {
    let regex = match Regex::new(&args.pattern) {
        Ok(r) => r,
        Err(e) => return report::fail(COMMAND, args.json, &format!("--match: {e}")),
    };
    let spec = match Spec::load_file(&args.file, args.main.as_deref()) {
        Ok(s) => s,
        Err(e) => return report::load_error(COMMAND, &e, args.json),
    };
    let verbose = !args.json && args.verbosity >= 1;
    let selected = tests(&spec, &|name| regex.is_match(name));
    if selected.is_empty() && !args.json {
        eprintln!("no test matches /{}/ in {}", args.pattern, args.file);
    }
    let (mut failed, mut ignored) = (0, 0);
    let mut results = Vec::new();
    for (name, def) in &selected {
        let outcome = run_test(&spec, *def, args.max_samples, args.seed);
        failed += usize::from(outcome.failed());
        if let TestOutcome::Ignored(why) = outcome {
            ignored += 1;
            if verbose {
                outln!("  --    {name} ignored: {}", why.reason());
            }
            results.push(serde_json::json!({ "name": name, "status": "ignored", "reason": why.reason() }));
            continue;
        }
        if let Some(pattern) = &args.out_itf {
            let index = results.len();
            if let Err(e) = write_trace(&spec, &args, pattern, name, index, *def, &outcome) {
                return report::fail(COMMAND, args.json, &e);
            }
        }
        match &outcome {
            TestOutcome::Passed { samples, seed } => {
                if verbose {
                    outln!("  ok    {name} passed {samples} sample{}", if *samples == 1 { "" } else { "s" });
                }
                results.push(serde_json::json!({ "name": name, "status": "passed", "samples": samples, "seed": seed }));
            }
            TestOutcome::Disabled { seed } => {
                // Quint's QNT511 points at the test; the last action is what was disabled.
                let at = last_action_span(&spec, *def).unwrap_or(spec.analysis.program.defs[*def as usize].name_span);
                let (line, column) = spec.sources.line_col(at);
                if verbose {
                    outln!("  FAIL  {name}: the run's last action is disabled (false), at {}:{line}:{column}, seed {seed}", spec.sources.name(at.file));
                }
                results.push(serde_json::json!({ "name": name, "status": "failed", "reason": "disabled", "line": line, "column": column, "seed": seed }));
            }
            TestOutcome::False { seed } => {
                let (line, column) = spec.sources.line_col(spec.analysis.program.defs[*def as usize].name_span);
                if verbose {
                    outln!("  FAIL  {name}: the test is false, at {}:{line}:{column}, seed {seed}", spec.sources.name(spec.analysis.program.defs[*def as usize].name_span.file));
                }
                results.push(serde_json::json!({ "name": name, "status": "failed", "reason": "false", "line": line, "column": column, "seed": seed }));
            }
            TestOutcome::Ignored(_) => {}
            TestOutcome::Failed { seed, error } => {
                let (line, column) = spec.sources.line_col(error.span);
                if verbose {
                    outln!("  FAIL  {name}: {} at {}:{line}:{column}, seed {seed}", error.message, spec.sources.name(error.span.file));
                    eprint!("{}", render_error(&spec.sources, error));
                }
                results.push(serde_json::json!({ "name": name, "status": "failed", "reason": error.message, "line": line, "column": column, "seed": seed, "diagnostic": report::runtime_diagnostic(&spec.sources, error) }));
            }
        }
    }
    if args.json {
        let status = if failed > 0 { "failed" } else { "ok" };
        report::json_out(&serde_json::json!({ "command": COMMAND, "status": status, "file": args.file, "passed": selected.len() - failed - ignored, "failed": failed, "ignored": ignored, "tests": results, "diagnostics": [] }));
    } else {
        let marker = if failed > 0 { "[failed]" } else { "[ok]" };
        let ignored_note = if ignored > 0 { format!(", {ignored} ignored") } else { String::new() };
        outln!("\n{marker} {} passed, {} failed{ignored_note}", selected.len() - failed - ignored, failed);
    }
    if failed > 0 {
        report::VERDICT_NO
    } else {
        report::OK
    }
}

/// Writes the trace of one test run (replayed from its seed) as ITF.
fn write_trace(spec: &Spec, args: &Args, pattern: &str, name: &str, index: usize, def: spec_analysis::ir::DefId, outcome: &TestOutcome) -> Result<(), String> {
    let (seed, status) = match outcome {
        TestOutcome::Passed { seed, .. } => (*seed, "passed"),
        TestOutcome::Disabled { seed } => (*seed, "disabled"),
        TestOutcome::False { seed } | TestOutcome::Failed { seed, .. } => (*seed, "failed"),
        TestOutcome::Ignored(_) => return Ok(()),
    };
    // A failed or disabled run is written up to where it stopped.
    let run = record(spec, def, &mut RandomChooser::new(seed));
    // Test traces always carry the MBT fields, as Quint's do (quint-connect reads them).
    let options = ItfOptions { source: &args.file, status, seed, mbt: true, hide: &[], ran: vec![name] };
    let path = report::itf_path(pattern, Some(name), index, args.n_traces > 1);
    render::write_itf_file(spec, Trace { states: &run.states, steps: &run.steps, init: "init" }, &options, &path)
}
