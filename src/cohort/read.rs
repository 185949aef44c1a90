//! Reading a cohort spreadsheet (`.csv`, or `.xlsx` first sheet or a named
//! one) into a grid of cells, before any column is interpreted.
//!
//! CSV cells are text. Excel cells keep their type: numbers, booleans,
//! text, and date cells (converted from Excel's serial day numbers with the
//! workbook's 1900 or 1904 date system). Empty cells and `NA` are missing.
//!
//! The grid is held column by column, each column's distinct cells once
//! and a four-byte index per row ([`Grid`]): a cohort's columns repeat few
//! values, so a million lesions take a few hundred megabytes instead of a
//! string per cell, and the cohort types each distinct value once. A CSV
//! file is read in batches of records whose columns are shared between
//! the cores.

use super::date::Date;
use crate::csv_table::{is_missing, trim_cell};
use crate::problem::{Problem, ProblemLog};
use calamine::{Data, Reader, Xlsx};
use foldhash::HashMap;
use hashbrown::HashTable;
use std::hash::BuildHasher;
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

/// A spreadsheet under its header row, held column by column.
///
/// A cohort column repeats few values (dates, codes, doses, levels), so
/// each column keeps every distinct cell once and, per row, the index of
/// the row's cell among them: a million lesions cost four bytes a cell
/// and the distinct texts, not a string per cell, and whoever types the
/// cells can type each distinct one once ([`Grid::distinct`],
/// [`Grid::code`]). Index 0 of every column is [`Cell::Missing`].
#[derive(Debug, Clone)]
pub struct Grid {
    /// The file as named by the user.
    pub file: String,
    /// Header cells as written.
    pub headers: Vec<String>,
    /// Each data row's number as the spreadsheet shows it (header = 1).
    numbers: Vec<usize>,
    /// One per header.
    columns: Vec<GridColumn>,
}

/// One column of a [`Grid`].
#[derive(Debug, Clone)]
struct GridColumn {
    /// Distinct cells; index 0 is [`Cell::Missing`]. A recoded value may
    /// repeat another; every index in `codes` is valid.
    values: Vec<Cell>,
    /// Per row, the index of its cell in `values`.
    codes: Vec<u32>,
}

/// A column without rows.
impl Default for GridColumn {
    fn default() -> GridColumn {
        GridColumn { values: vec![Cell::Missing], codes: Vec::new() }
    }
}

impl Grid {
    /// Number of data rows.
    pub fn n_rows(&self) -> usize {
        self.numbers.len()
    }

    /// Data row `i`'s number as the spreadsheet shows it.
    pub fn row_number(&self, i: usize) -> usize {
        self.numbers[i]
    }

    /// The cell of data row `i` in column `j`.
    pub fn cell(&self, i: usize, j: usize) -> &Cell {
        let c = &self.columns[j];
        &c.values[c.codes[i] as usize]
    }

    /// The index of data row `i`'s cell among [`Grid::distinct`]`(j)`.
    pub fn code(&self, i: usize, j: usize) -> usize {
        self.columns[j].codes[i] as usize
    }

    /// Column `j`'s distinct cells, in order of first appearance after
    /// [`Cell::Missing`] (the cells of its rows, each once, unless recoded).
    pub fn distinct(&self, j: usize) -> &[Cell] {
        &self.columns[j].values
    }

    /// Column `j`'s cells, row by row.
    pub fn column(&self, j: usize) -> impl Iterator<Item = &Cell> + '_ {
        let c = &self.columns[j];
        c.codes.iter().map(|&k| &c.values[k as usize])
    }

    /// Replace each distinct cell of column `j` that `recode` maps.
    pub fn recode(&mut self, j: usize, recode: impl Fn(&Cell) -> Option<Cell>) {
        for v in self.columns[j].values.iter_mut().skip(1) {
            if let Some(new) = recode(v) {
                *v = new;
            }
        }
    }

    /// Set one cell.
    pub fn set(&mut self, i: usize, j: usize, cell: Cell) {
        let c = &mut self.columns[j];
        c.codes[i] = c.values.len() as u32;
        c.values.push(cell);
    }

    /// Add an empty column at the end; its index.
    pub fn push_column(&mut self, header: &str) -> usize {
        self.headers.push(header.to_string());
        self.columns.push(GridColumn { codes: vec![0; self.n_rows()], ..GridColumn::default() });
        self.columns.len() - 1
    }
}

