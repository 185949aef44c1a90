//! A Kaplan-Meier curve as the report uses it: the engine's steps and its
//! readings at the study's landmarks, with the median.

use serde::Serialize;
use survstat::km::{KaplanMeier, KmAt, KmStep};
use survstat::Interval;

/// A curve summarised.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Curve {
    /// Group label (`All` for the whole set).
    pub label: String,
    /// Observations.
    pub n: usize,
    /// Events.
    pub events: usize,
    /// Median time with its confidence limits (`None` where not reached).
    pub median: Interval,
    /// Rates at the study's landmarks.
    pub landmarks: Vec<KmAt>,
    /// The step table.
    pub steps: Vec<KmStep>,
}

impl Curve {
    /// The fitted curve `km` under `label`, read at `landmarks`.
    pub fn from_km(label: &str, km: KaplanMeier, landmarks: &[f64]) -> Curve {
        Curve {
            label: label.to_string(),
            n: km.n,
            events: km.events,
            median: km.median(),
            landmarks: landmarks.iter().map(|&t| km.at(t)).collect(),
            steps: km.steps,
        }
    }

    /// The rate at the first landmark.
    pub fn first_rate(&self) -> Option<f64> {
        self.landmarks.first().and_then(|l| l.surv)
    }

    /// Number at risk at time `t` (observations with time >= t).
    pub fn n_at_risk(&self, t: f64) -> usize {
        self.steps.iter().find(|s| s.time >= t).map_or(0, |s| s.n_risk.round() as usize)
    }
}
