//! The results of the paper's Tables 3-4: the univariate screen of each
//! covariate and the multivariable Cox model selected by backward
//! elimination, with the reviewer's refits of that model.

use super::curve::Curve;
use crate::study::SelectionTest;
use serde::Serialize;
use survstat::Interval;

/// Which univariate test a covariate had.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ScreenTest {
    /// Log-rank test across the levels of a categorical covariate.
    #[serde(rename = "log-rank")]
    LogRank,
    /// Wald test of a univariate Cox model of a continuous covariate.
    #[serde(rename = "cox-wald")]
    CoxWald,
}

/// One level's rate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LevelRate {
    /// Level label.
    pub label: String,
    /// Rows in the level.
    pub n: usize,
    /// Events in the level.
    pub events: usize,
    /// The Kaplan-Meier curve of the level.
    pub curve: Curve,
}

/// The screen's result for one covariate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Univariate {
    /// Covariate id.
    pub covariate: String,
    /// Covariate label.
    pub label: String,
    /// The test.
    pub test: ScreenTest,
    /// Rows used.
    pub n: usize,
    /// Rows without a value.
    pub n_missing: usize,
    /// Levels (categorical).
    pub levels: Vec<LevelRate>,
    /// Test statistic.
    pub chisq: Option<f64>,
    /// Degrees of freedom.
    pub df: Option<usize>,
    /// p-value; `None` when no test is possible.
    pub p: Option<f64>,
    /// The hazard ratio with its confidence limits (`hr`, `hr_lower`, `hr_upper`).
    #[serde(flatten, serialize_with = "super::hr_fields")]
    pub hr: Interval,
    /// Why there is no test, or a caution.
    pub note: Option<String>,
}

/// One coefficient of the final model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelTerm {
    /// Covariate id.
    pub covariate: String,
    /// Covariate label.
    pub label: String,
    /// Level compared with the reference (categorical).
    pub level: Option<String>,
    /// The reference level (categorical).
    pub reference: Option<String>,
    /// log HR.
    pub coef: Option<f64>,
    /// Its standard error.
    pub se: Option<f64>,
    /// Cluster-robust standard error, when the model is clustered.
    pub robust_se: Option<f64>,
    /// The hazard ratio with its confidence limits (`hr`, `hr_lower`, `hr_upper`).
    #[serde(flatten, serialize_with = "super::hr_fields")]
    pub hr: Interval,
    /// Wald p of the coefficient.
    pub p: Option<f64>,
}

/// A chi-square test of one covariate's term (all its columns), or of the
/// whole model (`covariate` = `GLOBAL`, proportional-hazards test only).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TermTest {
    /// Covariate id.
    pub covariate: String,
    /// Statistic.
    pub chisq: f64,
    /// Degrees of freedom.
    pub df: usize,
    /// p-value.
    pub p: f64,
}

/// A covariate removed by backward elimination.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Removal {
    /// Covariate removed.
    pub removed: String,
    /// Its p at removal.
    pub p: f64,
}

/// The selected model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Model {
    /// Candidate ids, in study order.
    pub candidates: Vec<String>,
    /// Test used.
    pub test: SelectionTest,
    /// Removals in order.
    pub steps: Vec<Removal>,
    /// Retained ids.
    pub retained: Vec<String>,
    /// Rows used (complete on all candidates).
    pub n: usize,
    /// Events among them.
    pub events: usize,
    /// Rows left out for a missing candidate value.
    pub n_dropped: usize,
    /// Parameters among all candidates (a k-level factor counts k - 1).
    pub candidate_df: usize,
    /// Events per candidate parameter (EPV); below 10 selection is unstable.
    pub events_per_variable: Option<f64>,
    /// Coefficients of the final model (model-based standard errors, as the paper).
    pub terms: Vec<ModelTerm>,
    /// Term tests of the final model.
    pub term_tests: Vec<TermTest>,
    /// The final model with a patient-clustered robust variance (lesion-level data).
    pub robust_terms: Option<Vec<ModelTerm>>,
    /// The final model refitted with Firth's penalty (monotone likelihood only);
    /// p from penalised likelihood-ratio tests, limits from the profile penalised likelihood.
    pub firth_terms: Option<Vec<ModelTerm>>,
    /// Proportional-hazards test of the final model's terms, and GLOBAL.
    pub ph_test: Option<Vec<TermTest>>,
    /// Warnings of the final fit, in words.
    pub warnings: Vec<String>,
}
