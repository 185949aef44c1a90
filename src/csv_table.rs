//! The generic CSV table read by `km`, `logrank`, `cox`, `cuminc` and
//! `finegray`: a header row, then one row per observation. Cells that are
//! empty or `NA` are missing. Columns are looked up by name; each typed read
//! reports every bad cell.
//!
//! Only the columns an analysis names are kept, each as one block of text
//! with the cell boundaries beside it (not a string per cell), and records
//! are parsed into one reused buffer: a million-row file of a dozen columns
//! is read in a fraction of a second and held in tens of megabytes.

use crate::problem::{InputProblems, Problem, ProblemLog};
use std::path::Path;

/// The cells of one column, trimmed, back to back.
#[derive(Debug, Default)]
struct TextColumn {
    text: String,
    ends: Vec<usize>,
}

impl TextColumn {
    fn get(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[start..self.ends[i]]
    }

    /// Add `other`'s cells after this column's.
    fn append(&mut self, other: TextColumn) {
        let shift = self.text.len();
        self.text.push_str(&other.text);
        self.ends.extend(other.ends.iter().map(|e| e + shift));
    }
}

/// Empty columns for a file of `n_fields` columns, those in `kept` to be filled.
fn kept_columns(n_fields: usize, kept: &[usize]) -> Vec<Option<TextColumn>> {
    (0..n_fields).map(|c| kept.contains(&c).then(TextColumn::default)).collect()
}

/// A CSV file's columns of interest, held as text cells.
#[derive(Debug)]
pub struct CsvTable {
    /// The file name as given, for messages.
    pub file: String,
    /// Header names.
    pub headers: Vec<String>,
    /// The kept columns' cells, by column index (`None`: not kept).
    columns: Vec<Option<TextColumn>>,
    /// Number of data rows.
    n_rows: usize,
}

/// Most columns a table may have.
pub const MAX_COLUMNS: usize = 100_000;

/// Whether a cell counts as missing.
pub fn is_missing(cell: &str) -> bool {
    let c = cell.trim();
    c.is_empty() || c == "NA"
}

impl CsvTable {
    /// Read a CSV file with a header row, keeping the columns named in
    /// `wanted` (every column when `None`).
    pub fn read(path: &Path, wanted: Option<&[&str]>) -> Result<CsvTable, InputProblems> {
        let file = path.display().to_string();
        let bytes = crate::limits::read_input(path).map_err(|p| InputProblems(vec![p]))?;
        CsvTable::from_bytes(&file, &bytes, wanted)
    }

    /// Parse CSV text held in memory; `file` names it in messages.
    pub fn from_bytes(file: &str, bytes: &[u8], wanted: Option<&[&str]>) -> Result<CsvTable, InputProblems> {
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
        if headers.len() > MAX_COLUMNS {
            return Err(one(
                Some(1),
                format!("the header has {} columns; at most {MAX_COLUMNS} are read", headers.len()),
            ));
        }
        let mut table = CsvTable { file, headers, columns: Vec::new(), n_rows: 0 };
        let kept: Vec<usize> = match wanted {
            None => (0..table.headers.len()).collect(),
            Some(names) => {
                let found: Vec<Result<usize, Problem>> = names.iter().map(|n| table.column_index(n)).collect();
                let problems: Vec<Problem> = found.iter().filter_map(|r| r.as_ref().err().cloned()).collect();
                if !problems.is_empty() {
                    return Err(InputProblems(problems));
                }
                found.into_iter().map(|r| r.expect("checked")).collect()
            }
        };
        let body = &bytes[reader.position().byte() as usize..];
        let pieces = split_for_threads(body);
        let parsed: Vec<Records> = if pieces.len() > 1 {
            std::thread::scope(|scope| {
                let handles: Vec<_> =
                    pieces.iter().map(|piece| scope.spawn(|| Records::parse(piece, &table.headers, &kept))).collect();
                handles.into_iter().map(|h| h.join().expect("CSV reader thread")).collect()
            })
        } else {
            vec![Records::parse(body, &table.headers, &kept)]
        };
        // Stitch the pieces together in order, numbering rows as the file does.
        table.columns = kept_columns(table.headers.len(), &kept);
        let mut problems = ProblemLog::default();
        for piece in parsed {
            problems.count_unlisted_errors(piece.problems.unlisted);
            for (row, column, message) in piece.problems.kept {
                problems.push(Problem::error(&table.file, Some(table.n_rows + row + 2), column.as_deref(), message));
            }
            for (mine, theirs) in table.columns.iter_mut().zip(piece.columns) {
                if let (Some(mine), Some(theirs)) = (mine, theirs) {
                    mine.append(theirs);
                }
            }
            table.n_rows += piece.n_rows;
        }
        if !problems.is_empty() {
            return Err(InputProblems(problems.into_vec(&table.file)));
        }
        Ok(table)
    }

