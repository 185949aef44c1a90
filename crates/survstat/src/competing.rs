//! Competing risks: the cumulative incidence function (Aalen-Johansen) with
//! Gray's variance, and Gray's k-sample test (R `cmprsk::cuminc`).
//!
//! Status codes: 0 censored, any other value a cause of failure. With case
//! weights the estimate and its infinitesimal-jackknife variance are those
//! of module `weighted` ([`CumulativeIncidence::fit_weighted`]).
//!
//! **Cumulative incidence of cause c.** At each distinct time `t_j` with `n`
//! at risk, `d₁` failures from c and `d₂` from other causes, and `S(t_j-)`
//! the Kaplan-Meier estimate of being free of any failure just before,
//!
//! ```text
//! F(t_j) = F(t_{j-1}) + S(t_j-) d₁ / n,          S(t_j) = S(t_j-) (n - d₁ - d₂) / n.
//! ```
//!
//! **Variance** (Gray's delta-method estimator, as `cuminc` computes it).
//! Three sums run over the failure times; a group of `d` tied failures
//! contributes `w(d) = S(t_j-)² τ(d) d / n²` with the tie correction
//! `τ(d) = 1 - (d - 1)/(n - 1)`. With `a = 1/S(t_j)` (0 when `S(t_j) = 0`):
//!
//! ```text
//! other causes: b = F(t_j)/S(t_j);   cause c: b = 1 + a F(t_j)
//! V₁ += b² w,   V₂ += a b w,   V₃ += a² w
//! var F(t_j) = V₁ + F(t_j)² V₃ - 2 F(t_j) V₂       (updated at the times of cause c)
//! ```
//!
//! Confidence limits use the complementary log-log transform,
//! `F^{exp(±z se / (F |log F|))}`, which keeps them inside (0, 1).
//!
//! **Gray's test** (Gray 1988, Ann Stat 16:1141) compares the cumulative
//! incidence of cause c across k groups with the score
//! `s_g = Σ_t (1 - F₋)^ρ [d₁g - d₁ R_g / Σ R]`, `R_g = n_g (1 - F_g₋)/S_g₋`,
//! whose covariance is estimated by the martingale representation of the
//! paper (per-group sums `v₃`, `v₂` and the cumulative matrix `c` of the
//! code in `cmprsk`); `χ² = sᵀ V⁻¹ s` on the first k - 1 groups, k - 1 df,
//! summed over strata. ρ = 0 by default, as `cuminc`.

mod weighted;

use crate::dist::{chisq_sf, normal_quantile};
use crate::error::Error;
use crate::linalg::{Ldl, Matrix, DEFAULT_TOLER_CHOL};
use crate::radix;

/// One time at which the cumulative incidence jumps.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CifStep {
    /// The time.
    pub time: f64,
    /// Cumulative incidence after the jump.
    pub estimate: f64,
    /// Its variance.
    pub variance: f64,
}

/// The cumulative incidence of one cause.
#[derive(Debug, Clone, PartialEq)]
pub struct CumulativeIncidence {
    /// Observations.
    pub n: usize,
    /// Failures from the cause.
    pub events: usize,
    /// Jumps, in time order.
    pub steps: Vec<CifStep>,
    /// Largest observation time (the curve is defined up to it).
    pub last_time: f64,
}

/// The curve read at a time, with confidence limits.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CifAt {
    /// The time.
    pub time: f64,
    /// Estimate (`None` beyond the last observation time).
    pub estimate: Option<f64>,
    /// Standard error.
    pub std_err: Option<f64>,
    /// Lower limit.
    pub lower: Option<f64>,
    /// Upper limit.
    pub upper: Option<f64>,
}

/// The observations by increasing time, ties in input order (a stable
/// radix sort of the times with their indices): each one's index, and the
/// times in that order.
fn sorted_by_time(time: &[f64]) -> (Vec<usize>, Vec<f64>) {
    radix::order_by(time.iter().copied().zip(0..).collect(), radix::ascending)
}

/// `values` in the order `order`, gathered once so that the passes over
/// the distinct times read them in sequence.
fn gather<T: Copy>(order: &[usize], values: &[T]) -> Vec<T> {
    order.iter().map(|&i| values[i]).collect()
}

