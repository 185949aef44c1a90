//! The generic CSV table read by `km`, `logrank` and `cox`: a header row,
//! then one row per observation. Cells that are empty or `NA` are missing.
//! Columns are looked up by name; each typed read reports every bad cell.

use crate::problem::{InputProblems, Problem};
use std::path::Path;

/// A CSV file held as text cells.
#[derive(Debug)]
pub struct Table {
    /// The file name as given, for messages.
    pub file: String,
    /// Header names.
    pub headers: Vec<String>,
    /// Data rows, as text.
    pub rows: Vec<Vec<String>>,
}

/// Whether a cell counts as missing.
pub fn is_missing(cell: &str) -> bool {
    let c = cell.trim();
    c.is_empty() || c == "NA"
}

impl Table {
    /// Read a CSV file with a header row.
    pub fn read(path: &Path) -> Result<Table, InputProblems> {
        let file = path.display().to_string();
        crate::limits::check_input_size(path).map_err(|p| InputProblems(vec![p]))?;
        let one = |row: Option<usize>, msg: String| InputProblems(vec![Problem::error(&file, row, None, msg)]);
        let bytes = std::fs::read(path).map_err(|e| one(None, format!("cannot read: {e}")))?;
        Table::from_bytes(&file, &bytes)
    }

    /// Parse CSV text held in memory; `file` names it in messages.
    pub fn from_bytes(file: &str, bytes: &[u8]) -> Result<Table, InputProblems> {
        let file = file.to_string();
        let one = |row: Option<usize>, msg: String| InputProblems(vec![Problem::error(&file, row, None, msg)]);
        let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(false).from_reader(bytes);
        let headers: Vec<String> = reader
            .headers()
            .map_err(|e| one(Some(1), format!("cannot read the header row: {}", csv_message(&e))))?
            .iter()
            .map(|h| h.trim().to_string())
            .collect();
        if headers.iter().all(|h| h.is_empty()) {
            return Err(one(None, "the file is empty: expected a header row".into()));
        }
        let mut rows = Vec::new();
        let mut problems = Vec::new();
        for (k, record) in reader.records().enumerate() {
            match record {
                Ok(r) => rows.push(r.iter().map(str::to_string).collect()),
                Err(e) => problems.push(Problem::error(&file, Some(k + 2), None, csv_message(&e))),
            }
        }
        if !problems.is_empty() {
            return Err(InputProblems(problems));
        }
        Ok(Table { file, headers, rows })
    }

    /// Index of a column, or a problem naming the columns that exist.
    pub fn column(&self, name: &str) -> Result<usize, Problem> {
        self.headers.iter().position(|h| h == name).ok_or_else(|| {
            Problem::error(
                &self.file,
                Some(1),
                Some(name),
                format!("no column named '{name}' (columns: {})", self.headers.join(", ")),
            )
        })
    }

    /// The cell at data row `i`, column `c`.
    pub fn cell(&self, i: usize, c: usize) -> &str {
        self.rows[i][c].trim()
    }

    /// Spreadsheet row number of data row `i`.
    pub fn row_number(i: usize) -> usize {
        i + 2
    }
}

/// A csv error without the Rust-internal position noise.
fn csv_message(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
            format!("row has {len} fields, but the header has {expected_len}")
        }
        csv::ErrorKind::Utf8 { .. } => "not valid UTF-8 text".to_string(),
        csv::ErrorKind::Io(io) => io.to_string(),
        _ => e.to_string(),
    }
}
