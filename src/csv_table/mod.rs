//! The generic CSV table read by `km`, `logrank`, `cox`, `cuminc`,
//! `finegray` and `rmst`: a header row, then one row per observation. Cells
//! that are empty or `NA` are missing. Columns are looked up by name; each
//! typed read reports every bad cell.
//!
//! ## How a file is read
//!
//! Only the columns an analysis names are kept, numbers as numbers and
//! labels as text ([`columns`]). The file is streamed: read in chunks of
//! [`CHUNK`] bytes, each chunk cut at line ends into one piece per core,
//! the pieces parsed at once ([`records`]), their columns appended in
//! order; the next chunk is read while one is parsed (into a second
//! buffer, the cut record at the chunk's end carried before it), and the
//! pieces' emptied columns are kept for the next chunk's pieces. Memory is
//! the kept columns and two chunks, whatever the file's size: a file of
//! 10^6 rows × 13 columns as R's `write.csv` writes it (205 MB) is held in
//! its 12 kept columns, 96 MB.
//!
//! A cut after a line break inside a quoted field is not a record end. It
//! shows when the piece before it ends inside that field (the record is
//! incomplete); the chunk is then read again from that record on in one
//! piece. So every piece starts at a record start, and a file reads the
//! same cut into pieces or whole (tested on random text and cuts).

mod columns;
mod decimal;
mod records;

use columns::Column;
pub use columns::{is_missing, trim_cell, Cell, Kind};
use records::{read_record, Fields, Record};

use crate::problem::{InputProblems, Problem, ProblemLog};
use std::borrow::Cow;
use std::io::Read;
use std::path::Path;

/// Bytes read at a time.
const CHUNK: usize = 8 << 20;

/// Room before each chunk read ahead for the end of the chunk before it (a
/// record the chunk's end cut); a longer end is joined by copying.
const CARRIED: usize = 64 << 10;

/// Fewest rows a chunk's columns are appended on several cores for.
const PARALLEL_APPEND_ROWS: usize = 10_000;

/// Smallest piece of a chunk worth a thread of its own.
const MIN_PIECE: usize = 512 << 10;

/// Most columns a table may have.
pub const MAX_COLUMNS: usize = 100_000;

/// A CSV file's columns of interest.
#[derive(Debug)]
pub struct CsvTable {
    /// The file name as given, for messages.
    pub file: String,
    /// Header names.
    pub headers: Vec<String>,
    /// The kept columns' cells, by column index (`None`: not kept).
    columns: Vec<Option<Column>>,
    /// Number of data rows.
    n_rows: usize,
    /// The spreadsheet row of the first data row (after the header and any
    /// empty lines before it).
    first_row: usize,
    /// Empty lines among the data: (data row, empty lines before it since
    /// the first data row), in row order.
    blank_lines: Vec<(usize, usize)>,
}

/// How a file is cut for reading: bytes per chunk, the smallest piece
/// given a thread, and the room for a chunk's cut record before the next
/// chunk (tests use small ones).
#[derive(Debug, Clone, Copy)]
struct Cutting {
    chunk: usize,
    min_piece: usize,
    carried: usize,
}

const CUTTING: Cutting = Cutting { chunk: CHUNK, min_piece: MIN_PIECE, carried: CARRIED };

/// The source of a table's bytes, read no further than `limit`.
struct Source<R> {
    reader: R,
    file: String,
    limit: u64,
    read: u64,
    at_eof: bool,
}

impl<R: Read> Source<R> {
    /// Append up to `chunk` more bytes to `buf` (fewer only at the end).
    fn fill(&mut self, buf: &mut Vec<u8>, chunk: usize) -> Result<(), Problem> {
        let added = (&mut self.reader)
            .take(chunk as u64)
            .read_to_end(buf)
            .map_err(|e| Problem::error(&self.file, None, None, format!("cannot read: {e}")))?;
        self.at_eof = added < chunk;
        self.read += added as u64;
        if self.read > self.limit {
            return Err(crate::limits::too_large(&self.file, self.read, self.limit));
        }
        Ok(())
    }
}

