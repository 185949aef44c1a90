//! How a kept column is held: numbers as `f64`, text as one block.
//!
//! A column read as numbers ([`Kind::Number`]) holds one `f64` per cell.
//! A cell that is not a finite number is held as a NaN whose bits say what
//! it was: [`MISSING`] for an empty or `NA` cell, or [`TEXT`] with the index
//! of its text among the column's other texts (`inf`, `1.2.3`, `M`). Parsed
//! numbers are always finite, so no NaN is ambiguous, and a column of
//! numbers costs 8 bytes a cell. A column read as text ([`Kind::Text`]:
//! labels, identifiers) holds each trimmed cell as written, so `01` and `1`
//! stay two levels.

use std::borrow::Cow;

/// How a kept column is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Numbers, with any other cell kept as text.
    Number,
    /// Text as written (trimmed): labels, identifiers.
    Text,
}

/// One cell of a kept column.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'a> {
    /// Empty or `NA`.
    Missing,
    /// A finite number (columns read as numbers).
    Number(f64),
    /// Any other text, trimmed.
    Text(&'a str),
}

impl<'a> Cell<'a> {
    /// The cell as a number: its number, or its text read as one (which
    /// may be infinite or NaN: `inf`, `1e999`); `None` otherwise.
    pub fn number(self) -> Option<f64> {
        match self {
            Cell::Number(v) => Some(v),
            Cell::Text(s) => s.parse().ok(),
            Cell::Missing => None,
        }
    }

    /// The cell as text: a number in its shortest exact form (`1.5`).
    pub fn text(self) -> Cow<'a, str> {
        match self {
            Cell::Number(v) => Cow::Owned(v.to_string()),
            Cell::Text(s) => Cow::Borrowed(s),
            Cell::Missing => Cow::Borrowed(""),
        }
    }

    /// Whether the cell is empty or `NA`.
    pub fn is_missing(self) -> bool {
        self == Cell::Missing
    }
}

/// The cell as [`Cell::text`] gives it.
impl std::fmt::Display for Cell<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text())
    }
}

/// Whether a cell's text counts as missing: empty or `NA` once trimmed.
/// The one rule of every reader (the cohort's too).
pub fn is_missing(cell: &str) -> bool {
    let c = trim_cell(cell);
    c.is_empty() || c == "NA"
}

/// `cell.trim()`, without its Unicode scan for the cell that needs none.
///
/// A cell whose first and last bytes are ASCII above the space (0x21 to
/// 0x7f) has no white space at either end: every Unicode white space
/// character is either an ASCII byte at or below the space or starts with a
/// byte at or above 0x80. Such cells, nearly all of a cohort file, are
/// returned as they are; any other goes to [`str::trim`].
pub fn trim_cell(cell: &str) -> &str {
    let plain = |b: u8| b > b' ' && b < 0x80;
    match cell.as_bytes() {
        [first, .., last] if plain(*first) && plain(*last) => cell,
        [only] if plain(*only) => cell,
        _ => cell.trim(),
    }
}

/// The bits of a missing cell in a column of numbers.
const MISSING: u64 = 0x7ff8_0000_0000_0001;
/// The bits of a text cell in a column of numbers, or'ed with its index.
const TEXT: u64 = 0x7ffc_0000_0000_0000;
/// The bits of [`TEXT`] that hold the index.
const INDEX: u64 = (1 << 48) - 1;

/// Text cells back to back, with their ends.
#[derive(Debug, Default)]
pub(super) struct Texts {
    text: String,
    ends: Vec<usize>,
}

impl Texts {
    fn get(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[start..self.ends[i]]
    }

    fn len(&self) -> usize {
        self.ends.len()
    }

    fn push(&mut self, cell: &str) {
        self.text.push_str(cell);
        self.ends.push(self.text.len());
    }

    fn truncate(&mut self, n: usize) {
        self.ends.truncate(n);
        self.text.truncate(self.ends.last().copied().unwrap_or(0));
    }

