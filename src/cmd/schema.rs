//! `sbrt schema`: print the cohort file's columns as a Markdown table.
//!
//! ```text
//! sbrt schema
//! ```

/// Run `sbrt schema`.
pub fn run() -> anyhow::Result<()> {
    print!("{}", crate::cohort::schema::markdown_table());
    Ok(())
}
