//! Whole-cohort checks, after every cell has been typed: date order,
//! impossible values, patient-level fields that disagree between a
//! patient's rows, duplicate lesion ids. Each problem names its row and
//! column; dose per fraction beyond the LQ model's usual range is a warning.

use super::plausibility::Ranges;
use super::{Cohort, Lesion};
use crate::problem::Problem;
use crate::radiobiology::{Prescription, LQ_TRUSTED_MAX_DOSE_PER_FRACTION};
use foldhash::{HashMap, HashMapExt};

/// A row that could not be typed (its problems are already reported), with
/// what of it the checks across rows still need.
#[derive(Debug, Clone)]
pub struct IncompleteRow {
    /// Spreadsheet row.
    pub row: usize,
    /// Patient id, when it was readable.
    pub patient_id: Option<std::sync::Arc<str>>,
    /// Lesion id, when it was readable.
    pub lesion_id: Option<std::sync::Arc<str>>,
}

/// All problems of a typed cohort. `incomplete` are the rows left out for
/// bad cells: their lesion ids still count as taken, and the rules that
/// depend on a patient's every row (first SBRT) are skipped for their
/// patients, so one bad cell gives one problem.
pub fn check(cohort: &Cohort, incomplete: &[IncompleteRow], ranges: &Ranges) -> Vec<Problem> {
    let n = cohort.lesions.len();
    let rows = crate::parallel_map::map_by_size(n, &crate::parallel_map::shares(n), |share| {
        let mut out = Vec::new();
        for l in &cohort.lesions[share.clone()] {
            check_row(&cohort.file, l, ranges, &mut out);
        }
        out
    });
    let mut out: Vec<Problem> = rows.into_iter().flatten().collect();
    let partial: foldhash::HashSet<&str> = incomplete.iter().filter_map(|r| r.patient_id.as_deref()).collect();
    let patients = by_patient(&cohort.lesions);
    let same_patient = |a: &&Lesion, b: &&Lesion| a.patient_id == b.patient_id;
    for rows in patients.chunk_by(same_patient) {
        check_patient(&cohort.file, rows, partial.contains(&*rows[0].patient_id), &mut out);
    }
    check_lesion_ids(cohort, incomplete, &mut out);
    for rows in patients.chunk_by(same_patient) {
        check_retreated_levels(&cohort.file, rows, &mut out);
    }
    out
}

/// The lesions ordered by patient, each patient's in file order.
fn by_patient(lesions: &[Lesion]) -> Vec<&Lesion> {
    let mut rows: Vec<&Lesion> = lesions.iter().collect();
    rows.sort_by(|a, b| a.patient_id.cmp(&b.patient_id));
    rows
}

/// A patient's lesion whose levels overlap an earlier-treated lesion's is
/// an error unless it declares re-irradiation (`reirradiation = yes`): the
/// paper excludes prior SBRT at the site, and a duplicated row (the same
/// vertebra entered twice, `L2-L3` then `L3`) looks the same.
fn check_retreated_levels(file: &str, patient: &[&Lesion], out: &mut Vec<Problem>) {
    let mut rows: Vec<&Lesion> = patient.iter().copied().filter(|l| l.levels.is_some()).collect();
    rows.sort_by_key(|l| (l.sbrt_date, l.row));
    for (k, l) in rows.iter().enumerate() {
        if l.reirradiation == Some(true) {
            continue;
        }
        let mine = &l.levels.as_ref().expect("filtered").vertebrae;
        // A repeated lesion id is reported as such, not again here.
        let earlier = rows[..k]
            .iter()
            .filter(|e| l.lesion_id.is_none() || e.lesion_id != l.lesion_id)
            .find(|e| e.levels.as_ref().expect("filtered").vertebrae.iter().any(|v| mine.contains(v)));
        if let Some(e) = earlier {
            let shared: Vec<String> = mine
                .iter()
                .filter(|v| e.levels.as_ref().expect("filtered").vertebrae.contains(v))
                .map(|v| v.to_string())
                .collect();
            out.push(Problem::error(
                file,
                Some(l.row),
                Some("levels"),
                format!(
                    "{} treated before on row {} of the same patient: mark re-irradiation (reirradiation = yes) or correct the levels",
                    shared.join(", "),
                    e.row
                ),
            ));
        }
    }
}

