//! Near-equal times are treated as tied (R survival's `timefix`).
//!
//! Times that come from arithmetic (days / 30.4375, say) can differ in the
//! last bits when they are "really" equal, and an analysis that treats them
//! as distinct gives a different answer. survival 3.5-3 therefore applies
//! `aeqSurv` by default in `survfit`, `survdiff` and `coxph`:
//!
//! 1. take the sorted distinct finite times `y_1 < ... < y_m`;
//! 2. the gap `y_{i+1} - y_i` is a tie when it is `<= tol` or when
//!    `(y_{i+1} - y_i) / mean(|y|) <= tol`, with `tol = sqrt(machine eps)`
//!    (about 1.5e-8) and the mean taken over the distinct times;
//! 3. the "cuts" are `y_1` and every `y_{i+1}` whose gap is not a tie;
//!    each time is replaced by the largest cut not above it.
//!
//! A run of tiny gaps therefore collapses onto its first value, exactly as
//! R does. Apply it before any estimator to reproduce R's answers.

/// `sqrt(f64::EPSILON)`, R's default tolerance for `aeqSurv`.
pub const DEFAULT_TOLERANCE: f64 = 1.490_116_119_384_765_6e-8;

/// What [`tie_near_equal_times`] did.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Merged {
    /// How many times were changed.
    pub changed: usize,
    /// Of the pairs of neighbouring distinct times treated as tied, the one
    /// whose gap is largest relative to the larger time, `(lower, upper)`.
    /// Rounding noise gives gaps near 1e-16 of the time; a much larger one
    /// means the mean time (the relative rule's scale) is dominated by an
    /// outlier, and distinct times were merged.
    pub widest: Option<(f64, f64)>,
}

/// Replace near-equal times by a common value, as R's `aeqSurv`.
///
/// Non-finite times are left as they are.
pub fn tie_near_equal_times(times: &mut [f64], tolerance: f64) -> Merged {
    let mut distinct: Vec<f64> = times.iter().copied().filter(|t| t.is_finite()).collect();
    distinct.sort_by(f64::total_cmp);
    distinct.dedup();
    if distinct.len() < 2 {
        return Merged::default();
    }
    let mean_abs = distinct.iter().map(|y| y.abs()).sum::<f64>() / distinct.len() as f64;
    let mut cuts = Vec::with_capacity(distinct.len());
    cuts.push(distinct[0]);
    let mut widest: Option<(f64, f64)> = None;
    let relative = |(a, b): (f64, f64)| (b - a) / b.abs().max(a.abs());
    for pair in distinct.windows(2) {
        let gap = pair[1] - pair[0];
        let tied = gap <= tolerance || gap / mean_abs <= tolerance;
        if tied {
            if widest.is_none_or(|w| relative((pair[0], pair[1])) > relative(w)) {
                widest = Some((pair[0], pair[1]));
            }
        } else {
            cuts.push(pair[1]);
        }
    }
    if widest.is_none() {
        return Merged::default();
    }
    let mut changed = 0;
    for t in times.iter_mut().filter(|t| t.is_finite()) {
        // Largest cut <= t; t >= cuts[0] always holds.
        let idx = cuts.partition_point(|c| *c <= *t) - 1;
        if cuts[idx] != *t {
            *t = cuts[idx];
            changed += 1;
        }
    }
    Merged { changed, widest }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collapses_times_within_tolerance_onto_the_first() {
        let mut t = vec![1.0, 1.0 + 1e-12, 2.0, 3.0, 3.0 + 1e-10, 3.0 + 2e-10];
        let merged = tie_near_equal_times(&mut t, DEFAULT_TOLERANCE);
        assert_eq!(t, vec![1.0, 1.0, 2.0, 3.0, 3.0, 3.0]);
        assert_eq!(merged.changed, 3);
        assert_eq!(merged.widest, Some((3.0, 3.0 + 1e-10)));
    }

    #[test]
    fn leaves_distinct_times_alone() {
        let mut t = vec![0.1, 0.2, 0.3];
        assert_eq!(tie_near_equal_times(&mut t, DEFAULT_TOLERANCE), Merged::default());
        assert_eq!(t, vec![0.1, 0.2, 0.3]);
    }

    #[test]
    fn relative_rule_ties_large_times() {
        // gap 1e-5 at mean |y| ~ 1e4 is 1e-9 relative: tied.
        let mut t = vec![10000.0, 10000.00001, 20000.0];
        tie_near_equal_times(&mut t, DEFAULT_TOLERANCE);
        assert_eq!(t[1], 10000.0);
    }

    #[test]
    fn one_sentinel_time_merges_distinct_times_and_says_which() {
        let mut t = vec![1.0, 1.5, 2.0, 1e12];
        let merged = tie_near_equal_times(&mut t, DEFAULT_TOLERANCE);
        assert_eq!(t, vec![1.0, 1.0, 1.0, 1e12]);
        assert_eq!(merged.widest, Some((1.0, 1.5)));
    }
}
