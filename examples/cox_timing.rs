//! Time a Cox fit at registry scale and (with /usr/bin/time) its peak
//! memory; a development aid for `perf`:
//!     cargo run --release --example cox_timing -- 1000000
use std::time::Instant;
use survstat::cox::{fit, CoxData, CoxOptions};
use survstat::linalg::Matrix;

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(1_000_000);
    // Straight into the three input arrays (80 + 8 + 1 MB at 10^6), so the
    // process's peak memory is the input plus what the fit adds.
    let (mut x, mut time, mut event) = (Vec::with_capacity(n * 10), Vec::with_capacity(n), Vec::with_capacity(n));
    for row in sbrt::simulate::registry(n, 20260101) {
        x.extend(row.x);
        time.push(row.time);
        event.push(row.event);
    }
    let x = Matrix { nrow: n, ncol: 10, data: x };
    let start = Instant::now();
    let f = fit(&CoxData { time: &time, event: &event, x: &x, strata: None, cluster: None }, &CoxOptions::default())
        .unwrap();
    println!("n = {n}: fit {:.3} s, {} iterations, loglik {}", start.elapsed().as_secs_f64(), f.iterations, f.loglik);
}
