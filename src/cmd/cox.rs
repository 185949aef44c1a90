//! `sbrt cox`: Cox proportional hazards regression from any CSV file.
//!
//! Its usage is [`CoxArgs`], whose doc comments `sbrt cox --help` prints
//! (and `docs/cli.md` reproduces).

use crate::json::{num, opt};
use crate::model_text::warning_texts;
use crate::problem::InputProblems;
use crate::survival_data::SurvivalData;
use clap::{Args, ValueEnum};
use serde_json::{json, Value};
use survstat::cox::{
    fit, fit_counting, fit_firth, proportional_hazards_test, proportional_hazards_test_counting, ChisqTest,
    CoxBaseline, CoxData, CoxFit, CoxOptions, FirthFit, Ties,
};
use survstat::design::Term;

/// Cox proportional hazards model (R coxph) from a CSV file.
///
/// As R's `coxph(Surv(time, event) ~ A + B + C [+ strata(s)], ties = ,
/// cluster = )`. A covariate that is not all numeric is a factor (also one
/// named in `--factor`); its first level is the reference unless
/// `--reference` names another, and its terms are named `variable=level`.
/// `--firth` fits the Firth-penalised model instead (`coxphf`), `--zph`
/// adds the proportional-hazards test (`cox.zph`), `--predict` the
/// predicted survival of a covariate profile (`survfit(fit, newdata)`:
/// `"predicted":[{"time","surv","std_err","lower","upper"}]` and
/// `"baseline_cumhaz":[{"time","cumhaz"}]` at covariates 0).
/// With `--json`: `{"n","events","n_dropped","iterations","loglik_null",
/// "loglik","terms":[..],"tests":{..},"concordance":{..},"warnings":[..]}`,
/// and `"n_zero_weight"` with `--weights`.
#[derive(Debug, Args)]
pub struct CoxArgs {
    #[command(flatten)]
    pub input: super::inputs::SurvivalInput,
    #[command(flatten)]
    pub model: super::inputs::CovariateArgs,
    /// Method for tied event times (default efron; breslow with --firth, as coxphf).
    #[arg(long, value_enum)]
    pub ties: Option<TiesArg>,
    /// Column defining strata (separate baseline hazards).
    #[arg(long)]
    pub strata: Option<String>,
    /// Column identifying clusters (e.g. patient id) for a robust variance.
    #[arg(long)]
    pub cluster: Option<String>,
    /// Robust (sandwich) variance with every row its own cluster (R robust = TRUE);
    /// with --start rows are not subjects: give --cluster with the subject id instead.
    #[arg(long, conflicts_with_all = ["cluster", "firth", "start"])]
    pub robust: bool,
    /// Column of entry times: each row is at risk on (start, time] —
    /// time-dependent covariates as several rows per subject, delayed entry
    /// (R Surv(start, stop, event)).
    #[arg(long, conflicts_with_all = ["firth", "predict"])]
    pub start: Option<String>,
    /// Column of case weights (each >= 0; rows of weight 0 are dropped and
    /// counted), as R coxph(weights = ): weighted Efron or Breslow; a weight
    /// that is not a whole number makes the variance robust, as in R; with
    /// --predict, the weighted baseline (R survfit(fit, newdata)).
    #[arg(long, conflicts_with = "firth")]
    pub weights: Option<String>,
    /// Firth-penalised fit for monotone likelihood (Heinze & Schemper 2001, as R coxphf):
    /// profile penalised-likelihood intervals and penalised likelihood-ratio p-values.
    #[arg(long, conflicts_with_all = ["strata", "cluster", "zph"])]
    pub firth: bool,
    /// Also test proportional hazards (R cox.zph, transform "km"), per covariate and globally.
    #[arg(long)]
    pub zph: bool,
    /// Predicted survival for a covariate profile, VAR=VALUE,… (every model
    /// column; factor levels by label), at the --at times (R survfit(fit, newdata)),
    /// with the baseline cumulative hazard.
    #[arg(long, requires = "at", conflicts_with_all = ["firth", "strata"])]
    pub predict: Option<String>,
    /// Times at which to report the predicted survival, comma-separated.
    #[arg(long, value_delimiter = ',', value_parser = super::inputs::time_arg, requires = "predict")]
    pub at: Vec<f64>,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// `--ties` values.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum TiesArg {
    /// Efron's approximation (R's default)
    Efron,
    /// Breslow's approximation
    Breslow,
}

