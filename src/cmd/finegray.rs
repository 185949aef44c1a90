//! `sbrt finegray`: the Fine-Gray subdistribution hazards model from any CSV file.
//!
//! Its usage is [`FineGrayArgs`], whose doc comments `sbrt finegray --help` prints
//! (and `docs/cli.md` reproduces).

use crate::json::num;
use crate::problem::InputProblems;
use clap::Args;
use serde_json::json;
use survstat::finegray::fine_gray;

/// Fine-Gray subdistribution hazards model (R cmprsk::crr).
///
/// As R's `cmprsk::crr(time, status, model.matrix(...), failcode = cause)`:
/// status 0 censored, other whole numbers causes; covariates and factors as
/// in `sbrt cox`. With `--json`: `{"n","n_dropped","cause","events","competing",
/// "iterations","loglik_null","loglik","terms":[{"term","variable","level","coef","se","z","p","hr","hr_lower","hr_upper"}],"warnings"}`.
#[derive(Debug, Args)]
pub struct FineGrayArgs {
    #[command(flatten)]
    pub input: super::inputs::CompetingInput,
    #[command(flatten)]
    pub model: super::inputs::CovariateArgs,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Run `sbrt finegray`.
pub fn run(args: &FineGrayArgs) -> anyhow::Result<()> {
    let (formula, references) = args.model.check(&args.input.file.display().to_string())?;
    let labels: Vec<&str> = args.model.factor.iter().map(String::as_str).collect();
    let table = args.input.read(&args.model.columns(), &labels)?;
    let (data, status, _) = args.input.survival_data(&table, &args.model.columns(), None)?;
    data.print_warnings();
    if args.input.explain_dropped {
        data.explain_dropped();
    }
    let (_, x, terms) = args.model.design(&data, &formula, &references)?;
    let fit = fine_gray(&data.time, &status, args.input.cause, &x, 0.95)
        .map_err(|e| InputProblems::usage(&table.file, format!("Fine-Gray model not possible: {e}")))?;
    if args.json {
        let out = json!({
            "n": fit.n,
            "n_dropped": data.n_dropped,
            "cause": args.input.cause,
            "events": fit.events,
            "competing": fit.competing,
            "iterations": fit.iterations,
            "loglik_null": num(fit.loglik_null),
            "loglik": num(fit.loglik),
            "terms": terms.iter().zip(&fit.terms).map(|(t, r)| json!({
                "term": t.name, "variable": t.variable, "level": t.level,
                "coef": num(r.coef), "se": num(r.se), "z": num(r.z), "p": num(r.p),
                "hr": num(r.hr), "hr_lower": num(r.hr_lower), "hr_upper": num(r.hr_upper),
            })).collect::<Vec<_>>(),
            "warnings": data.warnings,
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    println!(
        "Fine-Gray model for cause {}: n = {}, events = {}, competing events = {}, rows dropped for missing values = {}",
        args.input.cause, fit.n, fit.events, fit.competing, data.n_dropped
    );
    println!();
    println!(
        "{:<24} {:>10} {:>10} {:>10} {:>8} {:>10} {:>10} {:>10}",
        "", "coef", "exp(coef)", "se(coef)", "z", "p", "lower .95", "upper .95"
    );
    for (t, r) in terms.iter().zip(&fit.terms) {
        println!(
            "{:<24} {:>10.4} {:>10.4} {:>10.4} {:>8.3} {:>10.3e} {:>10.4} {:>10.4}",
            crate::inert::terminal(&t.name),
            r.coef,
            r.hr,
            r.se,
            r.z,
            r.p,
            r.hr_lower,
            r.hr_upper
        );
    }
    println!();
    println!("Pseudo log-likelihood = {:.4} (null {:.4})", fit.loglik, fit.loglik_null);
    Ok(())
}
