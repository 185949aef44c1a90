//! The Robustness section's tables, one function each: competing risks,
//! Gray's tests, Fine-Gray, model-based vs cluster-robust errors, Firth
//! refits, proportional-hazards tests, follow-up, bootstrap inclusion,
//! events per variable, α/β sensitivity.

use super::format::{fixed, landmark_name, level, limits, p_value, percent_interval};
use super::table::Table;
use crate::results::robustness::{Competing, FineGrayTerm, FollowUpMethods, Stability};
use crate::results::{EndpointResult, Results};
use crate::study::{EndpointId, PValues, Study};
use crate::summary::Summary;
use survstat::Interval;

fn competing(c: &Competing, conf_level: f64) -> Table {
    let lv = level(conf_level);
    let mut t = Table::new(
        "robust_competing",
        "Robustness 1. Local failure with death as a competing risk",
        &["Time", &format!("1 − Kaplan-Meier, % ({lv} CI)"), &format!("Cumulative incidence, % ({lv} CI)")],
    );
    for l in &c.landmarks {
        t.push(
            0,
            vec![landmark_name(l.time), percent_interval(&l.one_minus_km), percent_interval(&l.cumulative_incidence)],
        );
    }
    t.notes.push(format!(
        "In {} lesions the patient died before any local failure. 1 − KM treats these deaths as censoring and so estimates failure in a world without death; the cumulative incidence (Aalen-Johansen, Gray's variance, as R cmprsk::cuminc) estimates the failures that actually occur. The difference grows with the number of deaths.",
        c.deaths_without_failure
    ));
    t
}

fn gray(c: &Competing, pv: PValues) -> Table {
    let mut g = Table::new(
        "robust_gray",
        "Robustness 2. Tests of the local-control factors: log-rank (1 − KM) and Gray's test (cumulative incidence)",
        &["Variable", "Log-rank p", "Gray's test p"],
    );
    for row in &c.gray {
        g.push(0, vec![row.label.clone(), p_value(row.logrank_p, pv), p_value(row.gray_p, pv)]);
    }
    g
}

fn fine_gray(fg: &[FineGrayTerm], conf_level: f64, pv: PValues) -> Table {
    let mut t = Table::new(
        "robust_fine_gray",
        "Robustness 2b. The local-control model as a Fine-Gray model (death as a competing risk)",
        &["Term", "Cox HR (death censored)", "Subdistribution HR", &format!("{} CI", level(conf_level)), "p"],
    );
    for row in fg {
        t.push(
            0,
            vec![
                row.term.clone(),
                fixed(row.cox_hr, 3),
                fixed(Some(row.hr), 3),
                limits(&Interval { estimate: Some(row.hr), lower: Some(row.hr_lower), upper: Some(row.hr_upper) }),
                p_value(Some(row.p), pv),
            ],
        );
    }
    t.notes.push("Fine-Gray model (as R cmprsk::crr) of the covariates retained for local control: the effect on the cumulative incidence of local failure when death is a competing risk.".into());
    t
}

fn models(endpoints: &[EndpointResult], conf_level: f64, pv: PValues) -> Table {
    let lv = level(conf_level);
    let mut t = Table::new(
        "robust_models",
        "Robustness 3. Multivariable models: model-based and patient-clustered robust standard errors",
        &[
            "Endpoint",
            "Term",
            "HR",
            &format!("{lv} CI (model-based)"),
            "p (model-based)",
            &format!("{lv} CI (robust)"),
            "p (robust)",
        ],
    );
    for ep in endpoints {
        let robust = ep.model.robust_terms.as_deref();
        for (k, term) in ep.model.terms.iter().enumerate() {
            let r = robust.and_then(|r| r.get(k));
            t.push(
                0,
                vec![
                    ep.label.clone(),
                    term.display_name(),
                    fixed(term.hr.estimate, 3),
                    limits(&term.hr),
                    p_value(term.p, pv),
                    r.map_or("–".into(), |r| limits(&r.hr)),
                    r.map_or("–".into(), |r| p_value(r.p, pv)),
                ],
            );
        }
    }
    t.notes.push("Lesion-level models count a patient's lesions as independent; the robust (sandwich) variance clusters them by patient, as R coxph(..., cluster = patient).".into());
    t
}

fn firth(endpoints: &[&EndpointResult], conf_level: f64, pv: PValues) -> Table {
    let mut t = Table::new(
        "robust_firth",
        "Robustness 4. Firth-penalised models where the Cox likelihood is monotone",
        &["Endpoint", "Term", "Cox HR", "Firth HR", &format!("{} profile CI", level(conf_level)), "p (penalised LR)"],
    );
    for ep in endpoints {
        for (cox, f) in ep.model.terms.iter().zip(ep.model.firth_terms.as_deref().unwrap_or_default()) {
            t.push(
                0,
                vec![
                    ep.label.clone(),
                    f.display_name(),
                    fixed(cox.hr.estimate, 3),
                    fixed(f.hr.estimate, 3),
                    limits(&f.hr),
                    p_value(f.p, pv),
                ],
            );
        }
    }
    t.notes.push("A level without events makes the Cox estimate infinite (monotone likelihood); Firth's penalty (Heinze & Schemper 2001, as R coxphf) gives finite estimates.".into());
    t
}

