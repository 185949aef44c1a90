//! The full analysis of the bundled 75-lesion cohort (issue: "well under a
//! second in a release build"). Run with `cargo bench --bench analysis`.

use sbrt::cohort::{load, Cohort, ReadOptions};
use sbrt::study::Study;
use std::path::Path;

fn main() {
    divan::main();
}

fn example() -> Cohort {
    load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/spine_sarcoma_synthetic.csv"), &ReadOptions::default())
        .unwrap()
        .0
}

/// Reading and validating the cohort file.
#[divan::bench]
fn read_and_validate(bencher: divan::Bencher) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/spine_sarcoma_synthetic.csv");
    bencher.bench(|| load(&path, &ReadOptions::default()).unwrap());
}

/// Every statistic of the study: tables, screens, elimination, curves.
#[divan::bench]
fn statistics(bencher: divan::Bencher) {
    let cohort = example();
    let study = Study::builtin();
    bencher.with_inputs(|| cohort.clone()).bench_values(|cohort| sbrt::analysis::analyze(cohort, &study).unwrap());
}

/// Statistics plus every output file's bytes (SVG, PNG, HTML, JSON, CSV, Markdown).
#[divan::bench(sample_count = 20)]
fn statistics_and_report(bencher: divan::Bencher) {
    let cohort = example();
    let study = Study::builtin();
    bencher.with_inputs(|| cohort.clone()).bench_values(|cohort| {
        let results = sbrt::analysis::analyze(cohort, &study).unwrap();
        sbrt::report::render_files(&results, &study, "0", None).unwrap()
    });
}

/// The bootstrap of the selection procedure: 1000 resamples of patients,
/// screening and backward elimination rerun for all three endpoints, on all cores.
#[divan::bench(sample_count = 5)]
fn bootstrap_1000_resamples(bencher: divan::Bencher) {
    let cohort = example();
    let mut study = Study::builtin();
    study.robustness.bootstrap_resamples = 1000;
    bencher.with_inputs(|| cohort.clone()).bench_values(|cohort| sbrt::analysis::analyze(cohort, &study).unwrap());
}

/// A simulated cohort of 50,000 patients (about 85,000 lesions) as CSV
/// bytes: the stages of a registry-sized `analyze` (issue 16's lean
/// analysis), each timed on its own.
fn registry_csv() -> Vec<u8> {
    let mut csv = Vec::new();
    sbrt::simulate::write_cohort(&mut csv, std::io::sink(), 7, 50_000, |_| {}).unwrap();
    csv
}

/// The registry cohort, read and validated.
fn registry() -> Cohort {
    let csv = registry_csv();
    sbrt::cohort::load_bytes("r.csv", sbrt::cohort::read::FileType::Csv, csv, &ReadOptions::default()).unwrap().0
}

/// Reading the registry cohort's CSV into its grid, typing and checking it.
#[divan::bench(sample_count = 5)]
fn registry_read_and_validate(bencher: divan::Bencher) {
    let csv = registry_csv();
    bencher.counter(divan::counter::BytesCount::new(csv.len())).bench(|| {
        sbrt::cohort::load_bytes("r.csv", sbrt::cohort::read::FileType::Csv, csv.clone(), &ReadOptions::default())
            .unwrap()
    });
}

/// Deriving the registry cohort's endpoints and the columns its covariates read.
#[divan::bench(sample_count = 5)]
fn registry_derive(bencher: divan::Bencher) {
    let (cohort, study) = (registry(), Study::builtin());
    bencher
        .with_inputs(|| cohort.clone())
        .bench_values(|cohort| sbrt::analysis::DerivedRows::of(cohort, &study).tabulate(&study));
}

/// Every statistic of the study on the registry cohort.
#[divan::bench(sample_count = 3)]
fn registry_statistics(bencher: divan::Bencher) {
    let (cohort, study) = (registry(), Study::builtin());
    bencher.with_inputs(|| cohort.clone()).bench_values(|cohort| sbrt::analysis::analyze(cohort, &study).unwrap());
}
