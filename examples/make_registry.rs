//! Synthetic registry-scale survival data for the benchmarks
//! (`sbrt::simulate::registry`): n rows, 10 numeric covariates, times
//! rounded to 0.1 month (heavy ties), a 3-level group, ~30 % censoring.
//!
//!     cargo run --release --example make_registry -- N OUT.csv

use std::io::Write;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(1).map_or(Ok(100_000), |s| s.parse())?;
    let out = args.get(2).map_or("registry.csv", String::as_str);
    let mut w = std::io::BufWriter::new(std::fs::File::create(out)?);
    writeln!(w, "time,status,group,x1,x2,x3,x4,x5,x6,x7,x8,x9,x10")?;
    for r in sbrt::simulate::registry(n, 20260101) {
        write!(w, "{},{},{}", r.time, u8::from(r.event), r.group)?;
        for v in &r.x {
            write!(w, ",{v}")?;
        }
        writeln!(w)?;
    }
    w.flush()?;
    Ok(())
}