fn check_row(file: &str, l: &Lesion, ranges: &Ranges, out: &mut Vec<Problem>) {
    let err =
        |out: &mut Vec<Problem>, col: &str, msg: String| out.push(Problem::error(file, Some(l.row), Some(col), msg));
    let positive = [("dose_gy", l.dose_gy), ("ptv_cc", l.ptv_cc), ("fractions", l.fractions.map(f64::from))];
    for (col, v) in positive {
        if let Some(v) = v.filter(|v| *v <= 0.0) {
            err(out, col, format!("must be greater than 0, found {v}"));
        }
    }
    for (col, v) in [("cord_dmax_gy", l.cord_dmax_gy), ("cord_d0035cc_gy", l.cord_d0035cc_gy)] {
        if let Some(v) = v.filter(|v| !(*v >= 0.0 && *v <= 100.0)) {
            err(out, col, format!("must be a dose in Gy from 0 to 100, found {v}"));
        }
    }
    if let (Some(max), Some(d)) = (l.cord_dmax_gy, l.cord_d0035cc_gy) {
        if d > max {
            err(out, "cord_d0035cc_gy", format!("{d} Gy is above the cord's maximum dose ({max} Gy)"));
        }
    }
    for (col, v) in [("isodose_pct", l.isodose_pct), ("ptv_coverage_pct", l.ptv_coverage_pct)] {
        if let Some(v) = v.filter(|v| !(*v > 0.0 && *v <= 100.0)) {
            err(out, col, format!("must be a percentage in (0, 100], found {v}"));
        }
    }
    let findings =
        super::plausibility::check(ranges, l.isodose_pct, l.ptv_coverage_pct, l.ptv_cc, l.dose_gy, l.fractions);
    let implausible_dose = findings.iter().any(|f| matches!(f, super::plausibility::Finding::Error("dose_gy", _)));
    for finding in findings {
        match finding {
            super::plausibility::Finding::Error(col, msg) => err(out, col, msg),
            super::plausibility::Finding::Warning(col, msg) => {
                out.push(Problem::warning(file, Some(l.row), Some(col), msg))
            }
        }
    }
    for (col, msg) in super::spine::sins_problems(l.sins, &l.sins_parts) {
        err(out, col, msg);
    }
    if let Some(p) = l.pain_baseline.filter(|p| !(0.0..=10.0).contains(p)) {
        err(out, "pain_baseline", format!("a pain score is 0-10, found {p}"));
    }
    if let Some(m) = l.ome_baseline_mg.filter(|m| *m < 0.0) {
        err(out, "ome_baseline_mg", format!("must be 0 or more mg, found {m}"));
    }
    if l.local_failure_site.is_some() && l.local_failure_date.is_none() {
        err(out, "local_failure_site", "a failure site without a local_failure_date".into());
    }
    let failed = l.local_failure_date.is_some() || l.adjacent_failure_date.is_some();
    if let Some(s) = l.salvage.filter(|s| *s != super::spine::Salvage::None && !failed) {
        err(out, "salvage", format!("'{}' salvage without a local or adjacent failure date", s.code()));
    }
    if let Some(a) = l.age.filter(|a| !(*a > 0.0 && *a < 120.0)) {
        err(out, "age", format!("must be between 0 and 120 years, found {a}"));
    }
    if let (Some(dose), Some(fx)) = (l.dose_gy, l.fractions) {
        let p = Prescription { dose_gy: dose, fractions: fx };
        if dose > 0.0 && fx > 0 && p.beyond_lq_range() && !implausible_dose {
            out.push(Problem::warning(
                file,
                Some(l.row),
                Some("dose_gy"),
                format!(
                    "{:.1} Gy per fraction is above {LQ_TRUSTED_MAX_DOSE_PER_FRACTION} Gy, where the linear-quadratic model behind BED is usually trusted; read BED with care",
                    p.dose_per_fraction()
                ),
            ));
        }
    }

    // Date order. Diagnosis and birth come first; SBRT precedes its events;
    // nothing is observed after last follow-up or death.
    let events = [
        ("local_failure_date", l.local_failure_date),
        ("adjacent_failure_date", l.adjacent_failure_date),
        ("vcf_date", l.vcf_date),
        ("progression_date", l.progression_date),
        ("distant_spine_failure_date", l.distant_spine_failure_date),
    ];
    let all_dates = [
        ("sbrt_date", Some(l.sbrt_date)),
        ("last_followup_date", Some(l.last_followup_date)),
        ("death_date", l.death_date),
    ]
    .into_iter()
    .chain(events);
    for (col, d) in all_dates {
        let Some(d) = d else { continue };
        if let Some(dx) = l.diagnosis_date.filter(|dx| d < *dx) {
            err(out, col, format!("{d} is before the diagnosis date {dx}"));
        }
        if let Some(b) = l.birth_date.filter(|b| d < *b) {
            err(out, col, format!("{d} is before the birth date {b}"));
        }
    }
    if let Some(dx) = l.diagnosis_date {
        if let Some(b) = l.birth_date.filter(|b| dx < *b) {
            err(out, "diagnosis_date", format!("{dx} is before the birth date {b}"));
        }
    }
    if let Some(death) = l.death_date {
        if l.sbrt_date > death {
            err(out, "sbrt_date", format!("SBRT start {} is after death {death}", l.sbrt_date));
        }
        if l.last_followup_date > death {
            err(out, "last_followup_date", format!("last follow-up {} is after death {death}", l.last_followup_date));
        }
    }
    if l.sbrt_date > l.last_followup_date {
        err(out, "sbrt_date", format!("SBRT start {} is after last follow-up {}", l.sbrt_date, l.last_followup_date));
    }
    for (col, d) in events {
        let Some(d) = d else { continue };
        if let Some(death) = l.death_date.filter(|death| d > *death) {
            err(out, col, format!("{d} is after death {death}"));
        } else if d > l.last_followup_date {
            err(out, col, format!("{d} is after last follow-up {}", l.last_followup_date));
        }
        if !matches!(col, "progression_date" | "distant_spine_failure_date") && d < l.sbrt_date {
            err(out, col, format!("{d} is before this lesion's SBRT start {}", l.sbrt_date));
        }
    }
}

