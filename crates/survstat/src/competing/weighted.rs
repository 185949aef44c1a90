//! The cumulative incidence with case weights and its
//! infinitesimal-jackknife variance (R `survfit(Surv(time, factor(status))
//! ~ 1, weights = w)`, the Aalen-Johansen estimate of a competing-risks
//! model; `cmprsk::cuminc` has no weights, and Gray's variance no weighted
//! form).
//!
//! **Estimate.** As the unweighted one with sums of weights: at each
//! distinct time `t_j`, `n_j` the weight at risk, `d_j` the weight failing
//! from any cause and `c_j` from the cause of interest, `h_j = d_j/n_j`,
//! `g_j = c_j/n_j`,
//!
//! ```text
//! F(t) = Σ_{t_j <= t} S(t_j-) g_j,      S(t_j) = S(t_j-) (1 - h_j).
//! ```
//!
//! **Variance.** The influence of row i (weight w_i, leaving at x_i, `N_i`
//! its failure of any cause, `C_i` its failure from the cause) on F is the
//! derivative of F with respect to w_i. With `L_i(t)` the influence on
//! `log S(t)`, `-Σ_{t_j <= t} (dN_i(t_j) - Y_i(t_j) h_j) / (n_j (1 - h_j))`,
//!
//! ```text
//! U_i(t) = Σ_{t_j <= t} [ S(t_j-) L_i(t_j-) g_j + S(t_j-) (dC_i(t_j) - Y_i(t_j) g_j) / n_j ],
//! var F(t) = Σ_i (w_i U_i(t))².
//! ```
//!
//! Every row is at risk from time 0, so while at risk `L_i(t) = A(t)`, the
//! running sum of `h_j / (n_j (1 - h_j))`, and every row at risk has the
//! same `U_i(t) = α(t) = Σ S(t_j-) g_j (A(t_j-) - 1/n_j)`. A row leaving at
//! `x_i` has `U_i(x_i) = α(x_i) + S(x_i-) dC_i/n`, and afterwards its
//! `L_i` is frozen at `l_i = A(x_i) - dN_i / (n (1 - h))`, so
//! `U_i(t) = u_i + l_i F(t)` with `u_i = U_i(x_i) - l_i F(x_i)`. Hence
//!
//! ```text
//! var F(t) = α(t)² Σ_{at risk} w² + Σ_{left} w² u² + 2 F(t) Σ_{left} w² u l + F(t)² Σ_{left} w² l²,
//! ```
//!
//! kept in one pass over the sorted times. It changes only where F jumps,
//! so the curve's steps carry it as the unweighted ones carry Gray's.

use super::{gather, sorted_by_time, time_groups, CifStep, CumulativeIncidence};

impl CumulativeIncidence {
    /// Estimate the cumulative incidence of `cause` with case weights (each
    /// finite and > 0) and its infinitesimal-jackknife variance.
    pub fn fit_weighted(time: &[f64], status: &[u32], cause: u32, weights: &[f64]) -> CumulativeIncidence {
        assert!(time.len() == status.len() && weights.len() == time.len(), "time, status and weight lengths differ");
        let n = time.len();
        let mut at_risk_w2: f64 = weights.iter().map(|w| w * w).sum();
        let mut at_risk: f64 = weights.iter().sum();
        let (order, sorted) = sorted_by_time(time);
        let (status, weights) = (gather(&order, status), gather(&order, weights));
        let (mut surv, mut cif, mut a, mut alpha) = (1.0f64, 0.0f64, 0.0f64, 0.0f64);
        let (mut left_uu, mut left_ul, mut left_ll) = (0.0, 0.0, 0.0);
        let mut steps = Vec::new();
        for (start, end) in time_groups(&sorted) {
            let rows = start..end;
            let weight_of = |keep: &dyn Fn(u32) -> bool| -> f64 {
                rows.clone().filter(|&i| keep(status[i])).map(|i| weights[i]).sum()
            };
            let c = weight_of(&|s| s == cause);
            let d = weight_of(&|s| s != 0);
            let (h, g) = (d / at_risk, c / at_risk);
            let surv_before = surv;
            alpha += surv_before * g * (a - 1.0 / at_risk);
            cif += surv_before * g;
            let own = 1.0 / (at_risk * (1.0 - h));
            a += h * own;
            for i in rows.clone() {
                let w2 = weights[i] * weights[i];
                let failed = status[i] != 0;
                let u_exit = alpha + if status[i] == cause { surv_before / at_risk } else { 0.0 };
                let l = a - if failed { own } else { 0.0 };
                let u = u_exit - l * cif;
                left_uu += w2 * u * u;
                left_ul += w2 * u * l;
                left_ll += w2 * l * l;
                at_risk_w2 -= w2;
            }
            surv *= 1.0 - h;
            at_risk -= rows.map(|i| weights[i]).sum::<f64>();
            if c > 0.0 {
                let variance =
                    alpha * alpha * at_risk_w2.max(0.0) + left_uu + 2.0 * cif * left_ul + cif * cif * left_ll;
                steps.push(CifStep { time: sorted[start], estimate: cif, variance });
            }
        }
        let events = status.iter().filter(|&&s| s == cause).count();
        CumulativeIncidence { n, events, steps, last_time: sorted.last().copied().unwrap_or(0.0) }
    }
}
