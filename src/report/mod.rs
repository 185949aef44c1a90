//! Writing an analysis to its output directory: `report.html`, each table
//! as `.csv` and `.md`, each figure as `.svg` and `.png`, `results.json`
//! and the `study.toml` used. Everything is written into a temporary
//! sibling directory first and moved into place only when complete, so a
//! failed run leaves the output directory as it was.

pub mod forest;
pub mod html;
pub mod km_figure;
pub mod methods;
pub mod png;
pub mod svg;

use crate::analysis::Results;
use crate::study::Study;
use anyhow::{bail, Context};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Marker file that identifies a directory as an sbrt report (safe to replace).
pub const MARKER: &str = "results.json";

/// Check before any work that `out` may be written: absent, empty, or a previous report.
pub fn check_destination(out: &Path) -> anyhow::Result<()> {
    if !out.exists() {
        return Ok(());
    }
    if !out.is_dir() {
        bail!("{} exists and is not a directory", out.display());
    }
    let empty = std::fs::read_dir(out).with_context(|| format!("cannot read {}", out.display()))?.next().is_none();
    if !empty && !out.join(MARKER).exists() {
        bail!("{} is not empty and does not hold an sbrt report: choose a new or empty directory", out.display());
    }
    Ok(())
}

fn sibling(out: &Path, tag: &str) -> PathBuf {
    let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "report".into());
    out.with_file_name(format!(".{name}.{tag}-{}", std::process::id()))
}

/// What results.json holds.
#[derive(Serialize)]
struct ResultsFile<'a> {
    software: &'a str,
    version: &'a str,
    input_sha256: &'a str,
    study: &'a Study,
    results: &'a Results,
}

/// The report's files, by name.
pub fn render_files(results: &Results, study: &Study, input_sha256: &str) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for t in &results.tables {
        files.push((format!("{}.csv", t.id), t.to_csv().into_bytes()));
        files.push((format!("{}.md", t.id), t.to_markdown().into_bytes()));
    }
    let mut km_blocks = Vec::new();
    for f in &results.figures {
        let svg = km_figure::render(f);
        files.push((format!("{}.png", f.id), png::render(&svg, 2.0)?));
        files.push((format!("{}.svg", f.id), svg.clone().into_bytes()));
        km_blocks.push(html::FigureBlock { id: f.id.clone(), svg, caption: f.title.clone() });
    }
    let mut forest_blocks = Vec::new();
    for ep in &results.endpoints {
        let title = format!("{}: multivariable Cox model", ep.label);
        if let Some(svg) = forest::render(&title, &ep.model, study.conf_level) {
            let id = format!("forest_{}", ep.id);
            files.push((format!("{id}.png"), png::render(&svg, 2.0)?));
            files.push((format!("{id}.svg"), svg.clone().into_bytes()));
            forest_blocks.push(html::FigureBlock {
                id,
                svg,
                caption: format!("{title}: hazard ratios of the retained terms."),
            });
        }
    }
    let methods = methods::paragraph(study);
    files.push((
        "report.html".into(),
        html::report(results, study, &methods, input_sha256, &km_blocks, &forest_blocks).into_bytes(),
    ));
    let json =
        ResultsFile { software: "sbrt-outcomes", version: env!("CARGO_PKG_VERSION"), input_sha256, study, results };
    files.push((MARKER.into(), serde_json::to_vec_pretty(&json)?));
    files.push(("study.toml".into(), toml::to_string(study)?.into_bytes()));
    Ok(files)
}

/// Write the files into `out`, replacing a previous report atomically.
pub fn write_dir(out: &Path, files: &[(String, Vec<u8>)]) -> anyhow::Result<()> {
    check_destination(out)?;
    let staging = sibling(out, "partial");
    let result = (|| -> anyhow::Result<()> {
        std::fs::create_dir_all(&staging).with_context(|| format!("cannot create {}", staging.display()))?;
        for (name, bytes) in files {
            std::fs::write(staging.join(name), bytes).with_context(|| format!("cannot write {name}"))?;
        }
        if out.exists() {
            let old = sibling(out, "previous");
            std::fs::rename(out, &old)
                .with_context(|| format!("cannot move the previous report {} aside", out.display()))?;
            if let Err(e) = std::fs::rename(&staging, out) {
                let _ = std::fs::rename(&old, out);
                return Err(e).with_context(|| format!("cannot move the report into {}", out.display()));
            }
            let _ = std::fs::remove_dir_all(&old);
        } else {
            std::fs::rename(&staging, out).with_context(|| format!("cannot move the report into {}", out.display()))?;
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    result
}
