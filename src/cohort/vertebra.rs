//! Treated vertebral levels: `T7`, `T11-T12`, `T11-12`, `L5-S1`, `C2,C3`.
//!
//! The spine is numbered C1-C7, T1-T12, L1-L5, S1-S5 (29 levels, cranial
//! to caudal). A list is comma-, semicolon- or plus-separated; a range
//! `A-B` runs cranial to caudal and may cross regions (`T12-L1`); the
//! region may be left off the second end when it is the same (`T11-12`).
//! Anything else (`T13`, `L6`, `C0`, a range that runs upwards) is an error.

use std::fmt;

/// A spinal region.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Region {
    /// C1-C7.
    Cervical,
    /// T1-T12.
    Thoracic,
    /// L1-L5.
    Lumbar,
    /// S1-S5.
    Sacral,
}

impl Region {
    /// All regions, cranial to caudal.
    pub const ALL: [Region; 4] = [Region::Cervical, Region::Thoracic, Region::Lumbar, Region::Sacral];

    /// The lower-case name used in outputs.
    pub fn name(self) -> &'static str {
        match self {
            Region::Cervical => "cervical",
            Region::Thoracic => "thoracic",
            Region::Lumbar => "lumbar",
            Region::Sacral => "sacral",
        }
    }

    fn letter(self) -> char {
        match self {
            Region::Cervical => 'C',
            Region::Thoracic => 'T',
            Region::Lumbar => 'L',
            Region::Sacral => 'S',
        }
    }

    fn count(self) -> u8 {
        match self {
            Region::Cervical => 7,
            Region::Thoracic => 12,
            Region::Lumbar => 5,
            Region::Sacral => 5,
        }
    }

    fn from_letter(c: char) -> Option<Region> {
        Region::ALL.into_iter().find(|r| r.letter() == c.to_ascii_uppercase())
    }
}

/// One vertebra, e.g. T7.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Vertebra {
    /// Its region.
    pub region: Region,
    /// 1-based number within the region.
    pub number: u8,
}

impl Vertebra {
    /// Position from C1 = 0 to S5 = 28.
    pub fn index(self) -> usize {
        let before: u8 = Region::ALL.iter().take_while(|r| **r != self.region).map(|r| r.count()).sum();
        (before + self.number - 1) as usize
    }

    /// The vertebra at a position 0..29.
    pub fn from_index(mut i: usize) -> Option<Vertebra> {
        for region in Region::ALL {
            if i < region.count() as usize {
                return Some(Vertebra { region, number: i as u8 + 1 });
            }
            i -= region.count() as usize;
        }
        None
    }
}

impl fmt::Display for Vertebra {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.region.letter(), self.number)
    }
}

/// The set of treated levels of one lesion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Levels {
    /// Distinct vertebrae, cranial to caudal.
    pub vertebrae: Vec<Vertebra>,
}

impl Levels {
    /// Number of distinct treated vertebrae.
    pub fn count(&self) -> usize {
        self.vertebrae.len()
    }

    /// The region holding most treated levels; a tie goes to the upper (cranial) region.
    pub fn site(&self) -> Region {
        Region::ALL
            .into_iter()
            .max_by_key(|r| (self.vertebrae.iter().filter(|v| v.region == *r).count(), std::cmp::Reverse(*r)))
            .expect("four regions")
    }
}

fn parse_vertebra(text: &str, default_region: Option<Region>) -> Result<Vertebra, String> {
    let t = text.trim();
    let mut chars = t.chars();
    let (region, digits) = match chars.next() {
        Some(c) if c.is_ascii_alphabetic() => (
            Region::from_letter(c).ok_or_else(|| format!("'{t}' is not a vertebra (regions are C, T, L, S)"))?,
            chars.as_str(),
        ),
        Some(c) if c.is_ascii_digit() => (default_region.ok_or_else(|| format!("'{t}' has no region letter"))?, t),
        _ => return Err(format!("'{t}' is not a vertebra")),
    };
    let number: u8 = digits.trim().parse().map_err(|_| format!("'{t}' is not a vertebra"))?;
    if number == 0 || number > region.count() {
        return Err(format!(
            "'{t}' does not exist: the {} spine has {}1-{}{}",
            region.name(),
            region.letter(),
            region.letter(),
            region.count()
        ));
    }
    Ok(Vertebra { region, number })
}

/// Parse a list of treated levels.
pub fn parse_levels(text: &str) -> Result<Levels, String> {
    let mut vertebrae = Vec::new();
    for part in text.split([',', ';', '+']) {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        match part.split_once('-') {
            None => vertebrae.push(parse_vertebra(part, None)?),
            Some((a, b)) => {
                let first = parse_vertebra(a, None)?;
                let last = parse_vertebra(b, Some(first.region))?;
                if last.index() < first.index() {
                    return Err(format!("range '{part}' runs upwards; write it cranial to caudal ({last}-{first})"));
                }
                vertebrae.extend((first.index()..=last.index()).filter_map(Vertebra::from_index));
            }
        }
    }
    if vertebrae.is_empty() {
        return Err(format!("'{}' names no vertebra", text.trim()));
    }
    vertebrae.sort();
    vertebrae.dedup();
    Ok(Levels { vertebrae })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<String> {
        parse_levels(text).unwrap().vertebrae.iter().map(|v| v.to_string()).collect()
    }

    #[test]
    fn parses_singles_ranges_and_lists() {
        assert_eq!(names("T7"), ["T7"]);
        assert_eq!(names("T11-T12"), ["T11", "T12"]);
        assert_eq!(names("t11-12"), ["T11", "T12"]);
        assert_eq!(names("L5-S1"), ["L5", "S1"]);
        assert_eq!(names("T12-L2"), ["T12", "L1", "L2"]);
        assert_eq!(names("C2,C3"), ["C2", "C3"]);
        assert_eq!(names("C2, C2"), ["C2"]);
    }

    #[test]
    fn rejects_vertebrae_that_do_not_exist() {
        assert!(parse_levels("T13").unwrap_err().contains("does not exist"));
        assert!(parse_levels("L6").unwrap_err().contains("does not exist"));
        assert!(parse_levels("C0").is_err());
        assert!(parse_levels("X3").is_err());
        assert!(parse_levels("").is_err());
        assert!(parse_levels("L2-T12").unwrap_err().contains("runs upwards"));
    }

    #[test]
    fn site_is_the_majority_region_with_ties_going_up() {
        assert_eq!(parse_levels("T12-L2").unwrap().site(), Region::Lumbar);
        assert_eq!(parse_levels("T12-L1").unwrap().site(), Region::Thoracic);
        assert_eq!(parse_levels("C7-T1").unwrap().site(), Region::Cervical);
        assert_eq!(parse_levels("S1").unwrap().site(), Region::Sacral);
    }

    #[test]
    fn index_round_trips() {
        for i in 0..29 {
            assert_eq!(Vertebra::from_index(i).unwrap().index(), i);
        }
        assert!(Vertebra::from_index(29).is_none());
    }
}
