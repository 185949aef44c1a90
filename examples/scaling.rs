//! How the engine's cost grows with n (issue "registry scale"): times the
//! Cox fit (Efron, p = 10), Kaplan-Meier and the 3-group log-rank test on
//! registry data of n = 10^4 .. 10^7 rows, and writes the table and a
//! log-log figure with an `n log n` reference line:
//!
//!     cargo run --release --example scaling -- docs/scaling
//!
//! writes `docs/scaling.csv`, `docs/scaling.svg` and `docs/scaling.png`. Each time is the best
//! of three runs (one at 10^7), data in memory, reading excluded.
#[path = "support/figure.rs"]
mod figure;
#[path = "support/timing.rs"]
mod timing;

use sbrt::report::canvas::{Anchor, Canvas, Stroke, TextStyle};
use sbrt::report::palette::COLOUR_BLIND as PALETTE;
use sbrt::simulate::{registry_columns, RegistryColumns};
use std::fmt::Write;
use survstat::cox::{fit, CoxData, CoxOptions};
use survstat::km::{ConfSpec, KaplanMeier};
use survstat::linalg::Matrix;
use survstat::logrank::logrank;
use timing::best_seconds;

const SIZES: [usize; 7] = [10_000, 30_000, 100_000, 300_000, 1_000_000, 3_000_000, 10_000_000];

/// Seconds for each method at one n.
struct Timing {
    n: usize,
    cox: f64,
    km: f64,
    logrank: f64,
}

fn main() -> anyhow::Result<()> {
    let stem = std::env::args().nth(1).unwrap_or_else(|| "docs/scaling".into());
    let mut rows = Vec::new();
    for n in SIZES {
        let RegistryColumns { time, event, group, x } = registry_columns(n, 20260101, true);
        let x = Matrix { nrow: n, ncol: 10, data: x };
        let runs = if n >= 10_000_000 { 1 } else { 3 };
        let data = CoxData { time: &time, event: &event, x: &x, strata: None, cluster: None, weights: None };
        let cox = best_seconds(runs, || fit(&data, &CoxOptions::default()).expect("fit"));
        let km = best_seconds(runs, || KaplanMeier::fit(&time, &event, ConfSpec::default()));
        let lr = best_seconds(runs, || logrank(&time, &event, &group, 3, None).expect("log-rank"));
        println!("n = {n:>10}: Cox {cox:8.4} s, Kaplan-Meier {km:8.4} s, log-rank {lr:8.4} s");
        rows.push(Timing { n, cox, km, logrank: lr });
    }
    let mut csv = String::from("n,cox_seconds,kaplan_meier_seconds,logrank_seconds\n");
    for t in &rows {
        let _ = writeln!(csv, "{},{:.6},{:.6},{:.6}", t.n, t.cox, t.km, t.logrank);
    }
    std::fs::write(format!("{stem}.csv"), csv)?;
    figure::write(&stem, curves(&rows))?;
    println!("wrote {stem}.csv, {stem}.svg and {stem}.png");
    Ok(())
}

/// Log-log plot of seconds against n, one line per method, and for each a
/// dashed `c n log n` line through its value at 10^6.
fn curves(rows: &[Timing]) -> String {
    let (w, h) = (640.0, 420.0);
    let (left, right, top, bottom) = (80.0, 170.0, 40.0, 60.0);
    let (x0, x1) = (4.0, 7.0); // log10 n
    let all: Vec<f64> = rows.iter().flat_map(|r| [r.cox, r.km, r.logrank]).collect();
    let y0 = all.iter().fold(f64::INFINITY, |m, &v| m.min(v)).log10().floor();
    let y1 = all.iter().fold(0.0f64, |m, &v| m.max(v)).log10().ceil();
    let px = |log_n: f64| left + (log_n - x0) / (x1 - x0) * (w - left - right);
    let py = |log_s: f64| h - bottom - (log_s - y0) / (y1 - y0) * (h - top - bottom);
    let mut svg = Canvas::new(w, h, "Engine time against the number of rows, log-log");
    let axis = TextStyle::new(12.0, Anchor::Middle);
    for e in 4..=7 {
        let x = px(e as f64);
        svg.line(x, top, x, h - bottom, "#dddddd", 1.0);
        svg.text(x, h - bottom + 18.0, axis, &format!("10^{e}"));
    }
    for e in (y0 as i32)..=(y1 as i32) {
        let y = py(e as f64);
        svg.line(left, y, w - right, y, "#dddddd", 1.0);
        svg.text(left - 8.0, y + 4.0, TextStyle::new(12.0, Anchor::End), &format!("{} s", 10f64.powi(e)));
    }
    svg.text((left + w - right) / 2.0, h - 18.0, axis, "rows n");
    svg.vertical_text(22.0, (top + h - bottom) / 2.0, 12.0, "seconds (best of 3)");
    svg.text(left, 24.0, TextStyle::new(14.0, Anchor::Start).bold(), "sbrt engine: time against n (2 cores)");
    for (k, name) in ["Cox, Efron, p = 10", "Kaplan-Meier", "log-rank, 3 groups"].iter().enumerate() {
        let value = |r: &Timing| [r.cox, r.km, r.logrank][k];
        let colour = PALETTE[k];
        let mut points = Vec::new();
        for r in rows {
            let (x, y) = (px((r.n as f64).log10()), py(value(r).log10()));
            points.push((x, y));
            svg.rect(x - 3.0, y - 3.0, 6.0, 6.0, colour, None);
        }
        svg.polyline(points, Stroke::solid(colour, 2.0));
        if let Some(anchor) = rows.iter().find(|r| r.n == 1_000_000) {
            let c = value(anchor) / (1e6 * 1e6f64.ln());
            let reference = |n: f64| (c * n * n.ln()).log10();
            svg.line(px(x0), py(reference(10f64.powf(x0))), px(x1), py(reference(10f64.powf(x1))), "#999999", 1.0);
        }
        let ly = top + 20.0 + 22.0 * k as f64;
        svg.line(w - right + 12.0, ly - 4.0, w - right + 32.0, ly - 4.0, colour, 2.0);
        svg.text(w - right + 38.0, ly, TextStyle::new(12.0, Anchor::Start), name);
    }
    let ly = top + 20.0 + 22.0 * 3.0;
    svg.line(w - right + 12.0, ly - 4.0, w - right + 32.0, ly - 4.0, "#999999", 1.0);
    svg.text(w - right + 38.0, ly, TextStyle::new(12.0, Anchor::Start), "c·n log n");
    svg.to_svg()
}
