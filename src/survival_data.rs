//! Turning a generic table into survival data: the rows used (listwise
//! deletion over every column the analysis names, as R's default
//! `na.action = na.omit`), times, event indicators and covariates.
//!
//! Event coding follows R's `Surv()`: 0/1 or true/false, or 1/2 when the
//! values are 1 and 2 only, with at least one 2 (then 2 is the event). Times must be finite and not
//! negative. Near-equal times are tied as R's `timefix` does
//! ([`survstat::timefix`]).

use crate::csv_table::{Cell, CsvTable};
use crate::problem::{InputProblems, Problem, ProblemLog};
use std::borrow::Cow;
use survstat::design::Covariate;
use survstat::timefix::{tie_near_equal_times, Merged, DEFAULT_TOLERANCE};

/// The rows of a table an analysis uses, with its outcome.
#[derive(Debug)]
pub struct SurvivalData<'t> {
    table: &'t CsvTable,
    /// Data-row indices used, in file order.
    pub rows: Vec<usize>,
    /// Rows dropped because a used column was missing.
    pub n_dropped: usize,
    /// Each dropped row (spreadsheet numbering) with the columns it misses.
    pub dropped: Vec<(usize, Vec<String>)>,
    /// Rows dropped because their case weight is 0 (`--weights`).
    pub n_zero_weight: usize,
    /// Follow-up time of each used row.
    pub time: Vec<f64>,
    /// Event indicator of each used row.
    pub event: Vec<bool>,
    /// What the user must know about the times (outliers, merged times).
    pub warnings: Vec<String>,
}

/// Categorical values with their level labels.
#[derive(Debug, Clone)]
pub struct LevelCodes {
    /// Level index per used row.
    pub codes: Vec<usize>,
    /// Labels, ordered numerically when all are numbers, else by code point.
    pub labels: Vec<String>,
}

/// The values whose `keep` is true.
fn kept<T: Copy>(values: &[T], keep: &[bool]) -> Vec<T> {
    values.iter().zip(keep).filter(|(_, &k)| k).map(|(v, _)| *v).collect()
}

/// A relative gap between two times beyond what rounding of arithmetic on
/// them gives (about 1e-16): timefix merging such times merged real ones.
const ROUNDING_GAP: f64 = 1e-9;

/// How many times the median the largest time may be before it is named.
const OUTLIER_RATIO: f64 = 1e4;

/// The warning about a time column with one time far beyond the others
/// (the median taken over an evenly spaced sample of at most 10,001 times,
/// so that a registry-size column costs no sort).
fn outlier_warning(times: &[f64], name: &str) -> Option<String> {
    let step = times.len().div_ceil(10_001).max(1);
    let sample: Vec<f64> = times.iter().step_by(step).copied().collect();
    let median = crate::summary::median(&sample)?;
    let max = times.iter().copied().fold(0.0, f64::max);
    (median > 0.0 && max > OUTLIER_RATIO * median).then(|| format!(
        "the largest time in '{name}' ({max}) is more than {OUTLIER_RATIO} times the median ({median}): is it a sentinel (e.g. 9999 for unknown) or in other units?"
    ))
}

/// The warning that timefix tied distinct times (`merged`), stating R's
/// rule; with an outlying time (`outlier`), naming it as the likely cause.
fn timefix_warning(merged: &Merged, outlier: bool, name: &str) -> Option<String> {
    let (a, b) = merged.widest.filter(|&(a, b)| (b - a) / b > ROUNDING_GAP)?;
    let cause = if outlier {
        format!(": the largest time inflates that mean, check '{name}' for a sentinel value or a unit error")
    } else {
        String::new()
    };
    Some(format!(
        "R's rule for near-equal times (timefix) treated distinct times as tied, e.g. {a} and {b} ({} times changed): it ties times that differ by at most {DEFAULT_TOLERANCE:.2e} of the mean distinct time ({}), and sbrt does as R does{cause}",
        merged.changed, merged.mean_abs
    ))
}

