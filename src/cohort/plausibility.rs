//! Clinical plausibility of a lesion's treatment fields: values that are
//! possible numbers but not possible spine SBRT, usually a transcription
//! slip (a fraction typed for a percentage, a conventional course filed as
//! SBRT, cc typed for mm³).
//!
//! | field | accepted | warning | error | source |
//! |---|---|---|---|---|
//! | `isodose_pct` | 30–100 | below 30 | ≤ 1 (a fraction: 0.75 means 75 %) | prescription isodose lines of spine SBRT are 50–90 % (Redmond et al., Int J Radiat Oncol Biol Phys 2017;97:64; Kim et al. 2023: 75 %) |
//! | `ptv_coverage_pct` | 50–100 | below 50 | ≤ 1 (a fraction) | coverage goals of ≥ 80–90 % (Redmond 2017; ISRS guideline, Sahgal et al., Pract Radiat Oncol 2021;11:e5) |
//! | `ptv_cc` | up to 1000 cc | above 1000 cc | — | spine PTVs span about 1–500 cc (Kim 2023: 1.2–163.6 cc) |
//! | `fractions`, dose per fraction | 1–10 fractions and ≥ 5 Gy per fraction | more than 10 fractions or under 5 Gy per fraction (conventional, not SBRT) | — | SBRT: 1–5 (at most 10) fractions of ≥ 5 Gy (ISRS 2021; ASTRO/ACR definition) |
//! | dose per fraction | ≤ 30 Gy | — | above 30 Gy | the highest single-fraction spine dose in practice is 24 Gy (Sahgal 2021) |
//! | `dose_gy` | ≤ 100 Gy | — | above 100 Gy | spine SBRT courses reach 40–50 Gy (Sahgal 2021) |
//!
//! Each range can be set in the `[plausibility]` table of a column mapping
//! (`--columns`, [`Ranges`]), e.g. `max_sbrt_fractions = 8`.