fn proportional_hazards(endpoints: &[EndpointResult], study: &Study) -> Table {
    let mut t = Table::new(
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
            t.push(
                0,
                vec![
                    ep.label.clone(),
                    label,
                    format!("{:.3}", row.chisq),
                    row.df.to_string(),
                    p_value(Some(row.p), study.p_values),
                ],
            );
        }
    }
    t.notes.push("As R cox.zph (survival 3.5-3, Kaplan-Meier time scale); a small p suggests the hazard ratio changes over time.".into());
    t
}

fn follow_up(f: &FollowUpMethods, observed: &Summary, conf_level: f64) -> Table {
    let mut t = Table::new("robust_followup", "Robustness 6. Median follow-up", &["Method", "Months"]);
    t.push(
        0,
        vec![
            "Median (range) of observation times, as the paper".into(),
            format!("{} ({}–{})", fixed(observed.median, 1), fixed(observed.min, 1), fixed(observed.max, 1)),
        ],
    );
    let m = &f.reverse_km;
    t.push(
        0,
        vec![
            format!("Reverse Kaplan-Meier ({} CI)", level(conf_level)),
            format!(
                "{} ({}–{})",
                fixed(m.estimate, 1),
                fixed(m.lower, 1),
                m.upper.map_or("not reached".into(), |u| format!("{u:.1}"))
            ),
        ],
    );
    t.notes.push("The reverse Kaplan-Meier median (Schemper & Smith 1996) treats death as censoring of follow-up and estimates the potential follow-up; the median of observation times is shortened by early deaths.".into());
    t
}

fn bootstrap(stability: &[(EndpointId, Stability)], endpoints: &[EndpointResult], study: &Study) -> Table {
    let mut t = Table::new(
        "robust_bootstrap",
        "Robustness 7. Bootstrap inclusion frequencies of the selection procedure",
        &["Endpoint", "Variable", "Selected in (%)"],
    );
    for (id, s) in stability {
        let label = endpoints.iter().find(|e| e.id == *id).map_or(id.name().to_string(), |e| e.label.clone());
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
    if let Some((_, s)) = stability.first() {
        t.notes.push(format!(
            "{} resamples of patients (all of a patient's lesions together), seed {}; screening and backward elimination rerun in each (Sauerbrei & Schumacher 1992). Indented rows: the most frequent final models.",
            s.resamples, s.seed
        ));
    }
    t
}

fn events_per_variable(endpoints: &[EndpointResult]) -> Table {
    let mut t = Table::new(
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
        t.push(
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
    t
}

fn alpha_beta(results: &Results, conf_level: f64, pv: PValues) -> Table {
    let mut cols = vec!["α/β (Gy)".to_string(), "Median BED, Gy (range)".to_string()];
    for ep in &results.endpoints {
        cols.push(format!("{}: HR per Gy ({} CI), p", ep.label, level(conf_level)));
    }
    let col_refs: Vec<&str> = cols.iter().map(String::as_str).collect();
    let mut t = Table::new("robust_alpha_beta", "Robustness 9. Sensitivity of the BED results to α/β", &col_refs);
    for row in &results.robustness.alpha_beta {
        let mut cells = vec![
            fixed(Some(row.alpha_beta), 0),
            format!("{} ({}–{})", fixed(row.median, 0), fixed(row.min, 0), fixed(row.max, 0)),
        ];
        for e in &row.endpoints {
            cells.push(format!("{} ({}), p {}", fixed(e.hr.estimate, 3), limits(&e.hr), p_value(e.p, pv)));
        }
        t.push(0, cells);
    }
    t.notes.push("Univariate Cox models of BED at each α/β; the study's α/β is used everywhere else.".into());
    t
}

/// The Robustness section's tables, those the study asks for and the results hold.
pub fn all(results: &Results, study: &Study) -> Vec<Table> {
    let rb = &results.robustness;
    let checks = &study.robustness;
    let conf_level = study.conf_level;
    let mut out = Vec::new();
    if let Some(c) = &rb.competing {
        out.push(competing(c, conf_level));
        out.push(gray(c, study.p_values));
    }
    if let Some(fg) = &rb.fine_gray {
        out.push(fine_gray(fg, conf_level, study.p_values));
    }
    if checks.cluster_robust {
        out.push(models(&results.endpoints, conf_level, study.p_values));
    }
    let refitted: Vec<&EndpointResult> = results.endpoints.iter().filter(|e| e.model.firth_terms.is_some()).collect();
    if !refitted.is_empty() {
        out.push(firth(&refitted, conf_level, study.p_values));
    }
    if checks.ph_test {
        out.push(proportional_hazards(&results.endpoints, study));
    }
    if let Some(f) = &rb.follow_up {
        out.push(follow_up(f, &results.follow_up, conf_level));
    }
    if !rb.stability.is_empty() {
        out.push(bootstrap(&rb.stability, &results.endpoints, study));
    }
    if checks.events_per_variable {
        out.push(events_per_variable(&results.endpoints));
    }
    if !rb.alpha_beta.is_empty() {
        out.push(alpha_beta(results, conf_level, study.p_values));
    }
    out
}
