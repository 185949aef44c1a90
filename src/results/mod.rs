//! The typed results of an analysis: what [`crate::analysis`] computes and
//! [`crate::report`] renders. Numbers and labels only; no formatted text.
//! `results.json` is these types serialised.

pub mod curve;
pub mod descriptive;
pub mod model;
pub mod robustness;
pub mod spine_outcomes;

use crate::study::{EndpointId, Origin, Unit};
use crate::summary::Summary;
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use survstat::Interval;

pub use curve::{AdjustedCurve, Adjustment, Curve};
pub use descriptive::Descriptives;
pub use model::{Model, ModelTerm, Univariate};
pub use robustness::Robustness;

/// Everything about one endpoint.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EndpointResult {
    /// Which endpoint.
    pub id: EndpointId,
    /// Label.
    pub label: String,
    /// One row per lesion or per patient.
    pub unit: Unit,
    /// Where lesion rows of PFS and OS start.
    pub origin: Origin,
    /// The landmark of a landmark analysis, months (times count from it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub landmark_months: Option<f64>,
    /// The whole-set curve with landmarks and median.
    pub overall: Curve,
    /// For a patient-level event (PFS, OS) analysed per lesion: the same
    /// endpoint on one row per patient from the first SBRT, where each
    /// patient's event counts once. `None` for LC and per-patient endpoints.
    pub per_patient: Option<Curve>,
    /// The univariate screen, in study order.
    pub univariate: Vec<Univariate>,
    /// The selected multivariable model.
    pub model: Model,
}

/// The curves of one figure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FigureResult {
    /// File stem.
    pub id: String,
    /// Caption.
    pub title: String,
    /// Endpoint id.
    pub endpoint: EndpointId,
    /// Endpoint label (the y axis).
    pub endpoint_label: String,
    /// Label of the splitting covariate.
    pub by: Option<String>,
    /// One curve per level (or one overall).
    pub curves: Vec<Curve>,
    /// Log-rank p across the curves (Gray's test p for an incidence figure).
    pub logrank_p: Option<f64>,
    /// The curves adjusted for other covariates, where the study asks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub adjustment: Option<Adjustment>,
    /// Drawn as cumulative incidence (`1 − surv`, rising from 0).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub incidence: bool,
}

/// All results of an analysis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Results {
    /// Patients.
    pub n_patients: usize,
    /// Lesions.
    pub n_lesions: usize,
    /// The counts of Tables 1, 2 and 5 and the outcome summary.
    pub descriptives: Descriptives,
    /// Per endpoint.
    pub endpoints: Vec<EndpointResult>,
    /// Figures' curves.
    pub figures: Vec<FigureResult>,
    /// Median follow-up from first SBRT, months, with range (all patients).
    pub follow_up: Summary,
    /// The reviewer's checks.
    pub robustness: Robustness,
    /// Toxicity (`null` when not made: see the warnings).
    pub toxicity: Option<spine_outcomes::Toxicity>,
    /// Vertebral compression fracture.
    pub vcf: Option<spine_outcomes::Vcf>,
    /// Pain response.
    pub pain_response: Option<spine_outcomes::PainResponse>,
    /// Patterns of failure.
    pub failure_patterns: Option<spine_outcomes::FailurePatterns>,
    /// Warnings for the reader.
    pub warnings: Vec<String>,
}

impl Results {
    /// The endpoint with this id, if the study analyses it.
    pub fn endpoint(&self, id: EndpointId) -> Option<&EndpointResult> {
        self.endpoints.iter().find(|e| e.id == id)
    }
}

impl ModelTerm {
    /// The term as the report names it: the covariate's label, and for a
    /// factor's level `label: level vs reference`.
    pub fn display_name(&self) -> String {
        match (&self.level, &self.reference) {
            (Some(l), Some(r)) => format!("{}: {l} vs {r}", self.label),
            _ => self.label.clone(),
        }
    }
}

/// An interval written as three fields of its parent object, named by
/// `keys` (estimate, lower, upper), as results.json has always spelled them.
fn flat_interval<S: Serializer>(i: &Interval, s: S, keys: [&str; 3]) -> Result<S::Ok, S::Error> {
    let mut m = s.serialize_map(Some(3))?;
    m.serialize_entry(keys[0], &i.estimate)?;
    m.serialize_entry(keys[1], &i.lower)?;
    m.serialize_entry(keys[2], &i.upper)?;
    m.end()
}

/// A hazard ratio with its limits as `hr`, `hr_lower`, `hr_upper`.
pub(crate) fn hr_fields<S: Serializer>(i: &Interval, s: S) -> Result<S::Ok, S::Error> {
    flat_interval(i, s, ["hr", "hr_lower", "hr_upper"])
}

/// 1 − Kaplan-Meier with its limits as `one_minus_km`, `…_lower`, `…_upper`.
pub(crate) fn one_minus_km_fields<S: Serializer>(i: &Interval, s: S) -> Result<S::Ok, S::Error> {
    flat_interval(i, s, ["one_minus_km", "one_minus_km_lower", "one_minus_km_upper"])
}

/// A cumulative incidence with its limits as `cumulative_incidence`, `cif_lower`, `cif_upper`.
pub(crate) fn cif_fields<S: Serializer>(i: &Interval, s: S) -> Result<S::Ok, S::Error> {
    flat_interval(i, s, ["cumulative_incidence", "cif_lower", "cif_upper"])
}
