//! Kaplan-Meier figure: step curves with censor marks, the log-rank p, and
//! a numbers-at-risk table whose columns sit exactly under the time axis
//! ticks (one coordinate function serves both, so they cannot drift apart,
//! a known defect of survminer's separately drawn risk tables). A figure
//! with an adjustment draws the adjusted curves instead (no censor marks,
//! the adjusted likelihood-ratio p, a note naming the covariates), keeping
//! the observed groups' legend and numbers at risk.

use super::canvas::{text_width, Anchor, Canvas, Stroke, TextStyle};
use super::format::p_value;
use super::palette::line_style;
use crate::results::{Curve, FigureResult};
use crate::study::{FigureStyle, PValues};

/// A tick step (months) giving at most ten intervals up to `max_time`.
pub fn tick_step(max_time: f64) -> f64 {
    [3.0, 6.0, 12.0, 24.0, 36.0, 60.0, 120.0, 240.0].into_iter().find(|s| max_time / s <= 10.0).unwrap_or(480.0)
}

/// The points of a step function from 1 at time 0 through its `(time,
/// value)` drops, continued flat to `last_time`, cut at `x_max`.
fn step_points(drops: impl Iterator<Item = (f64, f64)>, last_time: f64, x_max: f64) -> Vec<(f64, f64)> {
    let mut points = vec![(0.0, 1.0)];
    let mut level = 1.0;
    for (t, v) in drops {
        if t > x_max {
            break;
        }
        points.push((t, level));
        points.push((t, v));
        level = v;
    }
    points.push((last_time.min(x_max), level));
    points
}

/// The step points of a Kaplan-Meier curve (its drops at event times).
fn curve_points(c: &Curve, x_max: f64) -> Vec<(f64, f64)> {
    let drops = c.steps.iter().filter(|s| s.n_event > 0.0).map(|s| (s.time, s.surv));
    step_points(drops, c.steps.last().map_or(0.0, |s| s.time), x_max)
}

/// A curve's pointwise confidence band as a polygon in (time, survival):
/// the upper limits' steps forward, the lower limits' back, over the times
/// where both limits are defined.
fn band_points(c: &Curve, x_max: f64) -> Vec<(f64, f64)> {
    let mut upper = Vec::new();
    let mut lower = Vec::new();
    let mut end = c.steps.last().map_or(0.0, |s| s.time);
    for s in c.steps.iter().filter(|s| s.n_event > 0.0) {
        match (s.lower, s.upper) {
            (Some(l), Some(u)) => {
                upper.push((s.time, u));
                lower.push((s.time, l));
            }
            _ => {
                end = s.time;
                break;
            }
        }
    }
    let up = step_points(upper.into_iter(), end, x_max);
    let mut down = step_points(lower.into_iter(), end, x_max);
    down.reverse();
    up.into_iter().chain(down).collect()
}

/// Most censoring-mark positions a curve may have for marks to be drawn.
const MAX_MARKS: usize = 120;

/// CSS pixels per millimetre and per point.
const PX_PER_MM: f64 = 96.0 / 25.4;
const PX_PER_PT: f64 = 96.0 / 72.0;

