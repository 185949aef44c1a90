//! Radiobiological dose conversions with the linear-quadratic (LQ) model.
//!
//! For a total dose `D` (Gy) in `n` fractions of `d = D/n` Gy and a tissue
//! ratio `α/β` (Gy):
//!
//! ```text
//! BED  = n d (1 + d / (α/β))
//! EQD2 = BED / (1 + 2 / (α/β))
//! ```
//!
//! (Fowler, Br J Radiol 1989;62:679-694.) The source paper uses `α/β = 5`
//! for the tumour (BED₅). Doses prescribed to an isodose line `p` % imply a
//! maximum dose `D / (p/100)` inside the target; its BED uses `d_max = D_max/n`.
//!
//! The LQ model is trusted up to a dose per fraction of roughly 10-18 Gy:
//! above that it is argued to overestimate cell kill (Kirkpatrick, Meyer &
//! Marks, Semin Radiat Oncol 2008;18:240-243), while others find it
//! reasonable up to about 15-18 Gy (Brenner, Semin Radiat Oncol
//! 2008;18:234-239). sbrt warns above [`LQ_TRUSTED_MAX_DOSE_PER_FRACTION`].

/// Dose per fraction (Gy) above which a warning says the LQ model is extrapolated.
pub const LQ_TRUSTED_MAX_DOSE_PER_FRACTION: f64 = 15.0;

/// A prescription and the doses derived from it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prescription {
    /// Total prescribed dose, Gy.
    pub dose_gy: f64,
    /// Number of fractions.
    pub fractions: u32,
}

impl Prescription {
    /// Dose per fraction, Gy.
    pub fn dose_per_fraction(&self) -> f64 {
        self.dose_gy / self.fractions as f64
    }

    /// Biologically effective dose for the given α/β.
    pub fn bed(&self, alpha_beta: f64) -> f64 {
        self.dose_gy * (1.0 + self.dose_per_fraction() / alpha_beta)
    }

    /// Equivalent dose in 2-Gy fractions for the given α/β.
    pub fn eqd2(&self, alpha_beta: f64) -> f64 {
        self.bed(alpha_beta) / (1.0 + 2.0 / alpha_beta)
    }

    /// The maximum-dose prescription implied by an isodose line (percent).
    pub fn at_maximum(&self, isodose_pct: f64) -> Prescription {
        Prescription { dose_gy: self.dose_gy / (isodose_pct / 100.0), fractions: self.fractions }
    }

    /// Whether the dose per fraction is beyond where the LQ model is usually trusted.
    pub fn beyond_lq_range(&self) -> bool {
        self.dose_per_fraction() > LQ_TRUSTED_MAX_DOSE_PER_FRACTION
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paper_median_prescription() {
        // 33 Gy in 3 fractions, α/β = 5: BED = 33 (1 + 11/5) = 105.6 Gy₅.
        let p = Prescription { dose_gy: 33.0, fractions: 3 };
        assert!((p.bed(5.0) - 105.6).abs() < 1e-12);
        assert!((p.eqd2(5.0) - 105.6 / 1.4).abs() < 1e-12);
        assert!((p.at_maximum(75.0).dose_gy - 44.0).abs() < 1e-12);
        assert!(!p.beyond_lq_range());
    }

    #[test]
    fn paper_extremes() {
        // 18 Gy/1 fx: 18 (1 + 18/5) = 82.8; 24 Gy/1 fx flagged beyond the LQ range.
        assert!((Prescription { dose_gy: 18.0, fractions: 1 }.bed(5.0) - 82.8).abs() < 1e-12);
        assert!(Prescription { dose_gy: 24.0, fractions: 1 }.beyond_lq_range());
    }
}
