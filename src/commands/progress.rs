//! Progress on long runs: shown on a terminal only, and only once a run has taken more than
//! a second, so short runs and pipes stay clean. One ticker; each command says what its bar
//! looks like and how to refresh it from its counters.

use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// What a command shows while it works.
pub enum Display<'a> {
    /// A bar towards `total`, at the position `position()` returns; `template` is
    /// indicatif's (`{bar} {pos}/{len} ...`).
    Bar { total: u64, template: &'static str, position: &'a (dyn Fn() -> u64 + Sync) },
    /// A spinner with the message `message(elapsed)` returns.
    Spinner { message: &'a (dyn Fn(Duration) -> String + Sync) },
}

/// Runs `work` while a scoped thread shows `display` on stderr (when `enabled` and stderr is
/// a terminal).
pub fn with_progress<T>(display: Display, enabled: bool, work: impl FnOnce() -> T) -> T {
    if !enabled || !std::io::stderr().is_terminal() {
        return work();
    }
    let done = AtomicBool::new(false);
    std::thread::scope(|scope| {
        scope.spawn(|| {
            let started = Instant::now();
            let mut bar: Option<ProgressBar> = None;
            while !done.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(100));
                if started.elapsed() < Duration::from_secs(1) {
                    continue;
                }
                let b = bar.get_or_insert_with(|| {
                    let (b, template) = match &display {
                        Display::Bar { total, template, .. } => (ProgressBar::new(*total), *template),
                        Display::Spinner { .. } => (ProgressBar::new_spinner(), "{spinner} {msg} {elapsed}"),
                    };
                    if let Ok(style) = ProgressStyle::with_template(template) {
                        b.set_style(style);
                    }
                    b
                });
                match &display {
                    Display::Bar { position, .. } => b.set_position(position()),
                    Display::Spinner { message } => {
                        b.set_message(message(started.elapsed()));
                        b.tick();
                    }
                }
            }
            if let Some(b) = bar {
                b.finish_and_clear();
            }
        });
        let result = work();
        done.store(true, Ordering::Relaxed);
        result
    })
}
