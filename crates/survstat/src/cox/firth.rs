//! Firth-penalised Cox regression for monotone likelihood (Heinze &
//! Schemper 2001, Biometrics 57:114; R `coxphf`, Python `firthmodels`).
//!
//! The partial log-likelihood (Breslow ties, as `coxphf`) is penalised by
//! Jeffreys' prior, `ℓ*(β) = ℓ(β) + ½ log |I(β)|`, which keeps every
//! estimate finite even when a level has no events. Its gradient, the
//! modified score, is
//!
//! ```text
//! U*_t = U_t + ½ tr(I⁻¹ ∂I/∂β_t)
//!      = U_t + ½ Σ_j d_j [ A_t/S0 - B S1_t/S0² - 2 (V I⁻¹ x̄)_t ]
//! ```
//!
//! where, over the risk set of event time j with weights `w_i = exp(x_iᵀβ)`,
//! `S0 = Σw`, `S1 = Σw x`, `x̄ = S1/S0`, `V = S2/S0 - x̄x̄ᵀ`, and with the
//! leverages `h_i = x_iᵀ I⁻¹ x_i`: `A = Σ w h x`, `B = Σ w h` (the third
//! moment contracted with `I⁻¹` without forming it).
//!
//! The iteration, as `coxphf`'s: Newton-type steps `β ← β + s I⁻¹U*` with
//! the unpenalised information (the penalised Hessian needs fourth
//! moments), each coordinate capped at 5. The unpenalised information
//! understates the curvature of ℓ* — for the two-subject example of Heinze
//! & Schemper, `ℓ*(β) = 3β/2 − 2 log(1 + e^β)`, it is half of it — so a full
//! step can overshoot the maximum to a point of equal ℓ*, and accepting
//! steps that merely do not decrease ℓ* oscillates for ever. A step is
//! therefore accepted only with a sufficient increase (Armijo:
//! `ℓ*(β + sδ) ≥ ℓ*(β) + 10⁻⁴ s U*ᵀδ`, or, where ℓ* no longer changes
//! beyond its rounding, a halved score), halving `s` until it has one; the
//! iteration stops when the penalised score is below 1e-9 in every free
//! coordinate, or when the step changes no coordinate by more than 1e-10
//! while the score is below 1e-6; otherwise it is an error.
//!
//! Inference as in `coxphf`: standard errors from `I(β̂)⁻¹`; for each
//! coefficient the penalised likelihood-ratio statistic
//! `2[ℓ*(β̂) - max ℓ*(β | β_j = 0)]` (1 df), and the profile penalised
//! likelihood interval `{b : 2[ℓ*(β̂) - max ℓ*(β | β_j = b)] <= χ²₁(1-α)}`,
//! its ends found by bracketing and bisection to 1e-9; the global test is
//! `2[ℓ*(β̂) - ℓ*(0)]` on p df.

use super::likelihood::SortedData;
use super::{ChisqTest, CoxData, Ties};
use crate::dist::chisq_sf;
use crate::error::Error;
use crate::linalg::{Ldl, Matrix, DEFAULT_TOLER_CHOL};

/// One coefficient of a Firth fit.
#[derive(Debug, Clone, PartialEq)]
pub struct FirthTerm {
    /// β.
    pub coef: f64,
    /// Standard error from `I(β̂)⁻¹`.
    pub se: f64,
    /// Wald z.
    pub z: f64,
    /// Penalised likelihood-ratio p (1 df).
    pub p: f64,
    /// exp(β).
    pub hr: f64,
    /// Profile penalised likelihood limits of exp(β) (`None` if not bracketed).
    pub hr_lower: Option<f64>,
    /// Upper limit.
    pub hr_upper: Option<f64>,
}

