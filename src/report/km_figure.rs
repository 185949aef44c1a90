//! Kaplan-Meier figure: step curves with censor marks, the log-rank p, and
//! a numbers-at-risk table whose columns sit exactly under the time axis
//! ticks (one coordinate function serves both, so they cannot drift apart,
//! a known defect of survminer's separately drawn risk tables).

use super::svg::{text_width, Anchor, Svg, TextStyle, PALETTE};
use crate::analysis::survival::Curve;
use crate::analysis::table::p_value;
use crate::analysis::FigureResult;

/// A tick step (months) giving at most ten intervals up to `max_time`.
pub fn tick_step(max_time: f64) -> f64 {
    [3.0, 6.0, 12.0, 24.0, 36.0, 60.0, 120.0, 240.0].into_iter().find(|s| max_time / s <= 10.0).unwrap_or(480.0)
}

/// The step path of a curve, in plot coordinates.
fn curve_path(c: &Curve, x: &dyn Fn(f64) -> f64, y: &dyn Fn(f64) -> f64) -> String {
    let mut d = format!("M{:.2},{:.2}", x(0.0), y(1.0));
    for s in c.steps.iter().filter(|s| s.n_event > 0) {
        d.push_str(&format!(" H{:.2} V{:.2}", x(s.time), y(s.surv)));
    }
    if let Some(last) = c.steps.last() {
        d.push_str(&format!(" H{:.2}", x(last.time)));
    }
    d
}

/// Render a figure as SVG.
pub fn render(fig: &FigureResult) -> String {
    let font = 12.0;
    let labels: Vec<String> = fig.curves.iter().map(|c| c.label.clone()).collect();
    let label_w = labels.iter().map(|l| text_width(l, font)).fold(0.0, f64::max);
    let left = (label_w + 30.0).max(72.0);
    let width = (left + 640.0).max(760.0);
    let right = 24.0;
    let top = 48.0;
    let plot_h = 320.0;
    let table_top = top + plot_h + 56.0;
    let row_h = 18.0;
    let height = table_top + 26.0 + row_h * fig.curves.len() as f64 + 14.0;
    let max_time = fig.curves.iter().filter_map(|c| c.steps.last()).map(|s| s.time).fold(0.0, f64::max).max(1.0);
    let step = tick_step(max_time);
    let x_max = (max_time / step).ceil() * step;
    let plot_w = width - left - right;
    let x = |t: f64| left + plot_w * t / x_max;
    let y = |s: f64| top + plot_h * (1.0 - s);

    let mut svg = Svg::new(width, height);
    svg.text(left, 24.0, TextStyle::new(14.0, Anchor::Start).bold(), &fig.title);
    // Axes and grid.
    svg.line(left, top, left, top + plot_h, "#000000", 1.0);
    svg.line(left, top + plot_h, left + plot_w, top + plot_h, "#000000", 1.0);
    for k in 0..=5 {
        let s = k as f64 / 5.0;
        svg.line(left - 5.0, y(s), left, y(s), "#000000", 1.0);
        svg.line(left, y(s), left + plot_w, y(s), "#e5e5e5", 0.6);
        svg.text(left - 8.0, y(s) + 4.0, TextStyle::new(font, Anchor::End), &format!("{}%", k * 20));
    }
    let ticks: Vec<f64> = (0..=((x_max / step).round() as usize)).map(|k| k as f64 * step).collect();
    for &t in &ticks {
        svg.line(x(t), top + plot_h, x(t), top + plot_h + 5.0, "#000000", 1.0);
        svg.text(x(t), top + plot_h + 19.0, TextStyle::new(font, Anchor::Middle), &format!("{t}"));
    }
    svg.text(left + plot_w / 2.0, top + plot_h + 38.0, TextStyle::new(font, Anchor::Middle), "Months since SBRT");
    svg.vertical_text(left - 48.0, top + plot_h / 2.0, font, &fig.endpoint_label);

    // Curves and censor marks (at most one mark per pixel column per curve).
    for (k, c) in fig.curves.iter().enumerate() {
        let colour = PALETTE[k % PALETTE.len()];
        svg.path(&curve_path(c, &x, &y), colour, 2.0);
        let mut last_px = f64::NEG_INFINITY;
        for s in c.steps.iter().filter(|s| s.n_censor > 0) {
            let px = x(s.time).round();
            if px == last_px {
                continue;
            }
            last_px = px;
            let py = y(s.surv);
            svg.line(px, py - 4.0, px, py + 4.0, colour, 1.4);
        }
    }
    // Legend (top right, left-aligned block) and log-rank p (bottom left).
    let entries: Vec<String> =
        fig.curves.iter().map(|c| format!("{} (n = {}, events = {})", c.label, c.n, c.events)).collect();
    let block_w = entries.iter().map(|e| text_width(e, font)).fold(0.0, f64::max) + 30.0;
    let legend_x = (left + plot_w - block_w - 8.0).max(left + 8.0);
    for (k, text) in entries.iter().enumerate() {
        let colour = PALETTE[k % PALETTE.len()];
        let ly = top + 14.0 + 18.0 * k as f64;
        svg.line(legend_x, ly - 4.0, legend_x + 22.0, ly - 4.0, colour, 2.5);
        svg.text(legend_x + 30.0, ly, TextStyle::new(font, Anchor::Start), text);
    }
    if let Some(p) = fig.logrank_p {
        let p = p_value(Some(p));
        let text = if p.starts_with('<') { format!("Log-rank p {p}") } else { format!("Log-rank p = {p}") };
        svg.text(left + 12.0, top + plot_h - 12.0, TextStyle::new(font, Anchor::Start), &text);
    }
    // Numbers at risk, at the axis ticks.
    svg.text(left - label_w - 22.0, table_top, TextStyle::new(font, Anchor::Start).bold(), "Number at risk");
    for (k, c) in fig.curves.iter().enumerate() {
        let colour = PALETTE[k % PALETTE.len()];
        let ry = table_top + 22.0 + row_h * k as f64;
        svg.text(left - 22.0, ry, TextStyle::new(font, Anchor::End).fill(colour).bold(), &c.label);
        for &t in &ticks {
            svg.text(x(t), ry, TextStyle::new(font, Anchor::Middle), &c.n_at_risk(t).to_string());
        }
    }
    svg.finish(&fig.title)
}

#[cfg(test)]
mod tests {
    use super::*;
    use survstat::km::ConfSpec;

    #[test]
    fn risk_table_sits_under_the_ticks() {
        let c = Curve::fit("A", &[1.0, 5.0, 13.0, 30.0], &[true, false, true, false], ConfSpec::default(), &[12.0]);
        let fig = FigureResult {
            id: "f".into(),
            title: "T".into(),
            endpoint: "os".into(),
            endpoint_label: "OS".into(),
            by: None,
            curves: vec![c],
            logrank_p: None,
        };
        let svg = render(&fig);
        // Tick label "12" and the at-risk count under it share an x coordinate.
        let x_of = |needle: &str| -> Vec<String> {
            svg.match_indices(needle)
                .map(|(i, _)| svg[..i].rsplit("x=\"").next().unwrap().split('"').next().unwrap().to_string())
                .collect()
        };
        let tick_x = x_of(">12</text>");
        let risk_x = x_of(">2</text>");
        assert!(tick_x.iter().any(|t| risk_x.contains(t)), "{tick_x:?} vs {risk_x:?}");
        assert_eq!(tick_step(150.0), 24.0);
        assert_eq!(tick_step(40.0), 6.0);
    }
}
