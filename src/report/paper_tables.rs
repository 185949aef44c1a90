//! The paper's tables from the results: Table 1 (patients), Table 2
//! (lesions and treatment), the outcome summary, Table 3 (local control),
//! Table 4 (PFS and OS) and Table 5 (published series and this cohort).

use super::format::{
    count_pct, fixed, landmark_name, level, limits, median_range, p_value, percent, plain_number, subscript,
};
use super::table::Table;
use crate::cohort::histology;
use crate::cohort::Extent;
use crate::results::descriptive::{Bands, Count, Histologies, HistologyGroup};
use crate::results::{Curve, EndpointResult, Model, Results, Univariate};
use crate::study::{EndpointId, Origin, PValues, Study, Unit};

/// An "Unknown" row for the `unknown` of `n` without a value, when there are any,
/// so that a block's percentages add up to 100.
fn unknown_row(t: &mut Table, unknown: usize, n: usize) {
    if unknown > 0 {
        t.push(1, vec!["Unknown".into(), count_pct(unknown, n)]);
    }
}

/// A histology's name as tables print it.
fn histology_name(h: &str) -> String {
    histology::by_name(h).map_or_else(|| h.to_string(), |e| e.display.to_string())
}

fn group_name(g: HistologyGroup) -> &'static str {
    match g {
        HistologyGroup::Osteosarcoma => "Osteosarcoma",
        HistologyGroup::Chondrosarcoma => "Chondrosarcoma",
        HistologyGroup::EwingSarcoma => "Ewing's sarcoma",
        HistologyGroup::OtherBone => "Other bone sarcoma",
        HistologyGroup::SoftTissue => "Soft tissue sarcoma",
    }
}

/// Rows for a histology block of `n` rows: the groups ("Other bone
/// sarcoma" only when present), soft-tissue subtypes beneath (`with_subtypes`).
fn histology_rows(t: &mut Table, h: &Histologies, n: usize, with_subtypes: bool) {
    for (g, entities) in h.groups.iter().zip(&h.entities) {
        if g.value == HistologyGroup::OtherBone && g.n == 0 {
            continue;
        }
        t.push(1, vec![group_name(g.value).into(), count_pct(g.n, n)]);
        if with_subtypes && g.value == HistologyGroup::SoftTissue {
            let mut sub: Vec<(String, usize)> = entities.iter().map(|c| (histology_name(&c.value), c.n)).collect();
            sub.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            for (name, k) in sub {
                t.push(2, vec![name, count_pct(k, n)]);
            }
        }
    }
    unknown_row(t, h.unknown, n);
}

/// Rows for a banded count: single, the middle band, above it when any, unknown.
fn band_rows(t: &mut Table, b: &Bands, n: usize, [middle, above]: [&str; 2]) {
    t.push(1, vec!["Single".into(), count_pct(b.single, n)]);
    t.push(1, vec![middle.into(), count_pct(b.middle, n)]);
    if b.above > 0 {
        t.push(1, vec![above.into(), count_pct(b.above, n)]);
    }
    unknown_row(t, b.unknown, n);
}

/// Table 1: patient characteristics.
pub fn table1(results: &Results) -> Table {
    let p = &results.descriptives.patients;
    let n = p.n;
    let mut t = Table::new("table1", "Table 1. Patient characteristics", &["Variable", "Numbers"]);
    t.push(0, vec!["Number of patients".into(), n.to_string()]);
    t.push(0, vec!["Median age, year (range)".into(), median_range(&p.age, 0)]);
    t.push(0, vec!["Gender".into()]);
    t.push(1, vec!["Men".into(), count_pct(p.men, n)]);
    t.push(1, vec!["Women".into(), count_pct(p.women, n)]);
    unknown_row(&mut t, p.sex_unknown, n);
    t.push(0, vec!["Histology".into()]);
    histology_rows(&mut t, &p.histology, n, true);
    if p.n_age < n {
        t.notes.push(format!("Age unknown for {} patient(s).", n - p.n_age));
    }
    t
}