/// Distinct-time groups `[start, end)` of sorted times.
fn time_groups(sorted: &[f64]) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut start = 0;
    std::iter::from_fn(move || {
        let t = *sorted.get(start)?;
        let end = start + sorted[start..].iter().take_while(|&&u| u == t).count();
        let g = (start, end);
        start = end;
        Some(g)
    })
}

impl CumulativeIncidence {
    /// Estimate the cumulative incidence of `cause` (status 0 = censored).
    pub fn fit(time: &[f64], status: &[u32], cause: u32) -> CumulativeIncidence {
        assert_eq!(time.len(), status.len(), "time and status lengths differ");
        let (order, sorted) = sorted_by_time(time);
        let status_sorted = gather(&order, status);
        let n = time.len();
        let (mut surv, mut cif) = (1.0f64, 0.0f64);
        let (mut v1, mut v2, mut v3) = (0.0, 0.0, 0.0);
        let mut at_risk = n as f64;
        let mut steps = Vec::new();
        let tie = |d: f64, r: f64| if d > 1.0 { 1.0 - (d - 1.0) / (r - 1.0) } else { 1.0 };
        for (start, end) in time_groups(&sorted) {
            let here = &status_sorted[start..end];
            let d1 = here.iter().filter(|&&s| s == cause).count() as f64;
            let d2 = here.iter().filter(|&&s| s != 0 && s != cause).count() as f64;
            if d1 + d2 > 0.0 {
                let s_new = surv * (at_risk - d1 - d2) / at_risk;
                cif += surv * d1 / at_risk;
                let a = if s_new > 0.0 { 1.0 / s_new } else { 0.0 };
                if d2 > 0.0 && s_new > 0.0 {
                    let w = surv * surv * tie(d2, at_risk) * d2 / (at_risk * at_risk);
                    let b = cif / s_new;
                    v1 += b * b * w;
                    v2 += a * b * w;
                    v3 += a * a * w;
                }
                if d1 > 0.0 {
                    let w = surv * surv * tie(d1, at_risk) * d1 / (at_risk * at_risk);
                    let b = 1.0 + a * cif;
                    v1 += b * b * w;
                    v2 += a * b * w;
                    v3 += a * a * w;
                    let variance = v1 + cif * cif * v3 - 2.0 * cif * v2;
                    steps.push(CifStep { time: sorted[start], estimate: cif, variance });
                }
                surv = s_new;
            }
            at_risk -= (end - start) as f64;
        }
        let events = status.iter().filter(|&&s| s == cause).count();
        CumulativeIncidence { n, events, steps, last_time: sorted.last().copied().unwrap_or(0.0) }
    }

    /// The curve at `t` with limits at `level` (e.g. 0.95).
    pub fn at(&self, t: f64, level: f64) -> CifAt {
        if t > self.last_time {
            return CifAt { time: t, estimate: None, std_err: None, lower: None, upper: None };
        }
        let k = self.steps.partition_point(|s| s.time <= t);
        let (f, var) = if k == 0 { (0.0, 0.0) } else { (self.steps[k - 1].estimate, self.steps[k - 1].variance) };
        let se = var.max(0.0).sqrt();
        let (lower, upper) = if f > 0.0 && f < 1.0 {
            let z = normal_quantile(1.0 - (1.0 - level) / 2.0);
            let u = z * se / (f * f.ln().abs());
            (Some(f.powf(u.exp())), Some(f.powf((-u).exp())))
        } else {
            (None, None)
        };
        CifAt { time: t, estimate: Some(f), std_err: Some(se), lower, upper }
    }
}

/// Result of Gray's test.
#[derive(Debug, Clone, PartialEq)]
pub struct GrayTest {
    /// Statistic.
    pub chisq: f64,
    /// Degrees of freedom (groups - 1).
    pub df: usize,
    /// p-value.
    pub p: f64,
}

