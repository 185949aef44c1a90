//! Multivariable Cox model by backward elimination (the paper's Tables
//! 3-4, right half).
//!
//! The candidates are the covariates whose univariate p is below the
//! screening threshold. All fits use the same rows, those complete on every
//! candidate, so that nested models are comparable. At each step every
//! term of the current model is tested, a multi-level factor as one term
//! with as many degrees of freedom as it has estimable columns: by the
//! likelihood-ratio test against the model without it (R's
//! `drop1(fit, test = "Chisq")`) or by its Wald test
//! `β_Tᵀ V_TT⁻¹ β_T`. The term with the largest p leaves when that p is not
//! below the retention threshold; elimination stops when every remaining
//! term is retained or none is left.

use super::variables::Variable;
use crate::study::Selection;
use serde::Serialize;
use survstat::cox::{fit, CoxData, CoxFit, CoxOptions};
use survstat::design::{design_matrix, Covariate, Term};
use survstat::dist::chisq_sf;
use survstat::linalg::{quadratic_form_inverse, Matrix, DEFAULT_TOLER_CHOL};

/// A candidate covariate.
#[derive(Debug, Clone, Copy)]
pub struct Candidate<'a> {
    /// Study id.
    pub id: &'a str,
    /// Label.
    pub label: &'a str,
    /// Values per row.
    pub variable: &'a Variable,
}

/// One coefficient of the final model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelTerm {
    /// Covariate id.
    pub covariate: String,
    /// Covariate label.
    pub label: String,
    /// Level compared with the reference (categorical).
    pub level: Option<String>,
    /// The reference level (categorical).
    pub reference: Option<String>,
    /// log HR.
    pub coef: Option<f64>,
    /// Its standard error.
    pub se: Option<f64>,
    /// Cluster-robust standard error, when the model is clustered.
    pub robust_se: Option<f64>,
    /// HR.
    pub hr: Option<f64>,
    /// Lower confidence limit.
    pub hr_lower: Option<f64>,
    /// Upper confidence limit.
    pub hr_upper: Option<f64>,
    /// Wald p of the coefficient.
    pub p: Option<f64>,
}

/// The test of one term.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TermTest {
    /// Covariate id.
    pub covariate: String,
    /// Statistic.
    pub chisq: f64,
    /// Degrees of freedom.
    pub df: usize,
    /// p-value.
    pub p: f64,
}

/// A step of the elimination.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    /// Covariate removed.
    pub removed: String,
    /// Its p at removal.
    pub p: f64,
}

/// The selected model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Model {
    /// Candidate ids, in study order.
    pub candidates: Vec<String>,
    /// Test used (`likelihood_ratio` or `wald`).
    pub test: String,
    /// Removals in order.
    pub steps: Vec<Step>,
    /// Retained ids.
    pub retained: Vec<String>,
    /// Rows used (complete on all candidates).
    pub n: usize,
    /// Events among them.
    pub events: usize,
    /// Rows left out for a missing candidate value.
    pub n_dropped: usize,
    /// Coefficients of the final model.
    pub terms: Vec<ModelTerm>,
    /// Term tests of the final model.
    pub term_tests: Vec<TermTest>,
    /// Warnings of the final fit, in words.
    pub warnings: Vec<String>,
}

struct Fitted {
    fit: CoxFit,
    terms: Vec<Term>,
    ids: Vec<String>,
}

/// The fixed setting of an elimination: candidates, the complete rows, the outcome.
struct Setting<'a> {
    cands: &'a [Candidate<'a>],
    rows: Vec<usize>,
    time: &'a [f64],
    event: &'a [bool],
    conf_level: f64,
}

