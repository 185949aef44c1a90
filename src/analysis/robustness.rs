//! The reviewer's checks beyond the paper (the report's Robustness
//! section): local failure with death as a competing risk, Gray's tests,
//! the LC model as a Fine-Gray model, reverse Kaplan-Meier follow-up,
//! bootstrap selection stability and the α/β sensitivity of BED. The
//! models' cluster-robust, Firth and proportional-hazards results come
//! with each selected model ([`super::selection`]).

use super::selection::{model_matrix, Candidate};
use super::stability::{bootstrap, SelectionInputs};
use super::survival::{fit_curve, incidence_curve};
use super::univariate::test;
use super::variables::Variable;
use super::{spec_data, variable_on, AnalysisData};
use crate::results::robustness::{
    AlphaBetaRow, BedEffect, Competing, CompetingLandmark, FineGrayTerm, FollowUpMethods, GrayRow, Robustness,
};
use crate::results::{EndpointResult, FigureResult};
use crate::study::{CovariateKind, EndpointId, Study};
use crate::summary::Summary;
use survstat::competing::{gray_test, CumulativeIncidence};
use survstat::finegray::fine_gray;
use survstat::km::KaplanMeier;
use survstat::Interval;

/// Above this many analysis rows the analyses whose cost grows faster than
/// n log n are skipped with a warning: the bootstrap (hundreds of refits),
/// the Fine-Gray model (O(n × failures) weights) and the Firth refit
/// (profile likelihood, dozens of constrained fits). They are meant for
/// institutional cohorts; a registry analysis gets the rest.
pub const RESAMPLING_MAX_ROWS: usize = 20_000;

/// LC status per lesion: 1 local failure, 2 death first, 0 censored.
fn lc_status(data: &AnalysisData) -> Vec<u32> {
    data.rows.iter().map(|r| u32::from(r.lc_status)).collect()
}

/// The competing-risk figure: KM of local control and 1 - cumulative incidence.
pub fn competing_figure(data: &AnalysisData, study: &Study) -> FigureResult {
    let time: Vec<f64> = data.rows.iter().map(|r| r.lc.time).collect();
    let event: Vec<bool> = data.rows.iter().map(|r| r.lc.event).collect();
    let status = lc_status(data);
    let km = fit_curve("Kaplan-Meier, death censored", &time, &event, study.conf_spec(), &study.landmarks_months);
    let cr = incidence_curve(
        "1 − cumulative incidence, death competing",
        &time,
        &status,
        1,
        study.conf_level,
        &study.landmarks_months,
    );
    FigureResult {
        id: "lc_competing".into(),
        title: "Local control: Kaplan-Meier (death censored) and competing-risk estimate".into(),
        endpoint: EndpointId::Lc,
        endpoint_label: "Free of local failure".into(),
        by: None,
        curves: vec![km, cr],
        logrank_p: None,
        adjustment: None,
        incidence: false,
    }
}

