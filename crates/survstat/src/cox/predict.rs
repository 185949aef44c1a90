//! Predicted survival for given covariate values from a fitted Cox model
//! (R `survfit(fit, newdata = )`, survival 3.5-3 `agsurv` and
//! `coxsurv.fit`, with R's defaults: the cumulative hazard with Efron's
//! correction for ties when the fit used Efron, `exp(-Λ)` for survival).
//!
//! With risk scores `r_i = exp((x_i − m)ᵀβ)` about the column means `m`, at
//! each event time `t` with `d` events, risk-set sums `S0 = Σ r_i`,
//! `S1 = Σ r_i (x_i − m)` and event sums `E0`, `E1`, Efron's pieces
//! `D_k = S0 − (k/d) E0` (`k = 0..d−1`; Breslow: the single piece `S0`
//! counted `d` times) give the increments
//!
//! ```text
//! dΛ₀ = Σ_k 1/D_k,   dV = Σ_k 1/D_k²,   dX = Σ_k (S1 − (k/d) E1) / D_k²
//! ```
//!
//! and for a profile `z` (`z₀ = z − m`, `ρ = exp(z₀ᵀβ)`), at time `t`
//!
//! ```text
//! Λ(t | z)       = ρ Λ₀(t)
//! var Λ(t | z)   = ρ² [ V(t) + q(t)ᵀ Var(β̂) q(t) ],   q(t) = Λ₀(t) z₀ − X(t)
//! S(t | z)       = exp(−Λ(t | z)),   se S = S · se Λ
//! ```
//!
//! With case weights every sum carries the rows' weights and each of the
//! `d` Efron pieces weighs the events' mean weight (Breslow: their total),
//! as R's `agsurv` (the weighted fit's own risk sets; see [`super`]).
//!
//! (`Λ₀`, `V`, `X` the sums of the increments up to `t`), the second term
//! carrying the uncertainty of β̂ (Tsiatis 1981). The limits are R's
//! default, on the log scale: `S exp(∓z_α se Λ)`, the upper capped at 1.
//! The result does not depend on the centring `m` (it cancels), which is
//! chosen for numerical range only. Beyond the last observation time the
//! curve is not estimated (`None`), as for Kaplan-Meier.

use super::{CoxData, CoxFit, Ties};
use crate::dist::normal_quantile;
use crate::error::Error;
use crate::linalg::Matrix;

/// The predicted curve read at one time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PredictedAt {
    /// The time.
    pub time: f64,
    /// `S(t | z)`.
    pub surv: Option<f64>,
    /// Its standard error.
    pub std_err: Option<f64>,
    /// Lower confidence limit.
    pub lower: Option<f64>,
    /// Upper confidence limit.
    pub upper: Option<f64>,
}

/// The baseline cumulative hazard at one observation time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BaselineHazard {
    /// The time.
    pub time: f64,
    /// `Λ₀(t)` at covariates all 0 (R `basehaz(fit, centered = FALSE)`).
    pub cumhaz: f64,
}

/// Cumulated increments at each distinct observation time, ascending.
struct Increments {
    time: Vec<f64>,
    cumhaz: Vec<f64>,
    var: Vec<f64>,
    xbar: Vec<Vec<f64>>,
}

fn increments(data: &CoxData, beta: &[f64], means: &[f64], ties: Ties) -> Increments {
    let n = data.time.len();
    let p = beta.len();
    let centred = |i: usize| (0..p).map(move |j| data.x.get(i, j) - means[j]);
    let weight = |i: usize| data.weights.map_or(1.0, |w| w[i]);
    // Weighted risk scores w_i exp(x_iᵀβ).
    let risk: Vec<f64> =
        (0..n).map(|i| weight(i) * centred(i).zip(beta).map(|(x, b)| x * b).sum::<f64>().exp()).collect();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| data.time[b].total_cmp(&data.time[a]));
    // Walk in decreasing time so the risk set grows, then reverse.
    let (mut s0, mut s1) = (0.0, vec![0.0; p]);
    let mut rows: Vec<(f64, f64, f64, Vec<f64>)> = Vec::new();
    let mut k = 0;
    while k < n {
        let t = data.time[order[k]];
        let (mut e0, mut e1, mut d, mut event_weight) = (0.0, vec![0.0; p], 0usize, 0.0);
        while k < n && data.time[order[k]] == t {
            let i = order[k];
            s0 += risk[i];
            for (j, x) in centred(i).enumerate() {
                s1[j] += risk[i] * x;
                if data.event[i] {
                    e1[j] += risk[i] * x;
                }
            }
            if data.event[i] {
                e0 += risk[i];
                d += 1;
                event_weight += weight(i);
            }
            k += 1;
        }
        let (mut haz, mut var, mut xbar) = (0.0, 0.0, vec![0.0; p]);
        if d > 0 {
            let pieces = if ties == Ties::Efron { d } else { 1 };
            let weight = if ties == Ties::Efron { event_weight / d as f64 } else { event_weight };
            for piece in 0..pieces {
                let f = piece as f64 / d as f64;
                let denom = s0 - f * e0;
                haz += weight / denom;
                var += weight / (denom * denom);
                for j in 0..p {
                    xbar[j] += weight * (s1[j] - f * e1[j]) / (denom * denom);
                }
            }
        }
        rows.push((t, haz, var, xbar));
    }
    rows.reverse();
    let mut out = Increments { time: vec![], cumhaz: vec![], var: vec![], xbar: vec![] };
    let (mut h, mut v, mut x) = (0.0, 0.0, vec![0.0; p]);
    for (t, dh, dv, dx) in rows {
        h += dh;
        v += dv;
        x.iter_mut().zip(&dx).for_each(|(a, b)| *a += b);
        out.time.push(t);
        out.cumhaz.push(h);
        out.var.push(v);
        out.xbar.push(x.clone());
    }
    out
}

