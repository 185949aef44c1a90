//! Score residuals of a Cox fit and the cluster-robust (sandwich) variance
//! (R `residuals(fit, type = "score")`, `coxph(..., cluster = id)`).
//!
//! With `Λ(t)` the (Efron or Breslow) hazard increments and `m(t)` the
//! risk-set means, the score residual of observation i is
//!
//! ```text
//! L_i = Σ_t (x_i - m(t)) dN_i(t)  -  Σ_t Y_i(t) r_i (x_i - m(t)) dΛ(t),
//! ```
//!
//! the contribution of i to the score `U(β) = Σ L_i`. Under Efron's rule a
//! time with `d` events is `d` pieces `k = 0..d-1`; an event takes `1/d` of
//! its count in each piece and stays in the risk set of piece k with
//! weight `1 - k/d`. Walking forward in time with the running sums
//! `Λ = Σ dΛ` and `XΛ = Σ m dΛ`, the at-risk part is `r_i (x_i Λ(t_i) - XΛ(t_i))`,
//! and each event gets back `r_i (k/d)(x_i - m_k) dΛ_k` for the share it was
//! not at risk. An event's terms over its time's pieces,
//! `Σ_k (s_k + r_i f_k dΛ_k)(x_i - m_k)`, come from four sums per time
//! (`Σ s_k`, `Σ f_k dΛ_k` and the same weighted by `m_k`): O(n p) in all,
//! however many events share a time.
//!
//! The dfbeta residuals are `D = L V` (V the model-based variance), and
//! with clusters the robust variance is `Σ_c (Σ_{i∈c} D_i)ᵀ(Σ_{i∈c} D_i)`
//! (Lin & Wei 1989), which is what R reports as `robust se`.

use super::likelihood::SortedData;
use super::Ties;
use crate::cluster::sum_by_cluster;
use crate::linalg::Matrix;

/// Score residuals (n × p, original row order) at `beta`.
pub(crate) fn score_residuals(data: &SortedData, beta: &[f64], ties: Ties) -> Matrix {
    let p = data.p;
    let n = data.time.len();
    let eta = data.linear_predictor(beta);
    let mut pieces_at: Vec<Option<usize>> = vec![None; n];
    let pieces = data.hazard_pieces(beta, ties);
    for (idx, (start, _, _)) in pieces.iter().enumerate() {
        pieces_at[*start] = Some(idx);
    }
    let mut out = Matrix::zeros(n, p);
    let mut row = vec![0.0; p];
    for &(start, end) in &data.strata {
        let mut cumhaz = 0.0;
        let mut xhaz = vec![0.0; p];
        // Sorted order is decreasing time, so walk each stratum backwards.
        let mut hi = end;
        while hi > start {
            let t = data.time[hi - 1];
            let lo = start + data.time[start..hi].iter().rposition(|&u| u != t).map_or(0, |k| k + 1);
            // An event's share of the group's pieces, Σ_k (s_k + r f_k λ_k)(x - m_k),
            // from four per-group sums: O(p) per event, not O(p d).
            let (mut share, mut downweighted) = (0.0, 0.0);
            let (mut share_mean, mut downweighted_mean) = (vec![0.0; p], vec![0.0; p]);
            if let Some(idx) = pieces_at[lo] {
                for h in &pieces[idx].2 {
                    cumhaz += h.hazard;
                    share += h.event_share;
                    downweighted += h.downweight * h.hazard;
                    for j in 0..p {
                        xhaz[j] += h.hazard * h.mean[j];
                        share_mean[j] += h.event_share * h.mean[j];
                        downweighted_mean[j] += h.downweight * h.hazard * h.mean[j];
                    }
                }
            }
            for i in lo..hi {
                let r = eta[i].exp();
                data.x.row_into(i, &mut row);
                let orig = data.order[i];
                for j in 0..p {
                    let mut v = -r * (row[j] * cumhaz - xhaz[j]);
                    if data.event[i] {
                        v += row[j] * (share + r * downweighted) - (share_mean[j] + r * downweighted_mean[j]);
                    }
                    *out.get_mut(orig, j) = v;
                }
            }
            hi = lo;
        }
    }
    out
}

/// `Σ_c (Σ_{i∈c} D_i)ᵀ (Σ_{i∈c} D_i)` with `D = residuals · var`.
pub(crate) fn robust_variance(residuals: &Matrix, var: &Matrix, cluster: &[usize]) -> Matrix {
    let p = var.nrow;
    let n = residuals.nrow;
    let mut columns = Vec::with_capacity(p);
    for j in 0..p {
        let dfbeta: Vec<f64> = (0..n).map(|i| (0..p).map(|k| residuals.get(i, k) * var.get(k, j)).sum()).collect();
        columns.push(sum_by_cluster(&dfbeta, cluster));
    }
    let mut out = Matrix::zeros(p, p);
    for a in 0..p {
        for b in 0..p {
            *out.get_mut(a, b) = columns[a].iter().zip(&columns[b]).map(|(u, v)| u * v).sum();
        }
    }
    out
}
