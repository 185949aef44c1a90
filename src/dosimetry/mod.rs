//! Dose over structures: the volume a set of planar contours encloses, the
//! dose sampled inside it, and the dose-volume figures a plan is judged by.
//!
//! [`contours`] is the geometry (areas, slabs, which points a plane's
//! contours enclose); [`dvh`] samples a dose grid inside a structure and
//! reduces the samples to figures (Dmin, Dmax, Dmean, D95, D0.035cc,
//! D1.2cc, V100); [`plan_figures`] picks a plan's structures by role
//! (target, spinal cord, ...) and gives their figures; [`cohort_match`]
//! puts a plan's figures on the cohort's lesion rows. Nothing here reads a
//! file: the objects come from [`crate::dicom`].

pub mod cohort_match;
pub mod contours;
pub mod dvh;
pub mod plan_figures;
