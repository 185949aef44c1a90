//! The de-identified analysis data set written by `sbrt derive`: one row
//! per lesion, sequential patient and lesion numbers instead of ids, no
//! dates. Of the other input columns only those a study names as a
//! covariate are carried along (an allow-list, not a guess at what
//! identifies a patient); the rest are left out and listed.

use crate::cohort::identifiers::{identifying_token, KnownIds};
use crate::cohort::{Cohort, DiseaseStatus, Sex};
use crate::endpoints::{AnalysisRow, DeriveOptions};
use crate::problem::Problem;
use crate::radiobiology::Prescription;

/// The extra input columns an analysis file carries: by allow-list, only
/// those a study names as a covariate `source`. Returns their indices into
/// `cohort.extra_columns` and the names of the columns left out.
pub fn study_extras(cohort: &Cohort, sources: &[&str]) -> (Vec<usize>, Vec<String>) {
    let mut keep = Vec::new();
    let mut dropped = Vec::new();
    for (j, name) in cohort.extra_columns.iter().enumerate() {
        if sources.contains(&name.as_str()) {
            keep.push(j);
        } else {
            dropped.push(name.clone());
        }
    }
    (keep, dropped)
}

/// The extra columns to carry ([`study_extras`]) and those left out, or
/// every cell of the carried ones that holds a date-like or id-like token.
pub fn carried_extras(cohort: &Cohort, sources: &[&str]) -> Result<(Vec<usize>, Vec<String>), Vec<Problem>> {
    let (keep, dropped) = study_extras(cohort, sources);
    let identifying = identifying_extras(cohort, &keep);
    if identifying.is_empty() {
        Ok((keep, dropped))
    } else {
        Err(identifying)
    }
}

/// Every cell of the kept extra columns that holds a date-like or id-like
/// token, as an error naming the cell.
fn identifying_extras(cohort: &Cohort, extras: &[usize]) -> Vec<Problem> {
    let ids = KnownIds::of(cohort);
    let mut out = Vec::new();
    for l in &cohort.lesions {
        for &j in extras {
            if let Some(why) = l.extra[j].as_deref().and_then(|v| identifying_token(v, &ids)) {
                out.push(Problem::error(
                    &cohort.file,
                    Some(l.row),
                    Some(&cohort.extra_columns[j]),
                    format!("{why}: a covariate value would carry it into every output; recode it"),
                ));
            }
        }
    }
    out
}

fn f(v: Option<f64>) -> String {
    v.map(|x| format!("{x}")).unwrap_or_default()
}

fn yn(v: Option<bool>) -> String {
    v.map(|b| if b { "yes" } else { "no" }.to_string()).unwrap_or_default()
}

/// Column names of the analysis file (before extras).
pub const COLUMNS: &[&str] = &[
    "patient",
    "lesion",
    "sex",
    "age",
    "histology",
    "disease_status",
    "extent",
    "prior_surgery",
    "prior_rt",
    "dose_gy",
    "fractions",
    "dose_per_fraction",
    "isodose_pct",
    "max_dose_gy",
    "bed",
    "eqd2",
    "bed_max",
    "ptv_cc",
    "ptv_coverage_pct",
    "levels",
    "n_levels",
    "site",
    "months_from_diagnosis",
    "lc_time",
    "lc_event",
    "lc_status",
    "adjacent_time",
    "adjacent_event",
    "recurrence_pattern",
    "vcf_time",
    "vcf_event",
    "pfs_time",
    "pfs_event",
    "os_time",
    "os_event",
];

/// The text cells of one row (before extras).
pub fn row_cells(r: &AnalysisRow, options: &DeriveOptions) -> Vec<String> {
    let ab = options.alpha_beta;
    let rx: Option<Prescription> = r.prescription;
    let max = rx.map(|p| p.at_maximum(r.isodose_pct));
    let b = |v: bool| if v { "1" } else { "0" }.to_string();
    vec![
        r.patient.to_string(),
        r.lesion.to_string(),
        r.sex.map(|s| if s == Sex::Male { "M" } else { "F" }.to_string()).unwrap_or_default(),
        f(r.age),
        r.histology.clone().unwrap_or_default(),
        r.disease_status
            .map(|s| if s == DiseaseStatus::Primary { "primary" } else { "metastasis" }.to_string())
            .unwrap_or_default(),
        r.extent.map(|e| e.code().to_string()).unwrap_or_default(),
        yn(r.prior_surgery),
        yn(r.prior_rt),
        f(rx.map(|p| p.dose_gy)),
        rx.map(|p| p.fractions.to_string()).unwrap_or_default(),
        f(rx.map(|p| p.dose_per_fraction())),
        f(Some(r.isodose_pct)),
        f(max.map(|p| p.dose_gy)),
        f(rx.map(|p| p.bed(ab))),
        f(rx.map(|p| p.eqd2(ab))),
        f(max.map(|p| p.bed(ab))),
        f(r.ptv_cc),
        f(r.ptv_coverage_pct),
        r.levels.clone().unwrap_or_default(),
        r.n_levels.map(|n| n.to_string()).unwrap_or_default(),
        r.site.map(|s| s.name().to_string()).unwrap_or_default(),
        f(r.months_from_diagnosis),
        f(Some(r.lc.time)),
        b(r.lc.event),
        r.lc_status.to_string(),
        f(Some(r.adjacent.time)),
        b(r.adjacent.event),
        r.recurrence.code().to_string(),
        f(Some(r.vcf.time)),
        b(r.vcf.event),
        f(Some(r.pfs.time)),
        b(r.pfs.event),
        f(Some(r.os.time)),
        b(r.os.event),
    ]
}
