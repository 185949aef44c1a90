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
    /// Show progress on stderr even when it is not a terminal.
    #[arg(long)]
    pub progress: bool,
}

/// Run `sbrt simulate`.
pub fn run(args: &SimulateArgs) -> anyhow::Result<()> {
    if args.patients == 0 {
        anyhow::bail!("--patients must be at least 1");
    }
    let mut file = AtomicFile::create(&args.out)?;
    let total = args.patients;
    let progress = if total >= 100_000 || args.progress { Progress::new(args.progress) } else { Progress::hidden() };
    crate::simulate::write_cohort(file.writer(), args.seed, total, |done| {
        progress.update("simulating patients", done, total)
    })?;
    progress.finish();
    file.commit()?;
    Ok(())
}
