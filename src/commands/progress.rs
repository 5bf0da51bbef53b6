//! A progress bar for long runs: shown on a terminal only, and only once a run has taken
//! more than a second, so short runs and pipes stay clean.

use indicatif::{ProgressBar, ProgressStyle};
use spec_interpreter::simulate::Progress;
use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Runs `work` while a scoped thread shows the progress of `progress` towards `total`.
pub fn with_progress<T>(progress: &Progress, total: u64, enabled: bool, work: impl FnOnce() -> T) -> T {
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
                    let b = ProgressBar::new(total);
                    if let Ok(style) = ProgressStyle::with_template("{bar:30} {pos}/{len} samples, {per_sec}, {elapsed}") {
                        b.set_style(style);
                    }
                    b
                });
                b.set_position(progress.samples.load(Ordering::Relaxed));
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
