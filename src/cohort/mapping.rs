//! A column mapping: how a clinic's own spreadsheet becomes the schema's
//! cohort without editing the spreadsheet. Given with `--columns FILE`:
//!
//! ```toml
//! [rename]                 # source header = schema column
//! "Dose (Gy)" = "dose_gy"
//! "Geschlecht" = "sex"
//!
//! [recode.sex]             # per schema column: source value = schema value
//! "1" = "M"
//! "2" = "F"
//!
//! [recode.prior_rt]
//! "ja" = "yes"
//! "nein" = "no"
//!
//! [plausibility]           # any of the ranges of `plausibility.rs`
//! max_sbrt_fractions = 8
//! ```
//!
//! Headers are matched as written (trimmed); values after trimming and
//! ignoring case. A rename to a column the schema lacks, a recode of an
//! unknown column, or a key that is not in the file is an error naming the
//! key. `sbrt validate FILE --suggest-mapping` writes a starting mapping
//! from what it finds ([`suggest`]).

use super::read::{Cell, Grid};
use super::schema::{known, normalise_header, resembling, Kind, COLUMNS};
use serde::Deserialize;
use std::collections::BTreeMap;

/// A mapping file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    /// Source header → schema column.
    #[serde(default)]
    pub rename: BTreeMap<String, String>,
    /// Schema column → (source value → schema value).
    #[serde(default)]
    pub recode: BTreeMap<String, BTreeMap<String, String>>,
    /// The clinic's own plausibility ranges.
    #[serde(default)]
    pub plausibility: super::plausibility::Ranges,
}

impl Mapping {
    /// Parse a mapping; each message names its key.
    pub fn parse(text: &str) -> Result<Mapping, Vec<String>> {
        let m: Mapping = toml::from_str(text).map_err(|e| vec![e.to_string().trim().replace('\n', " ")])?;
        let mut problems = Vec::new();
        for (from, to) in &m.rename {
            if known(to).is_none() {
                problems.push(format!("rename.\"{from}\": '{to}' is not a column of the schema (see `sbrt schema`)"));
            }
        }
        for column in m.recode.keys() {
            if known(column).is_none() {
                problems.push(format!("recode.{column}: not a column of the schema (see `sbrt schema`)"));
            }
        }
        if problems.is_empty() {
            Ok(m)
        } else {
            Err(problems)
        }
    }

