//! The study's covariates evaluated on the analysis rows: categorical
//! levels (from value lists or cut points) or numbers; a value that does
//! not fit is missing, and counted. Derived columns are numbers or words
//! already; an input column's text is read as a number where the
//! covariate is continuous or cut.

use crate::analysis_file::Value;
use crate::study::{CovariateKind, CovariateSpec};
use foldhash::HashMap;
use foldhash::HashMapExt;

/// A covariate's values over the rows of an analysis.
#[derive(Debug, Clone, PartialEq)]
pub enum Variable {
    /// Level index per row, with the labels of the levels that occur, reference first.
    Categorical { labels: Vec<String>, codes: Codes },
    /// Number per row.
    Continuous(Numbers),
}

impl Variable {
    /// The values at rows `idx` (repeats allowed), levels kept as they are.
    pub fn subset(&self, idx: &[usize]) -> Variable {
        match self {
            Variable::Categorical { labels, codes } => {
                Variable::Categorical { labels: labels.clone(), codes: idx.iter().map(|&i| codes.get(i)).collect() }
            }
            Variable::Continuous(v) => Variable::Continuous(idx.iter().map(|&i| v.get(i)).collect()),
        }
    }

    /// Whether row `i` has a value.
    pub fn present(&self, i: usize) -> bool {
        match self {
            Variable::Categorical { codes, .. } => codes.get(i).is_some(),
            Variable::Continuous(v) => v.get(i).is_some(),
        }
    }
}

/// A level index per row, or none: four bytes a row (a study's levels
/// are far fewer than `u32::MAX`, which marks a row without a level).
#[derive(Debug, Clone, PartialEq)]
pub struct Codes(Vec<u32>);

impl Codes {
    /// Row `i`'s level.
    pub fn get(&self, i: usize) -> Option<usize> {
        Some(self.0[i]).filter(|&c| c != u32::MAX).map(|c| c as usize)
    }

    /// The levels (of `n_levels`) that some row of `rows` has, in level
    /// order (every row of `rows` has a level), in one pass over the rows.
    pub fn levels_in(&self, rows: &[usize], n_levels: usize) -> Vec<usize> {
        let mut seen = vec![false; n_levels];
        for &i in rows {
            seen[self.get(i).expect("a row with a level")] = true;
        }
        (0..n_levels).filter(|&l| seen[l]).collect()
    }

    /// The rows that have a level, and their levels.
    pub fn rows_with_levels(&self) -> (Vec<usize>, Vec<usize>) {
        (0..self.0.len()).filter_map(|i| self.get(i).map(|l| (i, l))).unzip()
    }
}

impl FromIterator<Option<usize>> for Codes {
    fn from_iter<I: IntoIterator<Item = Option<usize>>>(codes: I) -> Codes {
        let code = |c: usize| u32::try_from(c).ok().filter(|&c| c != u32::MAX).expect("fewer levels than u32::MAX");
        Codes(codes.into_iter().map(|c| c.map_or(u32::MAX, code)).collect())
    }
}

/// A finite number per row, or none: eight bytes a row (NaN marks a row
/// without a number).
#[derive(Debug, Clone)]
pub struct Numbers(Vec<f64>);

impl Numbers {
    /// Row `i`'s number.
    pub fn get(&self, i: usize) -> Option<f64> {
        Some(self.0[i]).filter(|v| !v.is_nan())
    }
}

/// Equal when the same rows hold the same numbers.
impl PartialEq for Numbers {
    fn eq(&self, other: &Numbers) -> bool {
        self.0.len() == other.0.len() && (0..self.0.len()).all(|i| self.get(i) == other.get(i))
    }
}

/// A number that is not finite counts as none, as [`Value::number`] reads it.
impl FromIterator<Option<f64>> for Numbers {
    fn from_iter<I: IntoIterator<Item = Option<f64>>>(values: I) -> Numbers {
        Numbers(values.into_iter().map(|v| v.filter(|v| v.is_finite()).unwrap_or(f64::NAN)).collect())
    }
}

