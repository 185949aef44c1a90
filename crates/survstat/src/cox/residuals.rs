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
use crate::linalg::Matrix;

/// Each observation's score residual at `beta`, given in sorted order to
/// `sink(sorted position, residual)`: each stratum's positions from its
/// end back to its start, the rows of one time in order.
pub(crate) fn for_each_score_residual(
    data: &SortedData,
    beta: &[f64],
    ties: Ties,
    mut sink: impl FnMut(usize, &[f64]),
) {
    let p = data.p;
    let eta = data.linear_predictor(beta);
    let hazards = data.time_hazards(&eta, ties);
    let mut row = vec![0.0; p];
    let mut residual = vec![0.0; p];
    let mut xhaz = vec![0.0; p];
    let (mut hazard_mean, mut share_mean, mut downweighted_mean) = (vec![0.0; p], vec![0.0; p], vec![0.0; p]);
    for &(start, end) in &data.strata {
        let mut cumhaz = 0.0;
        xhaz.iter_mut().for_each(|v| *v = 0.0);
        // Sorted order is decreasing time, so walk each stratum backwards,
        // and its event times (in order of their first rows) with it.
        let mut hi = end;
        let mut later_times = hazards.times.partition_point(|h| h.start < end);
        while hi > start {
            let t = data.time[hi - 1];
            let lo = start + data.time[start..hi].iter().rposition(|&u| u != t).map_or(0, |k| k + 1);
            // An event's share of the group's pieces, Σ_k (s_k + r f_k λ_k)(x - m_k),
            // from the time's sums: O(p) per event, not O(p d).
            let event_time = (later_times > 0 && hazards.times[later_times - 1].start == lo).then(|| {
                later_times -= 1;
                later_times
            });
            let (share, downweighted) = match event_time {
                Some(k) => {
                    let h = &hazards.times[k];
                    hazards.means_into(k, &mut hazard_mean, &mut share_mean, &mut downweighted_mean);
                    cumhaz += h.hazard;
                    xhaz.iter_mut().zip(&hazard_mean).for_each(|(x, m)| *x += m);
                    (h.share, h.downweighted)
                }
                None => (0.0, 0.0),
            };
            for i in lo..hi {
                let r = eta[i].exp();
                data.x.row_into(i, &mut row);
                for j in 0..p {
                    residual[j] = -r * (row[j] * cumhaz - xhaz[j]);
                    if data.event[i] {
                        residual[j] += row[j] * (share + r * downweighted) - (share_mean[j] + r * downweighted_mean[j]);
                    }
                }
                sink(i, &residual);
            }
            hi = lo;
        }
    }
}

/// The robust variance `Σ_c (Σ_{i∈c} D_i)ᵀ (Σ_{i∈c} D_i)` with
/// `D = residuals · var`, from the sums of the residuals in each cluster
/// (one row per cluster): `Σ_{i∈c} D_i = (Σ_{i∈c} L_i) V`. One pass over
/// the clusters, each one's `d = (Σ L) V` added as the outer product
/// `d dᵀ` while it is in registers (a matrix of every cluster's `d`, read
/// once per pair of columns, was a second of a million-cluster fit).
pub(crate) fn robust_variance(cluster_residuals: &Matrix, var: &Matrix) -> Matrix {
    let p = var.nrow;
    let mut out = Matrix::zeros(p, p);
    let mut d = vec![0.0; p];
    for c in 0..cluster_residuals.nrow {
        let sums = &cluster_residuals.data[c * p..(c + 1) * p];
        for (j, dj) in d.iter_mut().enumerate() {
            *dj = (0..p).map(|k| sums[k] * var.get(k, j)).sum();
        }
        for (a, row) in out.data.chunks_exact_mut(p).enumerate() {
            row.iter_mut().zip(&d).for_each(|(o, &db)| *o += d[a] * db);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The one-pass sum is the definition's, bit for bit: the matrix of
    /// every cluster's `D` first, then each entry summed over the clusters.
    #[test]
    fn robust_variance_is_the_sum_of_the_clusters_outer_products() {
        let (clusters, p) = (37, 4);
        let value = |i: usize| ((i * 7919 % 1013) as f64 - 506.0) / 97.0;
        let residuals = Matrix { nrow: clusters, ncol: p, data: (0..clusters * p).map(value).collect() };
        let var = Matrix { nrow: p, ncol: p, data: (0..p * p).map(|i| value(i + 500) / 31.0).collect() };
        let dfbeta: Vec<Vec<f64>> = (0..clusters)
            .map(|c| (0..p).map(|j| (0..p).map(|k| residuals.get(c, k) * var.get(k, j)).sum()).collect())
            .collect();
        let got = robust_variance(&residuals, &var);
        for a in 0..p {
            for b in 0..p {
                let want: f64 = dfbeta.iter().map(|d| d[a] * d[b]).sum();
                assert_eq!(got.get(a, b).to_bits(), want.to_bits(), "({a}, {b})");
            }
        }
    }
}
