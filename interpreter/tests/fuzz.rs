//! A small fuzzer: generated programs go through parse → typecheck → evaluate, and every
//! stage must answer (a value, a diagnostic or a runtime error) without panicking,
//! overflowing the stack or hanging. Programs mix well-typed and ill-typed pieces, huge
//! numbers, empty and symbolic sets, chains and nesting.
//!
//! Each program runs in a child process (this test binary again, running only
//! [`child_process_entry`]), so that a stack overflow or an abort, which would kill an
//! in-process test before proptest could record anything, is an ordinary failing case: proptest
//! shrinks it and records its seed in `fuzz.proptest-regressions` (committed; proptest
//! replays those seeds first on every run), and the shrunk program belongs in `REGRESSIONS`.
//! A program that has not answered within `SPEC_FUZZ_TIMEOUT` seconds (default 120, far
//! above any real case) counts as a hang.
//!
//! `cargo test` runs 256 cases (a few seconds); `SPEC_FUZZ_CASES=20000 cargo test -p
//! spec-interpreter --test fuzz` runs a longer campaign.

use proptest::prelude::*;
use spec_interpreter::{RandomChooser, Spec};
use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The program a child process runs (set only in the child's environment).
const CHILD_INPUT: &str = "SPEC_FUZZ_CHILD_INPUT";

/// An input no generator makes (it starts with U+0001) on which the child aborts: it tests that
/// the isolation reports a dead child.
const ABORT: &str = "\u{1}abort";

/// Cases per run: `SPEC_FUZZ_CASES`, or 256.
fn cases() -> u32 {
    std::env::var("SPEC_FUZZ_CASES").ok().and_then(|n| n.trim().parse().ok()).unwrap_or(256)
}

fn hang_limit() -> Duration {
    Duration::from_secs(std::env::var("SPEC_FUZZ_TIMEOUT").ok().and_then(|n| n.trim().parse().ok()).unwrap_or(120))
}

/// Runs one expression as `spec eval` does; any outcome but a panic is fine.
fn run(expr: &str) {
    let Ok(spec) = Spec::with_extras("<fuzz>", None, None, &[("temporal", "__input", expr)]) else { return };
    let Some(def) = spec.lookup("__input") else { return };
    let mut chooser = RandomChooser::new(7);
    let _ = spec.eval_def(&spec.state0(), def, &mut chooser).map(|v| v.to_string());
}

/// How a program ended in its child process, when it did not simply answer.
#[derive(Debug)]
enum Crash {
    /// A panic, a stack overflow, an abort: the exit status and the end of stderr.
    Died { status: String, stderr: String },
    /// No answer within the hang limit.
    Hung(Duration),
    /// The child could not be started (not the program's fault, but not a pass either).
    NoChild(String),
}

impl std::fmt::Display for Crash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Crash::Died { status, stderr } => write!(f, "the child died ({status}):\n{stderr}"),
            Crash::Hung(after) => write!(f, "no answer after {:.0} s (a hang)", after.as_secs_f64()),
            Crash::NoChild(why) => write!(f, "cannot start the child process: {why}"),
        }
    }
}

/// Runs `expr` in a child process; `Ok` when it answered.
fn run_isolated(expr: &str) -> Result<(), Crash> {
    let exe = std::env::current_exe().map_err(|e| Crash::NoChild(e.to_string()))?;
    let mut child = Command::new(exe)
        .args(["--exact", "child_process_entry", "--nocapture", "--test-threads=1", "-q"])
        .env(CHILD_INPUT, expr)
        .env("RUST_BACKTRACE", "0")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| Crash::NoChild(e.to_string()))?;
    let mut stderr = child.stderr.take().ok_or_else(|| Crash::NoChild("no stderr".into()))?;
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > hang_limit() => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(Crash::Hung(started.elapsed()));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(2)),
            Err(e) => return Err(Crash::NoChild(e.to_string())),
        }
    };
    let stderr = reader.join().unwrap_or_default();
    if status.success() {
        return Ok(());
    }
    let tail: String = stderr.lines().rev().take(12).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join("\n");
    Err(Crash::Died { status: status.to_string(), stderr: tail })
}