impl CsvTable {
    /// Read a CSV file with a header row, keeping the columns named in
    /// `wanted` as their kinds (every column, as text, when `None`).
    pub fn read(path: &Path, wanted: Option<&[(&str, Kind)]>) -> Result<CsvTable, InputProblems> {
        let file = path.display().to_string();
        let (opened, size, limit) = crate::limits::open_input(path).map_err(InputProblems::one)?;
        let source = Source { reader: opened, file: file.clone(), limit, read: 0, at_eof: false };
        CsvTable::stream(source, size, wanted, CUTTING)
    }

    /// Parse CSV text held in memory; `file` names it in messages.
    pub fn from_bytes(file: &str, bytes: &[u8], wanted: Option<&[(&str, Kind)]>) -> Result<CsvTable, InputProblems> {
        let source = Source { reader: bytes, file: file.to_string(), limit: u64::MAX, read: 0, at_eof: false };
        CsvTable::stream(source, bytes.len() as u64, wanted, CUTTING)
    }

    /// Read the header, then the records chunk by chunk.
    fn stream<R: Read + Send>(
        mut source: Source<R>,
        size: u64,
        wanted: Option<&[(&str, Kind)]>,
        cutting: Cutting,
    ) -> Result<CsvTable, InputProblems> {
        let chunk = cutting.chunk.max(16);
        let mut buf = Vec::new();
        source.fill(&mut buf, chunk).map_err(InputProblems::one)?;
        let mut pos = if buf.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
        let mut scratch = Vec::new();
        let mut header_row = 1;
        let header = loop {
            let mut fields: Vec<Vec<u8>> = Vec::new();
            match read_record(&buf, pos, source.at_eof, &mut scratch, &mut |_, f: &[u8]| fields.push(f.to_vec())) {
                Record::Complete { next, blank_lines, .. } => {
                    pos = next;
                    header_row += blank_lines;
                    break fields;
                }
                Record::End { .. } if source.at_eof => break fields,
                Record::End { .. } | Record::Incomplete => source.fill(&mut buf, chunk).map_err(InputProblems::one)?,
            }
        };
        let mut table = CsvTable::with_header(&source.file, header)?;
        table.first_row = header_row + 1;
        let layout = table.layout(wanted)?;
        table.columns = fresh_columns(&layout);
        let mut problems = ProblemLog::default();
        let mut reserved = false;
        // Pieces' emptied columns, kept for the next chunk's pieces.
        let mut pool = Vec::new();
        // The next chunk is read into `spare` while `buf` is parsed.
        let mut spare = Vec::new();
        loop {
            let (at_eof, read_before) = (source.at_eof, source.read);
            let ((consumed, pieces), refill) = std::thread::scope(|scope| {
                let reading = (!at_eof).then(|| {
                    scope.spawn(|| {
                        spare.clear();
                        spare.resize(cutting.carried, 0);
                        source.fill(&mut spare, chunk)
                    })
                });
                let parsed = parse_chunk(&buf[pos..], at_eof, &layout, &table.headers, cutting, &mut pool);
                (parsed, reading.map(|r| r.join().expect("CSV reading thread")))
            });
            let rows_before = table.n_rows;
            pool.extend(table.add(pieces, &mut problems));
            pos += consumed;
            let Some(refill) = refill else { break };
            refill.map_err(InputProblems::one)?;
            if !reserved && table.n_rows > rows_before {
                // Room for the rows still to come, estimated from these.
                let per_row = consumed as f64 / (table.n_rows - rows_before) as f64;
                let parsed = read_before - (buf.len() - pos) as u64;
                let rest = (size.saturating_sub(parsed) as f64 / per_row * 1.02) as usize + 16;
                table.columns.iter_mut().flatten().for_each(|c| c.reserve(rest));
                reserved = true;
            }
            // The unread end of `buf` (a record cut by the chunk's end) goes
            // just before the new bytes.
            let (tail, room) = (&buf[pos..], cutting.carried);
            if tail.len() <= room {
                spare[room - tail.len()..room].copy_from_slice(tail);
                pos = room - tail.len();
            } else {
                let mut joined = tail.to_vec();
                joined.extend_from_slice(&spare[room..]);
                spare = joined;
                pos = 0;
            }
            std::mem::swap(&mut buf, &mut spare);
        }
        if !problems.is_empty() {
            return Err(InputProblems(problems.into_vec(&table.file)));
        }
        table.columns.iter_mut().flatten().for_each(Column::shrink_to_fit);
        Ok(table)
    }

