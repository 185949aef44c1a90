//! Cox proportional hazards regression (R `coxph`, survival 3.5-3).
//!
//! The partial likelihood (module `likelihood`) is maximised by
//! Newton-Raphson exactly as R's `coxfit6` does it:
//!
//! * covariates are centred and scaled by their mean absolute deviation,
//!   except columns whose values all lie in {-1, 0, 1} (R's `nocenter`);
//!   Newton steps are invariant to this, but the detection of redundant
//!   columns (pivot below `toler.chol` × largest diagonal) is not;
//! * starting at β = 0, step `β_new = β + I⁻¹U`; the iteration has converged
//!   when `|1 - ℓ_best / ℓ_new| <= eps` (1e-9); a step that lowers ℓ (or
//!   gives a non-finite value) is halved towards the last good β instead,
//!   `β_new = (β_new + h β)/(h + 1)` at the h-th consecutive halving;
//! * at most 20 iterations; not converging is reported, not hidden.
//!
//! From the fit: model-based variance `V = I⁻¹` (redundant columns are not
//! estimable, `coef = None`), Wald `z = β/se` with two-sided normal p,
//! HR = exp(β) with `exp(β ± z_{1-α/2} se)`, and three global tests on the
//! estimable terms (df = their number): likelihood ratio `2(ℓ(β̂) - ℓ(0))`,
//! Wald `β̂ᵀV⁻¹β̂`, score `U(0)ᵀI(0)⁻¹U(0)` (the log-rank test for a single
//! factor). With clusters the robust variance of module `residuals` replaces V in
//! the Wald tests and intervals, as in R; `se` stays model-based.
//!
//! Case weights (R `weights =`) scale each row's contribution to every sum
//! (module `counting`, which fits weighted data); the means are weighted.
//! As R does, non-integer weights make the robust variance the default,
//! each row its own cluster unless clusters are given (R's `coxph` sets
//! `robust = TRUE` when a weight is not a whole number), and `n` and
//! `events` count rows, not weights.
//!
//! Monotone likelihood (a coefficient running off to infinity, e.g. a level
//! with no events) is flagged as R does: when, at convergence,
//! `|(UᵀV)_j| > eps` and `> sqrt(eps)|β_j|`, the coefficient "may be
//! infinite"; its Wald results are then meaningless while the likelihood
//! ratio and score tests remain valid.

mod counting;
mod firth;
mod likelihood;
mod predict;
mod residuals;
mod tiles;
mod zph;

pub use firth::{fit_firth, FirthFit, FirthTerm};
pub use predict::{BaselineHazard, CoxBaseline, PredictedAt};
pub use zph::{proportional_hazards_test, proportional_hazards_test_counting, PhTest};

use crate::concordance::{concordance_sorted, Concordance};
use crate::dist::{chisq_sf, normal_two_sided_p};
use crate::error::Error;
use crate::linalg::{quadratic_form_inverse, Ldl, Matrix, DEFAULT_TOLER_CHOL};
use crate::parallel::{map_blocks, on_threads, row_blocks, threads_for};
use likelihood::SortedData;
use std::ops::Range;

/// How tied event times are handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ties {
    /// Efron's approximation (R's default).
    Efron,
    /// Breslow's approximation.
    Breslow,
}

/// Fitting controls (R `coxph.control`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CoxOptions {
    /// Tie handling.
    pub ties: Ties,
    /// Maximum Newton iterations (`iter.max`, 20).
    pub max_iter: usize,
    /// Relative convergence tolerance on the log-likelihood (`eps`, 1e-9).
    pub eps: f64,
    /// Pivot tolerance for redundant columns (`toler.chol`).
    pub toler_chol: f64,
    /// Confidence level of the hazard-ratio intervals.
    pub conf_level: f64,
    /// Compute Harrell's concordance (`coxph` always does). A caller that
    /// reports none skips its pass over every pair of risk set and event,
    /// a third of a large fit's time.
    pub concordance: bool,
}

