//! Reading a cohort spreadsheet (`.csv`, or `.xlsx` first sheet or a named
//! one) into a grid of cells, before any column is interpreted.
//!
//! CSV cells are text. Excel cells keep their type: numbers, booleans,
//! text, and date cells (converted from Excel's serial day numbers with the
//! workbook's 1900 or 1904 date system). Empty cells and `NA` are missing.

use super::date::Date;
use crate::problem::{Problem, ProblemLog};
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
    /// The finite number a cell holds: a numeric cell, or text that reads as one.
    pub fn number(&self) -> Option<f64> {
        match self {
            Cell::Number(v) => Some(*v),
            c => c.display().trim().parse::<f64>().ok(),
        }
        .filter(|v| v.is_finite())
    }

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
    if crate::csv_table::is_missing(s) {
        Cell::Missing
    } else {
        Cell::Text(s.trim().to_string())
    }
}

/// The kinds of cohort file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileType {
    /// Comma-separated text.
    Csv,
    /// An Excel workbook.
    Xlsx,
}

/// The file type by extension (`.csv`, `.xlsx`, any case).
pub fn file_type(path: &Path) -> Result<FileType, Problem> {
    let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("csv") => Ok(FileType::Csv),
        Some("xlsx") => Ok(FileType::Xlsx),
        _ => Err(Problem::error(
            &path.display().to_string(),
            None,
            None,
            "unsupported file type: give a .csv or .xlsx file",
        )),
    }
}

/// Whether an .xlsx workbook held in memory has a sheet named `name`
/// (false for anything unreadable: reading it reports why).
pub fn has_sheet(bytes: &[u8], name: &str) -> bool {
    check_inflated_size(bytes).is_ok()
        && Xlsx::new(std::io::Cursor::new(bytes)).is_ok_and(|wb: Xlsx<_>| wb.sheet_names().iter().any(|n| n == name))
}

/// Read a cohort held in memory; `file` names it in messages.
pub fn grid_from_bytes(file: &str, kind: FileType, bytes: Vec<u8>, sheet: Option<&str>) -> Result<Grid, Vec<Problem>> {
    match kind {
        FileType::Csv => {
            if sheet.is_some() {
                return Err(vec![Problem::error(file, None, None, "--sheet applies to .xlsx files only")]);
            }
            read_csv(&bytes, file)
        }
        FileType::Xlsx => read_xlsx(bytes, file, sheet),
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
    let mut records = reader.records();
    let header = match records.next() {
        Some(Ok(h)) => h,
        Some(Err(e)) => {
            return Err(vec![Problem::error(file, Some(1), None, format!("not readable as CSV: {}", csv_reason(&e)))])
        }
        None => return Err(vec![Problem::error(file, None, None, "the file is empty: expected a header row")]),
    };
    check_width(file, header.len())?;
    let headers: Vec<String> = header.iter().map(|h| h.trim().to_string()).collect();
    let mut problems = ProblemLog::default();
    let mut rows = Vec::new();
    for (k, rec) in records.enumerate() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                problems.push(Problem::error(
                    file,
                    Some(k + 2),
                    None,
                    format!("not readable as CSV: {}", csv_reason(&e)),
                ));
                continue;
            }
        };
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
        return Err(problems.into_vec(file));
    }
    Ok(Grid { file: file.to_string(), headers, rows })
}

/// Most columns a cohort file may have (a cohort has a few dozen).
pub const MAX_COLUMNS: usize = 10_000;