    /// A table of no rows yet, from the header's fields.
    fn with_header(file: &str, header: Vec<Vec<u8>>) -> Result<CsvTable, InputProblems> {
        let one = |row: Option<usize>, msg: String| InputProblems(vec![Problem::error(file, row, None, msg)]);
        let headers: Vec<String> = header
            .into_iter()
            .map(|h| String::from_utf8(h).map(|h| h.trim().to_string()))
            .collect::<Result<_, _>>()
            .map_err(|_| one(Some(1), "cannot read the header row: not valid UTF-8 text".into()))?;
        if headers.iter().all(|h| h.is_empty()) {
            return Err(one(None, "the file is empty: expected a header row".into()));
        }
        if headers.len() > MAX_COLUMNS {
            return Err(one(
                Some(1),
                format!("the header has {} columns; at most {MAX_COLUMNS} are read", headers.len()),
            ));
        }
        Ok(CsvTable {
            file: file.to_string(),
            headers,
            columns: Vec::new(),
            n_rows: 0,
            first_row: 2,
            blank_lines: Vec::new(),
        })
    }

    /// The kind each column is kept as (`None`: not kept); a column named
    /// both as numbers and as text is kept as text.
    fn layout(&self, wanted: Option<&[(&str, Kind)]>) -> Result<Vec<Option<Kind>>, InputProblems> {
        let Some(wanted) = wanted else { return Ok(vec![Some(Kind::Text); self.headers.len()]) };
        let mut layout = vec![None; self.headers.len()];
        let mut problems = Vec::new();
        for &(name, kind) in wanted {
            match self.column_index(name) {
                Ok(c) => {
                    layout[c] = Some(if layout[c] == Some(Kind::Text) { Kind::Text } else { kind });
                }
                Err(p) => problems.push(p),
            }
        }
        if !problems.is_empty() {
            return Err(InputProblems(problems));
        }
        Ok(layout)
    }

    /// Append the pieces' rows, in order, and their problems (numbered as
    /// the file's rows); gives back the pieces' columns, emptied. The
    /// columns are appended on the cores, a share of the columns each.
    fn add(&mut self, mut pieces: Vec<Piece>, problems: &mut ProblemLog) -> Vec<Vec<Option<Column>>> {
        let mut rows = self.n_rows;
        for piece in &mut pieces {
            let mut before = self.blank_lines.last().map_or(0, |&(_, b)| b);
            for &(row, count) in &piece.blank_lines {
                before += count;
                self.blank_lines.push((rows + row, before));
            }
            problems.count_unlisted_errors(piece.problems.unlisted);
            for (row, column, message) in std::mem::take(&mut piece.problems.kept) {
                let number = self.row_number(rows + row);
                problems.push(Problem::error(&self.file, Some(number), column.as_deref(), message));
            }
            rows += piece.n_rows;
        }
        // Each kept column with its parts from the pieces, in order.
        let mut parts: Vec<Vec<&mut Column>> = self.columns.iter().map(|_| Vec::new()).collect();
        for piece in &mut pieces {
            for (part, column) in parts.iter_mut().zip(&mut piece.columns) {
                part.extend(column.as_mut());
            }
        }
        let mut jobs: Vec<(&mut Column, Vec<&mut Column>)> =
            self.columns.iter_mut().zip(parts).filter_map(|(mine, theirs)| Some((mine.as_mut()?, theirs))).collect();
        let append = |jobs: &mut [(&mut Column, Vec<&mut Column>)]| {
            for (mine, theirs) in jobs {
                theirs.iter_mut().for_each(|part| mine.append(part));
            }
        };
        let share = jobs.len().div_ceil(crate::parallel_map::cores()).max(1);
        if rows - self.n_rows < PARALLEL_APPEND_ROWS || share == jobs.len() {
            append(&mut jobs);
        } else {
            std::thread::scope(|scope| {
                for shares in jobs.chunks_mut(share) {
                    scope.spawn(|| append(shares));
                }
            });
        }
        self.n_rows = rows;
        pieces.into_iter().map(|piece| piece.columns).collect()
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

    /// The cell at data row `i` of a kept column `c` (from [`Self::column`]).
    pub fn cell(&self, i: usize, c: usize) -> Cell<'_> {
        self.columns[c].as_ref().map_or(Cell::Missing, |col| col.get(i))
    }

