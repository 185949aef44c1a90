//! sbrt-outcomes: outcomes research for stereotactic body radiotherapy.
//!
//! Data flows one way: read the cohort ([`cohort`]), validate it, derive
//! endpoints ([`endpoints`]), analyse with the `survstat` engine, render.
//! The `sbrt` binary is a thin command line over [`cmd`].

pub mod analysis;
pub mod analysis_file;
pub mod atomic;
pub mod cmd;
pub mod cohort;
pub mod csv_table;
pub mod dicom;
pub mod dosimetry;
pub mod endpoints;
pub mod event_rows;
pub mod example;
pub mod inert;
pub mod json;
pub mod large_pages;
pub mod limits;
pub mod model_text;
pub mod parallel_map;
pub mod problem;
pub mod progress;
pub mod radiobiology;
pub mod report;
pub mod report_dir;
pub mod results;
pub mod rng;
pub mod simulate;
pub mod study;
pub mod summary;
pub mod survival_data;
