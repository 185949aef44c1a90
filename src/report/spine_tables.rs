//! The tables of toxicity, vertebral compression fracture, pain response
//! and patterns of failure (the report's section after the paper's
//! analysis), one function each.

use super::format::{count_pct, fixed, landmark_name, level, limits, median_range, p_value, percent_interval};
use super::table::Table;
use crate::cohort::spine::Salvage;
use crate::event_rows::Phase;
use crate::results::spine_outcomes::{FailurePattern, FailurePatterns, PainCategory, PainResponse, Toxicity, Vcf};
use crate::results::Results;
use crate::study::Study;

fn toxicity(t: &Toxicity) -> Table {
    let mut out = Table::new(
        "toxicity",
        "Toxicity: patients by worst CTCAE v5.0 grade",
        &["Term", "Grade 1", "Grade 2", "Grade 3", "Grade 4", "Grade 5", "Grade ≥ 3"],
    );
    for phase in [Phase::Acute, Phase::Late] {
        let head = match phase {
            Phase::Acute => format!("Acute (≤ {} days after SBRT)", t.acute_days),
            Phase::Late => format!("Late (> {} days after SBRT)", t.acute_days),
        };
        out.push(
            0,
            vec![head, String::new(), String::new(), String::new(), String::new(), String::new(), String::new()],
        );
        for r in t.rows.iter().filter(|r| r.phase == phase) {
            let mut cells = vec![r.term.clone().unwrap_or_else(|| "Any".into())];
            cells.extend(r.by_worst_grade.iter().map(|&n| count_pct(n, t.n_patients)));
            cells.push(count_pct(r.grade_3_plus, t.n_patients));
            out.push(1, cells);
        }
    }
    out.notes.push(format!(
        "Patients (of {}) by the worst grade of each term; \"Any\" by the worst grade of any term. {} adverse events counted; {} attributed unrelated or unlikely to SBRT are not. Acute: up to {} days after the SBRT of the lesion the event belongs to (otherwise the patient's latest SBRT before it); late: after.",
        t.n_patients, t.events, t.not_related, t.acute_days
    ));
    out
}

fn vcf(v: &Vcf, study: &Study) -> Table {
    let lv = level(study.conf_level);
    let pv = study.p_values;
    let mut heads: Vec<String> = vec!["Group".into(), "Lesions".into(), "Fractures".into()];
    heads.extend(study.landmarks_months.iter().map(|&m| format!("{}, % ({lv} CI)", landmark_name(m))));
    heads.extend(["Gray's test p".into(), format!("Subdistribution HR ({lv} CI)"), "p".into()]);
    let refs: Vec<&str> = heads.iter().map(String::as_str).collect();
    let mut out =
        Table::new("vcf", "Vertebral compression fracture: cumulative incidence per lesion, death competing", &refs);
    let width = heads.len();
    let mut all = vec!["All lesions".to_string(), v.n_lesions.to_string(), v.fractures.to_string()];
    all.extend(v.landmarks.iter().map(|l| percent_interval(&l.cumulative_incidence)));
    all.resize(width, String::new());
    out.push(0, all);
    for f in &v.factors {
        let mut head =
            vec![if f.n_missing > 0 { format!("{} ({} not recorded)", f.label, f.n_missing) } else { f.label.clone() }];
        head.resize(width, String::new());
        out.push(0, head);
        for (k, l) in f.levels.iter().enumerate() {
            let mut cells = vec![l.label.clone(), l.n.to_string(), l.fractures.to_string()];
            cells.extend(l.landmarks.iter().map(|x| percent_interval(&x.cumulative_incidence)));
            cells.push(if k == 0 { p_value(f.gray_p, pv) } else { String::new() });
            match &l.shr {
                None if k == 0 => cells.extend(["1 (reference)".into(), String::new()]),
                None if f.shr_not_estimable => cells.extend(["not estimable".into(), String::new()]),
                None => cells.extend(["–".into(), String::new()]),
                Some(i) => cells.extend([format!("{} ({})", fixed(i.estimate, 3), limits(i)), p_value(l.shr_p, pv)]),
            }
            out.push(1, cells);
        }
    }
    if v.factors.iter().any(|f| f.shr_not_estimable) {
        out.notes.push(
            "Not estimable: a group without a fracture makes the subdistribution hazard ratio 0 or infinite, so no Fine-Gray model is fitted for that factor (Gray's test stands).".into(),
        );
    }
    out.notes.push(format!(
        "Fractures at the treated levels after SBRT: {} de novo, {} progression of a fracture present before SBRT, {} with that unrecorded; {} lesions' patients died before any fracture (the competing event). Cumulative incidence by Aalen-Johansen with Gray's variance (R cmprsk::cuminc); Gray's test across the groups; subdistribution hazard ratio of a univariate Fine-Gray model (R cmprsk::crr).",
        v.de_novo,
        v.progression_of_existing,
        v.fractures - v.de_novo - v.progression_of_existing,
        v.deaths_without_fracture
    ));
    out
}

