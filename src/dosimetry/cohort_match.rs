//! Putting each plan's figures on the cohort row of the lesion it treated.
//!
//! **Which plan.** A lesion's candidates are the plans of its patient — the
//! plan's Patient ID equal to the cohort's `patient_id`, or mapped to it by
//! a table of pseudonyms (`--patients`: `dicom_patient_id,patient_id`) —
//! whose plan date lies within a window of the lesion's `sbrt_date`
//! (default ± 30 days: a plan is approved days to weeks before treatment
//! starts). Each candidate's target for the lesion is the target whose
//! name carries one of the lesion's vertebral levels (`PTV_T10` for a
//! lesion at T10-T11; a level is a whole token, so `T1` is not `T10`), or
//! else its only target when that names no level at all. One candidate with a target is the match; among several,
//! the one whose target names the lesion's level; otherwise the lesion is
//! left unmatched with the reason (no plan of the patient; none in the
//! window, with the nearest; several that qualify, listed). A plan target
//! claimed by two lesions is given to neither.
//!
//! **Filling.** A matched lesion's empty cells are filled: `dose_gy`,
//! `fractions`, `isodose_pct`, `ptv_cc`, `ptv_coverage_pct` (the target's
//! V100), `cord_dmax_gy`, `cord_d0035cc_gy`. A cell that already holds a
//! value keeps it; when the plan's value differs beyond the tolerance of
//! [`FILLED`] (rounding in the cohort is not a conflict), the
//! difference is a conflict for a person to resolve, never an overwrite.

use crate::cohort::date::Date;
use crate::cohort::read::{Cell, Grid};
use crate::cohort::schema::normalise_header;
use crate::cohort::{Cohort, Lesion};
use std::collections::HashMap;

/// A plan's figures as the cohort uses them.
#[derive(Debug, Clone)]
pub struct PlanDosimetry {
    /// DICOM Patient ID.
    pub patient_id: Option<String>,
    /// Plan date.
    pub date: Option<Date>,
    /// Plan label.
    pub label: String,
    /// The plan's file, as shown to the user.
    pub file: String,
    /// Prescribed dose, Gy.
    pub prescription_gy: Option<f64>,
    /// Fractions.
    pub fractions: Option<u32>,
    /// Targets.
    pub targets: Vec<TargetFigures>,
    /// Spinal cord maximum and D0.035cc, Gy.
    pub cord: Option<(Option<f64>, Option<f64>)>,
}

/// A target's figures.
#[derive(Debug, Clone)]
pub struct TargetFigures {
    /// ROI Name.
    pub name: String,
    /// Volume, cc.
    pub volume_cc: f64,
    /// V100, percent.
    pub v100_pct: Option<f64>,
    /// Prescription isodose line, percent.
    pub isodose_pct: Option<f64>,
}

/// How one lesion was matched.
#[derive(Debug, Clone, PartialEq)]
pub enum Match {
    /// Matched to a plan (index) and its target (index).
    Plan(usize, usize),
    /// Not matched, with the reason.
    Unmatched(String),
}

/// A cohort value that disagrees with the plan's.
#[derive(Debug, Clone, PartialEq)]
pub struct Conflict {
    /// Spreadsheet row.
    pub row: usize,
    /// Column as the cohort file names it.
    pub column: String,
    /// The cohort's value.
    pub cohort: f64,
    /// The plan's value.
    pub plan: f64,
    /// The plan (index).
    pub plan_index: usize,
}

/// A column the plans fill: its name, the tolerance within which a cohort
/// value agrees with the plan's (absolute + relative × the plan's value),
/// and the decimals written.
#[derive(Debug, Clone, Copy)]
pub struct FilledColumn {
    /// Schema column.
    pub name: &'static str,
    /// Absolute tolerance.
    pub absolute: f64,
    /// Relative tolerance.
    pub relative: f64,
    /// Decimals written.
    pub decimals: usize,
}

const fn filled(name: &'static str, absolute: f64, relative: f64, decimals: usize) -> FilledColumn {
    FilledColumn { name, absolute, relative, decimals }
}

