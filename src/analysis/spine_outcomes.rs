//! The sections every spine SBRT paper reports besides survival (study
//! `[spine_outcomes]`), computed from the derived rows and events:
//!
//! * **Toxicity**: for each CTCAE term, the patients by their worst grade
//!   of that term, in the acute window (≤ `acute_days` after SBRT) and
//!   late; a row "any" by each patient's worst grade of any term. Events
//!   attributed unrelated or unlikely are not counted (and are counted as
//!   such). The denominator is every patient of the cohort.
//! * **VCF**: per lesion from its SBRT, death without a fracture the
//!   competing event; the Aalen-Johansen cumulative incidence (R
//!   `cmprsk::cuminc`) at the study's landmarks, overall and by SINS group
//!   and by a fracture before SBRT, with Gray's test (`cuminc`'s) and the
//!   univariate Fine-Gray subdistribution hazard ratio (`cmprsk::crr`).
//! * **Pain response** (Chow et al., Int J Radiat Oncol Biol Phys
//!   2012;82:1730, the international consensus): lesions with baseline pain
//!   ≥ 2 are evaluable; the assessment closest to the time point within the
//!   window is classified against the baseline pain and oral morphine
//!   equivalent (OME): complete (pain 0, no OME increase), partial (pain
//!   down ≥ 2 without OME increase, or OME down ≥ 25 % without pain
//!   increase), progression (pain up ≥ 2 without OME increase, or OME up
//!   ≥ 25 % with pain stable or up 1), otherwise indeterminate. Where an
//!   OME is missing at baseline or at the visit, the analgesic criteria
//!   cannot be read: the pain criteria decide, and such lesions are counted.
//! * **Patterns of failure** (Bishop et al. 2017; Leeman et al. 2016):
//!   local failures in-field, marginal or of unrecorded site; adjacent-level
//!   failures; distant spinal failures per patient; months to failure and
//!   the salvage treatment of each lesion's failure (counted on its local
//!   row when it has one, else on its adjacent row).

use super::selection::{model_matrix, Candidate};
use super::survival::incidence_curve;
use super::variables::Variable;
use super::AnalysisData;
use crate::cohort::schema::Field;
use crate::cohort::spine::Salvage;
use crate::cohort::Cohort;
use crate::endpoints::AnalysisRow;
use crate::event_rows::{derive as derive_events, DerivedEvents, Phase, ToxicityRow as Event};
use crate::results::spine_outcomes::*;
use crate::results::FigureResult;
use crate::study::{EndpointId, Study};
use crate::summary::Summary;
use std::collections::{BTreeMap, HashMap};
use survstat::competing::{gray_test, CumulativeIncidence};
use survstat::finegray::fine_gray;
use survstat::Interval;

/// What the section needs of the cohort itself, taken before the analysis
/// lets the cohort go: its events as rows, and which columns it has.
pub struct CohortEvents {
    derived: Option<DerivedEvents>,
    fields: Vec<Field>,
}

impl CohortEvents {
    /// The events of `cohort` derived as the study asks, and its columns.
    pub fn of(cohort: &Cohort, study: &Study) -> CohortEvents {
        let acute_days = study.spine_outcomes.acute_days;
        let derived = cohort.events.as_ref().map(|e| derive_events(cohort, e, acute_days));
        CohortEvents { derived, fields: cohort.fields.clone() }
    }

    fn has(&self, field: Field) -> bool {
        self.fields.contains(&field)
    }
}

