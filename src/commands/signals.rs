//! SIGINT (Ctrl-C) and SIGTERM stop a long run (simulate, check) at the next sample or
//! level: the command prints its summary so far and exits 130 or 143, as shells count a
//! process ended by that signal.

use crate::report;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::{Arc, OnceLock};

static FLAG: OnceLock<Arc<AtomicBool>> = OnceLock::new();
static SIGNAL: AtomicI32 = AtomicI32::new(0);

extern "C" fn on_signal(signal: libc::c_int) {
    SIGNAL.store(signal, Ordering::SeqCst);
    if let Some(flag) = FLAG.get() {
        flag.store(true, Ordering::SeqCst);
    }
}

/// Sets `flag` on SIGINT or SIGTERM (once per process: later calls keep the first flag).
pub fn install(flag: Arc<AtomicBool>) {
    if FLAG.set(flag).is_err() {
        return;
    }
    let handler = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
    // SAFETY: the handler only stores into atomics.
    unsafe {
        libc::signal(libc::SIGINT, handler);
        libc::signal(libc::SIGTERM, handler);
    }
}

/// The exit code of a run stopped by a signal: 143 for SIGTERM, else 130.
pub fn exit_code() -> u8 {
    if SIGNAL.load(Ordering::SeqCst) == libc::SIGTERM {
        report::SIGTERM_EXIT
    } else {
        report::SIGINT_EXIT
    }
}

/// The name of the signal that stopped the run.
pub fn name() -> &'static str {
    if SIGNAL.load(Ordering::SeqCst) == libc::SIGTERM {
        "SIGTERM"
    } else {
        "SIGINT"
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
