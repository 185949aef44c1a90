//! The CTCAE v5.0 term list (NCI, November 27, 2017: 837 terms), shipped as
//! `assets/ctcae_v5_terms.tsv`, written from the NCI's `CTCAE_v5.0.xlsx`
//! (sheet "CTCAE v5.0 Clean Copy") by `assets/make_ctcae_terms.py`. Each
//! term carries its MedDRA code, its system organ class and the grades it
//! defines (`Nausea` stops at grade 3; `Spinal fracture` reaches 5).
//!
//! A term is matched ignoring case and repeated spaces; an unknown term is
//! answered with the closest terms of the list (edit distance, and terms
//! that contain the text), so a typo is one fix away.

use std::sync::OnceLock;

/// One CTCAE v5.0 term.
#[derive(Debug, PartialEq, Eq)]
pub struct Term {
    /// MedDRA code.
    pub code: String,
    /// MedDRA system organ class.
    pub soc: String,
    /// The term as CTCAE spells it.
    pub name: String,
    /// Grades the term defines, bit `g` for grade `g` (1-5).
    grades: u8,
}

impl Term {
    /// Whether the term defines `grade`.
    pub fn has_grade(&self, grade: u8) -> bool {
        (1..=5).contains(&grade) && self.grades & (1 << grade) != 0
    }

    /// The grades it defines, e.g. `1-3` or `1, 2, 3, 5`.
    pub fn grades_text(&self) -> String {
        let g: Vec<u8> = (1..=5).filter(|&g| self.has_grade(g)).collect();
        let contiguous = g.windows(2).all(|w| w[1] == w[0] + 1);
        match (g.first(), g.last()) {
            (Some(a), Some(b)) if contiguous && a != b => format!("{a}-{b}"),
            _ => g.iter().map(u8::to_string).collect::<Vec<_>>().join(", "),
        }
    }
}

const TSV: &str = include_str!("../../assets/ctcae_v5_terms.tsv");

/// Every term, in the spreadsheet's order.
pub fn terms() -> &'static [Term] {
    static TERMS: OnceLock<Vec<Term>> = OnceLock::new();
    TERMS.get_or_init(|| {
        TSV.lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .map(|l| {
                let f: Vec<&str> = l.split('\t').collect();
                Term {
                    code: f[0].into(),
                    soc: f[1].into(),
                    name: f[2].into(),
                    grades: f[3].bytes().fold(0, |m, b| m | 1 << (b - b'0')),
                }
            })
            .collect()
    })
}

fn key(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// The term `text` names, ignoring case and repeated spaces.
pub fn find(text: &str) -> Option<&'static Term> {
    let k = key(text);
    terms().iter().find(|t| key(&t.name) == k)
}

/// Words spine SBRT papers use for what CTCAE names otherwise: suggested,
/// never substituted.
const CLINICAL_WORDS: [(&str, &str); 7] = [
    ("radiculopathy", "Radiculitis"),
    ("myelopathy", "Myelitis"),
    ("radiation myelopathy", "Myelitis"),
    ("pain flare", "Pain"),
    ("vcf", "Spinal fracture"),
    ("compression fracture", "Spinal fracture"),
    ("vertebral compression fracture", "Spinal fracture"),
];

/// Up to three terms close to an unknown `text`: the CTCAE name of a
/// clinical word, then terms within a few edits or containing it (or
/// contained in it).
pub fn suggestions(text: &str) -> Vec<&'static str> {
    let k = key(text);
    let mut scored: Vec<(usize, &'static str)> = terms()
        .iter()
        .map(|t| {
            let name = key(&t.name);
            let d = crate::cohort::schema::edit_distance(&k, &name);
            let nested = k.len().min(name.len()) >= 5 && (name.contains(&k) || k.contains(&name));
            let clinical = CLINICAL_WORDS.iter().any(|(w, n)| *w == k && *n == t.name);
            (
                if clinical {
                    0
                } else if nested {
                    d.min(2)
                } else {
                    d
                },
                t.name.as_str(),
            )
        })
        .filter(|&(d, _)| d <= (k.len() / 3).max(2))
        .collect();
    scored.sort();
    scored.into_iter().take(3).map(|(_, n)| n).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_ctcae_v5() {
        assert_eq!(terms().len(), 837);
        let f = find("spinal  FRACTURE").unwrap();
        assert_eq!((f.code.as_str(), f.name.as_str()), ("10041569", "Spinal fracture"));
        assert!(f.has_grade(5));
        let n = find("Nausea").unwrap();
        assert_eq!(n.grades_text(), "1-3");
        assert!(!n.has_grade(4));
        assert_eq!(find("Myelitis").unwrap().grades_text(), "1-5");
    }

    #[test]
    fn a_typo_gets_the_term_it_meant() {
        assert!(find("Spinal fractur").is_none());
        assert_eq!(suggestions("Spinal fractur")[0], "Spinal fracture");
        assert_eq!(suggestions("radiculopathy")[0], "Radiculitis");
        assert_eq!(suggestions("pain flare")[0], "Pain");
        assert!(suggestions("Esophagitis radiation").contains(&"Esophagitis"));
    }
}