/// Compute the Robustness section's results.
pub fn compute(
    data: &AnalysisData,
    study: &Study,
    endpoints: &[EndpointResult],
    progress: &(dyn Fn(&str, usize, usize) + Sync),
) -> Robustness {
    let rb = &study.robustness;
    let conf = study.conf_spec();
    let lc_spec = study.endpoint(EndpointId::Lc);
    let competing = lc_spec.filter(|_| rb.competing_risks).map(|lc_spec| {
        progress("robustness: competing risks", 0, 0);
        let time: Vec<f64> = data.rows.iter().map(|r| r.lc.time).collect();
        let event: Vec<bool> = data.rows.iter().map(|r| r.lc.event).collect();
        let status = lc_status(data);
        let km = KaplanMeier::fit(&time, &event, conf);
        let cif = CumulativeIncidence::fit(&time, &status, 1);
        let landmarks = study
            .landmarks_months
            .iter()
            .map(|&t| {
                let k = km.at(t);
                let c = cif.at(t, study.conf_level);
                CompetingLandmark {
                    time: t,
                    one_minus_km: Interval {
                        estimate: k.surv.map(|s| 1.0 - s),
                        lower: k.upper.map(|u| 1.0 - u),
                        upper: k.lower.map(|l| 1.0 - l),
                    },
                    cumulative_incidence: Interval { estimate: c.estimate, lower: c.lower, upper: c.upper },
                }
            })
            .collect();
        progress("robustness: Gray's tests", 0, 0);
        let all_rows: Vec<usize> = (0..data.rows.len()).collect();
        let categorical: Vec<&String> =
            lc_spec.covariates.iter().filter(|id| study.covariate(id).kind != CovariateKind::Continuous).collect();
        let gray = crate::parallel_map::map_by_size(time.len(), &categorical, |id| {
            let var = variable_on(study, data, id, &all_rows);
            let Variable::Categorical { labels, codes } = &var else { unreachable!("categorical by kind") };
            let (rows, g) = codes.rows_with_levels();
            let t: Vec<f64> = rows.iter().map(|&i| time[i]).collect();
            let s: Vec<u32> = rows.iter().map(|&i| status[i]).collect();
            GrayRow {
                covariate: id.to_string(),
                label: study.covariate(id).label.clone(),
                logrank_p: test(&var, &time, &event, conf.level).p,
                gray_p: gray_test(&t, &s, 1, &g, labels.len(), None, 0.0).ok().map(|r| r.p),
            }
        });
        Competing { landmarks, gray, deaths_without_failure: status.iter().filter(|&&s| s == 2).count() }
    });
    let large = data.rows.len() > RESAMPLING_MAX_ROWS;
    let mut skipped = Vec::new();
    if large {
        skipped.push(format!(
            "{} rows: the bootstrap, the Fine-Gray model and Firth refits are skipped above {RESAMPLING_MAX_ROWS} rows (their cost grows faster than the data)",
            data.rows.len()
        ));
    }
    let fine_gray = endpoints
        .iter()
        .find(|e| e.id == EndpointId::Lc && rb.competing_risks && !large && !e.model.retained.is_empty())
        .and_then(|lc| {
            progress("robustness: Fine-Gray model", 0, 0);
            let all_rows: Vec<usize> = (0..data.rows.len()).collect();
            let vars: Vec<Variable> =
                lc.model.retained.iter().map(|id| variable_on(study, data, id, &all_rows)).collect();
            let cands: Vec<Candidate> = lc
                .model
                .retained
                .iter()
                .zip(&vars)
                .map(|(id, v)| Candidate { id, label: &study.covariate(id).label, variable: v })
                .collect();
            let rows: Vec<usize> = all_rows.into_iter().filter(|&i| vars.iter().all(|v| v.present(i))).collect();
            let (x, terms) = model_matrix(&cands, &rows);
            let time: Vec<f64> = rows.iter().map(|&i| data.rows[i].lc.time).collect();
            let status: Vec<u32> = rows.iter().map(|&i| u32::from(data.rows[i].lc_status)).collect();
            let fit = fine_gray(&time, &status, 1, &x, study.conf_level).ok()?;
            Some(
                terms
                    .iter()
                    .zip(&fit.terms)
                    .zip(&lc.model.terms)
                    .map(|((_, f), cox)| FineGrayTerm {
                        term: cox.display_name(),
                        cox_hr: cox.hr.estimate,
                        hr: f.hr,
                        hr_lower: f.hr_lower,
                        hr_upper: f.hr_upper,
                        p: f.p,
                    })
                    .collect(),
            )
        });
    let follow_up = rb.reverse_km_followup.then(|| {
        let mut patient_first = crate::endpoints::FirstOfPatient::default();
        let first: Vec<_> = data.rows.iter().filter(|r| patient_first.keep(r.patient)).collect();
        let t: Vec<f64> = first.iter().map(|r| r.os.time).collect();
        let reversed: Vec<bool> = first.iter().map(|r| !r.os.event).collect();
        FollowUpMethods { reverse_km: KaplanMeier::fit(&t, &reversed, conf).median() }
    });
    let threads = crate::parallel_map::cores();
    let mut stability = Vec::new();
    if rb.bootstrap_resamples > 0 && !large {
        for spec in &study.endpoints {
            let ep = spec_data(&data.rows, spec);
            let vars: Vec<Variable> = spec.covariates.iter().map(|id| variable_on(study, data, id, &ep.rows)).collect();
            let problem = SelectionInputs {
                covariates: spec
                    .covariates
                    .iter()
                    .zip(&vars)
                    .map(|(id, v)| (id.as_str(), study.covariate(id).label.as_str(), v))
                    .collect(),
                time: &ep.time,
                event: &ep.event,
                patient: &ep.patient,
                selection: &study.selection,
                conf_level: study.conf_level,
            };
            let label = format!("robustness: bootstrap, {}", spec.label);
            let report = |done: usize| progress(&label, done, rb.bootstrap_resamples);
            stability.push((spec.id, bootstrap(&problem, rb.bootstrap_resamples, rb.bootstrap_seed, threads, &report)));
        }
    }
    let alpha_beta = alpha_beta_sensitivity(data, study, progress);
    Robustness { competing, fine_gray, follow_up, stability, alpha_beta, skipped }
}

/// BED's univariate hazard ratio for each endpoint at each α/β of the
/// sensitivity analysis, with BED's median and range there.
fn alpha_beta_sensitivity(
    data: &AnalysisData,
    study: &Study,
    progress: &(dyn Fn(&str, usize, usize) + Sync),
) -> Vec<AlphaBetaRow> {
    let values = &study.robustness.alpha_beta_sensitivity;
    if values.is_empty() {
        return Vec::new();
    }
    progress("robustness: α/β sensitivity of BED", 0, 0);
    // One univariate Cox model per α/β and endpoint, each on a core.
    let endpoint_rows: Vec<_> = study.endpoints.iter().map(|spec| spec_data(&data.rows, spec)).collect();
    let fits: Vec<(f64, usize)> =
        values.iter().flat_map(|&ab| (0..endpoint_rows.len()).map(move |k| (ab, k))).collect();
    let mut effects = crate::parallel_map::map_by_size(data.rows.len(), &fits, |&(ab, k)| {
        let ep = &endpoint_rows[k];
        let var = Variable::Continuous(ep.rows.iter().map(|&i| data.rows[i].prescription.map(|p| p.bed(ab))).collect());
        let t = test(&var, &ep.time, &ep.event, study.conf_level);
        BedEffect { endpoint: study.endpoints[k].id, hr: t.hr, p: t.p }
    })
    .into_iter();
    values
        .iter()
        .map(|&ab| {
            let beds: Vec<f64> = data.rows.iter().filter_map(|r| r.prescription.map(|p| p.bed(ab))).collect();
            let Summary { median, min, max } = Summary::of(&beds);
            let endpoints = effects.by_ref().take(endpoint_rows.len()).collect();
            AlphaBetaRow { alpha_beta: ab, median, min, max, endpoints }
        })
        .collect()
}