/// Builds a [`Grid`] row by row, finding each cell among its column's
/// distinct cells.
struct GridBuilder {
    file: String,
    headers: Vec<String>,
    numbers: Vec<usize>,
    columns: Vec<ColumnBuilder>,
}

/// One column of a [`GridBuilder`]: the column, and its distinct cells to
/// their index.
///
/// A text of up to 16 bytes (a date, a number, a code) is compared in the
/// table itself, as one 128-bit number: reading a million-row file, a
/// look-up that went on to the distinct cell and then to its text's bytes
/// waited for memory at each step, as every column's table is visited in
/// turn for each row.
#[derive(Default)]
#[repr(align(128))] // each core codes its own columns: none shares a cache line
struct ColumnBuilder {
    column: GridColumn,
    /// Each distinct text, indexing `column.values`.
    texts: HashTable<TextKey>,
    /// The hash of `texts` (seeded per process, as [`HashMap`]'s).
    hasher: foldhash::fast::RandomState,
    /// The last text coded.
    last: TextKey,
    others: HashMap<OtherKey, u32>,
}

/// A distinct text of a column: its length and, up to 16 bytes, the bytes
/// themselves; its hash; its index among the column's cells.
#[derive(Debug, Default, Clone, Copy)]
struct TextKey {
    short: u128,
    len: usize,
    hash: u64,
    code: u32,
}

impl TextKey {
    /// The longest text held in the key.
    const SHORT: usize = 16;

    /// The short part of `text`'s key: its bytes, zero-padded, when it has
    /// at most 16 (little-endian: byte `k` of the text is byte `k` of the
    /// number); 0 for a longer text.
    ///
    /// It is put together from loads of whole words, two that overlap when
    /// the length is not a word's. Copying the bytes into a zeroed buffer
    /// and reading it back as one number made the processor wait for the
    /// narrow stores before the wide load: in a sampled profile of reading
    /// a million-patient cohort that reload was the costliest instruction
    /// of coding a cell, and without it the read takes 7 % less user time.
    fn short(text: &str) -> u128 {
        let b = text.as_bytes();
        let n = b.len();
        let u32_at = |i: usize| u64::from(u32::from_le_bytes(b[i..i + 4].try_into().expect("four bytes")));
        let u64_at = |i: usize| u64::from_le_bytes(b[i..i + 8].try_into().expect("eight bytes"));
        match n {
            0 => 0,
            1..=3 => u128::from(
                u64::from(b[0]) | u64::from(b[n / 2]) << (8 * (n / 2)) | u64::from(b[n - 1]) << (8 * (n - 1)),
            ),
            // The last word is moved to end at byte n; the bytes it shares
            // with the first land where the first has them.
            4..=7 => u128::from(u32_at(0) | u32_at(n - 4) << 32 >> (8 * (8 - n))),
            8..=16 => u128::from(u64_at(0)) | u128::from(u64_at(n - 8)) << 64 >> (8 * (16 - n)),
            _ => 0,
        }
    }

    /// Whether this is the key of `text`, whose short part is `short`.
    fn is(&self, text: &str, short: u128, values: &[Cell]) -> bool {
        self.len == text.len()
            && self.short == short
            && (text.len() <= Self::SHORT || matches!(&values[self.code as usize], Cell::Text(t) if t == text))
    }
}

/// A cell that is not text, as a key.
#[derive(Debug, PartialEq, Eq, Hash)]
enum OtherKey {
    Number(u64),
    Bool(bool),
    Date(Date),
}

/// Most rows a CSV reader holds before their cells join the grid.
const BATCH: usize = 1 << 14;

impl ColumnBuilder {
    /// The index of text as read (trimmed; 0 when empty or `NA`).
    fn text_code(&mut self, text: &str) -> u32 {
        if is_missing(text) {
            return 0;
        }
        let text = trim_cell(text);
        let short = TextKey::short(text);
        // A patient's lesions are consecutive rows that repeat its cells.
        if self.last.code != 0 && self.last.is(text, short, &self.column.values) {
            return self.last.code;
        }
        self.last = self.find_or_add(text, short);
        self.last.code
    }

