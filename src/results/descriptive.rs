//! The descriptive counts behind the report's Tables 1, 2 and 5 and the
//! outcome summary, as numbers (the report words and formats them).

use crate::cohort::vertebra::Region;
use crate::cohort::Extent;
use crate::summary::Summary;
use serde::Serialize;

/// The rows of the paper's histology blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HistologyGroup {
    /// Osteosarcoma.
    Osteosarcoma,
    /// Chondrosarcoma.
    Chondrosarcoma,
    /// Ewing sarcoma.
    EwingSarcoma,
    /// Bone sarcomas the paper does not name (chordoma, …), shown when present.
    OtherBone,
    /// Soft-tissue sarcomas.
    SoftTissue,
}

impl HistologyGroup {
    /// The groups in the paper's order.
    pub const ALL: [HistologyGroup; 5] = [
        HistologyGroup::Osteosarcoma,
        HistologyGroup::Chondrosarcoma,
        HistologyGroup::EwingSarcoma,
        HistologyGroup::OtherBone,
        HistologyGroup::SoftTissue,
    ];
}

/// How many rows have one value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Count<K> {
    /// The value.
    pub value: K,
    /// Rows with it.
    pub n: usize,
}

/// Counts over the histology groups, each with its entities (vocabulary
/// names, most frequent first), and the rows without a histology.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Histologies {
    /// Every group in the paper's order.
    pub groups: Vec<Count<HistologyGroup>>,
    /// Entity counts per group, parallel to `groups`.
    pub entities: Vec<Vec<Count<String>>>,
    /// Rows without a histology.
    pub unknown: usize,
}

/// Table 1: one row per patient.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Patients {
    /// Patients.
    pub n: usize,
    /// Age at first SBRT, years.
    pub age: Summary,
    /// Patients with an age.
    pub n_age: usize,
    /// Men.
    pub men: usize,
    /// Women.
    pub women: usize,
    /// Sex not recorded.
    pub sex_unknown: usize,
    /// Histology.
    pub histology: Histologies,
}

/// A yes/no characteristic.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct YesNo {
    /// Rows with yes.
    pub yes: usize,
    /// Rows without a value.
    pub unknown: usize,
}

/// Bands of a count (treated levels, fractions): 1, a middle band, above it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Bands {
    /// Exactly one.
    pub single: usize,
    /// The middle band (2–3 levels, 2–5 fractions).
    pub middle: usize,
    /// Above the middle band.
    pub above: usize,
    /// Rows without a value.
    pub unknown: usize,
}

/// Table 2: one row per lesion.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Lesions {
    /// Lesions.
    pub n: usize,
    /// Histology of the lesions.
    pub histology: Histologies,
    /// Primary tumours.
    pub primary: usize,
    /// Metastases.
    pub metastasis: usize,
    /// Disease status not recorded.
    pub status_unknown: usize,
    /// Prior surgery at the site.
    pub prior_surgery: YesNo,
    /// Prior external-beam radiotherapy at the site.
    pub prior_rt: YesNo,
    /// Region of the spine.
    pub sites: Vec<Count<Region>>,
    /// Region not known.
    pub site_unknown: usize,
    /// Number of treated vertebral levels (single, 2–3, ≥4).
    pub levels: Bands,
    /// Extent of disease at SBRT.
    pub extent: Vec<Count<Extent>>,
    /// Extent not recorded.
    pub extent_unknown: usize,
    /// Total dose, Gy.
    pub dose_gy: Summary,
    /// Fractions.
    pub fractions: Summary,
    /// BED at the study's α/β, Gy.
    pub bed: Summary,
    /// Fractionation (single, 2–5, >5).
    pub fractionation: Bands,
    /// PTV, cc.
    pub ptv_cc: Summary,
    /// PTV coverage, percent.
    pub ptv_coverage_pct: Summary,
}

/// Counts of the outcome summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutcomeCounts {
    /// Lesions with local failure only.
    pub local_only: usize,
    /// Lesions with local and adjacent failure.
    pub local_and_adjacent: usize,
    /// Lesions with adjacent failure only.
    pub adjacent_only: usize,
    /// Lesions with a vertebral compression fracture.
    pub vcf_lesions: usize,
    /// Patients with one.
    pub vcf_patients: usize,
    /// Lesions treated after their patient had already progressed.
    pub treated_after_progression: usize,
}

/// Everything descriptive the report tabulates.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Descriptives {
    /// Table 1.
    pub patients: Patients,
    /// Table 2.
    pub lesions: Lesions,
    /// The outcome summary's counts.
    pub outcomes: OutcomeCounts,
}
