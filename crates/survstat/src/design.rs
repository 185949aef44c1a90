//! Model matrices from numeric and categorical covariates and their
//! interactions, coded as R's `model.matrix` codes a Cox formula.
//!
//! A factor with levels `l_0 (reference), l_1, ..., l_{k-1}` enters a main
//! effect as R's default `contr.treatment`: k - 1 indicator columns
//! `[level == l_j]`, whose coefficients compare each level with the
//! reference. A numeric covariate enters as it is.
//!
//! An interaction term `a:b:…` is the elementwise product of the columns
//! of its covariates, the first covariate's columns varying fastest (R's
//! column order). Within an interaction a factor `f` is coded by its
//! contrasts when the term without `f` is itself in the model (or is empty,
//! the intercept that R's Cox formula keeps for coding) and by all k
//! indicators otherwise — R's marginality rule: `age:sex` alone gives
//! `age:sex=F` and `age:sex=M`, while `age + age:sex` gives `age:sex=M`,
//! and `g + g:h` gives `g=a:h=v`, `g=b:h=v`, …. Terms come in R's order: main effects, then
//! two-way interactions, and so on, each order as given.

use crate::linalg::Matrix;
use crate::parallel::{map_blocks, row_blocks, threads_for};
use std::borrow::Cow;

/// One covariate of a model.
#[derive(Debug, Clone, PartialEq)]
pub enum Covariate<'a> {
    /// A numeric column, entered as it is.
    Numeric {
        /// Variable name.
        name: String,
        /// One value per observation: the caller's own column when it has
        /// one that needs no change, so a large one is not copied.
        values: Cow<'a, [f64]>,
    },
    /// A categorical column.
    Factor {
        /// Variable name.
        name: String,
        /// Level index of each observation.
        codes: Vec<usize>,
        /// Level labels, in order.
        levels: Vec<String>,
        /// Index of the reference level.
        reference: usize,
    },
}

impl Covariate<'_> {
    fn name(&self) -> &str {
        match self {
            Covariate::Numeric { name, .. } | Covariate::Factor { name, .. } => name,
        }
    }
}

/// A column of the model matrix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// The column's name: `x`, `g=b`, `x:g=b`, `g=b:h=c`.
    pub name: String,
    /// The covariate it comes from (`a:b` for an interaction).
    pub variable: String,
    /// The level it indicates, for a factor (`b`; `b:c` for an interaction of factors).
    pub level: Option<String>,
    /// Index of its model term in the terms given to [`model_matrix`] (of
    /// its covariate for [`design_matrix`]).
    pub term: usize,
}

/// One column of a covariate within a term: its name part, the factor
/// level (if any) and the values (a numeric covariate's own, not copied).
struct Part<'a> {
    name: String,
    level: Option<String>,
    values: Cow<'a, [f64]>,
}

/// The columns of covariate `cov` in a term, by contrasts or by all indicators.
fn parts<'a>(cov: &'a Covariate, contrasts: bool) -> Vec<Part<'a>> {
    match cov {
        Covariate::Numeric { name, values } => {
            vec![Part { name: name.clone(), level: None, values: Cow::Borrowed(values.as_ref()) }]
        }
        Covariate::Factor { name, codes, levels, reference } => levels
            .iter()
            .enumerate()
            .filter(|(l, _)| !contrasts || l != reference)
            .map(|(l, label)| Part {
                name: format!("{name}={label}"),
                level: Some(label.clone()),
                values: Cow::Owned(codes.iter().map(|&c| if c == l { 1.0 } else { 0.0 }).collect()),
            })
            .collect(),
    }
}

/// The number of columns [`model_matrix`] makes of `terms`, without making them.
pub fn model_columns(covariates: &[Covariate], terms: &[Vec<usize>]) -> usize {
    let in_model =
        |t: &[usize]| t.is_empty() || terms.iter().any(|u| u.len() == t.len() && t.iter().all(|c| u.contains(c)));
    terms
        .iter()
        .map(|term| {
            term.iter()
                .map(|&c| match &covariates[c] {
                    Covariate::Numeric { .. } => 1,
                    Covariate::Factor { levels, .. } => {
                        let without: Vec<usize> = term.iter().copied().filter(|&d| d != c).collect();
                        levels.len() - usize::from(in_model(&without))
                    }
                })
                .product::<usize>()
        })
        .sum()
}

/// Expand main effects of `covariates` into an n × p matrix and its column descriptions.
pub fn design_matrix(covariates: &[Covariate], n: usize) -> (Matrix, Vec<Term>) {
    let terms: Vec<Vec<usize>> = (0..covariates.len()).map(|i| vec![i]).collect();
    model_matrix(covariates, &terms, n)
}

