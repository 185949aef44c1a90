//! Problems found in an input file, reported as `file:row:column: message`.
//!
//! Rows are numbered as a spreadsheet shows them: the header is row 1 and
//! the first data row is row 2. Every reader collects all problems before
//! it fails, so the user fixes the file once.

use std::fmt;

/// How serious a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The input cannot be used as it is.
    Error,
    /// Suspicious but usable; the user should look.
    Warning,
}

/// One problem at a place in a file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    /// Error or warning.
    pub severity: Severity,
    /// The file as the user named it.
    pub file: String,
    /// Spreadsheet row (header = 1), if the problem has one.
    pub row: Option<usize>,
    /// Column name, if the problem has one.
    pub column: Option<String>,
    /// What is wrong, in words.
    pub message: String,
    /// For the line that stands for problems not listed: how many errors
    /// and warnings it stands for.
    #[serde(skip)]
    omitted: Option<(usize, usize)>,
}

impl Problem {
    /// An error at a cell.
    pub fn error(file: &str, row: Option<usize>, column: Option<&str>, message: impl Into<String>) -> Problem {
        Problem {
            severity: Severity::Error,
            file: file.to_string(),
            row,
            column: column.map(str::to_string),
            message: message.into(),
            omitted: None,
        }
    }

    /// A warning at a cell.
    pub fn warning(file: &str, row: Option<usize>, column: Option<&str>, message: impl Into<String>) -> Problem {
        Problem { severity: Severity::Warning, ..Problem::error(file, row, column, message) }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Cell text is quoted in messages: escape control characters so a
        // cell cannot forge a line of its own or drive the terminal.
        use crate::inert::terminal;
        write!(f, "{}", terminal(&self.file))?;
        if let Some(row) = self.row {
            write!(f, ":{row}")?;
        }
        if let Some(col) = &self.column {
            write!(f, ":{}", terminal(col))?;
        }
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, ": {label}: {}", terminal(&self.message))
    }
}

/// How many errors and warnings `problems` stand for, counting those that
/// a [`ProblemLog`] did not list.
pub fn totals(problems: &[Problem]) -> (usize, usize) {
    problems.iter().fold((0, 0), |(e, w), p| match (p.omitted, p.severity) {
        (Some((oe, ow)), _) => (e + oe, w + ow),
        (None, Severity::Error) => (e + 1, w),
        (None, Severity::Warning) => (e, w + 1),
    })
}

/// The problems of one input: the first [`ProblemLog::LISTED`] are kept, the
/// rest only counted, so a file with millions of bad cells is reported in
/// bounded memory and a readable amount of text.
#[derive(Debug, Default)]
pub struct ProblemLog {
    listed: Vec<Problem>,
    errors: usize,
    warnings: usize,
}

impl ProblemLog {
    /// How many problems are listed at most.
    pub const LISTED: usize = 1000;

    /// Record a problem.
    pub fn push(&mut self, p: Problem) {
        match p.severity {
            Severity::Error => self.errors += 1,
            Severity::Warning => self.warnings += 1,
        }
        if self.listed.len() < Self::LISTED {
            self.listed.push(p);
        }
    }

    /// Record several problems.
    pub fn extend(&mut self, problems: impl IntoIterator<Item = Problem>) {
        for p in problems {
            self.push(p);
        }
    }

    /// Record the problems of `later`, found after these: as if each had
    /// been pushed here.
    pub fn append(&mut self, later: ProblemLog) {
        let (listed_errors, listed_warnings) = totals(&later.listed);
        self.errors += later.errors - listed_errors;
        self.warnings += later.warnings - listed_warnings;
        self.extend(later.listed);
    }

    /// Count `errors` more errors that were found but not kept.
    pub fn count_unlisted_errors(&mut self, errors: usize) {
        self.errors += errors;
    }

    /// Whether any error was recorded.
    pub fn has_errors(&self) -> bool {
        self.errors > 0
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.errors + self.warnings == 0
    }

    /// The listed problems, ordered by `key`, then one line for those not
    /// listed, naming how many there are.
    pub fn into_sorted_vec<K: Ord>(self, file: &str, key: impl FnMut(&Problem) -> K) -> Vec<Problem> {
        let mut listed = self.listed;
        listed.sort_by_key(key);
        let (listed_errors, listed_warnings) = totals(&listed);
        let (errors, warnings) = (self.errors - listed_errors, self.warnings - listed_warnings);
        if errors + warnings > 0 {
            let severity = if errors > 0 { Severity::Error } else { Severity::Warning };
            listed.push(Problem {
                severity,
                omitted: Some((errors, warnings)),
                ..Problem::error(
                    file,
                    None,
                    None,
                    format!(
                        "{} more problem(s) not listed ({errors} error(s), {warnings} warning(s)): only the first {} are shown",
                        errors + warnings,
                        Self::LISTED
                    ),
                )
            });
        }
        listed
    }

    /// The problems in the order found, then the line for those not listed.
    pub fn into_vec(self, file: &str) -> Vec<Problem> {
        self.into_sorted_vec(file, |_| 0)
    }
}

/// The error of a run that found problems in its input: all of them.
#[derive(Debug)]
pub struct InputProblems(pub Vec<Problem>);

impl InputProblems {
    /// One problem as the error of a run.
    pub fn one(p: Problem) -> InputProblems {
        InputProblems(vec![p])
    }

    /// An error about the command line itself rather than a place in `file`.
    pub fn usage(file: &str, message: impl Into<String>) -> InputProblems {
        InputProblems::one(Problem::error(file, None, None, message))
    }
}

impl fmt::Display for InputProblems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (errors, _) = totals(&self.0);
        for p in &self.0 {
            writeln!(f, "{p}")?;
        }
        write!(f, "{errors} error(s) in the input; nothing was written")
    }
}

impl std::error::Error for InputProblems {}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(k: usize) -> Problem {
        let make = if k.is_multiple_of(3) { Problem::error } else { Problem::warning };
        make("f.csv", Some(k + 2), None, format!("problem {k}"))
    }

    /// Logs of consecutive shares, appended, list and count what one log
    /// of the whole would, wherever the cut falls.
    #[test]
    fn appended_logs_are_one_log() {
        let n = ProblemLog::LISTED + 500;
        let mut whole = ProblemLog::default();
        whole.extend((0..n).map(problem));
        let whole = format!("{:?}", whole.into_vec("f.csv"));
        for cut in [0, 10, ProblemLog::LISTED - 1, ProblemLog::LISTED + 200, n] {
            let (mut first, mut second) = (ProblemLog::default(), ProblemLog::default());
            first.extend((0..cut).map(problem));
            second.extend((cut..n).map(problem));
            first.append(second);
            assert_eq!(format!("{:?}", first.into_vec("f.csv")), whole, "cut at {cut}");
        }
    }
}
