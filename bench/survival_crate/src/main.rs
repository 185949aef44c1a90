//! The Rust `survival` crate (2.0.0) on an R-exported file: with
//! `--whole`, read the file and fit the Cox model (Efron, x1..x10), nothing
//! else; without, the in-memory seconds of its Cox fit, Kaplan-Meier and
//! log-rank test by group, best of 3, as "cox km logrank". The crate has no
//! CSV reader: the file is read here by splitting lines at commas (the
//! file is regular: no quoted commas or line breaks).
//!
//!     cargo run --release -- FILE.csv [--whole]
use ndarray::Array2;
use std::time::Instant;
use survival::regression::{CoxphData, CoxphFitResult, CoxphOptions};
use survival::surv_analysis::{survdiff, survfitkm, SurvdiffData, SurvfitKMData, SurvfitKMOptions};

struct Table {
    time: Vec<f64>,
    status: Vec<i32>,
    group: Vec<i32>,
    x: Array2<f64>,
}

fn read(path: &str) -> Table {
    let text = std::fs::read_to_string(path).expect("the file");
    let mut lines = text.lines();
    let header: Vec<String> =
        lines.next().expect("a header").split(',').map(|h| h.trim_matches('"').to_string()).collect();
    let at = |name: &str| header.iter().position(|h| h == name).expect("a column");
    let (t, s, g) = (at("time"), at("status"), at("group"));
    let xs: Vec<usize> = (1..=10).map(|j| at(&format!("x{j}"))).collect();
    let (mut time, mut status, mut group, mut x) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for line in lines {
        let cells: Vec<&str> = line.split(',').collect();
        time.push(cells[t].parse().expect("a time"));
        status.push(cells[s].parse().expect("a status"));
        group.push(match cells[g].trim_matches('"') {
            "a" => 0,
            "b" => 1,
            _ => 2,
        });
        x.extend(xs.iter().map(|&j| cells[j].parse::<f64>().expect("a number")));
    }
    let n = time.len();
    Table { time, status, group, x: Array2::from_shape_vec((n, 10), x).expect("n x 10") }
}

fn cox(t: &Table) -> CoxphFitResult {
    let data = CoxphData::try_new(t.time.clone(), None, t.status.clone(), t.x.clone(), None, None, None).expect("data");
    CoxphFitResult::fit(data, CoxphOptions::default(), false).expect("Cox fit")
}

fn best<T>(mut f: impl FnMut() -> T) -> f64 {
    (0..3)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(f());
            start.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let t = read(&args[0]);
    if args.iter().any(|a| a == "--whole") {
        println!("{:?}", cox(&t).loglik);
        return;
    }
    let c = best(|| cox(&t));
    let km = best(|| {
        let data = SurvfitKMData::right_censored(t.time.clone(), t.status.clone()).expect("data");
        survfitkm(&data, &SurvfitKMOptions::default()).expect("KM")
    });
    let lr = best(|| {
        let data = SurvdiffData::try_new(None, t.time.clone(), t.status.clone(), t.group.clone(), None).expect("data");
        survdiff(&data, 0.0, true).expect("log-rank")
    });
    println!("{c:.4} {km:.4} {lr:.4}");
}
