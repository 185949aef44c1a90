//! The rules of `docs/architecture.md` that can be read off the source,
//! checked so that a change that breaks one fails here rather than in a
//! later review: render code does not import the analysis, table text is
//! built in `report/` only, a subcommand does not import another, and the
//! engine does no I/O.

mod common;
use common::root;
use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`, with its text.
fn sources(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(sources(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).unwrap();
            out.push((path, text));
        }
    }
    out
}

/// The lines of `files` that contain any of `needles`, as `path:line: text`.
fn offending(files: &[(PathBuf, String)], needles: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for (path, text) in files {
        for (k, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            if needles.iter().any(|n| code.contains(n)) {
                out.push(format!("{}:{}: {}", path.display(), k + 1, line.trim()));
            }
        }
    }
    out
}

#[test]
fn render_code_does_not_import_the_analysis() {
    let report = sources(&root().join("src/report"));
    let found = offending(&report, &["crate::analysis", "super::analysis"]);
    assert!(found.is_empty(), "report/ reads results, never analysis/:\n{}", found.join("\n"));
}

#[test]
fn table_text_is_built_in_report_only() {
    let mut others = sources(&root().join("src/analysis"));
    others.extend(sources(&root().join("src/results")));
    let found = offending(&others, &["Table::new", "report::", "count_pct", "p_value("]);
    assert!(found.is_empty(), "tables are built in report/:\n{}", found.join("\n"));
}

#[test]
fn no_subcommand_imports_another() {
    let cmd = sources(&root().join("src/cmd"));
    let names: Vec<String> = cmd
        .iter()
        .filter_map(|(p, _)| p.file_stem().map(|s| s.to_string_lossy().to_string()))
        .filter(|n| !["mod", "inputs", "print"].contains(&n.as_str()))
        .collect();
    let needles: Vec<String> = names
        .iter()
        .flat_map(|n| [format!("super::{n}::"), format!("crate::cmd::{n}::"), format!("cmd::{n}::")])
        .collect();
    let files: Vec<(PathBuf, String)> = cmd.into_iter().filter(|(p, _)| !p.ends_with("mod.rs")).collect();
    let found = offending(&files, &needles.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(found.is_empty(), "subcommands share cmd/inputs.rs and cmd/print.rs only:\n{}", found.join("\n"));
}

#[test]
fn the_engine_does_no_io_and_prints_nothing() {
    let engine = sources(&root().join("crates/survstat/src"));
    let found = offending(&engine, &["std::fs", "std::io", "println!", "eprintln!", "print!("]);
    assert!(found.is_empty(), "survstat is pure:\n{}", found.join("\n"));
}
