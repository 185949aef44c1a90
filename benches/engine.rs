//! The statistics engine at registry scale (issue: ten times faster than R's
//! survival). Data: n rows, 10 numeric covariates, times on a 0.1-month grid
//! (heavy ties), 3 groups, ~30 % censoring, as `examples/make_registry.rs`.
//! Run with `cargo bench --bench engine`; `bench/compare_r.sh` runs R on the
//! same data and prints the ratios.

use sbrt::rng::Rng;
use survstat::cox::{fit, CoxData, CoxOptions};
use survstat::km::{ConfSpec, KaplanMeier};
use survstat::linalg::Matrix;
use survstat::logrank::logrank;

fn main() {
    divan::main();
}

struct Registry {
    time: Vec<f64>,
    event: Vec<bool>,
    x: Matrix,
}

fn registry(n: usize) -> Registry {
    let mut rng = Rng::new(20260101);
    let beta = [0.3, -0.2, 0.1, 0.0, 0.25, -0.15, 0.05, 0.2, -0.1, 0.0];
    let mut x = Matrix::zeros(n, 10);
    let (mut time, mut event) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for i in 0..n {
        for j in 0..10 {
            *x.get_mut(i, j) = (rng.normal() * 100.0).round() / 100.0;
        }
        let lp: f64 = x.row(i).iter().zip(beta).map(|(a, b)| a * b).sum();
        let g = rng.integer(0, 2) as usize;
        let t_event = rng.exponential(24.0 * (-lp - 0.2 * g as f64).exp());
        let t_cens = rng.between(0.0, 60.0);
        time.push(((t_event.min(t_cens) * 10.0).round() / 10.0).max(0.1));
        event.push(t_event <= t_cens);
    }
    Registry { time, event, x }
}

/// Cox model, Efron ties, 10 covariates.
#[divan::bench(args = [10_000, 100_000, 1_000_000], sample_count = 5)]
fn cox_efron_p10(bencher: divan::Bencher, n: usize) {
    let r = registry(n);
    bencher.bench(|| {
        fit(&CoxData { time: &r.time, event: &r.event, x: &r.x, strata: None, cluster: None }, &CoxOptions::default())
            .unwrap()
    });
}

/// Kaplan-Meier of the whole set.
#[divan::bench(args = [10_000, 100_000, 1_000_000, 10_000_000], sample_count = 5)]
fn kaplan_meier(bencher: divan::Bencher, n: usize) {
    let r = registry_light(n);
    bencher.bench(|| KaplanMeier::fit(&r.0, &r.1, ConfSpec::default()));
}

/// Three-group log-rank test.
#[divan::bench(args = [10_000, 100_000, 1_000_000, 10_000_000], sample_count = 5)]
fn logrank_3_groups(bencher: divan::Bencher, n: usize) {
    let r = registry_light(n);
    bencher.bench(|| logrank(&r.0, &r.1, &r.2, 3, None).unwrap());
}

/// Times, events and groups only (no covariate matrix), for the 10^7 runs.
fn registry_light(n: usize) -> (Vec<f64>, Vec<bool>, Vec<usize>) {
    let mut rng = Rng::new(7);
    let mut out = (Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n));
    for _ in 0..n {
        let g = rng.integer(0, 2) as usize;
        let t_event = rng.exponential(24.0 * (-0.2 * g as f64).exp());
        let t_cens = rng.between(0.0, 60.0);
        out.0.push(((t_event.min(t_cens) * 10.0).round() / 10.0).max(0.1));
        out.1.push(t_event <= t_cens);
        out.2.push(g);
    }
    out
}
