//! The reviewer's checks beyond the paper (the report's Robustness
//! section): local failure with death as a competing risk, Gray's tests,
//! reverse Kaplan-Meier follow-up, bootstrap selection stability and the
//! α/β sensitivity of BED. The models' cluster-robust, Firth and
//! proportional-hazards results come with each selected model
//! ([`super::selection::Model`]); here they are tabulated.

use super::selection::{model_matrix, Candidate, ModelTerm};
use super::stability::{bootstrap, Problem, Stability};
use super::survival::{Curve, Median, Step};
use super::table::{fixed, p_value, percent, Table};
use super::univariate::test;
use super::variables::Variable;
use super::{endpoint_data, variable_on, AnalysisData, EndpointResult, FigureResult};
use crate::study::{CovariateKind, Study};
use serde::Serialize;
use survstat::competing::{gray_test, CumulativeIncidence};
use survstat::finegray::fine_gray;
use survstat::km::KaplanMeier;

/// Local failure at a landmark: 1 - KM (death censored) and the cumulative incidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompetingLandmark {
    /// Months.
    pub time: f64,
    /// 1 - Kaplan-Meier.
    pub one_minus_km: Option<f64>,
    /// Its limits (from the KM limits).
    pub one_minus_km_lower: Option<f64>,
    /// Upper.
    pub one_minus_km_upper: Option<f64>,
    /// Cumulative incidence of local failure, death competing.
    pub cumulative_incidence: Option<f64>,
    /// Limits.
    pub cif_lower: Option<f64>,
    /// Upper.
    pub cif_upper: Option<f64>,
}

/// Gray's test of an LC factor beside its log-rank test.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GrayRow {
    /// Covariate id.
    pub covariate: String,
    /// Label.
    pub label: String,
    /// Log-rank p (1 - KM).
    pub logrank_p: Option<f64>,
    /// Gray's test p (cumulative incidence).
    pub gray_p: Option<f64>,
}

/// Competing-risk view of local control.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Competing {
    /// Landmarks.
    pub landmarks: Vec<CompetingLandmark>,
    /// Tests of the LC factors.
    pub gray: Vec<GrayRow>,
    /// Deaths without local failure (the competing events).
    pub deaths_without_failure: usize,
}

/// The LC model refitted as a Fine-Gray model (death competing).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FineGrayTerm {
    /// Term as the report names it.
    pub term: String,
    /// Cox HR (death censored).
    pub cox_hr: Option<f64>,
    /// Subdistribution HR.
    pub hr: f64,
    /// Limits.
    pub hr_lower: f64,
    /// Upper.
    pub hr_upper: f64,
    /// p.
    pub p: f64,
}

/// Median follow-up two ways.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FollowUpMethods {
    /// Reverse Kaplan-Meier median with its interval (Schemper & Smith 1996).
    pub reverse_km: Median,
}

/// BED results at one α/β.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlphaBetaRow {
    /// α/β, Gy.
    pub alpha_beta: f64,
    /// Median BED and range.
    pub median: Option<f64>,
    /// Smallest.
    pub min: Option<f64>,
    /// Largest.
    pub max: Option<f64>,
    /// Per endpoint, the univariate Cox model of BED.
    pub endpoints: Vec<BedEffect>,
}

/// The univariate Cox model of BED for one endpoint.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BedEffect {
    /// Endpoint id.
    pub endpoint: String,
    /// HR per Gy.
    pub hr: Option<f64>,
    /// Lower limit.
    pub hr_lower: Option<f64>,
    /// Upper limit.
    pub hr_upper: Option<f64>,
    /// Wald p.
    pub p: Option<f64>,
}

/// Above this many analysis rows the analyses whose cost grows faster than
/// n log n are skipped with a warning: the bootstrap (hundreds of refits),
/// the Fine-Gray model (O(n × failures) weights) and the Firth refit
/// (profile likelihood, dozens of constrained fits). They are meant for
/// institutional cohorts; a registry analysis gets the rest.
pub const RESAMPLING_MAX_ROWS: usize = 20_000;

/// Everything of the Robustness section.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Robustness {
    /// LC with death as a competing risk.
    pub competing: Option<Competing>,
    /// The LC model as a Fine-Gray model.
    pub fine_gray: Option<Vec<FineGrayTerm>>,
    /// Reverse-KM follow-up.
    pub follow_up: Option<FollowUpMethods>,
    /// Bootstrap per endpoint id.
    pub stability: Vec<(String, Stability)>,
    /// α/β sensitivity.
    pub alpha_beta: Vec<AlphaBetaRow>,
    /// Analyses skipped, with the reason.
    pub skipped: Vec<String>,
}

