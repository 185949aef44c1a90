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
use crate::results::model::{Model, ModelTerm, Removal, TermTest};
use crate::study::{Selection, SelectionTest};
use survstat::cox::{
    fit, fit_firth, proportional_hazards_test, CoxData, CoxFit, CoxOptions, CoxTerm, CoxWarning, Ties,
};
use survstat::design::{design_matrix, Covariate, Term};
use survstat::dist::chisq_sf;
use survstat::linalg::{quadratic_form_inverse, Matrix, DEFAULT_TOLER_CHOL};
use survstat::Interval;

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

struct Fitted {
    fit: CoxFit,
    terms: Vec<Term>,
    ids: Vec<String>,
}

/// The model matrix of `cands` on `rows` (all complete): numeric columns as
/// they are, factors as treatment contrasts against their first level
/// present in those rows.
pub fn model_matrix(cands: &[Candidate], rows: &[usize]) -> (Matrix, Vec<Term>) {
    let covs: Vec<Covariate> = cands
        .iter()
        .map(|cand| match cand.variable {
            Variable::Continuous(v) => Covariate::Numeric {
                name: cand.id.into(),
                values: rows.iter().map(|&i| v.get(i).expect("complete")).collect(),
            },
            Variable::Categorical { labels, codes } => {
                let raw: Vec<usize> = rows.iter().map(|&i| codes.get(i).expect("complete")).collect();
                let used = codes.levels_in(rows, labels.len());
                Covariate::Factor {
                    name: cand.id.into(),
                    codes: raw.iter().map(|c| used.iter().position(|u| u == c).expect("used")).collect(),
                    levels: used.iter().map(|&l| labels[l].clone()).collect(),
                    reference: 0,
                }
            }
        })
        .collect();
    design_matrix(&covs, rows.len())
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
        let (x, terms, t, e) = self.design(ids);
        let cl: Option<Vec<usize>> = cluster.map(|c| self.rows.iter().map(|&i| c[i]).collect());
        let data = CoxData { time: &t, event: &e, x: &x, strata: None, cluster: cl.as_deref(), weights: None };
        let fit = fit(&data, &CoxOptions { conf_level: self.conf_level, concordance: false, ..CoxOptions::default() })
            .ok()?;
        Some(Fitted { fit, terms, ids: ids.iter().map(|&c| self.cands[c].id.to_string()).collect() })
    }

    /// The model matrix of candidates `ids` on the complete rows, with times and events.
    fn design(&self, ids: &[usize]) -> (Matrix, Vec<Term>, Vec<f64>, Vec<bool>) {
        let chosen: Vec<Candidate> = ids.iter().map(|&c| self.cands[c]).collect();
        let (x, terms) = model_matrix(&chosen, &self.rows);
        let t: Vec<f64> = self.rows.iter().map(|&i| self.time[i]).collect();
        let e: Vec<bool> = self.rows.iter().map(|&i| self.event[i]).collect();
        (x, terms, t, e)
    }

    /// Test each term of `full`, whose candidates are `current`: the
    /// reduced models on every core at once, or one after another from
    /// [`ONE_FIT_AT_A_TIME_ROWS`] on. Returns the tests, the term with the
    /// largest p (the last of equals) and, with likelihood-ratio tests, the
    /// model without it: the next step's model if that term leaves.
    fn term_tests(&self, full: &Fitted, current: &[usize], test: SelectionTest) -> StepTests {
        let term_test = |&c: &usize| {
            let id = self.cands[c].id;
            let cols: Vec<usize> = (0..full.terms.len())
                .filter(|&j| full.terms[j].variable == id && full.fit.terms[j].coef.is_some())
                .collect();
            let mut reduced = None;
            let (chisq, df) = if test == SelectionTest::Wald {
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
                    reduced = self.fit(&others, None);
                    reduced.as_ref().map(|r| r.fit.loglik)
                };
                match reduced_ll {
                    Some(ll) => ((2.0 * (full.fit.loglik - ll)).max(0.0), cols.len()),
                    None => (0.0, 0),
                }
            };
            let p = if df == 0 { 1.0 } else { chisq_sf(chisq, df as f64) };
            (TermTest { covariate: id.to_string(), chisq, df, p }, reduced)
        };
        let results: Vec<(TermTest, Option<Fitted>)> = if self.rows.len() >= ONE_FIT_AT_A_TIME_ROWS {
            // Only the reduced model that may be the worst term's is kept.
            let mut out: Vec<(TermTest, Option<Fitted>)> = Vec::with_capacity(current.len());
            for c in current {
                let (test, reduced) = term_test(c);
                let worst_so_far = out.iter().all(|(t, _)| test.p.total_cmp(&t.p).is_ge());
                if worst_so_far {
                    out.iter_mut().for_each(|(_, r)| *r = None);
                }
                out.push((test, reduced.filter(|_| worst_so_far)));
            }
            out
        } else {
            crate::parallel_map::map_by_size(self.rows.len(), current, term_test)
        };
        let worst = results.iter().enumerate().max_by(|a, b| a.1 .0.p.total_cmp(&b.1 .0.p)).map_or(0, |(k, _)| k);
        let mut without_worst = None;
        let mut tests = Vec::with_capacity(results.len());
        for (k, (test, reduced)) in results.into_iter().enumerate() {
            if k == worst {
                without_worst = reduced;
            }
            tests.push(test);
        }
        StepTests { tests, worst, without_worst }
    }
}

