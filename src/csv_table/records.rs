//! Records and fields of CSV text, read as RFC 4180 reads them and, on
//! irregular text, as the `csv` crate does (tested against it).
//!
//! A record is fields separated by commas, ended by `\n`, `\r` or `\r\n`;
//! blank lines are skipped. A field that starts with `"` is quoted: it runs
//! to the next lone `"` (`""` stands for a quote) and may hold commas and
//! line breaks; text after its closing quote is kept, up to the next comma
//! or line end. Anywhere else a quote is an ordinary character. At the end
//! of the text the last record needs no line end, and an unclosed quoted
//! field ends there.
//!
//! Text is read a piece at a time: a record that runs past the end of a
//! piece which is not the end of the text is left for the next piece
//! ([`Record::Incomplete`]), so a piece that starts at a record start is
//! read exactly as the whole text would be.

/// The outcome of reading one record.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Record {
    /// A record of this many fields, after `blank_lines` empty lines, the
    /// next one starting at `next`.
    Complete { fields: usize, next: usize, blank_lines: usize },
    /// The record runs past the end of the text given.
    Incomplete,
    /// No record is left in the text given: only this many empty lines.
    End { blank_lines: usize },
}

/// Where a record's fields go.
pub(super) trait Fields {
    /// The content of field `index`.
    fn field(&mut self, index: usize, content: &[u8]);

    /// Read the unquoted field `index` at `start` of `bytes` in place, if
    /// its reader can: the position after it, which must hold a comma or a
    /// line end. `None` (the default): the field's content is found and
    /// given to [`Fields::field`].
    fn in_place(&mut self, _index: usize, _bytes: &[u8], _start: usize) -> Option<usize> {
        None
    }
}

/// Any `FnMut(index, content)` takes the fields as they are found.
impl<F: FnMut(usize, &[u8])> Fields for F {
    fn field(&mut self, index: usize, content: &[u8]) {
        self(index, content)
    }
}

/// Read the record at `pos` (blank lines before it skipped), handing each
/// field to `fields`. `at_eof`: the text ends where `bytes` ends. `scratch`
/// holds quoted fields' content.
pub(super) fn read_record(
    bytes: &[u8],
    mut pos: usize,
    at_eof: bool,
    scratch: &mut Vec<u8>,
    fields: &mut impl Fields,
) -> Record {
    let len = bytes.len();
    // Empty lines, each ended by `\n`, `\r\n` or `\r` (a `\r` at the end of
    // text that goes on may be the first half of `\r\n`).
    let mut blank_lines = 0;
    while let Some(&b) = bytes.get(pos) {
        match (b, bytes.get(pos + 1)) {
            (b'\n', _) | (b'\r', Some(b'\n')) => blank_lines += usize::from(b == b'\n'),
            (b'\r', None) if !at_eof => return Record::Incomplete,
            (b'\r', _) => blank_lines += 1,
            _ => break,
        }
        pos += 1;
    }
    if pos == len {
        return Record::End { blank_lines };
    }
    let mut index = 0;
    loop {
        if bytes.get(pos) == Some(&b'"') {
            let Some(end) = quoted_field(bytes, pos, at_eof, scratch) else { return Record::Incomplete };
            fields.field(index, scratch);
            pos = end;
        } else if let Some(end) = fields.in_place(index, bytes, pos) {
            pos = end;
        } else {
            let end = field_end(bytes, pos);
            fields.field(index, &bytes[pos..end]);
            pos = end;
        }
        index += 1;
        match bytes.get(pos) {
            None if at_eof => return Record::Complete { fields: index, next: len, blank_lines },
            None => return Record::Incomplete,
            Some(b',') => pos += 1,
            Some(b'\r') => match bytes.get(pos + 1) {
                Some(b'\n') => return Record::Complete { fields: index, next: pos + 2, blank_lines },
                None if !at_eof => return Record::Incomplete,
                _ => return Record::Complete { fields: index, next: pos + 1, blank_lines },
            },
            Some(_) => return Record::Complete { fields: index, next: pos + 1, blank_lines },
        }
    }
}