impl Default for CoxOptions {
    fn default() -> Self {
        CoxOptions {
            ties: Ties::Efron,
            max_iter: 20,
            eps: 1e-9,
            toler_chol: DEFAULT_TOLER_CHOL,
            conf_level: 0.95,
            concordance: true,
        }
    }
}

/// The model's input: n observations, p covariates (row-major n × p).
#[derive(Debug, Clone, Copy)]
pub struct CoxData<'a> {
    /// Follow-up times.
    pub time: &'a [f64],
    /// True for an event.
    pub event: &'a [bool],
    /// Covariates, n × p.
    pub x: &'a Matrix,
    /// Stratum of each observation (separate baseline hazards).
    pub strata: Option<&'a [usize]>,
    /// Cluster of each observation, labelled `0..k`, for a robust variance.
    pub cluster: Option<&'a [usize]>,
    /// Case weights (finite, > 0); see [`counting`] for how they enter.
    pub weights: Option<&'a [f64]>,
}

/// A chi-square test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChisqTest {
    /// Statistic.
    pub chisq: f64,
    /// Degrees of freedom.
    pub df: usize,
    /// Upper-tail p-value.
    pub p: f64,
}

impl ChisqTest {
    /// A test from its statistic and degrees of freedom.
    pub fn new(chisq: f64, df: usize) -> ChisqTest {
        ChisqTest { chisq, df, p: chisq_sf(chisq, df as f64) }
    }
}

/// One coefficient's results; `None` throughout when not estimable (aliased).
#[derive(Debug, Clone, PartialEq)]
pub struct CoxTerm {
    /// β.
    pub coef: Option<f64>,
    /// Model-based standard error.
    pub se: Option<f64>,
    /// Cluster-robust standard error (with clusters).
    pub robust_se: Option<f64>,
    /// β / (robust) se.
    pub z: Option<f64>,
    /// Two-sided Wald p-value.
    pub p: Option<f64>,
    /// exp(β).
    pub hr: Option<f64>,
    /// Lower confidence limit of exp(β).
    pub hr_lower: Option<f64>,
    /// Upper confidence limit of exp(β).
    pub hr_upper: Option<f64>,
}

/// Something the user must know about a fit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CoxWarning {
    /// Column `j` is a linear combination of others: not estimable.
    Aliased(usize),
    /// The log-likelihood converged while coefficient `j` still moved: it may be infinite.
    MayBeInfinite(usize),
    /// The iteration limit was reached.
    NotConverged,
    /// Coefficient `j`'s variance is zero, infinite or not a number (the
    /// information matrix is singular or overflowed): its standard error,
    /// z, p and confidence interval are withheld rather than printed as 0.
    NoStandardError(usize),
}

/// A fitted Cox model.
#[derive(Debug, Clone)]
pub struct CoxFit {
    /// Observations used.
    pub n: usize,
    /// Events.
    pub events: usize,
    /// Newton iterations.
    pub iterations: usize,
    /// Whether the convergence criterion was met.
    pub converged: bool,
    /// ℓ(0).
    pub loglik_null: f64,
    /// ℓ(β̂).
    pub loglik: f64,
    /// One per covariate column.
    pub terms: Vec<CoxTerm>,
    /// Model-based variance (zero rows/columns for aliased terms).
    pub var: Matrix,
    /// Cluster-robust variance, with clusters.
    pub robust_var: Option<Matrix>,
    /// Likelihood-ratio test.
    pub likelihood_ratio: ChisqTest,
    /// Wald test (robust with clusters).
    pub wald: ChisqTest,
    /// Score (log-rank) test at β = 0.
    pub score: ChisqTest,
    /// Harrell's concordance of the linear predictor.
    pub concordance: Option<Concordance>,
    /// Linear predictors `(x_i - x̄)ᵀβ̂` in input order (aliased terms count as 0).
    pub linear_predictor: Vec<f64>,
    /// Warnings, in column order.
    pub warnings: Vec<CoxWarning>,
}

