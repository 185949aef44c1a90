//! The k-sample log-rank test, optionally stratified (R `survdiff`, `rho = 0`).
//!
//! Within each stratum, at every distinct event time `t` with `n` at risk
//! and `d` events, group `j` has `n_j` at risk and `d_j` events, and
//!
//! ```text
//! E_j  += d n_j / n
//! V_jk += d (n - d) / (n² (n - 1)) · n_j (n δ_jk - n_k)      (n > 1)
//! ```
//!
//! Observed `O_j`, expected `E_j` and `V` are summed over strata. Groups
//! with `E_j = 0` are dropped; with `m` groups left, the first is dropped
//! too and `χ² = (O - E)ᵀ V⁻¹ (O - E)` on the remaining `m - 1`, with
//! `m - 1` degrees of freedom, exactly as R's `survdiff`.

use crate::dist::chisq_sf;
use crate::error::Error;
use crate::linalg::{quadratic_form_inverse, Matrix, DEFAULT_TOLER_CHOL};

/// Per-group counts of the test.
#[derive(Debug, Clone, PartialEq)]
pub struct LogRankGroup {
    /// Observations in the group.
    pub n: usize,
    /// Observed events.
    pub observed: f64,
    /// Expected events under equal hazards.
    pub expected: f64,
}

/// Result of the log-rank test.
#[derive(Debug, Clone, PartialEq)]
pub struct LogRank {
    /// Test statistic.
    pub chisq: f64,
    /// Degrees of freedom.
    pub df: usize,
    /// Upper-tail chi-square p-value.
    pub p: f64,
    /// One entry per group index `0..n_groups`.
    pub groups: Vec<LogRankGroup>,
    /// `V`, the covariance of `O - E` (n_groups × n_groups).
    pub variance: Matrix,
}

/// Log-rank test of `n_groups` groups (`group[i] < n_groups`), optionally
/// within strata (`strata[i]` any labels as integers).
pub fn logrank(
    time: &[f64],
    event: &[bool],
    group: &[usize],
    n_groups: usize,
    strata: Option<&[usize]>,
) -> Result<LogRank, Error> {
    let n = time.len();
    if event.len() != n || group.len() != n || strata.is_some_and(|s| s.len() != n) {
        return Err(Error::LengthMismatch);
    }
    if n == 0 {
        return Err(Error::Empty);
    }
    if time.iter().any(|t| !t.is_finite()) {
        return Err(Error::NonFinite("time"));
    }
    if !event.iter().any(|&e| e) {
        return Err(Error::NoEvents);
    }
    // Records sorted by stratum, then decreasing time, so the risk set grows as we walk.
    let mut records: Vec<(usize, f64, usize, bool)> =
        (0..n).map(|i| (strata.map_or(0, |s| s[i]), time[i], group[i], event[i])).collect();
    records.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)));

    let k = n_groups;
    let mut observed = vec![0.0; k];
    let mut expected = vec![0.0; k];
    let mut var = Matrix::zeros(k, k);
    let mut counts = vec![0usize; k];
    let mut at_risk = vec![0.0; k];
    let mut deaths = vec![0.0; k];
    let mut i = 0;
    while i < n {
        let s = records[i].0;
        at_risk.iter_mut().for_each(|v| *v = 0.0);
        let mut n_total = 0.0;
        while i < n && records[i].0 == s {
            let t = records[i].1;
            deaths.iter_mut().for_each(|v| *v = 0.0);
            let mut d = 0.0;
            while i < n && records[i].0 == s && records[i].1 == t {
                let (_, _, g, e) = records[i];
                counts[g] += 1;
                at_risk[g] += 1.0;
                n_total += 1.0;
                if e {
                    deaths[g] += 1.0;
                    d += 1.0;
                }
                i += 1;
            }
            if d == 0.0 {
                continue;
            }
            for j in 0..k {
                observed[j] += deaths[j];
                expected[j] += d * at_risk[j] / n_total;
            }
            if n_total > 1.0 {
                let factor = d * (n_total - d) / (n_total * n_total * (n_total - 1.0));
                for j in 0..k {
                    for l in 0..k {
                        let delta = if j == l { n_total } else { 0.0 };
                        *var.get_mut(j, l) += factor * at_risk[j] * (delta - at_risk[l]);
                    }
                }
            }
        }
    }

    let kept: Vec<usize> = (0..k).filter(|&j| expected[j] > 0.0).collect();
    if kept.len() < 2 {
        return Err(Error::TooFewGroups);
    }
    let tested = &kept[1..];
    let diff: Vec<f64> = tested.iter().map(|&j| observed[j] - expected[j]).collect();
    let mut v = Matrix::zeros(tested.len(), tested.len());
    for (a, &j) in tested.iter().enumerate() {
        for (b, &l) in tested.iter().enumerate() {
            *v.get_mut(a, b) = var.get(j, l);
        }
    }
    let (chisq, _) = quadratic_form_inverse(&v, &diff, DEFAULT_TOLER_CHOL);
    let df = kept.len() - 1;
    let groups = (0..k).map(|j| LogRankGroup { n: counts[j], observed: observed[j], expected: expected[j] }).collect();
    Ok(LogRank { chisq, df, p: chisq_sf(chisq, df as f64), groups, variance: var })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_groups_by_hand() {
        // group 0 fails at 1, 3; group 1 fails at 2, censored at 4
        let t = [1.0, 3.0, 2.0, 4.0];
        let e = [true, true, true, false];
        let g = [0, 0, 1, 1];
        let r = logrank(&t, &e, &g, 2, None).unwrap();
        // t=1: n=4, n0=2, d=1 -> E0 = .5 ; t=2: n=3, n0=1 -> E0 = 1/3 ; t=3: n=2, n0=1 -> E0=.5
        let e0 = 0.5 + 1.0 / 3.0 + 0.5;
        assert!((r.groups[0].expected - e0).abs() < 1e-15);
        let v = 0.25 + 2.0 / 9.0 + 0.25;
        assert!((r.chisq - (2.0 - e0).powi(2) / v).abs() < 1e-14);
        assert_eq!(r.df, 1);
    }

    #[test]
    fn single_group_is_an_error() {
        let r = logrank(&[1.0, 2.0], &[true, true], &[0, 0], 1, None);
        assert_eq!(r.unwrap_err(), Error::TooFewGroups);
    }

    #[test]
    fn no_events_is_an_error() {
        let r = logrank(&[1.0, 2.0], &[false, false], &[0, 1], 2, None);
        assert_eq!(r.unwrap_err(), Error::NoEvents);
    }
}
