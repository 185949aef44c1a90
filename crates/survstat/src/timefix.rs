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
    /// means distinct times were merged: the mean time (the relative rule's
    /// scale) is large against them, because of an outlier or because
    /// there are so many times that some lie that close.
    pub widest: Option<(f64, f64)>,
    /// The mean of the distinct times' absolute values, the relative rule's
    /// scale (0 when no times were tied).
    pub mean_abs: f64,
}

/// Replace near-equal times by a common value, as R's `aeqSurv`.
///
/// Non-finite times are left as they are. The distinct times are put in
/// order by a radix sort of their keys (linear time); the few that are not
/// cuts are listed with their cut, and each time is then looked up there
/// (after a filter that rules out most times at once).
pub fn tie_near_equal_times(times: &mut [f64], tolerance: f64) -> Merged {
    use crate::radix::{ascending, from_ascending, sort_by_key};
    // `+ 0.0` makes -0 and +0 one time, as `==` has them.
    let key = |t: f64| ascending(t + 0.0);
    let mut distinct: Vec<u64> = times.iter().filter(|t| t.is_finite()).map(|&t| key(t)).collect();
    sort_by_key(&mut distinct, |&k| k);
    distinct.dedup();
    if distinct.len() < 2 {
        return Merged::default();
    }
    let mean_abs = distinct.iter().map(|&k| from_ascending(k).abs()).sum::<f64>() / distinct.len() as f64;
    let relative = |(a, b): (f64, f64)| (b - a) / b.abs().max(a.abs());
    let mut widest: Option<(f64, f64)> = None;
    // Each distinct time that is not a cut, by key, with its cut.
    let mut moved: Vec<(u64, f64)> = Vec::new();
    let mut cut = from_ascending(distinct[0]);
    for pair in distinct.windows(2) {
        let (before, t) = (from_ascending(pair[0]), from_ascending(pair[1]));
        let gap = t - before;
        if gap <= tolerance || gap / mean_abs <= tolerance {
            if widest.is_none_or(|w| relative((before, t)) > relative(w)) {
                widest = Some((before, t));
            }
            moved.push((pair[1], cut));
        } else {
            cut = t;
        }
    }
    if widest.is_none() {
        return Merged::default();
    }
    let filter = KeyFilter::of(moved.iter().map(|m| m.0), moved.len());
    let mut changed = 0;
    for t in times.iter_mut().filter(|t| t.is_finite()) {
        let k = key(*t);
        if !filter.may_hold(k) {
            continue;
        }
        if let Ok(k) = moved.binary_search_by_key(&k, |m| m.0) {
            *t = moved[k].1;
            changed += 1;
        }
    }
    Merged { changed, widest, mean_abs }
}

/// One bit per hashed key of a set: a clear bit says a key is not in the
/// set, from one read of a table small enough to stay in cache (32 bits a
/// key, so about 3 % of other keys find their bit set and must look
/// further). Without it each of ten million times searched 686,315 moved
/// ones, a cache miss a step (4.5 s of a 30 s `cox` run).
struct KeyFilter {
    bits: Vec<u64>,
    shift: u32,
}

impl KeyFilter {
    fn of(keys: impl Iterator<Item = u64>, count: usize) -> KeyFilter {
        let size = (count * 32).next_power_of_two().max(64);
        let mut filter = KeyFilter { bits: vec![0; size / 64], shift: 64 - size.trailing_zeros() };
        for k in keys {
            let slot = filter.slot(k);
            filter.bits[slot / 64] |= 1 << (slot % 64);
        }
        filter
    }

    /// Fibonacci hashing: the top bits of the key times 2^64 / φ.
    fn slot(&self, key: u64) -> usize {
        (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> self.shift) as usize
    }

    fn may_hold(&self, key: u64) -> bool {
        let slot = self.slot(key);
        self.bits[slot / 64] >> (slot % 64) & 1 == 1
    }
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
    fn the_key_filter_keeps_every_key_and_rules_out_most_others() {
        let keys: Vec<u64> = (0..10_000u64).map(|i| i.wrapping_mul(0x2545_F491_4F6C_DD1D) ^ (i << 7)).collect();
        let filter = KeyFilter::of(keys.iter().copied(), keys.len());
        assert!(keys.iter().all(|&k| filter.may_hold(k)));
        let others = (0..100_000u64).map(|i| crate::radix::ascending(i as f64 * 0.37)).filter(|k| !keys.contains(k));
        let (held, total) = others.fold((0, 0), |(h, t), k| (h + usize::from(filter.may_hold(k)), t + 1));
        assert!(held * 20 < total, "{held} of {total} other keys pass the filter");
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
