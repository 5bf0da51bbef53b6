//! Memory: a run past its memory budget stops with its summary and seed (exit 3) instead of
//! being killed by the kernel with nothing printed; and writing a long trace takes the memory
//! of its values, not of its text: the ITF writer
//! streams one state at a time. A state that grows every step (a list of 3,000 strings by the
//! end) gives a trace file of about 30 MB; the process must stay far below that (it peaked at
//! 530 MB when the whole JSON was built before writing). Peak memory is read from the
//! kernel's accounting of the child (`wait4`), not sampled.

use std::process::Command;

const SPEC: &str = "module grow {\n  var log: List[str]\n  action init = log' = []\n  action step = log' = log.append(\"abcd\")\n}\n";

/// Runs `spec` with `args` in `dir`; its exit status and peak resident memory in KiB.
fn run_measured(dir: &std::path::Path, args: &[&str]) -> (i32, i64) {
    let child = Command::new(env!("CARGO_BIN_EXE_spec")).args(args).current_dir(dir).stdout(std::process::Stdio::null()).spawn().expect("spec starts");
    let mut status = 0;
    // SAFETY: an all-zero `rusage` is a valid value, and wait4 only writes into it.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waits for our own child, whose pid is valid until it is reaped here.
    let reaped = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    assert_eq!(reaped, child.id() as libc::pid_t, "the child is reaped");
    (libc::WEXITSTATUS(status), usage.ru_maxrss)
}

#[test]
fn a_long_growing_trace_is_written_in_bounded_memory() {
    let dir = std::env::temp_dir().join(format!("spec-trace-memory-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    std::fs::write(dir.join("grow.qnt"), SPEC).expect("the spec is written");
    let (code, base_kib) = run_measured(&dir, &["simulate", "grow.qnt", "--max-samples", "1", "--max-steps", "3000"]);
    assert_eq!(code, 0);
    let (code, kib) = run_measured(&dir, &["simulate", "grow.qnt", "--max-samples", "1", "--max-steps", "3000", "--out-itf", "out.itf.json"]);
    assert_eq!(code, 0);
    let written = std::fs::metadata(dir.join("out.itf.json")).expect("the trace is written").len();
    assert!(written > 25_000_000, "the trace is long: {written} bytes");
    let trace: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.join("out.itf.json")).expect("readable")).expect("the trace is valid JSON");
    assert_eq!(trace["states"].as_array().map(|s| s.len()), Some(3001));
    let extra_mib = (kib - base_kib) / 1024;
    assert!(extra_mib < 40, "writing a {} MB trace took {extra_mib} MiB more than running without it ({base_kib} KiB)", written / 1_000_000);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A state that doubles every step: 2^k distinct integers after k steps.
const DOUBLING: &str = "module doubling {\n  var s: Set[int]\n  action init = s' = Set(0)\n  action step = s' = s.union(s.map(x => x + s.size()))\n}\n";

#[test]
fn a_run_past_its_memory_budget_stops_with_its_summary_and_seed() {
    let dir = std::env::temp_dir().join(format!("spec-memory-budget-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    std::fs::write(dir.join("doubling.qnt"), DOUBLING).expect("the spec is written");
    let out = Command::new(env!("CARGO_BIN_EXE_spec"))
        .args(["simulate", "doubling.qnt", "--max-samples", "1", "--max-steps", "40", "--max-memory", "100", "--seed", "7"])
        .current_dir(&dir)
        .output()
        .expect("spec runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stdout}{stderr}");
    assert!(stdout.contains("[error] stopped by the memory budget (100 MiB; raise it with --max-memory)"), "{stdout}");
    assert!(stdout.contains("--seed 7") && stderr.contains("seed: 7"), "{stdout}{stderr}");
    assert!(!stdout.contains("[ok]"), "{stdout}");
    let _ = std::fs::remove_dir_all(&dir);
}
