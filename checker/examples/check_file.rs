//! Checks one module of a spec file with the checker library alone (no CLI): for measuring
//! and profiling the search without building the whole `spec` binary.
//!
//!     cargo run --release -p spec-checker --example check_file -- FILE MODULE INVARIANT [THREADS]
//!
//! Prints one line: distinct and generated states, depth, seconds, states per second and the
//! process's peak resident set.

use spec_checker::{check, Budget, Model, Progress};
use spec_interpreter::Spec;
use std::sync::atomic::AtomicBool;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, file, main, invariant, rest @ ..] = args.as_slice() else {
        eprintln!("usage: check_file FILE MODULE INVARIANT [THREADS]");
        std::process::exit(2);
    };
    let threads = rest.first().and_then(|t| t.parse().ok()).unwrap_or(1);
    let spec = match Spec::load_file(file, Some(main)) {
        Ok(spec) => spec,
        Err(e) => {
            eprintln!("{}{}", e.message.unwrap_or_default(), e.sources.render(&e.diagnostics));
            std::process::exit(2);
        }
    };
    let def = |name: &str| {
        spec.lookup(name).unwrap_or_else(|| {
            eprintln!("no definition `{name}`");
            std::process::exit(2)
        })
    };
    let model = Model { init: def("init"), step: def("step"), invariants: vec![(invariant.clone(), def(invariant))], constraint: None, view: None };
    let budget = Budget { deadlock: false, threads, ..Budget::default() };
    let outcome = check(&spec, &model, &budget, &Progress::default(), &AtomicBool::new(false));
    let s = &outcome.stats;
    let rss = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| status.lines().find(|l| l.starts_with("VmHWM:")).map(|l| l.trim_start_matches("VmHWM:").trim().to_string()))
        .unwrap_or_default();
    println!(
        "verdict={:?} distinct={} generated={} depth={} seconds={:.3} states_per_second={:.0} peak_rss={rss}",
        outcome.verdict,
        s.distinct,
        s.generated,
        s.depth,
        s.seconds,
        s.states_per_second()
    );
}
