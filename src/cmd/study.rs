//! `sbrt study`: show or check a study definition.
//!
//! Its usage is [`StudyArgs`], whose doc comments `sbrt study --help` prints
//! (and `docs/cli.md` reproduces).

use crate::study::{Study, BUILTIN};
use clap::Args;
use std::path::PathBuf;

/// Show (--print) or check (--check FILE) a study definition.
#[derive(Debug, Args)]
pub struct StudyArgs {
    /// Print the built-in study as TOML.
    #[arg(long, conflicts_with = "check")]
    pub print: bool,
    /// Check a study file.
    #[arg(long)]
    pub check: Option<PathBuf>,
}

/// Run `sbrt study`.
pub fn run(args: &StudyArgs) -> anyhow::Result<()> {
    match &args.check {
        Some(path) => {
            Study::load(path)?;
            println!("{}: valid study", path.display());
        }
        None if args.print => print!("{BUILTIN}"),
        None => anyhow::bail!("say --print to show the built-in study or --check FILE to check one"),
    }
    Ok(())
}
