//! Kaplan-Meier figure: step curves with censor marks, the log-rank p, and
//! a numbers-at-risk table whose columns sit exactly under the time axis
//! ticks (one coordinate function serves both, so they cannot drift apart,
//! a known defect of survminer's separately drawn risk tables). A figure
//! with an adjustment draws the adjusted curves instead (no censor marks,
//! the adjusted likelihood-ratio p, a note naming the covariates), keeping
//! the observed groups' legend and numbers at risk.

use super::format::p_value;
use super::svg::{text_width, Anchor, Svg, TextStyle, PALETTE};
use crate::results::{Curve, FigureResult};

/// A tick step (months) giving at most ten intervals up to `max_time`.
pub fn tick_step(max_time: f64) -> f64 {
    [3.0, 6.0, 12.0, 24.0, 36.0, 60.0, 120.0, 240.0].into_iter().find(|s| max_time / s <= 10.0).unwrap_or(480.0)
}

/// The step path through `(time, survival)` drops, continued flat to
/// `last_time`, in plot coordinates.
fn step_path(
    drops: impl Iterator<Item = (f64, f64)>,
    last_time: Option<f64>,
    x: &dyn Fn(f64) -> f64,
    y: &dyn Fn(f64) -> f64,
) -> String {
    let mut d = format!("M{:.2},{:.2}", x(0.0), y(1.0));
    for (t, s) in drops {
        d.push_str(&format!(" H{:.2} V{:.2}", x(t), y(s)));
    }
    if let Some(last) = last_time {
        d.push_str(&format!(" H{:.2}", x(last)));
    }
    d
}

/// The step path of a Kaplan-Meier curve.
fn curve_path(c: &Curve, x: &dyn Fn(f64) -> f64, y: &dyn Fn(f64) -> f64) -> String {
    let drops = c.steps.iter().filter(|s| s.n_event > 0.0).map(|s| (s.time, s.surv));
    step_path(drops, c.steps.last().map(|s| s.time), x, y)
}

/// Most censoring-mark positions a curve may have for marks to be drawn.
const MAX_MARKS: usize = 120;

