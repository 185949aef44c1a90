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
use std::time::Instant;
use survstat::cox::{fit, CoxData, CoxOptions};
use survstat::km::{ConfSpec, KaplanMeier};
use survstat::linalg::Matrix;
use survstat::logrank::logrank;

fn best<T>(mut f: impl FnMut() -> T) -> f64 {
    (0..3)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(f());
            t.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

struct Data {
    time: Vec<f64>,
    event: Vec<bool>,
    group: Vec<usize>,
    x: Matrix,
}

fn from_file(path: &str) -> anyhow::Result<Data> {
    let names = ["time", "status", "group", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10"];
    let table =
        sbrt::table::Table::read(std::path::Path::new(path), Some(&names)).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let n = table.n_rows();
    let column = |name: &str| -> anyhow::Result<Vec<f64>> {
        let c = table.column(name).map_err(|e| anyhow::anyhow!("{}", e.message))?;
        (0..n)
            .map(|i| table.cell(i, c).parse::<f64>().map_err(|e| anyhow::anyhow!("{name} row {}: {e}", i + 2)))
            .collect()
    };
    let columns: Vec<Vec<f64>> = names[3..].iter().map(|n| column(n)).collect::<anyhow::Result<_>>()?;
    let mut x = Vec::with_capacity(n * 10);
    for i in 0..n {
        x.extend(columns.iter().map(|c| c[i]));
    }
    Ok(Data {
        time: column("time")?,
        event: column("status")?.iter().map(|&s| s == 1.0).collect(),
        group: column("group")?.iter().map(|&g| g as usize).collect(),
        x: Matrix { nrow: n, ncol: 10, data: x },
    })
}

fn generated(n: usize, with_x: bool) -> Data {
    let mut d = Data { time: Vec::new(), event: Vec::new(), group: Vec::new(), x: Matrix::zeros(0, 10) };
    let mut x = Vec::new();
    for r in sbrt::simulate::registry(n, 20260101) {
        d.time.push(r.time);
        d.event.push(r.event);
        d.group.push(r.group);
        if with_x {
            x.extend(r.x);
        }
    }
    d.x = Matrix { nrow: if with_x { n } else { 0 }, ncol: 10, data: x };
    d
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let skip_cox = args.iter().any(|a| a == "--skip-cox");
    let data = match args.iter().position(|a| a == "--generate") {
        Some(k) => generated(args.get(k + 1).and_then(|s| s.parse().ok()).unwrap_or(1_000_000), !skip_cox),
        None => from_file(args.iter().find(|a| !a.starts_with("--")).map_or("registry.csv", String::as_str))?,
    };
    let cox = if skip_cox {
        "NA".to_string()
    } else {
        let d = CoxData { time: &data.time, event: &data.event, x: &data.x, strata: None, cluster: None };
        format!("{:.4}", best(|| fit(&d, &CoxOptions::default()).expect("Cox fit")))
    };
    let km = best(|| KaplanMeier::fit(&data.time, &data.event, ConfSpec::default()));
    let lr = best(|| logrank(&data.time, &data.event, &data.group, 3, None).expect("log-rank"));
    println!("{cox} {km:.4} {lr:.4}");
    Ok(())
}