/// How a field's value reads.
#[derive(Debug, Clone, PartialEq)]
pub enum Finding {
    /// Not possible as written: the message says why.
    Error(&'static str, String),
    /// Possible but unusual for spine SBRT.
    Warning(&'static str, String),
}

/// The ranges, each settable in the `[plausibility]` table of a column
/// mapping (`--columns`); the defaults are those of the table above.
#[derive(Debug, Clone, Copy, PartialEq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Ranges {
    /// Lowest prescription isodose line accepted without a warning, %.
    pub min_isodose_pct: f64,
    /// Lowest PTV coverage accepted without a warning, %.
    pub min_coverage_pct: f64,
    /// Largest PTV accepted without a warning, cc.
    pub max_ptv_cc: f64,
    /// Most fractions of an SBRT course.
    pub max_sbrt_fractions: u32,
    /// Least dose per fraction of an SBRT course, Gy.
    pub min_sbrt_dose_per_fraction: f64,
    /// Largest plausible dose per fraction, Gy.
    pub max_dose_per_fraction: f64,
    /// Largest plausible total dose, Gy.
    pub max_total_dose: f64,
}

impl Default for Ranges {
    fn default() -> Ranges {
        Ranges {
            min_isodose_pct: 30.0,
            min_coverage_pct: 50.0,
            max_ptv_cc: 1000.0,
            max_sbrt_fractions: 10,
            min_sbrt_dose_per_fraction: 5.0,
            max_dose_per_fraction: 30.0,
            max_total_dose: 100.0,
        }
    }
}

/// The findings for one lesion's treatment fields. Values that are already
/// impossible (not positive) are reported elsewhere and not judged here, so
/// one bad cell gives one problem.
pub fn check(
    r: &Ranges,
    isodose_pct: Option<f64>,
    coverage_pct: Option<f64>,
    ptv_cc: Option<f64>,
    dose_gy: Option<f64>,
    fractions: Option<u32>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let percent = |out: &mut Vec<Finding>, col: &'static str, v: f64, min: f64, what: &str| {
        if v > 0.0 && v <= 1.0 {
            out.push(Finding::Error(
                col,
                format!("{v} reads as a fraction: write the {what} in percent ({} for {v})", v * 100.0),
            ));
        } else if v > 1.0 && v < min {
            out.push(Finding::Warning(col, format!("{v} % is below the usual {min}–100 % for spine SBRT: check it")));
        }
    };
    if let Some(v) = isodose_pct {
        percent(&mut out, "isodose_pct", v, r.min_isodose_pct, "isodose line");
    }
    if let Some(v) = coverage_pct {
        percent(&mut out, "ptv_coverage_pct", v, r.min_coverage_pct, "coverage");
    }
    if let Some(v) = ptv_cc.filter(|v| *v > r.max_ptv_cc) {
        out.push(Finding::Warning(
            "ptv_cc",
            format!(
                "{v} cc is larger than a spine PTV ({} cc at most): check the unit (mm³?) and the structure",
                r.max_ptv_cc
            ),
        ));
    }
    if let Some(d) = dose_gy.filter(|d| *d > r.max_total_dose) {
        out.push(Finding::Error(
            "dose_gy",
            format!("{d} Gy is beyond any spine SBRT course (at most {} Gy)", r.max_total_dose),
        ));
        return out;
    }
    if let (Some(d), Some(n)) = (dose_gy.filter(|d| *d > 0.0), fractions.filter(|n| *n > 0)) {
        let per = d / f64::from(n);
        if per > r.max_dose_per_fraction {
            out.push(Finding::Error(
                "dose_gy",
                format!("{per:.1} Gy per fraction is beyond any spine SBRT (at most {} Gy)", r.max_dose_per_fraction),
            ));
        } else if n > r.max_sbrt_fractions || per < r.min_sbrt_dose_per_fraction {
            out.push(Finding::Warning(
                "fractions",
                format!(
                    "{d} Gy in {n} fractions ({per:.1} Gy each) is conventional fractionation, not SBRT (1–{} fractions of at least {} Gy)",
                    r.max_sbrt_fractions, r.min_sbrt_dose_per_fraction
                ),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn columns(f: &[Finding]) -> Vec<(&'static str, bool)> {
        f.iter()
            .map(|f| match f {
                Finding::Error(c, _) => (*c, true),
                Finding::Warning(c, _) => (*c, false),
            })
            .collect()
    }

    #[test]
    fn transcription_slips_are_caught() {
        assert_eq!(
            columns(&check(&Ranges::default(), Some(0.75), None, None, None, None)),
            vec![("isodose_pct", true)]
        );
        assert_eq!(
            columns(&check(&Ranges::default(), None, Some(0.995), None, None, None)),
            vec![("ptv_coverage_pct", true)]
        );
        assert_eq!(columns(&check(&Ranges::default(), None, None, Some(1600.0), None, None)), vec![("ptv_cc", false)]);
        assert_eq!(
            columns(&check(&Ranges::default(), None, None, None, Some(60.0), Some(30))),
            vec![("fractions", false)]
        );
        assert_eq!(
            columns(&check(&Ranges::default(), None, None, None, Some(330.0), Some(4))),
            vec![("dose_gy", true)]
        );
        assert_eq!(columns(&check(&Ranges::default(), None, None, None, Some(90.0), Some(2))), vec![("dose_gy", true)]);
        assert_eq!(
            columns(&check(&Ranges::default(), Some(20.0), None, None, None, None)),
            vec![("isodose_pct", false)]
        );
    }

    #[test]
    fn ranges_can_be_set() {
        let strict = Ranges { max_ptv_cc: 100.0, ..Ranges::default() };
        assert_eq!(columns(&check(&strict, None, None, Some(150.0), None, None)), vec![("ptv_cc", false)]);
        assert!(check(&Ranges::default(), None, None, Some(150.0), None, None).is_empty());
    }

    #[test]
    fn the_papers_prescriptions_pass() {
        for (d, n) in [(24.0, 1), (27.0, 3), (30.0, 5), (40.0, 5), (35.0, 5), (16.0, 1)] {
            assert!(
                check(&Ranges::default(), Some(75.0), Some(95.0), Some(30.0), Some(d), Some(n)).is_empty(),
                "{d}/{n}"
            );
        }
    }
}