    /// The key of a text (trimmed, not missing), added when new.
    fn find_or_add(&mut self, text: &str, short: u128) -> TextKey {
        let hash = self.hasher.hash_one(text);
        let values = &mut self.column.values;
        if let Some(&key) = self.texts.find(hash, |k| k.hash == hash && k.is(text, short, values)) {
            return key;
        }
        let key = TextKey { short, len: text.len(), hash, code: values.len() as u32 };
        values.push(Cell::Text(text.to_string()));
        self.texts.insert_unique(hash, key, |k| k.hash);
        key
    }

    /// The index of a cell.
    fn cell_code(&mut self, cell: Cell) -> u32 {
        let key = match &cell {
            Cell::Missing => return 0,
            Cell::Text(t) => return self.text_code(t),
            Cell::Number(v) => OtherKey::Number(v.to_bits()),
            Cell::Bool(b) => OtherKey::Bool(*b),
            Cell::Date(d) => OtherKey::Date(*d),
        };
        let values = &mut self.column.values;
        *self.others.entry(key).or_insert_with(|| {
            values.push(cell);
            values.len() as u32 - 1
        })
    }
}

impl GridBuilder {
    fn new(file: &str, headers: Vec<String>) -> GridBuilder {
        let columns = headers.iter().map(|_| ColumnBuilder::default()).collect();
        GridBuilder { file: file.to_string(), headers, numbers: Vec::new(), columns }
    }

    /// Add CSV records as rows numbered `numbers`. The columns are shared
    /// between the cores for a large batch (each column's distinct cells
    /// are its own), and each core goes through the records in order,
    /// coding its columns of one record while the record is in cache.
    fn push_records(&mut self, numbers: &[usize], records: &[csv::StringRecord]) {
        self.numbers.extend_from_slice(numbers);
        let cores = if records.len() < 1024 { 1 } else { crate::parallel_map::cores() };
        // Column j goes to core j mod cores: the costly columns (ids,
        // dates) lie apart in a cohort file.
        let mut shares: Vec<Vec<(usize, &mut ColumnBuilder)>> = (0..cores).map(|_| Vec::new()).collect();
        for (j, c) in self.columns.iter_mut().enumerate() {
            shares[j % cores].push((j, c));
        }
        let push = |share: &mut Vec<(usize, &mut ColumnBuilder)>| {
            for r in records {
                for (j, c) in share.iter_mut() {
                    let code = c.text_code(r.get(*j).unwrap_or(""));
                    c.column.codes.push(code);
                }
            }
        };
        if let [only] = shares.as_mut_slice() {
            return push(only);
        }
        std::thread::scope(|s| {
            for mut share in shares {
                s.spawn(move || push(&mut share));
            }
        });
    }

    /// Start data row `number`; every column is missing until set.
    fn push_row(&mut self, number: usize) {
        self.numbers.push(number);
        for c in &mut self.columns {
            c.column.codes.push(0);
        }
    }

    /// Set the last row's cell of column `j`.
    fn set_cell(&mut self, j: usize, cell: Cell) {
        let c = &mut self.columns[j];
        let code = c.cell_code(cell);
        *c.column.codes.last_mut().expect("a row was started") = code;
    }

    fn into_grid(self) -> Grid {
        Grid {
            file: self.file,
            headers: self.headers,
            numbers: self.numbers,
            columns: self.columns.into_iter().map(|c| c.column).collect(),
        }
    }
}

