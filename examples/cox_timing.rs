//! Time a Cox fit at registry scale (a development aid for `perf`):
//!     cargo run --release --example cox_timing -- 1000000
use std::time::Instant;
use survstat::cox::{fit, CoxData, CoxOptions};
use survstat::linalg::Matrix;

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(1_000_000);
    let rows: Vec<_> = sbrt::simulate::registry(n, 20260101).collect();
    let x = Matrix { nrow: n, ncol: 10, data: rows.iter().flat_map(|r| r.x).collect() };
    let time: Vec<f64> = rows.iter().map(|r| r.time).collect();
    let event: Vec<bool> = rows.iter().map(|r| r.event).collect();
    drop(rows);
    let start = Instant::now();
    let f = fit(&CoxData { time: &time, event: &event, x: &x, strata: None, cluster: None }, &CoxOptions::default())
        .unwrap();
    println!("n = {n}: fit {:.3} s, {} iterations, loglik {}", start.elapsed().as_secs_f64(), f.iterations, f.loglik);
}
