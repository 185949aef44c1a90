//! The paper's tables built from the results: Table 1 (patients), Table 2
//! (lesions and treatment), the outcome summary, Table 3 (local control),
//! Table 4 (PFS and OS) and Table 5 (published series and this cohort).

use super::selection::Model;
use super::table::{count_pct, fixed, median, median_range, p_value, percent, Table};
use super::univariate::Univariate;
use super::{AnalysisData, EndpointResult, Results};
use crate::cohort::histology::{self, Tissue};
use crate::cohort::{DiseaseStatus, Extent, Sex};
use crate::endpoints::{AnalysisRow, RecurrencePattern};
use crate::study::{Origin, Study};
use serde::Serialize;
use std::collections::BTreeMap;

/// Follow-up from the first SBRT to death or last follow-up, all patients.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FollowUp {
    /// Median, months.
    pub median: Option<f64>,
    /// Shortest.
    pub min: Option<f64>,
    /// Longest.
    pub max: Option<f64>,
}

/// One row per patient (the first of the patient's rows).
fn patients(rows: &[AnalysisRow]) -> Vec<&AnalysisRow> {
    let mut seen = std::collections::HashSet::new();
    rows.iter().filter(|r| seen.insert(r.patient)).collect()
}

/// Simple follow-up: median (range) of the patients' OS times.
pub fn follow_up(rows: &[AnalysisRow]) -> FollowUp {
    let t: Vec<f64> = patients(rows).iter().map(|r| r.os.time).collect();
    FollowUp { median: median(&t), min: t.iter().copied().reduce(f64::min), max: t.iter().copied().reduce(f64::max) }
}

/// The row of the paper's histology block that counts `h` (a vocabulary
/// name): its three bone sarcomas, other bone sarcomas (chordoma, …), and
/// soft-tissue sarcomas.
fn histology_group(h: &str) -> &'static str {
    match (h, histology::by_name(h).map(|e| e.tissue)) {
        ("osteosarcoma", _) => "Osteosarcoma",
        ("chondrosarcoma", _) => "Chondrosarcoma",
        ("ewing sarcoma", _) => "Ewing's sarcoma",
        (_, Some(Tissue::Bone)) => OTHER_BONE,
        _ => "Soft tissue sarcoma",
    }
}

/// The group of bone sarcomas the paper does not name, shown when present.
const OTHER_BONE: &str = "Other bone sarcoma";

fn histology_name(h: &str) -> String {
    histology::by_name(h).map_or_else(|| h.to_string(), |e| e.display.to_string())
}

fn count<T>(items: &[T], f: impl Fn(&T) -> bool) -> usize {
    items.iter().filter(|x| f(x)).count()
}

/// An "Unknown" row for the `unknown` of `n` without a value, when there are any,
/// so that a block's percentages add up to 100.
fn unknown_row(t: &mut Table, unknown: usize, n: usize) {
    if unknown > 0 {
        t.push(1, vec!["Unknown".into(), count_pct(unknown, n)]);
    }
}

/// Rows for a histology block: the four groups, soft-tissue subtypes beneath (`with_subtypes`).
fn histology_rows(t: &mut Table, hist: &[Option<String>], with_subtypes: bool) {
    let n = hist.len();
    for group in ["Osteosarcoma", "Chondrosarcoma", "Ewing's sarcoma", OTHER_BONE, "Soft tissue sarcoma"] {
        let k = count(hist, |h| h.as_deref().is_some_and(|h| histology_group(h) == group));
        if group == OTHER_BONE && k == 0 {
            continue;
        }
        t.push(1, vec![group.into(), count_pct(k, n)]);
        if with_subtypes && group == "Soft tissue sarcoma" {
            let mut sub: BTreeMap<String, usize> = BTreeMap::new();
            for h in hist.iter().flatten().filter(|h| histology_group(h) == group) {
                *sub.entry(histology_name(h)).or_default() += 1;
            }
            let mut sub: Vec<(String, usize)> = sub.into_iter().collect();
            sub.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            for (name, k) in sub {
                t.push(2, vec![name, count_pct(k, n)]);
            }
        }
    }
    unknown_row(t, count(hist, |h| h.is_none()), n);
}

