//! `sbrt analyze`: the study's full analysis of a cohort, as a report.
//!
//! ```text
//! sbrt analyze FILE [--study study.toml] --out DIR [--date-format FMT] [--sheet NAME]
//! sbrt analyze --example --out DIR
//! ```
//!
//! Writes `DIR/report.html` (self-contained), each table as `.csv` and
//! `.md`, each figure as `.svg` and `.png`, `results.json` and the
//! `study.toml` used. Without `--study` the built-in study (the source
//! paper's analysis) is used; `--example` analyses the bundled synthetic
//! cohort. DIR is replaced only when the whole report is ready.

use super::validate::CohortInput;
use crate::cohort::{load, ReadOptions};
use crate::problem::InputProblems;
use crate::progress::Progress;
use crate::study::Study;
use clap::Args;
use sha2::{Digest, Sha256};
use std::path::PathBuf;

/// The bundled synthetic cohort (`examples/spine_sarcoma_synthetic.csv`).
pub const EXAMPLE_CSV: &str = include_str!("../../examples/spine_sarcoma_synthetic.csv");

/// Analyse a cohort.
#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// Cohort file (.csv or .xlsx); omit with --example.
    #[arg(required_unless_present = "example", conflicts_with = "example")]
    pub file: Option<PathBuf>,
    /// Analyse the bundled synthetic cohort.
    #[arg(long)]
    pub example: bool,
    /// Study definition (TOML); default: the source paper's analysis.
    #[arg(long)]
    pub study: Option<PathBuf>,
    /// Output directory.
    #[arg(long)]
    pub out: PathBuf,
    /// Format of date text that is not YYYY-MM-DD, e.g. %d/%m/%Y.
    #[arg(long)]
    pub date_format: Option<String>,
    /// Excel sheet to read (default: the first).
    #[arg(long)]
    pub sheet: Option<String>,
    /// Show progress on stderr even when it is not a terminal.
    #[arg(long)]
    pub progress: bool,
}

/// Run `sbrt analyze`.
pub fn run(args: &AnalyzeArgs) -> anyhow::Result<()> {
    crate::report::check_destination(&args.out)?;
    let study = match &args.study {
        Some(p) => super::study::load(p)?,
        None => Study::builtin(),
    };
    let progress = Progress::new(args.progress);
    let (cohort, bytes) = match &args.file {
        Some(file) => {
            progress.update(&format!("reading and validating {}", file.display()), 0, 0);
            let input =
                CohortInput { file: file.clone(), date_format: args.date_format.clone(), sheet: args.sheet.clone() };
            crate::atomic::refuse_overwriting_inputs(&args.out, &[file])?;
            let bytes = std::fs::read(file).map_err(|e| anyhow::anyhow!("{}: cannot read: {e}", file.display()))?;
            (input.load()?, bytes)
        }
        None => {
            // The example is embedded so that `--example` works from any directory.
            let dir = std::env::temp_dir().join(format!("sbrt-example-{}", std::process::id()));
            std::fs::create_dir_all(&dir)?;
            let path = dir.join("spine_sarcoma_synthetic.csv");
            std::fs::write(&path, EXAMPLE_CSV)?;
            let loaded = load(&path, &ReadOptions::default());
            let _ = std::fs::remove_dir_all(&dir);
            let (cohort, _) = loaded.map_err(InputProblems)?;
            (cohort, EXAMPLE_CSV.as_bytes().to_vec())
        }
    };
    let sha = format!("{:x}", Sha256::digest(&bytes));
    let results = crate::analysis::analyze_with_progress(&cohort, &study, &|stage, done, total| {
        progress.update(stage, done, total)
    })
    .map_err(|p| anyhow::anyhow!(p.join("\n")))?;
    progress.update("rendering tables and figures", 0, 0);
    let files = crate::report::render_files(&results, &study, &sha)?;
    progress.update(&format!("writing {}", args.out.display()), 0, 0);
    crate::report::write_dir(&args.out, &files)?;
    progress.finish();
    eprintln!(
        "{} lesions of {} patients analysed; {} files written to {} (open {}/report.html)",
        results.n_lesions,
        results.n_patients,
        files.len(),
        args.out.display(),
        args.out.display()
    );
    Ok(())
}
