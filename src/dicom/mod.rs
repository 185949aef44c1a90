//! DICOM-RT: the treatment plan, its dose and its structures, read from
//! the files a planning system exports.
//!
//! One module per object: [`plan`] (RT Plan: prescription, fractions,
//! beams), [`dose`] (RT Dose: the dose grid), [`structures`] (RT
//! Structure Set: planar contours of each region of interest); [`object`]
//! opens a file and reads attributes; [`index`] walks a folder tree and
//! links each plan to its dose and structure set through the references
//! between them (RT Dose → RT Plan → RT Structure Set). What the dose
//! means over a structure (volume, DVH figures) is [`crate::dosimetry`].

pub mod dose;
pub mod index;
pub mod object;
pub mod plan;
pub mod structures;
