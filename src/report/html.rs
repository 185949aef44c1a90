//! The self-contained HTML report: every table and figure inline (SVG), no
//! script, no external resource, and a Content-Security-Policy that
//! forbids loading anything, so opening it makes no network request.

use super::canvas::escape;
use super::table::Table;
use crate::results::Results;
use crate::study::Study;
use std::fmt::Write;

/// A figure placed in the report.
pub struct FigureBlock {
    /// The figure's file stem (Robustness figures start with `lc_competing`).
    pub id: String,
    /// The SVG document.
    pub svg: String,
    /// Caption.
    pub caption: String,
}

const STYLE: &str = "body{font-family:'Liberation Sans',Arial,Helvetica,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#111;line-height:1.45}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:1em 0;font-size:.9em}caption{text-align:left;font-weight:bold;padding:.4em 0}
th,td{border-bottom:1px solid #ddd;padding:.25em .6em;text-align:left;vertical-align:top}th{background:#f3f3f3}th.group{text-align:center}
td.i1{padding-left:1.8em}td.i2{padding-left:3.2em}.note{font-size:.85em;color:#444}
figure{margin:1.5em 0}figure svg{max-width:100%;height:auto}figcaption{font-size:.9em;color:#333}
.warn{background:#fff6e0;border-left:4px solid #e69f00;padding:.5em 1em}.meta{font-size:.85em;color:#555}";

/// A table as HTML.
pub fn table_html(t: &Table) -> String {
    let mut s = format!("<table id=\"{}\"><caption>{}</caption><thead>", escape(&t.id), escape(&t.title));
    for row in &t.groups {
        s.push_str("<tr>");
        for (text, span) in row {
            let _ = write!(s, "<th colspan=\"{span}\" class=\"group\">{}</th>", escape(text));
        }
        s.push_str("</tr>");
    }
    s.push_str("<tr>");
    for c in &t.heads {
        let _ = write!(s, "<th>{}</th>", escape(c));
    }
    s.push_str("</tr></thead><tbody>");
    for r in &t.rows {
        s.push_str("<tr>");
        for (k, c) in r.cells.iter().enumerate() {
            if k == 0 && r.indent > 0 {
                let _ = write!(s, "<td class=\"i{}\">{}</td>", r.indent.min(2), escape(c));
            } else {
                let _ = write!(s, "<td>{}</td>", escape(c));
            }
        }
        s.push_str("</tr>");
    }
    s.push_str("</tbody></table>");
    for n in &t.notes {
        let _ = write!(s, "<p class=\"note\">{}</p>", escape(n));
    }
    s
}

fn figure_html(f: &FigureBlock) -> String {
    format!("<figure>{}<figcaption>{}</figcaption></figure>", f.svg.trim_end(), escape(&f.caption))
}

/// The whole report.
pub fn report(
    results: &Results,
    tables: &[Table],
    study: &Study,
    methods: &str,
    input_sha256: &str,
    km_figures: &[FigureBlock],
    forests: &[FigureBlock],
) -> String {
    let mut s = String::new();
    s.push_str("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">");
    s.push_str("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">");
    s.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
    let _ = write!(s, "<title>{}</title><style>{STYLE}</style></head><body>", escape(&study.title));
    let _ = write!(s, "<h1>{}</h1>", escape(&study.title));
    let _ = write!(
        s,
        "<p class=\"meta\">sbrt-outcomes {} · {} patients, {} lesions · input SHA-256 <code>{}</code></p>",
        env!("CARGO_PKG_VERSION"),
        results.n_patients,
        results.n_lesions,
        escape(input_sha256)
    );
    if !results.warnings.is_empty() {
        s.push_str("<div class=\"warn\"><strong>Warnings</strong><ul>");
        for w in &results.warnings {
            let _ = write!(s, "<li>{}</li>", escape(w));
        }
        s.push_str("</ul></div>");
    }
    let _ = write!(s, "<h2>Methods</h2><p id=\"methods\">{}</p>", escape(methods));
    let table = |id: &str| tables.iter().find(|t| t.id == id);
    s.push_str("<h2>Patients and treatment</h2>");
    for id in ["table1", "table2"] {
        if let Some(t) = table(id) {
            s.push_str(&table_html(t));
        }
    }
    s.push_str("<h2>Outcomes</h2>");
    if let Some(t) = table("outcomes") {
        s.push_str(&table_html(t));
    }
    let robust_figure = |f: &&FigureBlock| super::is_robustness_figure(&f.id);
    let spine_figure = |f: &&FigureBlock| super::is_spine_figure(&f.id);
    for f in km_figures.iter().filter(|f| !robust_figure(f) && !spine_figure(f)) {
        s.push_str(&figure_html(f));
    }
    s.push_str("<h2>Prognostic factors</h2>");
    for id in ["table3", "table4"] {
        if let Some(t) = table(id) {
            s.push_str(&table_html(t));
        }
    }
    for f in forests {
        s.push_str(&figure_html(f));
    }
    s.push_str("<h2>Comparison with published series</h2>");
    if let Some(t) = table("table5") {
        s.push_str(&table_html(t));
    }
    let spine: Vec<&Table> = tables.iter().filter(|t| super::spine_tables::is_spine_table(&t.id)).collect();
    if !spine.is_empty() {
        s.push_str("<h2>Toxicity, fracture, pain and patterns of failure</h2><p>What spine SBRT papers report besides survival (turn each off in the study's [spine_outcomes] table).</p>");
        for t in spine {
            s.push_str(&table_html(t));
            if t.id == "vcf" {
                for f in km_figures.iter().filter(spine_figure) {
                    s.push_str(&figure_html(f));
                }
            }
        }
    }
    let robust: Vec<&Table> = tables.iter().filter(|t| t.id.starts_with("robust_")).collect();
    if !robust.is_empty() {
        s.push_str("<h2>Robustness</h2><p>Analyses a statistical reviewer asks for, beyond the paper's methods (turn each off in the study's [robustness] table).</p>");
        for f in km_figures.iter().filter(robust_figure) {
            s.push_str(&figure_html(f));
        }
        for t in robust {
            s.push_str(&table_html(t));
        }
    }
    s.push_str("<p class=\"meta\">Generated by sbrt-outcomes. No patient identifiers or dates from the input appear in this report. All numbers are in results.json.</p>");
    s.push_str("</body></html>\n");
    s
}