/// The columns filled, in the order of [`plan_values`].
pub const FILLED: [FilledColumn; 7] = [
    filled("dose_gy", 0.05, 0.0, 2),
    filled("fractions", 0.0, 0.0, 0),
    filled("isodose_pct", 1.0, 0.0, 1),
    filled("ptv_cc", 0.0, 0.05, 2),
    filled("ptv_coverage_pct", 1.0, 0.0, 1),
    filled("cord_dmax_gy", 0.05, 0.02, 2),
    filled("cord_d0035cc_gy", 0.05, 0.02, 2),
];

/// The vertebral levels a target's name carries, upper case (`PTV_T10-11`
/// gives T10): a region letter C, T, L or S and its number, not glued to
/// other letters or digits (a `PTV` prefix may touch it: `PTVT10`).
fn levels_named(target: &str) -> Vec<String> {
    let upper = target.to_uppercase();
    let b = upper.as_bytes();
    let mut out = Vec::new();
    for i in 0..b.len() {
        if !b"CTLS".contains(&b[i]) {
            continue;
        }
        let clear_before = i == 0 || !b[i - 1].is_ascii_alphanumeric() || upper[..i].ends_with("PTV");
        let digits = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if clear_before && (1..=2).contains(&digits) {
            let level = &upper[i..i + 1 + digits];
            if crate::cohort::vertebra::parse_levels(level).is_ok() {
                out.push(level.to_string());
            }
        }
    }
    out
}

/// Whether a target can be the lesion's by its name: it names one of the
/// lesion's levels (`Some(true)`), names only other levels (`Some(false)`),
/// or names none (`None`).
fn names_level(target: &str, lesion: &Lesion) -> Option<bool> {
    let named = levels_named(target);
    if named.is_empty() {
        return None;
    }
    let Some(levels) = &lesion.levels else { return Some(false) };
    Some(levels.vertebrae.iter().any(|v| named.contains(&v.to_string().to_uppercase())))
}

/// Match every lesion of the cohort to a plan.
pub fn match_lesions(
    cohort: &Cohort,
    plans: &[PlanDosimetry],
    pseudonyms: &HashMap<String, String>,
    window_days: i64,
) -> Vec<Match> {
    let patient_of = |p: &PlanDosimetry| {
        let id = p.patient_id.as_deref()?.trim();
        Some(pseudonyms.get(id).map(String::as_str).unwrap_or(id).to_string())
    };
    let patients: Vec<Option<String>> = plans.iter().map(patient_of).collect();
    let mut out: Vec<Match> = cohort
        .lesions
        .iter()
        .map(|l| {
            let theirs: Vec<usize> =
                (0..plans.len()).filter(|&k| patients[k].as_deref() == Some(l.patient_id.trim())).collect();
            if theirs.is_empty() {
                return Match::Unmatched("no plan of this patient in the folder".into());
            }
            let gap = |k: usize| plans[k].date.map(|d| l.sbrt_date.days_until(d).abs());
            let near: Vec<usize> =
                theirs.iter().copied().filter(|&k| gap(k).is_some_and(|g| g <= window_days)).collect();
            if near.is_empty() {
                let nearest = theirs.iter().filter_map(|&k| gap(k)).min();
                return Match::Unmatched(match nearest {
                    Some(g) => format!("no plan within {window_days} days of sbrt_date (nearest {g} days away)"),
                    None => "the patient's plans carry no date".into(),
                });
            }
            // The plan's target for this lesion, and whether its name says so.
            let target_for = |k: usize| -> Option<(usize, bool)> {
                let t = &plans[k].targets;
                let says: Vec<Option<bool>> = t.iter().map(|t| names_level(&t.name, l)).collect();
                let named: Vec<usize> = (0..t.len()).filter(|&i| says[i] == Some(true)).collect();
                match (t.len(), named.as_slice()) {
                    (_, [one]) => Some((*one, true)),
                    (1, []) if says[0].is_none() => Some((0, false)),
                    _ => None,
                }
            };
            let chosen: Vec<(usize, usize, bool)> =
                near.iter().filter_map(|&k| target_for(k).map(|(t, named)| (k, t, named))).collect();
            let by_level: Vec<&(usize, usize, bool)> = chosen.iter().filter(|c| c.2).collect();
            match (chosen.as_slice(), by_level.as_slice()) {
                ([(k, t, _)], _) if near.len() == 1 => Match::Plan(*k, *t),
                (_, [(k, t, _)]) => Match::Plan(*k, *t),
                ([], _) => Match::Unmatched(format!(
                    "{} plan(s) in the window, none with a target for the lesion's level",
                    near.len()
                )),
                _ => Match::Unmatched(format!(
                    "{} plans qualify ({}): name the level in the target",
                    near.len(),
                    near.iter().map(|&k| format!("'{}'", plans[k].label)).collect::<Vec<_>>().join(", ")
                )),
            }
        })
        .collect();
    let mut claims: HashMap<(usize, usize), usize> = HashMap::new();
    for m in &out {
        if let Match::Plan(k, t) = m {
            *claims.entry((*k, *t)).or_default() += 1;
        }
    }
    for m in &mut out {
        if let Match::Plan(k, t) = *m {
            let n = claims[&(k, t)];
            if n > 1 {
                *m = Match::Unmatched(format!(
                    "the target '{}' of plan '{}' matches {n} lesions: name the level in the target",
                    plans[k].targets[t].name, plans[k].label
                ));
            }
        }
    }
    out
}

