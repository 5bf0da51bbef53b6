//! `spec test`: runs the `run` definitions whose names match, reports each as passed or
//! failed (with the failing place and the seed), exit 1 if any failed.

use super::eval::report_load_error;
use crate::report;
use regex::Regex;
use spec_interpreter::test_runner::{run_test, tests, TestOutcome};
use spec_interpreter::{render_error, Spec};

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
    /// The random seed.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Print results as JSON on stdout.
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args) -> u8 {
    let regex = match Regex::new(&args.pattern) {
        Ok(r) => r,
        Err(e) => return report::usage_error(&format!("--match: {e}")),
    };
    let spec = match Spec::load_file(&args.file, args.main.as_deref()) {
        Ok(s) => s,
        Err(e) => return report_load_error(&e),
    };
    let selected = tests(&spec, &|name| regex.is_match(name));
    if selected.is_empty() && !args.json {
        eprintln!("no test matches /{}/ in {}", args.pattern, args.file);
    }
    let mut failed = 0;
    let mut results = Vec::new();
    for (name, def) in &selected {
        let outcome = run_test(&spec, *def, args.max_samples, args.seed);
        match &outcome {
            TestOutcome::Passed { samples } => {
                if !args.json {
                    println!("  ok    {name} passed {samples} sample{}", if *samples == 1 { "" } else { "s" });
                }
                results.push(serde_json::json!({ "name": name, "status": "passed", "samples": samples }));
            }
            TestOutcome::Disabled { seed } => {
                failed += 1;
                if !args.json {
                    println!("  FAIL  {name}: the run was disabled (an action in it could not happen), seed {seed}");
                }
                results.push(serde_json::json!({ "name": name, "status": "failed", "reason": "disabled", "seed": seed }));
            }
            TestOutcome::Failed { seed, error } => {
                failed += 1;
                let (line, column) = spec.sources.line_col(error.span);
                if !args.json {
                    println!("  FAIL  {name}: {} at {}:{line}:{column}, seed {seed}", error.message, spec.sources.name(error.span.file));
                    eprint!("{}", render_error(&spec.sources, error));
                }
                results.push(serde_json::json!({ "name": name, "status": "failed", "reason": error.message, "line": line, "column": column, "seed": seed }));
            }
        }
    }
    if args.json {
        println!("{}", serde_json::json!({ "file": args.file, "passed": selected.len() - failed, "failed": failed, "tests": results }));
    } else {
        println!("\n{} passed, {} failed", selected.len() - failed, failed);
    }
    if failed > 0 {
        report::VERDICT_NO
    } else {
        report::OK
    }
}
