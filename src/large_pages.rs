//! The program's memory allocator: the system's, asking Linux to back the
//! large blocks (model matrices, sorted covariates, the columns of a
//! million-row file) with 2 MB pages instead of 4 KB ones.
//!
//! A fresh block is mapped lazily: its first write to each page stops the
//! program while the kernel finds and zeroes that page. With 4 KB pages a
//! command that reads a 200 MB file and fits a model on it takes about
//! 140,000 such stops (half a second of system time on this project's
//! 2-core machine, a quarter of the command's processor time), most of it
//! spent not in zeroing but in the bookkeeping of each stop; 2 MB pages
//! take one stop where 512 were. Linux backs a range with them only when
//! asked (`madvise(MADV_HUGEPAGE)`, the usual setting of
//! `/sys/kernel/mm/transparent_hugepage/enabled`), and only for whole 2 MB
//! pages inside the range, so only blocks of [`LARGE`] bytes or more are
//! advised. The cost is memory a block has but has not written yet: a 2 MB
//! page is made whole at its first write, where 4 KB pages would have been
//! made one by one, so a large block that is only partly written (a
//! vector's spare capacity) may hold up to 2 MB more than before. Elsewhere
//! than Linux, or if the kernel declines, the advice changes nothing and
//! the block is an ordinary one.

use std::alloc::{GlobalAlloc, Layout, System};

/// The smallest block that is advised.
pub const LARGE: usize = 4 << 20;

/// The size of a transparent huge page on x86-64 and most arm64 kernels.
const HUGE_PAGE: usize = 2 << 20;

/// The system allocator, with large blocks advised to use 2 MB pages.
pub struct LargePages;

// SAFETY: every block comes from and goes back to `System` unchanged; the
// advice only tells the kernel how to back pages that the block owns.
unsafe impl GlobalAlloc for LargePages {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        advised(System.alloc(layout), layout.size())
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        advised(System.alloc_zeroed(layout), layout.size())
    }

    unsafe fn realloc(&self, block: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        advised(System.realloc(block, layout, new_size), new_size)
    }

    unsafe fn dealloc(&self, block: *mut u8, layout: Layout) {
        System.dealloc(block, layout)
    }
}

/// Ask for 2 MB pages over the whole 2 MB pages inside a large block;
/// returns the block.
fn advised(block: *mut u8, size: usize) -> *mut u8 {
    #[cfg(target_os = "linux")]
    if !block.is_null() && size >= LARGE {
        let start = (block as usize).next_multiple_of(HUGE_PAGE);
        let end = (block as usize + size) / HUGE_PAGE * HUGE_PAGE;
        if end > start {
            // SAFETY: [start, end) lies inside the block just allocated, and
            // the advice neither moves nor frees memory. A refusal leaves
            // the block as it was, so its result is not needed.
            unsafe { libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE) };
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = size;
    block
}

/// The largest block glibc will serve from its heaps instead of mapping
/// it on its own (`DEFAULT_MMAP_THRESHOLD_MAX` on 64-bit systems).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MOST_KEPT_BLOCK: i32 = 32 << 20;

/// Keep freed blocks of up to [`MOST_KEPT_BLOCK`] for the program's later
/// requests instead of giving them back to the system at once. glibc maps
/// a block of more than 128 kB (a threshold it raises, as blocks are freed,
/// up to 32 MB) on its own and unmaps it when it is freed, and gives back
/// the free memory at the top of its heap; the next request of that size
/// then has fresh pages, each zeroed by the kernel at its first write. On
/// virtual machines such as this project's that first write costs about
/// 1 ms per MB of processor time, twenty times a `memset` of the same
/// bytes, and more when the machine's free memory has lain unused for a
/// few seconds (`docs/performance.md`). A command's stages
/// free and ask again for blocks of megabytes (a Cox fit's per-evaluation
/// risk scores, the reader's chunks, the sort's scratch); served from the
/// heap, their pages are already there. The commands that fit one model
/// to a table call this at their start (`cmd::Cli::run`); memory is still
/// given back where [`return_free_memory`] is called. Elsewhere than glibc,
/// nothing.
pub fn keep_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `mallopt` only changes the allocator's thresholds; it is
    // called at start-up, before any block is allocated by a thread.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, MOST_KEPT_BLOCK);
        libc::mallopt(libc::M_TRIM_THRESHOLD, i32::MAX);
    }
}

/// Give the system back the memory that freed small blocks leave in the
/// allocator's heaps. glibc returns a large block to the system when it is
/// freed, but keeps the pages of small ones for later requests, and gives
/// back only the free memory at the very top of a heap: after a stage
/// that made millions of small blocks (reading a cohort: its cells, its
/// checks' messages) the process keeps their pages, 0.6 GB at a million
/// patients. `malloc_trim` returns every whole free page. Called where a
/// stage's data has just been let go; elsewhere than glibc, nothing.
pub fn return_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `malloc_trim` only releases pages that no block holds.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_large_and_small_hold_what_is_written_and_grow_intact() {
        for size in [64, LARGE - 8, LARGE, 3 * LARGE + 12_345] {
            let layout = Layout::from_size_align(size, 8).unwrap();
            // SAFETY: a non-zero layout; every byte is written before it is
            // read, and the block is freed with the layout it has.
            unsafe {
                let zeroed = LargePages.alloc_zeroed(layout);
                assert!(!zeroed.is_null());
                assert!(std::slice::from_raw_parts(zeroed, size).iter().all(|&b| b == 0));
                LargePages.dealloc(zeroed, layout);
                let block = LargePages.alloc(layout);
                assert!(!block.is_null());
                for k in (0..size).step_by(4096).chain([size - 1]) {
                    *block.add(k) = (k % 251) as u8;
                }
                let grown = LargePages.realloc(block, layout, 2 * size);
                assert!(!grown.is_null());
                for k in (0..size).step_by(4096).chain([size - 1]) {
                    assert_eq!(*grown.add(k), (k % 251) as u8);
                }
                LargePages.dealloc(grown, Layout::from_size_align(2 * size, 8).unwrap());
            }
        }
    }
}
