//! The statistics engine at registry scale (issue: ten times faster than R's
//! survival). Data: n rows, 10 numeric covariates, times on a 0.1-month grid
//! (heavy ties), 3 groups, ~30 % censoring, as `examples/make_registry.rs`.
//! Run with `cargo bench --bench engine`; `bench/compare_r.sh` runs R on the
//! same data and prints the ratios.

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
    let rows: Vec<_> = sbrt::simulate::registry(n, 20260101).collect();
    Registry {
        time: rows.iter().map(|r| r.time).collect(),
        event: rows.iter().map(|r| r.event).collect(),
        x: Matrix { nrow: n, ncol: 10, data: rows.iter().flat_map(|r| r.x).collect() },
    }
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
    let (time, event, _) = outcomes(n);
    bencher.bench(|| KaplanMeier::fit(&time, &event, ConfSpec::default()));
}

/// Three-group log-rank test.
#[divan::bench(args = [10_000, 100_000, 1_000_000, 10_000_000], sample_count = 5)]
fn logrank_3_groups(bencher: divan::Bencher, n: usize) {
    let (time, event, group) = outcomes(n);
    bencher.bench(|| logrank(&time, &event, &group, 3, None).unwrap());
}

/// Times, events and groups of the same rows, streamed (no covariate matrix kept), for 10^7.
fn outcomes(n: usize) -> (Vec<f64>, Vec<bool>, Vec<usize>) {
    let mut out = (Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n));
    for r in sbrt::simulate::registry(n, 20260101) {
        out.0.push(r.time);
        out.1.push(r.event);
        out.2.push(r.group);
    }
    out
}
