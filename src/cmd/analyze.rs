//! `sbrt analyze`: the study's full analysis of a cohort, as a report.
//!
//! Its usage is [`AnalyzeArgs`], whose doc comments `sbrt analyze --help` prints
//! (and `docs/cli.md` reproduces).

use super::inputs::{CohortInput, LoadedCohort};
use crate::cohort::read::FileType;
use crate::cohort::{load_bytes, ReadOptions};
use crate::problem::InputProblems;
use crate::progress::Progress;
use crate::report_dir::ReportDir;
use crate::study::Study;
use clap::Args;
use sha2::{Digest, Sha256};
use std::path::PathBuf;

/// The study's full analysis of a cohort: tables, figures and an HTML report.
///
/// Writes `DIR/report.html` (self-contained), each table as `.csv` and
/// `.md`, each figure as `.svg` and `.png`, `results.json` and the
/// `study.toml` used. Without `--study` the built-in study (the source
/// paper's analysis) is used; `--example` analyses the bundled synthetic
/// cohort. DIR is replaced only when the whole report is ready, and only
/// when it is empty or a previous sbrt report; files in it that sbrt did not
/// write are kept (`report_dir`).
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
    /// Column mapping (TOML): source headers renamed, values recoded.
    #[arg(long)]
    pub columns: Option<PathBuf>,
    /// Events table (.csv, or the sheet `events` of an .xlsx): adverse
    /// events by CTCAE v5.0 term and grade, and pain scores. A cohort
    /// workbook's own `events` sheet is read without it.
    #[arg(long, conflicts_with = "example")]
    pub events: Option<PathBuf>,
    /// Show progress on stderr even when it is not a terminal.
    #[arg(long)]
    pub progress: bool,
}

/// Study texts (title, labels) that hold a date-like or id-like token.
fn identifying_study_texts(
    study: &Study,
    cohort: &crate::cohort::Cohort,
    file: Option<&std::path::Path>,
) -> Vec<crate::problem::Problem> {
    use crate::cohort::identifiers::{identifying_token, KnownIds};
    let texts = study.texts();
    let ids = KnownIds::among(cohort, texts.iter().map(|(_, text)| text.as_str()));
    let name = file.map_or("built-in study".to_string(), |f| f.display().to_string());
    texts
        .into_iter()
        .filter_map(|(key, text)| {
            identifying_token(&text, &ids).map(|why| {
                crate::problem::Problem::error(
                    &name,
                    None,
                    Some(&key),
                    format!("{why}: study texts are printed in the report"),
                )
            })
        })
        .collect()
}

/// Run `sbrt analyze`.
pub fn run(args: &AnalyzeArgs) -> anyhow::Result<()> {
    let inputs: Vec<&std::path::Path> =
        args.file.iter().chain(&args.study).chain(&args.columns).chain(&args.events).map(PathBuf::as_path).collect();
    let report_dir = ReportDir::prepare(&args.out, &inputs)?;
    for notice in &report_dir.notices {
        eprintln!("note: {notice}");
    }
    let study = Study::load_or_builtin(args.study.as_deref())?;
    let progress = Progress::new(args.progress);
    let LoadedCohort { cohort, sha256 } = match &args.file {
        Some(file) => {
            progress.update(&format!("reading and validating {}", file.display()), 0, 0);
            let input = CohortInput {
                file: file.clone(),
                date_format: args.date_format.clone(),
                sheet: args.sheet.clone(),
                columns: args.columns.clone(),
                events: args.events.clone(),
            };
            input.load()?
        }
        None => {
            let csv = crate::example::CSV.as_bytes();
            let (mut cohort, _) =
                load_bytes(crate::example::NAME, FileType::Csv, csv.to_vec(), &ReadOptions::default())
                    .map_err(InputProblems)?;
            let events = crate::example::EVENTS_CSV.as_bytes().to_vec();
            let fmt = crate::cohort::date::DateFormat::Iso;
            let (events, _) = crate::cohort::events::from_bytes(
                crate::example::EVENTS_NAME,
                FileType::Csv,
                events,
                None,
                &cohort,
                &fmt,
            )
            .map_err(InputProblems)?;
            cohort.events = Some(events);
            LoadedCohort { cohort, sha256: format!("{:x}", Sha256::digest(csv)) }
        }
    };
    let mut identifying = crate::analysis_file::carried_extras(&cohort, &study.sources()).err().unwrap_or_default();
    identifying.extend(identifying_study_texts(&study, &cohort, args.study.as_deref()));
    if !identifying.is_empty() {
        return Err(InputProblems(identifying).into());
    }
    let events_sha256 = cohort.events.as_ref().map(|e| e.sha256.clone());
    let results = crate::analysis::analyze_with_progress(cohort, &study, &|stage, done, total| {
        progress.update(stage, done, total)
    })
    .map_err(|p| anyhow::anyhow!(p.join("\n")))?;
    progress.update("rendering tables and figures", 0, 0);
    let files = crate::report::render_files(&results, &study, &sha256, events_sha256.as_deref())?;
    progress.update(&format!("writing {}", args.out.display()), 0, 0);
    report_dir.commit(&files)?;
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
