//! A Kaplan-Meier curve fitted and read at the study's landmarks
//! (R `survfit` and `summary(fit, times = )`), as [`Curve`].

use crate::results::Curve;
use survstat::km::{ConfSpec, KaplanMeier};

/// Fit the curve of (`time`, `event`) and read it at `landmarks`.
pub fn fit_curve(label: &str, time: &[f64], event: &[bool], conf: ConfSpec, landmarks: &[f64]) -> Curve {
    Curve::from_km(label, KaplanMeier::fit(time, event, conf), landmarks)
}