impl<'t> SurvivalData<'t> {
    /// Select rows complete on `time`, `event` and `others`, and parse the outcome.
    pub fn new(
        table: &'t CsvTable,
        time: &str,
        event: &str,
        others: &[&str],
    ) -> Result<SurvivalData<'t>, InputProblems> {
        let mut columns = vec![event];
        columns.extend(others);
        let (mut data, mut problems) = SurvivalData::select_collecting(table, time, &columns)?;
        let ecol = table.column(event).map_err(|p| InputProblems(vec![p]))?;
        data.event = parse_events(table, &data.rows, ecol, event, &mut problems);
        if !problems.is_empty() {
            return Err(InputProblems(problems.into_vec(&table.file)));
        }
        Ok(data)
    }

    /// Select rows complete on `time` and `columns` and parse the times;
    /// `event` is left empty for the caller to fill (as `new` does for 0/1 events).
    pub fn select(table: &'t CsvTable, time: &str, columns: &[&str]) -> Result<SurvivalData<'t>, InputProblems> {
        let (data, problems) = SurvivalData::select_collecting(table, time, columns)?;
        if !problems.is_empty() {
            return Err(InputProblems(problems.into_vec(&table.file)));
        }
        Ok(data)
    }

    /// As [`Self::select`], returning the bad time cells with the data so
    /// that a caller can report them together with its own problems.
    fn select_collecting(
        table: &'t CsvTable,
        time: &str,
        columns: &[&str],
    ) -> Result<(SurvivalData<'t>, ProblemLog), InputProblems> {
        let mut problems = ProblemLog::default();
        let mut cols = Vec::new();
        for name in std::iter::once(&time).chain(columns) {
            match table.column(name) {
                Ok(c) => cols.push(c),
                Err(p) => problems.push(p),
            }
        }
        if !problems.is_empty() {
            return Err(InputProblems(problems.into_vec(&table.file)));
        }
        let tcol = cols[0];
        let names: Vec<&str> = std::iter::once(time).chain(columns.iter().copied()).collect();
        let complete = table.complete_rows(&cols);
        let rows: Vec<usize> = (0..table.n_rows()).filter(|&i| complete[i]).collect();
        let dropped: Vec<(usize, Vec<String>)> = (0..table.n_rows())
            .filter(|&i| !complete[i])
            .map(|i| {
                let missing = cols.iter().zip(&names).filter(|(&c, _)| table.cell(i, c).is_missing());
                (table.row_number(i), missing.map(|(_, n)| n.to_string()).collect())
            })
            .collect();
        let n_dropped = dropped.len();
        let mut times = Vec::with_capacity(rows.len());
        for &i in &rows {
            let cell = table.cell(i, tcol);
            match cell.number() {
                Some(v) if v.is_finite() && v >= 0.0 => times.push(v),
                Some(_) => problems.push(Problem::error(
                    &table.file,
                    Some(table.row_number(i)),
                    Some(time),
                    format!("time must be a finite number >= 0, found '{cell}'"),
                )),
                None => problems.push(Problem::error(
                    &table.file,
                    Some(table.row_number(i)),
                    Some(time),
                    format!("not a number: '{cell}'"),
                )),
            }
        }
        if rows.is_empty() {
            return Err(InputProblems(vec![Problem::error(
                &table.file,
                None,
                None,
                format!("no complete rows: all {} rows miss a value in a column the analysis uses", table.n_rows()),
            )]));
        }
        let mut warnings = Vec::new();
        if problems.is_empty() {
            let outlier = outlier_warning(&times, time);
            let merged = tie_near_equal_times(&mut times, DEFAULT_TOLERANCE);
            let tied = timefix_warning(&merged, outlier.is_some(), time);
            warnings.extend(outlier.into_iter().chain(tied));
        }
        Ok((
            SurvivalData {
                table,
                rows,
                n_dropped,
                dropped,
                n_zero_weight: 0,
                time: times,
                event: Vec::new(),
                warnings,
            },
            problems,
        ))
    }

    /// Print the data's warnings to stderr, as `file: warning: …`.
    pub fn print_warnings(&self) {
        for w in &self.warnings {
            eprintln!("{}: warning: {}", crate::inert::terminal(&self.table.file), crate::inert::terminal(w));
        }
    }

    /// Print every dropped row and its missing columns to stderr (`--explain-dropped`).
    pub fn explain_dropped(&self) {
        for (row, missing) in &self.dropped {
            eprintln!("{}:{row}: dropped: missing {}", self.table.file, missing.join(", "));
        }
        eprintln!(
            "{}: {} rows read, {} used, {} dropped",
            self.table.file,
            self.table.n_rows(),
            self.n(),
            self.n_dropped + self.n_zero_weight
        );
        if self.n_zero_weight > 0 {
            eprintln!("{}: {} of the dropped rows have case weight 0", self.table.file, self.n_zero_weight);
        }
    }

    /// Number of rows used.
    pub fn n(&self) -> usize {
        self.rows.len()
    }

    /// Number of events among the rows used.
    pub fn events(&self) -> usize {
        self.event.iter().filter(|&&e| e).count()
    }

    /// The cells of a column over the used rows.
    fn cells(&self, name: &str) -> Vec<Cell<'t>> {
        let c = self.table.column(name).expect("column checked in new()");
        self.rows.iter().map(|&i| self.table.cell(i, c)).collect()
    }

    /// The file the data come from, as the user named it.
    pub fn file(&self) -> &str {
        &self.table.file
    }

    /// The numbers of a column (one of those selected) over the used rows,
    /// each checked by `check(cell, its number, time of the row)`; every
    /// cell that fails is reported with its row and column, all at once.
    fn checked_numbers(
        &self,
        column: &str,
        check: impl Fn(Cell, Option<f64>, f64) -> Result<f64, String>,
    ) -> Result<Vec<f64>, InputProblems> {
        let c = self.table.column(column).map_err(InputProblems::one)?;
        let mut problems = ProblemLog::default();
        let mut out = Vec::with_capacity(self.rows.len());
        for (k, &i) in self.rows.iter().enumerate() {
            let cell = self.table.cell(i, c);
            match check(cell, cell.number(), self.time[k]) {
                Ok(v) => out.push(v),
                Err(message) => problems.push(Problem::error(
                    &self.table.file,
                    Some(self.table.row_number(i)),
                    Some(column),
                    message,
                )),
            }
        }
        if !problems.is_empty() {
            return Err(InputProblems(problems.into_vec(&self.table.file)));
        }
        Ok(out)
    }

    /// The case weights (`--weights`, a column among those selected) of the
    /// used rows: each a finite number >= 0. Rows of weight 0 are then
    /// dropped and counted (`n_zero_weight`; R refuses them in `coxph`), so
    /// call this before taking any other column of the rows.
    pub fn weights(&mut self, column: &str) -> Result<Vec<f64>, InputProblems> {
        let weights = self.checked_numbers(column, |cell, v, _| match v {
            Some(v) if v.is_finite() && v >= 0.0 => Ok(v),
            _ => Err(format!("a case weight must be a finite number >= 0, found '{cell}'")),
        })?;
        let keep: Vec<bool> = weights.iter().map(|&w| w > 0.0).collect();
        self.n_zero_weight = keep.iter().filter(|&&k| !k).count();
        if self.n_zero_weight == keep.len() {
            return Err(InputProblems(vec![Problem::error(
                &self.table.file,
                None,
                Some(column),
                "every case weight is 0: no rows to analyse".to_string(),
            )]));
        }
        self.rows = kept(&self.rows, &keep);
        self.time = kept(&self.time, &keep);
        self.event = kept(&self.event, &keep);
        Ok(kept(&weights, &keep))
    }

    /// The entry times (`--start`, a column among those selected) of the
    /// used rows: counting-process data `(start, time]`, as R's
    /// `Surv(start, stop, event)`. Each start must be a finite number before
    /// its time; starts and times are then tied together by R's rule for
    /// near-equal times (a start within rounding of a time is that time).
    pub fn entries(&mut self, start: &str) -> Result<Vec<f64>, InputProblems> {
        let entry = self.checked_numbers(start, |cell, v, time| match v {
            Some(v) if v.is_finite() && v < time => Ok(v),
            Some(v) if v.is_finite() => Err(format!("the start ({cell}) must be before the time ({time})")),
            _ => Err(format!("not a finite number: '{cell}'")),
        })?;
        let mut both: Vec<f64> = entry.iter().chain(&self.time).copied().collect();
        tie_near_equal_times(&mut both, DEFAULT_TOLERANCE);
        let (tied_entry, tied_time) = both.split_at(entry.len());
        self.time = tied_time.to_vec();
        Ok(tied_entry.to_vec())
    }

    /// One Kaplan-Meier curve per level of the `group` column (`--group`), or
    /// a single curve `all` without one; with `entry`, for counting-process data.
    pub fn curves_by_group(
        &self,
        group: Option<&str>,
        entry: Option<&[f64]>,
        weights: Option<&[f64]>,
        conf: survstat::km::ConfSpec,
    ) -> Result<Vec<(String, survstat::km::KaplanMeier)>, crate::problem::InputProblems> {
        use survstat::km::KaplanMeier;
        let fit = |idx: &[usize]| {
            let pick = |v: &[f64]| idx.iter().map(|&i| v[i]).collect::<Vec<f64>>();
            let e: Vec<bool> = idx.iter().map(|&i| self.event[i]).collect();
            let (entry, weights) = (entry.map(pick), weights.map(pick));
            KaplanMeier::fit_weighted(entry.as_deref(), &pick(&self.time), &e, weights.as_deref(), conf)
        };
        Ok(match group {
            None => vec![("all".to_string(), fit(&(0..self.n()).collect::<Vec<_>>()))],
            Some(g) => {
                let levels = self
                    .levels(g, "a --group column", crate::limits::MAX_GROUPS)
                    .map_err(crate::problem::InputProblems::one)?;
                levels
                    .labels
                    .iter()
                    .enumerate()
                    .map(|(l, label)| {
                        let idx: Vec<usize> = (0..self.n()).filter(|&i| levels.codes[i] == l).collect();
                        (label.clone(), fit(&idx))
                    })
                    .collect()
            }
        })
    }

    /// A column as categorical levels (one hash lookup per row), refused
    /// with a problem when it has more than `max` distinct values (used as
    /// `what`, e.g. "a --group column").
    pub fn levels(&self, name: &str, what: &str, max: usize) -> Result<LevelCodes, Problem> {
        let cells: Vec<std::borrow::Cow<str>> = self.cells(name).into_iter().map(Cell::text).collect();
        let distinct: foldhash::HashSet<&str> = cells.iter().map(|c| c.as_ref()).collect();
        if distinct.len() > max {
            return Err(Problem::error(
                &self.table.file,
                None,
                Some(name),
                format!(
                    "'{name}' has {} distinct values; {what} takes at most {max} (is it an identifier or a measurement?)",
                    distinct.len()
                ),
            ));
        }
        let mut distinct: Vec<&str> = distinct.into_iter().collect();
        distinct.sort_unstable();
        let numeric: Option<Vec<f64>> = distinct.iter().map(|s| s.parse::<f64>().ok()).collect();
        if let Some(values) = numeric {
            let mut paired: Vec<(f64, &str)> = values.into_iter().zip(distinct).collect();
            paired.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(b.1)));
            distinct = paired.into_iter().map(|(_, l)| l).collect();
        }
        let index: foldhash::HashMap<&str, usize> = distinct.iter().enumerate().map(|(k, &l)| (l, k)).collect();
        let codes = cells.iter().map(|c| index[c.as_ref()]).collect();
        Ok(LevelCodes { codes, labels: distinct.into_iter().map(str::to_string).collect() })
    }

    /// The stratum of each used row from a `--strata` column (capped at
    /// [`crate::limits::MAX_STRATA`]), or `None` without one.
    pub fn strata(&self, column: Option<&str>) -> Result<Option<Vec<usize>>, InputProblems> {
        column
            .map(|s| self.levels(s, "a --strata column", crate::limits::MAX_STRATA).map(|l| l.codes))
            .transpose()
            .map_err(|p| InputProblems(vec![p]))
    }

    /// The column as numbers, or the cells that are not finite numbers.
    fn numbers(&self, name: &str) -> Result<Cow<'t, [f64]>, Vec<usize>> {
        let c = self.table.column(name).expect("column checked in new()");
        self.table.finite_numbers(c, &self.rows)
    }

    /// A covariate: numeric when every value is a number, categorical when
    /// forced (`--factor`) or when no value is a number (a text column such
    /// as M/F). A column of numbers with some other cells (`1.2.3`, `0,5`,
    /// `<0.1`, `inf`) is an error naming those cells, never a factor with a
    /// level per value. `reference` names the factor's reference level
    /// (default: the first).
    pub fn covariate(
        &self,
        name: &str,
        force_factor: bool,
        reference: Option<&str>,
    ) -> Result<Covariate<'t>, Vec<Problem>> {
        if !force_factor {
            match self.numbers(name) {
                Ok(values) => return Ok(Covariate::Numeric { name: name.to_string(), values }),
                Err(bad) if bad.len() < self.rows.len() => {
                    let c = self.table.column(name).expect("column checked in new()");
                    let mut log = ProblemLog::default();
                    for i in bad {
                        log.push(Problem::error(
                            &self.table.file,
                            Some(self.table.row_number(i)),
                            Some(name),
                            format!(
                                "'{}' is not a finite number, in a column of numbers (name the column in --factor to treat it as categorical)",
                                self.table.cell(i, c)
                            ),
                        ));
                    }
                    return Err(log.into_vec(&self.table.file));
                }
                Err(_) => {}
            }
        }
        let levels = self.levels(name, "a factor", crate::limits::MAX_FACTOR_LEVELS).map_err(|p| vec![p])?;
        let reference = match reference {
            None => 0,
            Some(r) => levels.labels.iter().position(|l| l == r).ok_or_else(|| {
                vec![Problem::error(
                    &self.table.file,
                    None,
                    Some(name),
                    format!("reference level '{r}' is not a level of '{name}' (levels: {})", levels.labels.join(", ")),
                )]
            })?,
        };
        Ok(Covariate::Factor { name: name.to_string(), codes: levels.codes, levels: levels.labels, reference })
    }
}