/// Table 1: patient characteristics.
pub fn table1(rows: &[AnalysisRow]) -> Table {
    let p = patients(rows);
    let n = p.len();
    let mut t = Table::new("table1", "Table 1. Patient characteristics", &["Variable", "Numbers"]);
    t.push(0, vec!["Number of patients".into(), n.to_string()]);
    let ages: Vec<f64> = p.iter().filter_map(|r| r.age).collect();
    t.push(0, vec!["Median age, year (range)".into(), median_range(&ages, 0)]);
    t.push(0, vec!["Gender".into()]);
    t.push(1, vec!["Men".into(), count_pct(count(&p, |r| r.sex == Some(Sex::Male)), n)]);
    t.push(1, vec!["Women".into(), count_pct(count(&p, |r| r.sex == Some(Sex::Female)), n)]);
    unknown_row(&mut t, count(&p, |r| r.sex.is_none()), n);
    t.push(0, vec!["Histology".into()]);
    histology_rows(&mut t, &p.iter().map(|r| r.histology.clone()).collect::<Vec<_>>(), true);
    if ages.len() < n {
        t.notes.push(format!("Age unknown for {} patient(s).", n - ages.len()));
    }
    t
}

/// Table 2: lesion and treatment characteristics.
pub fn table2(rows: &[AnalysisRow], study: &Study) -> Table {
    let n = rows.len();
    let mut t = Table::new("table2", "Table 2. Treatment characteristics", &["Variable", "Numbers"]);
    let pct = |k: usize| count_pct(k, n);
    t.push(0, vec!["Number of treated lesions".into(), n.to_string()]);
    t.push(0, vec!["Histology of lesions".into()]);
    histology_rows(&mut t, &rows.iter().map(|r| r.histology.clone()).collect::<Vec<_>>(), false);
    t.push(0, vec!["Spinal disease status".into()]);
    t.push(1, vec!["Primary".into(), pct(count(rows, |r| r.disease_status == Some(DiseaseStatus::Primary)))]);
    t.push(1, vec!["Metastasis".into(), pct(count(rows, |r| r.disease_status == Some(DiseaseStatus::Metastasis)))]);
    unknown_row(&mut t, count(rows, |r| r.disease_status.is_none()), n);
    t.push(0, vec!["Prior local therapy".into()]);
    t.push(1, vec!["Any surgery".into(), pct(count(rows, |r| r.prior_surgery == Some(true)))]);
    t.push(1, vec!["External beam radiotherapy".into(), pct(count(rows, |r| r.prior_rt == Some(true)))]);
    let unknown_surgery = count(rows, |r| r.prior_surgery.is_none());
    let unknown_rt = count(rows, |r| r.prior_rt.is_none());
    if unknown_surgery + unknown_rt > 0 {
        t.push(1, vec!["Surgery unknown".into(), pct(unknown_surgery)]);
        t.push(1, vec!["Radiotherapy unknown".into(), pct(unknown_rt)]);
    }
    t.push(0, vec!["Site of lesions".into()]);
    for region in crate::cohort::vertebra::Region::ALL {
        let name = region.name();
        let label = name[..1].to_uppercase() + &name[1..];
        t.push(1, vec![label, pct(count(rows, |r| r.site == Some(region)))]);
    }
    unknown_row(&mut t, count(rows, |r| r.site.is_none()), n);
    t.push(0, vec!["Treated vertebral level".into()]);
    t.push(1, vec!["Single".into(), pct(count(rows, |r| r.n_levels == Some(1)))]);
    t.push(1, vec!["2–3".into(), pct(count(rows, |r| matches!(r.n_levels, Some(2..=3))))]);
    let four = count(rows, |r| r.n_levels.is_some_and(|k| k >= 4));
    if four > 0 {
        t.push(1, vec!["≥4".into(), pct(four)]);
    }
    unknown_row(&mut t, count(rows, |r| r.n_levels.is_none()), n);
    t.push(0, vec!["Extent of disease at the time of treatment".into()]);
    for (e, label) in [
        (Extent::SolitarySpine, "Solitary spine involvement"),
        (Extent::MultipleBone, "Multiple bone metastases"),
        (Extent::Visceral, "Visceral metastases"),
    ] {
        t.push(1, vec![label.into(), pct(count(rows, |r| r.extent == Some(e)))]);
    }
    unknown_row(&mut t, count(rows, |r| r.extent.is_none()), n);
    let doses: Vec<f64> = rows.iter().filter_map(|r| r.prescription.map(|p| p.dose_gy)).collect();
    t.push(0, vec!["Median dose, Gy (range)".into(), median_range(&doses, 0)]);
    let beds: Vec<f64> = rows.iter().filter_map(|r| r.prescription.map(|p| p.bed(study.alpha_beta))).collect();
    t.push(0, vec![format!("Median BED, Gy{} (range)", subscript(study.alpha_beta)), median_range(&beds, 0)]);
    t.push(0, vec!["Fractionation".into()]);
    t.push(1, vec!["Single".into(), pct(count(rows, |r| r.prescription.is_some_and(|p| p.fractions == 1)))]);
    t.push(
        1,
        vec!["2–5 fx".into(), pct(count(rows, |r| r.prescription.is_some_and(|p| (2..=5).contains(&p.fractions))))],
    );
    let more = count(rows, |r| r.prescription.is_some_and(|p| p.fractions > 5));
    if more > 0 {
        t.push(1, vec![">5 fx".into(), pct(more)]);
    }
    unknown_row(&mut t, count(rows, |r| r.prescription.is_none()), n);
    let ptv: Vec<f64> = rows.iter().filter_map(|r| r.ptv_cc).collect();
    t.push(0, vec!["Median PTV, cc (range)".into(), median_range(&ptv, 1)]);
    let cov: Vec<f64> = rows.iter().filter_map(|r| r.ptv_coverage_pct).collect();
    t.push(0, vec!["Median PTV coverage, % (range)".into(), median_range(&cov, 1)]);
    t.notes.push(format!(
        "BED biologically effective dose (α/β = {} Gy); PTV planning target volume.",
        fmt_num(study.alpha_beta)
    ));
    t
}

fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v}")
    }
}

/// α/β as a subscript, e.g. ₅ or ₁₀.
fn subscript(v: f64) -> String {
    fmt_num(v)
        .chars()
        .map(|c| c.to_digit(10).map_or(c, |d| char::from_u32(0x2080 + d).expect("subscript digit")))
        .collect()
}

/// "1-year" for 12 months, "18-month" otherwise.
pub fn landmark_name(months: f64) -> String {
    if months % 12.0 == 0.0 {
        format!("{}-year", months / 12.0)
    } else {
        format!("{}-month", fmt_num(months))
    }
}

fn rate_ci(surv: Option<f64>, lower: Option<f64>, upper: Option<f64>, level: f64) -> String {
    match surv {
        None => "not estimable (follow-up too short)".into(),
        Some(_) => format!("{}% ({:.0}% CI {}–{})", percent(surv), level * 100.0, percent(lower), percent(upper)),
    }
}

/// The outcome summary: follow-up, landmark rates, recurrence pattern, VCF.
pub fn outcomes(rows: &[AnalysisRow], results: &Results, study: &Study) -> Table {
    let mut t = Table::new("outcomes", "Outcomes", &["Outcome", "Value"]);
    let fu = &results.follow_up;
    t.push(
        0,
        vec![
            "Median follow-up from first SBRT, months (range)".into(),
            format!("{} ({}–{})", fixed(fu.median, 1), fixed(fu.min, 1), fixed(fu.max, 1)),
        ],
    );
    let curve_rows = |t: &mut Table, heading: String, c: &super::survival::Curve| {
        t.push(0, vec![heading]);
        for l in &c.landmarks {
            t.push(1, vec![landmark_name(l.time), rate_ci(l.surv, l.lower, l.upper, study.conf_level)]);
        }
        let m = c.median;
        let median = match m.estimate {
            None => "not reached".into(),
            Some(e) => format!(
                "{e:.1} months ({:.0}% CI {}–{})",
                study.conf_level * 100.0,
                fixed(m.lower, 1),
                m.upper.map_or("not reached".into(), |u| format!("{u:.1}"))
            ),
        };
        t.push(1, vec!["Median".into(), median]);
    };
    let mut lesion_level_patient_events = false;
    for ep in &results.endpoints {
        let unit = match (ep.per_patient.is_some(), ep.origin) {
            (true, Origin::FirstSbrt) => {
                lesion_level_patient_events = true;
                "lesion-level*".to_string()
            }
            (true, Origin::LesionSbrt) => "lesion-level, from each lesion's SBRT".to_string(),
            (false, _) => format!("{}-level", ep.unit),
        };
        curve_rows(
            &mut t,
            format!("{} ({unit}, n = {}, events = {})", ep.label, ep.overall.n, ep.overall.events),
            &ep.overall,
        );
        if let Some(p) = &ep.per_patient {
            curve_rows(
                &mut t,
                format!("{} (per patient, from first SBRT, n = {}, events = {})", ep.label, p.n, p.events),
                p,
            );
        }
    }
    let n = rows.len();
    let pattern = |p: RecurrencePattern| count(rows, |r| r.recurrence == p);
    let any = n - pattern(RecurrencePattern::None);
    t.push(0, vec!["Locoregional recurrence (lesions)".into(), count_pct(any, n)]);
    t.push(1, vec!["Local only".into(), pattern(RecurrencePattern::LocalOnly).to_string()]);
    t.push(1, vec!["Local and adjacent".into(), pattern(RecurrencePattern::LocalAndAdjacent).to_string()]);
    t.push(1, vec!["Adjacent only".into(), pattern(RecurrencePattern::AdjacentOnly).to_string()]);
    let vcf_lesions = count(rows, |r| r.vcf.event);
    let vcf_patients: std::collections::HashSet<usize> =
        rows.iter().filter(|r| r.vcf.event).map(|r| r.patient).collect();
    t.push(
        0,
        vec![
            "Vertebral compression fracture".into(),
            format!(
                "{vcf_lesions} lesions in {}",
                count_pct(vcf_patients.len(), results.n_patients).replacen(' ', " patients ", 1)
            ),
        ],
    );
    t.notes
        .push("Follow-up is the median of the time from each patient's first SBRT to death or last follow-up.".into());
    let before = count(rows, |r| r.pfs_event_before_treatment);
    let pfs_from_lesion =
        results.endpoints.iter().any(|e| e.id == "pfs" && e.per_patient.is_some() && e.origin == Origin::LesionSbrt);
    if before > 0 && pfs_from_lesion {
        t.notes.push(format!(
            "{before} of {} lesions were treated after the patient had already progressed: from their own SBRT they have no PFS and are left out of it.",
            rows.len()
        ));
    } else if before > 0 {
        t.notes.push(format!(
            "{before} of {} lesions were treated after the patient had already progressed; their lesion-level PFS event precedes their own SBRT.",
            rows.len()
        ));
    }
    if lesion_level_patient_events {
        t.notes.push("* Lesion-level rows of a patient-level event (progression, death), as the paper's Table 4 analyses them: each lesion is followed from the patient's first SBRT and a patient's event counts once per lesion, so events exceed patients. The per-patient rows count each patient once and are the figures to compare with per-patient series.".into());
    }
    t
}

