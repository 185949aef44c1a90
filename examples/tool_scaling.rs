//! The figure of `bench/compare_r.sh`'s timings (issue 16): seconds against
//! n, log-log, one line per tool (R, Python lifelines, the Rust `survival`
//! crate, sbrt), in four panels: the whole `cox` process reading the
//! R-exported file, and the Cox fit, Kaplan-Meier and log-rank with the
//! data in memory.
//!
//!     cargo run --release --example tool_scaling -- TIMINGS.csv docs/tool_scaling
//!
//! reads the timings (`n,tool,measure,seconds`, as the script writes them;
//! `NA` or a missing line: not run) and writes `docs/tool_scaling.svg` and
//! `docs/tool_scaling.png`.

#[path = "support/figure.rs"]
mod figure;

use sbrt::csv_table::{CsvTable, Kind};
use sbrt::report::canvas::{Anchor, Canvas, Stroke, TextStyle};
use sbrt::report::palette::COLOUR_BLIND as PALETTE;

/// The tools, in the legend's order.
const TOOLS: [&str; 4] = ["R", "lifelines", "survival crate", "sbrt"];

/// The panels: measure, title.
const PANELS: [(&str, &str); 4] = [
    ("whole_cox", "Whole process: read the CSV, fit Cox"),
    ("cox", "Cox fit (Efron, p = 10), data in memory"),
    ("km", "Kaplan-Meier, data in memory"),
    ("logrank", "Log-rank test, data in memory"),
];

/// One timing: n, tool, measure, seconds.
struct Timing {
    n: f64,
    tool: String,
    measure: String,
    seconds: f64,
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [timings, stem] = args.as_slice() else {
        anyhow::bail!("usage: tool_scaling TIMINGS.csv OUTPUT_STEM");
    };
    let columns = [("n", Kind::Number), ("tool", Kind::Text), ("measure", Kind::Text), ("seconds", Kind::Number)];
    let table = CsvTable::read(std::path::Path::new(timings), Some(&columns))?;
    let [n, tool, measure, seconds] = columns.map(|(name, _)| table.column(name).expect("a column read"));
    let rows: Vec<Timing> = (0..table.n_rows())
        .filter_map(|i| {
            let seconds = table.cell(i, seconds).number().filter(|s| *s > 0.0)?;
            let text = |c| table.cell(i, c).text().into_owned();
            Some(Timing { n: table.cell(i, n).number()?, tool: text(tool), measure: text(measure), seconds })
        })
        .collect();
    anyhow::ensure!(!rows.is_empty(), "{timings}: no timings");
    figure::write(stem, panels(&rows))?;
    println!("wrote {stem}.svg and {stem}.png");
    Ok(())
}

/// Four log-log panels side by side in two rows, and the legend below.
fn panels(rows: &[Timing]) -> String {
    let (panel_w, panel_h) = (380.0, 300.0);
    let (w, h) = (2.0 * panel_w + 40.0, 2.0 * panel_h + 90.0);
    let mut svg = Canvas::new(w, h, "Seconds against the number of rows for R, lifelines, the survival crate and sbrt");
    for (k, (measure, title)) in PANELS.iter().enumerate() {
        let (ox, oy) = (20.0 + panel_w * (k % 2) as f64, 10.0 + panel_h * (k / 2) as f64);
        panel(&mut svg, rows, measure, title, ox, oy, panel_w, panel_h);
    }
    for (k, tool) in TOOLS.iter().enumerate() {
        let x = 60.0 + 180.0 * k as f64;
        let y = h - 30.0;
        svg.line(x, y - 4.0, x + 24.0, y - 4.0, PALETTE[k], 2.0);
        svg.rect(x + 9.0, y - 7.0, 6.0, 6.0, PALETTE[k], None);
        svg.text(x + 30.0, y, TextStyle::new(12.0, Anchor::Start), tool);
    }
    svg.to_svg()
}

/// One panel at (`ox`, `oy`): a line per tool through its timings of `measure`.
#[allow(clippy::too_many_arguments)]
fn panel(svg: &mut Canvas, rows: &[Timing], measure: &str, title: &str, ox: f64, oy: f64, w: f64, h: f64) {
    let (left, right, top, bottom) = (62.0, 16.0, 34.0, 40.0);
    let mine: Vec<&Timing> = rows.iter().filter(|r| r.measure == measure).collect();
    svg.text(ox + left, oy + 20.0, TextStyle::new(13.0, Anchor::Start).bold(), title);
    if mine.is_empty() {
        svg.text(ox + w / 2.0, oy + h / 2.0, TextStyle::new(12.0, Anchor::Middle), "not measured");
        return;
    }
    let log_n: Vec<f64> = mine.iter().map(|r| r.n.log10()).collect();
    let (x0, x1) = (log_n.iter().fold(f64::INFINITY, |a, &b| a.min(b)), log_n.iter().fold(0.0f64, |a, &b| a.max(b)));
    let (x0, x1) = (x0.floor(), x1.ceil().max(x0.floor() + 1.0));
    let seconds = mine.iter().map(|r| r.seconds.log10());
    let y0 = seconds.clone().fold(f64::INFINITY, f64::min).floor();
    let y1 = seconds.fold(f64::NEG_INFINITY, f64::max).ceil().max(y0 + 1.0);
    let px = |v: f64| ox + left + (v - x0) / (x1 - x0) * (w - left - right);
    let py = |v: f64| oy + h - bottom - (v - y0) / (y1 - y0) * (h - top - bottom);
    let axis = TextStyle::new(11.0, Anchor::Middle);
    for e in (x0 as i32)..=(x1 as i32) {
        let x = px(e as f64);
        svg.line(x, oy + top, x, oy + h - bottom, "#dddddd", 1.0);
        svg.text(x, oy + h - bottom + 16.0, axis, &format!("10^{e}"));
    }
    for e in (y0 as i32)..=(y1 as i32) {
        let y = py(e as f64);
        svg.line(ox + left, y, ox + w - right, y, "#dddddd", 1.0);
        svg.text(ox + left - 6.0, y + 4.0, TextStyle::new(11.0, Anchor::End), &format!("{} s", 10f64.powi(e)));
    }
    svg.text(ox + (left + w - right) / 2.0, oy + h - 8.0, axis, "rows n");
    for (k, tool) in TOOLS.iter().enumerate() {
        let mut points: Vec<(f64, f64)> =
            mine.iter().filter(|r| r.tool == *tool).map(|r| (px(r.n.log10()), py(r.seconds.log10()))).collect();
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
        for &(x, y) in &points {
            svg.rect(x - 3.0, y - 3.0, 6.0, 6.0, PALETTE[k], None);
        }
        if points.len() > 1 {
            svg.polyline(points, Stroke::solid(PALETTE[k], 2.0));
        }
    }
}
