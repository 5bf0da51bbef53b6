//! SIGINT (Ctrl-C) and SIGTERM stop a long run (simulate, check) at the next sample or
//! level: the command prints its summary so far and exits 130 or 143, as shells count a
//! process ended by that signal. The memory budget (`memory.rs`) stops a run the same way,
//! with exit 3 and its own reason.

use crate::report;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

static FLAG: OnceLock<Arc<AtomicBool>> = OnceLock::new();
static SIGNAL: AtomicI32 = AtomicI32::new(0);
/// The memory budget that stopped the run, in bytes (0: none did).
static MEMORY: AtomicU64 = AtomicU64::new(0);
/// The time budget that stopped the run, in milliseconds (0: none did).
static TIME: AtomicU64 = AtomicU64::new(0);

extern "C" fn on_signal(signal: libc::c_int) {
    SIGNAL.store(signal, Ordering::SeqCst);
    if let Some(flag) = FLAG.get() {
        flag.store(true, Ordering::SeqCst);
    }
}

/// Sets `flag` on SIGINT or SIGTERM, or when the memory budget is reached (once per
/// process: later calls keep the first flag).
pub fn install(flag: Arc<AtomicBool>) {
    if FLAG.set(flag.clone()).is_err() {
        return;
    }
    super::memory::watch(flag);
    let handler = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
    // SAFETY: the handler only stores into atomics.
    unsafe {
        libc::signal(libc::SIGINT, handler);
        libc::signal(libc::SIGTERM, handler);
    }
}

/// Stops the run (through the flag given to [`install`]) after `seconds`, recording that the
/// time budget did.
pub fn stop_after(seconds: f64) {
    let Some(flag) = FLAG.get().cloned() else { return };
    let Ok(duration) = std::time::Duration::try_from_secs_f64(seconds) else { return };
    let spawned = std::thread::Builder::new().name("time budget".into()).spawn(move || {
        std::thread::sleep(duration);
        TIME.store((duration.as_millis() as u64).max(1), Ordering::SeqCst);
        flag.store(true, Ordering::SeqCst);
    });
    // Without the thread the run is not bounded in time, as before the budget existed.
    drop(spawned);
}

/// Records that the memory budget of `budget` bytes stopped the run.
pub fn stop_for_memory(budget: u64) {
    MEMORY.store(budget.max(1), Ordering::SeqCst);
}

/// The marker of a stopped run: the memory budget is an error, a signal an interruption.
pub fn marker() -> &'static str {
    if MEMORY.load(Ordering::SeqCst) > 0 {
        "[error]"
    } else if TIME.load(Ordering::SeqCst) > 0 {
        "[bounded]"
    } else {
        "[interrupted]"
    }
}

/// The exit code of a stopped run: 3 for the memory budget (an error, like any other budget),
/// 6 for the time budget (a bound the user set, as `check` reports it), 143 for SIGTERM, else
/// 130.
pub fn exit_code() -> u8 {
    if MEMORY.load(Ordering::SeqCst) > 0 {
        report::RUNTIME
    } else if TIME.load(Ordering::SeqCst) > 0 {
        report::BOUNDED
    } else if SIGNAL.load(Ordering::SeqCst) == libc::SIGTERM {
        report::SIGTERM_EXIT
    } else {
        report::SIGINT_EXIT
    }
}

/// What stopped the run: the signal, or the memory budget.
pub fn name() -> String {
    let budget = MEMORY.load(Ordering::SeqCst);
    if budget > 0 {
        return format!("the memory budget ({} MiB; raise it with --max-memory)", budget / (1024 * 1024));
    }
    let millis = TIME.load(Ordering::SeqCst);
    if millis > 0 {
        return format!("the time budget ({} s, --max-seconds)", millis as f64 / 1000.0);
    }
    if SIGNAL.load(Ordering::SeqCst) == libc::SIGTERM {
        "SIGTERM".into()
    } else {
        "SIGINT".into()
    }
}

/// A write to a closed pipe ends the program quietly (the default on Unix, which Rust
/// turns off); `report::write_stdout` covers the other write errors.
pub fn default_sigpipe() {
    // SAFETY: restores the default disposition of one signal.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
