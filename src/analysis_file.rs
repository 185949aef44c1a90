//! The de-identified analysis data set written by `sbrt derive`: one row
//! per lesion, sequential patient and lesion numbers instead of ids, no
//! dates. Of the other input columns only those a study names as a
//! covariate are carried along (an allow-list, not a guess at what
//! identifies a patient); the rest are left out and listed.

use crate::cohort::identifiers::{identifying_token, KnownIds};
use crate::cohort::{Cohort, DiseaseStatus, Sex};
use crate::endpoints::{AnalysisRow, DeriveOptions};
use crate::problem::Problem;

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

/// One column of the analysis file (before extras): its name, and its
/// value in a row (`None` is empty) under the derivation's options.
pub struct Column {
    /// The header.
    pub name: &'static str,
    /// The row's value.
    pub value: fn(&AnalysisRow, &DeriveOptions) -> Option<Value>,
}

/// A number.
fn num(v: Option<f64>) -> Option<Value> {
    v.map(Value::Number)
}

/// A count, as a number.
fn count(v: usize) -> Option<Value> {
    Some(Value::Number(v as f64))
}

/// A word.
fn word(v: Option<&str>) -> Option<Value> {
    v.map(|s| Value::Text(s.to_string()))
}

/// An event indicator: 1 or 0.
fn event(v: bool) -> Option<Value> {
    Some(Value::Number(if v { 1.0 } else { 0.0 }))
}

/// `yes` or `no`.
fn yes_no(v: Option<bool>) -> Option<Value> {
    word(v.map(|b| if b { "yes" } else { "no" }))
}

/// The columns of the analysis file (before extras), in order.
pub const COLUMNS: &[Column] = &[
    Column { name: "patient", value: |r, _| count(r.patient) },
    Column { name: "lesion", value: |r, _| count(r.lesion) },
    Column { name: "sex", value: |r, _| word(r.sex.map(|s| if s == Sex::Male { "M" } else { "F" })) },
    Column { name: "age", value: |r, _| num(r.age) },
    Column { name: "histology", value: |r, _| word(r.histology.as_deref()) },
    Column {
        name: "disease_status",
        value: |r, _| {
            word(r.disease_status.map(|s| if s == DiseaseStatus::Primary { "primary" } else { "metastasis" }))
        },
    },
    Column { name: "extent", value: |r, _| word(r.extent.map(|e| e.code())) },
    Column { name: "prior_surgery", value: |r, _| yes_no(r.prior_surgery) },
    Column { name: "prior_rt", value: |r, _| yes_no(r.prior_rt) },
    Column { name: "dose_gy", value: |r, _| num(r.prescription.map(|p| p.dose_gy)) },
    Column { name: "fractions", value: |r, _| num(r.prescription.map(|p| p.fractions as f64)) },
    Column { name: "dose_per_fraction", value: |r, _| num(r.prescription.map(|p| p.dose_per_fraction())) },
    Column { name: "isodose_pct", value: |r, _| num(Some(r.isodose_pct)) },
    Column {
        name: "max_dose_gy",
        value: |r, _| num(r.prescription.map(|p| p.at_maximum(r.isodose_pct)).map(|p| p.dose_gy)),
    },
    Column { name: "bed", value: |r, o| num(r.prescription.map(|p| p.bed(o.alpha_beta))) },
    Column { name: "eqd2", value: |r, o| num(r.prescription.map(|p| p.eqd2(o.alpha_beta))) },
    Column {
        name: "bed_max",
        value: |r, o| num(r.prescription.map(|p| p.at_maximum(r.isodose_pct)).map(|p| p.bed(o.alpha_beta))),
    },
    Column { name: "ptv_cc", value: |r, _| num(r.ptv_cc) },
    Column { name: "ptv_coverage_pct", value: |r, _| num(r.ptv_coverage_pct) },
    Column { name: "levels", value: |r, _| word(r.levels.as_deref()) },
    Column { name: "n_levels", value: |r, _| num(r.n_levels.map(|n| n as f64)) },
    Column { name: "site", value: |r, _| word(r.site.map(|s| s.name())) },
    Column { name: "months_from_diagnosis", value: |r, _| num(r.months_from_diagnosis) },
    Column { name: "lc_time", value: |r, _| num(Some(r.lc.time)) },
    Column { name: "lc_event", value: |r, _| event(r.lc.event) },
    Column { name: "lc_status", value: |r, _| num(Some(f64::from(r.lc_status))) },
    Column { name: "adjacent_time", value: |r, _| num(Some(r.adjacent.time)) },
    Column { name: "adjacent_event", value: |r, _| event(r.adjacent.event) },
    Column { name: "recurrence_pattern", value: |r, _| word(Some(r.recurrence.code())) },
    Column { name: "vcf_time", value: |r, _| num(Some(r.vcf.time)) },
    Column { name: "vcf_event", value: |r, _| event(r.vcf.event) },
    Column { name: "pfs_time", value: |r, _| num(Some(r.pfs.time)) },
    Column { name: "pfs_event", value: |r, _| event(r.pfs.event) },
    Column { name: "os_time", value: |r, _| num(Some(r.os.time)) },
    Column { name: "os_event", value: |r, _| event(r.os.event) },
    Column { name: "vcf_status", value: |r, _| num(Some(f64::from(r.vcf_status))) },
    Column { name: "sins", value: |r, _| num(r.sins.map(f64::from)) },
    Column { name: "bilsky", value: |r, _| word(r.bilsky.map(|b| b.code())) },
    Column { name: "vcf_baseline", value: |r, _| yes_no(r.vcf_baseline) },
    Column { name: "pain_baseline", value: |r, _| num(r.pain_baseline) },
    Column { name: "ome_baseline_mg", value: |r, _| num(r.ome_baseline_mg) },
    Column { name: "local_failure_site", value: |r, _| word(r.local_failure_site.map(|s| s.code())) },
    Column { name: "salvage", value: |r, _| word(r.salvage.map(|s| s.code())) },
    Column { name: "distant_spine_time", value: |r, _| num(Some(r.distant_spine.time)) },
    Column { name: "distant_spine_event", value: |r, _| event(r.distant_spine.event) },
];

/// The values of one row (before extras), in [`COLUMNS`] order.
pub fn row_values(r: &AnalysisRow, options: &DeriveOptions) -> Vec<Option<Value>> {
    COLUMNS.iter().map(|c| (c.value)(r, options)).collect()
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
