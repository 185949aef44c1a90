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

/// The error of a run that found problems in its input: all of them.
#[derive(Debug)]
pub struct InputProblems(pub Vec<Problem>);

impl fmt::Display for InputProblems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let errors = self.0.iter().filter(|p| p.severity == Severity::Error).count();
        for p in &self.0 {
            writeln!(f, "{p}")?;
        }
        write!(f, "{errors} error(s) in the input; nothing was written")
    }
}

impl std::error::Error for InputProblems {}