/// A quoted field at `pos`: its content into `scratch`, and the position
/// after the field (a comma, a line end or the end of the text); `None`
/// when the field may go on past the end of `bytes`.
fn quoted_field(bytes: &[u8], pos: usize, at_eof: bool, scratch: &mut Vec<u8>) -> Option<usize> {
    scratch.clear();
    let mut i = pos + 1;
    loop {
        let Some(q) = memchr::memchr(b'"', &bytes[i..]) else {
            if !at_eof {
                return None;
            }
            scratch.extend_from_slice(&bytes[i..]);
            return Some(bytes.len());
        };
        let q = i + q;
        scratch.extend_from_slice(&bytes[i..q]);
        match bytes.get(q + 1) {
            Some(b'"') => {
                scratch.push(b'"');
                i = q + 2;
            }
            None if !at_eof => return None,
            _ => {
                let end = field_end(bytes, q + 1);
                scratch.extend_from_slice(&bytes[q + 1..end]);
                return Some(end);
            }
        }
    }
}

/// The first comma or line end at or after `i` (or the end of `bytes`),
/// eight bytes at a time.
fn field_end(bytes: &[u8], mut i: usize) -> usize {
    while let Some(word) = bytes.get(i..i + 8) {
        let hits = separators(u64::from_le_bytes(word.try_into().expect("eight bytes")));
        if hits != 0 {
            return i + (hits.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < bytes.len() && !matches!(bytes[i], b',' | b'\n' | b'\r') {
        i += 1;
    }
    i
}

/// The high bit of each byte of a little-endian word that is a comma or a
/// line end: exact for the lowest such byte (a borrow may mark bytes above
/// it), which is all a search for the first one needs.
pub(super) fn separators(word: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let equal = |b: u8| {
        let x = word ^ (ONES * b as u64);
        x.wrapping_sub(ONES) & !x & HIGHS
    };
    equal(b',') | equal(b'\n') | equal(b'\r')
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Every record of `text` as field strings, read `piece` bytes at a time
    /// (an incomplete record read again with more text).
    fn records(text: &[u8], piece: usize) -> Vec<Vec<Vec<u8>>> {
        let mut out = Vec::new();
        let (mut pos, mut end) = (0, piece.min(text.len()));
        let mut scratch = Vec::new();
        loop {
            let mut fields = Vec::new();
            match read_record(&text[..end], pos, end == text.len(), &mut scratch, &mut |_, f: &[u8]| {
                fields.push(f.to_vec())
            }) {
                Record::Complete { next, .. } => {
                    out.push(fields);
                    pos = next;
                }
                Record::End { .. } if end == text.len() => return out,
                Record::End { .. } | Record::Incomplete => end = (end + piece).min(text.len()),
            }
        }
    }

    /// The same text as the csv crate reads it.
    fn csv_crate(text: &[u8]) -> Vec<Vec<Vec<u8>>> {
        let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text);
        reader.byte_records().map(|r| r.unwrap().iter().map(<[u8]>::to_vec).collect()).collect()
    }

    #[test]
    fn fields_quotes_and_line_ends() {
        let text = b"a,\"b,\"\"c\"\"\nd\"\r\n\n\"x\"y\"z,,\r1";
        let want: Vec<Vec<Vec<u8>>> = vec![
            vec![b"a".to_vec(), b"b,\"c\"\nd".to_vec()],
            vec![b"xy\"z".to_vec(), vec![], vec![]],
            vec![b"1".to_vec()],
        ];
        assert_eq!(records(text, text.len()), want);
        assert_eq!(csv_crate(text), want);
    }

    #[test]
    fn field_ends_are_found_in_words_and_tails() {
        for text in [&b"abcdefghij,k"[..], b"abcdefgh\n", b"abc\rdefghijkl", b"abcdefghijklmnop", b",", b""] {
            let want = text.iter().position(|b| matches!(b, b',' | b'\n' | b'\r')).unwrap_or(text.len());
            assert_eq!(field_end(text, 0), want, "{text:?}");
        }
    }

    proptest! {
        // Any text, irregular quotes included, reads as the csv crate reads
        // it, whole or a few bytes at a time.
        #[test]
        fn reads_as_the_csv_crate(text in proptest::collection::vec(prop::sample::select(b"ab1 ,\"\n\r".to_vec()), 0..60),
                                  piece in 1usize..20) {
            let want = csv_crate(&text);
            prop_assert_eq!(&records(&text, text.len().max(1)), &want);
            prop_assert_eq!(&records(&text, piece), &want);
        }
    }
}