/// A Firth-penalised Cox fit.
#[derive(Debug, Clone, PartialEq)]
pub struct FirthFit {
    /// Observations.
    pub n: usize,
    /// Events.
    pub events: usize,
    /// Newton iterations of the main fit.
    pub iterations: usize,
    /// Penalised log-likelihood at 0.
    pub loglik_null: f64,
    /// Penalised log-likelihood at β̂.
    pub loglik: f64,
    /// Coefficients.
    pub terms: Vec<FirthTerm>,
    /// Penalised likelihood-ratio test of all coefficients.
    pub likelihood_ratio: ChisqTest,
    /// Columns whose profile limit could not be bracketed (reported as unbounded).
    pub unbounded_limits: Vec<usize>,
}

/// Penalised likelihood, modified score and (unpenalised) information at β.
struct Penalised {
    loglik: f64,
    score: Vec<f64>,
    information: Matrix,
    inverse: Matrix,
}

fn penalised(sorted: &SortedData, beta: &[f64]) -> Result<Penalised, Error> {
    let p = sorted.p;
    let ev = sorted.evaluate(beta, Ties::Breslow);
    let information = Matrix { nrow: p, ncol: p, data: ev.information };
    let ldl = Ldl::factor(&information, DEFAULT_TOLER_CHOL);
    if ldl.rank() < p {
        return Err(Error::Singular);
    }
    let inverse = ldl.inverse();
    let logdet: f64 = ldl.pivots().iter().map(|d| d.ln()).sum();
    let eta = sorted.linear_predictor(beta);
    let mut correction = vec![0.0; p];
    let mut s1 = vec![0.0; p];
    let mut a = vec![0.0; p];
    let mut s2 = vec![0.0; p * p];
    let mut xbar = vec![0.0; p];
    let mut ix = vec![0.0; p];
    let mut row = vec![0.0; p];
    for &(start, end) in &sorted.strata {
        let (mut s0, mut b) = (0.0, 0.0);
        s1.iter_mut().chain(a.iter_mut()).chain(s2.iter_mut()).for_each(|v| *v = 0.0);
        let mut i = start;
        while i < end {
            let t = sorted.time[i];
            let mut d = 0.0;
            while i < end && sorted.time[i] == t {
                sorted.x.row_into(i, &mut row);
                let w = eta[i].exp();
                let h: f64 = (0..p).map(|r| row[r] * (0..p).map(|s| inverse.get(r, s) * row[s]).sum::<f64>()).sum();
                s0 += w;
                b += w * h;
                for r in 0..p {
                    s1[r] += w * row[r];
                    a[r] += w * h * row[r];
                    for s in 0..p {
                        s2[r * p + s] += w * row[r] * row[s];
                    }
                }
                if sorted.event[i] {
                    d += 1.0;
                }
                i += 1;
            }
            if d == 0.0 {
                continue;
            }
            for r in 0..p {
                xbar[r] = s1[r] / s0;
            }
            for r in 0..p {
                ix[r] = (0..p).map(|s| inverse.get(r, s) * xbar[s]).sum();
            }
            for t_ in 0..p {
                let term1 = a[t_] / s0 - b * s1[t_] / (s0 * s0);
                let term23: f64 = (0..p).map(|r| (s2[r * p + t_] / s0 - xbar[r] * xbar[t_]) * ix[r]).sum();
                correction[t_] += d * (term1 - 2.0 * term23);
            }
        }
    }
    let score = (0..p).map(|t_| ev.score[t_] + 0.5 * correction[t_]).collect();
    Ok(Penalised { loglik: ev.loglik + 0.5 * logdet, score, information, inverse })
}

