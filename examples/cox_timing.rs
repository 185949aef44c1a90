//! Time a Cox fit at registry scale and the marginal cost of one Newton
//! iteration; with /usr/bin/time, its peak memory. A development aid for
//! `perf`, and the measurement behind docs/performance.md's floor:
//!     cargo run --release --example cox_timing -- 1000000
//!
//! The per-iteration cost is the difference between two fits stopped by
//! `max_iter` before they converge: 2 iterations (β = 0, two steps and the
//! final evaluation at the last β: four likelihood evaluations) and 1
//! (three); sorting, centring and the concordance cancel out. Best of ten
//! each. `--single` runs one fit and nothing else, for measuring peak
//! memory with /usr/bin/time.
use std::time::Instant;
use survstat::cox::{fit, CoxData, CoxOptions};
use survstat::linalg::Matrix;

fn best(mut f: impl FnMut() -> f64) -> f64 {
    (0..10).map(|_| f()).fold(f64::INFINITY, f64::min)
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
    let (seconds, iterations, loglik) = timed(CoxOptions::default());
    if std::env::args().any(|a| a == "--single") {
        println!("n = {n}: one fit {seconds:.3} s ({iterations} iterations, loglik {loglik})");
        return;
    }
    let full = best(|| timed(CoxOptions::default()).0);
    let stopped = |max_iter| best(|| timed(CoxOptions { max_iter, ..CoxOptions::default() }).0);
    let (one, two) = (stopped(1), stopped(2));
    println!("n = {n}: fit {full:.3} s ({iterations} iterations, loglik {loglik})");
    println!("one Newton iteration (one likelihood evaluation): {:.1} ms", (two - one) * 1e3);
}
