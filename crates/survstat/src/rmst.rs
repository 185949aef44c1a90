//! Restricted mean survival time (R `print(survfit(...), rmean = τ)`,
//! `survival:::survmean`; contrasts as `survRM2::rmst2`).
//!
//! The restricted mean up to `τ` is the area under the Kaplan-Meier curve
//! from 0 to `τ`, a sum of rectangles between the step times `t_j ≤ τ`:
//!
//! ```text
//! μ(τ) = Σ_j (t_j − t_{j−1}) Ŝ(t_{j−1}) + (τ − t_last) Ŝ(t_last),    t_0 = 0
//! ```
//!
//! Its variance (the delta method on Greenwood's formula, as `survmean`):
//! with `A_j = ∫_{t_j}^{τ} Ŝ(u) du`, the area after step time `t_j`,
//!
//! ```text
//! var μ(τ) = Σ_{t_j ≤ τ} A_j² d_j / (n_j (n_j − d_j))      (0 where n_j = d_j)
//! ```
//!
//! Where `τ` lies beyond the last observation time the curve is extended
//! flat from its last value, as `survmean` does; that is an extrapolation
//! ([`RestrictedMean::beyond_follow_up`]).
//!
//! Contrasts of two independent groups `g` and reference `r`, as
//! `survRM2::rmst2`: the difference `μ_g − μ_r` with variance
//! `var μ_g + var μ_r`, and the ratio `μ_g / μ_r` on the log scale with
//! variance `var μ_g / μ_g² + var μ_r / μ_r²`; normal limits and two-sided
//! Wald p-values.

use crate::dist::{normal_quantile, normal_two_sided_p};
use crate::km::KaplanMeier;
use crate::Interval;

/// The restricted mean of one curve.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RestrictedMean {
    /// The restriction time τ.
    pub tau: f64,
    /// μ(τ).
    pub estimate: f64,
    /// Its standard error.
    pub se: f64,
    /// Whether τ lies beyond the curve's last observation time (extrapolated).
    pub beyond_follow_up: bool,
}

impl RestrictedMean {
    /// The area under `km` from 0 to `tau` (> 0) and its standard error.
    pub fn of(km: &KaplanMeier, tau: f64) -> RestrictedMean {
        let kept: Vec<_> = km.steps.iter().take_while(|s| s.time <= tau).collect();
        // Rectangles: before each kept step time, then from the last to τ.
        let mut rectangles = Vec::with_capacity(kept.len() + 1);
        let (mut previous_time, mut previous_surv) = (0.0, 1.0);
        for s in &kept {
            rectangles.push((s.time - previous_time) * previous_surv);
            (previous_time, previous_surv) = (s.time, s.surv);
        }
        rectangles.push((tau - previous_time) * previous_surv);
        let estimate = rectangles.iter().sum();
        // A_j = the rectangles after step j; summed from the end.
        let mut after = 0.0;
        let mut variance = 0.0;
        for (j, s) in kept.iter().enumerate().rev() {
            after += rectangles[j + 1];
            let (n, d) = (s.n_risk, s.n_event);
            if s.n_risk > s.n_event {
                variance += after * after * d / (n * (n - d));
            }
        }
        let last = km.steps.last().map_or(0.0, |s| s.time);
        RestrictedMean { tau, estimate, se: variance.sqrt(), beyond_follow_up: tau > last }
    }

    /// Normal confidence limits at `conf_level`.
    pub fn interval(&self, conf_level: f64) -> Interval {
        let z = normal_quantile(1.0 - (1.0 - conf_level) / 2.0);
        Interval {
            estimate: Some(self.estimate),
            lower: Some(self.estimate - z * self.se),
            upper: Some(self.estimate + z * self.se),
        }
    }
}

/// A group's restricted mean against a reference group's.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RmstContrast {
    /// `μ_g − μ_r` with limits.
    pub difference: Interval,
    /// Its two-sided p.
    pub difference_p: f64,
    /// `μ_g / μ_r` with limits.
    pub ratio: Interval,
    /// Its two-sided p (log scale).
    pub ratio_p: f64,
}

/// Contrast `group` with `reference` (independent samples).
pub fn contrast(group: &RestrictedMean, reference: &RestrictedMean, conf_level: f64) -> RmstContrast {
    let z = normal_quantile(1.0 - (1.0 - conf_level) / 2.0);
    let d = group.estimate - reference.estimate;
    let se_d = (group.se.powi(2) + reference.se.powi(2)).sqrt();
    let log_r = (group.estimate / reference.estimate).ln();
    let se_r = ((group.se / group.estimate).powi(2) + (reference.se / reference.estimate).powi(2)).sqrt();
    RmstContrast {
        difference: Interval { estimate: Some(d), lower: Some(d - z * se_d), upper: Some(d + z * se_d) },
        difference_p: normal_two_sided_p(d / se_d),
        ratio: Interval {
            estimate: Some(log_r.exp()),
            lower: Some((log_r - z * se_r).exp()),
            upper: Some((log_r + z * se_r).exp()),
        },
        ratio_p: normal_two_sided_p(log_r / se_r),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::km::ConfSpec;

    /// Events at 1 and 3 of four subjects (censored at 2 and 4): Ŝ is 3/4
    /// on [1, 3) and 3/8 on [3, 4]. Up to τ = 3.5: 1 + 2·3/4 + 0.5·3/8.
    #[test]
    fn area_and_variance_by_hand() {
        let km = KaplanMeier::fit(&[1.0, 2.0, 3.0, 4.0], &[true, false, true, false], ConfSpec::default());
        let r = RestrictedMean::of(&km, 3.5);
        assert!((r.estimate - (1.0 + 1.5 + 0.1875)).abs() < 1e-15);
        // A after t = 1: 1.5 + 0.1875; after t = 3: 0.1875 (t = 2 has no event).
        let var = (1.6875f64).powi(2) / (4.0 * 3.0) + 0.1875f64.powi(2) / (2.0 * 1.0);
        assert!((r.se - var.sqrt()).abs() < 1e-15);
        assert!(!r.beyond_follow_up);
        assert!(RestrictedMean::of(&km, 5.0).beyond_follow_up);
    }
}