/// What a fit's predictions are read from: its coefficients, variance and
/// column means and the cumulated hazard increments, computed once.
pub struct CoxBaseline {
    beta: Vec<f64>,
    means: Vec<f64>,
    var: Matrix,
    inc: Increments,
}

impl CoxBaseline {
    /// The baseline of `fit` on its `data` (the fit's variance, robust when
    /// clustered, carries β̂'s uncertainty). Not for stratified fits, nor
    /// with aliased terms.
    pub fn new(data: &CoxData, fit: &CoxFit, ties: Ties) -> Result<CoxBaseline, Error> {
        if data.strata.is_some() {
            return Err(Error::Unsupported("prediction from a stratified model"));
        }
        let beta: Vec<f64> = fit.terms.iter().map(|t| t.coef).collect::<Option<_>>().ok_or(Error::Singular)?;
        let n = data.time.len() as f64;
        let means: Vec<f64> =
            (0..beta.len()).map(|j| (0..data.time.len()).map(|i| data.x.get(i, j)).sum::<f64>() / n).collect();
        let inc = increments(data, &beta, &means, ties);
        let var = fit.robust_var.clone().unwrap_or_else(|| fit.var.clone());
        Ok(CoxBaseline { beta, means, var, inc })
    }

    /// Predicted survival of profile `z` (one value per model column) at `times`.
    pub fn predict(&self, z: &[f64], times: &[f64], conf_level: f64) -> Result<Vec<PredictedAt>, Error> {
        let (beta, inc, var) = (&self.beta, &self.inc, &self.var);
        if z.len() != beta.len() {
            return Err(Error::LengthMismatch);
        }
        let z0: Vec<f64> = z.iter().zip(&self.means).map(|(a, m)| a - m).collect();
        let rho = z0.iter().zip(beta).map(|(x, b)| x * b).sum::<f64>().exp();
        let crit = normal_quantile(1.0 - (1.0 - conf_level) / 2.0);
        let last = inc.time.last().copied().unwrap_or(f64::NEG_INFINITY);
        Ok(times
            .iter()
            .map(|&t| {
                if t > last {
                    return PredictedAt { time: t, surv: None, std_err: None, lower: None, upper: None };
                }
                let k = inc.time.partition_point(|&s| s <= t);
                if k == 0 {
                    return PredictedAt {
                        time: t,
                        surv: Some(1.0),
                        std_err: Some(0.0),
                        lower: Some(1.0),
                        upper: Some(1.0),
                    };
                }
                let h0 = inc.cumhaz[k - 1];
                let q: Vec<f64> = z0.iter().zip(&inc.xbar[k - 1]).map(|(z, x)| h0 * z - x).collect();
                let quad: f64 =
                    (0..q.len()).map(|a| (0..q.len()).map(|b| q[a] * var.get(a, b) * q[b]).sum::<f64>()).sum();
                let se_cumhaz = ((inc.var[k - 1] + quad) * rho * rho).sqrt();
                let surv = (-h0 * rho).exp();
                PredictedAt {
                    time: t,
                    surv: Some(surv),
                    std_err: Some(surv * se_cumhaz),
                    lower: Some(surv * (-crit * se_cumhaz).exp()),
                    upper: Some((surv * (crit * se_cumhaz).exp()).min(1.0)),
                }
            })
            .collect())
    }

    /// The directly adjusted survival curve of a set of profiles (one per
    /// row of `profiles`): at every distinct observation time,
    /// `S̄(t) = (1/m) Σ_k exp(−Λ₀(t) exp((z_k − m)ᵀβ))`, the mean of the
    /// profiles' predicted curves (Makuch 1982; R: `rowMeans(survfit(fit,
    /// newdata = profiles)$surv)`). Setting one factor to each level in
    /// every row of the data gives that level's curve adjusted for the rest.
    pub fn average_survival(&self, profiles: &Matrix) -> Result<Vec<(f64, f64)>, Error> {
        if profiles.ncol != self.beta.len() || profiles.nrow == 0 {
            return Err(Error::LengthMismatch);
        }
        let rho: Vec<f64> = (0..profiles.nrow)
            .map(|k| (0..profiles.ncol).map(|j| (profiles.get(k, j) - self.means[j]) * self.beta[j]).sum::<f64>().exp())
            .collect();
        let m = rho.len() as f64;
        Ok(self
            .inc
            .time
            .iter()
            .zip(&self.inc.cumhaz)
            .map(|(&t, &h0)| (t, rho.iter().map(|r| (-h0 * r).exp()).sum::<f64>() / m))
            .collect())
    }

    /// The baseline cumulative hazard `Λ₀(t)` at covariates all 0, at every
    /// distinct observation time (R `basehaz(fit, centered = FALSE)`).
    pub fn cumulative_hazard(&self) -> Vec<BaselineHazard> {
        let at_zero = (-self.means.iter().zip(&self.beta).map(|(m, b)| m * b).sum::<f64>()).exp();
        self.inc
            .time
            .iter()
            .zip(&self.inc.cumhaz)
            .map(|(&time, &h)| BaselineHazard { time, cumhaz: h * at_zero })
            .collect()
    }
}