    /// Apply to a grid read from the file: rename headers, recode values.
    pub fn apply(&self, grid: &mut Grid) -> Result<(), Vec<String>> {
        let mut problems = Vec::new();
        for from in self.rename.keys() {
            if !grid.headers.iter().any(|h| h.trim() == from) {
                problems.push(format!("rename.\"{from}\": the file has no column '{from}'"));
            }
        }
        for h in grid.headers.iter_mut() {
            if let Some(to) = self.rename.get(h.trim()) {
                *h = to.clone();
            }
        }
        for (column, values) in &self.recode {
            let Some(j) = grid.headers.iter().position(|h| normalise_header(h) == *column) else {
                problems.push(format!("recode.{column}: the file has no column '{column}' (after renaming)"));
                continue;
            };
            let lower: BTreeMap<String, &String> = values.iter().map(|(k, v)| (k.trim().to_lowercase(), v)).collect();
            grid.recode(j, |cell| {
                let text = match cell {
                    Cell::Text(t) => t.trim().to_lowercase(),
                    Cell::Number(v) => format!("{v}"),
                    Cell::Bool(b) => format!("{b}"),
                    _ => return None,
                };
                let to = lower.get(&text)?;
                Some(if to.trim().is_empty() { Cell::Missing } else { Cell::Text(to.trim().to_string()) })
            });
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }
}

/// A starting mapping for a grid: renames for headers that resemble absent
/// schema columns, and for each coded column (sex, yes/no, status, extent)
/// the values that are not the schema's, each to be filled in.
pub fn suggest(grid: &Grid) -> String {
    let present: Vec<String> = grid.headers.iter().map(|h| normalise_header(h)).collect();
    let mut out = String::from("# Column mapping suggested by `sbrt validate --suggest-mapping`.\n# Check every line, fill in the empty values, then pass it with --columns.\n\n[rename]\n");
    let mut targets: Vec<(usize, &'static str)> = Vec::new();
    for (j, h) in grid.headers.iter().enumerate() {
        if known(&normalise_header(h)).is_some() {
            targets.push((j, known(&normalise_header(h)).expect("known").name));
            continue;
        }
        if let Some(c) = resembling(h).filter(|c| !present.iter().any(|p| p == c.name)) {
            out.push_str(&format!("{} = \"{}\"\n", toml_key(h), c.name));
            targets.push((j, c.name));
        }
    }
    for (j, name) in targets {
        let column = COLUMNS.iter().find(|c| c.name == name).expect("schema column");
        let accepted: &[&str] = match column.kind {
            Kind::Sex => &["m", "f", "male", "female"],
            Kind::YesNo => &["yes", "no", "y", "n", "true", "false", "1", "0"],
            Kind::DiseaseStatus => &["primary", "metastasis", "metastatic"],
            Kind::Extent => &["solitary_spine", "solitary", "multiple_bone", "multiple", "visceral"],
            _ => continue,
        };
        let mut odd: Vec<String> = grid
            .distinct(j)
            .iter()
            .filter_map(|c| match c {
                Cell::Text(t) if !accepted.contains(&t.trim().to_lowercase().replace(' ', "_").as_str()) => {
                    Some(t.trim().to_string())
                }
                _ => None,
            })
            .collect();
        odd.sort();
        odd.dedup();
        if !odd.is_empty() {
            out.push_str(&format!("\n[recode.{name}]   # {}\n", column.kind.describe()));
            for v in odd {
                out.push_str(&format!("{} = \"\"\n", toml_key(&v)));
            }
        }
    }
    out
}

fn toml_key(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cohort::read::{grid_from_bytes, FileType};

    fn grid() -> Grid {
        grid_from_bytes("f.csv", FileType::Csv, b"Geschlecht,Dose (Gy),prior_rt\n1,30,Ja\n0,30,ja\n".to_vec(), None)
            .unwrap()
    }

    #[test]
    fn renames_and_recodes() {
        let m = Mapping::parse(
            "[rename]\n\"Geschlecht\" = \"sex\"\n\"Dose (Gy)\" = \"dose_gy\"\n[recode.sex]\n\"1\" = \"M\"\n[recode.prior_rt]\n\"ja\" = \"yes\"\n",
        )
        .unwrap();
        let mut g = grid();
        m.apply(&mut g).unwrap();
        assert_eq!(g.headers, vec!["sex", "dose_gy", "prior_rt"]);
        assert_eq!(g.cell(0, 0), &Cell::Text("M".into()));
        assert_eq!(g.cell(0, 2), &Cell::Text("yes".into()));
        assert_eq!(g.cell(1, 0), &Cell::Text("0".into()), "a value the mapping does not name stays");
        assert_eq!(g.cell(1, 2), &Cell::Text("yes".into()), "recoding ignores case");
    }

    #[test]
    fn plausibility_ranges_are_read_and_checked() {
        let m = Mapping::parse("[plausibility]\nmax_sbrt_fractions = 8\n").unwrap();
        assert_eq!(m.plausibility.max_sbrt_fractions, 8);
        assert_eq!(m.plausibility.max_ptv_cc, super::super::plausibility::Ranges::default().max_ptv_cc);
        assert!(Mapping::parse("[plausibility]\nmax_ptv = 8\n").unwrap_err()[0].contains("max_ptv"));
    }

    #[test]
    fn wrong_keys_are_named() {
        let e = Mapping::parse("[rename]\n\"x\" = \"dose\"\n[recode.colour]\n\"1\" = \"M\"\n").unwrap_err();
        assert!(e[0].contains("rename.\"x\"") && e[1].contains("recode.colour"), "{e:?}");
        let m = Mapping::parse("[rename]\n\"Dosis\" = \"dose_gy\"\n").unwrap();
        let e = m.apply(&mut grid()).unwrap_err();
        assert!(e[0].contains("no column 'Dosis'"), "{e:?}");
    }

    #[test]
    fn a_suggestion_renames_lookalikes_and_lists_odd_codes() {
        let s = suggest(&grid());
        assert!(s.contains("\"Dose (Gy)\" = \"dose_gy\""), "{s}");
        assert!(s.contains("[recode.prior_rt]") && s.contains("\"Ja\" = \"\""), "{s}");
        assert!(Mapping::parse(&s).is_ok(), "{s}");
    }
}