fn test_json(t: &ChisqTest) -> Value {
    json!({"chisq": num(t.chisq), "df": t.df, "p": num(t.p)})
}

/// Put the data's warnings first in a fit's JSON `warnings`.
fn with_data_warnings(out: &mut Value, data_warnings: &[String]) {
    let fit_warnings = out["warnings"].take();
    let mut all: Vec<Value> = data_warnings.iter().map(|w| Value::from(w.as_str())).collect();
    all.extend(fit_warnings.as_array().cloned().unwrap_or_default());
    out["warnings"] = Value::Array(all);
}

/// The JSON of a fitted model.
pub fn fit_json(fit: &CoxFit, terms: &[Term], n_dropped: usize) -> Value {
    json!({
        "n": fit.n,
        "events": fit.events,
        "n_dropped": n_dropped,
        "iterations": fit.iterations,
        "loglik_null": num(fit.loglik_null),
        "loglik": num(fit.loglik),
        "terms": terms.iter().zip(&fit.terms).map(|(t, r)| json!({
            "term": t.name, "variable": t.variable, "level": t.level,
            "coef": opt(r.coef), "se": opt(r.se), "robust_se": opt(r.robust_se), "z": opt(r.z), "p": opt(r.p),
            "hr": opt(r.hr), "hr_lower": opt(r.hr_lower), "hr_upper": opt(r.hr_upper),
        })).collect::<Vec<_>>(),
        "tests": {
            "likelihood_ratio": test_json(&fit.likelihood_ratio),
            "wald": test_json(&fit.wald),
            "score": test_json(&fit.score),
        },
        "concordance": match &fit.concordance {
            Some(c) => json!({"estimate": num(c.estimate), "se": num(c.se)}),
            None => json!({"estimate": null, "se": null}),
        },
        "warnings": warning_texts(fit, terms),
    })
}

/// The JSON of a Firth fit: the `cox` shape, p from penalised likelihood-ratio
/// tests and limits from the profile penalised likelihood.
pub fn firth_json(f: &FirthFit, terms: &[Term], n_dropped: usize) -> Value {
    json!({
        "method": "firth",
        "n": f.n,
        "events": f.events,
        "n_dropped": n_dropped,
        "iterations": f.iterations,
        "loglik_null": num(f.loglik_null),
        "loglik": num(f.loglik),
        "terms": terms.iter().zip(&f.terms).map(|(t, r)| json!({
            "term": t.name, "variable": t.variable, "level": t.level,
            "coef": num(r.coef), "se": num(r.se), "robust_se": null, "z": num(r.z), "p": num(r.p),
            "hr": num(r.hr), "hr_lower": opt(r.hr_lower), "hr_upper": opt(r.hr_upper),
        })).collect::<Vec<_>>(),
        "tests": {"likelihood_ratio": test_json(&f.likelihood_ratio), "wald": null, "score": null},
        "concordance": {"estimate": null, "se": null},
        "warnings": f.unbounded_limits.iter().map(|&j| format!(
            "the profile penalised-likelihood limit of '{}' could not be found within a wide search: it is reported as unbounded (null)",
            terms[j].name.clone()
        )).collect::<Vec<_>>(),
    })
}

fn print_firth(f: &FirthFit, terms: &[Term], n_dropped: usize) {
    println!(
        "Firth-penalised Cox model (Breslow ties): n = {}, events = {}, rows dropped for missing values = {}",
        f.n, f.events, n_dropped
    );
    println!();
    let g = |v: f64| format!("{v:.4}");
    println!(
        "{:<24} {:>10} {:>10} {:>10} {:>11} {:>10} {:>10}",
        "", "coef", "exp(coef)", "se(coef)", "p (pen. LR)", "lower .95", "upper .95"
    );
    for (t, r) in terms.iter().zip(&f.terms) {
        let o = |v: Option<f64>| super::print::number_or_na(v, 4);
        println!(
            "{:<24} {:>10} {:>10} {:>10} {:>11} {:>10} {:>10}",
            crate::inert::terminal(&t.name),
            g(r.coef),
            g(r.hr),
            g(r.se),
            format!("{:.3e}", r.p),
            o(r.hr_lower),
            o(r.hr_upper)
        );
    }
    println!();
    let lr = &f.likelihood_ratio;
    println!("Penalised likelihood ratio test = {:.2} on {} df, p = {:.3e}", lr.chisq, lr.df, lr.p);
    println!("Limits are profile penalised-likelihood limits; p-values are penalised likelihood-ratio tests.");
}

