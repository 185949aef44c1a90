//! Reading a plain decimal number fast: `[+-]digits[.digits][e[+-]digits]`
//! with at most 19 digits, as R's `write.csv` writes them (15 significant
//! digits).
//!
//! The digits are gathered into an integer mantissa `m`, eight at a time
//! where eight digits follow one another (one multiplication tree over a
//! 64-bit word), and the value is `m · 10^e`. When `m ≤ 2^53` and
//! `|e| ≤ 22`, both `m` and `10^|e|` are exact doubles, so one
//! multiplication or division, correctly rounded by the hardware, gives the
//! correctly rounded value (Clinger's fast path, W. D. Clinger, "How to
//! read floating point numbers accurately", PLDI 1990): exactly what
//! `str::parse::<f64>` returns. Any other text gives `None`, and the caller
//! reads it the general way.

/// Exact powers of ten, `10^0 ..= 10^22`.
const POWERS: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
    1e21, 1e22,
];

/// Most digits whose integer fits in a `u64` for certain.
const MOST_DIGITS: usize = 19;

/// The value of a plain decimal whose value the fast path gives exactly,
/// else `None`.
pub(super) fn parse_plain(text: &[u8]) -> Option<f64> {
    let (negative, mut i) = match text.first() {
        Some(b'-') => (true, 1),
        Some(b'+') => (false, 1),
        _ => (false, 0),
    };
    let mut mantissa = 0u64;
    let integer_start = i;
    i = digits(text, i, &mut mantissa);
    let integer_digits = i - integer_start;
    let mut fraction_digits = 0;
    if text.get(i) == Some(&b'.') {
        let start = i + 1;
        i = digits(text, start, &mut mantissa);
        fraction_digits = i - start;
    }
    if integer_digits + fraction_digits == 0 || integer_digits + fraction_digits > MOST_DIGITS {
        return None;
    }
    let mut exponent = -(fraction_digits as i64);
    if let Some(b'e' | b'E') = text.get(i) {
        i += 1;
        let sign = match text.get(i) {
            Some(b'-') => {
                i += 1;
                -1
            }
            Some(b'+') => {
                i += 1;
                1
            }
            _ => 1,
        };
        let start = i;
        let mut written = 0i64;
        while let Some(d) = text.get(i).filter(|b| b.is_ascii_digit()) {
            written = written * 10 + (d - b'0') as i64;
            i += 1;
            if i - start > 4 {
                return None;
            }
        }
        if i == start {
            return None;
        }
        exponent += sign * written;
    }
    if i != text.len() || mantissa > 1 << 53 {
        return None;
    }
    let m = mantissa as f64;
    let value = match exponent {
        0 => m,
        1..=22 => m * POWERS[exponent as usize],
        -22..=-1 => m / POWERS[(-exponent) as usize],
        _ if mantissa == 0 => 0.0,
        _ => return None,
    };
    Some(if negative { -value } else { value })
}

/// Add the digits of `text` from `i` to `mantissa` (at most
/// [`MOST_DIGITS`] + 8 of them; the caller refuses more than
/// [`MOST_DIGITS`]); returns the position after them.
fn digits(text: &[u8], mut i: usize, mantissa: &mut u64) -> usize {
    let start = i;
    while let Some(word) = text.get(i..i + 8) {
        let word = u64::from_le_bytes(word.try_into().expect("eight bytes"));
        if !eight_digits(word) || i - start > MOST_DIGITS {
            break;
        }
        *mantissa = mantissa.wrapping_mul(100_000_000).wrapping_add(value_of_eight(word));
        i += 8;
    }
    while let Some(d) = text.get(i).filter(|b| b.is_ascii_digit()) {
        if i - start > MOST_DIGITS {
            break;
        }
        *mantissa = mantissa.wrapping_mul(10).wrapping_add((d - b'0') as u64);
        i += 1;
    }
    i
}

/// Whether all eight bytes of a little-endian word are ASCII digits.
fn eight_digits(word: u64) -> bool {
    let high = word & 0xF0F0_F0F0_F0F0_F0F0;
    let carried = (word.wrapping_add(0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0) >> 4;
    high | carried == 0x3333_3333_3333_3333
}

/// The number eight ASCII digits spell, the first in the lowest byte: pairs,
/// then fours, then all eight, each step one multiply-add per lane.
fn value_of_eight(word: u64) -> u64 {
    let v = word.wrapping_sub(0x3030_3030_3030_3030);
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
            "1e5",
            "1E+05",
            "2.5e-3",
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
        assert!(eight_digits(u64::from_le_bytes(*b"09876543")));
        for bad in [*b"1234567.", *b"/2345678", *b"1234:678", *b"12345 78"] {
            assert!(!eight_digits(u64::from_le_bytes(bad)));
        }
    }

    proptest! {
        // Any double written with 1 to 17 significant digits, in either
        // form, and any short text over the characters of numbers: the fast
        // path gives str::parse's value or leaves the text to it.
        #[test]
        fn agrees_with_str_parse(x in proptest::num::f64::NORMAL | proptest::num::f64::SUBNORMAL, digits in 1usize..18) {
            for text in [format!("{x:.*e}", digits - 1), format!("{:.*}", digits, x), format!("{}", x)] {
                prop_assert!(same(&text), "{}", text);
            }
        }

        #[test]
        fn agrees_on_odd_text(text in "[-+0-9.eE]{0,24}") {
            prop_assert!(same(&text), "{}", text);
        }
    }
}
