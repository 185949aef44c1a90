//! Time the phases of a Cox fit at registry scale (a development aid):
//!     cargo run --release --example cox_timing -- 1000000
use std::time::Instant;
use survstat::cox::{fit, CoxData, CoxOptions};
use survstat::linalg::Matrix;

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(1_000_000);
    let mut rng = sbrt::rng::Rng::new(20260101);
    let beta = [0.3, -0.2, 0.1, 0.0, 0.25, -0.15, 0.05, 0.2, -0.1, 0.0];
    let mut x = Matrix::zeros(n, 10);
    let (mut time, mut event) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for i in 0..n {
        for j in 0..10 {
            *x.get_mut(i, j) = (rng.normal() * 100.0).round() / 100.0;
        }
        let lp: f64 = x.row(i).iter().zip(beta).map(|(a, b)| a * b).sum();
        let t_event = rng.exponential(24.0 * (-lp).exp());
        let t_cens = rng.between(0.0, 60.0);
        time.push(((t_event.min(t_cens) * 10.0).round() / 10.0).max(0.1));
        event.push(t_event <= t_cens);
    }
    let start = Instant::now();
    let f = fit(&CoxData { time: &time, event: &event, x: &x, strata: None, cluster: None }, &CoxOptions::default())
        .unwrap();
    println!("n = {n}: fit {:.3} s, {} iterations, loglik {}", start.elapsed().as_secs_f64(), f.iterations, f.loglik);
}
