//! Calendar dates: ISO `YYYY-MM-DD`, a user-named format such as
//! `%d/%m/%Y`, and Excel serial day numbers.
//!
//! Ambiguous forms (`03/05/2017`: March or May?) are never guessed: without
//! `--date-format` only ISO dates are accepted. A date is held as the
//! number of days since 1970-01-01 (proleptic Gregorian), so differences
//! are exact day counts, in 32 bits: a cohort row holds ten dates, and at
//! a million patients each byte of a row is 1.7 MB.

use std::fmt;

/// A calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    days: i32,
}

/// Days from 1970-01-01 to the civil date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

impl Date {
    /// A date from year, month and day, if it exists (years 1800-2200).
    pub fn from_ymd(y: i64, m: u32, d: u32) -> Option<Date> {
        if !(1800..=2200).contains(&y) || !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
            return None;
        }
        Some(Date::from_days(days_from_civil(y, m, d)))
    }

    /// The date `days` after 1970-01-01; beyond the ±5.8 million years 32
    /// bits hold, the last date that way (still before or after every
    /// other date, which is all such a date is compared for).
    pub fn from_days(days: i64) -> Date {
        Date { days: days.clamp(i32::MIN.into(), i32::MAX.into()) as i32 }
    }

    /// Days since 1970-01-01.
    pub fn days(self) -> i64 {
        self.days.into()
    }

    /// (year, month, day).
    pub fn ymd(self) -> (i64, u32, u32) {
        civil_from_days(self.days())
    }

    /// Days from `self` to `later` (negative when `later` is earlier).
    pub fn days_until(self, later: Date) -> i64 {
        later.days() - self.days()
    }

    /// The date `n` days later.
    pub fn plus_days(self, n: i64) -> Date {
        Date::from_days(self.days() + n)
    }

    /// An Excel serial day number (1900 date system, as Excel counts it,
    /// including its phantom 1900-02-29) in years 1900-2200.
    pub fn from_excel_serial(serial: f64) -> Option<Date> {
        if !(61.0..=120_000.0).contains(&serial) || serial.fract() != 0.0 {
            return None;
        }
        // Serial 25569 is 1970-01-01 for serials after 1900-02-28.
        Some(Date::from_days(serial as i64 - 25_569))
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

/// How date text is read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum DateFormat {
    /// `YYYY-MM-DD` only.
    #[default]
    Iso,
    /// A pattern of `%Y` (4-digit year), `%m`, `%d` (1-2 digits) and literal characters.
    Pattern(String),
}

impl DateFormat {
    /// Check a user-given pattern: it needs each of `%Y`, `%m`, `%d` once and no other `%` code.
    pub fn parse_pattern(pattern: &str) -> Result<DateFormat, String> {
        let mut seen = Vec::new();
        let mut chars = pattern.chars();
        while let Some(c) = chars.next() {
            if c == '%' {
                match chars.next() {
                    Some(k @ ('Y' | 'm' | 'd')) if !seen.contains(&k) => seen.push(k),
                    Some(k) => {
                        return Err(format!(
                            "date format '{pattern}': '%{k}' is not supported (use %Y, %m, %d once each)"
                        ))
                    }
                    None => return Err(format!("date format '{pattern}' ends with '%'")),
                }
            }
        }
        if seen.len() != 3 {
            return Err(format!("date format '{pattern}' must contain %Y, %m and %d"));
        }
        Ok(DateFormat::Pattern(pattern.to_string()))
    }