/// Render a figure as SVG.
pub fn render(fig: &FigureResult) -> String {
    let font = 12.0;
    let labels: Vec<String> = fig.curves.iter().map(|c| c.label.clone()).collect();
    let label_w = labels.iter().map(|l| text_width(l, font)).fold(0.0, f64::max);
    // The at-risk counts are centred on the ticks, the first on the axis: the
    // row labels end clear of the widest of them.
    let count_w = fig.curves.iter().map(|c| text_width(&c.n.to_string(), font)).fold(0.0, f64::max);
    let label_gap = (count_w / 2.0 + 10.0).max(22.0);
    let left = (label_w + label_gap + 8.0).max(72.0);
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

    // Curves and censor marks: at most one mark per pixel column per curve,
    // and none at all when a curve would need more than MAX_MARKS columns (a
    // registry-sized cohort), said under the plot, so the curves stay readable.
    let marks: Vec<Vec<(f64, f64)>> = fig
        .curves
        .iter()
        .map(|c| {
            let mut out: Vec<(f64, f64)> = Vec::new();
            for s in c.steps.iter().filter(|s| s.n_censor > 0.0) {
                let px = x(s.time).round();
                if out.last().is_none_or(|m| m.0 != px) {
                    out.push((px, y(s.surv)));
                }
            }
            out
        })
        .collect();
    let draw_marks = marks.iter().all(|m| m.len() <= MAX_MARKS) && fig.adjustment.is_none();
    match &fig.adjustment {
        None => {
            for (k, c) in fig.curves.iter().enumerate() {
                let colour = PALETTE[k % PALETTE.len()];
                svg.path(&curve_path(c, &x, &y), colour, 2.0);
                if draw_marks {
                    for &(px, py) in &marks[k] {
                        svg.line(px, py - 4.0, px, py + 4.0, colour, 1.4);
                    }
                }
            }
        }
        Some(a) => {
            for curve in &a.curves {
                // The colour of the observed group of the same level.
                let k = fig.curves.iter().position(|c| c.label == curve.label).unwrap_or(0);
                let last = curve.points.last().map(|p| p.0);
                svg.path(&step_path(curve.points.iter().copied(), last, &x, &y), PALETTE[k % PALETTE.len()], 2.0);
            }
            let note =
                format!("Cox model curves adjusted for {} (direct adjustment, n = {})", a.adjusted_for.join(", "), a.n);
            // Bottom right inside the plot, level with the p-value.
            svg.text(
                left + plot_w - 8.0,
                top + plot_h - 12.0,
                TextStyle::new(10.0, Anchor::End).fill("#555555"),
                &note,
            );
        }
    }
    if !draw_marks && fig.adjustment.is_none() {
        let note = "Censoring marks not drawn (too many to show)";
        svg.text(left + plot_w, top + plot_h + 38.0, TextStyle::new(10.0, Anchor::End).fill("#555555"), note);
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
    let shown_p = match &fig.adjustment {
        None => fig.logrank_p.map(|p| ("Log-rank p", p)),
        Some(a) => a.p.map(|p| ("Adjusted p", p)),
    };
    if let Some((name, p)) = shown_p {
        let p = p_value(Some(p));
        let text = if p.starts_with('<') { format!("{name} {p}") } else { format!("{name} = {p}") };
        svg.text(left + 12.0, top + plot_h - 12.0, TextStyle::new(font, Anchor::Start), &text);
    }
    // Numbers at risk, at the axis ticks.
    svg.text(left - label_w - label_gap, table_top, TextStyle::new(font, Anchor::Start).bold(), "Number at risk");
    for (k, c) in fig.curves.iter().enumerate() {
        let colour = PALETTE[k % PALETTE.len()];
        let ry = table_top + 22.0 + row_h * k as f64;
        svg.text(left - label_gap, ry, TextStyle::new(font, Anchor::End).fill(colour).bold(), &c.label);
        for &t in &ticks {
            svg.text(x(t), ry, TextStyle::new(font, Anchor::Middle), &c.n_at_risk(t).to_string());
        }
    }
    svg.finish(&fig.title)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::study::EndpointId;
    use survstat::km::{ConfSpec, KaplanMeier};

    fn curve(label: &str, time: &[f64], event: &[bool]) -> Curve {
        Curve::from_km(label, KaplanMeier::fit(time, event, ConfSpec::default()), &[12.0])
    }

    /// A figure of one curve.
    fn figure(curve: Curve) -> FigureResult {
        FigureResult {
            id: "f".into(),
            title: "T".into(),
            endpoint: EndpointId::Os,
            endpoint_label: "OS".into(),
            by: None,
            curves: vec![curve],
            logrank_p: None,
            adjustment: None,
        }
    }

    /// The x coordinates of the text elements whose content ends with `needle`.
    fn x_of(svg: &str, needle: &str) -> Vec<f64> {
        svg.match_indices(needle)
            .map(|(i, _)| svg[..i].rsplit("x=\"").next().unwrap().split('"').next().unwrap().parse().unwrap())
            .collect()
    }

    #[test]
    fn risk_table_sits_under_the_ticks() {
        let c = curve("A", &[1.0, 5.0, 13.0, 30.0], &[true, false, true, false]);
        let svg = render(&figure(c));
        // Tick label "12" and the at-risk count under it share an x coordinate.
        let tick_x = x_of(&svg, ">12</text>");
        let risk_x = x_of(&svg, ">2</text>");
        assert!(tick_x.iter().any(|t| risk_x.contains(t)), "{tick_x:?} vs {risk_x:?}");
        assert_eq!(tick_step(150.0), 24.0);
        assert_eq!(tick_step(40.0), 6.0);
    }

    fn figure_of(n: usize) -> FigureResult {
        let time: Vec<f64> = (0..n).map(|i| 1.0 + 100.0 * i as f64 / n as f64).collect();
        let event: Vec<bool> = (0..n).map(|i| i % 3 == 0).collect();
        figure(curve("Group with a long name", &time, &event))
    }

    #[test]
    fn censor_marks_give_way_at_registry_scale_and_counts_clear_the_labels() {
        let few = render(&figure_of(60));
        assert!(few.contains("stroke-width=\"1.4\""));
        assert!(!few.contains("Censoring marks not drawn"));
        let many = render(&figure_of(1_000_000));
        assert!(!many.contains("stroke-width=\"1.4\""));
        assert!(many.contains("Censoring marks not drawn"));
        // The row label ends left of the half-width of "1000000" centred on the axis.
        let label_end = x_of(&many, ">Group with a long name</text>")[0];
        let count_centre = x_of(&many, ">1000000</text>")[0];
        assert!(label_end + 1.0 < count_centre - text_width("1000000", 12.0) / 2.0, "{label_end} vs {count_centre}");
    }
}
