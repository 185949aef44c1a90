//! The descriptive counts of the paper's Tables 1 and 2, the outcome
//! summary and this cohort's row of Table 5: patients (one row each, the
//! first of their rows), lesions, and how the lesions recurred. Every
//! block counts the rows without a value, so its percentages add to 100.

use crate::cohort::histology::{self, Tissue};
use crate::cohort::vertebra::Region;
use crate::cohort::{DiseaseStatus, Extent, Sex};
use crate::endpoints::{AnalysisRow, RecurrencePattern};
use crate::results::descriptive::{
    Bands, Count, Descriptives, Histologies, HistologyGroup, Lesions, OutcomeCounts, Patients, YesNo,
};
use crate::summary::Summary;
use std::collections::{BTreeMap, HashSet};

/// One row per patient (the first of the patient's rows).
fn patients(rows: &[AnalysisRow]) -> Vec<&AnalysisRow> {
    let mut first = crate::endpoints::FirstOfPatient::default();
    rows.iter().filter(|r| first.keep(r.patient)).collect()
}

/// Follow-up from the first SBRT to death or last follow-up: the patients' OS times.
pub fn follow_up(rows: &[AnalysisRow]) -> Summary {
    Summary::of(&patients(rows).iter().map(|r| r.os.time).collect::<Vec<_>>())
}

fn count<T>(items: &[T], f: impl Fn(&T) -> bool) -> usize {
    items.iter().filter(|x| f(x)).count()
}

/// The paper's row for a histology (a vocabulary name): its three named
/// bone sarcomas, other bone sarcomas, and soft-tissue sarcomas.
fn histology_group(h: &str) -> HistologyGroup {
    match (h, histology::by_name(h).map(|e| e.tissue)) {
        ("osteosarcoma", _) => HistologyGroup::Osteosarcoma,
        ("chondrosarcoma", _) => HistologyGroup::Chondrosarcoma,
        ("ewing sarcoma", _) => HistologyGroup::EwingSarcoma,
        (_, Some(Tissue::Bone)) => HistologyGroup::OtherBone,
        _ => HistologyGroup::SoftTissue,
    }
}

/// Histology counts by group, with each group's entities most frequent first.
fn histologies<'a>(hist: impl Iterator<Item = Option<&'a str>>) -> Histologies {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    let mut unknown = 0;
    for h in hist {
        match h {
            None => unknown += 1,
            Some(h) => *counts.entry(h).or_default() += 1,
        }
    }
    // Each histology named is grouped once.
    let mut by_group: Vec<BTreeMap<&str, usize>> = vec![BTreeMap::new(); HistologyGroup::ALL.len()];
    for (h, n) in counts {
        let g = HistologyGroup::ALL.iter().position(|g| *g == histology_group(h)).expect("a group");
        by_group[g].insert(h, n);
    }
    let entities: Vec<Vec<Count<String>>> = by_group
        .iter()
        .map(|m| {
            let mut v: Vec<Count<String>> = m.iter().map(|(h, &n)| Count { value: h.to_string(), n }).collect();
            v.sort_by(|a, b| b.n.cmp(&a.n).then(a.value.cmp(&b.value)));
            v
        })
        .collect();
    let groups = HistologyGroup::ALL
        .iter()
        .zip(&entities)
        .map(|(&value, e)| Count { value, n: e.iter().map(|c| c.n).sum() })
        .collect();
    Histologies { groups, entities, unknown }
}

fn yes_no(rows: &[AnalysisRow], f: impl Fn(&AnalysisRow) -> Option<bool>) -> YesNo {
    YesNo { yes: count(rows, |r| f(r) == Some(true)), unknown: count(rows, |r| f(r).is_none()) }
}

/// Counts of a whole number in bands: 1, `middle` (inclusive), above.
fn bands(values: impl Iterator<Item = Option<usize>>, middle: (usize, usize)) -> Bands {
    let mut b = Bands { single: 0, middle: 0, above: 0, unknown: 0 };
    for v in values {
        match v {
            None => b.unknown += 1,
            Some(1) => b.single += 1,
            Some(k) if (middle.0..=middle.1).contains(&k) => b.middle += 1,
            Some(k) if k > middle.1 => b.above += 1,
            Some(_) => {}
        }
    }
    b
}

