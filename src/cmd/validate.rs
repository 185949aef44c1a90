//! `sbrt validate`: check a cohort file and report every problem.
//!
//! ```text
//! sbrt validate FILE [--date-format FMT] [--sheet NAME]
//! ```
//!
//! Prints one line per problem, `file:row:column: error|warning: message`,
//! and a summary; exits non-zero when there is any error.

use crate::cohort::date::DateFormat;
use crate::cohort::{load, ReadOptions};
use crate::problem::{InputProblems, Severity};
use clap::Args;
use std::path::PathBuf;

/// Options shared by every command that reads a cohort file.
#[derive(Debug, Args, Clone)]
pub struct CohortInput {
    /// Cohort file (.csv or .xlsx), one row per treated lesion.
    pub file: PathBuf,
    /// Format of date text that is not YYYY-MM-DD, e.g. %d/%m/%Y.
    #[arg(long)]
    pub date_format: Option<String>,
    /// Excel sheet to read (default: the first).
    #[arg(long)]
    pub sheet: Option<String>,
}

impl CohortInput {
    /// The reading options, or a problem with the date format.
    pub fn options(&self) -> Result<ReadOptions, InputProblems> {
        let date_format = match &self.date_format {
            None => DateFormat::Iso,
            Some(p) => {
                DateFormat::parse_pattern(p).map_err(|m| super::usage_problem(&self.file.display().to_string(), m))?
            }
        };
        Ok(ReadOptions { date_format, sheet: self.sheet.clone() })
    }

    /// Load and validate; the first warnings are printed to stderr (all of
    /// them with `sbrt validate`), errors returned.
    pub fn load(&self) -> anyhow::Result<crate::cohort::Cohort> {
        const SHOWN: usize = 20;
        let (cohort, warnings) = load(&self.file, &self.options()?).map_err(InputProblems)?;
        for w in warnings.iter().take(SHOWN) {
            eprintln!("{w}");
        }
        if warnings.len() > SHOWN {
            eprintln!(
                "{}: {} more warning(s) not shown; `sbrt validate` lists them all",
                self.file.display(),
                warnings.len() - SHOWN
            );
        }
        Ok(cohort)
    }
}

/// Validate a cohort file.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    pub input: CohortInput,
}

/// Run `sbrt validate`.
pub fn run(args: &ValidateArgs) -> anyhow::Result<()> {
    match load(&args.input.file, &args.input.options()?) {
        Ok((cohort, warnings)) => {
            for w in &warnings {
                println!("{w}");
            }
            let patients: std::collections::HashSet<&str> =
                cohort.lesions.iter().map(|l| l.patient_id.as_str()).collect();
            println!(
                "{}: valid: {} lesions of {} patients, {} warning(s)",
                cohort.file,
                cohort.lesions.len(),
                patients.len(),
                warnings.len()
            );
            Ok(())
        }
        Err(problems) => {
            let errors = problems.iter().filter(|p| p.severity == Severity::Error).count();
            for p in &problems {
                println!("{p}");
            }
            anyhow::bail!("{}: {errors} error(s), {} warning(s)", args.input.file.display(), problems.len() - errors)
        }
    }
}
