//! Kaplan-Meier summaries of an endpoint as the report uses them: the
//! landmark rates with confidence intervals, the median, and the step
//! table (for results.json and the figures).

use serde::Serialize;
use survstat::km::{ConfSpec, KaplanMeier};

/// A rate at a landmark time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Landmark {
    /// Months.
    pub time: f64,
    /// At risk at that time.
    pub n_risk: usize,
    /// Survival (or control) probability.
    pub surv: Option<f64>,
    /// Its standard error.
    pub std_err: Option<f64>,
    /// Lower confidence limit.
    pub lower: Option<f64>,
    /// Upper confidence limit.
    pub upper: Option<f64>,
}

/// One step of the curve.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    /// Months.
    pub time: f64,
    /// At risk.
    pub n_risk: usize,
    /// Events.
    pub n_event: usize,
    /// Censored.
    pub n_censor: usize,
    /// Survival after the step.
    pub surv: f64,
    /// Lower confidence limit.
    pub lower: Option<f64>,
    /// Upper confidence limit.
    pub upper: Option<f64>,
}

/// Median with confidence limits (`None` when not reached).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Median {
    /// Estimate.
    pub estimate: Option<f64>,
    /// Lower limit.
    pub lower: Option<f64>,
    /// Upper limit.
    pub upper: Option<f64>,
}

/// A curve summarised.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Curve {
    /// Group label (`All` for the whole set).
    pub label: String,
    /// Observations.
    pub n: usize,
    /// Events.
    pub events: usize,
    /// Median time.
    pub median: Median,
    /// Rates at the study's landmarks.
    pub landmarks: Vec<Landmark>,
    /// The step table.
    pub steps: Vec<Step>,
}

impl Curve {
    /// Fit and summarise.
    pub fn fit(label: &str, time: &[f64], event: &[bool], conf: ConfSpec, landmarks: &[f64]) -> Curve {
        let km = KaplanMeier::fit(time, event, conf);
        let m = km.median();
        Curve {
            label: label.to_string(),
            n: km.n,
            events: km.events,
            median: Median { estimate: m.estimate, lower: m.lower, upper: m.upper },
            landmarks: landmarks
                .iter()
                .map(|&t| {
                    let a = km.at(t);
                    Landmark {
                        time: t,
                        n_risk: a.n_risk,
                        surv: a.surv,
                        std_err: a.std_err,
                        lower: a.lower,
                        upper: a.upper,
                    }
                })
                .collect(),
            steps: km
                .steps
                .iter()
                .map(|s| Step {
                    time: s.time,
                    n_risk: s.n_risk,
                    n_event: s.n_event,
                    n_censor: s.n_censor,
                    surv: s.surv,
                    lower: s.lower,
                    upper: s.upper,
                })
                .collect(),
        }
    }

    /// The rate at the first landmark.
    pub fn first_rate(&self) -> Option<f64> {
        self.landmarks.first().and_then(|l| l.surv)
    }

    /// Number at risk at time `t` (observations with time >= t).
    pub fn n_at_risk(&self, t: f64) -> usize {
        self.steps.iter().find(|s| s.time >= t).map_or(0, |s| s.n_risk)
    }
}
