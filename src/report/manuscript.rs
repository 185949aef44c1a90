//! The report as Word documents: `report.docx` for the manuscript (title,
//! methods, the paper's tables with their figures, in the HTML report's
//! order) and `supplement.docx` for the reviewer (the Robustness section),
//! so that the manuscript stays short. Written by [`super::docx`].

use super::docx::{Document, Picture};
use super::png::Png;
use super::table::Table;
use crate::study::Study;

/// A figure ready for a document: its file stem, caption and raster.
pub struct DocFigure {
    /// File stem (`figure1`, `forest_lc`, `lc_competing`).
    pub id: String,
    /// Caption.
    pub caption: String,
    /// The PNG at the study's resolution.
    pub png: Png,
}

fn add_figure(doc: &mut Document, f: &DocFigure) {
    let p = &f.png;
    doc.figure(&Picture { png: &p.bytes, pixels: p.pixels, dpi: p.dpi, caption: &f.caption });
}

/// `report.docx`: title, methods, the paper's tables and figures.
pub fn report(study: &Study, methods: &str, tables: &[Table], figures: &[DocFigure]) -> anyhow::Result<Vec<u8>> {
    let mut doc = Document::new();
    doc.title(&study.title);
    doc.heading("Methods");
    doc.paragraph(methods);
    let table = |id: &str| tables.iter().find(|t| t.id == id);
    doc.heading("Results");
    for id in ["table1", "table2", "outcomes"] {
        if let Some(t) = table(id) {
            doc.table(t);
        }
    }
    let paper_figure = |f: &&DocFigure| {
        !super::is_robustness_figure(&f.id) && !super::is_spine_figure(&f.id) && !f.id.starts_with("forest_")
    };
    for f in figures.iter().filter(paper_figure) {
        add_figure(&mut doc, f);
    }
    for id in ["table3", "table4"] {
        if let Some(t) = table(id) {
            doc.table(t);
        }
    }
    for f in figures.iter().filter(|f| f.id.starts_with("forest_")) {
        add_figure(&mut doc, f);
    }
    if let Some(t) = table("table5") {
        doc.table(t);
    }
    for t in tables.iter().filter(|t| super::spine_tables::is_spine_table(&t.id)) {
        doc.table(t);
        if t.id == "vcf" {
            for f in figures.iter().filter(|f| super::is_spine_figure(&f.id)) {
                add_figure(&mut doc, f);
            }
        }
    }
    doc.finish()
}

/// `supplement.docx`: the Robustness section's figures and tables.
pub fn supplement(study: &Study, tables: &[Table], figures: &[DocFigure]) -> anyhow::Result<Vec<u8>> {
    let mut doc = Document::new();
    doc.title(&format!("{}: supplementary analyses", study.title));
    doc.paragraph("Analyses a statistical reviewer asks for, beyond the paper's methods (each can be turned off in the study's [robustness] table).");
    for f in figures.iter().filter(|f| super::is_robustness_figure(&f.id)) {
        add_figure(&mut doc, f);
    }
    for t in tables.iter().filter(|t| t.id.starts_with("robust_")) {
        doc.table(t);
    }
    doc.finish()
}
