//! The de-identified analysis data set written by `sbrt derive`: one row
//! per lesion, sequential patient and lesion numbers instead of ids, no
//! dates. Extra input columns are carried along unless their name or
//! content suggests they identify a patient (names, ids, record numbers,
//! contact details, dates); those are left out and reported.

use crate::cohort::{Cohort, DiseaseStatus, Sex};
use crate::endpoints::{AnalysisRow, DeriveOptions};
use crate::radiobiology::Prescription;

/// Header words that mark a column as possibly identifying.
const IDENTIFYING_WORDS: [&str; 14] = [
    "name", "id", "mrn", "dob", "birth", "date", "address", "phone", "email", "initials", "ssn", "nhs", "record", "zip",
];

/// Whether an extra column may identify a patient: by its name, or because a value looks like a date.
pub fn is_identifying(name: &str, values: &[Option<String>]) -> bool {
    let words: Vec<&str> = name.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()).collect();
    let named = words.iter().any(|w| IDENTIFYING_WORDS.contains(w))
        || IDENTIFYING_WORDS.iter().any(|w| w.len() > 3 && name.contains(w));
    named || values.iter().flatten().any(|v| looks_like_date(v))
}

/// `YYYY-MM-DD`, `DD/MM/YYYY`, `MM.DD.YY` and the like.
fn looks_like_date(v: &str) -> bool {
    let parts: Vec<&str> = v.trim().split(['-', '/', '.']).collect();
    parts.len() == 3 && parts.iter().all(|p| !p.is_empty() && p.len() <= 4 && p.chars().all(|c| c.is_ascii_digit()))
}

/// Which extra columns are written (indices into `cohort.extra_columns`) and which are withheld.
pub fn shareable_extras(cohort: &Cohort) -> (Vec<usize>, Vec<String>) {
    let mut keep = Vec::new();
    let mut withheld = Vec::new();
    for (j, name) in cohort.extra_columns.iter().enumerate() {
        let values: Vec<Option<String>> = cohort.lesions.iter().map(|l| l.extra[j].clone()).collect();
        if is_identifying(name, &values) {
            withheld.push(name.clone());
        } else {
            keep.push(j);
        }
    }
    (keep, withheld)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifying_columns_are_recognised() {
        let none: Vec<Option<String>> = vec![Some("3".into())];
        assert!(is_identifying("patient_name", &none));
        assert!(is_identifying("mrn", &none));
        assert!(is_identifying("hospital_record", &none));
        assert!(is_identifying("surgery_date", &none));
        assert!(is_identifying("notes", &[Some("1999-02-03".into())]));
        assert!(!is_identifying("kps", &none));
        assert!(!is_identifying("grade", &[Some("2".into()), Some("3.5".into())]));
    }
}
