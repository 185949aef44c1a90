//! How the report's tables print numbers: counts with percentages,
//! p-values, rates, medians with ranges, landmark names.

use crate::study::PValues;
use crate::summary::Summary;
use survstat::Interval;

/// Count with percent of a total, as `30 (68.2%)`.
pub fn count_pct(n: usize, total: usize) -> String {
    if total == 0 {
        return format!("{n}");
    }
    format!("{n} ({:.1}%)", 100.0 * n as f64 / total as f64)
}

/// A p-value as tables and figures print it, by the study's convention:
/// three decimals with `<0.001` below (the paper's), or the AMA Manual of
/// Style's two decimals from 0.01 (`0.04`, `0.38`), three below (`0.004`),
/// `<0.001` and `>0.99`.
pub fn p_value(p: Option<f64>, style: PValues) -> String {
    match (p, style) {
        (None, _) => "–".into(),
        (Some(p), _) if p < 0.001 => "<0.001".into(),
        (Some(p), PValues::ThreeDecimals) => format!("{p:.3}"),
        (Some(p), PValues::Ama) if p > 0.99 => ">0.99".into(),
        (Some(p), PValues::Ama) if p < 0.01 => format!("{p:.3}"),
        (Some(p), PValues::Ama) => format!("{p:.2}"),
    }
}

/// A proportion as a percentage with one decimal.
pub fn percent(v: Option<f64>) -> String {
    v.map_or("–".into(), |v| format!("{:.1}", 100.0 * v))
}

/// A number with `digits` decimals, or an en dash.
pub fn fixed(v: Option<f64>, digits: usize) -> String {
    v.filter(|x| x.is_finite()).map_or("–".into(), |x| format!("{x:.digits$}"))
}

/// Confidence limits as `lower–upper` with three decimals.
pub fn limits(i: &Interval) -> String {
    format!("{}–{}", fixed(i.lower, 3), fixed(i.upper, 3))
}

/// A proportion with its limits as percentages, `23.5 (12.0–40.1)`; the
/// estimate alone where it has no limits, an en dash where there is none.
pub fn percent_interval(i: &Interval) -> String {
    match (i.estimate, i.lower, i.upper) {
        (None, _, _) => "–".into(),
        (Some(_), Some(_), Some(_)) => format!("{} ({}–{})", percent(i.estimate), percent(i.lower), percent(i.upper)),
        (Some(_), _, _) => percent(i.estimate),
    }
}

/// `median (min–max)` with the given decimals, or an en dash for no values.
pub fn median_range(s: &Summary, digits: usize) -> String {
    match (s.median, s.min, s.max) {
        (Some(m), Some(min), Some(max)) => format!("{m:.digits$} ({min:.digits$}–{max:.digits$})"),
        _ => "–".into(),
    }
}

/// A number without a trailing `.0` (`5`, `2.5`).
pub fn plain_number(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v}")
    }
}

/// α/β as a subscript, e.g. ₅ or ₁₀.
pub fn subscript(v: f64) -> String {
    plain_number(v)
        .chars()
        .map(|c| c.to_digit(10).map_or(c, |d| char::from_u32(0x2080 + d).expect("subscript digit")))
        .collect()
}

/// "1-year" for 12 months, "18-month" otherwise.
pub fn landmark_name(months: f64) -> String {
    if months % 12.0 == 0.0 {
        format!("{}-year", months / 12.0)
    } else {
        format!("{}-month", plain_number(months))
    }
}

/// A confidence level as a percentage, `95%`.
pub fn level(conf_level: f64) -> String {
    format!("{:.0}%", conf_level * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(count_pct(30, 44), "30 (68.2%)");
        assert_eq!(p_value(Some(0.0004), PValues::ThreeDecimals), "<0.001");
        assert_eq!(p_value(Some(0.0321), PValues::ThreeDecimals), "0.032");
        let ama = |p| p_value(Some(p), PValues::Ama);
        assert_eq!(
            (ama(0.0004), ama(0.0042), ama(0.0321), ama(0.38), ama(0.995)),
            ("<0.001".into(), "0.004".into(), "0.03".into(), "0.38".into(), ">0.99".into())
        );
        assert_eq!(median_range(&Summary::of(&[1.25, 16.0, 163.6]), 1), "16.0 (1.2–163.6)");
        assert_eq!(landmark_name(12.0), "1-year");
        assert_eq!(landmark_name(18.0), "18-month");
        assert_eq!(subscript(10.0), "₁₀");
    }
}