/// Labelled rows of cells, the label keying the row across endpoints.
type RowBlock = Vec<(String, Vec<String>)>;

/// The univariate and multivariable cells of one covariate for one endpoint, keyed by row.
fn endpoint_cells(u: &Univariate, model: &Model) -> RowBlock {
    let retained = model.retained.contains(&u.covariate);
    let term_p = model.term_tests.iter().find(|t| t.covariate == u.covariate).map(|t| t.p);
    let mut out = Vec::new();
    if u.levels.is_empty() {
        let term = model.terms.iter().find(|t| t.covariate == u.covariate);
        let (hr, ci, p) = match term.filter(|_| retained) {
            Some(t) => (fixed(t.hr, 3), format!("{}–{}", fixed(t.hr_lower, 3), fixed(t.hr_upper, 3)), p_value(term_p)),
            None => (String::new(), String::new(), String::new()),
        };
        out.push((u.label.clone(), vec!["–".into(), p_value(u.p), hr, ci, p]));
        return out;
    }
    out.push((u.label.clone(), vec![String::new(); 5]));
    for (k, level) in u.levels.iter().enumerate() {
        let p = if k == 0 { p_value(u.p) } else { String::new() };
        let mut cells = vec![percent(level.curve.first_rate()), p, String::new(), String::new(), String::new()];
        if retained {
            match model.terms.iter().find(|t| t.covariate == u.covariate && t.level.as_deref() == Some(&level.label)) {
                Some(t) => {
                    cells[2] = fixed(t.hr, 3);
                    cells[3] = format!("{}–{}", fixed(t.hr_lower, 3), fixed(t.hr_upper, 3));
                    // A two-level factor has one test, the term's (on the
                    // reference row); a per-level Wald p beside it would be
                    // a second, different p-value for the same hypothesis.
                    if u.levels.len() > 2 {
                        cells[4] = p_value(t.p);
                    }
                }
                None if model
                    .terms
                    .iter()
                    .any(|t| t.covariate == u.covariate && t.reference.as_deref() == Some(&level.label)) =>
                {
                    cells[2] = "1 (reference)".into();
                    cells[4] = p_value(term_p);
                }
                None => {}
            }
        }
        out.push((format!("  {}", level.label), cells));
    }
    out
}

