//! `sbrt logrank`: the k-group log-rank test from any CSV file.
//!
//! Its usage is [`LogrankArgs`], whose doc comments `sbrt logrank --help` prints
//! (and `docs/cli.md` reproduces).

use crate::json::num;
use crate::limits::MAX_GROUPS;
use crate::problem::InputProblems;
use crate::survival_data::SurvivalData;
use clap::Args;
use serde_json::json;
use survstat::logrank::fleming_harrington;

/// Log-rank test (R survdiff) from a CSV file.
///
/// As R's `survdiff(Surv(time, event) ~ group [+ strata(s)], rho = ρ)`: with
/// `--rho` the Fleming-Harrington test, weights `Ŝ(t-)^ρ` from the pooled
/// Kaplan-Meier estimate (ρ = 1: Peto-Peto, weighting early differences); its
/// observed and expected are the weighted sums, as R prints them. With `--json`:
/// `{"n","n_dropped","chisq","df","p","groups":[{"group","n","observed","expected"}]}`.
#[derive(Debug, Args)]
pub struct LogrankArgs {
    #[command(flatten)]
    pub input: super::inputs::SurvivalInput,
    /// Column defining the groups compared.
    #[arg(long)]
    pub group: String,
    /// Column defining strata (groups compared within each stratum).
    #[arg(long)]
    pub strata: Option<String>,
    /// Fleming-Harrington weight exponent ρ (0 = the log-rank test).
    #[arg(long, default_value_t = 0.0, value_parser = super::inputs::rho_arg)]
    pub rho: f64,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Run `sbrt logrank`.
pub fn run(args: &LogrankArgs) -> anyhow::Result<()> {
    let mut others = vec![args.group.as_str()];
    others.extend(args.strata.as_deref());
    let labels: Vec<&str> = std::iter::once(&args.group).chain(&args.strata).map(String::as_str).collect();
    let table = args.input.read(&others, &labels)?;
    let data = SurvivalData::new(&table, &args.input.time, &args.input.event, &others)?;
    data.print_warnings();
    if args.input.explain_dropped {
        data.explain_dropped();
    }
    let groups = data.levels(&args.group, "a --group column", MAX_GROUPS).map_err(InputProblems::one)?;
    let strata = data.strata(args.strata.as_deref())?;
    let (k, strata) = (groups.labels.len(), strata.as_deref());
    let test = fleming_harrington(&data.time, &data.event, &groups.codes, k, strata, args.rho)
        .map_err(|e| InputProblems::usage(&table.file, format!("log-rank test not possible: {e}")))?;
    if args.json {
        let out = json!({
            "n": data.n(),
            "n_dropped": data.n_dropped,
            "chisq": num(test.chisq),
            "df": test.df,
            "p": num(test.p),
            "warnings": data.warnings,
            "groups": groups.labels.iter().zip(&test.groups).map(|(l, g)| json!({
                "group": l, "n": g.n, "observed": num(g.observed), "expected": num(g.expected),
            })).collect::<Vec<_>>(),
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    let name = if args.rho == 0.0 { "Log-rank test".to_string() } else { format!("G-rho test (rho = {})", args.rho) };
    println!("{name}: n = {}, rows dropped for missing values = {}", data.n(), data.n_dropped);
    println!();
    println!("{:<16} {:>6} {:>10} {:>10} {:>12}", "group", "N", "Observed", "Expected", "(O-E)^2/E");
    for (l, g) in groups.labels.iter().zip(&test.groups) {
        let contrib = if g.expected > 0.0 { (g.observed - g.expected).powi(2) / g.expected } else { f64::NAN };
        let l = crate::inert::terminal(l);
        println!("{:<16} {:>6} {:>10.3} {:>10.3} {:>12.3}", l, g.n, g.observed, g.expected, contrib);
    }
    println!();
    println!("Chisq = {:.3} on {} degrees of freedom, p = {:.3e}", test.chisq, test.df, test.p);
    Ok(())
}
