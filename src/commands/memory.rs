//! The memory budget of a long run (simulate, check). The allocator cannot fail politely, so
//! a watchdog thread reads the process's resident memory every few milliseconds and, past
//! the budget, stops the run the way Ctrl-C does: the command prints its summary so far and
//! its seed, and says which budget was reached (exit 3), instead of being killed by the
//! kernel with nothing printed. The budget is `--max-memory`, else three quarters of the
//! memory the process may use (the machine's, its cgroup's or its address-space limit,
//! whichever is least).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// The budget in bytes; 0 until set.
static BUDGET: AtomicU64 = AtomicU64::new(0);

/// How often resident memory is read: often enough that a run cannot grow far past the
/// budget between two reads (at 1 GB/s, 25 MB), seldom enough that the wake-ups do not take
/// a core from the workers (every 5 ms was 277 wake-ups in a 2.8 s run).
const POLL: Duration = Duration::from_millis(25);

/// Sets the budget (`--max-memory`, in MiB) for this process.
pub fn set_budget_mib(mib: u64) {
    BUDGET.store(mib.saturating_mul(1024 * 1024), Ordering::Relaxed);
}

/// The budget in bytes: the one set, else the default.
pub fn budget() -> u64 {
    match BUDGET.load(Ordering::Relaxed) {
        0 => default_budget(),
        set => set,
    }
}

/// Three quarters of the least of physical memory, the cgroup's limit and `RLIMIT_AS`.
fn default_budget() -> u64 {
    let physical = read_first_number("/proc/meminfo", "MemTotal:").map(|kib| kib * 1024);
    let cgroup = std::fs::read_to_string("/sys/fs/cgroup/memory.max").ok().and_then(|s| s.trim().parse::<u64>().ok());
    let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit writes into the struct it is given.
    let address_space = (unsafe { libc::getrlimit(libc::RLIMIT_AS, &mut limit) } == 0 && limit.rlim_cur != libc::RLIM_INFINITY).then_some(limit.rlim_cur);
    let least = [physical, cgroup, address_space].into_iter().flatten().min().unwrap_or(16 << 30);
    least / 4 * 3
}

fn read_first_number(path: &str, key: &str) -> Option<u64> {
    let text = std::fs::read_to_string(path).ok()?;
    text.lines().find_map(|l| l.strip_prefix(key)).and_then(|rest| rest.split_whitespace().next()?.parse().ok())
}

/// The resident memory of this process in bytes, read from `statm` (kept open).
fn resident(statm: &std::fs::File) -> Option<u64> {
    use std::os::unix::fs::FileExt;
    let mut buffer = [0u8; 128];
    let read = statm.read_at(&mut buffer, 0).ok()?;
    let text = std::str::from_utf8(buffer.get(..read)?).ok()?;
    let pages: u64 = text.split_whitespace().nth(1)?.parse().ok()?;
    // SAFETY: sysconf has no preconditions.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    Some(pages * u64::try_from(page).ok()?)
}

/// Watches resident memory until the process ends; past the budget it records why and sets
/// `flag`, which stops the run.
pub fn watch(flag: Arc<AtomicBool>) {
    let budget = budget();
    let Ok(statm) = std::fs::File::open("/proc/self/statm") else { return }; // no /proc: nothing to watch
    if resident(&statm).is_none() {
        return;
    }
    let spawned = std::thread::Builder::new().name("memory budget".into()).spawn(move || loop {
        std::thread::sleep(POLL);
        if resident(&statm).is_some_and(|bytes| bytes > budget) {
            super::signals::stop_for_memory(budget);
            flag.store(true, Ordering::SeqCst);
            return;
        }
    });
    // Without the thread the run goes on unwatched, as it did before the budget existed.
    drop(spawned);
}