fn pain_response(p: &PainResponse) -> Table {
    let assessed: usize = p.categories.iter().map(|c| c.1).sum();
    let mut out = Table::new(
        "pain_response",
        &format!(
            "Pain response at {} months (international consensus criteria)",
            super::format::plain_number(p.months)
        ),
        &["Response", "Lesions (% of assessed)"],
    );
    for (c, n) in &p.categories {
        let name = match c {
            PainCategory::Complete => "Complete response",
            PainCategory::Partial => "Partial response",
            PainCategory::Indeterminate => "Indeterminate response",
            PainCategory::Progression => "Pain progression",
        };
        out.push(0, vec![name.into(), count_pct(*n, assessed)]);
    }
    let overall: usize = p
        .categories
        .iter()
        .filter(|c| matches!(c.0, PainCategory::Complete | PainCategory::Partial))
        .map(|c| c.1)
        .sum();
    out.push(0, vec!["Overall response (complete + partial)".into(), count_pct(overall, assessed)]);
    out.notes.push(format!(
        "Chow et al., Int J Radiat Oncol Biol Phys 2012;82:1730. Evaluable: {} lesions with baseline pain ≥ 2 ({} below 2 and {} without a baseline score are not); {} of them assessed within {} months of the time point (the assessment closest to it), {} not assessed. Opioids as daily oral morphine equivalent; for {} assessed lesions a missing dose left the pain criteria to decide.",
        p.evaluable,
        p.baseline_below_2,
        p.no_baseline,
        assessed,
        super::format::plain_number(p.window_months),
        p.not_assessed,
        p.analgesics_unknown
    ));
    out
}

fn failure_patterns(f: &FailurePatterns) -> Table {
    let mut heads: Vec<String> = vec!["Pattern".into(), "Failures".into(), "Months to failure, median (range)".into()];
    heads.extend(
        Salvage::ALL
            .iter()
            .map(|s| format!("Salvage: {}", s.code().replace("_and_", " and ").replace('_', " ")))
            .chain(["Salvage: not recorded".to_string()]),
    );
    let refs: Vec<&str> = heads.iter().map(String::as_str).collect();
    let mut out = Table::new("failure_patterns", "Patterns of failure", &refs);
    for r in &f.rows {
        let name = match r.pattern {
            FailurePattern::InField => "Local, in-field",
            FailurePattern::Marginal => "Local, marginal",
            FailurePattern::LocalSiteUnknown => "Local, site not recorded",
            FailurePattern::AdjacentLevel => "Adjacent level",
            FailurePattern::DistantSpine => "Distant spine (patients)",
        };
        let mut cells = vec![name.to_string(), count_pct(r.failures, r.of), median_range(&r.months, 1)];
        cells.extend(r.salvage.iter().map(usize::to_string));
        cells.resize(heads.len(), String::new());
        out.push(0, cells);
    }
    out.notes.push(format!(
        "Percent of lesions (of patients for distant spine). Local failures from the lesion's SBRT, distant spinal failures from the patient's first SBRT. {} lesions failed both locally and at an adjacent level and appear in both rows; their salvage is counted on the local row. In-field: within the high-dose volume; marginal: at the target's edge (Bishop et al., J Neurosurg Spine 2017;27:303).",
        f.local_and_adjacent
    ));
    out
}

/// The section's tables, for those of its analyses that were made.
pub fn all(results: &Results, study: &Study) -> Vec<Table> {
    let mut out = Vec::new();
    if let Some(t) = &results.toxicity {
        out.push(toxicity(t));
    }
    if let Some(v) = &results.vcf {
        out.push(vcf(v, study));
    }
    if let Some(p) = &results.pain_response {
        out.push(pain_response(p));
    }
    if let Some(f) = &results.failure_patterns {
        out.push(failure_patterns(f));
    }
    out
}

/// Whether a table belongs to this section.
pub fn is_spine_table(id: &str) -> bool {
    matches!(id, "toxicity" | "vcf" | "pain_response" | "failure_patterns")
}