/// Maximise ℓ* over the coordinates not in `fixed` (their values held), from `start`.
fn maximise(sorted: &SortedData, start: &[f64], fixed: Option<usize>) -> Result<(Vec<f64>, f64, usize), Error> {
    let p = sorted.p;
    let free: Vec<usize> = (0..p).filter(|&j| Some(j) != fixed).collect();
    let mut beta = start.to_vec();
    let mut cur = penalised(sorted, &beta)?;
    if free.is_empty() {
        return Ok((beta, cur.loglik, 0));
    }
    let score_norm = |pen: &Penalised| free.iter().map(|&j| pen.score[j].abs()).fold(0.0, f64::max);
    for iter in 1..=200 {
        if score_norm(&cur) < 1e-9 {
            return Ok((beta, cur.loglik, iter - 1));
        }
        // Newton direction on the free block: I_ff⁻¹ U*_f.
        let sub = Matrix {
            nrow: free.len(),
            ncol: free.len(),
            data: free
                .iter()
                .flat_map(|&r| free.iter().map(move |&s| (r, s)))
                .map(|(r, s)| cur.information.get(r, s))
                .collect(),
        };
        let u: Vec<f64> = free.iter().map(|&j| cur.score[j]).collect();
        let mut step = Ldl::factor(&sub, DEFAULT_TOLER_CHOL).solve(&u);
        let largest = step.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        if largest > 5.0 {
            step.iter_mut().for_each(|v| *v *= 5.0 / largest);
        }
        let slope: f64 = u.iter().zip(&step).map(|(a, b)| a * b).sum();
        let mut scale = 1.0;
        let mut accepted = None;
        for _ in 0..60 {
            let mut trial = beta.clone();
            for (k, &j) in free.iter().enumerate() {
                trial[j] += scale * step[k];
            }
            if let Ok(next) = penalised(sorted, &trial) {
                let increases = next.loglik >= cur.loglik + 1e-4 * scale * slope;
                // Near the maximum ℓ* changes by less than its rounding:
                // there a step that halves the score without lowering ℓ*
                // beyond rounding is progress too.
                let rounding = 1e-12 * cur.loglik.abs().max(1.0);
                let closer = score_norm(&next) < 0.5 * score_norm(&cur) && next.loglik >= cur.loglik - rounding;
                if next.loglik.is_finite() && (increases || closer) {
                    accepted = Some((trial, next));
                    break;
                }
            }
            scale /= 2.0;
        }
        let Some((trial, next)) = accepted else {
            // No step increases ℓ* measurably: at the maximum to rounding,
            // if the score says so.
            return if score_norm(&cur) < 1e-6 {
                Ok((beta, cur.loglik, iter))
            } else {
                Err(Error::NotConverged("the Firth iteration"))
            };
        };
        let change = free.iter().map(|&j| (trial[j] - beta[j]).abs()).fold(0.0, f64::max);
        beta = trial;
        cur = next;
        if change < 1e-10 && score_norm(&cur) < 1e-6 {
            return Ok((beta, cur.loglik, iter));
        }
    }
    Err(Error::NotConverged("the Firth iteration"))
}

