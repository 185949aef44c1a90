//! Synthetic registry-scale survival data for the benchmarks: n rows, 10
//! numeric covariates, times rounded to 0.1 month (heavy ties), a 3-level
//! group, about 30 % censoring.
//!
//!     cargo run --release --example make_registry -- N OUT.csv

use sbrt::rng::Rng;
use std::io::Write;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(1).map_or(Ok(100_000), |s| s.parse())?;
    let out = args.get(2).map_or("registry.csv", String::as_str);
    let mut w = std::io::BufWriter::new(std::fs::File::create(out)?);
    writeln!(w, "time,status,group,x1,x2,x3,x4,x5,x6,x7,x8,x9,x10")?;
    let mut rng = Rng::new(20260101);
    let beta = [0.3, -0.2, 0.1, 0.0, 0.25, -0.15, 0.05, 0.2, -0.1, 0.0];
    for _ in 0..n {
        let x: Vec<f64> = (0..10).map(|_| (rng.normal() * 100.0).round() / 100.0).collect();
        let lp: f64 = x.iter().zip(beta).map(|(a, b)| a * b).sum();
        let group = rng.integer(0, 2);
        let t_event = rng.exponential(24.0 * (-lp - 0.2 * group as f64).exp());
        let t_cens = rng.between(0.0, 60.0);
        let time = ((t_event.min(t_cens) * 10.0).round() / 10.0).max(0.1);
        let status = u8::from(t_event <= t_cens);
        write!(w, "{time},{status},{group}")?;
        for v in &x {
            write!(w, ",{v}")?;
        }
        writeln!(w)?;
    }
    w.flush()?;
    Ok(())
}