fn extent_label(e: Extent) -> &'static str {
    match e {
        Extent::SolitarySpine => "Solitary spine involvement",
        Extent::MultipleBone => "Multiple bone metastases",
        Extent::Visceral => "Visceral metastases",
    }
}

/// Table 2: lesion and treatment characteristics.
pub fn table2(results: &Results, study: &Study) -> Table {
    let l = &results.descriptives.lesions;
    let n = l.n;
    let pct = |k: usize| count_pct(k, n);
    let mut t = Table::new("table2", "Table 2. Treatment characteristics", &["Variable", "Numbers"]);
    t.push(0, vec!["Number of treated lesions".into(), n.to_string()]);
    t.push(0, vec!["Histology of lesions".into()]);
    histology_rows(&mut t, &l.histology, n, false);
    t.push(0, vec!["Spinal disease status".into()]);
    t.push(1, vec!["Primary".into(), pct(l.primary)]);
    t.push(1, vec!["Metastasis".into(), pct(l.metastasis)]);
    unknown_row(&mut t, l.status_unknown, n);
    t.push(0, vec!["Prior local therapy".into()]);
    t.push(1, vec!["Any surgery".into(), pct(l.prior_surgery.yes)]);
    t.push(1, vec!["External beam radiotherapy".into(), pct(l.prior_rt.yes)]);
    if l.prior_surgery.unknown + l.prior_rt.unknown > 0 {
        t.push(1, vec!["Surgery unknown".into(), pct(l.prior_surgery.unknown)]);
        t.push(1, vec!["Radiotherapy unknown".into(), pct(l.prior_rt.unknown)]);
    }
    t.push(0, vec!["Site of lesions".into()]);
    for Count { value, n: k } in &l.sites {
        let name = value.name();
        t.push(1, vec![name[..1].to_uppercase() + &name[1..], pct(*k)]);
    }
    unknown_row(&mut t, l.site_unknown, n);
    t.push(0, vec!["Treated vertebral level".into()]);
    band_rows(&mut t, &l.levels, n, ["2–3", "≥4"]);
    t.push(0, vec!["Extent of disease at the time of treatment".into()]);
    for Count { value, n: k } in &l.extent {
        t.push(1, vec![extent_label(*value).into(), pct(*k)]);
    }
    unknown_row(&mut t, l.extent_unknown, n);
    t.push(0, vec!["Median dose, Gy (range)".into(), median_range(&l.dose_gy, 0)]);
    t.push(0, vec![format!("Median BED, Gy{} (range)", subscript(study.alpha_beta)), median_range(&l.bed, 0)]);
    t.push(0, vec!["Fractionation".into()]);
    band_rows(&mut t, &l.fractionation, n, ["2–5 fx", ">5 fx"]);
    t.push(0, vec!["Median PTV, cc (range)".into(), median_range(&l.ptv_cc, 1)]);
    t.push(0, vec!["Median PTV coverage, % (range)".into(), median_range(&l.ptv_coverage_pct, 1)]);
    t.notes.push(format!(
        "BED biologically effective dose (α/β = {} Gy); PTV planning target volume.",
        plain_number(study.alpha_beta)
    ));
    t
}

fn rate_ci(surv: Option<f64>, lower: Option<f64>, upper: Option<f64>, conf_level: f64) -> String {
    match surv {
        None => "not estimable (follow-up too short)".into(),
        Some(_) => format!("{}% ({} CI {}–{})", percent(surv), level(conf_level), percent(lower), percent(upper)),
    }
}