    /// The finite numbers of kept column `c` at data rows `rows`, or the
    /// rows whose cell is not a finite number.
    pub fn finite_numbers(&self, c: usize, rows: &[usize]) -> Result<Cow<'_, [f64]>, Vec<usize>> {
        self.columns[c].as_ref().map_or_else(|| Err(rows.to_vec()), |col| col.finite_numbers(rows))
    }

    /// Whether each data row is complete on the kept columns `cs` (no
    /// cell empty or `NA`).
    pub fn complete_rows(&self, cs: &[usize]) -> Vec<bool> {
        let mut complete = vec![true; self.n_rows];
        for col in cs.iter().filter_map(|&c| self.columns[c].as_ref()) {
            col.clear_missing(&mut complete);
        }
        complete
    }

    /// Spreadsheet row number of data row `i`: as a spreadsheet program
    /// shows the file, every line break ends a row (an empty line is an
    /// empty row) except one inside a quoted field.
    pub fn row_number(&self, i: usize) -> usize {
        let k = self.blank_lines.partition_point(|&(row, _)| row <= i);
        self.first_row + i + k.checked_sub(1).map_or(0, |k| self.blank_lines[k].1)
    }
}

/// Parse the complete records at the start of `text` (all of it when
/// `at_eof`), cut into pieces on the cores: the bytes read, and the pieces
/// in order.
fn parse_chunk(
    text: &[u8],
    at_eof: bool,
    layout: &[Option<Kind>],
    headers: &[String],
    cutting: Cutting,
    pool: &mut Vec<Vec<Option<Column>>>,
) -> (usize, Vec<Piece>) {
    let threads = crate::parallel_map::cores();
    let mut cuts = vec![0];
    for k in 1..threads {
        let target = (text.len() * k / threads).max(*cuts.last().expect("a cut") + cutting.min_piece);
        match text.get(target..).and_then(|rest| memchr::memchr(b'\n', rest)) {
            Some(at) if text.len() - (target + at + 1) >= cutting.min_piece => cuts.push(target + at + 1),
            _ => break,
        }
    }
    cuts.push(text.len());
    let ranges: Vec<(usize, usize)> = cuts.windows(2).map(|w| (w[0], w[1])).collect();
    let last = ranges.len() - 1;
    let mut take = || pool.pop().unwrap_or_else(|| fresh_columns(layout));
    let mut sets: Vec<_> = ranges.iter().map(|_| take()).collect();
    let parse = |k: usize, columns| {
        let (start, end) = ranges[k];
        Piece::parse(&text[start..end], at_eof && k == last, columns, headers)
    };
    let parsed: Vec<Piece> = if ranges.len() == 1 {
        vec![parse(0, sets.pop().expect("a set of columns"))]
    } else {
        std::thread::scope(|scope| {
            let mut sets = sets.into_iter();
            let first = sets.next().expect("a set of columns");
            let others: Vec<_> = sets.enumerate().map(|(k, set)| scope.spawn(move || parse(k + 1, set))).collect();
            let first = parse(0, first);
            std::iter::once(first).chain(others.into_iter().map(|h| h.join().expect("CSV reader thread"))).collect()
        })
    };
    let mut out = Vec::with_capacity(parsed.len());
    let mut pos = 0;
    for ((start, _), piece) in ranges.into_iter().zip(parsed) {
        if start != pos {
            // The piece before ended inside a record that crosses this cut
            // (a quoted line break): read on from that record in one piece.
            let rest = Piece::parse(&text[pos..], at_eof, take(), headers);
            pos += rest.consumed;
            out.push(rest);
            break;
        }
        pos += piece.consumed;
        out.push(piece);
    }
    (pos, out)
}

/// Empty columns of a layout's kinds (`None`: not kept).
fn fresh_columns(layout: &[Option<Kind>]) -> Vec<Option<Column>> {
    layout.iter().map(|k| k.map(Column::new)).collect()
}

