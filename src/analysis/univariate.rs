//! The univariate screen of one endpoint (the paper's Tables 3-4, left
//! half): for a categorical covariate the Kaplan-Meier rate of each level
//! at the first landmark and the log-rank p across levels; for a
//! continuous one the univariate Cox model's Wald p (and HR per unit).
//! Rows missing the covariate are left out of that covariate's analysis.

use super::survival::fit_curve;
use super::variables::Variable;
use crate::results::model::{LevelRate, ScreenTest, Univariate};
use survstat::cox::{fit, CoxData, CoxOptions};
use survstat::design::{design_matrix, Covariate};
use survstat::km::ConfSpec;
use survstat::logrank::logrank;
use survstat::Interval;

/// The univariate test of a covariate on the rows where it is present.
#[derive(Debug, Clone, PartialEq)]
pub struct Test {
    /// Which test.
    pub name: ScreenTest,
    /// Statistic.
    pub chisq: Option<f64>,
    /// Degrees of freedom.
    pub df: Option<usize>,
    /// p-value.
    pub p: Option<f64>,
    /// HR per unit (continuous) with limits.
    pub hr: Interval,
    /// Why there is no test, or a caution.
    pub note: Option<String>,
}

/// Log-rank test (categorical) or univariate Cox Wald test (continuous) of `var`.
pub fn test(var: &Variable, time: &[f64], event: &[bool], conf_level: f64) -> Test {
    let rows: Vec<usize> = (0..time.len()).filter(|&i| var.present(i)).collect();
    let t: Vec<f64> = rows.iter().map(|&i| time[i]).collect();
    let e: Vec<bool> = rows.iter().map(|&i| event[i]).collect();
    let mut out =
        Test { name: ScreenTest::LogRank, chisq: None, df: None, p: None, hr: Interval::default(), note: None };
    match var {
        Variable::Categorical { labels, codes } => {
            let g: Vec<usize> = rows.iter().map(|&i| codes.get(i).expect("present")).collect();
            match logrank(&t, &e, &g, labels.len(), None) {
                Ok(r) => (out.chisq, out.df, out.p) = (Some(r.chisq), Some(r.df), Some(r.p)),
                Err(err) => out.note = Some(format!("no log-rank test: {err}")),
            }
        }
        Variable::Continuous(values) => {
            out.name = ScreenTest::CoxWald;
            let x: Vec<f64> = rows.iter().map(|&i| values.get(i).expect("present")).collect();
            let (m, _) = design_matrix(&[Covariate::Numeric { name: String::new(), values: x.into() }], rows.len());
            let data = CoxData { time: &t, event: &e, x: &m, strata: None, cluster: None, weights: None };
            match fit(&data, &CoxOptions { conf_level, concordance: false, ..CoxOptions::default() }) {
                Ok(f) => {
                    let term = &f.terms[0];
                    out.chisq = term.z.map(|z| z * z);
                    out.df = Some(1);
                    out.p = term.p;
                    out.hr = Interval { estimate: term.hr, lower: term.hr_lower, upper: term.hr_upper };
                    if !f.warnings.is_empty() {
                        out.note = Some("the Cox fit warned (constant covariate or monotone likelihood); the Wald p is not reliable".into());
                    }
                }
                Err(err) => out.note = Some(format!("no Cox model: {err}")),
            }
        }
    }
    out
}

/// Screen one covariate against an endpoint: its test, and each level's curve.
pub fn screen(
    id: &str,
    label: &str,
    var: &Variable,
    time: &[f64],
    event: &[bool],
    conf: ConfSpec,
    landmarks: &[f64],
) -> Univariate {
    let rows: Vec<usize> = (0..time.len()).filter(|&i| var.present(i)).collect();
    let tested = test(var, time, event, conf.level);
    let mut levels = Vec::new();
    if let Variable::Categorical { labels, codes } = var {
        for (l, name) in labels.iter().enumerate() {
            let idx: Vec<usize> = rows.iter().copied().filter(|&i| codes.get(i) == Some(l)).collect();
            let lt: Vec<f64> = idx.iter().map(|&i| time[i]).collect();
            let le: Vec<bool> = idx.iter().map(|&i| event[i]).collect();
            let curve = fit_curve(name, &lt, &le, conf, landmarks);
            levels.push(LevelRate { label: name.clone(), n: curve.n, events: curve.events, curve });
        }
    }
    Univariate {
        covariate: id.into(),
        label: label.into(),
        test: tested.name,
        n: rows.len(),
        n_missing: time.len() - rows.len(),
        levels,
        chisq: tested.chisq,
        df: tested.df,
        p: tested.p,
        hr: tested.hr,
        note: tested.note,
    }
}