/// Compute the section from the cohort's events and the analysis rows as
/// the study asks.
pub fn compute(cohort_events: &CohortEvents, data: &AnalysisData, study: &Study) -> SpineOutcomesResult {
    let so = &study.spine_outcomes;
    let mut out = SpineOutcomesResult::default();
    let derived = &cohort_events.derived;
    let n_patients = data.rows.iter().map(|r| r.patient).max().unwrap_or(0);
    if so.toxicity {
        match derived {
            Some(d) => out.toxicity = Some(toxicity(&d.toxicity, n_patients, so.acute_days)),
            None => out.skipped.push(
                "toxicity: no events table was given (--events, or an `events` sheet): the toxicity table is not made"
                    .into(),
            ),
        }
    }
    if so.vcf {
        let fracture_events = derived.as_ref().is_some_and(|d| {
            d.toxicity
                .iter()
                .any(|e| e.lesion.is_some() && crate::cohort::events::FRACTURE_TERMS.contains(&e.term.name.as_str()))
        });
        if cohort_events.has(Field::VcfDate) || fracture_events {
            if data.rows.len() > super::robustness::RESAMPLING_MAX_ROWS {
                out.skipped.push(format!(
                    "vcf: the Fine-Gray models are skipped above {} rows (their cost grows faster than the data)",
                    super::robustness::RESAMPLING_MAX_ROWS
                ));
            }
            let (vcf, figures) = vcf(&data.rows, study);
            out.vcf = Some(vcf);
            out.figures.extend(figures);
        } else {
            out.skipped.push(
                "vcf: the cohort has no vcf_date column and the events no fracture: the VCF analysis is not made"
                    .into(),
            );
        }
    }
    if so.pain_response {
        match derived {
            Some(d) if cohort_events.has(Field::PainBaseline) && !d.pain.is_empty() => {
                out.pain_response =
                    Some(pain_response(&data.rows, &d.pain, so.pain_response_months, so.pain_window_months))
            }
            _ => out.skipped.push(
                "pain response: needs pain_baseline in the cohort and pain_score rows in the events table: not made"
                    .into(),
            ),
        }
    }
    if so.failure_patterns {
        let distant = cohort_events.has(Field::DistantSpineFailureDate);
        out.failure_patterns = Some(failure_patterns(&data.rows, distant));
    }
    out
}

/// Each patient's worst grade among `events`.
fn worst_of<'a>(events: impl Iterator<Item = &'a Event>) -> HashMap<usize, u8> {
    let mut worst: HashMap<usize, u8> = HashMap::new();
    for e in events {
        let w = worst.entry(e.patient).or_insert(0);
        *w = (*w).max(e.grade);
    }
    worst
}

