//! The memory allocator. Evaluation allocates many small, short-lived values, which mimalloc
//! handles well. By default mimalloc gives freed pages back to the kernel after 10 ms and
//! faults them in again moments later; in a model-checking level or a language-server edit
//! that churn was 10–15% of the CPU time (measured with `perf`: page faults over 100,000
//! checked states fell from about 85,000 to about 500). Pages are kept instead: a `spec`
//! process holds the memory of its peak until it ends, which the memory budget counts anyway.

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

extern "C" {
    /// mimalloc's `mi_option_set` (linked in through the `mimalloc` crate).
    fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
}

/// `mi_option_purge_delay` in mimalloc's `mi_option_t` (v2 and v3 number it the same; the
/// enum keeps deprecated entries so that the numbers never change).
const MI_OPTION_PURGE_DELAY: std::ffi::c_int = 15;

/// Keeps freed pages in the process instead of giving them back to the kernel.
pub fn keep_freed_pages() {
    // SAFETY: sets one option of the allocator; valid at any time (later purges use it).
    unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, -1) }
}