/// Draw a figure.
pub fn render(fig: &FigureResult, style: &FigureStyle, pv: PValues) -> Canvas {
    let font = style.font_pt * PX_PER_PT;
    let em = font / 12.0;
    let labels: Vec<String> = fig.curves.iter().map(|c| c.label.clone()).collect();
    let label_w = labels.iter().map(|l| text_width(l, font)).fold(0.0, f64::max);
    // The at-risk counts are centred on the ticks, the first on the axis: the
    // row labels end clear of the widest of them.
    let count_w = fig.curves.iter().map(|c| text_width(&c.n.to_string(), font)).fold(0.0, f64::max);
    let label_gap = (count_w / 2.0 + 10.0 * em).max(22.0 * em);
    let left = (label_w + label_gap + 8.0 * em).max(72.0 * em);
    let width = (style.width_mm * PX_PER_MM).max(left + 200.0);
    let right = 24.0 * em;
    let top = 48.0 * em;
    let plot_h = style.plot_height_mm * PX_PER_MM;
    let table_top = top + plot_h + 56.0 * em;
    let row_h = 18.0 * em;
    let height = table_top + 26.0 * em + row_h * fig.curves.len() as f64 + 14.0 * em;
    let max_time = fig.curves.iter().filter_map(|c| c.steps.last()).map(|s| s.time).fold(0.0, f64::max).max(1.0);
    let shown = style.x_max_months.unwrap_or(max_time);
    let step = style.x_break_months.unwrap_or_else(|| tick_step(shown));
    let x_max = match style.x_max_months {
        Some(m) => m,
        None => (max_time / step).ceil() * step,
    };
    let plot_w = width - left - right;
    let x = |t: f64| left + plot_w * t / x_max;
    // Survival from the top; an incidence figure draws 1 − surv from the bottom.
    let y = |s: f64| if fig.incidence { top + plot_h * s } else { top + plot_h * (1.0 - s) };
    let height_of = |fraction: f64| top + plot_h * (1.0 - fraction);
    let to_plot = |p: Vec<(f64, f64)>| p.into_iter().map(|(t, s)| (x(t), y(s))).collect::<Vec<_>>();

    let mut c = Canvas::new(width, height, &fig.title);
    c.text(left, 24.0 * em, TextStyle::new(14.0 * em, Anchor::Start).bold(), &fig.title);
    // Axes and grid.
    c.line(left, top, left, top + plot_h, "#000000", 1.0);
    c.line(left, top + plot_h, left + plot_w, top + plot_h, "#000000", 1.0);
    for k in 0..=5 {
        let h = height_of(k as f64 / 5.0);
        c.line(left - 5.0, h, left, h, "#000000", 1.0);
        c.line(left, h, left + plot_w, h, "#e5e5e5", 0.6);
        c.text(left - 8.0, h + 4.0 * em, TextStyle::new(font, Anchor::End), &format!("{}%", k * 20));
    }
    let ticks: Vec<f64> = (0..=((x_max / step + 1e-9).floor() as usize)).map(|k| k as f64 * step).collect();
    for &t in &ticks {
        c.line(x(t), top + plot_h, x(t), top + plot_h + 5.0, "#000000", 1.0);
        c.text(x(t), top + plot_h + 19.0 * em, TextStyle::new(font, Anchor::Middle), &format!("{t}"));
    }
    c.text(left + plot_w / 2.0, top + plot_h + 38.0 * em, TextStyle::new(font, Anchor::Middle), "Months since SBRT");
    c.vertical_text(left - 48.0 * em, top + plot_h / 2.0, font, &fig.endpoint_label);

    // Curves and censor marks: at most one mark per pixel column per curve,
    // and none at all when a curve would need more than MAX_MARKS columns (a
    // registry-sized cohort), said under the plot, so the curves stay readable.
    let marks: Vec<Vec<(f64, f64)>> = fig
        .curves
        .iter()
        .map(|c| {
            let mut out: Vec<(f64, f64)> = Vec::new();
            for s in c.steps.iter().filter(|s| s.n_censor > 0.0 && s.time <= x_max) {
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
            if style.confidence_bands {
                for (k, curve) in fig.curves.iter().enumerate() {
                    c.polygon(to_plot(band_points(curve, x_max)), &line_style(style.palette, k).colour, 0.15);
                }
            }
            for (k, curve) in fig.curves.iter().enumerate() {
                let line = line_style(style.palette, k);
                c.polyline(to_plot(curve_points(curve, x_max)), Stroke { width: 2.0, ..line.clone() });
                if draw_marks {
                    for &(px, py) in &marks[k] {
                        c.line(px, py - 4.0, px, py + 4.0, &line.colour, 1.4);
                    }
                }
            }
        }
        Some(a) => {
            for curve in &a.curves {
                // The colour of the observed group of the same level.
                let k = fig.curves.iter().position(|c| c.label == curve.label).unwrap_or(0);
                let last = curve.points.last().map_or(0.0, |p| p.0);
                let points = step_points(curve.points.iter().copied(), last, x_max);
                c.polyline(to_plot(points), Stroke { width: 2.0, ..line_style(style.palette, k) });
            }
            let note =
                format!("Cox model curves adjusted for {} (direct adjustment, n = {})", a.adjusted_for.join(", "), a.n);
            // Bottom right inside the plot, level with the p-value.
            c.text(
                left + plot_w - 8.0,
                top + plot_h - 12.0 * em,
                TextStyle::new(10.0 * em, Anchor::End).fill("#555555"),
                &note,
            );
        }
    }
    if !draw_marks && fig.adjustment.is_none() {
        let note = "Censoring marks not drawn (too many to show)";
        c.text(left + plot_w, top + plot_h + 38.0 * em, TextStyle::new(10.0 * em, Anchor::End).fill("#555555"), note);
    }
    // Legend (top right, left-aligned block) and the p-value (bottom left).
    let entries: Vec<String> =
        fig.curves.iter().map(|c| format!("{} (n = {}, events = {})", c.label, c.n, c.events)).collect();
    let block_w = entries.iter().map(|e| text_width(e, font)).fold(0.0, f64::max) + 30.0 * em;
    let legend_x = (left + plot_w - block_w - 8.0).max(left + 8.0);
    for (k, text) in entries.iter().enumerate() {
        let ly = top + 14.0 * em + 18.0 * em * k as f64;
        let line = line_style(style.palette, k);
        c.polyline(
            vec![(legend_x, ly - 4.0 * em), (legend_x + 22.0 * em, ly - 4.0 * em)],
            Stroke { width: 2.5, ..line },
        );
        c.text(legend_x + 30.0 * em, ly, TextStyle::new(font, Anchor::Start), text);
    }
    let shown_p = match &fig.adjustment {
        None if fig.incidence => fig.logrank_p.map(|p| ("Gray's test p", p)),
        None => fig.logrank_p.map(|p| ("Log-rank p", p)),
        Some(a) => a.p.map(|p| ("Adjusted p", p)),
    };
    if let Some((name, p)) = shown_p {
        let p = p_value(Some(p), pv);
        let text = if p.starts_with('<') { format!("{name} {p}") } else { format!("{name} = {p}") };
        // Bottom left under survival curves; top left above incidence curves, which start at the bottom.
        let y_p = if fig.incidence { top + 20.0 * em } else { top + plot_h - 12.0 * em };
        c.text(left + 12.0 * em, y_p, TextStyle::new(font, Anchor::Start), &text);
    }
    // Numbers at risk, at the axis ticks or the study's times.
    let risk_times: Vec<f64> = match &style.risk_table_months {
        Some(times) => times.iter().copied().filter(|&t| t <= x_max).collect(),
        None => ticks.clone(),
    };
    c.text(left - label_w - label_gap, table_top, TextStyle::new(font, Anchor::Start).bold(), "Number at risk");
    for (k, curve) in fig.curves.iter().enumerate() {
        let colour = line_style(style.palette, k).colour;
        let ry = table_top + 22.0 * em + row_h * k as f64;
        c.text(left - label_gap, ry, TextStyle::new(font, Anchor::End).fill(&colour).bold(), &curve.label);
        for &t in &risk_times {
            c.text(x(t), ry, TextStyle::new(font, Anchor::Middle), &curve.n_at_risk(t).to_string());
        }
    }
    c
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
            incidence: false,
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
        let svg = render(&figure(c), &FigureStyle::default(), PValues::default()).to_svg();
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
        let few = render(&figure_of(60), &FigureStyle::default(), PValues::default()).to_svg();
        assert!(few.contains("stroke-width=\"1.4\""));
        assert!(!few.contains("Censoring marks not drawn"));
        let many = render(&figure_of(1_000_000), &FigureStyle::default(), PValues::default()).to_svg();
        assert!(!many.contains("stroke-width=\"1.4\""));
        assert!(many.contains("Censoring marks not drawn"));
        // The row label ends left of the half-width of "1000000" centred on the axis.
        let label_end = x_of(&many, ">Group with a long name</text>")[0];
        let count_centre = x_of(&many, ">1000000</text>")[0];
        assert!(label_end + 1.0 < count_centre - text_width("1000000", 12.0) / 2.0, "{label_end} vs {count_centre}");
    }

    #[test]
    fn the_study_sets_axis_risk_times_palette_bands_size_and_font() {
        let c = curve("A", &[1.0, 5.0, 13.0, 30.0, 40.0, 50.0], &[true, false, true, true, false, true]);
        let mut b = curve("B", &[2.0, 8.0, 20.0, 35.0], &[true, true, false, true]);
        b.label = "B".into();
        let mut fig = figure(c);
        fig.curves.push(b);
        let style = FigureStyle {
            confidence_bands: true,
            x_max_months: Some(36.0),
            x_break_months: Some(9.0),
            risk_table_months: Some(vec![0.0, 18.0, 36.0]),
            palette: crate::study::Palette::Greyscale,
            width_mm: 120.0,
            plot_height_mm: 60.0,
            font_pt: 8.0,
            tiff: false,
        };
        let canvas = render(&fig, &style, PValues::Ama);
        assert!((canvas.width - 120.0 * PX_PER_MM).abs() < 1e-9, "width from mm");
        let svg = canvas.to_svg();
        // Ticks every 9 months up to 36; nothing drawn beyond 36.
        for t in ["0", "9", "18", "27", "36"] {
            assert!(svg.contains(&format!(">{t}</text>")), "tick {t}");
        }
        assert!(!svg.contains(">45</text>"));
        // The risk table at the study's times only: 3 counts per curve.
        let counts = canvas
            .shapes
            .iter()
            .filter(|s| matches!(s, crate::report::canvas::Shape::Text { content, .. } if content.chars().all(|c| c.is_ascii_digit())))
            .count();
        assert_eq!(counts, 5 + 2 * 3, "5 tick labels, and 3 counts for each of 2 curves");
        // Greyscale: the second curve dashed; bands shaded; 8 pt text (10.67 px).
        assert!(svg.contains("stroke-dasharray=\"7 4\""));
        assert_eq!(svg.matches("<polygon").count(), 2);
        assert!(svg.contains("font-size=\"10.666666666666666\""));
        let max_x = canvas
            .shapes
            .iter()
            .filter_map(|s| match s {
                crate::report::canvas::Shape::Polyline { points, .. } => points.iter().map(|p| p.0).reduce(f64::max),
                _ => None,
            })
            .fold(0.0, f64::max);
        assert!(max_x <= canvas.width, "no curve runs past the axis");
    }
}