    /// Move `other`'s cells after these, leaving it empty (its memory kept).
    fn append(&mut self, other: &mut Texts) {
        let shift = self.text.len();
        self.text.push_str(&other.text);
        self.ends.extend(other.ends.iter().map(|e| e + shift));
        other.truncate(0);
    }
}

/// A kept column of one piece of a file, or of the whole file.
#[derive(Debug)]
pub(super) enum Column {
    /// Numbers, other cells coded as NaNs (see the module notes).
    Numbers { values: Vec<f64>, texts: Texts },
    /// Trimmed text.
    Texts(Texts),
}

impl Column {
    pub(super) fn new(kind: Kind) -> Column {
        match kind {
            Kind::Number => Column::Numbers { values: Vec::new(), texts: Texts::default() },
            Kind::Text => Column::Texts(Texts::default()),
        }
    }

    /// Number of cells.
    pub(super) fn len(&self) -> usize {
        match self {
            Column::Numbers { values, .. } => values.len(),
            Column::Texts(texts) => texts.len(),
        }
    }

    /// Cell `i`.
    pub(super) fn get(&self, i: usize) -> Cell<'_> {
        match self {
            Column::Numbers { values, texts } => {
                let v = values[i];
                if !v.is_nan() {
                    Cell::Number(v)
                } else if v.to_bits() == MISSING {
                    Cell::Missing
                } else {
                    Cell::Text(texts.get((v.to_bits() & INDEX) as usize))
                }
            }
            Column::Texts(texts) => {
                let s = texts.get(i);
                if is_missing(s) {
                    Cell::Missing
                } else {
                    Cell::Text(s)
                }
            }
        }
    }

    /// The finite numbers of cells `rows`, or the rows whose cell is not one:
    /// the column itself, not a copy, when `rows` are all its rows in order
    /// and every cell is a number.
    pub(super) fn finite_numbers(&self, rows: &[usize]) -> Result<Cow<'_, [f64]>, Vec<usize>> {
        if let Column::Numbers { values: all, .. } = self {
            let every_row = rows.len() == all.len() && rows.iter().enumerate().all(|(k, &i)| k == i);
            if every_row && all.iter().all(|v| v.is_finite()) {
                return Ok(Cow::Borrowed(all));
            }
        }
        let mut values = Vec::with_capacity(rows.len());
        let mut bad = Vec::new();
        match self {
            // Only numbers are finite: every other cell is a NaN.
            Column::Numbers { values: all, .. } => {
                for &i in rows {
                    let v = all[i];
                    if v.is_finite() {
                        values.push(v);
                    } else {
                        bad.push(i);
                    }
                }
            }
            Column::Texts(_) => {
                for &i in rows {
                    match self.get(i).number() {
                        Some(v) if v.is_finite() => values.push(v),
                        _ => bad.push(i),
                    }
                }
            }
        }
        if bad.is_empty() {
            Ok(Cow::Owned(values))
        } else {
            Err(bad)
        }
    }

    /// Mark the missing cells' rows as not complete.
    pub(super) fn clear_missing(&self, complete: &mut [bool]) {
        match self {
            Column::Numbers { values, .. } => {
                for (complete, v) in complete.iter_mut().zip(values) {
                    *complete &= v.to_bits() != MISSING;
                }
            }
            Column::Texts(_) => {
                for (i, complete) in complete.iter_mut().enumerate() {
                    *complete &= !self.get(i).is_missing();
                }
            }
        }
    }

    /// Add a cell from its bytes (a quoted field without its quotes);
    /// `Err` when text is needed and the bytes are not UTF-8 (a missing
    /// cell is added in its place).
    pub(super) fn push(&mut self, bytes: &[u8]) -> Result<(), ()> {
        if let Column::Numbers { values, .. } = self {
            // The common case, a plain number, without a UTF-8 check; both
            // readers give exactly the value `str::parse` gives.
            let parsed = super::decimal::parse_plain(bytes).or_else(|| fast_float2::parse::<f64, _>(bytes).ok());
            if let Some(v) = parsed.filter(|v| v.is_finite()) {
                values.push(v);
                return Ok(());
            }
        }
        let Ok(text) = std::str::from_utf8(bytes) else {
            self.push_missing();
            return Err(());
        };
        let cell = text.trim();
        match self {
            Column::Numbers { values, texts } => match cell.parse::<f64>() {
                Ok(v) if v.is_finite() => values.push(v),
                _ if is_missing(cell) => values.push(f64::from_bits(MISSING)),
                _ => {
                    values.push(f64::from_bits(TEXT | texts.len() as u64));
                    texts.push(cell);
                }
            },
            Column::Texts(texts) => texts.push(cell),
        }
        Ok(())
    }

    /// Add the plain number at `start` of `bytes`, read in place, when the
    /// column holds numbers and the field is one the fast path reads (see
    /// [`super::decimal::parse_in_place`]): the position after it.
    pub(super) fn push_in_place(&mut self, bytes: &[u8], start: usize) -> Option<usize> {
        let Column::Numbers { values, .. } = self else { return None };
        let (value, end) = super::decimal::parse_in_place(bytes, start)?;
        values.push(value);
        Some(end)
    }

    /// Add a missing cell.
    pub(super) fn push_missing(&mut self) {
        match self {
            Column::Numbers { values, .. } => values.push(f64::from_bits(MISSING)),
            Column::Texts(texts) => texts.push(""),
        }
    }

    /// Keep the first `n` cells.
    pub(super) fn truncate(&mut self, n: usize) {
        match self {
            Column::Numbers { values, texts } => {
                let first_text = values[n.min(values.len())..]
                    .iter()
                    .filter(|v| v.is_nan() && v.to_bits() != MISSING)
                    .map(|v| (v.to_bits() & INDEX) as usize)
                    .min();
                values.truncate(n);
                if let Some(k) = first_text {
                    texts.truncate(k);
                }
            }
            Column::Texts(texts) => texts.truncate(n),
        }
    }

    /// Move `other`'s cells (of the same kind) after this column's, leaving
    /// it empty with its memory kept for the next piece.
    pub(super) fn append(&mut self, other: &mut Column) {
        match (self, other) {
            (Column::Numbers { values, texts }, Column::Numbers { values: more, texts: more_texts }) => {
                let shift = texts.len() as u64;
                if more_texts.len() == 0 {
                    values.extend_from_slice(more);
                } else {
                    values.extend(more.iter().map(|&v| {
                        if v.is_nan() && v.to_bits() != MISSING {
                            f64::from_bits(TEXT | ((v.to_bits() & INDEX) + shift))
                        } else {
                            v
                        }
                    }));
                }
                texts.append(more_texts);
                more.clear();
            }
            (Column::Texts(texts), Column::Texts(more)) => texts.append(more),
            _ => unreachable!("pieces of a column have the same kind"),
        }
    }

    /// Make room for `rows` more cells.
    pub(super) fn reserve(&mut self, rows: usize) {
        match self {
            Column::Numbers { values, .. } => values.reserve(rows),
            Column::Texts(texts) => texts.ends.reserve(rows),
        }
    }

    /// Give back memory reserved but not used.
    pub(super) fn shrink_to_fit(&mut self) {
        match self {
            Column::Numbers { values, texts } => {
                values.shrink_to_fit();
                texts.ends.shrink_to_fit();
            }
            Column::Texts(texts) => texts.ends.shrink_to_fit(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cell_is_trimmed_as_str_trim_trims_it() {
        let ends = [
            "", " ", "\t", "\u{b}", "\u{c}", "\r", "\n", "\u{1c}", "\u{85}", "\u{a0}", "\u{2003}", "\u{3000}", "a",
            "7", "~", "é", "\u{7f}", "\"",
        ];
        let middles = ["", "x", "1.5", "a b", " ", "é\u{a0}é"];
        for a in ends {
            for m in middles {
                for b in ends {
                    let cell = format!("{a}{m}{b}");
                    assert_eq!(trim_cell(&cell), cell.trim(), "{cell:?}");
                }
            }
        }
    }

    fn filled(kind: Kind, cells: &[&str]) -> Column {
        let mut c = Column::new(kind);
        for cell in cells {
            c.push(cell.as_bytes()).unwrap();
        }
        c
    }

    #[test]
    fn numbers_missing_and_text_are_told_apart() {
        let c = filled(Kind::Number, &["1.5", " -2 ", "", "NA", "inf", "M", "1e999", "0"]);
        let cells: Vec<Cell> = (0..c.len()).map(|i| c.get(i)).collect();
        assert_eq!(
            cells,
            vec![
                Cell::Number(1.5),
                Cell::Number(-2.0),
                Cell::Missing,
                Cell::Missing,
                Cell::Text("inf"),
                Cell::Text("M"),
                Cell::Text("1e999"),
                Cell::Number(0.0)
            ]
        );
        assert_eq!(cells[4].number(), Some(f64::INFINITY));
        assert_eq!(cells[5].number(), None);
        let t = filled(Kind::Text, &["01", " 1 ", "NA"]);
        assert_eq!((t.get(0), t.get(1), t.get(2)), (Cell::Text("01"), Cell::Text("1"), Cell::Missing));
    }

    #[test]
    fn appending_and_truncating_keep_texts_in_step() {
        let mut a = filled(Kind::Number, &["x", "1", "y"]);
        let mut b = filled(Kind::Number, &["2", "z", ""]);
        a.append(&mut b);
        assert_eq!(b.len(), 0);
        let cells: Vec<Cell> = (0..a.len()).map(|i| a.get(i)).collect();
        let want =
            [Cell::Text("x"), Cell::Number(1.0), Cell::Text("y"), Cell::Number(2.0), Cell::Text("z"), Cell::Missing];
        assert_eq!(cells, want);
        a.truncate(4);
        a.push(b"w").unwrap();
        assert_eq!((a.len(), a.get(2), a.get(4)), (5, Cell::Text("y"), Cell::Text("w")));
        let mut t = filled(Kind::Text, &["a", "bc"]);
        t.truncate(1);
        t.push(b"d").unwrap();
        assert_eq!((t.get(0), t.get(1)), (Cell::Text("a"), Cell::Text("d")));
    }

    proptest::proptest! {
        // A cell is a number exactly when `str::parse` reads its trimmed
        // text as a finite number, with the same value: whichever reader
        // (the fast path, fast-float2, str::parse) took it.
        #[test]
        fn a_cell_is_the_number_str_parse_reads(text in proptest::prop_oneof![
            "[ \\-+0-9.eE]{0,8}",
            "[-+]?[0-9]{1,20}(\\.[0-9]{0,20})?([eE][-+]?[0-9]{1,3})?",
            "[ \\-+0-9.eEnaifNAINFy]{0,26}",
            proptest::strategy::Strategy::prop_map(proptest::num::f64::ANY, |x| format!(" {x} ")),
        ]) {
            let mut c = Column::new(Kind::Number);
            c.push(text.as_bytes()).unwrap();
            let want = text.trim().parse::<f64>().ok().filter(|v| v.is_finite());
            match c.get(0) {
                Cell::Number(v) => proptest::prop_assert_eq!(Some(v.to_bits()), want.map(f64::to_bits)),
                _ => proptest::prop_assert!(want.is_none()),
            }
        }
    }

    #[test]
    fn bytes_that_are_not_utf8_are_refused_as_text_only() {
        let mut c = Column::new(Kind::Number);
        assert!(c.push(b"\xff").is_err());
        assert!(c.push(b"12").is_ok());
        assert_eq!((c.get(0), c.get(1)), (Cell::Missing, Cell::Number(12.0)));
    }
}