/// One elimination step's tests of the current model's terms.
struct StepTests {
    tests: Vec<TermTest>,
    /// The term with the largest p (the last of equals).
    worst: usize,
    /// The model without that term, when the tests fitted it.
    without_worst: Option<Fitted>,
}

/// Rows from which an elimination step fits its reduced models one at a
/// time. Each fit of so many rows spreads its own likelihood over every
/// core, so two fits at once gain little, and each holds its own copies of
/// the data (the model matrix and its sorted copy): at a million patients,
/// 0.26 GB more at the eliminations' peak (sampled, 2.04 against 1.78 GB).
const ONE_FIT_AT_A_TIME_ROWS: usize = 500_000;

/// What to compute besides the selected model (the reviewer's checks).
#[derive(Debug, Clone, Copy, Default)]
pub struct Extras<'a> {
    /// Cluster label per row: refit the final model with a cluster-robust variance.
    pub cluster: Option<&'a [usize]>,
    /// Test proportional hazards in the final model.
    pub ph_test: bool,
    /// Refit with Firth's penalty when the final model has monotone likelihood.
    pub firth_if_monotone: bool,
}

/// The reference level of a categorical candidate among the complete rows.
fn reference_level(cand: &Candidate, rows: &[usize]) -> Option<String> {
    match cand.variable {
        Variable::Categorical { labels, codes } => {
            codes.levels_in(rows, labels.len()).first().map(|&l| labels[l].clone())
        }
        Variable::Continuous(_) => None,
    }
}

/// The report's rows of a fitted model's terms.
fn model_terms(terms: &[Term], fitted: &[CoxTerm], cands: &[Candidate], rows: &[usize]) -> Vec<ModelTerm> {
    terms
        .iter()
        .zip(fitted)
        .map(|(term, r)| {
            let cand = cands.iter().find(|c| c.id == term.variable).expect("candidate");
            ModelTerm {
                covariate: term.variable.clone(),
                label: cand.label.to_string(),
                level: term.level.clone(),
                reference: reference_level(cand, rows),
                coef: r.coef,
                se: r.se,
                robust_se: r.robust_se,
                hr: Interval { estimate: r.hr, lower: r.hr_lower, upper: r.hr_upper },
                p: r.p,
            }
        })
        .collect()
}