/// A patient-level field's value on a row, compared between a patient's
/// rows and written as the messages show it.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Shared<'a> {
    Sex(super::Sex),
    Number(f64),
    Date(super::date::Date),
    Text(&'a str),
}

impl std::fmt::Display for Shared<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Shared::Sex(s) => write!(f, "{s:?}"),
            Shared::Number(v) => write!(f, "{v}"),
            Shared::Date(d) => write!(f, "{d}"),
            Shared::Text(t) => f.write_str(t),
        }
    }
}

/// The patient-level fields of a row (None when empty).
fn patient_fields(l: &Lesion) -> [(&'static str, Option<Shared<'_>>); 9] {
    [
        ("sex", l.sex.map(Shared::Sex)),
        ("age", l.age.map(Shared::Number)),
        ("birth_date", l.birth_date.map(Shared::Date)),
        ("histology", l.histology.as_deref().map(Shared::Text)),
        ("diagnosis_date", l.diagnosis_date.map(Shared::Date)),
        ("last_followup_date", Some(Shared::Date(l.last_followup_date))),
        ("death_date", l.death_date.map(Shared::Date)),
        ("progression_date", l.progression_date.map(Shared::Date)),
        ("distant_spine_failure_date", l.distant_spine_failure_date.map(Shared::Date)),
    ]
}