fn univariate_table(id: &str, title: &str, endpoints: &[&EndpointResult], study: &Study) -> Table {
    let rate = format!("{} rate (%)", landmark_name(study.landmarks_months[0]));
    let mut columns = vec!["Variables".to_string()];
    for ep in endpoints {
        let prefix = if endpoints.len() > 1 { format!("{}: ", ep.label) } else { String::new() };
        for c in [
            rate.as_str(),
            "p-value (univariate)",
            "HR",
            &format!("{:.0}% CI", study.conf_level * 100.0),
            "p-value (multivariable)",
        ] {
            columns.push(format!("{prefix}{c}"));
        }
    }
    let col_refs: Vec<&str> = columns.iter().map(String::as_str).collect();
    let mut t = Table::new(id, title, &col_refs);
    // Rows in study covariate order over the union of the endpoints' covariates.
    for cov in &study.covariates {
        let blocks: Vec<Option<RowBlock>> = endpoints
            .iter()
            .map(|ep| ep.univariate.iter().find(|u| u.covariate == cov.id).map(|u| endpoint_cells(u, &ep.model)))
            .collect();
        if blocks.iter().all(Option::is_none) {
            continue;
        }
        let mut keys: Vec<String> = Vec::new();
        for b in blocks.iter().flatten() {
            for (k, _) in b {
                if !keys.contains(k) {
                    keys.push(k.clone());
                }
            }
        }
        for key in keys {
            let indent = if key.starts_with("  ") { 1 } else { 0 };
            let mut cells = vec![key.trim_start().to_string()];
            for b in &blocks {
                let found = b.as_ref().and_then(|b| b.iter().find(|(k, _)| *k == key)).map(|(_, c)| c.clone());
                cells.extend(found.unwrap_or_else(|| vec![String::new(); 5]));
            }
            t.push(indent, cells);
        }
    }
    for ep in endpoints {
        let m = &ep.model;
        let mut note = format!(
            "{}: univariate p from the log-rank test (categorical) or the Wald test of a Cox model (continuous); covariates with p < {} entered a Cox model reduced by backward elimination ({} test, terms kept at p < {}) on the {} {}s complete on all candidates ({} events). Multivariable p: the {} test of each term of the final model, on its reference row for a factor, with Wald tests of single levels for factors of more than two levels.",
            ep.label,
            study.selection.screen_p,
            m.test.replace('_', "-"),
            study.selection.retain_p,
            m.n,
            ep.unit,
            m.events,
            m.test.replace('_', "-"),
        );
        if m.candidates.is_empty() {
            note.push_str(" No covariate passed the screen.");
        } else if m.retained.is_empty() {
            note.push_str(" No covariate was retained.");
        }
        t.notes.push(note);
        for w in &m.warnings {
            t.notes.push(format!("{}: {w}", ep.label));
        }
    }
    t.notes.push(
        "HR hazard ratio, CI confidence interval, BED biologically effective dose, PTV planning target volume.".into(),
    );
    t
}