/// Backward elimination from `cands`, and the `extras` on the final model.
pub fn backward_elimination(
    cands: &[Candidate],
    time: &[f64],
    event: &[bool],
    sel: &Selection,
    conf_level: f64,
    extras: Extras,
) -> Model {
    let rows: Vec<usize> = (0..time.len()).filter(|&i| cands.iter().all(|c| c.variable.present(i))).collect();
    let setting = Setting { cands, rows, time, event, conf_level };
    let candidate_df: usize = cands
        .iter()
        .map(|c| match c.variable {
            Variable::Categorical { labels, codes } => {
                codes.levels_in(&setting.rows, labels.len()).len().saturating_sub(1)
            }
            Variable::Continuous(_) => 1,
        })
        .sum();
    let events = setting.rows.iter().filter(|&&i| event[i]).count();
    let mut model = Model {
        candidates: cands.iter().map(|c| c.id.to_string()).collect(),
        test: sel.test,
        steps: vec![],
        retained: vec![],
        n: setting.rows.len(),
        events,
        n_dropped: time.len() - setting.rows.len(),
        candidate_df,
        events_per_variable: (candidate_df > 0).then(|| events as f64 / candidate_df as f64),
        terms: vec![],
        term_tests: vec![],
        robust_terms: None,
        firth_terms: None,
        ph_test: None,
        warnings: vec![],
    };
    let mut current: Vec<usize> = (0..cands.len()).collect();
    let mut final_fit = None;
    // The model of the next step, when the last step's tests fitted it.
    let mut next = None;
    while !current.is_empty() {
        let Some(full) = next.take().or_else(|| setting.fit(&current, None)) else {
            model
                .warnings
                .push("the multivariable Cox model could not be fitted (no events among the complete rows)".into());
            break;
        };
        let StepTests { tests, worst, without_worst } = setting.term_tests(&full, &current, sel.test);
        let test = &tests[worst];
        if test.p >= sel.retain_p {
            model.steps.push(Removal { removed: test.covariate.clone(), p: test.p });
            current.remove(worst);
            next = without_worst;
            continue;
        }
        model.term_tests = tests;
        final_fit = Some(full);
        break;
    }
    let Some(full) = final_fit else { return model };
    model.retained = full.ids.clone();
    model.warnings = crate::model_text::warning_texts(&full.fit, &full.terms);
    model.terms = model_terms(&full.terms, &full.fit.terms, cands, &setting.rows);
    if let Some(cluster) = extras.cluster {
        model.robust_terms =
            setting.fit(&current, Some(cluster)).map(|f| model_terms(&f.terms, &f.fit.terms, cands, &setting.rows));
    }
    let (x, terms, t, e) = setting.design(&current);
    let data = CoxData { time: &t, event: &e, x: &x, strata: None, cluster: None, weights: None };
    if extras.ph_test {
        let groups: Vec<Vec<usize>> =
            current.iter().map(|&c| (0..terms.len()).filter(|&j| terms[j].variable == cands[c].id).collect()).collect();
        if let Ok(ph) = proportional_hazards_test(&data, &full.fit, Ties::Efron, &groups) {
            let mut out: Vec<TermTest> = current
                .iter()
                .zip(&ph.terms)
                .filter_map(|(&c, t)| {
                    t.map(|t| TermTest { covariate: cands[c].id.to_string(), chisq: t.chisq, df: t.df, p: t.p })
                })
                .collect();
            out.push(TermTest { covariate: "GLOBAL".into(), chisq: ph.global.chisq, df: ph.global.df, p: ph.global.p });
            model.ph_test = Some(out);
        }
    }
    let monotone = full.fit.warnings.iter().any(|w| matches!(w, CoxWarning::MayBeInfinite(_)));
    if extras.firth_if_monotone && monotone {
        if let Ok(f) = fit_firth(&data, conf_level) {
            let as_cox: Vec<CoxTerm> = f
                .terms
                .iter()
                .map(|r| CoxTerm {
                    coef: Some(r.coef),
                    se: Some(r.se),
                    robust_se: None,
                    z: Some(r.z),
                    p: Some(r.p),
                    hr: Some(r.hr),
                    hr_lower: r.hr_lower,
                    hr_upper: r.hr_upper,
                })
                .collect();
            model.firth_terms = Some(model_terms(&terms, &as_cox, cands, &setting.rows));
        }
    }
    model
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A term that leaves makes the next step's model the reduced model its
    /// test fitted; the selected model is the same, bit for bit, as a fit
    /// of the retained covariates on their own.
    #[test]
    fn the_model_after_a_removal_is_the_fit_of_what_remains() {
        let n = 300;
        let value = |i: usize, k: usize| ((i * (7 + 4 * k) + 3 * k) % 101) as f64 / 50.0 - 1.0;
        let strong: Variable = Variable::Continuous((0..n).map(|i| Some(value(i, 0))).collect());
        let noise: Variable = Variable::Continuous((0..n).map(|i| Some(value(i, 1))).collect());
        let other: Variable = Variable::Continuous((0..n).map(|i| Some(value(i, 2))).collect());
        let time: Vec<f64> = (0..n).map(|i| (1.0 + (i * 37 % 211) as f64) * (-1.5 * value(i, 0)).exp()).collect();
        let event: Vec<bool> = (0..n).map(|i| i % 4 != 0).collect();
        let cands = [
            Candidate { id: "noise", label: "Noise", variable: &noise },
            Candidate { id: "strong", label: "Strong", variable: &strong },
            Candidate { id: "other", label: "Other", variable: &other },
        ];
        let sel = Selection { screen_p: 0.1, retain_p: 0.05, test: SelectionTest::LikelihoodRatio };
        let m = backward_elimination(&cands, &time, &event, &sel, 0.95, Extras::default());
        assert!(!m.steps.is_empty() && m.retained.contains(&"strong".to_string()), "{:?} {:?}", m.steps, m.retained);
        let kept: Vec<Candidate> = cands.iter().copied().filter(|c| m.retained.iter().any(|r| r == c.id)).collect();
        let rows: Vec<usize> = (0..n).collect();
        let (x, _) = model_matrix(&kept, &rows);
        let data = CoxData { time: &time, event: &event, x: &x, strata: None, cluster: None, weights: None };
        let direct = fit(&data, &CoxOptions { concordance: false, ..CoxOptions::default() }).unwrap();
        for (got, want) in m.terms.iter().zip(&direct.terms) {
            assert_eq!(got.coef.map(f64::to_bits), want.coef.map(f64::to_bits));
            assert_eq!(got.se.map(f64::to_bits), want.se.map(f64::to_bits));
        }
        assert_eq!(m.terms.len(), direct.terms.len());
    }

    /// A level without events makes the Cox coefficient run off to infinity
    /// (monotone likelihood): the model warns, and the Firth refit is finite.
    #[test]
    fn monotone_likelihood_brings_a_firth_refit() {
        let n = 60;
        let time: Vec<f64> = (0..n).map(|i| 1.0 + (i * 7 % 23) as f64).collect();
        let codes = (0..n).map(|i| Some(i % 2)).collect();
        let event: Vec<bool> = (0..n).map(|i| i % 2 == 0 && i % 3 != 0).collect();
        let var = Variable::Categorical { labels: vec!["events".into(), "none".into()], codes };
        let cands = [Candidate { id: "g", label: "Group", variable: &var }];
        let sel = Selection { screen_p: 0.1, retain_p: 0.05, test: SelectionTest::LikelihoodRatio };
        let extras = Extras { cluster: None, ph_test: true, firth_if_monotone: true };
        let m = backward_elimination(&cands, &time, &event, &sel, 0.95, extras);
        assert_eq!(m.retained, vec!["g".to_string()]);
        assert!(m.warnings.iter().any(|w| w.contains("may be infinite")), "{:?}", m.warnings);
        let firth = m.firth_terms.expect("Firth refit");
        let hr = firth[0].hr.estimate.unwrap();
        assert!(hr.is_finite() && hr > 0.0 && hr < 0.2, "{hr}");
        assert!(firth[0].hr.upper.unwrap().is_finite());
        assert!(m.ph_test.is_some());
    }
}