    fn column_index(&self, name: &str) -> Result<usize, Problem> {
        let copies = self.headers.iter().filter(|h| *h == name).count();
        if copies > 1 {
            return Err(Problem::error(
                &self.file,
                Some(1),
                Some(name),
                format!("the header names '{name}' {copies} times: rename the copies so the column is unambiguous"),
            ));
        }
        self.headers.iter().position(|h| h == name).ok_or_else(|| {
            Problem::error(
                &self.file,
                Some(1),
                Some(name),
                format!("no column named '{name}' (columns: {})", self.headers.join(", ")),
            )
        })
    }

    /// Index of a kept column, or a problem naming the columns that exist.
    pub fn column(&self, name: &str) -> Result<usize, Problem> {
        let c = self.column_index(name)?;
        if self.columns[c].is_none() {
            return Err(Problem::error(&self.file, None, Some(name), format!("column '{name}' was not read")));
        }
        Ok(c)
    }

    /// Number of data rows.
    pub fn n_rows(&self) -> usize {
        self.n_rows
    }

    /// The (trimmed) cell at data row `i` of a kept column `c` (from [`Self::column`]).
    pub fn cell(&self, i: usize, c: usize) -> &str {
        self.columns[c].as_ref().map_or("", |col| col.get(i))
    }

    /// Spreadsheet row number of data row `i`.
    pub fn row_number(i: usize) -> usize {
        i + 2
    }
}

/// Cut the records after the header into one piece per core at record
/// ends, for files large enough for threads to pay.
///
/// A record ends at a line break outside quotes. The split points are
/// found by reading the text as RFC 4180 does: a quote opens a quoted field
/// only at the start of a field; inside it `""` is a quote and a lone `"`
/// closes it, and only a comma or a line break may follow. Any text that
/// is not so regular (a quote inside an unquoted field, text after a
/// closing quote) leaves the file in one piece from there on, so that the
/// CSV reader alone decides what it means: a split never changes a parse.
fn split_for_threads(body: &[u8]) -> Vec<&[u8]> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads == 1 || body.len() < 4 << 20 {
        return vec![body];
    }
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut at = 0;
    for k in 1..threads {
        let target = (body.len() * k / threads).max(start);
        match next_record_end(body, at, target) {
            Some(end) => {
                pieces.push(&body[start..end]);
                start = end;
                at = end;
            }
            None => break,
        }
    }
    pieces.push(&body[start..]);
    pieces
}

/// The first record end at or after `target`, reading from `from` (a
/// record start): the index just past a line break outside quotes; `None`
/// at the end of the text or at the first irregular quote.
fn next_record_end(body: &[u8], from: usize, target: usize) -> Option<usize> {
    let mut field_start = true;
    let mut i = from;
    while i < body.len() {
        match body[i] {
            b'"' if field_start => {
                // A quoted field: to its closing quote.
                i += 1;
                loop {
                    let q = i + body[i..].iter().position(|&b| b == b'"')?;
                    if body.get(q + 1) == Some(&b'"') {
                        i = q + 2;
                        continue;
                    }
                    i = q + 1;
                    break;
                }
                match body.get(i) {
                    None => return None,
                    Some(b',') | Some(b'\r') | Some(b'\n') => {}
                    Some(_) => return None,
                }
                field_start = false;
            }
            b'"' => return None,
            b',' => {
                field_start = true;
                i += 1;
            }
            b'\n' => {
                i += 1;
                if i > target {
                    return Some(i);
                }
                field_start = true;
            }
            _ => {
                field_start = false;
                i += 1;
            }
        }
    }
    None
}

