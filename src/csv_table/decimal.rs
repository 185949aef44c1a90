//! Reading a plain decimal number fast: `[+-]digits[.digits]` with at most
//! 19 digits, as R's `write.csv` writes them (15 significant digits).
//!
//! The number is read where it lies in the file's text, with the bytes
//! after it ([`parse_in_place`]), so a column of numbers needs no separate
//! search for commas. Four 8-byte words from the field's start give, per
//! byte, whether it is a separator and whether it is a digit (a handful of
//! integer operations a word, no branch per byte): the first separator
//! ends the field, and within it only a sign and one point may be other
//! than digits. Each run of digits is gathered into an integer eight at a
//! time (one multiplication tree over a 64-bit word), its last 0-7 digits
//! by shifting them to the top of a word padded with `0`s, so the work
//! does not depend on how many digits there are and no branch on their
//! count is mispredicted. With the mantissa `m` (the digits as one
//! integer) and `f` digits after the point, the value is `m / 10^f`. When
//! `m ≤ 2^53` (and `f ≤ 19 < 22`), both `m` and `10^f` are exact doubles,
//! so one division, correctly rounded by the hardware, gives the correctly
//! rounded value (Clinger's fast path, W. D. Clinger, "How to read
//! floating point numbers accurately", PLDI 1990): exactly what
//! `str::parse::<f64>` returns. Any other text (an exponent, more digits,
//! spaces) gives `None`, and the caller reads it the general way.

/// Exact powers of ten, `10^0 ..= 10^19`.
const POWERS: [f64; 20] =
    [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19];

/// Integer powers of ten, `10^0 ..= 10^19`.
const INTEGER_POWERS: [u64; 20] = {
    let mut p = [1u64; 20];
    let mut k = 1;
    while k < 20 {
        p[k] = p[k - 1] * 10;
        k += 1;
    }
    p
};

/// Most digits whose integer fits in a `u64` for certain.
const MOST_DIGITS: usize = 19;

/// Bytes from a field's start that [`parse_in_place`] looks at: the field
/// and its separator within the first 32, and the 8-byte word the last
/// digits are read from.
pub(super) const WINDOW: usize = 40;

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;
const ZEROS: u64 = 0x3030_3030_3030_3030;

/// The plain decimal `[+-]digits[.digits]` at `start` of `bytes`, read in
/// place: its value and the position after it, which holds a comma or a
/// line end. `None` when fewer than [`WINDOW`] bytes follow `start` or the
/// field there is anything else (quoted, padded, written with an
/// exponent, not a number, or a number the fast path cannot give
/// exactly); the caller then reads the field the general way.
///
/// The field's end comes from the separators among the four words at
/// `start`, not from the digits, so the next field's reading need not wait
/// for this number's value.
pub(super) fn parse_in_place(bytes: &[u8], start: usize) -> Option<(f64, usize)> {
    let window: &[u8; WINDOW] = bytes.get(start..start + WINDOW)?.try_into().ok()?;
    let (separator, not_digits) = byte_classes(window[..32].try_into().expect("32 bytes"));
    if separator == 0 {
        return None;
    }
    let end = separator.trailing_zeros() as usize;
    let signed = matches!(window[0], b'-' | b'+');
    // Within the field, besides a sign, at most one byte may be a non-digit: the point.
    let others = not_digits & ((1 << end) - 1) & !u32::from(signed);
    let point = if others == 0 { end } else { others.trailing_zeros() as usize };
    if others & others.wrapping_sub(1) != 0 || (others != 0 && window[point] != b'.') {
        return None;
    }
    let first = usize::from(signed);
    let integer_digits = point - first;
    let fraction_digits = end.saturating_sub(point + 1);
    let digits = integer_digits + fraction_digits;
    if digits == 0 || digits > MOST_DIGITS {
        return None;
    }
    let mantissa = run_value(window, first, integer_digits) * INTEGER_POWERS[fraction_digits]
        + run_value(window, point + 1, fraction_digits);
    if mantissa > 1 << 53 {
        return None;
    }
    // The sign set without a branch (a column's signs are as random as its values).
    let value = mantissa as f64 / POWERS[fraction_digits];
    let sign = u64::from(window[0] == b'-') << 63;
    Some((f64::from_bits(value.to_bits() | sign), start + end))
}

/// The value of a whole field `text` when it is a plain decimal the fast
/// path reads exactly (see [`parse_in_place`]), else `None`.
pub(super) fn parse_plain(text: &[u8]) -> Option<f64> {
    let mut padded = [b'\n'; WINDOW];
    padded.get_mut(..text.len())?.copy_from_slice(text);
    match parse_in_place(&padded, 0)? {
        (value, end) if end == text.len() => Some(value),
        _ => None,
    }
}

