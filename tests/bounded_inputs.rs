//! Bounded everything (issue 11, part 4; red-team F8, F9, F10, F17): a tiny
//! input never aborts the process or takes memory out of proportion. Each
//! case ran out of memory, aborted or ran for minutes before.

mod common;
use common::{root, sbrt, scratch};

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output};

fn sbrt_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_sbrt"));
    c.args(args).current_dir(root());
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// A minimal workbook whose first sheet holds `sheet_data` (the XML inside
/// `<sheetData>`), deflated.
fn workbook(path: &Path, sheet_data: &str) {
    let f = std::fs::File::create(path).unwrap();
    let mut zip = zip::ZipWriter::new(f);
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let parts = [
        ("[Content_Types].xml", r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#.to_string()),
        ("_rels/.rels", r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_string()),
        ("xl/workbook.xml", r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#.to_string()),
        ("xl/_rels/workbook.xml.rels", r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#.to_string()),
        ("xl/worksheets/sheet1.xml", format!(r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{sheet_data}</sheetData></worksheet>"#)),
    ];
    for (name, body) in parts {
        zip.start_file(name, opts).unwrap();
        zip.write_all(body.as_bytes()).unwrap();
    }
    zip.finish().unwrap();
}

fn inline(cell: &str, text: &str) -> String {
    format!(r#"<c r="{cell}" t="inlineStr"><is><t>{text}</t></is></c>"#)
}

#[test]
fn a_value_in_the_last_cell_of_a_sheet_allocates_nothing_for_the_cells_between() {
    // X_bigref: one value at XFD1048576 aborted with a 512 GiB allocation.
    let dir = scratch("bigref");
    let path = dir.join("bigref.xlsx");
    let header: String = ["patient_id", "sbrt_date"]
        .iter()
        .enumerate()
        .map(|(k, h)| inline(&format!("{}1", (b'A' + k as u8) as char), h))
        .collect();
    workbook(&path, &format!(r#"<row r="1">{header}</row><row r="1048576">{}</row>"#, inline("XFD1048576", "x")));
    let o = sbrt(&["validate", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("right of the last header column"), "{}", text(&o));
}

#[test]
fn a_workbook_that_inflates_beyond_the_limit_is_refused_before_reading() {
    // X_bomb_ws_1g: 1 MB of zip, 1 GB of XML; here 3 MB of XML against a 1 MB limit.
    let dir = scratch("bomb");
    let path = dir.join("bomb.xlsx");
    workbook(&path, &format!(r#"<row r="1">{}</row>{}"#, inline("A1", "patient_id"), " ".repeat(3 << 20)));
    assert!(std::fs::metadata(&path).unwrap().len() < 1 << 20);
    let o = sbrt_env(&["validate", path.to_str().unwrap()], &[("SBRT_MAX_INPUT_MB", "1")]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("inflates to more than 1 MB"), "{}", text(&o));
}

#[test]
fn problems_are_listed_up_to_a_bound_and_counted_in_full() {
    // M_oneline5mb and M_rowsp9: millions of problems held and printed.
    let dir = scratch("problems");
    let header = dir.join("header.csv");
    std::fs::write(&header, "a,".repeat(200_000) + "a\n").unwrap();
    let o = sbrt(&["validate", header.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("200001 columns"), "{}", &text(&o)[..text(&o).len().min(500)]);
    let rows = dir.join("rows.csv");
    let head = std::fs::read_to_string(root().join("examples/spine_sarcoma_synthetic.csv")).unwrap();
    let mut body = head.lines().next().unwrap().to_string() + "\n";
    body.push_str(&"P9\n".repeat(50_000));
    std::fs::write(&rows, body).unwrap();
    let o = sbrt(&["validate", rows.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.lines().count() <= 1001, "{} lines", out.lines().count());
    assert!(out.contains("more problem(s) not listed"), "{}", out.lines().last().unwrap());
    // The total counts every problem: 50,000 rows × 2 missing required values (the dates).
    assert!(String::from_utf8_lossy(&o.stderr).contains("100000 error(s)"), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn group_factor_and_strata_counts_are_capped() {
    // G02, G05, G08: 10^5 groups aborted, 5,000 factor levels never finished.
    let dir = scratch("groups");
    let path = dir.join("many.csv");
    let mut s = String::from("t,e,g,x\n");
    for i in 0..20_000 {
        s.push_str(&format!("{},{},{},{}\n", 1 + i % 97, i % 2, i, i % 5000));
    }
    std::fs::write(&path, s).unwrap();
    let p = path.to_str().unwrap();
    for args in [
        vec!["logrank", p, "--time", "t", "--event", "e", "--group", "g"],
        vec!["km", p, "--time", "t", "--event", "e", "--group", "g"],
        vec!["cuminc", p, "--time", "t", "--status", "e", "--group", "g"],
        vec!["cox", p, "--time", "t", "--event", "e", "--covariates", "x", "--factor", "x"],
    ] {
        let o = sbrt(&args);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        assert!(text(&o).contains("distinct values"), "{args:?}: {}", text(&o));
    }
}

#[test]
fn a_study_with_many_landmarks_or_control_characters_is_refused() {
    // TA_landmarks (4.7 GB), S02/S06/S07 (control characters in labels).
    let dir = scratch("study");
    let many = dir.join("many.toml");
    let list: Vec<String> = (1..=2000).map(|k| format!("{k}.0")).collect();
    std::fs::write(
        &many,
        sbrt::study::BUILTIN
            .replace("landmarks_months = [12.0, 24.0, 36.0]", &format!("landmarks_months = [{}]", list.join(", "))),
    )
    .unwrap();
    let o = sbrt(&["study", "--check", many.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("landmarks_months: lists 2000 times"), "{}", text(&o));
    let control = dir.join("control.toml");
    std::fs::write(&control, sbrt::study::BUILTIN.replacen("title = \"", "title = \"\\u001b[2J", 1)).unwrap();
    let o = sbrt(&["study", "--check", control.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("title: holds a control character"), "{}", text(&o));
}
