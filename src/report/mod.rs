//! Writing an analysis to its output directory: `report.html`,
//! `report.docx` and `supplement.docx`, each table as `.csv` and `.md`, each
//! figure as `.svg` and `.png` (at the study's `figure_dpi`),
//! `results.json` and the `study.toml` used, rendered in memory;
//! [`crate::report_dir`] puts them in place.

pub mod canvas;
pub mod docx;
pub mod forest;
pub mod format;
pub mod html;
pub mod km_figure;
pub mod literature;
pub mod manuscript;
pub mod methods;
pub mod palette;
pub mod paper_tables;
pub mod pdf;
pub mod png;
pub mod robustness_tables;
pub mod spine_tables;
pub mod table;
pub mod tiff;

use crate::results::Results;
use crate::study::Study;
use serde::Serialize;
use table::Table;

/// The results with the tables as printed.
#[derive(Serialize)]
struct ResultsWithTables<'a> {
    #[serde(flatten)]
    results: &'a Results,
    tables: &'a [Table],
}

/// What results.json holds.
#[derive(Serialize)]
struct ResultsFile<'a> {
    software: &'a str,
    version: &'a str,
    input_sha256: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    events_sha256: Option<&'a str>,
    study: &'a Study,
    results: ResultsWithTables<'a>,
}

/// Whether a figure belongs to the Robustness section (the HTML report's
/// last section, `supplement.docx`).
pub fn is_robustness_figure(id: &str) -> bool {
    id.starts_with("lc_competing")
}

/// Whether a figure belongs to the toxicity, fracture, pain and failure
/// section (the HTML report's section after the paper's).
pub fn is_spine_figure(id: &str) -> bool {
    id.starts_with("vcf_")
}

/// Every table of the report, in order: the paper's, the toxicity,
/// fracture, pain and failure section's, then the Robustness section's.
pub fn tables(results: &Results, study: &Study) -> Vec<Table> {
    let mut tables = paper_tables::all(results, study);
    tables.extend(spine_tables::all(results, study));
    tables.extend(robustness_tables::all(results, study));
    tables
}

/// A figure's files — SVG, PNG at the study's resolution, TIFF when asked,
/// PDF — each drawn once from `canvas`; its picture for the Word documents
/// goes to `doc_figures`, and its block for the HTML report is returned.
fn figure_files(
    id: &str,
    caption: &str,
    canvas: &canvas::Canvas,
    study: &Study,
    files: &mut Vec<(String, Vec<u8>)>,
    doc_figures: &mut Vec<manuscript::DocFigure>,
) -> anyhow::Result<html::FigureBlock> {
    let svg = canvas.to_svg();
    let pixmap = png::rasterise(&svg, study.figure_dpi)?;
    let png = png::encode(&pixmap, study.figure_dpi)?;
    files.push((format!("{id}.png"), png.bytes.clone()));
    if study.figure_style.tiff {
        files.push((format!("{id}.tiff"), tiff::from_pixmap(&pixmap, study.figure_dpi)));
    }
    files.push((format!("{id}.svg"), svg.clone().into_bytes()));
    files.push((format!("{id}.pdf"), pdf::render(canvas)?));
    doc_figures.push(manuscript::DocFigure { id: id.into(), caption: caption.into(), png });
    Ok(html::FigureBlock { id: id.into(), svg, caption: caption.into() })
}

/// The report's files, by name; `input_sha256` of the cohort file, `events_sha256` of the events table.
pub fn render_files(
    results: &Results,
    study: &Study,
    input_sha256: &str,
    events_sha256: Option<&str>,
) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let tables = tables(results, study);
    for t in &tables {
        files.push((format!("{}.csv", t.id), t.to_csv().into_bytes()));
        files.push((format!("{}.md", t.id), t.to_markdown().into_bytes()));
    }
    let mut doc_figures = Vec::new();
    let mut km_blocks = Vec::new();
    for f in &results.figures {
        let canvas = km_figure::render(f, &study.figure_style, study.p_values);
        km_blocks.push(figure_files(&f.id, &f.title, &canvas, study, &mut files, &mut doc_figures)?);
    }
    let mut forest_blocks = Vec::new();
    for ep in &results.endpoints {
        let title = format!("{}: multivariable Cox model", ep.label);
        if let Some(canvas) = forest::render(&title, &ep.model, study.conf_level, &study.figure_style, study.p_values) {
            let (id, caption) =
                (format!("forest_{}", ep.id.name()), format!("{title}: hazard ratios of the retained terms."));
            forest_blocks.push(figure_files(&id, &caption, &canvas, study, &mut files, &mut doc_figures)?);
        }
    }
    let methods = methods::paragraph(study, methods::SpineSections::of(results));
    files.push(("report.docx".into(), manuscript::report(study, &methods, &tables, &doc_figures)?));
    files.push(("supplement.docx".into(), manuscript::supplement(study, &tables, &doc_figures)?));
    files.push((
        "report.html".into(),
        html::report(results, &tables, study, &methods, input_sha256, &km_blocks, &forest_blocks).into_bytes(),
    ));
    let json = ResultsFile {
        software: "sbrt-outcomes",
        version: env!("CARGO_PKG_VERSION"),
        input_sha256,
        events_sha256,
        study,
        results: ResultsWithTables { results, tables: &tables },
    };
    files.push(("results.json".into(), serde_json::to_vec_pretty(&json)?));
    files.push(("study.toml".into(), toml::to_string(study)?.into_bytes()));
    Ok(files)
}
