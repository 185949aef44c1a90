//! The Fine-Gray proportional subdistribution hazards model (Fine & Gray
//! 1999, JASA 94:496; R `cmprsk::crr`, one censoring group).
//!
//! For the cause of interest, a subject who failed from a competing cause
//! stays in the risk set after its failure with the inverse-probability-
//! of-censoring weight `w_i(t) = G(t-)/G(T_i-)`, G the Kaplan-Meier
//! estimate of the censoring distribution; everyone else is at risk with
//! weight 1 while `T_i >= t`. With `S0 = Σ w e^{xβ}`, `S1 = Σ w e^{xβ} x`,
//! `x̄ = S1/S0` over that risk set at each failure time t_j (d_j failures),
//!
//! ```text
//! ℓ(β) = Σ_j [ Σ_{failures at t_j} x_iᵀβ - d_j log S0(t_j) ]      (Breslow ties)
//! ```
//!
//! maximised by Newton-Raphson. Its variance is the sandwich
//! `Ω⁻¹ Σ_i (η_i + ψ_i)(η_i + ψ_i)ᵀ Ω⁻¹` of the paper, Ω the information:
//!
//! ```text
//! η_i = δ_i (x_i - x̄(T_i)) - Σ_j d_j w_i(t_j) e^{x_iβ} (x_i - x̄(t_j)) / S0(t_j)
//! q(u) = Σ_{t_j >= u} d_j Σ_{k: competing, T_k < u} w_k(t_j) e^{x_kβ} (x_k - x̄(t_j)) / S0(t_j)
//! ψ_i = ∫ q(u)/Y(u) dM_i^c(u) = c_i q(T_i)/Y(T_i) - Σ_{u <= T_i} c(u) q(u)/Y(u)²
//! ```
//!
//! with `Y(u)` the number under observation at u, `c(u)` the censorings at
//! u, `c_i` whether i is censored: ψ carries the uncertainty of the
//! estimated censoring weights. This is the estimator `crr` computes.

use crate::dist::{normal_quantile, normal_two_sided_p};
use crate::error::Error;
use crate::linalg::{Ldl, Matrix, DEFAULT_TOLER_CHOL};

/// One coefficient.
#[derive(Debug, Clone, PartialEq)]
pub struct SubdistributionTerm {
    /// β.
    pub coef: f64,
    /// Sandwich standard error.
    pub se: f64,
    /// β / se.
    pub z: f64,
    /// Two-sided p.
    pub p: f64,
    /// exp(β), the subdistribution hazard ratio.
    pub hr: f64,
    /// Lower limit.
    pub hr_lower: f64,
    /// Upper limit.
    pub hr_upper: f64,
}

/// A Fine-Gray fit.
#[derive(Debug, Clone, PartialEq)]
pub struct FineGray {
    /// Observations.
    pub n: usize,
    /// Failures from the cause of interest.
    pub events: usize,
    /// Failures from competing causes.
    pub competing: usize,
    /// Newton iterations.
    pub iterations: usize,
    /// ℓ(0).
    pub loglik_null: f64,
    /// ℓ(β̂).
    pub loglik: f64,
    /// Coefficients.
    pub terms: Vec<SubdistributionTerm>,
}

/// Sorted data with censoring weights.
struct Prepared<'a> {
    x: &'a Matrix,
    time: Vec<f64>,
    /// 0 censored, 1 cause of interest, 2 competing.
    kind: Vec<u8>,
    /// G(T_i-), in the same sorted order.
    g_left: Vec<f64>,
    /// Original row of each sorted position.
    order: Vec<usize>,
    /// Sorted positions of the failures of interest, grouped by distinct time.
    failure_groups: Vec<(usize, usize)>,
}

impl Prepared<'_> {
    fn row(&self, k: usize) -> &[f64] {
        self.x.row(self.order[k])
    }

    /// Weight of sorted subject k in the risk set of failure time at sorted position j.
    fn weight(&self, k: usize, j: usize) -> f64 {
        if self.time[k] >= self.time[j] {
            1.0
        } else if self.kind[k] == 2 {
            self.g_left[j] / self.g_left[k]
        } else {
            0.0
        }
    }
}

/// Risk-set sums at one failure time.
struct RiskSet {
    s0: f64,
    mean: Vec<f64>,
    cov: Vec<f64>,
}