/// Evaluate a covariate on values (one per row, `None` = empty).
pub fn evaluate(spec: &CovariateSpec, cells: &[Option<&Value>]) -> Variable {
    match spec.kind {
        CovariateKind::Continuous => Variable::Continuous(cells.iter().map(|c| c.and_then(Value::number)).collect()),
        CovariateKind::Cut => {
            let breaks = spec.breaks.as_deref().unwrap_or_default();
            let labels = spec.labels.clone().unwrap_or_default();
            let raw: Vec<Option<usize>> =
                cells.iter().map(|c| c.and_then(Value::number).map(|v| breaks.partition_point(|b| *b < v))).collect();
            compact(labels, raw)
        }
        CovariateKind::Categorical => {
            let levels = spec.levels.clone().unwrap_or_default();
            let mut labels: Vec<String> = levels.iter().map(|l| l.label.clone()).collect();
            if let Some(o) = &spec.others {
                labels.push(o.clone());
            }
            let values: Vec<Vec<String>> =
                levels.iter().map(|l| l.values.iter().map(|x| x.trim().to_lowercase()).collect()).collect();
            let level_of = |value: &Value| {
                let v = value.to_text().trim().to_lowercase();
                values.iter().position(|l| l.contains(&v)).or(spec.others.as_ref().map(|_| levels.len()))
            };
            // A column repeats few values: each distinct one is looked up once.
            let mut known: HashMap<Key, Option<usize>> = HashMap::new();
            let raw =
                cells.iter().map(|c| c.and_then(|v| *known.entry(Key::of(v)).or_insert_with(|| level_of(v)))).collect();
            compact(labels, raw)
        }
    }
}

/// A value as a map key: a number by its bits.
#[derive(PartialEq, Eq, Hash)]
enum Key<'a> {
    Number(u64),
    Text(&'a str),
}

impl Key<'_> {
    fn of(v: &Value) -> Key<'_> {
        match v {
            Value::Number(x) => Key::Number(x.to_bits()),
            Value::Text(t) => Key::Text(t),
        }
    }
}

/// Drop levels without data, renumbering the codes.
fn compact(labels: Vec<String>, raw: Vec<Option<usize>>) -> Variable {
    let used: Vec<usize> = (0..labels.len()).filter(|l| raw.contains(&Some(*l))).collect();
    let codes = raw.iter().map(|c| c.map(|l| used.iter().position(|u| *u == l).expect("used level"))).collect();
    Variable::Categorical { labels: used.iter().map(|&l| labels[l].clone()).collect(), codes }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::study::Study;

    fn text(cells: &[Option<&str>]) -> Vec<Option<Value>> {
        cells.iter().map(|c| c.map(|s| Value::Text(s.into()))).collect()
    }

    fn eval(spec: &CovariateSpec, values: &[Option<Value>]) -> Variable {
        evaluate(spec, &values.iter().map(Option::as_ref).collect::<Vec<_>>())
    }

    /// Rows without a value stay without one in the compact columns, and a
    /// number that is not finite counts as none.
    #[test]
    fn compact_columns_keep_missing_rows() {
        let codes: Codes = [Some(2), None, Some(0)].into_iter().collect();
        assert_eq!((0..3).map(|i| codes.get(i)).collect::<Vec<_>>(), [Some(2), None, Some(0)]);
        let numbers: Numbers = [Some(-1.5), None, Some(f64::INFINITY), Some(0.0)].into_iter().collect();
        assert_eq!((0..4).map(|i| numbers.get(i)).collect::<Vec<_>>(), [Some(-1.5), None, None, Some(0.0)]);
        assert_eq!(numbers, [Some(-1.5), None, None, Some(0.0)].into_iter().collect());
        assert_ne!(numbers, [Some(-1.5), None, None, None].into_iter().collect());
    }

    #[test]
    fn cut_and_grouping_follow_the_study() {
        let study = Study::builtin();
        let age = eval(study.covariate("age"), &text(&[Some("40"), Some("40.5"), None, Some("14")]));
        assert_eq!(
            age,
            Variable::Categorical {
                labels: vec!["≤40".into(), ">40".into()],
                codes: [Some(0), Some(1), None, Some(0)].into_iter().collect()
            }
        );
        let hist = eval(study.covariate("histology"), &text(&[Some("chondrosarcoma"), Some("Osteosarcoma")]));
        assert_eq!(
            hist,
            Variable::Categorical {
                labels: vec!["Osteosarcoma".into(), "Others".into()],
                codes: [Some(1), Some(0)].into_iter().collect()
            }
        );
        let levels = eval(study.covariate("levels"), &[1.0, 3.0, 2.0].map(|v| Some(Value::Number(v))));
        assert_eq!(
            levels,
            Variable::Categorical {
                labels: vec!["Single".into(), "2–3".into()],
                codes: [Some(0), Some(1), Some(1)].into_iter().collect()
            }
        );
        let sex = eval(study.covariate("sex"), &text(&[Some("F"), Some("X")]));
        assert_eq!(
            sex,
            Variable::Categorical { labels: vec!["Women".into()], codes: [Some(0), None].into_iter().collect() }
        );
    }
}
