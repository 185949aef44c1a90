//! Survival statistics that give the same answers as R's `survival`
//! package (3.5-3): Kaplan-Meier, the log-rank test and Cox regression.
//!
//! Pure functions over slices and small matrices: no I/O, no printing.
//! Each module derives its formula in its documentation and names the R
//! function it reproduces. Apply [`timefix::tie_near_equal_times`] to the
//! times first to reproduce R's default handling of near-equal times.

// Index loops mirror the matrix formulas in the module docs (sums over j, l).
#![allow(clippy::needless_range_loop)]

pub mod cluster;
pub mod competing;
pub mod concordance;
pub mod cox;
pub mod design;
pub mod dist;
pub mod error;
pub mod finegray;
mod interval;
pub mod km;
pub mod linalg;
pub mod logrank;
mod parallel;
mod prefetch;
pub mod radix;
pub mod rmst;
pub mod timefix;

pub use error::Error;
pub use interval::Interval;

/// Serialise a count held as a number (a sum of case weights) as an integer
/// when it is one, so unweighted counts read `19`, not `19.0`.
#[cfg(feature = "serde")]
fn serialize_count<S: serde::Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        s.serialize_i64(*v as i64)
    } else {
        s.serialize_f64(*v)
    }
}
