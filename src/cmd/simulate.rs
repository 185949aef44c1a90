//! `sbrt simulate`: write a synthetic cohort calibrated to the source paper.
//!
//! Its usage is [`SimulateArgs`], whose doc comments `sbrt simulate --help` prints
//! (and `docs/cli.md` reproduces).

use crate::atomic::AtomicFile;
use crate::progress::Progress;
use clap::Args;
use std::path::PathBuf;

/// Write a synthetic cohort calibrated to the source paper.
///
/// The generative model is in `docs/simulation.md`. The same seed and
/// patient count always give the same file.
#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// Random seed.
    #[arg(long)]
    pub seed: u64,
    /// Number of patients.
    #[arg(long, default_value_t = 44)]
    pub patients: usize,
    /// Output CSV file.
    #[arg(long)]
    pub out: PathBuf,
    /// Also write the cohort's events table (adverse events by CTCAE term
    /// and grade, pain scores) to this CSV file.
    #[arg(long)]
    pub events_out: Option<PathBuf>,
    /// Show progress on stderr even when it is not a terminal.
    #[arg(long)]
    pub progress: bool,
}

/// Run `sbrt simulate`.
pub fn run(args: &SimulateArgs) -> anyhow::Result<()> {
    if args.patients == 0 {
        anyhow::bail!("--patients must be at least 1");
    }
    if args.events_out.as_ref() == Some(&args.out) {
        anyhow::bail!("--events-out must name another file than --out");
    }
    let mut file = AtomicFile::create(&args.out)?;
    let mut events = args.events_out.as_deref().map(AtomicFile::create).transpose()?;
    let total = args.patients;
    let progress = if total >= 100_000 || args.progress { Progress::new(args.progress) } else { Progress::hidden() };
    let report = |done| progress.update("simulating patients", done, total);
    match events.as_mut() {
        Some(e) => crate::simulate::write_cohort(file.writer(), e.writer(), args.seed, total, report)?,
        None => crate::simulate::write_cohort(file.writer(), std::io::sink(), args.seed, total, report)?,
    }
    progress.finish();
    file.commit()?;
    if let Some(e) = events {
        e.commit()?;
    }
    Ok(())
}