/// Refuse a header wider than [`MAX_COLUMNS`] before anything is held per column.
fn check_width(file: &str, width: usize) -> Result<(), Vec<Problem>> {
    if width > MAX_COLUMNS {
        return Err(vec![Problem::error(
            file,
            Some(1),
            None,
            format!("the header has {width} columns; a cohort file has at most {MAX_COLUMNS}"),
        )]);
    }
    Ok(())
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
    check_inflated_size(&bytes).map_err(fail)?;
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
    // Cells are streamed, and only those that hold something are kept: the
    // sheet's dimensions (up to XFD1048576) never decide an allocation.
    let mut reader = wb.worksheet_cells_reader(&name).map_err(|e| fail(format!("cannot read sheet '{name}': {e}")))?;
    let mut cells: Vec<(u32, u32, Data)> = Vec::new();
    while let Some(c) = reader.next_cell().map_err(|e| fail(format!("cannot read sheet '{name}': {e}")))? {
        let value: Data = c.get_value().clone().into();
        if value != Data::Empty {
            let (r, col) = c.get_position();
            cells.push((r, col, value));
        }
    }
    drop(reader);
    cells.sort_by_key(|&(r, c, _)| (r, c));
    let Some(&(header_row, _, _)) = cells.first() else {
        return Err(fail(format!("sheet '{name}' is empty: expected a header row")));
    };
    let first_col = cells.iter().map(|&(_, c, _)| c).min().expect("non-empty");
    let last_header_col =
        cells.iter().take_while(|&&(r, ..)| r == header_row).map(|&(_, c, _)| c).max().expect("non-empty");
    let width = (last_header_col - first_col + 1) as usize;
    check_width(file, width)?;
    let mut headers = vec![String::new(); width];
    let mut problems = ProblemLog::default();
    let mut rows: Vec<GridRow> = Vec::new();
    for (r, c, value) in cells {
        let number = r as usize + 1;
        let j = (c - first_col) as usize;
        if r == header_row {
            headers[j] = xlsx_cell(&value).display();
            continue;
        }
        let column = headers.get(j).map(String::as_str);
        if let Data::Error(e) = &value {
            problems.push(Problem::error(
                file,
                Some(number),
                column,
                format!("the cell holds a spreadsheet error ({e:?})"),
            ));
            continue;
        }
        let cell = xlsx_cell(&value);
        if cell == Cell::Missing {
            continue;
        }
        if j >= width {
            problems.push(Problem::error(
                file,
                Some(number),
                None,
                format!("a value in column {} lies right of the last header column", column_letters(c)),
            ));
            continue;
        }
        if rows.last().is_none_or(|row| row.number != number) {
            rows.push(GridRow { number, cells: vec![Cell::Missing; width] });
        }
        rows.last_mut().expect("pushed").cells[j] = cell;
    }
    if !problems.is_empty() {
        return Err(problems.into_vec(file));
    }
    Ok(Grid { file: file.to_string(), headers, rows })
}

/// Excel's letters for a 0-based column index (0 = A, 16383 = XFD).
fn column_letters(mut c: u32) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(b'A' + (c % 26) as u8);
        if c < 26 {
            break;
        }
        c = c / 26 - 1;
    }
    letters.reverse();
    String::from_utf8(letters).expect("ASCII")
}

/// Refuse a workbook whose parts inflate beyond the input size limit, by
/// inflating each part into nothing before the spreadsheet library holds
/// any of it (the sizes a zip declares are not trusted).
fn check_inflated_size(bytes: &[u8]) -> Result<(), String> {
    use std::io::Read;
    let limit = crate::limits::max_input_bytes()?;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| format!("not a readable .xlsx workbook: Zip error: {e}"))?;
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let part = zip.by_index(i).map_err(|e| format!("not a readable .xlsx workbook: Zip error: {e}"))?;
        let name = part.name().map(|n| n.into_owned()).unwrap_or_default();
        let inflated = std::io::copy(&mut part.take(limit - total + 1), &mut std::io::sink())
            .map_err(|e| format!("not a readable .xlsx workbook: part {name}: {e}"))?;
        total += inflated;
        if total > limit {
            return Err(format!(
                "the workbook inflates to more than {} MB (the input limit) when unpacked: refused before reading (set SBRT_MAX_INPUT_MB to raise the limit if the machine has the memory)",
                limit >> 20
            ));
        }
    }
    Ok(())
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