/// A factor of the VCF analysis: its label, level labels, and each row's level.
type VcfFactorRows = (&'static str, Vec<String>, Vec<Option<usize>>);

/// Patients by worst grade of each term (and of any term) per phase.
pub fn toxicity(events: &[Event], n_patients: usize, acute_days: u32) -> Toxicity {
    let counted: Vec<&Event> = events.iter().filter(|e| e.related).collect();
    let mut rows = Vec::new();
    for phase in [Phase::Acute, Phase::Late] {
        let in_phase: Vec<&&Event> = counted.iter().filter(|e| e.phase == phase).collect();
        let row = |term: Option<&crate::cohort::ctcae::Term>, worst: HashMap<usize, u8>| {
            let mut by_worst_grade = [0; 5];
            for g in worst.values() {
                by_worst_grade[usize::from(*g) - 1] += 1;
            }
            ToxicityRow {
                phase,
                term: term.map(|t| t.name.clone()),
                soc: term.map(|t| t.soc.clone()),
                by_worst_grade,
                grade_3_plus: by_worst_grade[2..].iter().sum(),
            }
        };
        rows.push(row(None, worst_of(in_phase.iter().map(|e| **e))));
        let mut by_term: BTreeMap<&str, Vec<&&Event>> = BTreeMap::new();
        for e in &in_phase {
            by_term.entry(e.term.name.as_str()).or_default().push(e);
        }
        let mut term_rows: Vec<ToxicityRow> =
            by_term.values().map(|evs| row(Some(evs[0].term), worst_of(evs.iter().map(|e| **e)))).collect();
        // Most patients first; ties in term order.
        term_rows.sort_by_key(|r| std::cmp::Reverse(r.by_worst_grade.iter().sum::<usize>()));
        rows.extend(term_rows);
    }
    Toxicity { acute_days, n_patients, events: counted.len(), not_related: events.len() - counted.len(), rows }
}

/// A cumulative incidence read at `times`.
fn incidence_at(cif: &CumulativeIncidence, times: &[f64], level: f64) -> Vec<IncidenceAt> {
    times
        .iter()
        .map(|&t| {
            let c = cif.at(t, level);
            IncidenceAt {
                time: t,
                cumulative_incidence: Interval { estimate: c.estimate, lower: c.lower, upper: c.upper },
            }
        })
        .collect()
}

/// VCF per lesion, death competing: overall, by SINS group and by a fracture before SBRT.
fn vcf(rows: &[AnalysisRow], study: &Study) -> (Vcf, Vec<FigureResult>) {
    let level = study.conf_level;
    let cuts = &study.spine_outcomes.sins_groups;
    let time: Vec<f64> = rows.iter().map(|r| r.vcf.time).collect();
    let status: Vec<u32> = rows.iter().map(|r| u32::from(r.vcf_status)).collect();
    let cif = CumulativeIncidence::fit(&time, &status, 1);
    let fractured = |r: &&AnalysisRow| r.vcf_status == 1;
    let sins_labels = crate::cohort::spine::sins_labels(cuts);
    let factors_spec: [VcfFactorRows; 2] = [
        (
            "SINS",
            sins_labels.clone(),
            rows.iter().map(|r| r.sins.map(|s| cuts.iter().filter(|&&c| s > c).count())).collect(),
        ),
        (
            "Fracture before SBRT",
            vec!["No".into(), "Yes".into()],
            rows.iter().map(|r| r.vcf_baseline.map(usize::from)).collect(),
        ),
    ];
    let mut figures = vec![FigureResult {
        id: "vcf_cumulative_incidence".into(),
        title: "Vertebral compression fracture: cumulative incidence, death competing".into(),
        endpoint: EndpointId::Lc,
        endpoint_label: "Cumulative incidence of VCF".into(),
        by: None,
        curves: vec![incidence_curve("All lesions", &time, &status, 1, level, &study.landmarks_months)],
        logrank_p: None,
        adjustment: None,
        incidence: true,
    }];
    // Each factor's tests and curves on a core.
    let factor_of = |(label, labels, codes): &VcfFactorRows| {
        let label = *label;
        let present: Vec<usize> = (0..rows.len()).filter(|&i| codes[i].is_some()).collect();
        if present.is_empty() {
            return None;
        }
        let used: Vec<usize> = (0..labels.len()).filter(|l| present.iter().any(|&i| codes[i] == Some(*l))).collect();
        let g: Vec<usize> =
            present.iter().map(|&i| used.iter().position(|&u| Some(u) == codes[i]).expect("used")).collect();
        let t: Vec<f64> = present.iter().map(|&i| time[i]).collect();
        let s: Vec<u32> = present.iter().map(|&i| status[i]).collect();
        let gray_p = gray_test(&t, &s, 1, &g, used.len(), None, 0.0).ok().map(|r| r.p);
        // Fine-Gray's cost grows with rows × events: skipped on registry-sized data, as in the Robustness section.
        let every_level_fractured = (0..used.len()).all(|k| (0..g.len()).any(|j| g[j] == k && s[j] == 1));
        let fg = (used.len() > 1 && every_level_fractured && t.len() <= super::robustness::RESAMPLING_MAX_ROWS)
            .then(|| {
                let variable = Variable::Categorical {
                    labels: used.iter().map(|&u| labels[u].clone()).collect(),
                    codes: g.iter().map(|&c| Some(c)).collect(),
                };
                let all: Vec<usize> = (0..present.len()).collect();
                let (x, _) = model_matrix(&[Candidate { id: label, label, variable: &variable }], &all);
                fine_gray(&t, &s, 1, &x, level).ok()
            })
            .flatten();
        let mut curves = Vec::new();
        let levels = used
            .iter()
            .enumerate()
            .map(|(k, &u)| {
                let idx: Vec<usize> = (0..present.len()).filter(|&j| g[j] == k).collect();
                let tk: Vec<f64> = idx.iter().map(|&j| t[j]).collect();
                let sk: Vec<u32> = idx.iter().map(|&j| s[j]).collect();
                let cif_k = CumulativeIncidence::fit(&tk, &sk, 1);
                curves.push(incidence_curve(&labels[u], &tk, &sk, 1, level, &study.landmarks_months));
                let term = (k > 0).then(|| fg.as_ref().map(|f| &f.terms[k - 1])).flatten();
                VcfLevel {
                    label: labels[u].clone(),
                    n: idx.len(),
                    fractures: sk.iter().filter(|&&v| v == 1).count(),
                    landmarks: incidence_at(&cif_k, &study.landmarks_months, level),
                    shr: term.map(|f| Interval {
                        estimate: Some(f.hr),
                        lower: Some(f.hr_lower),
                        upper: Some(f.hr_upper),
                    }),
                    shr_p: term.map(|f| f.p),
                }
            })
            .collect();
        let figure = (label == "SINS" && used.len() > 1).then(|| FigureResult {
            id: "vcf_by_sins".into(),
            title: "Vertebral compression fracture by SINS group: cumulative incidence, death competing".into(),
            endpoint: EndpointId::Lc,
            endpoint_label: "Cumulative incidence of VCF".into(),
            by: Some("SINS".into()),
            curves,
            logrank_p: gray_p,
            adjustment: None,
            incidence: true,
        });
        let factor = VcfFactor {
            label: label.into(),
            n_missing: rows.len() - present.len(),
            gray_p,
            shr_not_estimable: used.len() > 1 && !every_level_fractured,
            levels,
        };
        Some((factor, figure))
    };
    let mut factors = Vec::new();
    for (factor, figure) in crate::parallel_map::map_by_size(rows.len(), &factors_spec, factor_of).into_iter().flatten()
    {
        factors.push(factor);
        figures.extend(figure);
    }
    let vcf = Vcf {
        n_lesions: rows.len(),
        fractures: rows.iter().filter(fractured).count(),
        de_novo: rows.iter().filter(fractured).filter(|r| r.vcf_baseline == Some(false)).count(),
        progression_of_existing: rows.iter().filter(fractured).filter(|r| r.vcf_baseline == Some(true)).count(),
        deaths_without_fracture: status.iter().filter(|&&s| s == 2).count(),
        landmarks: incidence_at(&cif, &study.landmarks_months, level),
        factors,
    };
    (vcf, figures)
}

/// The consensus category of a follow-up pain score against the baseline;
/// `None` for the analgesic reading when an OME is missing.
pub fn pain_category(base: f64, base_ome: Option<f64>, pain: f64, ome: Option<f64>) -> (PainCategory, bool) {
    let change = base_ome.zip(ome);
    let ome_up = change.is_some_and(|(b, f)| f > b);
    let ome_down_25 = change.is_some_and(|(b, f)| b > 0.0 && f <= 0.75 * b);
    let ome_up_25 = change.is_some_and(|(b, f)| if b > 0.0 { f >= 1.25 * b } else { f > 0.0 });
    let category = if pain == 0.0 && !ome_up {
        PainCategory::Complete
    } else if (base - pain >= 2.0 && !ome_up) || (ome_down_25 && pain <= base) {
        PainCategory::Partial
    } else if (pain - base >= 2.0 && !ome_up) || (ome_up_25 && pain >= base && pain <= base + 1.0) {
        PainCategory::Progression
    } else {
        PainCategory::Indeterminate
    };
    (category, change.is_none())
}

/// Pain response of each evaluable lesion at `months` (± `window`).
fn pain_response(rows: &[AnalysisRow], pain: &[crate::event_rows::PainRow], months: f64, window: f64) -> PainResponse {
    let mut out = PainResponse {
        months,
        window_months: window,
        evaluable: 0,
        baseline_below_2: 0,
        no_baseline: 0,
        not_assessed: 0,
        analgesics_unknown: 0,
        categories: Vec::new(),
    };
    let mut visits: HashMap<usize, Vec<&crate::event_rows::PainRow>> = HashMap::new();
    for p in pain {
        visits.entry(p.lesion).or_default().push(p);
    }
    let mut counts: BTreeMap<u8, usize> = BTreeMap::new();
    let order = [PainCategory::Complete, PainCategory::Partial, PainCategory::Indeterminate, PainCategory::Progression];
    for r in rows {
        let Some(base) = r.pain_baseline else {
            out.no_baseline += 1;
            continue;
        };
        if base < 2.0 {
            out.baseline_below_2 += 1;
            continue;
        }
        out.evaluable += 1;
        // The assessment closest to the time point; of two as close, the later.
        let visit = visits.get(&r.lesion).into_iter().flatten().filter(|p| (p.months - months).abs() <= window).min_by(
            |a, b| (a.months - months).abs().total_cmp(&(b.months - months).abs()).then(b.months.total_cmp(&a.months)),
        );
        let Some(v) = visit else {
            out.not_assessed += 1;
            continue;
        };
        let (category, unknown) = pain_category(base, r.ome_baseline_mg, v.score, v.ome_mg);
        out.analgesics_unknown += usize::from(unknown);
        *counts.entry(order.iter().position(|c| *c == category).expect("listed") as u8).or_default() += 1;
    }
    out.categories =
        order.iter().enumerate().map(|(k, &c)| (c, counts.get(&(k as u8)).copied().unwrap_or(0))).collect();
    out
}

/// Failures by pattern, with months to failure and salvage; the distant
/// spinal row only when the cohort records them (`distant_recorded`).
fn failure_patterns(rows: &[AnalysisRow], distant_recorded: bool) -> FailurePatterns {
    use crate::cohort::spine::FailureSite;
    let salvage_counts = |lesions: &[&AnalysisRow]| {
        let mut v: Vec<usize> =
            Salvage::ALL.iter().map(|s| lesions.iter().filter(|r| r.salvage == Some(*s)).count()).collect();
        v.push(lesions.iter().filter(|r| r.salvage.is_none()).count());
        v
    };
    let local = |site: Option<FailureSite>| -> Vec<&AnalysisRow> {
        rows.iter().filter(|r| r.lc.event && r.local_failure_site == site).collect()
    };
    let mut out = Vec::new();
    for (pattern, lesions) in [
        (FailurePattern::InField, local(Some(FailureSite::InField))),
        (FailurePattern::Marginal, local(Some(FailureSite::Marginal))),
        (FailurePattern::LocalSiteUnknown, local(None)),
    ] {
        let months: Vec<f64> = lesions.iter().map(|r| r.lc.time).collect();
        out.push(FailureRow {
            pattern,
            failures: lesions.len(),
            of: rows.len(),
            months: Summary::of(&months),
            salvage: salvage_counts(&lesions),
        });
    }
    let adjacent: Vec<&AnalysisRow> = rows.iter().filter(|r| r.adjacent.event).collect();
    let adjacent_only: Vec<&AnalysisRow> = adjacent.iter().copied().filter(|r| !r.lc.event).collect();
    out.push(FailureRow {
        pattern: FailurePattern::AdjacentLevel,
        failures: adjacent.len(),
        of: rows.len(),
        months: Summary::of(&adjacent.iter().map(|r| r.adjacent.time).collect::<Vec<_>>()),
        salvage: salvage_counts(&adjacent_only),
    });
    if distant_recorded {
        let mut first = crate::endpoints::FirstOfPatient::default();
        let patients: Vec<&AnalysisRow> = rows.iter().filter(|r| first.keep(r.patient)).collect();
        let distant: Vec<f64> =
            patients.iter().filter(|r| r.distant_spine.event).map(|r| r.distant_spine.time).collect();
        out.push(FailureRow {
            pattern: FailurePattern::DistantSpine,
            failures: distant.len(),
            of: patients.len(),
            months: Summary::of(&distant),
            salvage: Vec::new(),
        });
    }
    FailurePatterns { rows: out, local_and_adjacent: adjacent.len() - adjacent_only.len() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pain_categories_follow_the_consensus() {
        use PainCategory::*;
        let c = |base, bo, pain, o| pain_category(base, bo, pain, o).0;
        assert_eq!(c(6.0, Some(30.0), 0.0, Some(30.0)), Complete);
        assert_eq!(c(6.0, Some(30.0), 0.0, Some(40.0)), Indeterminate, "pain 0 with more opioid");
        assert_eq!(c(6.0, Some(30.0), 4.0, Some(30.0)), Partial);
        assert_eq!(c(6.0, Some(40.0), 6.0, Some(30.0)), Partial, "OME down 25 % without more pain");
        assert_eq!(c(4.0, Some(30.0), 6.0, Some(30.0)), Progression);
        assert_eq!(c(4.0, Some(30.0), 5.0, Some(40.0)), Progression, "OME up 25 % with pain up 1");
        assert_eq!(c(4.0, Some(30.0), 3.0, Some(30.0)), Indeterminate);
        assert!(pain_category(4.0, None, 3.0, Some(30.0)).1, "a missing OME is counted");
    }
}
