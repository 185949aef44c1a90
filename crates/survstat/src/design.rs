//! Model matrices from numeric and categorical covariates, with
//! treatment contrasts as R's default `contr.treatment`: a factor with
//! levels `l_0 (reference), l_1, ..., l_{k-1}` becomes k - 1 indicator
//! columns `[level == l_j]`, and its coefficients compare each level with
//! the reference.

use crate::linalg::Matrix;

/// One covariate of a model.
#[derive(Debug, Clone, PartialEq)]
pub enum Covariate {
    /// A numeric column, entered as it is.
    Numeric {
        /// Variable name.
        name: String,
        /// One value per observation.
        values: Vec<f64>,
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

/// A column of the model matrix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// The covariate it comes from.
    pub variable: String,
    /// The level it indicates, for a factor.
    pub level: Option<String>,
    /// Index of the covariate in the list given to [`design_matrix`].
    pub covariate: usize,
}

/// Expand the covariates into an n × p matrix and its column descriptions.
pub fn design_matrix(covariates: &[Covariate], n: usize) -> (Matrix, Vec<Term>) {
    let mut terms = Vec::new();
    let mut columns: Vec<Vec<f64>> = Vec::new();
    for (index, cov) in covariates.iter().enumerate() {
        match cov {
            Covariate::Numeric { name, values } => {
                terms.push(Term { variable: name.clone(), level: None, covariate: index });
                columns.push(values.clone());
            }
            Covariate::Factor { name, codes, levels, reference } => {
                for (l, label) in levels.iter().enumerate().filter(|(l, _)| l != reference) {
                    terms.push(Term { variable: name.clone(), level: Some(label.clone()), covariate: index });
                    columns.push(codes.iter().map(|&c| if c == l { 1.0 } else { 0.0 }).collect());
                }
            }
        }
    }
    let p = columns.len();
    let mut x = Matrix::zeros(n, p);
    for (j, col) in columns.iter().enumerate() {
        for (i, v) in col.iter().enumerate() {
            *x.get_mut(i, j) = *v;
        }
    }
    (x, terms)
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
