//! `sbrt cuminc`: cumulative incidence with competing risks from any CSV file, and Gray's test across groups.
//!
//! Its usage is [`CumincArgs`], whose doc comments `sbrt cuminc --help` prints
//! (and `docs/cli.md` reproduces).

use crate::json::{num, opt};
use crate::limits::MAX_GROUPS;
use crate::problem::InputProblems;
use clap::Args;
use serde_json::json;
use survstat::competing::{gray_test, CumulativeIncidence};

/// Cumulative incidence with competing risks and Gray's test (R cmprsk::cuminc).
///
/// As R's `cmprsk::cuminc(time, status, group, strata)`: status 0 is
/// censored, every other whole number a cause. With `--json`:
/// `{"n","n_dropped","cause","groups":[{"group","n","events","steps":[{"time","estimate","variance"}],
/// "at":[{"time","estimate","std_err","lower","upper"}]}],"test":{"chisq","df","p"}|null}`.
/// With `--weights` (R `survfit(Surv(time, factor(status)) ~ group, weights = )`;
/// `cuminc` has none) the estimate is weighted, its variance the
/// infinitesimal-jackknife one, Gray's test is not computed (it has no
/// weighted form) and `"n_zero_weight"` counts the rows of weight 0 left out.
#[derive(Debug, Args)]
pub struct CumincArgs {
    #[command(flatten)]
    pub input: super::inputs::CompetingInput,
    /// Column defining groups (one curve each, and Gray's test).
    #[arg(long)]
    pub group: Option<String>,
    /// Column defining strata for Gray's test.
    #[arg(long)]
    pub strata: Option<String>,
    /// Column of case weights (each >= 0; rows of weight 0 are dropped and counted).
    #[arg(long, conflicts_with = "strata")]
    pub weights: Option<String>,
    /// Times at which to report the curves, comma-separated.
    #[arg(long, value_delimiter = ',', value_parser = super::inputs::time_arg)]
    pub at: Vec<f64>,
    /// Confidence level of the limits at `--at` times.
    #[arg(long, default_value_t = 0.95, value_parser = super::inputs::conf_level_arg)]
    pub conf_level: f64,
    /// Print one JSON object instead of tables.
    #[arg(long)]
    pub json: bool,
}

/// Run `sbrt cuminc`.
pub fn run(args: &CumincArgs) -> anyhow::Result<()> {
    let mut others: Vec<&str> = args.group.iter().map(String::as_str).collect();
    others.extend(args.strata.as_deref());
    others.extend(args.weights.as_deref());
    let labels: Vec<&str> = args.group.iter().chain(&args.strata).map(String::as_str).collect();
    let table = args.input.read(&others, &labels)?;
    let (mut data, status, weights) = args.input.survival_data(&table, &others, args.weights.as_deref())?;
    if weights.is_some() && args.group.is_some() {
        data.warnings.push("Gray's test has no form with case weights: it is not computed".into());
    }
    if !status.contains(&args.input.cause) {
        data.warnings.push(format!(
            "no row has status {} (the cause asked for): its cumulative incidence is 0 throughout",
            args.input.cause
        ));
    }
    data.print_warnings();
    if args.input.explain_dropped {
        data.explain_dropped();
    }
    let groups = args
        .group
        .as_deref()
        .map(|g| data.levels(g, "a --group column", MAX_GROUPS))
        .transpose()
        .map_err(InputProblems::one)?;
    let (labels, codes): (Vec<String>, Vec<usize>) = match &groups {
        Some(l) => (l.labels.clone(), l.codes.clone()),
        None => (vec!["all".into()], vec![0; data.n()]),
    };
    let curves: Vec<CumulativeIncidence> = (0..labels.len())
        .map(|g| {
            let idx: Vec<usize> = (0..data.n()).filter(|&i| codes[i] == g).collect();
            let time: Vec<f64> = idx.iter().map(|&i| data.time[i]).collect();
            let status: Vec<u32> = idx.iter().map(|&i| status[i]).collect();
            match &weights {
                None => CumulativeIncidence::fit(&time, &status, args.input.cause),
                Some(w) => CumulativeIncidence::fit_weighted(
                    &time,
                    &status,
                    args.input.cause,
                    &idx.iter().map(|&i| w[i]).collect::<Vec<_>>(),
                ),
            }
        })
        .collect();
    let strata = data.strata(args.strata.as_deref())?;
    let test = if labels.len() > 1 && weights.is_none() {
        gray_test(&data.time, &status, args.input.cause, &codes, labels.len(), strata.as_deref(), 0.0).ok()
    } else {
        None
    };
    if args.json {
        let mut out = json!({
            "n": data.n(),
            "n_dropped": data.n_dropped,
            "cause": args.input.cause,
            "groups": labels.iter().zip(&curves).map(|(l, c)| json!({
                "group": l,
                "n": c.n,
                "events": c.events,
                "steps": c.steps.iter().map(|s| json!({"time": num(s.time), "estimate": num(s.estimate), "variance": num(s.variance)})).collect::<Vec<_>>(),
                "at": args.at.iter().map(|&t| {
                    let a = c.at(t, args.conf_level);
                    json!({"time": num(t), "estimate": opt(a.estimate), "std_err": opt(a.std_err), "lower": opt(a.lower), "upper": opt(a.upper)})
                }).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "test": test.as_ref().map(|t| json!({"chisq": num(t.chisq), "df": t.df, "p": num(t.p)})),
            "warnings": data.warnings,
        });
        if weights.is_some() {
            out["n_zero_weight"] = data.n_zero_weight.into();
        }
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    println!(
        "Cumulative incidence of cause {}: n = {}, rows dropped for missing values = {}",
        args.input.cause,
        data.n(),
        data.n_dropped
    );
    for (l, c) in labels.iter().zip(&curves) {
        println!();
        println!("group = {} (n = {}, events = {})", crate::inert::terminal(l), c.n, c.events);
        println!("{:>10} {:>10} {:>10}", "time", "estimate", "std.err");
        let times: Vec<f64> =
            if args.at.is_empty() { c.steps.iter().map(|s| s.time).collect() } else { args.at.clone() };
        for t in times {
            let a = c.at(t, args.conf_level);
            println!(
                "{:>10} {:>10} {:>10}",
                t,
                super::print::number_or_na(a.estimate, 4),
                super::print::number_or_na(a.std_err, 4)
            );
        }
    }
    if let Some(t) = test {
        println!();
        println!("Gray's test: chisq = {:.3} on {} df, p = {:.3e}", t.chisq, t.df, t.p);
    }
    Ok(())
}