/// Expand the model `terms` (each a non-empty list of covariate indices:
/// one for a main effect, more for an interaction; in R's order) into an
/// n × p matrix and its column descriptions.
pub fn model_matrix(covariates: &[Covariate], terms: &[Vec<usize>], n: usize) -> (Matrix, Vec<Term>) {
    let in_model =
        |t: &[usize]| t.is_empty() || terms.iter().any(|u| u.len() == t.len() && t.iter().all(|c| u.contains(c)));
    let mut out_terms = Vec::new();
    let mut columns: Vec<Cow<[f64]>> = Vec::new();
    for (k, term) in terms.iter().enumerate() {
        // Multiply in each covariate's columns, the earlier covariates
        // varying fastest; a term's first covariate's columns are its own.
        let mut acc: Vec<Part> = Vec::new();
        for (m, &c) in term.iter().enumerate() {
            let without: Vec<usize> = term.iter().copied().filter(|&d| d != c).collect();
            let own = parts(&covariates[c], in_model(&without));
            if m == 0 {
                acc = own;
                continue;
            }
            let mut next = Vec::new();
            for b in own {
                for a in &acc {
                    next.push(Part {
                        name: format!("{}:{}", a.name, b.name),
                        level: match (&a.level, &b.level) {
                            (Some(x), Some(y)) => Some(format!("{x}:{y}")),
                            (x, y) => x.clone().or(y.clone()),
                        },
                        values: Cow::Owned(a.values.iter().zip(b.values.iter()).map(|(x, y)| x * y).collect()),
                    });
                }
            }
            acc = next;
        }
        let variable = term.iter().map(|&c| covariates[c].name()).collect::<Vec<_>>().join(":");
        for p in acc {
            out_terms.push(Term { name: p.name, variable: variable.clone(), level: p.level, term: k });
            columns.push(p.values);
        }
    }
    let p = columns.len();
    let mut x = Matrix::zeros(n, p);
    if p > 0 {
        // Rows in blocks over the cores: each writes (and first touches) its own rows.
        let blocks = row_blocks(n, |_| true);
        map_blocks(&blocks, threads_for(n * p), &mut x.data, |_, rows, out| {
            for (i, row) in rows.zip(out.chunks_exact_mut(p)) {
                for (v, column) in row.iter_mut().zip(&columns) {
                    *v = column[i];
                }
            }
        });
    }
    (x, out_terms)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn factor(name: &str, codes: Vec<usize>, levels: &[&str]) -> Covariate<'static> {
        Covariate::Factor {
            name: name.into(),
            codes,
            levels: levels.iter().map(|l| l.to_string()).collect(),
            reference: 0,
        }
    }

    #[test]
    fn factor_becomes_indicators_against_the_reference() {
        let cov = Covariate::Factor {
            name: "g".into(),
            codes: vec![0, 1, 2, 1],
            levels: vec!["a".into(), "b".into(), "c".into()],
            reference: 1,
        };
        let (x, terms) = design_matrix(&[cov], 4);
        assert_eq!(terms.iter().map(|t| t.level.clone().unwrap()).collect::<Vec<_>>(), vec!["a", "c"]);
        assert_eq!(x.data, vec![1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0]);
    }

    /// As R's `model.matrix` names and codes them: `~ x + x:g` has `x:gb`,
    /// `x:gc` (the term without `g`, `x`, is in the model), `~ x:g` alone has
    /// `x:ga`, `x:gb`, `x:gc`; `~ g + g:h` has `ga:hv`, `gb:hv`, `gc:hv`.
    #[test]
    fn interactions_follow_r_marginality_and_column_order() {
        let x = Covariate::Numeric { name: "x".into(), values: vec![1.0, 2.0, 3.0].into() };
        let g = factor("g", vec![0, 1, 2], &["a", "b", "c"]);
        let h = factor("h", vec![1, 0, 1], &["u", "v"]);
        let covs = [x, g, h];
        let names =
            |terms: &[Vec<usize>]| model_matrix(&covs, terms, 3).1.into_iter().map(|t| t.name).collect::<Vec<_>>();
        assert_eq!(names(&[vec![0], vec![1], vec![0, 1]]), ["x", "g=b", "g=c", "x:g=b", "x:g=c"]);
        assert_eq!(names(&[vec![0], vec![0, 1]]), ["x", "x:g=b", "x:g=c"]);
        assert_eq!(names(&[vec![0, 1]]), ["x:g=a", "x:g=b", "x:g=c"]);
        assert_eq!(names(&[vec![1], vec![1, 2]]), ["g=b", "g=c", "g=a:h=v", "g=b:h=v", "g=c:h=v"]);
        // Factor × factor: the first factor's columns vary fastest.
        assert_eq!(names(&[vec![1], vec![2], vec![1, 2]]), ["g=b", "g=c", "h=v", "g=b:h=v", "g=c:h=v"]);
        let (m, terms) = model_matrix(&covs, &[vec![0], vec![1], vec![0, 1]], 3);
        assert_eq!(model_columns(&covs, &[vec![0], vec![1], vec![0, 1]]), terms.len());
        assert_eq!(model_columns(&covs, &[vec![1, 2]]), 6);
        assert_eq!(terms[3].variable, "x:g");
        assert_eq!(terms[3].level.as_deref(), Some("b"));
        // x:g=b is x where g = b: (0, 2, 0).
        assert_eq!((0..3).map(|i| m.get(i, 3)).collect::<Vec<_>>(), [0.0, 2.0, 0.0]);
    }
}