    /// Read a date from text.
    pub fn parse(&self, text: &str) -> Result<Date, String> {
        let text = text.trim();
        let pattern = match self {
            DateFormat::Iso => "%Y-%m-%d",
            DateFormat::Pattern(p) => p.as_str(),
        };
        let invalid = || match self {
            DateFormat::Iso => format!(
                "'{text}' is not a date in YYYY-MM-DD form{}",
                if text.contains('/') || text.contains('.') {
                    " (for other forms name the format, e.g. --date-format %d/%m/%Y)"
                } else {
                    ""
                }
            ),
            DateFormat::Pattern(p) => format!("'{text}' does not match the date format '{p}'"),
        };
        let (mut y, mut m, mut d) = (None, None, None);
        let mut rest = text;
        let mut pat = pattern.chars().peekable();
        while let Some(c) = pat.next() {
            if c == '%' {
                let code = pat.next().ok_or_else(invalid)?;
                let max_len = if code == 'Y' { 4 } else { 2 };
                let len = rest.chars().take(max_len).take_while(|ch| ch.is_ascii_digit()).count();
                let need_exact = code == 'Y' || matches!(self, DateFormat::Iso);
                if len == 0 || (need_exact && len != max_len) {
                    return Err(invalid());
                }
                let v: i64 = rest[..len].parse().map_err(|_| invalid())?;
                rest = &rest[len..];
                match code {
                    'Y' => y = Some(v),
                    'm' => m = Some(v as u32),
                    _ => d = Some(v as u32),
                }
            } else {
                let mut it = rest.chars();
                if it.next() != Some(c) {
                    return Err(invalid());
                }
                rest = it.as_str();
            }
        }
        if !rest.is_empty() {
            return Err(invalid());
        }
        let (y, m, d) = (y.ok_or_else(invalid)?, m.ok_or_else(invalid)?, d.ok_or_else(invalid)?);
        Date::from_ymd(y, m, d).ok_or_else(|| format!("'{text}' is not a real calendar date"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_round_trip_and_day_arithmetic() {
        let a = DateFormat::Iso.parse("2016-02-28").unwrap();
        let b = DateFormat::Iso.parse("2016-03-01").unwrap();
        assert_eq!(a.days_until(b), 2);
        assert_eq!(b.to_string(), "2016-03-01");
        assert_eq!(Date::from_days(0).to_string(), "1970-01-01");
        for days in [-50_000, -1, 0, 1, 10_957, 20_000, 60_000] {
            let d = Date::from_days(days);
            let (y, m, dd) = d.ymd();
            assert_eq!(Date::from_ymd(y, m, dd), Some(d));
        }
        // Days beyond 32 bits stay beyond every date, in their direction.
        assert!(a.plus_days(i64::MAX / 2) > Date::from_days(i64::from(i32::MAX) - 1));
        assert!(a.plus_days(-(i64::MAX / 2)) < Date::from_days(i64::from(i32::MIN) + 1));
        assert_eq!(a.plus_days(i64::MAX / 2).days(), i64::from(i32::MAX));
    }

    #[test]
    fn rejects_ambiguous_and_impossible_dates() {
        assert!(DateFormat::Iso.parse("03/05/2017").unwrap_err().contains("--date-format"));
        assert!(DateFormat::Iso.parse("2017-02-30").unwrap_err().contains("not a real calendar date"));
        assert!(DateFormat::Iso.parse("2017-2-3").is_err());
        assert!(DateFormat::Iso.parse("2017-02-03x").is_err());
    }

    #[test]
    fn named_format_reads_day_first() {
        let f = DateFormat::parse_pattern("%d/%m/%Y").unwrap();
        assert_eq!(f.parse("03/05/2017").unwrap().to_string(), "2017-05-03");
        assert_eq!(f.parse("3/5/2017").unwrap().to_string(), "2017-05-03");
        assert!(DateFormat::parse_pattern("%d/%m").is_err());
        assert!(DateFormat::parse_pattern("%d/%b/%Y").is_err());
    }

    #[test]
    fn excel_serials() {
        assert_eq!(Date::from_excel_serial(42736.0).unwrap().to_string(), "2017-01-01");
        assert_eq!(Date::from_excel_serial(25569.0).unwrap().to_string(), "1970-01-01");
        assert!(Date::from_excel_serial(42736.5).is_none());
    }
}
