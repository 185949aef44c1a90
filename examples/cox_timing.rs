//! Time a Cox fit at registry scale and the marginal cost of one Newton
//! iteration; with /usr/bin/time, its peak memory. A development aid for
//! `perf`, and the measurement behind docs/performance.md's floor:
//!     cargo run --release --example cox_timing -- 1000000
//!
//! The per-iteration cost is a tenth of the difference between two fits
//! that cannot converge (a negative tolerance) and stop at `max_iter`: 12
//! iterations (β = 0, twelve steps and the final evaluation at the last β:
//! fourteen likelihood evaluations) and 2 (four), without the concordance;
//! sorting and centring cancel out. Best of five each. `--single` runs one fit and nothing else, for measuring peak
//! memory with /usr/bin/time.
#[path = "support/timing.rs"]
mod timing;

use sbrt::simulate::{registry_columns, RegistryColumns};
use std::time::Instant;
use survstat::cox::{fit, CoxData, CoxOptions};
use survstat::linalg::Matrix;
use timing::best_seconds;

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(1_000_000);
    // The input the fit sees is X, time and event (80 + 8 + 1 MB at 10^6), so
    // the process's peak memory is the input plus what the fit adds.
    let RegistryColumns { time, event, x, .. } = registry_columns(n, 20260101, true);
    let x = Matrix { nrow: n, ncol: 10, data: x };
    let data = CoxData { time: &time, event: &event, x: &x, strata: None, cluster: None, weights: None };
    let start = Instant::now();
    let f = fit(&data, &CoxOptions::default()).expect("fit");
    let (seconds, iterations, loglik) = (start.elapsed().as_secs_f64(), f.iterations, f.loglik);
    drop(f);
    if std::env::args().any(|a| a == "--single") {
        println!("n = {n}: one fit {seconds:.3} s ({iterations} iterations, loglik {loglik})");
        return;
    }
    let full = best_seconds(10, || fit(&data, &CoxOptions::default()).expect("fit"));
    let unconverged = |max_iter| {
        let options = CoxOptions { max_iter, eps: -1.0, concordance: false, ..CoxOptions::default() };
        best_seconds(5, || fit(&data, &options).expect("fit"))
    };
    let (two, twelve) = (unconverged(2), unconverged(12));
    println!("n = {n}: fit {full:.3} s ({iterations} iterations, loglik {loglik})");
    println!("one Newton iteration (one likelihood evaluation): {:.1} ms", (twelve - two) / 10.0 * 1e3);
}