/// A curve's block of the outcome summary: a heading, the landmark rates, the median.
fn curve_rows(t: &mut Table, heading: String, c: &Curve, conf_level: f64) {
    t.push(0, vec![heading]);
    for l in &c.landmarks {
        t.push(1, vec![landmark_name(l.time), rate_ci(l.surv, l.lower, l.upper, conf_level)]);
    }
    let m = c.median;
    let median = match m.estimate {
        None => "not reached".into(),
        Some(e) => format!(
            "{e:.1} months ({} CI {}–{})",
            level(conf_level),
            fixed(m.lower, 1),
            m.upper.map_or("not reached".into(), |u| format!("{u:.1}"))
        ),
    };
    t.push(1, vec!["Median".into(), median]);
}

/// The outcome summary: follow-up, landmark rates, recurrence pattern, VCF.
pub fn outcomes(results: &Results, study: &Study) -> Table {
    let mut t = Table::new("outcomes", "Outcomes", &["Outcome", "Value"]);
    let fu = &results.follow_up;
    t.push(
        0,
        vec![
            "Median follow-up from first SBRT, months (range)".into(),
            format!("{} ({}–{})", fixed(fu.median, 1), fixed(fu.min, 1), fixed(fu.max, 1)),
        ],
    );
    let mut lesion_level_patient_events = false;
    for ep in &results.endpoints {
        let unit = match (ep.per_patient.is_some(), ep.origin, ep.unit) {
            (true, Origin::FirstSbrt, _) => {
                lesion_level_patient_events = true;
                "lesion-level*"
            }
            (true, Origin::LesionSbrt, _) => "lesion-level, from each lesion's SBRT",
            (false, _, Unit::Lesion) => "lesion-level",
            (false, _, Unit::Patient) => "patient-level",
        };
        let from =
            ep.landmark_months.map_or(String::new(), |l| format!(", from the {}-month landmark", plain_number(l)));
        let heading = format!("{} ({unit}{from}, n = {}, events = {})", ep.label, ep.overall.n, ep.overall.events);
        curve_rows(&mut t, heading, &ep.overall, study.conf_level);
        if let Some(p) = &ep.per_patient {
            let heading = format!("{} (per patient, from first SBRT, n = {}, events = {})", ep.label, p.n, p.events);
            curve_rows(&mut t, heading, p, study.conf_level);
        }
    }
    let n = results.n_lesions;
    let o = &results.descriptives.outcomes;
    let any = o.local_only + o.local_and_adjacent + o.adjacent_only;
    t.push(0, vec!["Locoregional recurrence (lesions)".into(), count_pct(any, n)]);
    t.push(1, vec!["Local only".into(), o.local_only.to_string()]);
    t.push(1, vec!["Local and adjacent".into(), o.local_and_adjacent.to_string()]);
    t.push(1, vec!["Adjacent only".into(), o.adjacent_only.to_string()]);
    t.push(
        0,
        vec![
            "Vertebral compression fracture".into(),
            format!(
                "{} lesions in {}",
                o.vcf_lesions,
                count_pct(o.vcf_patients, results.n_patients).replacen(' ', " patients ", 1)
            ),
        ],
    );
    t.notes
        .push("Follow-up is the median of the time from each patient's first SBRT to death or last follow-up.".into());
    let before = o.treated_after_progression;
    let pfs_from_lesion =
        results.endpoint(EndpointId::Pfs).is_some_and(|e| e.per_patient.is_some() && e.origin == Origin::LesionSbrt);
    if before > 0 && pfs_from_lesion {
        t.notes.push(format!(
            "{before} of {n} lesions were treated after the patient had already progressed: from their own SBRT they have no PFS and are left out of it."
        ));
    } else if before > 0 {
        t.notes.push(format!(
            "{before} of {n} lesions were treated after the patient had already progressed; their lesion-level PFS event precedes their own SBRT."
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
fn endpoint_cells(u: &Univariate, model: &Model, pv: PValues) -> RowBlock {
    let retained = model.retained.contains(&u.covariate);
    let term_p = model.term_tests.iter().find(|t| t.covariate == u.covariate).map(|t| t.p);
    let mut out = Vec::new();
    if u.levels.is_empty() {
        let term = model.terms.iter().find(|t| t.covariate == u.covariate);
        let (hr, ci, p) = match term.filter(|_| retained) {
            Some(t) => (fixed(t.hr.estimate, 3), limits(&t.hr), p_value(term_p, pv)),
            None => (String::new(), String::new(), String::new()),
        };
        out.push((u.label.clone(), vec!["–".into(), p_value(u.p, pv), hr, ci, p]));
        return out;
    }
    out.push((u.label.clone(), vec![String::new(); 5]));
    for (k, lv) in u.levels.iter().enumerate() {
        let p = if k == 0 { p_value(u.p, pv) } else { String::new() };
        let mut cells = vec![percent(lv.curve.first_rate()), p, String::new(), String::new(), String::new()];
        if retained {
            match model.terms.iter().find(|t| t.covariate == u.covariate && t.level.as_deref() == Some(&lv.label)) {
                Some(t) => {
                    cells[2] = fixed(t.hr.estimate, 3);
                    cells[3] = limits(&t.hr);
                    // A two-level factor has one test, the term's (on the
                    // reference row); a per-level Wald p beside it would be
                    // a second, different p-value for the same hypothesis.
                    if u.levels.len() > 2 {
                        cells[4] = p_value(t.p, pv);
                    }
                }
                None if model
                    .terms
                    .iter()
                    .any(|t| t.covariate == u.covariate && t.reference.as_deref() == Some(&lv.label)) =>
                {
                    cells[2] = "1 (reference)".into();
                    cells[4] = p_value(term_p, pv);
                }
                None => {}
            }
        }
        out.push((format!("  {}", lv.label), cells));
    }
    out
}

/// The test of a selection in words (`likelihood-ratio`, `Wald`).
fn selection_test_name(m: &Model) -> &'static str {
    match m.test {
        crate::study::SelectionTest::LikelihoodRatio => "likelihood-ratio",
        crate::study::SelectionTest::Wald => "wald",
    }
}

fn univariate_table(id: &str, title: &str, endpoints: &[&EndpointResult], study: &Study) -> Table {
    let rate = format!("{} rate (%)", landmark_name(study.landmarks_months[0]));
    let ci = format!("{} CI", level(study.conf_level));
    let mut columns = vec!["Variables".to_string()];
    let mut heads = vec!["Variables".to_string()];
    let mut endpoint_row = vec![(String::new(), 1)];
    let mut analysis_row = vec![(String::new(), 1)];
    for ep in endpoints {
        let prefix = if endpoints.len() > 1 { format!("{}: ", ep.label) } else { String::new() };
        for c in [rate.as_str(), "p-value (univariate)", "HR", &ci, "p-value (multivariable)"] {
            columns.push(format!("{prefix}{c}"));
        }
        heads.extend([rate.as_str(), "p-value", "HR", &ci, "p-value"].map(String::from));
        endpoint_row.push((ep.label.clone(), 5));
        analysis_row.extend([("Univariate".to_string(), 2), ("Multivariable".to_string(), 3)]);
    }
    let groups = if endpoints.len() > 1 { vec![endpoint_row, analysis_row] } else { vec![analysis_row] };
    let col_refs: Vec<&str> = columns.iter().map(String::as_str).collect();
    let mut t = Table::new(id, title, &col_refs).with_groups(groups, heads);
    // Rows in study covariate order over the union of the endpoints' covariates.
    for cov in &study.covariates {
        let blocks: Vec<Option<RowBlock>> = endpoints
            .iter()
            .map(|ep| {
                ep.univariate
                    .iter()
                    .find(|u| u.covariate == cov.id)
                    .map(|u| endpoint_cells(u, &ep.model, study.p_values))
            })
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
        let test = selection_test_name(m);
        let unit = match ep.unit {
            Unit::Lesion => "lesion",
            Unit::Patient => "patient",
        };
        let mut note = format!(
            "{}: univariate p from the log-rank test (categorical) or the Wald test of a Cox model (continuous); covariates with p < {} entered a Cox model reduced by backward elimination ({test} test, terms kept at p < {}) on the {} {unit}s complete on all candidates ({} events). Multivariable p: the {test} test of each term of the final model, on its reference row for a factor, with Wald tests of single levels for factors of more than two levels.",
            ep.label, study.selection.screen_p, study.selection.retain_p, m.n, m.events,
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

/// This cohort's two most frequent lesion histologies, as `Name (57%)`.
fn predominant_histologies(h: &Histologies, n: usize) -> String {
    let mut all: Vec<(String, usize)> = h
        .entities
        .iter()
        .flatten()
        .map(|c| (if c.value == "mpnst" { "MPNST".into() } else { histology_name(&c.value) }, c.n))
        .collect();
    all.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    all.iter()
        .take(2)
        .map(|(h, k)| format!("{h} ({:.0}%)", 100.0 * *k as f64 / n as f64))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Table 5: published series and this cohort.
pub fn table5(results: &Results) -> Table {
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
    let l = &results.descriptives.lesions;
    let (d, f) = (&l.dose_gy, &l.fractions);
    let dose = match (d.median, d.min, d.max, f.median, f.min, f.max) {
        (Some(md), Some(d0), Some(d1), Some(mf), Some(f0), Some(f1)) => format!(
            "Median {} Gy/{} fx (range, {}–{} Gy/{}–{} fx)",
            plain_number(md),
            plain_number(mf),
            plain_number(d0),
            plain_number(d1),
            plain_number(f0),
            plain_number(f1)
        ),
        _ => "–".into(),
    };
    // Published series report OS per patient: compare with the per-patient
    // curve where the endpoint is analysed per lesion.
    let rate = |id: EndpointId| {
        results
            .endpoint(id)
            .and_then(|e| e.per_patient.as_ref().unwrap_or(&e.overall).landmarks.first())
            .map_or("–".into(), |l| format!("{} {}%", landmark_name(l.time), percent(l.surv)))
    };
    t.push(
        0,
        vec![
            "This cohort".into(),
            "not shown (no dates in outputs)".into(),
            results.n_patients.to_string(),
            l.n.to_string(),
            predominant_histologies(&l.histology, l.n),
            dose,
            format!("{} months", fixed(results.follow_up.median, 1)),
            rate(EndpointId::Lc),
            rate(EndpointId::Os),
        ],
    );
    t.notes.push("This cohort: local control per lesion, overall survival per patient from the first SBRT.".into());
    t.notes.push("Published rows as reported in Kim et al. 2023, Table 5. MFH malignant fibrous histiocytoma, UPS undifferentiated pleomorphic sarcoma, MPNST malignant peripheral nerve sheath tumor.".into());
    t
}

/// The paper's tables, in order.
pub fn all(results: &Results, study: &Study) -> Vec<Table> {
    let mut tables = vec![table1(results), table2(results, study), outcomes(results, study)];
    if let Some(lc) = results.endpoint(EndpointId::Lc) {
        tables.push(univariate_table(
            "table3",
            &format!("Table 3. Univariate and multivariable analyses of {}", lc.label.to_lowercase()),
            &[lc],
            study,
        ));
    }
    let survival: Vec<&EndpointResult> =
        [EndpointId::Pfs, EndpointId::Os].into_iter().filter_map(|id| results.endpoint(id)).collect();
    if !survival.is_empty() {
        let names = survival.iter().map(|e| e.label.to_lowercase()).collect::<Vec<_>>().join(" and ");
        tables.push(univariate_table(
            "table4",
            &format!("Table 4. Univariate and multivariable analyses of {names}"),
            &survival,
            study,
        ));
    }
    tables.push(table5(results));
    tables
}