/// The plan's value for each filled column.
fn plan_values(p: &PlanDosimetry, t: &TargetFigures) -> [Option<f64>; 7] {
    [
        p.prescription_gy,
        p.fractions.map(f64::from),
        t.isodose_pct,
        Some(t.volume_cc),
        t.v100_pct,
        p.cord.and_then(|c| c.0),
        p.cord.and_then(|c| c.1),
    ]
}

/// Fill the matched lesions' empty cells of `grid` (columns the grid lacks
/// are added at its end); returns, per lesion, the columns filled, and the
/// conflicts.
pub fn fill(
    grid: &mut Grid,
    cohort: &Cohort,
    matches: &[Match],
    plans: &[PlanDosimetry],
) -> (Vec<Vec<&'static str>>, Vec<Conflict>) {
    let mut columns = [0usize; 7];
    for (c, column) in columns.iter_mut().zip(FILLED) {
        *c = match grid.headers.iter().position(|h| normalise_header(h) == column.name) {
            Some(j) => j,
            None => grid.push_column(column.name),
        };
    }
    let row_at: HashMap<usize, usize> = (0..grid.n_rows()).map(|i| (grid.row_number(i), i)).collect();
    let mut filled = vec![Vec::new(); matches.len()];
    let mut conflicts = Vec::new();
    for (i, (lesion, m)) in cohort.lesions.iter().zip(matches).enumerate() {
        let Match::Plan(k, t) = *m else { continue };
        let Some(&r) = row_at.get(&lesion.row) else { continue };
        for ((value, &j), column) in plan_values(&plans[k], &plans[k].targets[t]).into_iter().zip(&columns).zip(FILLED)
        {
            let Some(v) = value else { continue };
            match grid.cell(r, j).number() {
                None => {
                    grid.set(r, j, Cell::Text(format!("{v:.*}", column.decimals)));
                    filled[i].push(column.name);
                }
                Some(have) if (have - v).abs() > column.absolute + column.relative * v.abs() => {
                    conflicts.push(Conflict {
                        row: lesion.row,
                        column: grid.headers[j].clone(),
                        cohort: have,
                        plan: v,
                        plan_index: k,
                    })
                }
                Some(_) => {}
            }
        }
    }
    (filled, conflicts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_are_whole_tokens_of_the_target_name() {
        assert_eq!(levels_named("PTV_T10"), vec!["T10"]);
        assert_eq!(levels_named("PTVT10-11"), vec!["T10"]);
        assert_eq!(levels_named("ptv l2 24Gy"), vec!["L2"]);
        assert_eq!(levels_named("PTV_T1"), vec!["T1"]);
        assert!(levels_named("PTV_T13").is_empty());
        assert!(levels_named("PTV_HIGH").is_empty());
        assert!(levels_named("PTV 24Gy").is_empty());
        assert!(levels_named("GTVT10x").is_empty());
    }
}