/// Parse the event column with R's `Surv()` coding rules.
fn parse_events(table: &CsvTable, rows: &[usize], col: usize, name: &str, problems: &mut ProblemLog) -> Vec<bool> {
    let codes: Vec<Option<u8>> = rows
        .iter()
        .map(|&i| match table.cell(i, col) {
            Cell::Text(s) if s.eq_ignore_ascii_case("true") => Some(1),
            Cell::Text(s) if s.eq_ignore_ascii_case("false") => Some(0),
            cell => match cell.number() {
                Some(0.0) => Some(0),
                Some(1.0) => Some(1),
                Some(2.0) => Some(2),
                _ => None,
            },
        })
        .collect();
    // R's Surv(): the 1/2 coding applies when the largest value is 2.
    let one_two = codes.contains(&Some(2)) && codes.iter().all(|c| matches!(c, Some(1) | Some(2)));
    let mut out = Vec::with_capacity(rows.len());
    for (&i, code) in rows.iter().zip(&codes) {
        match (code, one_two) {
            (Some(2), true) => out.push(true),
            (Some(1), true) => out.push(false),
            (Some(0), false) => out.push(false),
            (Some(1), false) => out.push(true),
            _ => problems.push(Problem::error(
                &table.file,
                Some(table.row_number(i)),
                Some(name),
                format!("event must be 0/1, true/false, or 1/2 (2 = event) throughout; found '{}'", table.cell(i, col)),
            )),
        }
    }
    out
}
