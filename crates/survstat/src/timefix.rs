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
/// Non-finite times are left as they are. The times are put in order once
/// by a radix sort (linear time) and walked twice: for the mean over the
/// distinct times, then to give each time its cut.
pub fn tie_near_equal_times(times: &mut [f64], tolerance: f64) -> Merged {
    let mut order: Vec<(u64, usize)> = times
        .iter()
        .enumerate()
        .filter(|(_, t)| t.is_finite())
        .map(|(i, &t)| (crate::radix::ascending(t + 0.0), i))
        .collect();
    crate::radix::sort_by_key(&mut order, |&(key, _)| key);
    let sorted = |k: usize| times[order[k].1];
    let (mut sum_abs, mut n_distinct) = (0.0, 0usize);
    for k in 0..order.len() {
        if k == 0 || order[k].0 != order[k - 1].0 {
            sum_abs += sorted(k).abs();
            n_distinct += 1;
        }
    }
    if n_distinct < 2 {
        return Merged::default();
    }
    let mean_abs = sum_abs / n_distinct as f64;
    let relative = |(a, b): (f64, f64)| (b - a) / b.abs().max(a.abs());
    let mut widest: Option<(f64, f64)> = None;
    let mut changes: Vec<(usize, f64)> = Vec::new();
    let mut cut = sorted(0);
    for k in 1..order.len() {
        let (before, t) = (sorted(k - 1), sorted(k));
        if order[k].0 != order[k - 1].0 {
            let gap = t - before;
            if gap <= tolerance || gap / mean_abs <= tolerance {
                if widest.is_none_or(|w| relative((before, t)) > relative(w)) {
                    widest = Some((before, t));
                }
            } else {
                cut = t;
            }
        }
        if t != cut {
            changes.push((order[k].1, cut));
        }
    }
    if widest.is_none() {
        return Merged::default();
    }
    for &(i, cut) in &changes {
        times[i] = cut;
    }
    Merged { changed: changes.len(), widest }
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
    fn agrees_with_a_direct_reading_on_many_times() {
        // Above the radix sort's small-input cutoff, with ties, signed zeros,
        // runs of near-equal times and non-finite values.
        let mut t: Vec<f64> = (0..5000).map(|i| ((i * 7919) % 1000) as f64 * 0.01 + (i % 3) as f64 * 1e-12).collect();
        t.extend([0.0, -0.0, f64::NAN, f64::INFINITY, 5.0 + 1e-9, 5.0 - 1e-9]);
        let mut direct = t.clone();
        let mut distinct: Vec<f64> = t.iter().copied().filter(|t| t.is_finite()).collect();
        distinct.sort_by(f64::total_cmp);
        distinct.dedup();
        let mean = distinct.iter().map(|y| y.abs()).sum::<f64>() / distinct.len() as f64;
        let mut cuts = vec![distinct[0]];
        for w in distinct.windows(2) {
            let gap = w[1] - w[0];
            if gap > DEFAULT_TOLERANCE && gap / mean > DEFAULT_TOLERANCE {
                cuts.push(w[1]);
            }
        }
        for x in direct.iter_mut().filter(|x| x.is_finite()) {
            let cut = cuts[cuts.partition_point(|c| *c <= *x) - 1];
            if cut != *x {
                *x = cut;
            }
        }
        let merged = tie_near_equal_times(&mut t, DEFAULT_TOLERANCE);
        assert!(merged.changed > 3000);
        for (a, b) in t.iter().zip(&direct) {
            // By value: a time merged onto zero may be +0 or -0.
            assert!(a == b || (a.is_nan() && b.is_nan()), "{a} vs {b}");
        }
    }

    #[test]
    fn one_sentinel_time_merges_distinct_times_and_says_which() {
        let mut t = vec![1.0, 1.5, 2.0, 1e12];
        let merged = tie_near_equal_times(&mut t, DEFAULT_TOLERANCE);
        assert_eq!(t, vec![1.0, 1.0, 1.0, 1e12]);
        assert_eq!(merged.widest, Some((1.0, 1.5)));
    }
}
