//! `sbrt schema`: print the cohort file's columns as a Markdown table.
//!
//! Its usage is [`SchemaArgs`], whose doc comments `sbrt schema --help` prints
//! (and `docs/cli.md` reproduces).

/// Print the cohort file's columns (a Markdown table, as `docs/cohort.md` shows it).
#[derive(Debug, clap::Args)]
pub struct SchemaArgs {}

/// Run `sbrt schema`.
pub fn run() -> anyhow::Result<()> {
    print!("{}", crate::cohort::schema::markdown_table());
    Ok(())
}
