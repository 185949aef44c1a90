//! The statistics engine at registry scale (issue: ten times faster than R's
//! survival). Data: n rows, 10 numeric covariates, times on a 0.1-month grid
//! (heavy ties), 3 groups, ~30 % censoring, as `examples/make_registry.rs`.
//! Run with `cargo bench --bench engine`; `bench/compare_r.sh` runs R on the
//! same data and prints the ratios.

use sbrt::simulate::registry_columns;
use survstat::cox::{fit, CoxData, CoxOptions};
use survstat::km::{ConfSpec, KaplanMeier};
use survstat::linalg::Matrix;
use survstat::logrank::logrank;

fn main() {
    divan::main();
}

/// Cox model, Efron ties, 10 covariates.
#[divan::bench(args = [10_000, 100_000, 1_000_000], sample_count = 5)]
fn cox_efron_p10(bencher: divan::Bencher, n: usize) {
    let r = registry_columns(n, 20260101, true);
    let x = Matrix { nrow: n, ncol: 10, data: r.x };
    bencher.bench(|| {
        fit(
            &CoxData { time: &r.time, event: &r.event, x: &x, strata: None, cluster: None, weights: None },
            &CoxOptions::default(),
        )
        .unwrap()
    });
}

/// As [`cox_efron_p10`] with continuous times, as in a file R exports
/// (nearly every event time distinct): each time spread within its
/// 0.1-month step by a fixed low-discrepancy offset.
#[divan::bench(args = [100_000, 1_000_000], sample_count = 5)]
fn cox_efron_p10_continuous_times(bencher: divan::Bencher, n: usize) {
    let r = registry_columns(n, 20260101, true);
    let time: Vec<f64> =
        r.time.iter().enumerate().map(|(i, t)| t + (i as f64 * 0.618_033_988_75).fract() * 0.1).collect();
    let x = Matrix { nrow: n, ncol: 10, data: r.x };
    bencher.bench(|| {
        fit(
            &CoxData { time: &time, event: &r.event, x: &x, strata: None, cluster: None, weights: None },
            &CoxOptions::default(),
        )
        .unwrap()
    });
}

/// Kaplan-Meier of the whole set (no covariates drawn, for 10^7).
#[divan::bench(args = [10_000, 100_000, 1_000_000, 10_000_000], sample_count = 5)]
fn kaplan_meier(bencher: divan::Bencher, n: usize) {
    let r = registry_columns(n, 20260101, false);
    bencher.bench(|| KaplanMeier::fit(&r.time, &r.event, ConfSpec::default()));
}

/// Three-group log-rank test.
#[divan::bench(args = [10_000, 100_000, 1_000_000, 10_000_000], sample_count = 5)]
fn logrank_3_groups(bencher: divan::Bencher, n: usize) {
    let r = registry_columns(n, 20260101, false);
    bencher.bench(|| logrank(&r.time, &r.event, &r.group, 3, None).unwrap());
}

/// The sort every fit starts with: 16-byte records (a continuous time and
/// its row) by the time's key, as `radix::order_by` and the risk-set order
/// sort them.
#[divan::bench(args = [100_000, 1_000_000, 10_000_000], sample_count = 5)]
fn sort_continuous_times(bencher: divan::Bencher, n: usize) {
    let r = registry_columns(n, 20260101, false);
    let records: Vec<(f64, usize)> =
        r.time.iter().enumerate().map(|(i, t)| (t + (i as f64 * 0.618_033_988_75).fract() * 0.1, i)).collect();
    bencher.with_inputs(|| records.clone()).bench_local_values(|mut records| {
        survstat::radix::sort_by_key(&mut records, |r| survstat::radix::ascending(r.0));
        records
    });
}
