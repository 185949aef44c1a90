//! `sbrt derive`: write the de-identified analysis data set.
//!
//! Its usage is [`DeriveArgs`], whose doc comments `sbrt derive --help` prints
//! (and `docs/cli.md` reproduces).

use super::inputs::CohortInput;
use crate::analysis_file::{carried_extras, row_values, COLUMNS};
use crate::atomic::{refuse_overwriting_inputs, AtomicFile};
use crate::endpoints::{derive, DeriveOptions};
use crate::problem::InputProblems;
use crate::study::Study;
use clap::Args;
use std::io::Write;
use std::path::PathBuf;

/// Write the de-identified analysis data set (one row per lesion).
///
/// One row per lesion in input order, sequential `patient` and `lesion`
/// numbers, covariates and derived endpoints (see `docs/cohort.md`). No
/// dates and no identifiers: other input columns are written only when the
/// study names them as a covariate source (an allow-list), and are refused
/// when a value holds a date-like or id-like token; `--keep-ids` adds
/// `patient_id` and `lesion_id`, and so makes the file identifiable.
#[derive(Debug, Args)]
pub struct DeriveArgs {
    #[command(flatten)]
    pub input: CohortInput,
    /// Output CSV file.
    #[arg(long)]
    pub out: PathBuf,
    /// α/β ratio for BED and EQD2, Gy.
    #[arg(long, default_value_t = 5.0)]
    pub alpha_beta: f64,
    /// Count death as a PFS event (the paper counts recurrence only).
    #[arg(long)]
    pub pfs_death: bool,
    /// Also write the original patient and lesion ids: the output is then identifiable.
    #[arg(long)]
    pub keep_ids: bool,
    /// Study definition (TOML) whose covariates name the extra input columns
    /// to carry along; default: the source paper's analysis (none).
    #[arg(long)]
    pub study: Option<PathBuf>,
    /// Begin the file with a UTF-8 byte-order mark, for opening in Excel
    /// (R and Python read it without).
    #[arg(long)]
    pub excel: bool,
    /// Write the events table de-identified to this CSV file: sequential
    /// patient and lesion numbers, days and months from SBRT, acute or late
    /// (the study's `acute_days`), CTCAE term, grade, whether it counts as
    /// toxicity; pain scores with their opioid dose. Needs `--events` (or a
    /// workbook's `events` sheet).
    #[arg(long)]
    pub events_out: Option<PathBuf>,
}