/// The records of one piece of a file: the kept columns, the number of
/// rows, the problems (row within the piece from 0, column, message), and
/// the bytes read (to the end of the last complete record).
struct Piece {
    columns: Vec<Option<Column>>,
    n_rows: usize,
    /// Empty lines: (row within the piece they come before, how many).
    blank_lines: Vec<(usize, usize)>,
    problems: PieceProblems,
    consumed: usize,
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

impl Piece {
    /// Parse `bytes` into `columns` (empty, of the table's layout).
    fn parse(bytes: &[u8], at_eof: bool, mut columns: Vec<Option<Column>>, headers: &[String]) -> Piece {
        // Room for the rows, estimated from the line breaks of the first 64 kB.
        let sample = &bytes[..bytes.len().min(64 << 10)];
        let lines = memchr::memchr_iter(b'\n', sample).count();
        let rows = (lines as f64 * bytes.len() as f64 / sample.len().max(1) as f64 * 1.05) as usize + 1;
        columns.iter_mut().flatten().for_each(|c| c.reserve(rows));
        let mut problems = PieceProblems::default();
        let (mut pos, mut n_rows) = (0, 0);
        let mut blank_lines = Vec::new();
        let mut scratch = Vec::new();
        let mut not_utf8 = Vec::new();
        loop {
            not_utf8.clear();
            let record = read_record(bytes, pos, at_eof, &mut scratch, &mut KeptFields(&mut columns, &mut not_utf8));
            match record {
                Record::Complete { fields, next, blank_lines: blank } => {
                    if blank > 0 {
                        blank_lines.push((n_rows, blank));
                    }
                    if fields != headers.len() {
                        let message = format!("row has {fields} fields, but the header has {}", headers.len());
                        problems.push(n_rows, None, message);
                    }
                    for column in columns.iter_mut().flatten().filter(|c| c.len() == n_rows) {
                        column.push_missing();
                    }
                    for &f in &not_utf8 {
                        problems.push(n_rows, Some(headers[f].clone()), "not valid UTF-8 text".into());
                    }
                    n_rows += 1;
                    pos = next;
                }
                Record::Incomplete => {
                    columns.iter_mut().flatten().for_each(|c| c.truncate(n_rows));
                    break;
                }
                Record::End { blank_lines: blank } => {
                    if blank > 0 {
                        blank_lines.push((n_rows, blank));
                    }
                    pos = bytes.len();
                    break;
                }
            }
        }
        Piece { columns, n_rows, blank_lines, problems, consumed: pos }
    }
}

/// The kept columns of a piece as a record's fields go to them, with the
/// fields whose text was not UTF-8.
struct KeptFields<'a>(&'a mut [Option<Column>], &'a mut Vec<usize>);

impl Fields for KeptFields<'_> {
    fn field(&mut self, index: usize, content: &[u8]) {
        if let Some(Some(column)) = self.0.get_mut(index) {
            if column.push(content).is_err() {
                self.1.push(index);
            }
        }
    }

