//! The results of the report's Robustness section: the reviewer's checks
//! beyond the paper (competing risks, Fine-Gray, reverse Kaplan-Meier
//! follow-up, bootstrap selection stability, α/β sensitivity).

use serde::Serialize;
use survstat::Interval;

/// Local failure at a landmark: 1 - KM (death censored) and the cumulative incidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompetingLandmark {
    /// Months.
    pub time: f64,
    /// 1 - Kaplan-Meier, its limits from the KM limits.
    #[serde(flatten, serialize_with = "super::one_minus_km_fields")]
    pub one_minus_km: Interval,
    /// Cumulative incidence of local failure, death competing.
    #[serde(flatten, serialize_with = "super::cif_fields")]
    pub cumulative_incidence: Interval,
}

/// Gray's test of an LC factor beside its log-rank test.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GrayRow {
    /// Covariate id.
    pub covariate: String,
    /// Label.
    pub label: String,
    /// Log-rank p (1 - KM).
    pub logrank_p: Option<f64>,
    /// Gray's test p (cumulative incidence).
    pub gray_p: Option<f64>,
}

/// Competing-risk view of local control.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Competing {
    /// Landmarks.
    pub landmarks: Vec<CompetingLandmark>,
    /// Tests of the LC factors.
    pub gray: Vec<GrayRow>,
    /// Deaths without local failure (the competing events).
    pub deaths_without_failure: usize,
}

/// One term of the LC model refitted as a Fine-Gray model (death competing).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FineGrayTerm {
    /// Term as the report names it.
    pub term: String,
    /// Cox HR (death censored).
    pub cox_hr: Option<f64>,
    /// Subdistribution HR.
    pub hr: f64,
    /// Limits.
    pub hr_lower: f64,
    /// Upper.
    pub hr_upper: f64,
    /// p.
    pub p: f64,
}

/// Median follow-up by the reverse Kaplan-Meier method.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FollowUpMethods {
    /// Reverse Kaplan-Meier median with its interval (Schemper & Smith 1996).
    pub reverse_km: Interval,
}

/// BED results at one α/β.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlphaBetaRow {
    /// α/β, Gy.
    pub alpha_beta: f64,
    /// Median BED and range.
    pub median: Option<f64>,
    /// Smallest.
    pub min: Option<f64>,
    /// Largest.
    pub max: Option<f64>,
    /// Per endpoint, the univariate Cox model of BED.
    pub endpoints: Vec<BedEffect>,
}

/// The univariate Cox model of BED for one endpoint.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BedEffect {
    /// Endpoint id.
    pub endpoint: crate::study::EndpointId,
    /// The hazard ratio with its confidence limits (`hr`, `hr_lower`, `hr_upper`).
    #[serde(flatten, serialize_with = "super::hr_fields")]
    pub hr: Interval,
    /// Wald p.
    pub p: Option<f64>,
}

/// How often one covariate was selected.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Inclusion {
    /// Covariate id.
    pub covariate: String,
    /// Label.
    pub label: String,
    /// Fraction of resamples whose final model contains it.
    pub fraction: f64,
}

/// A model (set of covariates) and how often it was the final one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelFrequency {
    /// Covariate ids, in study order (empty = no covariate retained).
    pub covariates: Vec<String>,
    /// Fraction of resamples.
    pub fraction: f64,
}

/// Bootstrap results of one endpoint.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stability {
    /// Resamples drawn.
    pub resamples: usize,
    /// Seed.
    pub seed: u64,
    /// Inclusion frequency of every screened covariate, in study order.
    pub inclusion: Vec<Inclusion>,
    /// The most frequent final models (up to five).
    pub models: Vec<ModelFrequency>,
}

/// Everything of the Robustness section.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Robustness {
    /// LC with death as a competing risk.
    pub competing: Option<Competing>,
    /// The LC model as a Fine-Gray model.
    pub fine_gray: Option<Vec<FineGrayTerm>>,
    /// Reverse-KM follow-up.
    pub follow_up: Option<FollowUpMethods>,
    /// Bootstrap per endpoint id.
    pub stability: Vec<(crate::study::EndpointId, Stability)>,
    /// α/β sensitivity.
    pub alpha_beta: Vec<AlphaBetaRow>,
    /// Analyses skipped, with the reason.
    pub skipped: Vec<String>,
}