/// Column means and scale factors `Σw / Σ w|x - mean|` (R's coxfit6
/// `doscale`; `w = 1` without case weights, and the means weighted too),
/// leaving columns whose values all lie in {-1, 0, 1} alone (mean 0, scale
/// 1): two row-major passes over X, a share of the columns on each core
/// (each column's sums in row order, whatever the number of cores).
fn centring(x: &Matrix, weights: Option<&[f64]>) -> (Vec<f64>, Vec<f64>) {
    let p = x.ncol;
    if p == 0 {
        return (Vec::new(), Vec::new());
    }
    let weight = |i: usize| weights.map_or(1.0, |w| w[i]);
    let total: f64 = (0..x.nrow).map(weight).sum();
    let columns = |share: Range<usize>| -> Vec<(f64, f64)> {
        let mut sum = vec![0.0; share.len()];
        let mut unit = vec![true; share.len()];
        for (i, row) in x.data.chunks_exact(p).enumerate() {
            for ((s, u), &v) in sum.iter_mut().zip(&mut unit).zip(&row[share.clone()]) {
                *s += weight(i) * v;
                *u &= v == -1.0 || v == 0.0 || v == 1.0;
            }
        }
        let means: Vec<f64> = sum.iter().zip(&unit).map(|(s, &u)| if u { 0.0 } else { s / total }).collect();
        let mut deviation = vec![0.0; share.len()];
        for (i, row) in x.data.chunks_exact(p).enumerate() {
            for ((d, m), &v) in deviation.iter_mut().zip(&means).zip(&row[share.clone()]) {
                *d += weight(i) * (v - m).abs();
            }
        }
        let scale = deviation.iter().zip(&unit).map(|(&d, &u)| if u || d == 0.0 { 1.0 } else { total / d });
        means.iter().copied().zip(scale).collect()
    };
    let threads = threads_for(x.nrow * p).min(p);
    let shares = (0..threads).map(|k| k * p / threads..(k + 1) * p / threads).collect();
    on_threads(shares, columns).into_iter().flatten().unzip()
}

/// The risk sets of a fit: right-censored data sorted once (the fast path),
/// or counting-process rows `(start, stop]`.
enum RiskSets {
    Sorted(SortedData),
    Counting(counting::CountingData),
}

impl RiskSets {
    /// The sums of `data` on covariates centred by `means` and scaled by
    /// `scale`: sorted once for right-censored data without weights, the
    /// counting-process sweep for `(entry, time]` rows or case weights.
    fn new(data: &CoxData, entry: Option<&[f64]>, means: &[f64], scale: &[f64]) -> RiskSets {
        if entry.is_none() && data.weights.is_none() {
            let p = data.x.ncol;
            RiskSets::Sorted(SortedData::centred(data.time, data.event, &data.x.data, p, data.strata, means, scale))
        } else {
            RiskSets::Counting(counting::CountingData::new(
                entry,
                data.time,
                data.event,
                data.x,
                data.weights,
                data.strata,
                means,
                scale,
            ))
        }
    }

    fn evaluate(&self, beta: &[f64], ties: Ties) -> likelihood::Evaluation {
        self.evaluate_weighted(beta, ties, &|_| 1.0)
    }

    /// The score and information with each event time weighted by `psi(t)`.
    fn evaluate_weighted(&self, beta: &[f64], ties: Ties, psi: &(dyn Fn(f64) -> f64 + Sync)) -> likelihood::Evaluation {
        match self {
            RiskSets::Sorted(s) => s.evaluate_weighted(beta, ties, psi),
            RiskSets::Counting(c) => c.evaluate_weighted(beta, ties, psi),
        }
    }

