//! Adjusted survival curves for a figure (`adjust_for` in the study):
//! direct adjustment (Makuch 1982), as R's
//! `rowMeans(survfit(coxph(Surv(t, e) ~ by + z), newdata = d_g)$surv)` with
//! `d_g` the model's rows with `by` set to level g.
//!
//! The Cox model (Efron ties) of the figure's factor and the covariates is
//! fitted on the rows complete on all of them. For each level g of the
//! factor present there, every row's covariates are kept and its factor
//! set to g; the level's curve is the mean of these profiles' predicted
//! curves `exp(−Λ₀(t) exp(zᵀβ))`. Unlike curves at the covariates' means
//! (a "typical" patient who may not exist), each curve answers "if every
//! patient of the cohort had level g". The factor's p is the
//! likelihood-ratio test of the model against the one without the factor.

use super::selection::{model_matrix, Candidate};
use super::variables::Variable;
use crate::results::{AdjustedCurve, Adjustment};
use survstat::cox::{fit, CoxBaseline, CoxData, CoxOptions, Ties};
use survstat::dist::chisq_sf;

/// The adjusted curves of factor `by` (first candidate) given the other
/// `candidates`, over the endpoint's `time` and `event`.
pub fn adjusted_curves(candidates: &[Candidate], time: &[f64], event: &[bool]) -> Result<Adjustment, String> {
    let rows: Vec<usize> = (0..time.len()).filter(|&i| candidates.iter().all(|c| c.variable.present(i))).collect();
    let Variable::Categorical { labels, codes } = candidates[0].variable else {
        return Err("the adjusted factor must be categorical".into());
    };
    let t: Vec<f64> = rows.iter().map(|&i| time[i]).collect();
    let e: Vec<bool> = rows.iter().map(|&i| event[i]).collect();
    let fit_of = |cands: &[Candidate]| {
        let (x, terms) = model_matrix(cands, &rows);
        let data = CoxData { time: &t, event: &e, x: &x, strata: None, cluster: None, weights: None };
        fit(&data, &CoxOptions { concordance: false, ..CoxOptions::default() })
            .map(|f| (f, x, terms))
            .map_err(|err| err.to_string())
    };
    let (full, x, terms) = fit_of(candidates)?;
    if full.terms.iter().any(|term| term.coef.is_none()) {
        return Err("a column of the adjusted model is not estimable".into());
    }
    let (reduced, _, _) = fit_of(&candidates[1..])?;
    let by_columns: Vec<usize> = (0..terms.len()).filter(|&j| terms[j].variable == candidates[0].id).collect();
    let df = by_columns.len();
    let chisq = 2.0 * (full.loglik - reduced.loglik);
    let p = (df > 0).then(|| chisq_sf(chisq.max(0.0), df as f64));
    let data = CoxData { time: &t, event: &e, x: &x, strata: None, cluster: None, weights: None };
    let baseline = CoxBaseline::new(&data, &full, Ties::Efron).map_err(|err| err.to_string())?;
    let present = codes.levels_in(&rows, labels.len());
    let curves = present
        .iter()
        .map(|&l| {
            let mut profiles = x.clone();
            for k in 0..profiles.nrow {
                for &j in &by_columns {
                    let is_level = terms[j].level.as_deref() == Some(labels[l].as_str());
                    *profiles.get_mut(k, j) = if is_level { 1.0 } else { 0.0 };
                }
            }
            let points = baseline.average_survival(&profiles).map_err(|err| err.to_string())?;
            Ok(AdjustedCurve { label: labels[l].clone(), points })
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(Adjustment {
        adjusted_for: candidates[1..].iter().map(|c| c.label.to_string()).collect(),
        n: rows.len(),
        events: e.iter().filter(|&&e| e).count(),
        curves,
        p,
    })
}