/// LC status per lesion: 1 local failure, 2 death first, 0 censored.
fn lc_status(data: &AnalysisData) -> Vec<u32> {
    data.rows.iter().map(|r| u32::from(r.lc_status)).collect()
}

/// The competing-risk figure: KM of local control and 1 - cumulative incidence.
pub fn competing_figure(data: &AnalysisData, study: &Study) -> FigureResult {
    let time: Vec<f64> = data.rows.iter().map(|r| r.lc.time).collect();
    let event: Vec<bool> = data.rows.iter().map(|r| r.lc.event).collect();
    let status = lc_status(data);
    let conf = super::conf_spec(study);
    let km = Curve::fit("Kaplan-Meier, death censored", &time, &event, conf, &study.landmarks_months);
    let cif = CumulativeIncidence::fit(&time, &status, 1);
    // Rows censored for both endpoints (status 0) at each time: one pass.
    let mut censored_at: std::collections::HashMap<u64, usize> = std::collections::HashMap::new();
    for (r, t) in data.rows.iter().zip(&time) {
        if r.lc_status == 0 {
            *censored_at.entry(t.to_bits()).or_default() += 1;
        }
    }
    let mut cr = km.clone();
    cr.label = "1 − cumulative incidence, death competing".into();
    cr.steps = km
        .steps
        .iter()
        .map(|s| {
            let f = cif.at(s.time, study.conf_level).estimate.unwrap_or(0.0);
            let censored = censored_at.get(&s.time.to_bits()).copied().unwrap_or(0);
            Step {
                time: s.time,
                n_risk: s.n_risk,
                n_event: s.n_event,
                n_censor: censored,
                surv: 1.0 - f,
                lower: None,
                upper: None,
            }
        })
        .collect();
    FigureResult {
        id: "lc_competing".into(),
        title: "Local control: Kaplan-Meier (death censored) and competing-risk estimate".into(),
        endpoint: "lc".into(),
        endpoint_label: "Free of local failure".into(),
        by: None,
        curves: vec![km, cr],
        logrank_p: None,
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
    let conf = super::conf_spec(study);
    let competing = (rb.competing_risks && study.endpoints.iter().any(|e| e.id == "lc")).then(|| {
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
                    one_minus_km: k.surv.map(|s| 1.0 - s),
                    one_minus_km_lower: k.upper.map(|u| 1.0 - u),
                    one_minus_km_upper: k.lower.map(|l| 1.0 - l),
                    cumulative_incidence: c.estimate,
                    cif_lower: c.lower,
                    cif_upper: c.upper,
                }
            })
            .collect();
        let lc_spec = study.endpoints.iter().find(|e| e.id == "lc").expect("checked");
        let all_rows: Vec<usize> = (0..data.rows.len()).collect();
        let gray = lc_spec
            .covariates
            .iter()
            .filter(|id| study.covariate(id).kind() != CovariateKind::Continuous)
            .map(|id| {
                let var = variable_on(study, data, id, &all_rows);
                let Variable::Categorical { labels, codes } = &var else { unreachable!("categorical by kind") };
                let rows: Vec<usize> = (0..time.len()).filter(|&i| codes[i].is_some()).collect();
                let g: Vec<usize> = rows.iter().map(|&i| codes[i].expect("present")).collect();
                let t: Vec<f64> = rows.iter().map(|&i| time[i]).collect();
                let s: Vec<u32> = rows.iter().map(|&i| status[i]).collect();
                GrayRow {
                    covariate: id.clone(),
                    label: study.covariate(id).label.clone(),
                    logrank_p: test(&var, &time, &event, conf.level).p,
                    gray_p: gray_test(&t, &s, 1, &g, labels.len(), None, 0.0).ok().map(|r| r.p),
                }
            })
            .collect();
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
        .find(|e| e.id == "lc" && rb.competing_risks && !large && !e.model.retained.is_empty())
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
                        term: term_name(cox),
                        cox_hr: cox.hr,
                        hr: f.hr,
                        hr_lower: f.hr_lower,
                        hr_upper: f.hr_upper,
                        p: f.p,
                    })
                    .collect(),
            )
        });
    let follow_up = rb.reverse_km_followup.then(|| {
        let mut seen = std::collections::HashSet::new();
        let first: Vec<_> = data.rows.iter().filter(|r| seen.insert(r.patient)).collect();
        let t: Vec<f64> = first.iter().map(|r| r.os.time).collect();
        let reversed: Vec<bool> = first.iter().map(|r| !r.os.event).collect();
        let m = KaplanMeier::fit(&t, &reversed, conf).median();
        FollowUpMethods { reverse_km: Median { estimate: m.estimate, lower: m.lower, upper: m.upper } }
    });
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut stability = Vec::new();
    if rb.bootstrap_resamples > 0 && !large {
        for spec in &study.endpoints {
            let ep = endpoint_data(&data.rows, spec);
            let vars: Vec<Variable> = spec.covariates.iter().map(|id| variable_on(study, data, id, &ep.rows)).collect();
            let problem = Problem {
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
            stability.push((
                spec.id.clone(),
                bootstrap(&problem, rb.bootstrap_resamples, rb.bootstrap_seed, threads, &report),
            ));
        }
    }
    let alpha_beta = rb
        .alpha_beta_sensitivity
        .iter()
        .map(|&ab| {
            let beds: Vec<f64> = data.rows.iter().filter_map(|r| r.prescription.map(|p| p.bed(ab))).collect();
            let per_endpoint = study
                .endpoints
                .iter()
                .map(|spec| {
                    let ep = endpoint_data(&data.rows, spec);
                    let var = Variable::Continuous(
                        ep.rows.iter().map(|&i| data.rows[i].prescription.map(|p| p.bed(ab))).collect(),
                    );
                    let t = test(&var, &ep.time, &ep.event, study.conf_level);
                    BedEffect {
                        endpoint: spec.id.clone(),
                        hr: t.hr.map(|h| h.0),
                        hr_lower: t.hr.map(|h| h.1),
                        hr_upper: t.hr.map(|h| h.2),
                        p: t.p,
                    }
                })
                .collect();
            AlphaBetaRow {
                alpha_beta: ab,
                median: super::table::median(&beds),
                min: beds.iter().copied().reduce(f64::min),
                max: beds.iter().copied().reduce(f64::max),
                endpoints: per_endpoint,
            }
        })
        .collect();
    Robustness { competing, fine_gray, follow_up, stability, alpha_beta, skipped }
}