/// Table 5: published series and this cohort.
pub fn table5(rows: &[AnalysisRow], results: &Results) -> Table {
    let mut t = Table::new(
        "table5",
        "Table 5. Results of spine SBRT for sarcoma patients",
        &[
            "Study",
            "Time period",
            "Number of patients",
            "Number of lesions",
            "Predominant histology of lesions",
            "Dose fractionation",
            "Median follow-up",
            "Local control",
            "Overall survival",
        ],
    );
    for s in super::literature::PUBLISHED {
        t.push(0, s.iter().map(|c| c.to_string()).collect());
    }
    let n = rows.len();
    let mut hist: BTreeMap<String, usize> = BTreeMap::new();
    for h in rows.iter().filter_map(|r| r.histology.as_ref()) {
        *hist.entry(if h == "mpnst" { "MPNST".into() } else { histology_name(h) }).or_default() += 1;
    }
    let mut hist: Vec<(String, usize)> = hist.into_iter().collect();
    hist.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let predominant = hist
        .iter()
        .take(2)
        .map(|(h, k)| format!("{h} ({:.0}%)", 100.0 * *k as f64 / n as f64))
        .collect::<Vec<_>>()
        .join(", ");
    let rx: Vec<_> = rows.iter().filter_map(|r| r.prescription).collect();
    let doses: Vec<f64> = rx.iter().map(|p| p.dose_gy).collect();
    let fx: Vec<f64> = rx.iter().map(|p| p.fractions as f64).collect();
    let range = |v: &[f64]| {
        (v.iter().copied().fold(f64::INFINITY, f64::min), v.iter().copied().fold(f64::NEG_INFINITY, f64::max))
    };
    let dose = match (median(&doses), median(&fx)) {
        (Some(md), Some(mf)) => {
            let (d0, d1) = range(&doses);
            let (f0, f1) = range(&fx);
            format!(
                "Median {} Gy/{} fx (range, {}–{} Gy/{}–{} fx)",
                fmt_num(md),
                fmt_num(mf),
                fmt_num(d0),
                fmt_num(d1),
                fmt_num(f0),
                fmt_num(f1)
            )
        }
        _ => "–".into(),
    };
    // Published series report OS per patient: compare with the per-patient
    // curve where the endpoint is analysed per lesion.
    let rate = |id: &str| {
        results
            .endpoints
            .iter()
            .find(|e| e.id == id)
            .and_then(|e| e.per_patient.as_ref().unwrap_or(&e.overall).landmarks.first())
            .map_or("–".into(), |l| format!("{} {}%", landmark_name(l.time), percent(l.surv)))
    };
    t.push(
        0,
        vec![
            "This cohort".into(),
            "not shown (no dates in outputs)".into(),
            results.n_patients.to_string(),
            n.to_string(),
            predominant,
            dose,
            format!("{} months", fixed(results.follow_up.median, 1)),
            rate("lc"),
            rate("os"),
        ],
    );
    t.notes.push("This cohort: local control per lesion, overall survival per patient from the first SBRT.".into());
    t.notes.push("Published rows as reported in Kim et al. 2023, Table 5. MFH malignant fibrous histiocytoma, UPS undifferentiated pleomorphic sarcoma, MPNST malignant peripheral nerve sheath tumor.".into());
    t
}

/// Every table of the report, in order.
pub fn all(data: &AnalysisData, study: &Study, results: &Results) -> Vec<Table> {
    let rows = &data.rows;
    let mut tables = vec![table1(rows), table2(rows, study), outcomes(rows, results, study)];
    let by_id = |id: &str| results.endpoints.iter().find(|e| e.id == id);
    if let Some(lc) = by_id("lc") {
        tables.push(univariate_table(
            "table3",
            &format!("Table 3. Univariate and multivariable analyses of {}", lc.label.to_lowercase()),
            &[lc],
            study,
        ));
    }
    let survival: Vec<&EndpointResult> = ["pfs", "os"].iter().filter_map(|id| by_id(id)).collect();
    if !survival.is_empty() {
        let names = survival.iter().map(|e| e.label.to_lowercase()).collect::<Vec<_>>().join(" and ");
        tables.push(univariate_table(
            "table4",
            &format!("Table 4. Univariate and multivariable analyses of {names}"),
            &survival,
            study,
        ));
    }
    tables.push(table5(rows, results));
    tables
}
