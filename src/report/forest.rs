//! Forest plot of a multivariable Cox model: each coefficient's hazard
//! ratio and confidence interval on a log axis, with the numbers beside it.

use super::canvas::{text_width, Anchor, Canvas, TextStyle};
use super::format::{fixed, p_value};
use super::palette::line_style;
use crate::results::Model;
use crate::study::{FigureStyle, PValues};

/// Draw the model's terms; `None` when the model has no term.
pub fn render(title: &str, model: &Model, conf_level: f64, style: &FigureStyle, pv: PValues) -> Option<Canvas> {
    let terms: Vec<_> = model
        .terms
        .iter()
        .filter(|t| t.hr.estimate.is_some() && t.hr.lower.is_some() && t.hr.upper.is_some())
        .collect();
    if terms.is_empty() {
        return None;
    }
    let font = style.font_pt * 96.0 / 72.0;
    let colour = line_style(style.palette, 0).colour;
    let names: Vec<String> = terms.iter().map(|t| t.display_name()).collect();
    let left = names.iter().map(|n| text_width(n, font)).fold(120.0, f64::max) + 24.0;
    let plot_w = 320.0;
    let right_cols = 230.0;
    let width = left + plot_w + right_cols;
    let top = 64.0;
    let row_h = 28.0;
    let height = top + row_h * terms.len() as f64 + 56.0;
    let lo = terms.iter().filter_map(|t| t.hr.lower).fold(1.0f64, f64::min).max(1e-3) / 1.5;
    let hi = terms.iter().filter_map(|t| t.hr.upper).fold(1.0f64, f64::max).min(1e3) * 1.5;
    let (llo, lhi) = (lo.ln(), hi.ln());
    let x = |hr: f64| left + plot_w * (hr.clamp(lo, hi).ln() - llo) / (lhi - llo);
    let mut svg = Canvas::new(width, height, title);
    svg.text(12.0, 24.0, TextStyle::new(14.0, Anchor::Start).bold(), title);
    let ci = format!("HR ({:.0}% CI)", conf_level * 100.0);
    svg.text(left + plot_w + 12.0, top - 14.0, TextStyle::new(font, Anchor::Start).bold(), &ci);
    svg.text(width - 12.0, top - 14.0, TextStyle::new(font, Anchor::End).bold(), "p");
    let bottom = top + row_h * terms.len() as f64;
    svg.line(x(1.0), top - 6.0, x(1.0), bottom, "#888888", 1.0);
    svg.line(left, bottom, left + plot_w, bottom, "#000000", 1.0);
    for tick in [0.001, 0.01, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 1000.0] {
        if tick >= lo && tick <= hi {
            svg.line(x(tick), bottom, x(tick), bottom + 5.0, "#000000", 1.0);
            svg.text(x(tick), bottom + 19.0, TextStyle::new(font, Anchor::Middle), &format!("{tick}"));
        }
    }
    svg.text(left + plot_w / 2.0, bottom + 38.0, TextStyle::new(font, Anchor::Middle), "Hazard ratio (log scale)");
    for (k, (t, name)) in terms.iter().zip(&names).enumerate() {
        let cy = top + row_h * (k as f64 + 0.5);
        svg.text(left - 12.0, cy + 4.0, TextStyle::new(font, Anchor::End), name);
        let (hr, l, u) =
            (t.hr.estimate.expect("filtered"), t.hr.lower.expect("filtered"), t.hr.upper.expect("filtered"));
        svg.line(x(l), cy, x(u), cy, &colour, 2.0);
        svg.rect(x(hr) - 5.0, cy - 5.0, 10.0, 10.0, &colour, None);
        let estimate = format!("{} ({}–{})", fixed(Some(hr), 3), fixed(Some(l), 3), fixed(Some(u), 3));
        svg.text(left + plot_w + 12.0, cy + 4.0, TextStyle::new(font, Anchor::Start), &estimate);
        svg.text(width - 12.0, cy + 4.0, TextStyle::new(font, Anchor::End), &p_value(t.p, pv));
    }
    Some(svg)
}