/// The child's side: runs the program named in its environment (and nothing otherwise, in
/// a plain `cargo test`, where the parent's tests drive it).
#[test]
fn child_process_entry() {
    match std::env::var(CHILD_INPUT) {
        Ok(expr) if expr == ABORT => std::process::abort(),
        Ok(expr) => run(&expr),
        Err(_) => {}
    }
}

/// Inputs that once crashed or misbehaved; each must keep running to an answer.
const REGRESSIONS: &[&str] = &[
    "(2^63).to(2^63+1) == Set(2^63, 2^63+1)",
    "(2^63-1).to(2^63+1)",
    "{ nondet x = Set().oneOf(); x }",
    "1.to(40).fold(2, (acc, i) => acc * acc)",
    "(-(2^63)).to(-(2^63) + 2).powerset()",
    "2 ^ (2 ^ 40)",
    "Set().oneOf()",
];

#[test]
fn regressions_run_to_an_answer() {
    for expr in REGRESSIONS {
        if let Err(crash) = run_isolated(expr) {
            panic!("`{expr}`: {crash}");
        }
    }
}

/// The isolation itself: a program that answers (even with a syntax error) passes, a child
/// that dies is reported as a crash.
#[test]
fn a_crashing_child_is_caught() {
    if let Err(crash) = run_isolated("this is not an expression") {
        panic!("a syntax error is an answer, not a crash: {crash}");
    }
    match run_isolated(ABORT) {
        Err(Crash::Died { status, .. }) => assert!(status.contains("signal") || status.contains("exit"), "{status}"),
        other => panic!("an aborting child must be a crash: {other:?}"),
    }
}

fn leaf() -> impl Strategy<Value = String> {
    prop_oneof![
        (-3i64..4).prop_map(|n| n.to_string()),
        Just("9223372036854775807".to_string()),
        Just("(2^64)".to_string()),
        Just("true".to_string()),
        Just("Set()".to_string()),
        Just("Int".to_string()),
        Just("Nat".to_string()),
        Just("[]".to_string()),
        Just("\"s\"".to_string()),
        Just("x".to_string()),
    ]
}

fn expr() -> impl Strategy<Value = String> {
    leaf().prop_recursive(4, 40, 3, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone(), prop::sample::select(vec!["+", "-", "*", "/", "%", "^", "==", "<", "and", "or", "implies"]))
                .prop_map(|(a, b, op)| format!("({a} {op} {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a}.to({b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("Set({a}, {b})")),
            inner.clone().prop_map(|a| format!("{a}.powerset()")),
            inner.clone().prop_map(|a| format!("{a}.size()")),
            inner.clone().prop_map(|a| format!("{a}.map(x => x * x)")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a}.fold({b}, (acc, x) => acc * acc + x)")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{{ nondet x = {a}.oneOf(); {b} }}")),
            (inner.clone(), inner.clone(), inner.clone()).prop_map(|(a, b, c)| format!("if ({a}) {b} else {c}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{{ val x = {a}; {b} }}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("Map({a} -> {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("[{a}, {b}]")),
            (inner.clone(), 0usize..300).prop_map(|(a, n)| format!("{a}{}", " + 1".repeat(n))),
            (inner.clone(), 0usize..50).prop_map(|(a, n)| format!("{a}{}", ".map(y => y)".repeat(n))),
            (inner, 0usize..40).prop_map(|(a, n)| format!("{}{a}{}", "(".repeat(n), ")".repeat(n))),
        ]
    })
}

proptest! {
    // The default failure persistence records a failing seed in `fuzz.proptest-regressions`.
    #![proptest_config(ProptestConfig { cases: cases(), max_shrink_iters: 200, ..ProptestConfig::default() })]

    #[test]
    fn generated_programs_never_crash(e in expr()) {
        if let Err(crash) = run_isolated(&e) {
            prop_assert!(false, "`{}`: {}", e, crash);
        }
    }
}