impl Setting<'_> {
    /// Fit the model with candidates `ids` (indices into `cands`) on the complete rows.
    fn fit(&self, ids: &[usize], cluster: Option<&[usize]>) -> Option<Fitted> {
        let rows = &self.rows;
        let mut covs = Vec::new();
        for &c in ids {
            let cand = self.cands[c];
            covs.push(match cand.variable {
                Variable::Continuous(v) => Covariate::Numeric {
                    name: cand.id.into(),
                    values: rows.iter().map(|&i| v[i].expect("complete")).collect(),
                },
                Variable::Categorical { labels, codes } => {
                    let raw: Vec<usize> = rows.iter().map(|&i| codes[i].expect("complete")).collect();
                    let used: Vec<usize> = (0..labels.len()).filter(|l| raw.contains(l)).collect();
                    Covariate::Factor {
                        name: cand.id.into(),
                        codes: raw.iter().map(|c| used.iter().position(|u| u == c).expect("used")).collect(),
                        levels: used.iter().map(|&l| labels[l].clone()).collect(),
                        reference: 0,
                    }
                }
            });
        }
        let (x, terms) = design_matrix(&covs, rows.len());
        let t: Vec<f64> = rows.iter().map(|&i| self.time[i]).collect();
        let e: Vec<bool> = rows.iter().map(|&i| self.event[i]).collect();
        let cl: Option<Vec<usize>> = cluster.map(|c| rows.iter().map(|&i| c[i]).collect());
        let data = CoxData { time: &t, event: &e, x: &x, strata: None, cluster: cl.as_deref() };
        let fit = fit(&data, &CoxOptions { conf_level: self.conf_level, ..CoxOptions::default() }).ok()?;
        Some(Fitted { fit, terms, ids: ids.iter().map(|&c| self.cands[c].id.to_string()).collect() })
    }

    /// Test each term of `full`, whose candidates are `current`.
    fn term_tests(&self, full: &Fitted, current: &[usize], test: &str) -> Vec<TermTest> {
        current
            .iter()
            .map(|&c| {
                let id = self.cands[c].id;
                let cols: Vec<usize> = (0..full.terms.len())
                    .filter(|&j| full.terms[j].variable == id && full.fit.terms[j].coef.is_some())
                    .collect();
                let (chisq, df) = if test == "wald" {
                    let v = Matrix {
                        nrow: cols.len(),
                        ncol: cols.len(),
                        data: cols.iter().flat_map(|&a| cols.iter().map(move |&b| full.fit.var.get(a, b))).collect(),
                    };
                    let b: Vec<f64> = cols.iter().map(|&j| full.fit.terms[j].coef.expect("estimable")).collect();
                    quadratic_form_inverse(&v, &b, DEFAULT_TOLER_CHOL)
                } else {
                    let others: Vec<usize> = current.iter().copied().filter(|&o| o != c).collect();
                    let reduced_ll = if others.is_empty() {
                        Some(full.fit.loglik_null)
                    } else {
                        self.fit(&others, None).map(|r| r.fit.loglik)
                    };
                    match reduced_ll {
                        Some(ll) => ((2.0 * (full.fit.loglik - ll)).max(0.0), cols.len()),
                        None => (0.0, 0),
                    }
                };
                let p = if df == 0 { 1.0 } else { chisq_sf(chisq, df as f64) };
                TermTest { covariate: id.to_string(), chisq, df, p }
            })
            .collect()
    }
}

/// Backward elimination from `cands`; `cluster` (per row) makes the final
/// model's Wald results cluster-robust.
pub fn backward_elimination(
    cands: &[Candidate],
    time: &[f64],
    event: &[bool],
    sel: &Selection,
    conf_level: f64,
    cluster: Option<&[usize]>,
) -> Model {
    let rows: Vec<usize> = (0..time.len()).filter(|&i| cands.iter().all(|c| c.variable.present(i))).collect();
    let setting = Setting { cands, rows, time, event, conf_level };
    let mut model = Model {
        candidates: cands.iter().map(|c| c.id.to_string()).collect(),
        test: sel.test.clone(),
        steps: vec![],
        retained: vec![],
        n: setting.rows.len(),
        events: setting.rows.iter().filter(|&&i| event[i]).count(),
        n_dropped: time.len() - setting.rows.len(),
        terms: vec![],
        term_tests: vec![],
        warnings: vec![],
    };
    let mut current: Vec<usize> = (0..cands.len()).collect();
    let mut final_fit = None;
    while !current.is_empty() {
        let Some(full) = setting.fit(&current, None) else {
            model
                .warnings
                .push("the multivariable Cox model could not be fitted (no events among the complete rows)".into());
            break;
        };
        let tests = setting.term_tests(&full, &current, &sel.test);
        let (worst, test) = tests.iter().enumerate().max_by(|a, b| a.1.p.total_cmp(&b.1.p)).expect("non-empty");
        if test.p >= sel.retain_p {
            model.steps.push(Step { removed: test.covariate.clone(), p: test.p });
            current.remove(worst);
            continue;
        }
        model.term_tests = tests;
        final_fit = Some(full);
        break;
    }
    let Some(full) = final_fit else { return model };
    // The reported fit: clustered when asked (coefficients are the same).
    let reported = if cluster.is_some() { setting.fit(&current, cluster).unwrap_or(full) } else { full };
    model.retained = reported.ids.clone();
    model.warnings = crate::model_text::warning_texts(&reported.fit, &reported.terms);
    for (j, term) in reported.terms.iter().enumerate() {
        let cand = cands.iter().find(|c| c.id == term.variable).expect("candidate");
        let reference = match cand.variable {
            Variable::Categorical { labels, codes } => {
                let first_used = (0..labels.len()).find(|l| setting.rows.iter().any(|&i| codes[i] == Some(*l)));
                first_used.map(|l| labels[l].clone())
            }
            Variable::Continuous(_) => None,
        };
        let r = &reported.fit.terms[j];
        model.terms.push(ModelTerm {
            covariate: term.variable.clone(),
            label: cand.label.to_string(),
            level: term.level.clone(),
            reference,
            coef: r.coef,
            se: r.se,
            robust_se: r.robust_se,
            hr: r.hr,
            hr_lower: r.hr_lower,
            hr_upper: r.hr_upper,
            p: r.p,
        });
    }
    model
}