fn risk_set(pr: &Prepared, j: usize, eta: &[f64]) -> RiskSet {
    let p = pr.x.ncol;
    let (mut s0, mut s1, mut s2) = (0.0, vec![0.0; p], vec![0.0; p * p]);
    for k in 0..pr.time.len() {
        let w = pr.weight(k, j);
        if w == 0.0 {
            continue;
        }
        let r = w * eta[k].exp();
        let x = pr.row(k);
        s0 += r;
        for a in 0..p {
            s1[a] += r * x[a];
            for b in 0..p {
                s2[a * p + b] += r * x[a] * x[b];
            }
        }
    }
    let mean: Vec<f64> = s1.iter().map(|v| v / s0).collect();
    let cov = (0..p * p).map(|ab| s2[ab] / s0 - mean[ab / p] * mean[ab % p]).collect();
    RiskSet { s0, mean, cov }
}

/// ℓ, U and Ω at β, with the risk sets (one per failure group).
fn evaluate(pr: &Prepared, beta: &[f64]) -> (f64, Vec<f64>, Matrix, Vec<RiskSet>, Vec<f64>) {
    let p = pr.x.ncol;
    let eta: Vec<f64> = (0..pr.time.len()).map(|k| pr.row(k).iter().zip(beta).map(|(a, b)| a * b).sum()).collect();
    let (mut ll, mut u, mut info) = (0.0, vec![0.0; p], Matrix::zeros(p, p));
    let mut sets = Vec::with_capacity(pr.failure_groups.len());
    for &(start, end) in &pr.failure_groups {
        let rs = risk_set(pr, start, &eta);
        let d = (end - start) as f64;
        for k in start..end {
            ll += eta[k];
            for a in 0..p {
                u[a] += pr.row(k)[a];
            }
        }
        ll -= d * rs.s0.ln();
        for a in 0..p {
            u[a] -= d * rs.mean[a];
            for b in 0..p {
                *info.get_mut(a, b) += d * rs.cov[a * p + b];
            }
        }
        sets.push(rs);
    }
    (ll, u, info, sets, eta)
}

