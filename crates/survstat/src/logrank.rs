//! The k-sample log-rank test and its Fleming-Harrington `G(ρ)` family,
//! optionally stratified (R `survdiff(..., rho = ρ)`).
//!
//! Within each stratum, at every distinct event time `t` with `n` at risk
//! and `d` events, group `j` has `n_j` at risk and `d_j` events, and with
//! the weight `w = Ŝ(t-)^ρ` — the stratum's pooled Kaplan-Meier estimate
//! just before `t` (`w = 1` for the log-rank test, `ρ = 0`; Peto-Peto for
//! `ρ = 1`) —
//!
//! ```text
//! O_j  += w d_j
//! E_j  += w d n_j / n
//! V_jk += w² d (n - d) / (n² (n - 1)) · n_j (n δ_jk - n_k)      (n > 1)
//! ```
//!
//! Observed `O_j`, expected `E_j` and `V` are summed over strata (for
//! `ρ ≠ 0`, `O` and `E` are the weighted sums R reports). Groups
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
    fleming_harrington(time, event, group, n_groups, strata, 0.0)
}

/// The `G(ρ)` test (R `survdiff(rho = ρ)`): the log-rank test with weights
/// `Ŝ(t-)^ρ`; `ρ = 0` is the log-rank test.
pub fn fleming_harrington(
    time: &[f64],
    event: &[bool],
    group: &[usize],
    n_groups: usize,
    strata: Option<&[usize]>,
    rho: f64,
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
    let weight = pooled_weights(&records, rho);

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
            let w = weight[i - 1];
            for j in 0..k {
                observed[j] += w * deaths[j];
                expected[j] += w * d * at_risk[j] / n_total;
            }
            if n_total > 1.0 {
                let factor = w * w * d * (n_total - d) / (n_total * n_total * (n_total - 1.0));
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

/// The weight `Ŝ(t-)^ρ` of each record's time (records sorted by stratum,
/// then decreasing time), `Ŝ` the Kaplan-Meier estimate of the record's
/// whole stratum; all 1 for `ρ = 0`.
fn pooled_weights(records: &[(usize, f64, usize, bool)], rho: f64) -> Vec<f64> {
    let n = records.len();
    let mut weight = vec![1.0; n];
    if rho == 0.0 {
        return weight;
    }
    let mut start = 0;
    while start < n {
        let mut end = start;
        while end < n && records[end].0 == records[start].0 {
            end += 1;
        }
        // Walk the stratum's times upwards: records [lo, hi) share a time,
        // and every record before `hi` is at risk at it.
        let mut surv: f64 = 1.0;
        let mut hi = end;
        while hi > start {
            let t = records[hi - 1].1;
            let mut lo = hi - 1;
            while lo > start && records[lo - 1].1 == t {
                lo -= 1;
            }
            let d = records[lo..hi].iter().filter(|r| r.3).count() as f64;
            let at_risk = (hi - start) as f64;
            weight[lo..hi].iter_mut().for_each(|w| *w = surv.powf(rho));
            surv *= 1.0 - d / at_risk;
            hi = lo;
        }
        start = end;
    }
    weight
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

    /// Peto-Peto (ρ = 1) by hand on the same data: pooled Ŝ(t-) is 1, 3/4,
    /// 1/2 at times 1, 2, 3, so the terms are weighted by those.
    #[test]
    fn peto_peto_by_hand() {
        let t = [1.0, 3.0, 2.0, 4.0];
        let e = [true, true, true, false];
        let g = [0, 0, 1, 1];
        let r = fleming_harrington(&t, &e, &g, 2, None, 1.0).unwrap();
        let (o0, e0) = (1.0 + 0.5, 0.5 + 0.75 / 3.0 + 0.5 * 0.5);
        let v = 0.25 + 0.5625 * 2.0 / 9.0 + 0.25 * 0.25;
        assert!((r.groups[0].observed - o0).abs() < 1e-15);
        assert!((r.groups[0].expected - e0).abs() < 1e-15);
        assert!((r.chisq - (o0 - e0).powi(2) / v).abs() < 1e-14);
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