/// Fit the Firth-penalised Cox model (no strata; Breslow ties).
pub fn fit_firth(data: &CoxData, conf_level: f64) -> Result<FirthFit, Error> {
    let n = data.time.len();
    let p = data.x.ncol;
    if data.event.len() != n || data.x.nrow != n {
        return Err(Error::LengthMismatch);
    }
    if n == 0 {
        return Err(Error::Empty);
    }
    if data.weights.is_some() {
        return Err(Error::Unsupported("the Firth-penalised model with case weights"));
    }
    let events = data.event.iter().filter(|&&e| e).count();
    if events == 0 {
        return Err(Error::NoEvents);
    }
    if data.time.iter().any(|t| !t.is_finite()) || data.x.data.iter().any(|v| !v.is_finite()) {
        return Err(Error::NonFinite("time or covariates"));
    }
    let sorted = SortedData::new(data.time, data.event, &data.x.data, p, data.strata);
    let zero = vec![0.0; p];
    let loglik_null = penalised(&sorted, &zero)?.loglik;
    let (beta, loglik, iterations) = maximise(&sorted, &zero, None)?;
    let at_max = penalised(&sorted, &beta)?;
    let q = crate::dist::normal_quantile(1.0 - (1.0 - conf_level) / 2.0).powi(2);
    let mut terms = Vec::with_capacity(p);
    let mut warnings = Vec::new();
    for j in 0..p {
        let se = at_max.inverse.get(j, j).sqrt();
        // Profile deviance at β_j = b, warm-started from the full estimate.
        let deviance = |b: f64| -> Option<f64> {
            let mut start = beta.clone();
            start[j] = b;
            maximise(&sorted, &start, Some(j)).ok().map(|(_, ll, _)| 2.0 * (loglik - ll))
        };
        let lr0 = deviance(0.0).unwrap_or(f64::NAN).max(0.0);
        // A failed constrained fit (overflow far from β̂) counts as beyond the limit.
        let beyond = |b: f64| deviance(b).is_none_or(|d| d >= q);
        let bound = |direction: f64| -> Option<f64> {
            // Bracket: walk out in steps of one standard error, doubling, until the deviance passes q.
            let mut inner = beta[j];
            let mut width = if se.is_finite() && se > 0.0 { se } else { 0.1 };
            let mut outer = beta[j] + direction * width;
            let mut tries = 0;
            while !beyond(outer) {
                inner = outer;
                width *= 2.0;
                outer = beta[j] + direction * width;
                tries += 1;
                if tries > 40 {
                    return None;
                }
            }
            for _ in 0..200 {
                let mid = 0.5 * (inner + outer);
                if beyond(mid) {
                    outer = mid;
                } else {
                    inner = mid;
                }
                if (outer - inner).abs() < 1e-9 * (se + mid.abs()) {
                    break;
                }
            }
            Some(0.5 * (inner + outer))
        };
        let lower = bound(-1.0);
        let upper = bound(1.0);
        if lower.is_none() || upper.is_none() {
            warnings.push(j);
        }
        terms.push(FirthTerm {
            coef: beta[j],
            se,
            z: beta[j] / se,
            p: chisq_sf(lr0, 1.0),
            hr: beta[j].exp(),
            hr_lower: lower.map(f64::exp),
            hr_upper: upper.map(f64::exp),
        });
    }
    Ok(FirthFit {
        n,
        events,
        iterations,
        loglik_null,
        loglik,
        terms,
        likelihood_ratio: ChisqTest::new((2.0 * (loglik - loglik_null)).max(0.0), p),
        unbounded_limits: warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn firth(time: &[f64], event: &[bool], x: &[f64]) -> FirthFit {
        let x = Matrix { nrow: x.len(), ncol: 1, data: x.to_vec() };
        fit_firth(&CoxData { time, event, x: &x, strata: None, cluster: None, weights: None }, 0.95).unwrap()
    }

    /// Heinze & Schemper (2001): two subjects, the one with x = 1 failing
    /// first; ℓ*(β) = 3β/2 − 2 log(1 + e^β) is maximal at β = log 3. With
    /// a third subject at risk, ℓ* = 3β/2 − 2 log(2 + e^β), at β = log 6.
    /// Both used to oscillate between points of equal ℓ* until the
    /// iteration limit.
    #[test]
    fn smallest_published_examples_converge_to_their_closed_form() {
        let two = firth(&[1.0, 2.0], &[true, false], &[1.0, 0.0]);
        assert!((two.terms[0].coef - 3f64.ln()).abs() < 1e-9, "{}", two.terms[0].coef);
        let three = firth(&[1.0, 2.0, 3.0], &[true, false, false], &[1.0, 0.0, 0.0]);
        assert!((three.terms[0].coef - 6f64.ln()).abs() < 1e-9, "{}", three.terms[0].coef);
        // The penalised log-likelihood at the maximum, in closed form.
        let ll = 1.5 * 3f64.ln() - 2.0 * 4f64.ln() + 0.5 * 0.0f64.exp().ln();
        assert!((two.loglik - ll).abs() < 1e-12, "{} vs {ll}", two.loglik);
    }
}
