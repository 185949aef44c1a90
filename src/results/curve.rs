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

/// Curves of one factor's levels adjusted for other covariates by direct
/// adjustment: a Cox model of the factor and the covariates, each level's
/// predicted curve averaged over every row with the factor set to it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Adjustment {
    /// Labels of the covariates adjusted for.
    pub adjusted_for: Vec<String>,
    /// Rows complete on the factor and the covariates (the model's rows).
    pub n: usize,
    /// Events among them.
    pub events: usize,
    /// One curve per level of the factor present in those rows.
    pub curves: Vec<AdjustedCurve>,
    /// Likelihood-ratio p of the factor given the covariates.
    pub p: Option<f64>,
}

/// One level's adjusted curve.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AdjustedCurve {
    /// The level.
    pub label: String,
    /// `(time, survival)` at every distinct observation time, ascending.
    pub points: Vec<(f64, f64)>,
}