/// Table 1's counts.
fn patient_counts(rows: &[AnalysisRow]) -> Patients {
    let p = patients(rows);
    let ages: Vec<f64> = p.iter().filter_map(|r| r.age).collect();
    Patients {
        n: p.len(),
        age: Summary::of(&ages),
        n_age: ages.len(),
        men: count(&p, |r| r.sex == Some(Sex::Male)),
        women: count(&p, |r| r.sex == Some(Sex::Female)),
        sex_unknown: count(&p, |r| r.sex.is_none()),
        histology: histologies(p.iter().map(|r| r.histology.as_deref())),
    }
}

/// Table 2's counts, BED at `alpha_beta`.
fn lesion_counts(rows: &[AnalysisRow], alpha_beta: f64) -> Lesions {
    let rx: Vec<_> = rows.iter().filter_map(|r| r.prescription).collect();
    let values = |f: &dyn Fn(&AnalysisRow) -> Option<f64>| rows.iter().filter_map(f).collect::<Vec<f64>>();
    Lesions {
        n: rows.len(),
        histology: histologies(rows.iter().map(|r| r.histology.as_deref())),
        primary: count(rows, |r| r.disease_status == Some(DiseaseStatus::Primary)),
        metastasis: count(rows, |r| r.disease_status == Some(DiseaseStatus::Metastasis)),
        status_unknown: count(rows, |r| r.disease_status.is_none()),
        prior_surgery: yes_no(rows, |r| r.prior_surgery),
        prior_rt: yes_no(rows, |r| r.prior_rt),
        sites: Region::ALL.iter().map(|&value| Count { value, n: count(rows, |r| r.site == Some(value)) }).collect(),
        site_unknown: count(rows, |r| r.site.is_none()),
        levels: bands(rows.iter().map(|r| r.n_levels), (2, 3)),
        extent: [Extent::SolitarySpine, Extent::MultipleBone, Extent::Visceral]
            .iter()
            .map(|&value| Count { value, n: count(rows, |r| r.extent == Some(value)) })
            .collect(),
        extent_unknown: count(rows, |r| r.extent.is_none()),
        dose_gy: Summary::of(&rx.iter().map(|p| p.dose_gy).collect::<Vec<_>>()),
        fractions: Summary::of(&rx.iter().map(|p| p.fractions as f64).collect::<Vec<_>>()),
        bed: Summary::of(&rx.iter().map(|p| p.bed(alpha_beta)).collect::<Vec<_>>()),
        fractionation: bands(rows.iter().map(|r| r.prescription.map(|p| p.fractions as usize)), (2, 5)),
        ptv_cc: Summary::of(&values(&|r| r.ptv_cc)),
        ptv_coverage_pct: Summary::of(&values(&|r| r.ptv_coverage_pct)),
    }
}

/// The outcome summary's counts.
fn outcome_counts(rows: &[AnalysisRow]) -> OutcomeCounts {
    let pattern = |p: RecurrencePattern| count(rows, |r| r.recurrence == p);
    let vcf_patients: HashSet<usize> = rows.iter().filter(|r| r.vcf.event).map(|r| r.patient).collect();
    OutcomeCounts {
        local_only: pattern(RecurrencePattern::LocalOnly),
        local_and_adjacent: pattern(RecurrencePattern::LocalAndAdjacent),
        adjacent_only: pattern(RecurrencePattern::AdjacentOnly),
        vcf_lesions: count(rows, |r| r.vcf.event),
        vcf_patients: vcf_patients.len(),
        treated_after_progression: count(rows, |r| r.pfs_event_before_treatment),
    }
}

/// Every descriptive count of the report.
pub fn describe(rows: &[AnalysisRow], alpha_beta: f64) -> Descriptives {
    Descriptives {
        patients: patient_counts(rows),
        lesions: lesion_counts(rows, alpha_beta),
        outcomes: outcome_counts(rows),
    }
}