/// The checks across one patient's rows; `partial` when a row of the
/// patient could not be read.
fn check_patient(file: &str, rows: &[&Lesion], partial: bool, out: &mut Vec<Problem>) {
    // Each field: the first row with a value is the patient's; later rows must agree.
    let mut first: [Option<(Shared, usize)>; 9] = [None; 9];
    for l in rows {
        for ((col, v), first) in patient_fields(l).into_iter().zip(&mut first) {
            let Some(v) = v else { continue };
            match first {
                None => *first = Some((v, l.row)),
                Some((w, row)) if *w != v => out.push(Problem::error(
                    file,
                    Some(l.row),
                    Some(col),
                    format!("patient-level value '{v}' disagrees with '{w}' on row {row} for the same patient"),
                )),
                Some(_) => {}
            }
        }
    }
    check_age(file, rows, out);
    if partial {
        return; // the first SBRT may be on the row that could not be read
    }
    let first_sbrt = rows.iter().map(|l| l.sbrt_date).min().expect("non-empty");
    for l in rows {
        for (col, d) in
            [("progression_date", l.progression_date), ("distant_spine_failure_date", l.distant_spine_failure_date)]
        {
            if let Some(p) = d.filter(|p| *p < first_sbrt) {
                out.push(Problem::error(
                    file,
                    Some(l.row),
                    Some(col),
                    format!("{p} is before the patient's first SBRT {first_sbrt}: record the first failure after SBRT"),
                ));
            }
        }
    }
    // The paper's lesion-level PFS follows every lesion from the
    // patient's first SBRT: a lesion treated after the patient had
    // progressed carries a progression from before its own treatment.
    // Dates already reported as out of order are left out (no cascade).
    let first_progression = rows
        .iter()
        .flat_map(|l| {
            let own = [l.local_failure_date, l.adjacent_failure_date].map(|d| d.filter(|d| *d >= l.sbrt_date));
            [l.progression_date.filter(|p| *p >= first_sbrt), own[0], own[1]]
        })
        .flatten()
        .min();
    for l in rows {
        if let Some(p) = first_progression.filter(|p| *p < l.sbrt_date) {
            out.push(Problem::warning(
                file,
                Some(l.row),
                Some("sbrt_date"),
                format!(
                    "the patient progressed ({p}) before this lesion's SBRT: in lesion-level PFS, followed from the first SBRT, this lesion carries that earlier progression (the report counts such lesions and gives per-patient PFS beside)"
                ),
            ));
        }
    }
}

fn check_lesion_ids(cohort: &Cohort, incomplete: &[IncompleteRow], out: &mut Vec<Problem>) {
    let mut ids: Vec<(usize, &str)> = cohort
        .lesions
        .iter()
        .filter_map(|l| l.lesion_id.as_deref().map(|id| (l.row, id)))
        .chain(incomplete.iter().filter_map(|r| r.lesion_id.as_deref().map(|id| (r.row, id))))
        .collect();
    ids.sort_unstable();
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (row, id) in ids {
        if let Some(first) = seen.insert(id, row) {
            seen.insert(id, first);
            out.push(Problem::error(
                &cohort.file,
                Some(row),
                Some("lesion_id"),
                format!("duplicate lesion id: also on row {first}"),
            ));
        }
    }
}

/// Age must agree with the birth date: the age at the patient's first SBRT
/// computed from the birth date, within a year either way (an age may be
/// recorded at diagnosis or rounded).
fn check_age(file: &str, rows: &[&Lesion], out: &mut Vec<Problem>) {
    let first_sbrt = rows.iter().map(|l| l.sbrt_date).min().expect("non-empty");
    for l in rows {
        if let (Some(age), Some(birth)) = (l.age, l.birth_date.filter(|b| *b < first_sbrt)) {
            let from_birth = birth.days_until(first_sbrt) as f64 / 365.25;
            if (age - from_birth).abs() > 1.0 {
                out.push(Problem::error(
                    file,
                    Some(l.row),
                    Some("age"),
                    format!("{age} disagrees with the birth date: {from_birth:.1} years at the first SBRT"),
                ));
            }
        }
    }
}
