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
    if extras.is_empty() {
        return Vec::new();
    }
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

/// One value of the analysis file: a number, or a word (a category).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A number (times, doses, counts, 0/1 events).
    Number(f64),
    /// A word (sex, histology, yes/no, …), or the text of an input column.
    Text(String),
}

impl Value {
    /// As the CSV file writes it (`3` for 3.0: Rust's shortest round-trip form).
    pub fn to_text(&self) -> String {
        match self {
            Value::Number(x) => format!("{x}"),
            Value::Text(s) => s.clone(),
        }
    }

    /// The number it holds, or the number its text reads as (an input
    /// column's cell); `None` for a word.
    pub fn number(&self) -> Option<f64> {
        match self {
            Value::Number(x) => Some(*x),
            Value::Text(s) => s.trim().parse::<f64>().ok(),
        }
        .filter(|v| v.is_finite())
    }
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
    "vcf_status",
    "sins",
    "bilsky",
    "vcf_baseline",
    "pain_baseline",
    "ome_baseline_mg",
    "local_failure_site",
    "salvage",
    "distant_spine_time",
    "distant_spine_event",
];

/// The values of one row (before extras), in [`COLUMNS`] order; `None` is empty.
pub fn row_values(r: &AnalysisRow, options: &DeriveOptions) -> Vec<Option<Value>> {
    let ab = options.alpha_beta;
    let rx: Option<Prescription> = r.prescription;
    let max = rx.map(|p| p.at_maximum(r.isodose_pct));
    let num = |v: Option<f64>| v.map(Value::Number);
    let count = |v: usize| Some(Value::Number(v as f64));
    let word = |v: Option<&str>| v.map(|s| Value::Text(s.to_string()));
    let event = |v: bool| Some(Value::Number(if v { 1.0 } else { 0.0 }));
    let yes_no = |v: Option<bool>| word(v.map(|b| if b { "yes" } else { "no" }));
    vec![
        count(r.patient),
        count(r.lesion),
        word(r.sex.map(|s| if s == Sex::Male { "M" } else { "F" })),
        num(r.age),
        word(r.histology.as_deref()),
        word(r.disease_status.map(|s| if s == DiseaseStatus::Primary { "primary" } else { "metastasis" })),
        word(r.extent.map(|e| e.code())),
        yes_no(r.prior_surgery),
        yes_no(r.prior_rt),
        num(rx.map(|p| p.dose_gy)),
        num(rx.map(|p| p.fractions as f64)),
        num(rx.map(|p| p.dose_per_fraction())),
        num(Some(r.isodose_pct)),
        num(max.map(|p| p.dose_gy)),
        num(rx.map(|p| p.bed(ab))),
        num(rx.map(|p| p.eqd2(ab))),
        num(max.map(|p| p.bed(ab))),
        num(r.ptv_cc),
        num(r.ptv_coverage_pct),
        word(r.levels.as_deref()),
        num(r.n_levels.map(|n| n as f64)),
        word(r.site.map(|s| s.name())),
        num(r.months_from_diagnosis),
        num(Some(r.lc.time)),
        event(r.lc.event),
        num(Some(f64::from(r.lc_status))),
        num(Some(r.adjacent.time)),
        event(r.adjacent.event),
        word(Some(r.recurrence.code())),
        num(Some(r.vcf.time)),
        event(r.vcf.event),
        num(Some(r.pfs.time)),
        event(r.pfs.event),
        num(Some(r.os.time)),
        event(r.os.event),
        num(Some(f64::from(r.vcf_status))),
        num(r.sins.map(f64::from)),
        word(r.bilsky.map(|b| b.code())),
        yes_no(r.vcf_baseline),
        num(r.pain_baseline),
        num(r.ome_baseline_mg),
        word(r.local_failure_site.map(|s| s.code())),
        word(r.salvage.map(|s| s.code())),
        num(Some(r.distant_spine.time)),
        event(r.distant_spine.event),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_as_before_and_text_cells_read_as_numbers() {
        assert_eq!(Value::Number(3.0).to_text(), "3");
        assert_eq!(Value::Number(0.1 + 0.2).to_text(), "0.30000000000000004");
        assert_eq!(Value::Text(" 4.5 ".into()).number(), Some(4.5));
        assert_eq!(Value::Text("yes".into()).number(), None);
    }

    #[test]
    fn every_column_has_a_value() {
        let (cohort, _) = crate::cohort::load_bytes(
            "x.csv",
            crate::cohort::read::FileType::Csv,
            crate::example::CSV.as_bytes().to_vec(),
            &Default::default(),
        )
        .unwrap();
        let rows = crate::endpoints::derive(&cohort, &DeriveOptions::default());
        assert_eq!(row_values(&rows[0], &DeriveOptions::default()).len(), COLUMNS.len());
    }
}