    fn in_place(&mut self, index: usize, bytes: &[u8], start: usize) -> Option<usize> {
        self.0.get_mut(index)?.as_mut()?.push_in_place(bytes, start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const TEXT: Kind = Kind::Text;
    const NUMBER: Kind = Kind::Number;

    /// Every kept cell of a table by row after the row's number, or its
    /// problems' messages.
    fn cells(table: Result<CsvTable, InputProblems>) -> Result<Vec<Vec<String>>, Vec<String>> {
        let t = table.map_err(|e| {
            e.0.iter().map(|p| format!("{:?}:{:?}: {}", p.row, p.column, p.message)).collect::<Vec<_>>()
        })?;
        let kept: Vec<usize> = (0..t.headers.len()).filter(|&c| t.columns[c].is_some()).collect();
        let row = |i: usize| std::iter::once(t.row_number(i).to_string());
        Ok((0..t.n_rows())
            .map(|i| row(i).chain(kept.iter().map(|&c| format!("{:?}", t.cell(i, c)))).collect())
            .collect())
    }

    /// `text` read from memory `chunk` bytes at a time, pieces as small as `min_piece`.
    fn read_cut(text: &[u8], wanted: &[(&str, Kind)], cutting: Cutting) -> Result<CsvTable, InputProblems> {
        let source = Source { reader: text, file: "t.csv".into(), limit: u64::MAX, read: 0, at_eof: false };
        CsvTable::stream(source, text.len() as u64, Some(wanted), cutting)
    }

    /// Cutting into chunks of `chunk` bytes, pieces of at least `min_piece`.
    fn cut(chunk: usize, min_piece: usize, carried: usize) -> Cutting {
        Cutting { chunk, min_piece, carried }
    }

    #[test]
    fn keeps_the_wanted_columns_trimmed_and_typed() {
        let t = CsvTable::from_bytes("t.csv", b"a,b,c\n1, x ,3\n4,,NA\n", Some(&[("b", TEXT), ("c", NUMBER)])).unwrap();
        assert_eq!(t.n_rows(), 2);
        let b = t.column("b").unwrap();
        assert_eq!((t.cell(0, b), t.cell(1, b)), (Cell::Text("x"), Cell::Missing));
        let c = t.column("c").unwrap();
        assert_eq!((t.cell(0, c), t.cell(1, c)), (Cell::Number(3.0), Cell::Missing));
        assert!(t.column("a").is_err());
        // Named both ways, a column is kept as text.
        let t = CsvTable::from_bytes("t.csv", b"a\n01\n", Some(&[("a", NUMBER), ("a", TEXT)])).unwrap();
        assert_eq!(t.cell(0, 0), Cell::Text("01"));
    }

    #[test]
    fn unknown_columns_and_bad_rows_are_all_reported() {
        let e = CsvTable::from_bytes("t.csv", b"a,b\n1,2\n", Some(&[("x", NUMBER), ("y", TEXT)])).unwrap_err();
        assert_eq!(e.0.len(), 2);
        let e = CsvTable::from_bytes("t.csv", b"a,b\n1,2\n1\n3,4\n5\n", None).unwrap_err();
        let rows: Vec<_> = e.0.iter().map(|p| p.row).collect();
        assert_eq!(rows, vec![Some(3), Some(5)]);
        let e = CsvTable::from_bytes("t.csv", b"a,b\n1,\xff\n", None).unwrap_err();
        assert_eq!(
            (e.0[0].row, e.0[0].column.as_deref(), e.0[0].message.as_str()),
            (Some(2), Some("b"), "not valid UTF-8 text")
        );
        for empty in [&b""[..], b"\n\n", b"\xEF\xBB\xBF"] {
            assert!(CsvTable::from_bytes("t.csv", empty, None).unwrap_err().0[0].message.contains("empty"));
        }
    }

    #[test]
    fn rows_are_numbered_as_a_spreadsheet_shows_them() {
        // The header in row 2; empty lines are rows, a quoted line break is
        // not; line ends of every kind, cut anywhere.
        let text = b"\n\"t\",x\r\n1,a\r\n\r\n\r\n2,\"b\nc\"\r\n\n3,d\r4,e";
        for (chunk, min_piece, carried) in [(1 << 30, 1 << 30, 0), (7, 1, 0), (5, 1, 3), (16, 4, 64), (1, 1, 1)] {
            let t = read_cut(text, &[("t", NUMBER), ("x", TEXT)], cut(chunk, min_piece, carried)).unwrap();
            let rows: Vec<usize> = (0..t.n_rows()).map(|i| t.row_number(i)).collect();
            assert_eq!(rows, [3, 6, 8, 9], "chunk {chunk}");
        }
        // A bad row's message and a bad cell's carry the row a spreadsheet shows.
        let e = CsvTable::from_bytes("t.csv", b"a,b\n1,2\n\n1\n", None).unwrap_err();
        assert_eq!(e.0[0].row, Some(4));
    }

    #[test]
    fn a_byte_order_mark_and_blank_lines_are_skipped() {
        let t = CsvTable::from_bytes("t.csv", b"\xEF\xBB\xBF\n\"a\",b\r\n\r\n1,2\r\n\n3,4", Some(&[("a", NUMBER)]))
            .unwrap();
        assert_eq!((t.n_rows(), t.cell(1, 0)), (2, Cell::Number(3.0)));
    }

    #[test]
    fn a_quoted_file_split_between_threads_reads_as_one() {
        // As R's write.csv writes: quoted header, row names and strings, long numbers.
        let mut text = String::from("\"\",\"time\",\"status\",\"group\"\n");
        for i in 0..300_000 {
            let note = if i % 1000 == 0 { "\"two\nlines\"" } else { "\"a\"" };
            text.push_str(&format!("\"{i}\",{}.123456789012345,{},{note}\n", i % 97, i % 2));
        }
        assert!(text.len() > CHUNK);
        let t = CsvTable::from_bytes("r.csv", text.as_bytes(), Some(&[("time", NUMBER), ("group", TEXT)])).unwrap();
        assert_eq!(t.n_rows(), 300_000);
        let (tc, gc) = (t.column("time").unwrap(), t.column("group").unwrap());
        for i in [0, 1, 999, 1000, 1001, 150_000, 299_999] {
            assert_eq!(t.cell(i, tc), Cell::Number(format!("{}.123456789012345", i % 97).parse().unwrap()));
            assert_eq!(t.cell(i, gc), Cell::Text(if i % 1000 == 0 { "two\nlines" } else { "a" }));
        }
    }

    #[test]
    fn a_cut_inside_quotes_is_read_again_in_one_piece() {
        // Long quoted line breaks: most cuts of 64-byte chunks fall inside them.
        let mut text = String::from("id,note,x\n");
        for i in 0..2000 {
            let note = if i % 3 == 0 { format!("\"{}\"", "line\n".repeat(i % 17)) } else { format!("n{i}") };
            text.push_str(&format!("{i},{note},{}.5\n", i % 7));
        }
        let wanted = [("id", NUMBER), ("note", TEXT), ("x", NUMBER)];
        let whole = cells(read_cut(text.as_bytes(), &wanted, cut(1 << 30, 1 << 30, 0))).unwrap();
        assert_eq!(whole.len(), 2000);
        assert_eq!(whole[3][2], format!("{:?}", Cell::Text("line\nline\nline")));
        for (chunk, min_piece, carried) in [(64, 1, 0), (64, 1, 40), (1000, 16, 64), (4096, 100, 1 << 16)] {
            let read = cells(read_cut(text.as_bytes(), &wanted, cut(chunk, min_piece, carried))).unwrap();
            assert_eq!(read, whole, "chunk {chunk}, carried {carried}");
        }
    }

    #[test]
    fn a_file_split_between_threads_reads_as_one() {
        // Large enough to be split, with bad rows in several pieces and chunks.
        let file = |bad: bool| {
            let mut text = String::from("t,e,x\n");
            for i in 0..1_000_000 {
                if bad && i % 300_000 == 7 {
                    text.push_str("1,2\n");
                } else {
                    text.push_str(&format!("{i}.5,{},{}\n", i % 2, i % 7));
                }
            }
            text
        };
        let wanted = [("t", NUMBER), ("x", TEXT)];
        let text = file(true);
        assert!(text.len() > CHUNK);
        let e = CsvTable::from_bytes("t.csv", text.as_bytes(), Some(&wanted)).unwrap_err();
        let rows: Vec<_> = e.0.iter().map(|p| p.row.unwrap()).collect();
        assert_eq!(rows, vec![9, 300_009, 600_009, 900_009]);
        let t = CsvTable::from_bytes("t.csv", file(false).as_bytes(), Some(&wanted)).unwrap();
        assert_eq!(t.n_rows(), 1_000_000);
        let (tc, xc) = (t.column("t").unwrap(), t.column("x").unwrap());
        for i in [0, 6, 199_999, 200_000, 524_287, 524_288, 999_999] {
            assert_eq!(t.cell(i, tc), Cell::Number(i as f64 + 0.5));
            assert_eq!(t.cell(i, xc), Cell::Text(&(i % 7).to_string()));
        }
    }

    proptest! {
        // Any text, cut anywhere into chunks and pieces, reads as it does whole.
        #[test]
        fn cuts_never_change_what_is_read(body in proptest::collection::vec(prop::sample::select(b"a1. ,\"\n\r".to_vec()), 0..300),
                                          chunk in 1usize..50, min_piece in 1usize..20, carried in 0usize..30) {
            let mut text = b"a,b,c\n".to_vec();
            text.extend(body);
            let wanted = [("a", NUMBER), ("c", TEXT)];
            let whole = cells(read_cut(&text, &wanted, cut(1 << 30, 1 << 30, 0)));
            prop_assert_eq!(cells(read_cut(&text, &wanted, cut(chunk, min_piece, carried))), whole);
        }
    }
}
