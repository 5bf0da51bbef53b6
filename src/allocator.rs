//! The memory allocator. Evaluation allocates many small, short-lived values, which mimalloc
//! handles well. By default mimalloc gives freed pages back to the kernel after 10 ms and
//! faults them in again moments later; in a model-checking level or a language-server edit
//! that churn was 10–15% of the CPU time (measured with `perf`: page faults over 100,000
//! checked states fell from about 85,000 to about 500). Pages are kept instead: a `spec`
//! process holds the memory of its peak until it ends, which the memory budget counts anyway.
//!
//! The `mimalloc` crate's allocator asks for every block through `mi_malloc_aligned`, whose
//! checks and slower paths cost 4-7% of the instructions of a simulation (measured under
//! callgrind: ICS 710.8M -> 663.2M, bakery 180.1M -> 173.7M). A block whose alignment is at
//! most a machine word's, what `mi_malloc` always gives, is asked for with the plain calls.

use std::alloc::{GlobalAlloc, Layout};
use std::ffi::c_void;

// Links mimalloc's library, whose functions are declared below.
extern crate mimalloc;

#[global_allocator]
static ALLOCATOR: Mimalloc = Mimalloc;

extern "C" {
    // mimalloc's API (linked in through the `mimalloc` crate).
    fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
    fn mi_malloc(size: usize) -> *mut c_void;
    fn mi_zalloc(size: usize) -> *mut c_void;
    fn mi_realloc(p: *mut c_void, size: usize) -> *mut c_void;
    fn mi_free(p: *mut c_void);
    fn mi_malloc_aligned(size: usize, alignment: usize) -> *mut c_void;
    fn mi_zalloc_aligned(size: usize, alignment: usize) -> *mut c_void;
    fn mi_realloc_aligned(p: *mut c_void, size: usize, alignment: usize) -> *mut c_void;
}

/// The alignment every block of `mi_malloc` has: a machine word's (its size classes are
/// multiples of it; a 24-byte block is not 16-aligned).
const WORD_ALIGN: usize = std::mem::size_of::<usize>();

struct Mimalloc;

// SAFETY: each call hands mimalloc a layout it serves: the plain calls only for alignments
// every mimalloc block has, the aligned calls otherwise; blocks are freed with `mi_free`,
// which takes blocks of either kind.
unsafe impl GlobalAlloc for Mimalloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if layout.align() <= WORD_ALIGN { mi_malloc(layout.size()) as *mut u8 } else { mi_malloc_aligned(layout.size(), layout.align()) as *mut u8 }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if layout.align() <= WORD_ALIGN { mi_zalloc(layout.size()) as *mut u8 } else { mi_zalloc_aligned(layout.size(), layout.align()) as *mut u8 }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        mi_free(ptr as *mut c_void)
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if layout.align() <= WORD_ALIGN {
            mi_realloc(ptr as *mut c_void, new_size) as *mut u8
        } else {
            mi_realloc_aligned(ptr as *mut c_void, new_size, layout.align()) as *mut u8
        }
    }
}

/// `mi_option_purge_delay` in mimalloc's `mi_option_t` (v2 and v3 number it the same; the
/// enum keeps deprecated entries so that the numbers never change).
const MI_OPTION_PURGE_DELAY: std::ffi::c_int = 15;

/// Sets up the process's memory: freed pages are kept in the process instead of being given
/// back to the kernel, and the kernel's transparent huge pages are off.
///
/// Huge pages cost more than they give here. Each first touch of a 2 MiB page makes the
/// kernel clear all of it, and a run that holds 40 MiB still touches pages all over its
/// heap: on the Interchain Security simulation `clear_page` was 8.8% of the profile, and with
/// huge pages off the run took 1.24 s of CPU instead of 1.35 s (0.03 s of it in the kernel
/// instead of 0.05–0.23 s) and 39 MiB instead of 49 MiB. A model-checking run of 296,448 states
/// took the same time and 35 MiB instead of 50 MiB.
pub fn set_up_memory() {
    // SAFETY: sets one option of the allocator; valid at any time (later purges use it).
    unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, -1) }
    disable_transparent_huge_pages();
}

#[cfg(target_os = "linux")]
fn disable_transparent_huge_pages() {
    // SAFETY: PR_SET_THP_DISABLE takes the flag as its one argument and touches no memory of
    // ours. A kernel without the option returns an error, which changes nothing: ignored.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1 as libc::c_ulong, 0 as libc::c_ulong, 0 as libc::c_ulong, 0 as libc::c_ulong);
    }
}

#[cfg(not(target_os = "linux"))]
fn disable_transparent_huge_pages() {}