/// Run `sbrt cox`.
pub fn run(args: &CoxArgs) -> anyhow::Result<()> {
    let mut others = args.model.columns();
    others.extend(args.strata.as_deref());
    others.extend(args.cluster.as_deref());
    others.extend(args.start.as_deref());
    others.extend(args.weights.as_deref());
    let (formula, references) = args.model.check(&args.input.file.display().to_string())?;
    let mut labels: Vec<&str> = args.model.factor.iter().map(String::as_str).collect();
    labels.extend(args.strata.as_deref());
    labels.extend(args.cluster.as_deref());
    let table = args.input.read(&others, &labels)?;
    let mut data = SurvivalData::new(&table, &args.input.time, &args.input.event, &others)?;
    let weights = args.weights.as_deref().map(|w| data.weights(w)).transpose()?;
    let entry = args.start.as_deref().map(|s| data.entries(s)).transpose()?;
    data.print_warnings();
    if args.input.explain_dropped {
        data.explain_dropped();
    }
    let (covariates, x, terms) = args.model.design(&data, &formula, &references)?;
    let strata = data.strata(args.strata.as_deref())?;
    // Clusters (patients) may be as many as rows: the sandwich costs O(n p).
    let cluster = args
        .cluster
        .as_deref()
        .map(|c| data.levels(c, "a --cluster column", usize::MAX).map(|l| l.codes))
        .transpose()
        .map_err(InputProblems::one)?
        .or_else(|| args.robust.then(|| (0..data.n()).collect()));
    let ties = match (args.ties, args.firth) {
        (Some(TiesArg::Efron), true) => {
            return Err(
                InputProblems::usage(&table.file, "--firth uses Breslow ties (as coxphf): drop --ties efron").into()
            )
        }
        (Some(TiesArg::Breslow), _) | (None, true) => Ties::Breslow,
        (Some(TiesArg::Efron), false) | (None, false) => Ties::Efron,
    };
    let options = CoxOptions { ties, ..CoxOptions::default() };
    let cox_data = CoxData {
        time: &data.time,
        event: &data.event,
        x: &x,
        strata: strata.as_deref(),
        cluster: cluster.as_deref(),
        weights: weights.as_deref(),
    };
    if args.firth {
        let f = fit_firth(&cox_data, options.conf_level)
            .map_err(|e| InputProblems::usage(&table.file, format!("Firth-penalised Cox model not possible: {e}")))?;
        if args.json {
            let mut out = firth_json(&f, &terms, data.n_dropped);
            with_data_warnings(&mut out, &data.warnings);
            println!("{}", serde_json::to_string_pretty(&out)?);
        } else {
            print_firth(&f, &terms, data.n_dropped);
        }
        return Ok(());
    }
    let result = match &entry {
        None => fit(&cox_data, &options),
        Some(entry) => fit_counting(&cox_data, entry, &options),
    }
    .map_err(|e| InputProblems::usage(&table.file, format!("Cox model not possible: {e}")))?;
    let ph = if args.zph {
        let groups: Vec<Vec<usize>> =
            (0..formula.terms.len()).map(|k| (0..terms.len()).filter(|&j| terms[j].term == k).collect()).collect();
        let test = match &entry {
            None => proportional_hazards_test(&cox_data, &result, options.ties, &groups),
            Some(entry) => proportional_hazards_test_counting(&cox_data, entry, &result, options.ties, &groups),
        }
        .map_err(|e| InputProblems::usage(&table.file, format!("proportional-hazards test not possible: {e}")))?;
        Some(test)
    } else {
        None
    };
    let predicted = match &args.predict {
        None => None,
        Some(text) => {
            let z = args.model.profile(&table.file, &formula, &covariates, text)?;
            let not_possible =
                |e: survstat::Error| InputProblems::usage(&table.file, format!("prediction not possible: {e}"));
            let baseline = CoxBaseline::new(&cox_data, &result, ties).map_err(not_possible)?;
            let at = baseline.predict(&z, &args.at, options.conf_level).map_err(not_possible)?;
            Some((at, baseline.cumulative_hazard()))
        }
    };
    if args.json {
        let mut out = fit_json(&result, &terms, data.n_dropped);
        with_data_warnings(&mut out, &data.warnings);
        if weights.is_some() {
            out["n_zero_weight"] = data.n_zero_weight.into();
        }
        if let Some((at, baseline)) = &predicted {
            out["predicted"] = at
                .iter()
                .map(|a| json!({"time": num(a.time), "surv": opt(a.surv), "std_err": opt(a.std_err), "lower": opt(a.lower), "upper": opt(a.upper)}))
                .collect();
            out["baseline_cumhaz"] =
                baseline.iter().map(|b| json!({"time": num(b.time), "cumhaz": num(b.cumhaz)})).collect();
        }
        if let Some(test) = &ph {
            out["ph_test"] = json!({
                "terms": formula.labels.iter().zip(&test.terms).map(|(n, t)| json!({
                    "term": n,
                    "chisq": t.map(|t| num(t.chisq)),
                    "df": t.map(|t| t.df),
                    "p": t.map(|t| num(t.p)),
                })).collect::<Vec<_>>(),
                "global": test_json(&test.global),
            });
        }
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    print_text(&result, &terms, data.n_dropped);
    if let Some(column) = &args.weights {
        super::print::case_weights(column, data.n_zero_weight);
    }
    if let Some(test) = &ph {
        println!();
        println!("Proportional hazards (scaled Schoenfeld residuals, KM time):");
        for (n, t) in formula.labels.iter().zip(&test.terms) {
            match t {
                Some(t) => println!("  {n:<22} chisq = {:.3} on {} df, p = {:.3e}", t.chisq, t.df, t.p),
                None => println!("  {n:<22} not estimable"),
            }
        }
        let g = &test.global;
        println!("  {:<22} chisq = {:.3} on {} df, p = {:.3e}", "GLOBAL", g.chisq, g.df, g.p);
    }
    if let Some((at, _)) = &predicted {
        let na = |v: Option<f64>| super::print::number_or_na(v, 4);
        println!();
        println!("Predicted survival for {}:", crate::inert::terminal(args.predict.as_deref().unwrap_or_default()));
        println!("{:>10} {:>10} {:>10} {:>10} {:>10}", "time", "surv", "std.err", "lower .95", "upper .95");
        for a in at {
            println!("{:>10} {:>10} {:>10} {:>10} {:>10}", a.time, na(a.surv), na(a.std_err), na(a.lower), na(a.upper));
        }
    }
    Ok(())
}

fn print_text(fit: &CoxFit, terms: &[Term], n_dropped: usize) {
    let robust = fit.robust_var.is_some();
    println!("Cox model: n = {}, events = {}, rows dropped for missing values = {}", fit.n, fit.events, n_dropped);
    println!();
    let f = |v: Option<f64>| super::print::number_or_na(v, 4);
    let head_se =
        if robust { format!("{:>10} {:>10}", "se(coef)", "robust se") } else { format!("{:>10}", "se(coef)") };
    println!(
        "{:<24} {:>10} {:>10} {} {:>8} {:>10} {:>10} {:>10}",
        "", "coef", "exp(coef)", head_se, "z", "p", "lower .95", "upper .95"
    );
    for (t, r) in terms.iter().zip(&fit.terms) {
        let se = if robust { format!("{:>10} {:>10}", f(r.se), f(r.robust_se)) } else { format!("{:>10}", f(r.se)) };
        let p = r.p.map_or("NA".to_string(), |p| format!("{p:.3e}"));
        println!(
            "{:<24} {:>10} {:>10} {} {:>8} {:>10} {:>10} {:>10}",
            crate::inert::terminal(&t.name),
            f(r.coef),
            f(r.hr),
            se,
            f(r.z),
            p,
            f(r.hr_lower),
            f(r.hr_upper)
        );
    }
    println!();
    if let Some(c) = &fit.concordance {
        println!("Concordance = {:.3} (se = {:.3})", c.estimate, c.se);
    }
    for (name, t) in [
        ("Likelihood ratio test", &fit.likelihood_ratio),
        ("Wald test", &fit.wald),
        ("Score (logrank) test", &fit.score),
    ] {
        println!("{name:<22}= {:.2} on {} df, p = {:.3e}", t.chisq, t.df, t.p);
    }
    for w in warning_texts(fit, terms) {
        println!("warning: {w}");
    }
}
