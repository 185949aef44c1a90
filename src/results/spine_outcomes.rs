//! The typed results of the sections every spine SBRT paper reports
//! besides survival: toxicity, vertebral compression fracture, pain
//! response and patterns of failure ([`crate::analysis::spine_outcomes`]).

use super::{cif_fields, FigureResult};
use crate::event_rows::Phase;
use crate::summary::Summary;
use serde::Serialize;
use survstat::Interval;

/// Patients by worst CTCAE grade per term, acute and late.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Toxicity {
    /// Last day of the acute window.
    pub acute_days: u32,
    /// Patients of the cohort (the denominator).
    pub n_patients: usize,
    /// Adverse events counted.
    pub events: usize,
    /// Events attributed unrelated or unlikely, not counted.
    pub not_related: usize,
    /// Acute rows, then late rows; each phase's "any" row first.
    pub rows: Vec<ToxicityRow>,
}

/// One term (or any term) in one phase.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ToxicityRow {
    /// Acute or late.
    pub phase: Phase,
    /// The CTCAE term; `None` for the row of any term.
    pub term: Option<String>,
    /// Its system organ class.
    pub soc: Option<String>,
    /// Patients whose worst grade is 1, 2, 3, 4, 5.
    pub by_worst_grade: [usize; 5],
    /// Patients with grade 3 or more.
    pub grade_3_plus: usize,
}

/// A cumulative incidence at a landmark.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IncidenceAt {
    /// Months.
    pub time: f64,
    /// Cumulative incidence with its limits.
    #[serde(flatten, serialize_with = "cif_fields")]
    pub cumulative_incidence: Interval,
}

/// Vertebral compression fracture per lesion, death competing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Vcf {
    /// Lesions.
    pub n_lesions: usize,
    /// Lesions with a fracture.
    pub fractures: usize,
    /// Of them, without a fracture before SBRT (de novo).
    pub de_novo: usize,
    /// Of them, progression of a fracture present before SBRT.
    pub progression_of_existing: usize,
    /// Deaths before any fracture (the competing event).
    pub deaths_without_fracture: usize,
    /// All lesions at the study's landmarks.
    pub landmarks: Vec<IncidenceAt>,
    /// By SINS group and by pre-existing fracture.
    pub factors: Vec<VcfFactor>,
}

/// The cumulative incidence of VCF by one factor.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VcfFactor {
    /// Factor label.
    pub label: String,
    /// Lesions without a value, left out.
    pub n_missing: usize,
    /// Gray's test across the levels.
    pub gray_p: Option<f64>,
    /// A level has no fracture: the Fine-Gray model is not fitted (its
    /// subdistribution HR would be 0 or infinite).
    pub shr_not_estimable: bool,
    /// Levels, the first the Fine-Gray reference.
    pub levels: Vec<VcfLevel>,
}

/// One level of a factor.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VcfLevel {
    /// Level label.
    pub label: String,
    /// Lesions.
    pub n: usize,
    /// Fractures.
    pub fractures: usize,
    /// Cumulative incidence at the study's landmarks.
    pub landmarks: Vec<IncidenceAt>,
    /// Univariate Fine-Gray subdistribution hazard ratio against the first level (`None` for it).
    pub shr: Option<Interval>,
    /// Its Wald p.
    pub shr_p: Option<f64>,
}

/// Pain response category (Chow et al. 2012 international consensus).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PainCategory {
    /// Pain 0 without an analgesic increase.
    Complete,
    /// Pain down ≥ 2 without an analgesic increase, or analgesics down ≥ 25 % without a pain increase.
    Partial,
    /// Neither response nor progression.
    Indeterminate,
    /// Pain up ≥ 2 with stable analgesics, or analgesics up ≥ 25 % with pain stable or up 1.
    Progression,
}

/// Pain response at the study's time point.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PainResponse {
    /// Time point, months after SBRT.
    pub months: f64,
    /// Window either side, months.
    pub window_months: f64,
    /// Lesions with baseline pain ≥ 2 (evaluable).
    pub evaluable: usize,
    /// Lesions with baseline pain below 2.
    pub baseline_below_2: usize,
    /// Lesions without a baseline pain score.
    pub no_baseline: usize,
    /// Evaluable lesions without an assessment in the window.
    pub not_assessed: usize,
    /// Assessed lesions whose analgesic criteria could not be read (an opioid dose missing).
    pub analgesics_unknown: usize,
    /// Lesions per category, in the order complete, partial, indeterminate, progression.
    pub categories: Vec<(PainCategory, usize)>,
}

/// Where failures arose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FailurePattern {
    /// Local failure within the high-dose volume.
    InField,
    /// Local failure at the target's edge.
    Marginal,
    /// Local failure, site not recorded.
    LocalSiteUnknown,
    /// Failure at the level above or below, outside the target.
    AdjacentLevel,
    /// New spinal metastasis elsewhere (per patient).
    DistantSpine,
}

/// One row of the patterns-of-failure table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FailureRow {
    /// The pattern.
    pub pattern: FailurePattern,
    /// Failures (lesions; patients for distant spine).
    pub failures: usize,
    /// Of lesions (patients for distant spine).
    pub of: usize,
    /// Months to failure from SBRT (from the first SBRT for distant spine).
    pub months: Summary,
    /// Salvage treatments, in the order of `Salvage::ALL`, then not recorded.
    pub salvage: Vec<usize>,
}

/// Patterns of failure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FailurePatterns {
    /// One row per pattern.
    pub rows: Vec<FailureRow>,
    /// Lesions with both local and adjacent failure (in two rows).
    pub local_and_adjacent: usize,
}

/// The section's results and figures.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SpineOutcomesResult {
    /// Toxicity, when the study asks and there is an events table.
    pub toxicity: Option<Toxicity>,
    /// VCF, when the study asks and fractures are recorded.
    pub vcf: Option<Vcf>,
    /// Pain response, when the study asks and pain is recorded.
    pub pain_response: Option<PainResponse>,
    /// Patterns of failure, when the study asks.
    pub failure_patterns: Option<FailurePatterns>,
    /// The VCF figures.
    pub figures: Vec<FigureResult>,
    /// Why a section asked for is not shown.
    pub skipped: Vec<String>,
}