/// The integer the `count` (at most [`MOST_DIGITS`]) digits at `at` spell.
#[inline(always)]
fn run_value(window: &[u8; WINDOW], mut at: usize, mut count: usize) -> u64 {
    let word = |at: usize| u64::from_le_bytes(window[at..at + 8].try_into().expect("eight bytes"));
    let mut value = 0;
    while count >= 8 {
        value = value * 100_000_000 + value_of_eight(word(at));
        at += 8;
        count -= 8;
    }
    // The last `count` digits moved to the top of a word, `0`s before them.
    let shift = 8 * count as u32;
    let last = word(at).checked_shl(64 - shift).unwrap_or(0) | ZEROS.checked_shr(shift).unwrap_or(0);
    value * INTEGER_POWERS[count] + value_of_eight(last)
}

/// Bit k of the first mask: byte k is a comma or a line end (only the
/// lowest such bit is used); of the second: byte k is not an ASCII digit.
/// With SSE2 (every x86-64 processor): two
/// comparisons of 16 bytes per class.
#[cfg(target_arch = "x86_64")]
fn byte_classes(bytes: &[u8; 32]) -> (u32, u32) {
    use std::arch::x86_64::*;
    // SAFETY: SSE2 is part of every x86-64 processor (the target's baseline);
    // the intrinsics read no memory.
    let half = |h: usize| unsafe {
        let word = |k: usize| i64::from_le_bytes(bytes[16 * h + 8 * k..16 * h + 8 * k + 8].try_into().expect("8"));
        let v = _mm_set_epi64x(word(1), word(0));
        let is = |b: u8| _mm_cmpeq_epi8(v, _mm_set1_epi8(b as i8));
        let separators = _mm_or_si128(_mm_or_si128(is(b','), is(b'\n')), is(b'\r'));
        // Signed comparisons: bytes from 0x80 on are below '0'.
        let digits = _mm_and_si128(
            _mm_cmpgt_epi8(v, _mm_set1_epi8(b'0' as i8 - 1)),
            _mm_cmplt_epi8(v, _mm_set1_epi8(b'9' as i8 + 1)),
        );
        (_mm_movemask_epi8(separators) as u32, !_mm_movemask_epi8(digits) as u32 & 0xFFFF)
    };
    let ((s0, d0), (s1, d1)) = (half(0), half(1));
    (s0 | s1 << 16, d0 | d1 << 16)
}

/// [`byte_classes`] a word at a time, on other processors (its separator
/// mask may mark bytes after the first separator of a word).
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn byte_classes_by_word(bytes: &[u8; 32]) -> (u32, u32) {
    let (mut separator, mut not_digits) = (0u32, 0u32);
    for k in 0..4 {
        let word = u64::from_le_bytes(bytes[8 * k..8 * k + 8].try_into().expect("eight bytes"));
        separator |= byte_mask(super::records::separators(word)) << (8 * k);
        not_digits |= byte_mask(not_digit(word)) << (8 * k);
    }
    (separator, not_digits)
}

#[cfg(not(target_arch = "x86_64"))]
use byte_classes_by_word as byte_classes;

/// The high bit of each byte of `word` that is not an ASCII digit
/// (exact per byte: no carry or borrow crosses bytes).
fn not_digit(word: u64) -> u64 {
    let low = word & (ONES * 0x7F);
    let below = (ONES * (0x7F + b'0' as u64)).wrapping_sub(low) & !word;
    let above = (low + ONES * (0x7F - b'9' as u64)) | word;
    (below | above) & HIGHS
}

