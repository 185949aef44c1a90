//! The timing rule of the measurement examples: the best of `runs` runs.

use std::time::Instant;

/// Seconds of the fastest of `runs` calls of `f` (its result kept alive, so
/// the work is not optimised away).
pub fn best_seconds<T>(runs: usize, mut f: impl FnMut() -> T) -> f64 {
    (0..runs)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(f());
            t.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}
