//! `sbrt rmst`: restricted mean survival time per group, and each group
//! against the first.
//!
//! Its usage is [`RmstArgs`], whose doc comments `sbrt rmst --help` prints
//! (and `docs/cli.md` reproduces).

use super::inputs::{conf_level_arg, time_arg};
use crate::json::num;
use crate::problem::InputProblems;
use crate::survival_data::SurvivalData;
use clap::Args;
use serde_json::json;
use survstat::km::ConfSpec;
use survstat::rmst::{contrast, RestrictedMean};

/// Restricted mean survival time (R print(survfit, rmean = tau); survRM2::rmst2 contrasts) from a CSV file.
///
/// The area under each group's Kaplan-Meier curve from 0 to `--tau`, with
/// its standard error (Greenwood, as R's `survmean`) and normal limits;
/// with `--group`, each group against the first (the reference): the
/// difference and the ratio of the restricted means with limits and
/// two-sided p, as `survRM2::rmst2`. A `--tau` beyond a group's last
/// observation extends its curve flat (as R does) and is warned. With
/// `--json`: `{"n","n_dropped","tau","conf_level","groups":[{"group","rmst","se","lower","upper"}],
/// "contrasts":[{"group","reference","difference","difference_lower","difference_upper","difference_p",
/// "ratio","ratio_lower","ratio_upper","ratio_p"}],"warnings"}`.
#[derive(Debug, Args)]
pub struct RmstArgs {
    #[command(flatten)]
    pub input: super::inputs::SurvivalInput,
    /// Column defining groups; the first level is the reference of the contrasts.
    #[arg(long)]
    pub group: Option<String>,
    /// The restriction time τ (in the units of the time column), > 0.
    #[arg(long, value_parser = time_arg)]
    pub tau: f64,
    /// Confidence level.
    #[arg(long, default_value_t = 0.95, value_parser = conf_level_arg)]
    pub conf_level: f64,
    /// Print one JSON object instead of tables.
    #[arg(long)]
    pub json: bool,
}

/// Run `sbrt rmst`.
pub fn run(args: &RmstArgs) -> anyhow::Result<()> {
    let others: Vec<&str> = args.group.iter().map(String::as_str).collect();
    let table = args.input.read(&others, &others)?;
    if args.tau <= 0.0 {
        return Err(InputProblems::usage(&table.file, "--tau must be a time > 0").into());
    }
    let data = SurvivalData::new(&table, &args.input.time, &args.input.event, &others)?;
    data.print_warnings();
    if args.input.explain_dropped {
        data.explain_dropped();
    }
    let conf = ConfSpec { level: args.conf_level, ..ConfSpec::default() };
    let curves = data.curves_by_group(args.group.as_deref(), None, None, conf)?;
    // As R: a τ before a group's first observation restricts nothing of its curve.
    if let Some((label, first)) =
        curves.iter().filter_map(|(l, km)| km.steps.first().map(|s| (l, s.time))).find(|&(_, t)| args.tau < t)
    {
        return Err(InputProblems::usage(
            &table.file,
            format!("--tau {} is before the first observation time of group '{label}' ({first})", args.tau),
        )
        .into());
    }
    let means: Vec<(String, RestrictedMean)> =
        curves.iter().map(|(label, km)| (label.clone(), RestrictedMean::of(km, args.tau))).collect();
    let mut warnings = data.warnings.clone();
    for (label, _) in means.iter().filter(|(_, m)| m.beyond_follow_up) {
        warnings.push(format!(
            "group '{label}': tau = {} is beyond its last observation time; its curve is extended flat from there (an extrapolation)",
            args.tau
        ));
    }
    let contrasts: Vec<_> = means
        .iter()
        .skip(1)
        .map(|(label, m)| (label, &means[0].0, contrast(m, &means[0].1, args.conf_level)))
        .collect();
    if args.json {
        let out = json!({
            "n": data.n(),
            "n_dropped": data.n_dropped,
            "tau": num(args.tau),
            "conf_level": num(args.conf_level),
            "groups": means.iter().map(|(label, m)| {
                let i = m.interval(args.conf_level);
                json!({"group": label, "rmst": num(m.estimate), "se": num(m.se),
                       "lower": crate::json::opt(i.lower), "upper": crate::json::opt(i.upper)})
            }).collect::<Vec<_>>(),
            "contrasts": contrasts.iter().map(|(label, reference, c)| json!({
                "group": label, "reference": reference,
                "difference": crate::json::opt(c.difference.estimate),
                "difference_lower": crate::json::opt(c.difference.lower),
                "difference_upper": crate::json::opt(c.difference.upper),
                "difference_p": num(c.difference_p),
                "ratio": crate::json::opt(c.ratio.estimate),
                "ratio_lower": crate::json::opt(c.ratio.lower),
                "ratio_upper": crate::json::opt(c.ratio.upper),
                "ratio_p": num(c.ratio_p),
            })).collect::<Vec<_>>(),
            "warnings": warnings,
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    for w in warnings.iter().skip(data.warnings.len()) {
        eprintln!("warning: {}", crate::inert::terminal(w));
    }
    let na = |v: Option<f64>| super::print::number_or_na(v, 4);
    let level = format!("{:.0}%", args.conf_level * 100.0);
    println!(
        "Restricted mean survival time up to tau = {}: n = {}, rows dropped = {}",
        args.tau,
        data.n(),
        data.n_dropped
    );
    println!();
    println!("{:<16} {:>10} {:>10} {:>22}", "group", "RMST", "se", format!("{level} CI"));
    for (label, m) in &means {
        let i = m.interval(args.conf_level);
        let ci = format!("{} – {}", na(i.lower), na(i.upper));
        println!(
            "{:<16} {:>10} {:>10} {:>22}",
            crate::inert::terminal(label),
            na(Some(m.estimate)),
            na(Some(m.se)),
            ci
        );
    }
    for (label, reference, c) in &contrasts {
        println!();
        let (label, reference) = (crate::inert::terminal(label), crate::inert::terminal(reference));
        println!(
            "{label} vs {reference}: difference {} ({level} CI {} – {}), p = {:.3e}; ratio {} ({level} CI {} – {}), p = {:.3e}",
            na(c.difference.estimate),
            na(c.difference.lower),
            na(c.difference.upper),
            c.difference_p,
            na(c.ratio.estimate),
            na(c.ratio.lower),
            na(c.ratio.upper),
            c.ratio_p
        );
    }
    Ok(())
}
