//! The univariate screen of one endpoint (the paper's Tables 3-4, left
//! half): for a categorical covariate the Kaplan-Meier rate of each level
//! at the first landmark and the log-rank p across levels; for a
//! continuous one the univariate Cox model's Wald p (and HR per unit).
//! Rows missing the covariate are left out of that covariate's analysis.

use super::survival::Curve;
use super::variables::Variable;
use serde::Serialize;
use survstat::cox::{fit, CoxData, CoxOptions};
use survstat::design::{design_matrix, Covariate};
use survstat::km::ConfSpec;
use survstat::logrank::logrank;

/// One level's rate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LevelRate {
    /// Level label.
    pub label: String,
    /// Rows in the level.
    pub n: usize,
    /// Events in the level.
    pub events: usize,
    /// The Kaplan-Meier curve of the level.
    pub curve: Curve,
}

/// The screen's result for one covariate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Univariate {
    /// Covariate id.
    pub covariate: String,
    /// Covariate label.
    pub label: String,
    /// `log-rank` or `cox-wald`.
    pub test: String,
    /// Rows used.
    pub n: usize,
    /// Rows without a value.
    pub n_missing: usize,
    /// Levels (categorical).
    pub levels: Vec<LevelRate>,
    /// Test statistic.
    pub chisq: Option<f64>,
    /// Degrees of freedom.
    pub df: Option<usize>,
    /// p-value; `None` when no test is possible.
    pub p: Option<f64>,
    /// HR per unit (continuous).
    pub hr: Option<f64>,
    /// Its lower limit.
    pub hr_lower: Option<f64>,
    /// Its upper limit.
    pub hr_upper: Option<f64>,
    /// Why there is no test, or a caution.
    pub note: Option<String>,
}

/// Screen one covariate against an endpoint.
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
    let t: Vec<f64> = rows.iter().map(|&i| time[i]).collect();
    let e: Vec<bool> = rows.iter().map(|&i| event[i]).collect();
    let mut out = Univariate {
        covariate: id.into(),
        label: label.into(),
        test: String::new(),
        n: rows.len(),
        n_missing: time.len() - rows.len(),
        levels: vec![],
        chisq: None,
        df: None,
        p: None,
        hr: None,
        hr_lower: None,
        hr_upper: None,
        note: None,
    };
    match var {
        Variable::Categorical { labels, codes } => {
            out.test = "log-rank".into();
            let g: Vec<usize> = rows.iter().map(|&i| codes[i].expect("present")).collect();
            for (l, name) in labels.iter().enumerate() {
                let idx: Vec<usize> = (0..g.len()).filter(|&k| g[k] == l).collect();
                let lt: Vec<f64> = idx.iter().map(|&k| t[k]).collect();
                let le: Vec<bool> = idx.iter().map(|&k| e[k]).collect();
                let curve = Curve::fit(name, &lt, &le, conf, landmarks);
                out.levels.push(LevelRate { label: name.clone(), n: curve.n, events: curve.events, curve });
            }
            match logrank(&t, &e, &g, labels.len(), None) {
                Ok(r) => {
                    out.chisq = Some(r.chisq);
                    out.df = Some(r.df);
                    out.p = Some(r.p);
                }
                Err(err) => out.note = Some(format!("no log-rank test: {err}")),
            }
        }
        Variable::Continuous(values) => {
            out.test = "cox-wald".into();
            let x: Vec<f64> = rows.iter().map(|&i| values[i].expect("present")).collect();
            let (m, _) = design_matrix(&[Covariate::Numeric { name: id.into(), values: x }], rows.len());
            let data = CoxData { time: &t, event: &e, x: &m, strata: None, cluster: None };
            match fit(&data, &CoxOptions { conf_level: conf.level, ..CoxOptions::default() }) {
                Ok(f) => {
                    let term = &f.terms[0];
                    out.chisq = term.z.map(|z| z * z);
                    out.df = Some(1);
                    out.p = term.p;
                    out.hr = term.hr;
                    out.hr_lower = term.hr_lower;
                    out.hr_upper = term.hr_upper;
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
