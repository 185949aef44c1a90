//! Time a Cox fit at registry scale and the marginal cost of one Newton
//! iteration; with /usr/bin/time, its peak memory. A development aid for
//! `perf`, and the measurement behind docs/performance.md's floor:
//!     cargo run --release --example cox_timing -- 1000000
//!
//! The per-iteration cost is the difference between the usual fit (β = 0
//! and three Newton steps: four likelihood evaluations) and the same fit
//! stopped after its first step by a loose tolerance (two evaluations),
//! halved: sorting, centring and the concordance cancel out.
use std::time::Instant;
use survstat::cox::{fit, CoxData, CoxOptions};
use survstat::linalg::Matrix;

fn best(mut f: impl FnMut() -> f64) -> f64 {
    (0..3).map(|_| f()).fold(f64::INFINITY, f64::min)
}

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
    let data = CoxData { time: &time, event: &event, x: &x, strata: None, cluster: None };
    let timed = |options: CoxOptions| {
        let start = Instant::now();
        let f = fit(&data, &options).expect("fit");
        (start.elapsed().as_secs_f64(), f.iterations, f.loglik)
    };
    let (_, iterations, loglik) = timed(CoxOptions::default());
    let full = best(|| timed(CoxOptions::default()).0);
    let one_step = best(|| timed(CoxOptions { eps: 1.0, ..CoxOptions::default() }).0);
    println!("n = {n}: fit {full:.3} s ({iterations} iterations, loglik {loglik})");
    println!("one Newton iteration (one likelihood evaluation): {:.1} ms", (full - one_step) / 2.0 * 1e3);
}
