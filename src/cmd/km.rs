//! `sbrt km`: Kaplan-Meier estimates from any CSV file.
//!
//! Its usage is [`KmArgs`], whose doc comments `sbrt km --help` prints
//! (and `docs/cli.md` reproduces).

use super::inputs::{conf_level_arg, ConfTypeArg};
use crate::json::{count, num, opt};
use crate::survival_data::SurvivalData;
use clap::Args;
use serde_json::{json, Value};
use survstat::km::{ConfSpec, KaplanMeier};

/// Kaplan-Meier estimates (R survfit) from a CSV file.
///
/// Prints, per group, the survival table (as R's `summary(survfit)`), the
/// median with its confidence interval (as R's `print(survfit)`), and the
/// estimates at the `--at` times. With `--json`, one JSON object:
/// `{"n","events","n_dropped","groups":[{"group","n","events","median":{..},"steps":[..],"at":[..]}]}`;
/// each step and `--at` time carries `surv`, `std_err`, `lower`, `upper` and the
/// Nelson-Aalen `cumhaz` with its `std_chaz` (R `survfit`'s `cumhaz`, `std.chaz`).
/// With `--weights` the counts are sums of weights, `"n_zero_weight"` counts
/// the rows of weight 0 left out, and a weight that is not a whole number
/// gives the infinitesimal-jackknife variance (as R's `survfit`).
#[derive(Debug, Args)]
pub struct KmArgs {
    #[command(flatten)]
    pub input: super::inputs::SurvivalInput,
    /// Column defining groups (one curve per level).
    #[arg(long)]
    pub group: Option<String>,
    /// Column of entry times: each row is at risk on (start, time] (delayed
    /// entry, counting-process data; R Surv(start, stop, event)).
    #[arg(long)]
    pub start: Option<String>,
    /// Column of case weights (each >= 0; rows of weight 0 are dropped and
    /// counted), as R survfit(weights = ).
    #[arg(long)]
    pub weights: Option<String>,
    /// Times at which to report the curve, comma-separated.
    #[arg(long, value_delimiter = ',', value_parser = super::inputs::time_arg)]
    pub at: Vec<f64>,
    /// Confidence interval type.
    #[arg(long, value_enum, default_value = "log")]
    pub conf_type: ConfTypeArg,
    /// Confidence level.
    #[arg(long, default_value_t = 0.95, value_parser = conf_level_arg)]
    pub conf_level: f64,
    /// Print one JSON object instead of tables.
    #[arg(long)]
    pub json: bool,
}

/// The JSON of one curve.
pub fn curve_json(label: &str, km: &KaplanMeier, at: &[f64]) -> Value {
    let median = km.median();
    json!({
        "group": label,
        "n": km.n,
        "events": km.events,
        "median": {"estimate": opt(median.estimate), "lower": opt(median.lower), "upper": opt(median.upper)},
        "steps": km.steps.iter().map(|s| json!({
            "time": num(s.time), "n_risk": count(s.n_risk), "n_event": count(s.n_event), "n_censor": count(s.n_censor),
            "surv": num(s.surv), "std_err": opt(s.std_err), "lower": opt(s.lower), "upper": opt(s.upper),
            "cumhaz": num(s.cumhaz), "std_chaz": num(s.std_chaz),
        })).collect::<Vec<_>>(),
        "at": at.iter().map(|&t| {
            let a = km.at(t);
            json!({"time": num(t), "n_risk": count(a.n_risk), "surv": opt(a.surv), "std_err": opt(a.std_err), "lower": opt(a.lower), "upper": opt(a.upper),
                   "cumhaz": opt(a.cumhaz), "std_chaz": opt(a.std_chaz)})
        }).collect::<Vec<_>>(),
    })
}

/// Run `sbrt km`.
pub fn run(args: &KmArgs) -> anyhow::Result<()> {
    let others: Vec<&str> = args.group.iter().chain(&args.start).chain(&args.weights).map(String::as_str).collect();
    let labels: Vec<&str> = args.group.iter().map(String::as_str).collect();
    let table = args.input.read(&others, &labels)?;
    let mut data = SurvivalData::new(&table, &args.input.time, &args.input.event, &others)?;
    let weights = args.weights.as_deref().map(|w| data.weights(w)).transpose()?;
    let entry = args.start.as_deref().map(|s| data.entries(s)).transpose()?;
    data.print_warnings();
    if args.input.explain_dropped {
        data.explain_dropped();
    }
    let conf = ConfSpec { conf_type: args.conf_type.into(), level: args.conf_level };
    let curves = data.curves_by_group(args.group.as_deref(), entry.as_deref(), weights.as_deref(), conf)?;
    if args.json {
        let mut out = json!({
            "n": data.n(),
            "events": data.events(),
            "n_dropped": data.n_dropped,
            "groups": curves.iter().map(|(l, km)| curve_json(l, km, &args.at)).collect::<Vec<_>>(),
            "warnings": data.warnings,
        });
        if weights.is_some() {
            out["n_zero_weight"] = data.n_zero_weight.into();
        }
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    let pct = format!("{}", args.conf_level * 100.0);
    println!(
        "Kaplan-Meier: n = {}, events = {}, rows dropped for missing values = {}",
        data.n(),
        data.events(),
        data.n_dropped
    );
    if let Some(column) = &args.weights {
        super::print::case_weights(column, data.n_zero_weight);
    }
    println!();
    println!(
        "{:<16} {:>6} {:>6} {:>10} {:>10} {:>10}",
        "group",
        "n",
        "events",
        "median",
        format!("{pct}%LCL"),
        format!("{pct}%UCL")
    );
    for (label, km) in &curves {
        let m = km.median();
        println!(
            "{:<16} {:>6} {:>6} {:>10} {:>10} {:>10}",
            crate::inert::terminal(label),
            km.n,
            km.events,
            super::print::number_or_na(m.estimate, 3),
            super::print::number_or_na(m.lower, 3),
            super::print::number_or_na(m.upper, 3)
        );
    }
    for (label, km) in &curves {
        println!();
        println!("group = {}", crate::inert::terminal(label));
        if args.at.is_empty() {
            println!(
                "{:>10} {:>7} {:>7} {:>8} {:>10} {:>10} {:>10}",
                "time", "n.risk", "n.event", "survival", "std.err", "lower", "upper"
            );
            for s in km.steps.iter().filter(|s| s.n_event > 0.0) {
                let cells = [Some(s.surv), s.std_err, s.lower, s.upper].map(|v| super::print::number_or_na(v, 4));
                println!(
                    "{:>10} {:>7} {:>7} {:>8} {:>10} {:>10} {:>10}",
                    s.time,
                    super::print::count(s.n_risk),
                    super::print::count(s.n_event),
                    cells[0],
                    cells[1],
                    cells[2],
                    cells[3]
                );
            }
        } else {
            println!(
                "{:>10} {:>7} {:>8} {:>10} {:>10} {:>10}",
                "time", "n.risk", "survival", "std.err", "lower", "upper"
            );
            for &t in &args.at {
                let a = km.at(t);
                let cells = [a.surv, a.std_err, a.lower, a.upper].map(|v| super::print::number_or_na(v, 4));
                println!(
                    "{:>10} {:>7} {:>8} {:>10} {:>10} {:>10}",
                    t,
                    super::print::count(a.n_risk),
                    cells[0],
                    cells[1],
                    cells[2],
                    cells[3]
                );
            }
        }
    }
    Ok(())
}
