//! Small dense symmetric algebra for the Cox model: an LDLᵀ factorisation
//! that detects redundant (aliased) columns, as R survival's `cholesky2`.
//!
//! For a symmetric non-negative definite `A` (p × p, p ≤ ~50), factor
//! `A = L D Lᵀ` column by column. A pivot `D_ii` below
//! `tol × max_j A_jj` (R's `toler.chol`, default `eps^0.75 ≈ 1.8e-12`)
//! marks column `i` as linearly dependent on the earlier ones: the pivot is
//! set to zero and the column takes no part in what follows. Solves and the
//! inverse then act on the non-redundant columns only and return zero for
//! the redundant ones, which is how R reports an aliased coefficient (NA)
//! and keeps fitting the others.

/// R's default `coxph.control()$toler.chol`, `.Machine$double.eps^0.75`.
pub const DEFAULT_TOLER_CHOL: f64 = 1.818_989_403_545_856_5e-12;

/// Row-major dense matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct Matrix {
    /// Rows.
    pub nrow: usize,
    /// Columns.
    pub ncol: usize,
    /// `nrow * ncol` values, row by row.
    pub data: Vec<f64>,
}

impl Matrix {
    /// An all-zero matrix.
    pub fn zeros(nrow: usize, ncol: usize) -> Matrix {
        Matrix { nrow, ncol, data: vec![0.0; nrow * ncol] }
    }

    /// Element `(i, j)`.
    pub fn get(&self, i: usize, j: usize) -> f64 {
        self.data[i * self.ncol + j]
    }

    /// Mutable element `(i, j)`.
    pub fn get_mut(&mut self, i: usize, j: usize) -> &mut f64 {
        &mut self.data[i * self.ncol + j]
    }

    /// Row `i` as a slice.
    pub fn row(&self, i: usize) -> &[f64] {
        &self.data[i * self.ncol..(i + 1) * self.ncol]
    }
}

/// `A = L D Lᵀ` with redundant columns flagged.
#[derive(Debug, Clone)]
pub struct Ldl {
    p: usize,
    /// Unit lower triangle (row-major, p × p); only `j < i` entries are used.
    l: Vec<f64>,
    d: Vec<f64>,
}

impl Ldl {
    /// Factor the symmetric matrix `a` (its upper triangle is read).
    pub fn factor(a: &Matrix, toler: f64) -> Ldl {
        let p = a.nrow;
        let mut m = vec![0.0; p * p];
        for i in 0..p {
            for j in i..p {
                m[j * p + i] = a.get(i, j);
            }
        }
        let max_diag = (0..p).map(|i| m[i * p + i]).fold(0.0, f64::max);
        let eps = if max_diag > 0.0 { max_diag * toler } else { toler };
        let mut d = vec![0.0; p];
        for i in 0..p {
            let pivot = m[i * p + i];
            if !pivot.is_finite() || pivot < eps {
                continue;
            }
            d[i] = pivot;
            for j in i + 1..p {
                let lji = m[j * p + i] / pivot;
                m[j * p + i] = lji;
                m[j * p + j] -= lji * lji * pivot;
                for k in j + 1..p {
                    m[k * p + j] -= lji * m[k * p + i];
                }
            }
        }
        Ldl { p, l: m, d }
    }

    /// Number of non-redundant columns.
    pub fn rank(&self) -> usize {
        self.d.iter().filter(|&&v| v > 0.0).count()
    }

    /// The pivots `D` (zero for redundant columns); `log |A| = Σ log D_i` when all are positive.
    pub fn pivots(&self) -> &[f64] {
        &self.d
    }

    /// Whether column `i` was found redundant.
    pub fn is_redundant(&self, i: usize) -> bool {
        self.d[i] == 0.0
    }

    /// Solve `A x = b` on the non-redundant columns; redundant entries of `x` are 0.
    pub fn solve(&self, b: &[f64]) -> Vec<f64> {
        let p = self.p;
        let mut x = b.to_vec();
        for i in 0..p {
            if self.d[i] == 0.0 {
                x[i] = 0.0;
                continue;
            }
            for k in 0..i {
                if self.d[k] != 0.0 {
                    x[i] -= self.l[i * p + k] * x[k];
                }
            }
        }
        for i in 0..p {
            x[i] = if self.d[i] == 0.0 { 0.0 } else { x[i] / self.d[i] };
        }
        for i in (0..p).rev() {
            if self.d[i] == 0.0 {
                continue;
            }
            for k in i + 1..p {
                if self.d[k] != 0.0 {
                    x[i] -= self.l[k * p + i] * x[k];
                }
            }
        }
        x
    }

    /// Generalised inverse: the inverse on the non-redundant columns, zero elsewhere.
    pub fn inverse(&self) -> Matrix {
        let p = self.p;
        let mut inv = Matrix::zeros(p, p);
        let mut e = vec![0.0; p];
        for j in 0..p {
            if self.d[j] == 0.0 {
                continue;
            }
            e.iter_mut().for_each(|v| *v = 0.0);
            e[j] = 1.0;
            let col = self.solve(&e);
            for i in 0..p {
                *inv.get_mut(i, j) = col[i];
            }
        }
        inv
    }
}

/// `bᵀ A⁻ b` for the generalised inverse `A⁻`, with the rank used: the
/// quadratic form of a Wald or score statistic.
pub fn quadratic_form_inverse(a: &Matrix, b: &[f64], toler: f64) -> (f64, usize) {
    let ldl = Ldl::factor(a, toler);
    let x = ldl.solve(b);
    (b.iter().zip(&x).map(|(u, v)| u * v).sum(), ldl.rank())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solves_and_inverts_a_positive_definite_matrix() {
        let a = Matrix { nrow: 2, ncol: 2, data: vec![4.0, 2.0, 2.0, 3.0] };
        let ldl = Ldl::factor(&a, DEFAULT_TOLER_CHOL);
        let x = ldl.solve(&[2.0, 1.0]);
        assert!((4.0 * x[0] + 2.0 * x[1] - 2.0).abs() < 1e-15);
        assert!((2.0 * x[0] + 3.0 * x[1] - 1.0).abs() < 1e-15);
        let inv = ldl.inverse();
        assert!((inv.get(0, 0) - 3.0 / 8.0).abs() < 1e-15);
        assert!((inv.get(0, 1) + 2.0 / 8.0).abs() < 1e-15);
    }

    #[test]
    fn flags_a_redundant_column() {
        // third column = first + second
        let a = Matrix { nrow: 3, ncol: 3, data: vec![2.0, 1.0, 3.0, 1.0, 2.0, 3.0, 3.0, 3.0, 6.0] };
        let ldl = Ldl::factor(&a, DEFAULT_TOLER_CHOL);
        assert_eq!(ldl.rank(), 2);
        assert!(ldl.is_redundant(2));
        let inv = ldl.inverse();
        assert_eq!(inv.get(2, 2), 0.0);
        assert!((inv.get(0, 0) - 2.0 / 3.0).abs() < 1e-15);
    }
}
