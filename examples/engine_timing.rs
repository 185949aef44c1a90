//! The engine's side of `bench/compare_r.sh`: best-of-three seconds for the
//! Cox fit (Efron, x1..x10), Kaplan-Meier and the log-rank test by `group`,
//! with the data in memory (as R's `system.time` on a loaded data frame):
//!
//!     cargo run --release --example engine_timing -- FILE.csv
//!     cargo run --release --example engine_timing -- --generate N
//!
//! A file is read with the generic reader (`sbrt::table`); `--generate`
//! draws N registry rows in memory instead (for 10^7, where reading a
//! CSV into R takes minutes). Prints "cox km logrank" in seconds; with
//! `--skip-cox`, the Cox time is printed as NA.
#[path = "support/timing.rs"]
mod timing;

use sbrt::simulate::{registry_columns, RegistryColumns};
use survstat::cox::{fit, CoxData, CoxOptions};
use survstat::km::{ConfSpec, KaplanMeier};
use survstat::linalg::Matrix;
use survstat::logrank::logrank;
use timing::best_seconds;

fn from_file(path: &str) -> anyhow::Result<RegistryColumns> {
    use sbrt::csv_table::{CsvTable, Kind};
    let numbers = ["time", "status", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10"];
    let wanted: Vec<(&str, Kind)> = numbers.iter().map(|&n| (n, Kind::Number)).chain([("group", Kind::Text)]).collect();
    let table = CsvTable::read(std::path::Path::new(path), Some(&wanted)).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let n = table.n_rows();
    let index = |name: &str| table.column(name).map_err(|e| anyhow::anyhow!("{}", e.message));
    let column = |name: &str| -> anyhow::Result<Vec<f64>> {
        let c = index(name)?;
        (0..n).map(|i| table.cell(i, c).number().ok_or_else(|| anyhow::anyhow!("{name} row {}", i + 2))).collect()
    };
    let columns: Vec<Vec<f64>> = numbers[2..].iter().map(|n| column(n)).collect::<anyhow::Result<_>>()?;
    let mut x = Vec::with_capacity(n * 10);
    for i in 0..n {
        x.extend(columns.iter().map(|c| c[i]));
    }
    // Groups coded by their labels in sorted order (0, 1, 2 or a, b, c).
    let g = index("group")?;
    let labels: std::collections::BTreeSet<String> = (0..n).map(|i| table.cell(i, g).to_string()).collect();
    let code = |i: usize| labels.iter().position(|l| *l == table.cell(i, g).to_string()).expect("a label");
    Ok(RegistryColumns {
        time: column("time")?,
        event: column("status")?.iter().map(|&s| s == 1.0).collect(),
        group: (0..n).map(code).collect(),
        x,
    })
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let skip_cox = args.iter().any(|a| a == "--skip-cox");
    let data = match args.iter().position(|a| a == "--generate") {
        Some(k) => {
            registry_columns(args.get(k + 1).and_then(|s| s.parse().ok()).unwrap_or(1_000_000), 20260101, !skip_cox)
        }
        None => from_file(args.iter().find(|a| !a.starts_with("--")).map_or("registry.csv", String::as_str))?,
    };
    let cox = if skip_cox {
        "NA".to_string()
    } else {
        let x = Matrix { nrow: data.time.len(), ncol: 10, data: data.x.clone() };
        let d = CoxData { time: &data.time, event: &data.event, x: &x, strata: None, cluster: None, weights: None };
        format!("{:.4}", best_seconds(3, || fit(&d, &CoxOptions::default()).expect("Cox fit")))
    };
    let km = best_seconds(3, || KaplanMeier::fit(&data.time, &data.event, ConfSpec::default()));
    let lr = best_seconds(3, || logrank(&data.time, &data.event, &data.group, 3, None).expect("log-rank"));
    println!("{cox} {km:.4} {lr:.4}");
    Ok(())
}