/// Run `sbrt derive`.
pub fn run(args: &DeriveArgs) -> anyhow::Result<()> {
    if !(args.alpha_beta > 0.0 && args.alpha_beta.is_finite()) {
        anyhow::bail!("--alpha-beta must be a positive number of Gy, got {}", args.alpha_beta);
    }
    let inputs: Vec<&std::path::Path> =
        std::iter::once(args.input.file.as_path()).chain(args.input.events.as_deref()).collect();
    refuse_overwriting_inputs(&args.out, &inputs)?;
    if let Some(e) = &args.events_out {
        refuse_overwriting_inputs(e, &inputs)?;
        if e == &args.out {
            anyhow::bail!("--events-out must name another file than --out");
        }
    }
    let study = Study::load_or_builtin(args.study.as_deref())?;
    let cohort = args.input.load()?.cohort;
    let options =
        DeriveOptions { alpha_beta: args.alpha_beta, pfs_counts_death: args.pfs_death, ..DeriveOptions::default() };
    let rows = derive(&cohort, &options);
    let (extras, dropped) = carried_extras(&cohort, &study.sources()).map_err(InputProblems)?;
    if !dropped.is_empty() {
        eprintln!(
            "{}: {} column(s) not written, as no study covariate names them: {}",
            crate::inert::terminal(&cohort.file),
            dropped.len(),
            crate::inert::terminal(&dropped.join(", "))
        );
    }
    let mut file = AtomicFile::create(&args.out)?;
    {
        if args.excel {
            file.writer().write_all("\u{feff}".as_bytes())?;
        }
        let mut w = csv::Writer::from_writer(file.writer());
        let mut header: Vec<&str> = COLUMNS.iter().map(|c| c.name).collect();
        header.extend(extras.iter().map(|&j| cohort.extra_columns[j].as_str()));
        if args.keep_ids {
            header.extend(["patient_id", "lesion_id"]);
        }
        w.write_record(&header)?;
        for (r, lesion) in rows.iter().zip(&cohort.lesions) {
            let mut cells: Vec<String> =
                row_values(r, &options).iter().map(|v| v.as_ref().map_or(String::new(), |v| v.to_text())).collect();
            cells.extend(extras.iter().map(|&j| r.extra[j].clone().unwrap_or_default()));
            if args.keep_ids {
                cells.push(lesion.patient_id.to_string());
                cells.push(lesion.lesion_id.as_deref().unwrap_or_default().to_string());
            }
            // Cells that would start a spreadsheet formula are quoted.
            w.write_record(cells.iter().map(|c| crate::inert::csv_cell(c).into_owned()))?;
        }
        w.flush()?;
    }
    let events_file = match (&args.events_out, &cohort.events) {
        (Some(path), Some(events)) => {
            Some(write_events(path, &cohort, events, study.spine_outcomes.acute_days, args.excel)?)
        }
        (Some(_), None) => anyhow::bail!("--events-out needs an events table: give --events FILE"),
        (None, _) => None,
    };
    file.commit()?;
    eprintln!("{}: {} lesion rows written to {}", cohort.file, rows.len(), args.out.display());
    if let Some((f, n, path)) = events_file {
        f.commit()?;
        eprintln!("{}: {n} event rows written to {}", cohort.file, path.display());
    }
    Ok(())
}

/// The events, de-identified, as CSV in an uncommitted file: the file, its row count and path.
fn write_events<'a>(
    path: &'a std::path::Path,
    cohort: &crate::cohort::Cohort,
    events: &crate::cohort::events::Events,
    acute_days: u32,
    excel: bool,
) -> anyhow::Result<(AtomicFile, usize, &'a std::path::Path)> {
    use crate::event_rows::Phase;
    let derived = crate::event_rows::derive(cohort, events, acute_days);
    let mut file = AtomicFile::create(path)?;
    if excel {
        file.writer().write_all("\u{feff}".as_bytes())?;
    }
    let mut w = csv::Writer::from_writer(file.writer());
    w.write_record([
        "patient",
        "lesion",
        "days_from_sbrt",
        "months_from_sbrt",
        "phase",
        "term",
        "soc",
        "grade",
        "counted",
        "score",
        "ome_mg",
    ])?;
    let months = |days: i64| format!("{}", days as f64 / crate::endpoints::DAYS_PER_MONTH);
    for t in &derived.toxicity {
        let phase = if t.phase == Phase::Acute { "acute" } else { "late" };
        w.write_record([
            t.patient.to_string(),
            t.lesion.map(|l| l.to_string()).unwrap_or_default(),
            t.days.to_string(),
            months(t.days),
            phase.into(),
            t.term.name.clone(),
            t.term.soc.clone(),
            t.grade.to_string(),
            if t.related { "yes" } else { "no" }.into(),
            String::new(),
            String::new(),
        ])?;
    }
    for p in &derived.pain {
        w.write_record([
            p.patient.to_string(),
            p.lesion.to_string(),
            p.days.to_string(),
            months(p.days),
            String::new(),
            crate::cohort::events::PAIN_SCORE.into(),
            String::new(),
            String::new(),
            String::new(),
            format!("{}", p.score),
            p.ome_mg.map(|o| format!("{o}")).unwrap_or_default(),
        ])?;
    }
    w.flush()?;
    drop(w);
    Ok((file, derived.toxicity.len() + derived.pain.len(), path))
}
