//! `sbrt cuminc`: cumulative incidence with competing risks from any CSV
//! file, and Gray's test across groups.
//!
//! ```text
//! sbrt cuminc FILE --time COL --status COL [--cause 1] [--group COL]
//!             [--strata COL] [--at 12,24] [--conf-level 0.95] [--json]
//! ```
//!
//! As R's `cmprsk::cuminc(time, status, group, strata)`: status 0 is
//! censored, every other whole number a cause. With `--json`:
//! `{"n","n_dropped","cause","groups":[{"group","n","events","steps":[{"time","estimate","variance"}],
//! "at":[{"time","estimate","std_err","lower","upper"}]}],"test":{"chisq","df","p"}|null}`.

use super::one_problem as one;
use crate::json::{num, opt};
use crate::limits::MAX_GROUPS;
use crate::problem::{InputProblems, Problem, ProblemLog};
use crate::table::Table;
use clap::Args;
use serde_json::json;
use survstat::competing::{gray_test, CumulativeIncidence};

/// Cumulative incidence.
#[derive(Debug, Args)]
pub struct CumincArgs {
    #[command(flatten)]
    pub input: super::CompetingInput,
    /// Column defining groups (one curve each, and Gray's test).
    #[arg(long)]
    pub group: Option<String>,
    /// Column defining strata for Gray's test.
    #[arg(long)]
    pub strata: Option<String>,
    /// Times at which to report the curves, comma-separated.
    #[arg(long, value_delimiter = ',', value_parser = super::time_arg)]
    pub at: Vec<f64>,
    /// Confidence level of the limits at `--at` times.
    #[arg(long, default_value_t = 0.95)]
    pub conf_level: f64,
    /// Print one JSON object instead of tables.
    #[arg(long)]
    pub json: bool,
}

/// Run `sbrt cuminc`.
pub fn run(args: &CumincArgs) -> anyhow::Result<()> {
    let mut others: Vec<&str> = args.group.iter().map(String::as_str).collect();
    others.extend(args.strata.as_deref());
    let table = args.input.read(&others)?;
    super::km::check_conf_level(&table.file, args.conf_level)?;
    let (mut data, status) = read_status(&table, &args.input.time, &args.input.status, &others)?;
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
    let groups =
        args.group.as_deref().map(|g| data.levels(g, "a --group column", MAX_GROUPS)).transpose().map_err(one)?;
    let (labels, codes): (Vec<String>, Vec<usize>) = match &groups {
        Some(l) => (l.labels.clone(), l.codes.clone()),
        None => (vec!["all".into()], vec![0; data.n()]),
    };
    let curves: Vec<CumulativeIncidence> = (0..labels.len())
        .map(|g| {
            let idx: Vec<usize> = (0..data.n()).filter(|&i| codes[i] == g).collect();
            CumulativeIncidence::fit(
                &idx.iter().map(|&i| data.time[i]).collect::<Vec<_>>(),
                &idx.iter().map(|&i| status[i]).collect::<Vec<_>>(),
                args.input.cause,
            )
        })
        .collect();
    let strata = data.strata(args.strata.as_deref())?;
    let test = if labels.len() > 1 {
        gray_test(&data.time, &status, args.input.cause, &codes, labels.len(), strata.as_deref(), 0.0).ok()
    } else {
        None
    };
    if args.json {
        let out = json!({
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
            println!("{:>10} {:>10} {:>10}", t, super::km::fmt_opt(a.estimate, 4), super::km::fmt_opt(a.std_err, 4));
        }
    }
    if let Some(t) = test {
        println!();
        println!("Gray's test: chisq = {:.3} on {} df, p = {:.3e}", t.chisq, t.df, t.p);
    }
    Ok(())
}

/// The survival data of a competing-risks analysis: times from the generic
/// reader (with an always-valid event column) and the status codes.
pub fn read_status<'t>(
    table: &'t Table,
    time: &str,
    status: &str,
    others: &[&str],
) -> anyhow::Result<(crate::survival_data::SurvivalData<'t>, Vec<u32>)> {
    let col = table.column(status).map_err(|p| InputProblems(vec![p]))?;
    let mut problems = ProblemLog::default();
    let mut used: Vec<&str> = vec![status];
    used.extend(others);
    let mut data = crate::survival_data::SurvivalData::select(table, time, &used)?;
    let mut codes = Vec::with_capacity(data.n());
    for &i in &data.rows {
        let cell = table.cell(i, col);
        match cell.parse::<u32>() {
            Ok(v) => codes.push(v),
            Err(_) => problems.push(Problem::error(
                &table.file,
                Some(Table::row_number(i)),
                Some(status),
                format!("status must be 0 (censored) or a cause 1, 2, ...; found '{cell}'"),
            )),
        }
    }
    if !problems.is_empty() {
        return Err(InputProblems(problems.into_vec(&table.file)).into());
    }
    data.event = codes.iter().map(|&c| c != 0).collect();
    Ok((data, codes))
}
