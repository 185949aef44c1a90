//! The generic CSV reader on a file as R's `write.csv` writes it: quoted
//! header and strings, numbers with 15 significant digits (issue 16:
//! reading at the speed of memory). n rows of `time`, `status`, a quoted
//! `group` and `x1`..`x10`; the twelve numeric columns are kept, as
//! `sbrt cox --covariates x1,...,x10` keeps them. Rates are in bytes of the
//! file per second. Run with `cargo bench --bench reader`.

use divan::counter::BytesCount;
use sbrt::csv_table::{CsvTable, Kind};

fn main() {
    divan::main();
}

/// `x` with 15 significant digits and no trailing zeros, as R writes it.
fn r_number(x: f64) -> String {
    let digits = 14 - x.abs().log10().floor() as i32;
    let text = format!("{:.*}", digits.clamp(0, 20) as usize, x);
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// The text of an R-exported file of `n` rows.
fn r_export(n: usize) -> Vec<u8> {
    let mut rng = sbrt::rng::Rng::new(20261128);
    let mut text = String::from("\"time\",\"status\",\"group\"");
    for j in 1..=10 {
        text.push_str(&format!(",\"x{j}\""));
    }
    text.push('\n');
    for _ in 0..n {
        let time = rng.exponential(24.0);
        let status = u8::from(rng.chance(0.6));
        let group = ["a", "b", "c"][rng.integer(0, 2) as usize];
        text.push_str(&format!("{},{status},\"{group}\"", r_number(time)));
        for _ in 0..10 {
            text.push(',');
            text.push_str(&r_number(rng.normal()));
        }
        text.push('\n');
    }
    text.into_bytes()
}

const KEPT: [&str; 12] = ["time", "status", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10"];

/// Parsing the text held in memory.
#[divan::bench(args = [100_000, 1_000_000], sample_count = 5)]
fn r_export_in_memory(bencher: divan::Bencher, n: usize) {
    let text = r_export(n);
    let wanted: Vec<(&str, Kind)> = KEPT.iter().map(|&c| (c, Kind::Number)).collect();
    bencher.counter(BytesCount::new(text.len())).bench(|| CsvTable::from_bytes("r.csv", &text, Some(&wanted)).unwrap());
}

/// Reading the file from disk (the page cache, after the first run).
#[divan::bench(args = [1_000_000], sample_count = 5)]
fn r_export_file(bencher: divan::Bencher, n: usize) {
    let text = r_export(n);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.csv");
    std::fs::write(&path, &text).unwrap();
    let wanted: Vec<(&str, Kind)> = KEPT.iter().map(|&c| (c, Kind::Number)).collect();
    bencher.counter(BytesCount::new(text.len())).bench(|| CsvTable::read(&path, Some(&wanted)).unwrap());
}