/// A text cell as read: trimmed, or missing when empty or `NA`.
fn text_cell(s: &str) -> Cell {
    if is_missing(s) {
        Cell::Missing
    } else {
        Cell::Text(trim_cell(s).to_string())
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
    let mut header = csv::StringRecord::new();
    match reader.read_record(&mut header) {
        Ok(true) => {}
        Ok(false) => return Err(vec![Problem::error(file, None, None, "the file is empty: expected a header row")]),
        Err(e) => {
            return Err(vec![Problem::error(file, Some(1), None, format!("not readable as CSV: {}", csv_reason(&e)))])
        }
    }
    check_width(file, header.len())?;
    let mut rows = RowCount::default();
    rows.after(&header, reader.position(), bytes);
    let headers: Vec<String> = header.iter().map(|h| h.trim().to_string()).collect();
    let width = headers.len();
    let mut problems = ProblemLog::default();
    let mut grid = GridBuilder::new(file, headers);
    let mut batch: Vec<csv::StringRecord> = Vec::new();
    let mut numbers = Vec::new();
    loop {
        numbers.clear();
        let mut ended = false;
        while numbers.len() < BATCH {
            if batch.len() == numbers.len() {
                batch.push(csv::StringRecord::new());
            }
            let rec = &mut batch[numbers.len()];
            let read = reader.read_record(rec);
            let row = rows.after(rec, reader.position(), bytes);
            match read {
                Ok(true) => {}
                Ok(false) => {
                    ended = true;
                    break;
                }
                Err(e) => {
                    problems.push(Problem::error(
                        file,
                        Some(row),
                        None,
                        format!("not readable as CSV: {}", csv_reason(&e)),
                    ));
                    continue;
                }
            }
            if rec.iter().all(|c| trim_cell(c).is_empty()) {
                continue; // blank line: nothing lost
            }
            if rec.len() > width && rec.iter().skip(width).any(|c| !trim_cell(c).is_empty()) {
                problems.push(Problem::error(
                    file,
                    Some(row),
                    None,
                    format!("row has {} fields but the header has {}", rec.len(), width),
                ));
                continue;
            }
            numbers.push(row);
        }
        if problems.is_empty() {
            grid.push_records(&numbers, &batch[..numbers.len()]);
        }
        if ended {
            break;
        }
    }
    if !problems.is_empty() {
        return Err(problems.into_vec(file));
    }
    Ok(grid.into_grid())
}

/// The spreadsheet row of each CSV record, as a spreadsheet program shows
/// the file: every line break ends a row (an empty line is an empty row,
/// which the `csv` crate skips without a record), except one inside a
/// quoted field.
#[derive(Default)]
struct RowCount {
    /// Records read so far (the header is the first).
    records: usize,
    /// Line breaks inside the fields read so far.
    inside: u64,
}

impl RowCount {
    /// The row of the record just read into `record`, the reader now at `end`
    /// of `bytes`: the line breaks read, less those inside fields, plus one
    /// when the record ends without a line break of its own. A file whose
    /// lines end with a lone `\r` (which the reader does not count as
    /// lines) is numbered by records.
    fn after(&mut self, record: &csv::StringRecord, end: &csv::Position, bytes: &[u8]) -> usize {
        self.records += 1;
        self.inside += memchr::memchr_iter(b'\n', record.as_slice().as_bytes()).count() as u64;
        let terminated = end.byte() > 0 && bytes.get(end.byte() as usize - 1) == Some(&b'\n');
        let by_lines = (end.line() - 1).saturating_sub(self.inside) + u64::from(!terminated);
        (by_lines as usize).max(self.records)
    }
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
    for (_, c, value) in cells.iter().take_while(|&&(r, ..)| r == header_row) {
        headers[(c - first_col) as usize] = xlsx_cell(value).display();
    }
    let mut problems = ProblemLog::default();
    let mut grid = GridBuilder::new(file, headers);
    for (r, c, value) in cells.into_iter().skip_while(|&(r, ..)| r == header_row) {
        let number = r as usize + 1;
        let j = (c - first_col) as usize;
        let column = grid.headers.get(j).map(String::as_str);
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
        if grid.numbers.last() != Some(&number) {
            grid.push_row(number);
        }
        grid.set_cell(j, cell);
    }
    if !problems.is_empty() {
        return Err(problems.into_vec(file));
    }
    Ok(grid.into_grid())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_key_is_the_text_zero_padded() {
        let text = "0123456789abcdefghij";
        for n in 0..=text.len() {
            let mut padded = [0u8; 16];
            if n <= 16 {
                padded[..n].copy_from_slice(&text.as_bytes()[..n]);
            }
            assert_eq!(TextKey::short(&text[..n]), u128::from_le_bytes(padded), "length {n}");
        }
    }

    fn csv(text: &str) -> Grid {
        grid_from_bytes("t.csv", FileType::Csv, text.as_bytes().to_vec(), None).unwrap()
    }

    #[test]
    fn rows_are_numbered_as_a_spreadsheet_shows_them() {
        // Empty lines are rows; a line break inside quotes is not; any line end.
        for (text, want) in [
            ("a,b\n1,2\n\nx,y\n", vec![2, 4]),
            ("a,b\n1,2\n\n\nx,y", vec![2, 5]),
            ("a,b\r\n\"q\nr\",2\r\n\r\nx,y\r\n", vec![2, 4]),
            ("\na,b\n1,2\n", vec![3]),
            ("a,b\r1,2\rx,y\r", vec![2, 3]),
        ] {
            let g = csv(text);
            assert_eq!((0..g.n_rows()).map(|i| g.row_number(i)).collect::<Vec<_>>(), want, "{text:?}");
        }
        let e = grid_from_bytes("t.csv", FileType::Csv, b"a,b\n1,2\n\n1,2,3\n".to_vec(), None).unwrap_err();
        assert_eq!(e[0].row, Some(4));
    }

    #[test]
    fn each_distinct_cell_is_held_once_and_rows_keep_theirs() {
        let g = csv("a,b\n x ,NA\nx,2\n,\ny, \n");
        assert_eq!(g.n_rows(), 3);
        assert_eq!((0..3).map(|i| g.row_number(i)).collect::<Vec<_>>(), [2, 3, 5], "the empty row keeps its number");
        assert_eq!(g.distinct(0), [Cell::Missing, Cell::Text("x".into()), Cell::Text("y".into())]);
        assert_eq!((g.code(0, 0), g.code(1, 0), g.code(2, 0)), (1, 1, 2));
        assert_eq!(g.column(1).cloned().collect::<Vec<_>>(), [Cell::Missing, Cell::Text("2".into()), Cell::Missing]);
    }

    /// A file of more rows than a batch, read with its columns shared
    /// between the cores, holds every cell where it was written.
    #[test]
    fn a_large_file_is_read_cell_for_cell() {
        let n = BATCH + 3000;
        let cell = |i: usize, j: usize| match j {
            0 => format!("P{}", i % 700),
            1 => format!("{i}"),
            2 if i.is_multiple_of(5) => "NA".to_string(),
            2 => format!("x{}", i % 3),
            3 => format!("2020-01-{:02}", 1 + i % 28),
            4 => format!("Q{}", (i / 3) % 50), // runs of rows, as a patient's lesions
            _ => format!("a long free-text note number {}", (i / 2) % 40), // alike in their first bytes
        };
        let mut text = String::from("a,b,c,d,e,f\n");
        for i in 0..n {
            let row: Vec<String> = (0..6).map(|j| cell(i, j)).collect();
            text.push_str(&row.join(","));
            text.push('\n');
            if i == 5 {
                text.push_str(",,,\n"); // an empty row keeps its number
            }
        }
        let g = csv(&text);
        assert_eq!(g.n_rows(), n);
        for i in 0..n {
            assert_eq!(g.row_number(i), if i <= 5 { i + 2 } else { i + 3 });
            for j in 0..6 {
                let want = cell(i, j);
                let want = if want == "NA" { Cell::Missing } else { Cell::Text(want) };
                assert_eq!(g.cell(i, j), &want, "row {i}, column {j}");
            }
        }
        assert_eq!(g.distinct(0).len(), 701);
        assert_eq!(g.distinct(4).len(), 51);
        assert_eq!(g.distinct(5).len(), 41);
    }

    #[test]
    fn a_recoded_value_changes_every_row_that_has_it_and_a_set_cell_only_its_own() {
        let mut g = csv("a\nja\nnein\nja\n");
        g.recode(0, |c| (c == &Cell::Text("ja".into())).then(|| Cell::Text("yes".into())));
        assert_eq!(g.column(0).map(Cell::display).collect::<Vec<_>>(), ["yes", "nein", "yes"]);
        g.set(2, 0, Cell::Text("no".into()));
        assert_eq!(g.column(0).map(Cell::display).collect::<Vec<_>>(), ["yes", "nein", "no"]);
        let j = g.push_column("b");
        g.set(1, j, Cell::Number(3.0));
        assert_eq!(g.headers, ["a", "b"]);
        assert_eq!(g.column(j).cloned().collect::<Vec<_>>(), [Cell::Missing, Cell::Number(3.0), Cell::Missing]);
    }
}
