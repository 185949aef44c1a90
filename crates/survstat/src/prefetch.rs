//! Asking the processor to start loading memory that a loop will read a
//! few iterations later, so that the waits for random reads overlap
//! instead of adding up (the gather of rows into sorted order, the counts
//! by score rank in the concordance).

/// Start loading the cache lines of `values`. No effect on the program's
/// state; a no-op where the processor has no prefetch instruction we use.
pub(crate) fn prefetch<T>(values: &[T]) {
    #[cfg(target_arch = "x86_64")]
    {
        let bytes = std::mem::size_of_val(values);
        let start = values.as_ptr().cast::<i8>();
        for offset in (0..bytes).step_by(64) {
            // SAFETY: the address is inside `values`; prefetching reads
            // nothing into the program and SSE is part of every x86-64 processor.
            unsafe { std::arch::x86_64::_mm_prefetch(start.add(offset), std::arch::x86_64::_MM_HINT_T0) };
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = values;
}