/// The high bits of a word's bytes as an 8-bit mask, byte 0 in bit 0.
fn byte_mask(highs: u64) -> u32 {
    ((highs >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56) as u32
}

/// The number eight ASCII digits spell, the first in the lowest byte: pairs,
/// then fours, then all eight, each step one multiply-add per lane.
fn value_of_eight(word: u64) -> u64 {
    let v = word.wrapping_sub(ZEROS);
    let v = v.wrapping_mul(10).wrapping_add(v >> 8);
    let pairs_low = (v & 0x0000_00FF_0000_00FF).wrapping_mul(100 + (1_000_000 << 32));
    let pairs_high = ((v >> 16) & 0x0000_00FF_0000_00FF).wrapping_mul(1 + (10_000 << 32));
    pairs_low.wrapping_add(pairs_high) >> 32
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn same(text: &str) -> bool {
        match (parse_plain(text.as_bytes()), text.parse::<f64>()) {
            (Some(a), Ok(b)) => a.to_bits() == b.to_bits(),
            (Some(_), Err(_)) => false,
            (None, _) => true,
        }
    }

    #[test]
    fn reads_what_r_writes_exactly() {
        for text in [
            "-0.626453810742332",
            "0.0240415893495083",
            "9.17513573423267",
            "1",
            "0",
            "-0",
            "12345678",
            ".5",
            "5.",
            "+7",
            "9007199254740992",
            "0.000000000000000001",
        ] {
            assert!(parse_plain(text.as_bytes()).is_some(), "{text}");
            assert!(same(text), "{text}");
        }
        for text in [
            "",
            "-",
            ".",
            "1e5",
            "2.5e-3",
            "e5",
            "1e",
            "1e+",
            "NA",
            "inf",
            "nan",
            "1.2.3",
            "1,5",
            " 1",
            "1 ",
            "0x10",
            "12345678901234567890",
            "1e99999",
            "9007199254740993",
            "123456789012345678",
        ] {
            assert!(parse_plain(text.as_bytes()).is_none(), "{text}");
        }
    }

    #[test]
    fn eight_digits_at_once() {
        assert_eq!(value_of_eight(u64::from_le_bytes(*b"12345678")), 12_345_678);
        assert_eq!(value_of_eight(u64::from_le_bytes(*b"00000009")), 9);
    }

    #[test]
    fn every_byte_is_told_digit_or_not_in_any_lane() {
        for b in 0..=255u8 {
            for lane in 0..8 {
                // The other lanes hold bytes on both sides of the digits' range.
                let mut bytes = [b'/', b'0', b':', b'9', 0x7F, 0xB0, b'5', 0xBA];
                bytes[lane] = b;
                let mask = byte_mask(not_digit(u64::from_le_bytes(bytes)));
                let want: u32 =
                    bytes.iter().enumerate().filter(|(_, c)| !c.is_ascii_digit()).map(|(k, _)| 1 << k).sum();
                assert_eq!(mask, want, "byte {b} in lane {lane}");
            }
        }
    }

    #[test]
    fn a_number_is_read_where_it_lies_up_to_its_separator() {
        let text = b"-12.5,7\r\n0.0240415893495083\n1e5,\"3\",4x,1 ,,12345678901234567890,";
        let padded = [&text[..], &[b'\n'; WINDOW]].concat();
        assert_eq!(parse_in_place(&padded, 0), Some((-12.5, 5)));
        assert_eq!(parse_in_place(&padded, 6), Some((7.0, 7)));
        assert_eq!(parse_in_place(&padded, 9), Some((0.0240415893495083, 27)));
        for start in [28, 32, 36, 39, 42, 43] {
            assert_eq!(parse_in_place(&padded, start), None, "at {start}");
        }
        // Too near the end of the text to read in place.
        assert_eq!(parse_in_place(b"1.5,2\n", 0), None);
    }

    proptest! {
        // Both ways of classing bytes find the same first separator and the
        // same digits (on x86-64 the SSE2 one is used).
        #[test]
        fn byte_classes_agree_with_the_word_at_a_time_ones(bytes in proptest::array::uniform32(proptest::prop_oneof![
            proptest::num::u8::ANY, proptest::sample::select(b"0123456789,\r\n.-".to_vec())])) {
            // The word-at-a-time separators are exact for the first only.
            let ((s1, d1), (s2, d2)) = (byte_classes(&bytes), byte_classes_by_word(&bytes));
            prop_assert_eq!((s1.trailing_zeros(), d1), (s2.trailing_zeros(), d2));
            let want = bytes.iter().position(|b| matches!(b, b',' | b'\r' | b'\n')).map_or(32, |k| k as u32);
            prop_assert_eq!(s1.trailing_zeros(), want);
        }

        // Any double written with 1 to 17 significant digits, in either
        // form, and any short text over the characters of numbers: the fast
        // path gives str::parse's value or leaves the text to it.
        #[test]
        fn agrees_with_str_parse(x in proptest::num::f64::NORMAL | proptest::num::f64::SUBNORMAL, digits in 1usize..18) {
            for text in [format!("{x:.*e}", digits - 1), format!("{:.*}", digits, x), format!("{}", x)] {
                prop_assert!(same(&text), "{}", text);
            }
            // As R writes it (15 significant digits): always the fast path.
            let r = format!("{:.*}", (14 - x.abs().log10().floor() as i64).clamp(0, 17) as usize, x);
            if x.abs() > 1e-3 && x.abs() < 1e15 {
                prop_assert_eq!(parse_plain(r.as_bytes()).map(f64::to_bits), Some(r.parse::<f64>().unwrap().to_bits()), "{}", r);
            }
        }

        #[test]
        fn agrees_on_odd_text(text in "[-+0-9.eE]{0,24}") {
            prop_assert!(same(&text), "{}", text);
        }

        // Read in place among other bytes, a number gives its value and
        // ends at its separator, or is left to the general reader.
        #[test]
        fn in_place_agrees_with_the_field(text in proptest::prop_oneof!["[-+0-9.eE]{0,30}", "-?[0-9]{1,3}\\.[0-9]{1,17}(e-?[0-9]{1,2})?"],
                                          after in "[,\r\n\"a x]{0,45}") {
            let bytes = [text.as_bytes(), after.as_bytes()].concat();
            let separated = matches!(after.as_bytes().first(), Some(b',' | b'\r' | b'\n'));
            match parse_in_place(&bytes, 0) {
                Some((value, end)) => {
                    prop_assert!(separated);
                    prop_assert_eq!(end, text.len());
                    prop_assert_eq!(Some(value.to_bits()), text.parse::<f64>().ok().map(f64::to_bits));
                }
                None => prop_assert!(!separated || bytes.len() < WINDOW || parse_plain(text.as_bytes()).is_none()),
            }
        }
    }
}