/// Fit the model for `cause` (status 0 censored, other values causes).
pub fn fine_gray(time: &[f64], status: &[u32], cause: u32, x: &Matrix, conf_level: f64) -> Result<FineGray, Error> {
    let n = time.len();
    let p = x.ncol;
    if status.len() != n || x.nrow != n {
        return Err(Error::LengthMismatch);
    }
    if n == 0 {
        return Err(Error::Empty);
    }
    if time.iter().any(|t| !t.is_finite()) || x.data.iter().any(|v| !v.is_finite()) {
        return Err(Error::NonFinite("time or covariates"));
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| time[a].total_cmp(&time[b]));
    let t: Vec<f64> = order.iter().map(|&i| time[i]).collect();
    if !status.contains(&cause) {
        return Err(Error::NoEvents);
    }
    let kind_of = |i: usize| {
        if status[i] == 0 {
            0u8
        } else if status[i] == cause {
            1
        } else {
            2
        }
    };
    // G(t-): Kaplan-Meier of censoring, read just before each time.
    let mut g_left = vec![1.0; n];
    let mut g = 1.0;
    let mut i = 0;
    while i < n {
        let end = i + t[i..].iter().take_while(|&&u| u == t[i]).count();
        for slot in &mut g_left[i..end] {
            *slot = g;
        }
        let censored = order[i..end].iter().filter(|&&o| status[o] == 0).count() as f64;
        g *= 1.0 - censored / (n - i) as f64;
        i = end;
    }
    // Put the failures of interest first within each tied time so each group is contiguous.
    let mut order2 = order.clone();
    let mut i = 0;
    while i < n {
        let end = i + t[i..].iter().take_while(|&&u| u == t[i]).count();
        order2[i..end].sort_by_key(|&o| if status[o] == cause { 0 } else { 1 });
        i = end;
    }
    let kind: Vec<u8> = order2.iter().map(|&i| kind_of(i)).collect();
    let mut failure_groups = Vec::new();
    let mut i = 0;
    while i < n {
        let end = i + t[i..].iter().take_while(|&&u| u == t[i]).count();
        let d = kind[i..end].iter().filter(|&&k| k == 1).count();
        if d > 0 {
            failure_groups.push((i, i + d));
        }
        i = end;
    }
    let pr = Prepared { x, time: t, kind, g_left, order: order2, failure_groups };

    // Newton-Raphson with step halving.
    let mut beta = vec![0.0; p];
    let mut cur = evaluate(&pr, &beta);
    let ll0 = cur.0;
    let mut iterations = 0;
    for iter in 1..=100 {
        iterations = iter;
        let step = Ldl::factor(&cur.2, DEFAULT_TOLER_CHOL).solve(&cur.1);
        let mut scale = 1.0;
        let mut next = None;
        for _ in 0..40 {
            let trial: Vec<f64> = beta.iter().zip(&step).map(|(b, s)| b + scale * s).collect();
            let ev = evaluate(&pr, &trial);
            if ev.0.is_finite() && ev.0 >= cur.0 - 1e-12 * cur.0.abs() {
                next = Some((trial, ev));
                break;
            }
            scale /= 2.0;
        }
        let Some((trial, ev)) = next else { break };
        let change = trial.iter().zip(&beta).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
        beta = trial;
        cur = ev;
        if change < 1e-11 {
            break;
        }
    }
    let (ll, _, info, sets, eta) = cur;
    let ldl = Ldl::factor(&info, DEFAULT_TOLER_CHOL);
    if ldl.rank() < p {
        return Err(Error::Singular);
    }
    let info_inv = ldl.inverse();

    // η_i and ψ_i in sorted order.
    let m = pr.time.len();
    let mut resid = vec![vec![0.0; p]; m];
    for (g, &(start, end)) in pr.failure_groups.iter().enumerate() {
        let rs = &sets[g];
        let d = (end - start) as f64;
        for k in 0..m {
            let w = pr.weight(k, start);
            if w == 0.0 {
                continue;
            }
            let r = w * eta[k].exp() * d / rs.s0;
            for a in 0..p {
                resid[k][a] -= r * (pr.row(k)[a] - rs.mean[a]);
            }
        }
        for k in start..end {
            for a in 0..p {
                resid[k][a] += pr.row(k)[a] - rs.mean[a];
            }
        }
    }
    // ψ: walk the distinct times; at a time with censorings, q(u) over failures at or after u.
    let mut psi_running = vec![0.0; p];
    let mut i = 0;
    while i < m {
        let u = pr.time[i];
        let end = i + pr.time[i..].iter().take_while(|&&v| v == u).count();
        let censored = (i..end).filter(|&k| pr.kind[k] == 0).count() as f64;
        let at_risk = (m - i) as f64;
        let mut q = vec![0.0; p];
        if censored > 0.0 {
            for (g, &(start, fend)) in pr.failure_groups.iter().enumerate() {
                if pr.time[start] < u {
                    continue;
                }
                let rs = &sets[g];
                let d = (fend - start) as f64;
                for k in 0..i {
                    if pr.kind[k] != 2 {
                        continue;
                    }
                    let r = pr.weight(k, start) * eta[k].exp() * d / rs.s0;
                    for a in 0..p {
                        q[a] += r * (pr.row(k)[a] - rs.mean[a]);
                    }
                }
            }
            for a in 0..p {
                psi_running[a] -= censored * q[a] / (at_risk * at_risk);
            }
        }
        for k in i..end {
            for a in 0..p {
                resid[k][a] += psi_running[a];
                if pr.kind[k] == 0 {
                    resid[k][a] += q[a] / at_risk;
                }
            }
        }
        i = end;
    }
    let mut meat = Matrix::zeros(p, p);
    for r in &resid {
        for a in 0..p {
            for b in 0..p {
                *meat.get_mut(a, b) += r[a] * r[b];
            }
        }
    }
    let z = normal_quantile(1.0 - (1.0 - conf_level) / 2.0);
    let terms = (0..p)
        .map(|a| {
            let var: f64 = (0..p)
                .map(|k| (0..p).map(|l| info_inv.get(a, k) * meat.get(k, l) * info_inv.get(l, a)).sum::<f64>())
                .sum();
            let se = var.sqrt();
            SubdistributionTerm {
                coef: beta[a],
                se,
                z: beta[a] / se,
                p: normal_two_sided_p(beta[a] / se),
                hr: beta[a].exp(),
                hr_lower: (beta[a] - z * se).exp(),
                hr_upper: (beta[a] + z * se).exp(),
            }
        })
        .collect();
    Ok(FineGray {
        n,
        events: pr.kind.iter().filter(|&&k| k == 1).count(),
        competing: pr.kind.iter().filter(|&&k| k == 2).count(),
        iterations,
        loglik_null: ll0,
        loglik: ll,
        terms,
    })
}
