//! Reading a cohort spreadsheet (`.csv`, or `.xlsx` first sheet or a named
//! one) into a grid of cells, before any column is interpreted.
//!
//! CSV cells are text. Excel cells keep their type: numbers, booleans,
//! text, and date cells (converted from Excel's serial day numbers with the
//! workbook's 1900 or 1904 date system). Empty cells and `NA` are missing.

use super::date::Date;
use crate::problem::Problem;
use calamine::{Data, Reader, Xlsx};
use std::path::Path;

/// One cell as read.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Empty or `NA`.
    Missing,
    /// Text.
    Text(String),
    /// A numeric cell (Excel).
    Number(f64),
    /// A boolean cell (Excel).
    Bool(bool),
    /// A date cell (Excel).
    Date(Date),
}

impl Cell {
    /// The cell as it would be typed, for messages.
    pub fn display(&self) -> String {
        match self {
            Cell::Missing => String::new(),
            Cell::Text(s) => s.clone(),
            Cell::Number(v) => format!("{v}"),
            Cell::Bool(b) => format!("{b}"),
            Cell::Date(d) => d.to_string(),
        }
    }
}

/// A spreadsheet as rows of cells under a header row.
#[derive(Debug, Clone)]
pub struct Grid {
    /// The file as named by the user.
    pub file: String,
    /// Header cells as written.
    pub headers: Vec<String>,
    /// Data rows (each padded to the header's width).
    pub rows: Vec<GridRow>,
}

/// A data row with its spreadsheet row number (header = 1).
#[derive(Debug, Clone)]
pub struct GridRow {
    /// Row number as the spreadsheet shows it.
    pub number: usize,
    /// Cells, one per header.
    pub cells: Vec<Cell>,
}

fn text_cell(s: &str) -> Cell {
    let t = s.trim();
    if t.is_empty() || t == "NA" {
        Cell::Missing
    } else {
        Cell::Text(t.to_string())
    }
}

/// The file type by extension: `csv` or `xlsx`.
pub fn file_type(path: &Path) -> Result<String, Problem> {
    let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).unwrap_or_default();
    if ext != "csv" && ext != "xlsx" {
        return Err(Problem::error(
            &path.display().to_string(),
            None,
            None,
            "unsupported file type: give a .csv or .xlsx file",
        ));
    }
    Ok(ext)
}

/// Read a cohort held in memory; `ext` is `csv` or `xlsx`, `file` names it in messages.
pub fn grid_from_bytes(file: &str, ext: &str, bytes: Vec<u8>, sheet: Option<&str>) -> Result<Grid, Vec<Problem>> {
    match ext {
        "csv" => {
            if sheet.is_some() {
                return Err(vec![Problem::error(file, None, None, "--sheet applies to .xlsx files only")]);
            }
            read_csv(&bytes, file)
        }
        "xlsx" => read_xlsx(bytes, file, sheet),
        _ => Err(vec![Problem::error(file, None, None, "unsupported file type: give a .csv or .xlsx file")]),
    }
}

fn read_csv(bytes: &[u8], file: &str) -> Result<Grid, Vec<Problem>> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(vec![Problem::error(
            file,
            None,
            None,
            "the file is empty: expected a header row and one row per lesion",
        )]);
    }
    if bytes.contains(&0) {
        return Err(vec![Problem::error(
            file,
            None,
            None,
            "not a table: the file holds binary data (is it a spreadsheet saved as .csv?)",
        )]);
    }
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
    let mut records = Vec::new();
    let mut problems = Vec::new();
    for (k, rec) in reader.records().enumerate() {
        match rec {
            Ok(r) => records.push(r),
            Err(e) => problems.push(Problem::error(
                file,
                Some(k + 1),
                None,
                format!("not readable as CSV: {}", csv_reason(&e)),
            )),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut iter = records.into_iter();
    let header = iter.next().expect("non-empty file has a first record");
    let headers: Vec<String> = header.iter().map(|h| h.trim().to_string()).collect();
    let mut rows = Vec::new();
    for (k, rec) in iter.enumerate() {
        if rec.iter().all(|c| c.trim().is_empty()) {
            continue; // blank line: nothing lost
        }
        if rec.len() > headers.len() && rec.iter().skip(headers.len()).any(|c| !c.trim().is_empty()) {
            problems.push(Problem::error(
                file,
                Some(k + 2),
                None,
                format!("row has {} fields but the header has {}", rec.len(), headers.len()),
            ));
            continue;
        }
        let mut cells: Vec<Cell> = rec.iter().take(headers.len()).map(text_cell).collect();
        cells.resize(headers.len(), Cell::Missing);
        rows.push(GridRow { number: k + 2, cells });
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Grid { file: file.to_string(), headers, rows })
}

fn csv_reason(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "not valid UTF-8 text".into(),
        other => format!("{other:?}"),
    }
}

