//! The coverage benchmark: for every shipped example (`examples/manifest.tsv`), how many
//! samples (traces) random generation and coverage-guided generation need before every
//! named action and every branch of `any` has been taken, over several seeds, and what the
//! transition-covering strategy produces where the state space is small enough.
//!
//! `cargo run --release -p spec-mbt --example mbt_coverage [-- --seeds N --max-samples N --max-steps N]`
//!
//! Counts, not times: the first table is the same on any machine. `-` in a column means the
//! strategy did not reach full coverage within `--max-samples`. A second table gives what a
//! generated step costs with each strategy (`--cost-samples` samples of each, wall clock on
//! one thread: it depends on the machine and on how busy it is).

use spec_mbt::{explore, RunConfig, Strategy};
use std::collections::BTreeSet;

struct Options {
    seeds: u64,
    max_samples: u64,
    max_steps: usize,
    cost_samples: u64,
}

fn options() -> Result<Options, String> {
    let mut o = Options { seeds: 5, max_samples: 2000, max_steps: 20, cost_samples: 100 };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let value = args.next().ok_or(format!("{a} needs a value"))?;
        let bad = |_| format!("{a}: `{value}` is not a number");
        match a.as_str() {
            "--seeds" => o.seeds = value.parse().map_err(bad)?,
            "--max-samples" => o.max_samples = value.parse().map_err(bad)?,
            "--max-steps" => o.max_steps = value.parse().map_err(bad)?,
            "--cost-samples" => o.cost_samples = value.parse().map_err(bad)?,
            _ => return Err(format!("unknown option {a} (--seeds, --max-samples, --max-steps, --cost-samples)")),
        }
    }
    Ok(o)
}

/// Samples and steps to full coverage for each seed (`None`: not reached), and the last
/// summary.
type ToFull = (Vec<Option<u64>>, Vec<Option<u64>>, String);

fn samples_to_full(spec: &str, strategy: Strategy, o: &Options) -> Result<ToFull, String> {
    let mut out = Vec::new();
    let mut steps = Vec::new();
    let mut summary = String::new();
    for seed in 1..=o.seeds {
        let config = RunConfig::new("bench").spec(spec).strategy(strategy).seed(seed).max_samples(o.max_samples).max_steps(o.max_steps).stop_at_full_coverage(true);
        let report = explore(&config).map_err(|e| e.to_string())?;
        out.push(report.full_coverage_after);
        steps.push(report.full_coverage_after_steps);
        summary = report.spec_coverage.to_string();
    }
    Ok((out, steps, summary))
}

fn median(xs: &[Option<u64>]) -> String {
    let mut reached: Vec<u64> = xs.iter().flatten().copied().collect();
    if reached.len() < xs.len() {
        return format!("- ({}/{} reached)", reached.len(), xs.len());
    }
    reached.sort_unstable();
    reached[reached.len() / 2].to_string()
}

fn main() {
    let o = match options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples");
    let manifest = std::fs::read_to_string(format!("{root}/manifest.tsv")).unwrap_or_default();
    let files: BTreeSet<&str> = manifest.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()).filter_map(|l| l.split('\t').next()).collect();
    println!("samples until every action and `any` branch is taken (median of {} seeds; max {} samples of {} steps)", o.seeds, o.max_samples, o.max_steps);
    println!("{:<24} {:>7} {:>8} | {:>13} {:>13} | {:>13} {:>13} | {:>11}", "", "", "", "samples", "", "steps", "", "");
    println!("{:<24} {:>7} {:>8} | {:>13} {:>13} | {:>13} {:>13} | {:>11}", "example", "actions", "branches", "random", "guided", "random", "guided", "transitions");
    let mut all_better = true;
    let files: Vec<&str> = files.into_iter().collect();
    for &file in &files {
        let spec = format!("{root}/{file}");
        let random = samples_to_full(&spec, Strategy::Random, &o);
        let guided = samples_to_full(&spec, Strategy::CoverageGuided, &o);
        let (random, guided) = match (random, guided) {
            (Ok(r), Ok(g)) => (r, g),
            (Err(e), _) | (_, Err(e)) => {
                println!("{file:<24} error: {e}");
                all_better = false;
                continue;
            }
        };
        let totals = explore(&RunConfig::new("bench").spec(&spec).max_samples(1).max_steps(0)).map(|r| (r.spec_coverage.actions_total, r.spec_coverage.branches_total)).unwrap_or((0, 0));
        let transitions = match explore(&RunConfig::new("bench").spec(&spec).strategy(Strategy::Transitions).max_steps(o.max_steps)) {
            Ok(r) => format!("{}/{}", r.samples, r.transitions),
            Err(_) => "too large".to_string(),
        };
        let sum = |xs: &[Option<u64>], missing: u64| xs.iter().map(|x| x.unwrap_or(missing)).sum::<u64>();
        let unbounded = u64::MAX / 1024;
        let better = guided.0.iter().all(Option::is_some) && sum(&guided.0, unbounded) <= sum(&random.0, unbounded) && sum(&guided.1, unbounded) <= sum(&random.1, unbounded);
        let strictly = sum(&guided.1, unbounded) < sum(&random.1, unbounded);
        all_better &= better;
        let verdict = match (better, strictly) {
            (false, _) => "  NOT FEWER",
            (true, true) => "",
            (true, false) => "  (equal)",
        };
        println!(
            "{file:<24} {:>7} {:>8} | {:>13} {:>13} | {:>13} {:>13} | {:>11}{verdict}",
            totals.0,
            totals.1,
            median(&random.0),
            median(&guided.0),
            median(&random.1),
            median(&guided.1),
            transitions
        );
        if !guided.0.iter().all(Option::is_some) {
            println!("  guided coverage: {}", guided.2);
        }
    }
    println!("samples: traces generated until full coverage; steps: steps generated (init steps included) until full coverage");
    println!("(equal): both strategies cover everything in the first steps (a spec with no `any`, or one whose init step already takes every branch)");
    println!("transitions: traces/transitions of the transition-covering strategy (\"too large\": more than its state limit, or not enumerable)");
    println!();
    println!("cost of generation: {} samples of {} steps with each strategy, microseconds per generated step", o.cost_samples, o.max_steps);
    println!("{:<24} {:>10} {:>10} {:>7}", "example", "random", "guided", "ratio");
    for &file in &files {
        let spec = format!("{root}/{file}");
        let per_step = |strategy: Strategy| -> Option<f64> {
            let config = RunConfig::new("bench").spec(&spec).strategy(strategy).seed(1).max_samples(o.cost_samples).max_steps(o.max_steps);
            let start = std::time::Instant::now();
            let report = explore(&config).ok()?;
            Some(start.elapsed().as_secs_f64() * 1e6 / report.steps.max(1) as f64)
        };
        match (per_step(Strategy::Random), per_step(Strategy::CoverageGuided)) {
            (Some(r), Some(g)) => println!("{file:<24} {r:>10.1} {g:>10.1} {:>7.1}", g / r),
            _ => println!("{file:<24} error"),
        }
    }
    println!("{}", if all_better { "coverage-guided needed no more samples than random on every example" } else { "coverage-guided did NOT beat random everywhere" });
}