/// Gray's test that the cumulative incidence of `cause` is the same in
/// `n_groups` groups (`group[i] < n_groups`), optionally stratified, with
/// weight power `rho` (0 in `cuminc`).
pub fn gray_test(
    time: &[f64],
    status: &[u32],
    cause: u32,
    group: &[usize],
    n_groups: usize,
    strata: Option<&[usize]>,
    rho: f64,
) -> Result<GrayTest, Error> {
    let n = time.len();
    if status.len() != n || group.len() != n || strata.is_some_and(|s| s.len() != n) {
        return Err(Error::LengthMismatch);
    }
    if n_groups < 2 {
        return Err(Error::TooFewGroups);
    }
    if !status.contains(&cause) {
        return Err(Error::NoEvents);
    }
    let k1 = n_groups - 1;
    let mut score = vec![0.0; k1];
    let mut var = Matrix::zeros(k1, k1);
    let n_strata = strata.map_or(1, |s| s.iter().copied().max().unwrap_or(0) + 1);
    for stratum in 0..n_strata {
        let idx: Vec<usize> = (0..n).filter(|&i| strata.is_none_or(|s| s[i] == stratum)).collect();
        if idx.is_empty() {
            continue;
        }
        let t: Vec<f64> = idx.iter().map(|&i| time[i]).collect();
        let st: Vec<u32> = idx.iter().map(|&i| status[i]).collect();
        let g: Vec<usize> = idx.iter().map(|&i| group[i]).collect();
        let (s, v) = gray_stratum(&t, &st, cause, &g, n_groups, rho);
        for i in 0..k1 {
            score[i] += s[i];
            for j in 0..k1 {
                *var.get_mut(i, j) += v.get(i, j);
            }
        }
    }
    let ldl = Ldl::factor(&var, DEFAULT_TOLER_CHOL);
    if ldl.rank() < k1 {
        return Err(Error::TooFewGroups);
    }
    let x = ldl.solve(&score);
    let chisq: f64 = score.iter().zip(&x).map(|(a, b)| a * b).sum();
    Ok(GrayTest { chisq, df: k1, p: chisq_sf(chisq, k1 as f64) })
}