/// The records of one piece of a file: the kept columns, the number of
/// rows, and the problems (row within the piece from 0, column, message).
struct Records {
    columns: Vec<Option<TextColumn>>,
    n_rows: usize,
    problems: PieceProblems,
}

/// A piece's problems: the first [`ProblemLog::LISTED`] kept, the rest counted.
#[derive(Default)]
struct PieceProblems {
    kept: Vec<(usize, Option<String>, String)>,
    unlisted: usize,
}

impl PieceProblems {
    fn push(&mut self, row: usize, column: Option<String>, message: String) {
        if self.kept.len() < ProblemLog::LISTED {
            self.kept.push((row, column, message));
        } else {
            self.unlisted += 1;
        }
    }
}

impl Records {
    fn parse(bytes: &[u8], headers: &[String], kept: &[usize]) -> Records {
        let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
        let mut out =
            Records { columns: kept_columns(headers.len(), kept), n_rows: 0, problems: PieceProblems::default() };
        let mut record = csv::ByteRecord::new();
        loop {
            let row = out.n_rows;
            match reader.read_byte_record(&mut record) {
                Ok(false) => break,
                Ok(true) if record.len() != headers.len() => {
                    let message = format!("row has {} fields, but the header has {}", record.len(), headers.len());
                    out.problems.push(row, None, message);
                }
                Ok(true) => {
                    for (c, column) in out.columns.iter_mut().enumerate() {
                        let Some(column) = column else { continue };
                        match std::str::from_utf8(&record[c]) {
                            Ok(cell) => column.text.push_str(cell.trim()),
                            Err(_) => out.problems.push(row, Some(headers[c].clone()), "not valid UTF-8 text".into()),
                        }
                        column.ends.push(column.text.len());
                    }
                }
                Err(e) => {
                    out.problems.push(row, None, csv_message(&e));
                    break;
                }
            }
            out.n_rows += 1;
        }
        out
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_wanted_columns_trimmed() {
        let t = CsvTable::from_bytes("t.csv", b"a,b,c\n1, x ,3\n4,,6\n", Some(&["b", "c"])).unwrap();
        assert_eq!(t.n_rows(), 2);
        let b = t.column("b").unwrap();
        assert_eq!((t.cell(0, b), t.cell(1, b)), ("x", ""));
        assert_eq!(t.cell(1, t.column("c").unwrap()), "6");
        assert!(t.column("a").is_err());
    }

    #[test]
    fn unknown_columns_and_bad_rows_are_all_reported() {
        let e = CsvTable::from_bytes("t.csv", b"a,b\n1,2\n", Some(&["x", "y"])).unwrap_err();
        assert_eq!(e.0.len(), 2);
        let e = CsvTable::from_bytes("t.csv", b"a,b\n1,2\n1\n3,4\n5\n", None).unwrap_err();
        let rows: Vec<_> = e.0.iter().map(|p| p.row).collect();
        assert_eq!(rows, vec![Some(3), Some(5)]);
    }

    #[test]
    fn record_ends_respect_quotes_and_stop_at_irregular_text() {
        let text = b"\"a\",\"x\ny\"\n1,\"say \"\"hi\"\"\"\n2,3\n";
        // The line break inside "x\ny" is not a record end.
        assert_eq!(next_record_end(text, 0, 0), Some(10));
        assert_eq!(next_record_end(text, 10, 10), Some(25));
        assert_eq!(next_record_end(text, 25, 25), Some(29));
        assert_eq!(next_record_end(text, 29, 29), None);
        // A quote inside an unquoted field, or text after a closing quote: no split.
        assert_eq!(next_record_end(b"a\"b\nc\n", 0, 0), None);
        assert_eq!(next_record_end(b"\"a\"b\nc\n", 0, 0), None);
    }

    #[test]
    fn a_quoted_file_split_between_threads_reads_as_one() {
        // As R's write.csv writes: quoted header, row names and strings, long numbers.
        let mut text = String::from("\"\",\"time\",\"status\",\"group\"\n");
        for i in 0..300_000 {
            let note = if i % 1000 == 0 { "\"two\nlines\"" } else { "\"a\"" };
            text.push_str(&format!("\"{i}\",{}.123456789012345,{},{note}\n", i % 97, i % 2));
        }
        assert!(
            split_for_threads(text.as_bytes()).len() > 1
                || std::thread::available_parallelism().map_or(1, |n| n.get()) == 1
        );
        let t = CsvTable::from_bytes("r.csv", text.as_bytes(), Some(&["time", "group"])).unwrap();
        assert_eq!(t.n_rows(), 300_000);
        let (tc, gc) = (t.column("time").unwrap(), t.column("group").unwrap());
        for i in [0, 1, 999, 1000, 1001, 150_000, 299_999] {
            assert_eq!(t.cell(i, tc), format!("{}.123456789012345", i % 97));
            assert_eq!(t.cell(i, gc), if i % 1000 == 0 { "two\nlines" } else { "a" });
        }
    }

    #[test]
    fn irregular_quotes_read_as_the_csv_reader_reads_them_whole() {
        // A quote inside an unquoted field early on, then a quoted line break:
        // split or not, every cell is what one reader over the whole text gives.
        let mut text = String::from("id,note\n1,ab\"c\n");
        for i in 0..400_000 {
            let note = if i % 100_000 == 5 { "\"x\ny\"".to_string() } else { format!("n{i}") };
            text.push_str(&format!("{i},{note}\n"));
        }
        let headers = vec!["id".to_string(), "note".to_string()];
        let body = &text.as_bytes()[8..];
        let whole = Records::parse(body, &headers, &[0, 1]);
        let t = CsvTable::from_bytes("q.csv", text.as_bytes(), None).unwrap();
        assert_eq!(t.n_rows(), whole.n_rows);
        let cols = whole.columns.iter().map(|c| c.as_ref().unwrap()).collect::<Vec<_>>();
        for i in [0, 1, 6, 7, 100_006, 200_000, 400_000] {
            assert_eq!(t.cell(i, 0), cols[0].get(i), "row {i}");
            assert_eq!(t.cell(i, 1), cols[1].get(i), "row {i}");
        }
    }

    #[test]
    fn a_file_split_between_threads_reads_as_one() {
        // Large enough to be split (> 4 MB), with bad rows in several pieces.
        let file = |bad: bool| {
            let mut text = String::from("t,e,x\n");
            for i in 0..400_000 {
                if bad && i % 150_000 == 7 {
                    text.push_str("1,2\n");
                } else {
                    text.push_str(&format!("{i}.5,{},{}\n", i % 2, i % 7));
                }
            }
            text
        };
        let text = file(true);
        let e = CsvTable::from_bytes("t.csv", text.as_bytes(), Some(&["t", "x"])).unwrap_err();
        let rows: Vec<_> = e.0.iter().map(|p| p.row.unwrap()).collect();
        assert_eq!(rows, vec![9, 150_009, 300_009]);
        let t = CsvTable::from_bytes("t.csv", file(false).as_bytes(), Some(&["t", "x"])).unwrap();
        assert_eq!(t.n_rows(), 400_000);
        let (tc, xc) = (t.column("t").unwrap(), t.column("x").unwrap());
        for i in [0, 6, 199_999, 200_000, 399_999] {
            assert_eq!(t.cell(i, tc), format!("{i}.5"));
            assert_eq!(t.cell(i, xc), (i % 7).to_string());
        }
    }
}
