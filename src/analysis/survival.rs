//! A Kaplan-Meier curve fitted and read at the study's landmarks
//! (R `survfit` and `summary(fit, times = )`), as [`Curve`]; and a
//! cumulative incidence in the same shape for the figures.

use crate::results::Curve;
use survstat::competing::CumulativeIncidence;
use survstat::km::{ConfSpec, ConfType, KaplanMeier, KmAt};

/// Fit the curve of (`time`, `event`) and read it at `landmarks`.
pub fn fit_curve(label: &str, time: &[f64], event: &[bool], conf: ConfSpec, landmarks: &[f64]) -> Curve {
    Curve::from_km(label, KaplanMeier::fit(time, event, conf), landmarks)
}

/// The cumulative incidence of `cause` (Aalen-Johansen, R `cmprsk::cuminc`)
/// as a [`Curve`] a figure draws: at every distinct time the number at
/// risk, the events of `cause`, the rows censored for every cause, and
/// `surv = 1 − CIF` with limits `1 − upper`, `1 − lower` (an incidence
/// figure draws `1 − surv`). Its landmarks hold `1 − CIF` too; it has no median.
pub fn incidence_curve(label: &str, time: &[f64], status: &[u32], cause: u32, level: f64, landmarks: &[f64]) -> Curve {
    let event: Vec<bool> = status.iter().map(|&s| s == cause).collect();
    let conf = ConfSpec { level, conf_type: ConfType::Log };
    let mut km = KaplanMeier::fit(time, &event, conf);
    let cif = CumulativeIncidence::fit(time, status, cause);
    let mut censored: std::collections::HashMap<u64, f64> = std::collections::HashMap::new();
    for (t, s) in time.iter().zip(status) {
        if *s == 0 {
            *censored.entry(t.to_bits()).or_default() += 1.0;
        }
    }
    for s in &mut km.steps {
        let c = cif.at(s.time, level);
        s.surv = 1.0 - c.estimate.unwrap_or(0.0);
        s.n_censor = censored.get(&s.time.to_bits()).copied().unwrap_or(0.0);
        s.std_err = c.std_err;
        s.lower = c.upper.map(|u| 1.0 - u);
        s.upper = c.lower.map(|l| 1.0 - l);
        s.se_cumhaz = f64::NAN;
        s.cumhaz = f64::NAN;
        s.std_chaz = f64::NAN;
    }
    let n_risk_at = |t: f64| km.steps.iter().find(|s| s.time >= t).map_or(0.0, |s| s.n_risk);
    let at: Vec<KmAt> = landmarks
        .iter()
        .map(|&t| {
            let c = cif.at(t, level);
            KmAt {
                time: t,
                n_risk: n_risk_at(t),
                surv: c.estimate.map(|e| 1.0 - e),
                std_err: c.std_err,
                lower: c.upper.map(|u| 1.0 - u),
                upper: c.lower.map(|l| 1.0 - l),
                cumhaz: None,
                std_chaz: None,
            }
        })
        .collect();
    Curve {
        label: label.to_string(),
        n: km.n,
        events: km.events,
        median: survstat::Interval { estimate: None, lower: None, upper: None },
        landmarks: at,
        steps: km.steps,
    }
}