/// Score and covariance of Gray's test within one stratum.
fn gray_stratum(time: &[f64], status: &[u32], cause: u32, group: &[usize], k: usize, rho: f64) -> (Vec<f64>, Matrix) {
    let k1 = k - 1;
    let (order, sorted) = sorted_by_time(time);
    let (status, group) = (gather(&order, status), gather(&order, group));
    let mut at_risk = vec![0.0f64; k];
    for &g in &group {
        at_risk[g] += 1.0;
    }
    // Per group: all-cause KM and cumulative incidence, left limits and current.
    let mut s_left = vec![1.0f64; k];
    let mut s_now = vec![1.0f64; k];
    let mut f_left = vec![0.0f64; k];
    let mut f_now = vec![0.0f64; k];
    let mut pooled_left = 0.0f64;
    let mut score = vec![0.0; k1];
    let mut v = Matrix::zeros(k1, k1);
    let mut v2 = Matrix::zeros(k1, k);
    let mut v3 = vec![0.0f64; k];
    let mut c = Matrix::zeros(k, k);
    let mut a = Matrix::zeros(k, k);
    for (start, end) in time_groups(&sorted) {
        let mut d1 = vec![0.0f64; k];
        let mut d2 = vec![0.0f64; k];
        for (&s, &g) in status[start..end].iter().zip(&group[start..end]) {
            if s == cause {
                d1[g] += 1.0;
            } else if s != 0 {
                d2[g] += 1.0;
            }
        }
        let (nd1, nd2): (f64, f64) = (d1.iter().sum(), d2.iter().sum());
        if nd1 > 0.0 || nd2 > 0.0 {
            let (mut h_sum, mut r_sum) = (0.0, 0.0);
            for g in 0..k {
                if at_risk[g] <= 0.0 {
                    continue;
                }
                s_now[g] = s_left[g] * (at_risk[g] - d1[g] - d2[g]) / at_risk[g];
                f_now[g] = f_left[g] + s_left[g] * d1[g] / at_risk[g];
                h_sum += at_risk[g] / s_left[g];
                r_sum += at_risk[g] * (1.0 - f_left[g]) / s_left[g];
            }
            let pooled = pooled_left + nd1 / h_sum;
            let weight = (1.0 - pooled_left).powf(rho);
            for i in 0..k {
                for j in 0..k {
                    *a.get_mut(i, j) = 0.0;
                }
            }
            for i in 0..k {
                if at_risk[i] <= 0.0 {
                    continue;
                }
                let ti = at_risk[i] / s_left[i];
                *a.get_mut(i, i) = weight * ti * (1.0 - ti / h_sum);
                for j in i + 1..k {
                    if at_risk[j] > 0.0 {
                        let aij = -weight * ti * at_risk[j] / (s_left[j] * h_sum);
                        *a.get_mut(i, j) = aij;
                        *a.get_mut(j, i) = aij;
                    }
                }
            }
            for i in 0..k {
                for j in 0..k {
                    if a.get(i, j) != 0.0 {
                        *c.get_mut(i, j) += a.get(i, j) * nd1 / (h_sum * (1.0 - pooled_left));
                    }
                }
            }
            for i in 0..k1 {
                if at_risk[i] > 0.0 {
                    score[i] += weight * (d1[i] - nd1 * at_risk[i] * (1.0 - f_left[i]) / (s_left[i] * r_sum));
                }
            }
            if nd1 > 0.0 {
                for g in 0..k {
                    if at_risk[g] <= 0.0 {
                        continue;
                    }
                    let t4 = if s_now[g] > 0.0 { 1.0 - (1.0 - pooled) / s_now[g] } else { 1.0 };
                    let t5 = if nd1 > 1.0 { 1.0 - (nd1 - 1.0) / (h_sum * s_left[g] - 1.0) } else { 1.0 };
                    let t3 = t5 * s_left[g] * nd1 / (h_sum * at_risk[g]);
                    v3[g] += t4 * t4 * t3;
                    for i in 0..k1 {
                        let t1 = a.get(i, g) - t4 * c.get(i, g);
                        *v2.get_mut(i, g) += t1 * t4 * t3;
                        for j in 0..=i {
                            let t2 = a.get(j, g) - t4 * c.get(j, g);
                            *v.get_mut(i, j) += t1 * t2 * t3;
                        }
                    }
                }
            }
            if nd2 > 0.0 {
                for g in 0..k {
                    if s_now[g] <= 0.0 || d2[g] <= 0.0 {
                        continue;
                    }
                    let t4 = (1.0 - pooled) / s_now[g];
                    let t5 = if d2[g] > 1.0 { 1.0 - (d2[g] - 1.0) / (at_risk[g] - 1.0) } else { 1.0 };
                    let t3 = t5 * s_left[g] * s_left[g] * d2[g] / (at_risk[g] * at_risk[g]);
                    v3[g] += t4 * t4 * t3;
                    for i in 0..k1 {
                        let t1 = t4 * c.get(i, g);
                        *v2.get_mut(i, g) -= t1 * t4 * t3;
                        for j in 0..=i {
                            let t2 = t4 * c.get(j, g);
                            *v.get_mut(i, j) += t1 * t2 * t3;
                        }
                    }
                }
            }
            pooled_left = pooled;
        }
        for &g in &group[start..end] {
            at_risk[g] -= 1.0;
        }
        f_left.clone_from(&f_now);
        s_left.clone_from(&s_now);
    }
    for i in 0..k1 {
        for j in 0..=i {
            let mut add = 0.0;
            for g in 0..k {
                add += c.get(i, g) * c.get(j, g) * v3[g] + c.get(i, g) * v2.get(j, g) + c.get(j, g) * v2.get(i, g);
            }
            *v.get_mut(i, j) += add;
            *v.get_mut(j, i) = v.get(i, j);
        }
    }
    (score, v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_competing_events_the_cif_is_one_minus_km() {
        let t = [1.0, 2.0, 2.0, 3.0, 5.0, 6.0];
        let s = [1, 1, 0, 1, 0, 1];
        let cif = CumulativeIncidence::fit(&t, &s, 1);
        let km = crate::km::KaplanMeier::fit(&t, &s.map(|x| x == 1), crate::km::ConfSpec::default());
        for step in &cif.steps {
            assert!((step.estimate - (1.0 - km.at(step.time).surv.unwrap())).abs() < 1e-15);
        }
    }
}
