//! `sbrt study`: show or check a study definition.
//!
//! ```text
//! sbrt study --print            # the built-in study (the source paper's analysis)
//! sbrt study --check FILE.toml  # report every problem of a study file
//! ```

use crate::study::{Study, BUILTIN};
use clap::Args;
use std::path::PathBuf;

/// Study definitions.
#[derive(Debug, Args)]
pub struct StudyArgs {
    /// Print the built-in study as TOML.
    #[arg(long, conflicts_with = "check")]
    pub print: bool,
    /// Check a study file.
    #[arg(long)]
    pub check: Option<PathBuf>,
}

/// Read and check a study file.
pub fn load(path: &std::path::Path) -> anyhow::Result<Study> {
    const MAX_STUDY_BYTES: u64 = 1 << 20;
    let size = std::fs::metadata(path).map_err(|e| anyhow::anyhow!("{}: cannot read: {e}", path.display()))?.len();
    if size > MAX_STUDY_BYTES {
        anyhow::bail!("{}: the study file is {size} bytes; a study file is at most 1 MB", path.display());
    }
    let text = std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("{}: cannot read: {e}", path.display()))?;
    Study::parse(&text, &path.display().to_string()).map_err(|p| anyhow::anyhow!(p.join("\n")))
}

/// The study file given, or the built-in study (the source paper's analysis).
pub fn load_or_builtin(path: Option<&std::path::Path>) -> anyhow::Result<Study> {
    path.map_or_else(|| Ok(Study::builtin()), load)
}

/// Run `sbrt study`.
pub fn run(args: &StudyArgs) -> anyhow::Result<()> {
    match &args.check {
        Some(path) => {
            load(path)?;
            println!("{}: valid study", path.display());
        }
        None if args.print => print!("{BUILTIN}"),
        None => anyhow::bail!("say --print to show the built-in study or --check FILE to check one"),
    }
    Ok(())
}