    /// The (weighted) score residuals at `beta` summed within each of
    /// `clusters` clusters (`cluster[row]`, input order): one row per cluster.
    fn cluster_residual_sums(
        &self,
        beta: &[f64],
        ties: Ties,
        cluster: &[usize],
        weights: Option<&[f64]>,
        clusters: usize,
    ) -> Matrix {
        let p = beta.len();
        let mut sums = Matrix::zeros(clusters, p);
        match self {
            RiskSets::Sorted(s) => {
                // Each residual goes to a random cluster's row: the clusters
                // and weights are put in sorted order first, and the row of
                // the residual RESIDUAL_LOOKAHEAD steps on in the walk
                // (nearly always the position that far below) is loaded
                // while this one is added.
                let target: Vec<usize> = s.order.iter().map(|&i| cluster[i]).collect();
                let weight: Option<Vec<f64>> = weights.map(|w| s.order.iter().map(|&i| w[i]).collect());
                residuals::for_each_score_residual(s, beta, ties, |k, residual| {
                    if let Some(ahead) = k.checked_sub(RESIDUAL_LOOKAHEAD) {
                        crate::prefetch::prefetch(&sums.data[target[ahead] * p..(target[ahead] + 1) * p]);
                    }
                    add_weighted_row(&mut sums, target[k], weight.as_ref().map_or(1.0, |w| w[k]), residual);
                });
            }
            RiskSets::Counting(c) => {
                let residuals = c.score_residuals(beta, ties);
                for i in 0..residuals.nrow {
                    let residual = &residuals.data[i * p..(i + 1) * p];
                    add_weighted_row(&mut sums, cluster[i], weights.map_or(1.0, |w| w[i]), residual);
                }
            }
        }
        sums
    }

    /// Concordance of the linear predictor (input order), sorted data in
    /// its own order (no second sort; the sorted copy of X goes first).
    fn concordance(self, linear_predictor: &[f64], cluster: Option<&[usize]>) -> Option<Concordance> {
        match self {
            RiskSets::Sorted(sorted) => {
                let SortedData { x: sorted_x, time, event, strata, order, .. } = sorted;
                drop(sorted_x);
                let score: Vec<f64> = order.iter().map(|&i| linear_predictor[i]).collect();
                let cluster_sorted: Option<Vec<usize>> = cluster.map(|c| order.iter().map(|&i| c[i]).collect());
                concordance_sorted(&time, &event, &strata, &score, cluster_sorted.as_deref())
            }
            RiskSets::Counting(c) => c.concordance(linear_predictor, cluster),
        }
    }
}

/// How many residuals ahead the cluster sums load a cluster's row.
const RESIDUAL_LOOKAHEAD: usize = 16;

/// Add `w · residual` to row `c` of `sums`.
fn add_weighted_row(sums: &mut Matrix, c: usize, w: f64, residual: &[f64]) {
    let p = sums.ncol;
    sums.data[c * p..(c + 1) * p].iter_mut().zip(residual).for_each(|(s, r)| *s += w * r);
}

/// Fit the Cox model.
pub fn fit(data: &CoxData, options: &CoxOptions) -> Result<CoxFit, Error> {
    fit_with_entry(data, None, options)
}

/// Fit the Cox model to counting-process data: row i at risk on
/// `(entry[i], time[i]]` (R `coxph(Surv(start, stop, event) ~ …)`), each
/// `entry[i] < time[i]`; see [`counting`].
pub fn fit_counting(data: &CoxData, entry: &[f64], options: &CoxOptions) -> Result<CoxFit, Error> {
    if entry.len() != data.time.len() {
        return Err(Error::LengthMismatch);
    }
    if entry.iter().zip(data.time).any(|(s, t)| !s.is_finite() || s >= t) {
        return Err(Error::NonFinite("start (each must be a finite number before its stop time)"));
    }
    fit_with_entry(data, Some(entry), options)
}

