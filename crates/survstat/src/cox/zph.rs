//! Test of proportional hazards from scaled Schoenfeld residuals (R
//! `cox.zph`, survival 3.5-3, `transform = "km"`).
//!
//! survival 3.x computes the test as a score test. Each covariate `x_j` of
//! the fitted model gets a companion `x_j g(t)`, where `g(t) = 1 - S(t-)`
//! is the Kaplan-Meier transform of time (all observations), centred at
//! its mean over the events. At `(β̂, 0)` the original block of the score
//! is zero and the companions' score is
//!
//! ```text
//! U₂ = Σ_t g(t) r(t),     r(t) = Σ_{events at t} x_i - Σ_k w_k m_k(t)   (Schoenfeld sum)
//! ```
//!
//! with information blocks `I₁₁ = Σ_t V(t)`, `I₁₂ = Σ_t g(t) V(t)`,
//! `I₂₂ = Σ_t g(t)² V(t)`, `V(t) = Σ_k w_k Var_k(x)` the (Efron or
//! Breslow) risk-set covariance. The test of a term T (a factor's columns
//! together) is `uᵀ I_SS⁻¹ u` with `S` = all original columns plus T's
//! companions and `u = (0, U₂,T)`, on |T| df; the global test uses every
//! companion, on p df. Aliased columns are left out, as R does.
//!
//! With case weights or counting-process rows `(start, stop]` the sums are
//! those of the weighted risk sets of [`super::counting`], as R's `zph2`;
//! `g` stays the unweighted Kaplan-Meier of the rows (with delayed entry
//! for `(start, stop]`), centred by the plain mean over the events, as
//! `cox.zph` computes it.

use super::RiskSets;
use super::{ChisqTest, CoxData, CoxFit, Ties};
use crate::error::Error;
use crate::km::{ConfSpec, KaplanMeier};
use crate::linalg::{Ldl, Matrix, DEFAULT_TOLER_CHOL};

/// Per-term and global tests.
#[derive(Debug, Clone, PartialEq)]
pub struct PhTest {
    /// One per term given, in order (`None` for a term with no estimable column).
    pub terms: Vec<Option<ChisqTest>>,
    /// All terms together.
    pub global: ChisqTest,
}

/// Test proportional hazards for `terms` (each a list of column indices of `data.x`).
pub fn proportional_hazards_test(
    data: &CoxData,
    fit: &CoxFit,
    ties: Ties,
    terms: &[Vec<usize>],
) -> Result<PhTest, Error> {
    ph_test(data, None, fit, ties, terms)
}

/// The same for a fit to counting-process rows `(entry, time]`
/// ([`super::fit_counting`]).
pub fn proportional_hazards_test_counting(
    data: &CoxData,
    entry: &[f64],
    fit: &CoxFit,
    ties: Ties,
    terms: &[Vec<usize>],
) -> Result<PhTest, Error> {
    if entry.len() != data.time.len() {
        return Err(Error::LengthMismatch);
    }
    ph_test(data, Some(entry), fit, ties, terms)
}

fn ph_test(
    data: &CoxData,
    entry: Option<&[f64]>,
    fit: &CoxFit,
    ties: Ties,
    terms: &[Vec<usize>],
) -> Result<PhTest, Error> {
    let n = data.time.len();
    let cols: Vec<usize> = (0..data.x.ncol).filter(|&j| fit.terms[j].coef.is_some()).collect();
    let q = cols.len();
    if q == 0 {
        return Err(Error::NoEvents);
    }
    let beta: Vec<f64> = cols.iter().map(|&j| fit.terms[j].coef.expect("estimable")).collect();
    let mut x = Matrix { nrow: n, ncol: q, data: Vec::with_capacity(n * q) };
    for i in 0..n {
        x.data.extend(cols.iter().map(|&j| data.x.get(i, j)));
    }
    // g(t) = 1 - S(t-), centred over the events.
    let km = KaplanMeier::fit_weighted(entry, data.time, data.event, None, ConfSpec::default());
    let g_raw = |t: f64| {
        let k = km.steps.partition_point(|s| s.time < t);
        1.0 - if k == 0 { 1.0 } else { km.steps[k - 1].surv }
    };
    let events: Vec<f64> = (0..n).filter(|&i| data.event[i]).map(|i| g_raw(data.time[i])).collect();
    let centre = events.iter().sum::<f64>() / events.len() as f64;

    let g = |t: f64| g_raw(t) - centre;
    let estimable = CoxData { x: &x, ..*data };
    let sums = RiskSets::new(&estimable, entry, &vec![0.0; q], &vec![1.0; q]);
    let plain = sums.evaluate(&beta, ties);
    let by_g = sums.evaluate_weighted(&beta, ties, &g);
    let by_g2 = sums.evaluate_weighted(&beta, ties, &|t| g(t) * g(t));
    let u2 = by_g.score;
    let m = 2 * q;
    let mut info = Matrix::zeros(m, m);
    for j in 0..q {
        for l in 0..q {
            *info.get_mut(j, l) = plain.information[j * q + l];
            *info.get_mut(j, q + l) = by_g.information[j * q + l];
            *info.get_mut(q + j, l) = by_g.information[j * q + l];
            *info.get_mut(q + j, q + l) = by_g2.information[j * q + l];
        }
    }
    let test_on = |companions: &[usize]| -> ChisqTest {
        let idx: Vec<usize> = (0..q).chain(companions.iter().map(|&c| q + c)).collect();
        let sub = Matrix {
            nrow: idx.len(),
            ncol: idx.len(),
            data: idx.iter().flat_map(|&a| idx.iter().map(move |&b| (a, b))).map(|(a, b)| info.get(a, b)).collect(),
        };
        let u: Vec<f64> = (0..q).map(|_| 0.0).chain(companions.iter().map(|&c| u2[c])).collect();
        let sol = Ldl::factor(&sub, DEFAULT_TOLER_CHOL).solve(&u);
        let chisq: f64 = u.iter().zip(&sol).map(|(a, b)| a * b).sum();
        ChisqTest::new(chisq, companions.len())
    };
    let term_tests = terms
        .iter()
        .map(|t| {
            let companions: Vec<usize> = t.iter().filter_map(|j| cols.iter().position(|c| c == j)).collect();
            (!companions.is_empty()).then(|| test_on(&companions))
        })
        .collect();
    let all: Vec<usize> = (0..q).collect();
    Ok(PhTest { terms: term_tests, global: test_on(&all) })
}