/// Read a workbook, turning a panic inside the spreadsheet library (found
/// by fuzzing: malformed cell references overflow in calamine) into a clean
/// error. The panic hook is silenced meanwhile so no message or backtrace
/// is printed; reading happens before any worker thread starts.
fn read_xlsx(bytes: Vec<u8>, file: &str, sheet: Option<&str>) -> Result<Grid, Vec<Problem>> {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| read_xlsx_unguarded(bytes, file, sheet)));
    std::panic::set_hook(previous);
    result.unwrap_or_else(|_| {
        Err(vec![Problem::error(
            file,
            None,
            None,
            "not a readable .xlsx workbook: its contents are malformed (re-save it from the spreadsheet program)",
        )])
    })
}

fn read_xlsx_unguarded(bytes: Vec<u8>, file: &str, sheet: Option<&str>) -> Result<Grid, Vec<Problem>> {
    let fail = |msg: String| vec![Problem::error(file, None, None, msg)];
    let mut wb: Xlsx<_> =
        Xlsx::new(std::io::Cursor::new(bytes)).map_err(|e| fail(format!("not a readable .xlsx workbook: {e}")))?;
    let names = wb.sheet_names();
    let name = match sheet {
        Some(s) => names
            .iter()
            .find(|n| n.as_str() == s)
            .cloned()
            .ok_or_else(|| fail(format!("no sheet named '{s}' (sheets: {})", names.join(", "))))?,
        None => names.first().cloned().ok_or_else(|| fail("the workbook has no sheets".into()))?,
    };
    let range = wb.worksheet_range(&name).map_err(|e| fail(format!("cannot read sheet '{name}': {e}")))?;
    // Row numbers as Excel shows them, even when the used range starts lower.
    let first_row = range.start().map_or(0, |(r, _)| r as usize);
    let mut rows_iter = range.rows();
    let header = rows_iter.next().ok_or_else(|| fail(format!("sheet '{name}' is empty: expected a header row")))?;
    let headers: Vec<String> = header.iter().map(|c| xlsx_cell(c).display()).collect();
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for (k, r) in rows_iter.enumerate() {
        let mut cells: Vec<Cell> = r.iter().map(xlsx_cell).collect();
        cells.resize(headers.len().max(cells.len()), Cell::Missing);
        if cells.iter().all(|c| *c == Cell::Missing) {
            continue;
        }
        for (j, c) in r.iter().enumerate() {
            if let Data::Error(e) = c {
                let col = headers.get(j).map(String::as_str);
                problems.push(Problem::error(
                    file,
                    Some(first_row + k + 2),
                    col,
                    format!("the cell holds a spreadsheet error ({e:?})"),
                ));
            }
        }
        rows.push(GridRow { number: first_row + k + 2, cells });
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Grid { file: file.to_string(), headers, rows })
}

fn xlsx_cell(c: &Data) -> Cell {
    match c {
        Data::Empty | Data::Error(_) => Cell::Missing,
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => text_cell(s),
        Data::Float(v) => Cell::Number(*v),
        Data::Int(v) => Cell::Number(*v as f64),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(dt) if dt.is_datetime() => {
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            Date::from_ymd(y as i64, m as u32, d as u32).map_or(Cell::Number(dt.as_f64()), Cell::Date)
        }
        Data::DateTime(dt) => Cell::Number(dt.as_f64()),
    }
}