fn fit_with_entry(data: &CoxData, entry: Option<&[f64]>, options: &CoxOptions) -> Result<CoxFit, Error> {
    let n = data.time.len();
    let p = data.x.ncol;
    if data.event.len() != n
        || data.x.nrow != n
        || data.strata.is_some_and(|s| s.len() != n)
        || data.cluster.is_some_and(|c| c.len() != n)
    {
        return Err(Error::LengthMismatch);
    }
    if n == 0 {
        return Err(Error::Empty);
    }
    if data.time.iter().any(|t| !t.is_finite()) {
        return Err(Error::NonFinite("time"));
    }
    if data.x.data.iter().any(|v| !v.is_finite()) {
        return Err(Error::NonFinite("covariates"));
    }
    if let Some(w) = data.weights {
        if w.len() != n {
            return Err(Error::LengthMismatch);
        }
        if w.iter().any(|w| !(w.is_finite() && *w > 0.0)) {
            return Err(Error::NonFinite("weights (each must be a finite number above 0)"));
        }
    }
    let events = data.event.iter().filter(|&&e| e).count();
    if events == 0 {
        return Err(Error::NoEvents);
    }

    // Centre and scale (R's coxfit6 `doscale`), leaving {-1,0,1} columns alone.
    let (means, scale) = centring(data.x, data.weights);
    let sorted = RiskSets::new(data, entry, &means, &scale);

    // Newton-Raphson, R's coxfit6 schedule.
    let mut beta = vec![0.0; p];
    let first = sorted.evaluate(&beta, options.ties);
    let loglik_null = first.loglik;
    let info0 = Matrix { nrow: p, ncol: p, data: first.information.clone() };
    let ldl0 = Ldl::factor(&info0, options.toler_chol);
    let step = ldl0.solve(&first.score);
    let score_chisq: f64 = first.score.iter().zip(&step).map(|(u, s)| u * s).sum();
    let mut best_loglik = loglik_null;
    let mut new_beta: Vec<f64> = beta.iter().zip(&step).map(|(b, s)| b + s).collect();
    let mut halving = 0usize;
    let mut converged = false;
    let mut iterations = 0;
    let mut last = first;
    for iter in 1..=options.max_iter {
        iterations = iter;
        let ev = sorted.evaluate(&new_beta, options.ties);
        let finite = ev.loglik.is_finite()
            && ev.score.iter().all(|v| v.is_finite())
            && ev.information.iter().all(|v| v.is_finite());
        if finite && (1.0 - best_loglik / ev.loglik).abs() <= options.eps {
            beta = new_beta.clone();
            best_loglik = ev.loglik;
            last = ev;
            converged = true;
            break;
        }
        if !finite || ev.loglik < best_loglik {
            halving += 1;
            let h = halving as f64;
            for (nb, b) in new_beta.iter_mut().zip(&beta) {
                *nb = (*nb + h * b) / (h + 1.0);
            }
        } else {
            halving = 0;
            best_loglik = ev.loglik;
            let info = Matrix { nrow: p, ncol: p, data: ev.information.clone() };
            let step = Ldl::factor(&info, options.toler_chol).solve(&ev.score);
            beta = new_beta.clone();
            for (nb, s) in new_beta.iter_mut().zip(&step) {
                *nb += s;
            }
            last = ev;
        }
    }
    if !converged {
        // R recomputes at the last good β.
        last = sorted.evaluate(&beta, options.ties);
        best_loglik = last.loglik;
    }
    let info = Matrix { nrow: p, ncol: p, data: last.information.clone() };
    let ldl = Ldl::factor(&info, options.toler_chol);
    let var_scaled = ldl.inverse();

    // Back to the original scale.
    let coef_all: Vec<f64> = (0..p).map(|j| beta[j] * scale[j]).collect();
    let mut var = Matrix::zeros(p, p);
    for a in 0..p {
        for b in 0..p {
            *var.get_mut(a, b) = var_scaled.get(a, b) * scale[a] * scale[b];
        }
    }
    let final_score: Vec<f64> = (0..p).map(|j| last.score[j] / scale[j]).collect();
    let aliased: Vec<bool> = (0..p).map(|j| ldl.is_redundant(j)).collect();

    let mut warnings: Vec<CoxWarning> = (0..p).filter(|&j| aliased[j]).map(CoxWarning::Aliased).collect();
    if !converged {
        warnings.push(CoxWarning::NotConverged);
    } else if options.max_iter > 1 {
        let toler_inf = options.eps.sqrt();
        for j in 0..p {
            let uv: f64 = (0..p).map(|k| final_score[k] * var.get(k, j)).sum::<f64>().abs();
            if !final_score[j].is_finite() || (uv > options.eps && uv > toler_inf * coef_all[j].abs()) {
                warnings.push(CoxWarning::MayBeInfinite(j));
            }
        }
    }

    let estimable: Vec<usize> = (0..p).filter(|&j| !aliased[j]).collect();
    let mut linear_predictor = vec![0.0; n];
    map_blocks(&row_blocks(n, |_| true), threads_for(n * p), &mut linear_predictor, |_, rows, out| {
        for (i, eta) in rows.zip(out) {
            *eta = (0..p).map(|j| (data.x.get(i, j) - means[j]) * coef_all[j]).sum();
        }
    });
    // Robust variance, on the scaled covariates like `var_scaled`: with
    // clusters, or (as R) with weights that are not whole numbers.
    let fractional_weights = data.weights.is_some_and(|w| w.iter().any(|w| w.fract() != 0.0));
    let own_clusters: Vec<usize>;
    let cluster = match data.cluster {
        None if fractional_weights => {
            own_clusters = (0..n).collect();
            Some(&own_clusters[..])
        }
        given => given,
    };
    let robust_scaled = cluster.map(|cl| {
        // The (weighted) residuals summed within each cluster. They are on
        // the scaled covariates; var_scaled matches them, and D = L V is
        // then on the scaled β.
        let clusters = cl.iter().copied().max().map_or(0, |m| m + 1);
        let sums = sorted.cluster_residual_sums(&beta, options.ties, cl, data.weights, clusters);
        residuals::robust_variance(&sums, &var_scaled)
    });
    let unscale = |m: &Matrix| {
        let mut out = Matrix::zeros(p, p);
        for a in 0..p {
            for b in 0..p {
                *out.get_mut(a, b) = m.get(a, b) * scale[a] * scale[b];
            }
        }
        out
    };
    let robust_var = robust_scaled.as_ref().map(unscale);
    // Standard errors as sqrt(scaled variance) × scale, never through the
    // squared scale, which underflows for covariates of size 1e300.
    let se_of = |m: &Matrix, j: usize| m.get(j, j).sqrt() * scale[j];
    let z_crit = crate::dist::normal_quantile(1.0 - (1.0 - options.conf_level) / 2.0);
    let terms: Vec<CoxTerm> = (0..p)
        .map(|j| {
            let withheld = |coef: Option<f64>| CoxTerm {
                coef,
                se: None,
                robust_se: None,
                z: None,
                p: None,
                hr: coef.map(f64::exp),
                hr_lower: None,
                hr_upper: None,
            };
            if aliased[j] {
                return withheld(None);
            }
            let coef = coef_all[j];
            let se = se_of(&var_scaled, j);
            let robust_se = robust_scaled.as_ref().map(|r| se_of(r, j));
            let wse = robust_se.unwrap_or(se);
            if !(se > 0.0 && se.is_finite() && wse > 0.0 && wse.is_finite() && coef.is_finite()) {
                warnings.push(CoxWarning::NoStandardError(j));
                return withheld(Some(coef).filter(|c| c.is_finite()));
            }
            let z = coef / wse;
            CoxTerm {
                coef: Some(coef),
                se: Some(se),
                robust_se,
                z: Some(z),
                p: Some(normal_two_sided_p(z)),
                hr: Some(coef.exp()),
                hr_lower: Some((coef - z_crit * wse).exp()),
                hr_upper: Some((coef + z_crit * wse).exp()),
            }
        })
        .collect();

    // The Wald test β' V⁻¹ β is the same on the scaled covariates, where
    // neither β nor V under- or overflows.
    let df = estimable.len();
    let wald_scaled = robust_scaled.as_ref().unwrap_or(&var_scaled);
    let sub_var = Matrix {
        nrow: df,
        ncol: df,
        data: estimable.iter().flat_map(|&a| estimable.iter().map(move |&b| wald_scaled.get(a, b))).collect(),
    };
    let sub_coef: Vec<f64> = estimable.iter().map(|&j| beta[j]).collect();
    let (wald_chisq, _) = quadratic_form_inverse(&sub_var, &sub_coef, options.toler_chol);

    let conc = if options.concordance { sorted.concordance(&linear_predictor, data.cluster) } else { None };
    Ok(CoxFit {
        n,
        events,
        iterations,
        converged,
        loglik_null,
        loglik: best_loglik,
        terms,
        var,
        robust_var,
        likelihood_ratio: ChisqTest::new(2.0 * (best_loglik - loglik_null), df),
        wald: ChisqTest::new(wald_chisq, df),
        score: ChisqTest::new(score_chisq, df),
        concordance: conc,
        linear_predictor,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one_column(x: &[f64]) -> Matrix {
        Matrix { nrow: x.len(), ncol: 1, data: x.to_vec() }
    }

    #[test]
    fn score_residuals_sum_to_the_score() {
        // At β̂ the score is ~0; residuals at β = 0 must sum to U(0).
        let time = [1.0, 2.0, 2.0, 3.0, 4.0, 4.0, 5.0, 6.0];
        let event = [true, true, true, false, true, true, false, true];
        let x = one_column(&[0.5, 1.0, -1.0, 2.0, 0.0, 1.5, -0.5, 1.0]);
        for ties in [Ties::Efron, Ties::Breslow] {
            let sorted = SortedData::new(&time, &event, &x.data, 1, None);
            let ev = sorted.evaluate(&[0.3], ties);
            let mut total = 0.0;
            residuals::for_each_score_residual(&sorted, &[0.3], ties, |_, r| total += r[0]);
            assert!((total - ev.score[0]).abs() < 1e-12, "{ties:?}: {total} vs {}", ev.score[0]);
        }
    }

    #[test]
    fn no_events_is_an_error() {
        let x = one_column(&[1.0, 2.0]);
        let d =
            CoxData { time: &[1.0, 2.0], event: &[false, false], x: &x, strata: None, cluster: None, weights: None };
        assert_eq!(fit(&d, &CoxOptions::default()).unwrap_err(), Error::NoEvents);
    }

    /// Without concordance a fit is the same fit, with no concordance.
    #[test]
    fn a_fit_without_concordance_differs_only_by_it() {
        let time = [5.0, 3.0, 8.0, 1.0, 6.0, 2.0, 9.0, 4.0];
        let event = [true, false, true, true, false, true, true, false];
        let x = Matrix { nrow: 8, ncol: 1, data: vec![1.0, 0.0, 2.0, 3.0, 0.5, 1.5, 0.0, 2.5] };
        let d = CoxData { time: &time, event: &event, x: &x, strata: None, cluster: None, weights: None };
        let with = fit(&d, &CoxOptions::default()).unwrap();
        let without = fit(&d, &CoxOptions { concordance: false, ..CoxOptions::default() }).unwrap();
        assert!(with.concordance.is_some());
        assert_eq!(without.concordance, None);
        assert_eq!(format!("{:?}", CoxFit { concordance: None, ..with }), format!("{without:?}"));
    }
}