fn term_name(t: &ModelTerm) -> String {
    match (&t.level, &t.reference) {
        (Some(l), Some(r)) => format!("{}: {l} vs {r}", t.label),
        _ => t.label.clone(),
    }
}

fn ci(lower: Option<f64>, upper: Option<f64>) -> String {
    format!("{}–{}", fixed(lower, 3), fixed(upper, 3))
}

/// The Robustness section's tables.
pub fn tables(
    rb: &Robustness,
    endpoints: &[EndpointResult],
    study: &Study,
    follow_up: &super::paper_tables::FollowUp,
) -> Vec<Table> {
    let level = format!("{:.0}%", study.conf_level * 100.0);
    let mut out = Vec::new();
    if let Some(c) = &rb.competing {
        let mut t = Table::new(
            "robust_competing",
            "Robustness 1. Local failure with death as a competing risk",
            &["Time", &format!("1 − Kaplan-Meier, % ({level} CI)"), &format!("Cumulative incidence, % ({level} CI)")],
        );
        for l in &c.landmarks {
            t.push(
                0,
                vec![
                    super::paper_tables::landmark_name(l.time),
                    format!(
                        "{} ({}–{})",
                        percent(l.one_minus_km),
                        percent(l.one_minus_km_lower),
                        percent(l.one_minus_km_upper)
                    ),
                    format!("{} ({}–{})", percent(l.cumulative_incidence), percent(l.cif_lower), percent(l.cif_upper)),
                ],
            );
        }
        t.notes.push(format!(
            "In {} lesions the patient died before any local failure. 1 − KM treats these deaths as censoring and so estimates failure in a world without death; the cumulative incidence (Aalen-Johansen, Gray's variance, as R cmprsk::cuminc) estimates the failures that actually occur. The difference grows with the number of deaths.",
            c.deaths_without_failure
        ));
        out.push(t);
        let mut g = Table::new("robust_gray", "Robustness 2. Tests of the local-control factors: log-rank (1 − KM) and Gray's test (cumulative incidence)", &["Variable", "Log-rank p", "Gray's test p"]);
        for row in &c.gray {
            g.push(0, vec![row.label.clone(), p_value(row.logrank_p), p_value(row.gray_p)]);
        }
        out.push(g);
    }
    if let Some(fg) = &rb.fine_gray {
        let mut t = Table::new(
            "robust_fine_gray",
            "Robustness 2b. The local-control model as a Fine-Gray model (death as a competing risk)",
            &["Term", "Cox HR (death censored)", "Subdistribution HR", &format!("{level} CI"), "p"],
        );
        for row in fg {
            t.push(
                0,
                vec![
                    row.term.clone(),
                    fixed(row.cox_hr, 3),
                    fixed(Some(row.hr), 3),
                    ci(Some(row.hr_lower), Some(row.hr_upper)),
                    p_value(Some(row.p)),
                ],
            );
        }
        t.notes.push("Fine-Gray model (as R cmprsk::crr) of the covariates retained for local control: the effect on the cumulative incidence of local failure when death is a competing risk.".into());
        out.push(t);
    }
    let rbs = &study.robustness;
    let mut models = Table::new(
        "robust_models",
        "Robustness 3. Multivariable models: model-based and patient-clustered robust standard errors",
        &[
            "Endpoint",
            "Term",
            "HR",
            &format!("{level} CI (model-based)"),
            "p (model-based)",
            &format!("{level} CI (robust)"),
            "p (robust)",
        ],
    );
    for ep in endpoints {
        let robust = ep.model.robust_terms.as_deref();
        for (k, t) in ep.model.terms.iter().enumerate() {
            let z = survstat::dist::normal_quantile(1.0 - (1.0 - study.conf_level) / 2.0);
            let naive = t
                .coef
                .zip(t.se)
                .map(|(b, se)| ((b - z * se).exp(), (b + z * se).exp(), survstat::dist::normal_two_sided_p(b / se)));
            let r = robust.and_then(|r| r.get(k));
            models.push(
                0,
                vec![
                    ep.label.clone(),
                    term_name(t),
                    fixed(t.hr, 3),
                    ci(naive.map(|n| n.0), naive.map(|n| n.1)),
                    p_value(naive.map(|n| n.2)),
                    r.map_or("–".into(), |r| ci(r.hr_lower, r.hr_upper)),
                    r.map_or("–".into(), |r| p_value(r.p)),
                ],
            );
        }
    }
    models.notes.push("Lesion-level models count a patient's lesions as independent; the robust (sandwich) variance clusters them by patient, as R coxph(..., cluster = patient).".into());
    if rbs.cluster_robust {
        out.push(models);
    }
    let firth: Vec<&EndpointResult> = endpoints.iter().filter(|e| e.model.firth_terms.is_some()).collect();
    if !firth.is_empty() {
        let mut t = Table::new(
            "robust_firth",
            "Robustness 4. Firth-penalised models where the Cox likelihood is monotone",
            &["Endpoint", "Term", "Cox HR", "Firth HR", &format!("{level} profile CI"), "p (penalised LR)"],
        );
        for ep in firth {
            for (cox, f) in ep.model.terms.iter().zip(ep.model.firth_terms.as_deref().unwrap_or_default()) {
                t.push(
                    0,
                    vec![
                        ep.label.clone(),
                        term_name(f),
                        fixed(cox.hr, 3),
                        fixed(f.hr, 3),
                        ci(f.hr_lower, f.hr_upper),
                        p_value(f.p),
                    ],
                );
            }
        }
        t.notes.push("A level without events makes the Cox estimate infinite (monotone likelihood); Firth's penalty (Heinze & Schemper 2001, as R coxphf) gives finite estimates.".into());
        out.push(t);
    }
    let mut ph = Table::new(
        "robust_ph",
        "Robustness 5. Proportional-hazards tests of the multivariable models (scaled Schoenfeld residuals)",
        &["Endpoint", "Term", "χ²", "df", "p"],
    );
    for ep in endpoints {
        for row in ep.model.ph_test.iter().flatten() {
            let label = if row.covariate == "GLOBAL" {
                "Global".to_string()
            } else {
                study.covariate(&row.covariate).label.clone()
            };
            ph.push(
                0,
                vec![ep.label.clone(), label, format!("{:.3}", row.chisq), row.df.to_string(), p_value(Some(row.p))],
            );
        }
    }
    ph.notes.push("As R cox.zph (survival 3.5-3, Kaplan-Meier time scale); a small p suggests the hazard ratio changes over time.".into());
    if rbs.ph_test {
        out.push(ph);
    }
    if let Some(f) = &rb.follow_up {
        let mut t = Table::new("robust_followup", "Robustness 6. Median follow-up", &["Method", "Months"]);
        t.push(
            0,
            vec![
                "Median (range) of observation times, as the paper".into(),
                format!("{} ({}–{})", fixed(follow_up.median, 1), fixed(follow_up.min, 1), fixed(follow_up.max, 1)),
            ],
        );
        let m = &f.reverse_km;
        t.push(
            0,
            vec![
                format!("Reverse Kaplan-Meier ({level} CI)"),
                format!(
                    "{} ({}–{})",
                    fixed(m.estimate, 1),
                    fixed(m.lower, 1),
                    m.upper.map_or("not reached".into(), |u| format!("{u:.1}"))
                ),
            ],
        );
        t.notes.push("The reverse Kaplan-Meier median (Schemper & Smith 1996) treats death as censoring of follow-up and estimates the potential follow-up; the median of observation times is shortened by early deaths.".into());
        out.push(t);
    }
    if !rb.stability.is_empty() {
        let mut t = Table::new(
            "robust_bootstrap",
            "Robustness 7. Bootstrap inclusion frequencies of the selection procedure",
            &["Endpoint", "Variable", "Selected in (%)"],
        );
        for (id, s) in &rb.stability {
            let label = endpoints.iter().find(|e| &e.id == id).map_or(id.clone(), |e| e.label.clone());
            for inc in &s.inclusion {
                t.push(0, vec![label.clone(), inc.label.clone(), format!("{:.1}", inc.fraction * 100.0)]);
            }
            for m in &s.models {
                let names = if m.covariates.is_empty() {
                    "(no covariate)".to_string()
                } else {
                    m.covariates.iter().map(|c| study.covariate(c).label.clone()).collect::<Vec<_>>().join(" + ")
                };
                t.push(1, vec![format!("{label}: model"), names, format!("{:.1}", m.fraction * 100.0)]);
            }
        }
        if let Some((_, s)) = rb.stability.first() {
            t.notes.push(format!(
                "{} resamples of patients (all of a patient's lesions together), seed {}; screening and backward elimination rerun in each (Sauerbrei & Schumacher 1992). Indented rows: the most frequent final models.",
                s.resamples, s.seed
            ));
        }
        out.push(t);
    }
    let mut epv = Table::new(
        "robust_epv",
        "Robustness 8. Events per candidate parameter of the multivariable models",
        &["Endpoint", "Events", "Candidate parameters", "EPV", "Note"],
    );
    for ep in endpoints {
        let m = &ep.model;
        let note = match m.events_per_variable {
            Some(v) if v < 10.0 => "below 10: selection and estimates may be unstable".to_string(),
            Some(_) => String::new(),
            None => "no candidate".to_string(),
        };
        epv.push(
            0,
            vec![
                ep.label.clone(),
                m.events.to_string(),
                m.candidate_df.to_string(),
                fixed(m.events_per_variable, 1),
                note,
            ],
        );
    }
    if rbs.events_per_variable {
        out.push(epv);
    }
    if !rb.alpha_beta.is_empty() {
        let mut cols = vec!["α/β (Gy)".to_string(), "Median BED, Gy (range)".to_string()];
        for ep in endpoints {
            cols.push(format!("{}: HR per Gy ({level} CI), p", ep.label));
        }
        let col_refs: Vec<&str> = cols.iter().map(String::as_str).collect();
        let mut t = Table::new("robust_alpha_beta", "Robustness 9. Sensitivity of the BED results to α/β", &col_refs);
        for row in &rb.alpha_beta {
            let mut cells = vec![
                fixed(Some(row.alpha_beta), 0),
                format!("{} ({}–{})", fixed(row.median, 0), fixed(row.min, 0), fixed(row.max, 0)),
            ];
            for e in &row.endpoints {
                cells.push(format!("{} ({}), p {}", fixed(e.hr, 3), ci(e.hr_lower, e.hr_upper), p_value(e.p)));
            }
            t.push(0, cells);
        }
        t.notes.push("Univariate Cox models of BED at each α/β; the study's α/β is used everywhere else.".into());
        out.push(t);
    }
    out
}
