//! Outputs are inert (issue 11, part 3; red-team F3, F4, F5, F16): text from
//! the cohort cannot become HTML in a Markdown table, split a Markdown cell,
//! start a spreadsheet formula in a CSV, or forge a line on the terminal.

mod common;
use common::{root, sbrt, scratch};

use std::path::{Path, PathBuf};

const PAYLOADS: [&str; 7] = [
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(1)>",
    r"back\|slash",
    "=HYPERLINK(\"http://x\",\"y\")",
    "+sum(1,2)",
    "-2+3",
    "@cmd",
];

/// The example cohort with an extra column `code` holding each payload for
/// one patient, and a study that carries it (a covariate from it) and puts
/// the payloads in its labels, the free text that reaches the tables (a
/// histology is from a controlled vocabulary, so it cannot carry them).
fn injected(dir: &Path) -> (PathBuf, PathBuf) {
    let text = std::fs::read_to_string(root().join("examples/spine_sarcoma_synthetic.csv")).unwrap();
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let mut headers: Vec<String> = rdr.headers().unwrap().iter().map(str::to_string).collect();
    headers.push("code".into());
    let p = headers.iter().position(|c| c == "patient_id").unwrap();
    let path = dir.join("inj.csv");
    let mut w = csv::Writer::from_path(&path).unwrap();
    w.write_record(&headers).unwrap();
    let mut patients: Vec<String> = Vec::new();
    for rec in rdr.records() {
        let rec = rec.unwrap();
        let pid = rec[p].to_string();
        if !patients.contains(&pid) {
            patients.push(pid.clone());
        }
        let k = patients.iter().position(|x| *x == pid).unwrap();
        let mut cells: Vec<String> = rec.iter().map(str::to_string).collect();
        cells.push(PAYLOADS.get(k).map_or("plain".to_string(), |s| s.to_string()));
        w.write_record(&cells).unwrap();
    }
    w.flush().unwrap();
    let toml_string = |s: &str| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
    let levels: Vec<String> =
        PAYLOADS.iter().map(|p| format!("{{ label = {}, values = [{}] }}", toml_string(p), toml_string(p))).collect();
    let covariate = format!(
        "\n[[covariate]]\nid = \"code\"\nlabel = {}\nsource = \"code\"\nkind = \"categorical\"\nlevels = [{}]\nothers = \"Plain\"\n",
        toml_string(PAYLOADS[0]),
        levels.join(", ")
    );
    let study_text = sbrt::study::BUILTIN
        .replacen("\"sex\", \"age\"", "\"code\", \"sex\", \"age\"", 1)
        .replace("label = \"Gender\"", &format!("label = {}", toml_string(PAYLOADS[2])));
    let study = dir.join("study.toml");
    std::fs::write(&study, format!("{study_text}{covariate}")).unwrap();
    (path, study)
}

/// The cells of a Markdown table row as GFM splits them: on every `|` not
/// preceded by a backslash.
fn gfm_cells(line: &str) -> usize {
    let b = line.as_bytes();
    (0..b.len()).filter(|&i| b[i] == b'|' && (i == 0 || b[i - 1] != b'\\')).count()
}

#[test]
fn markdown_tables_hold_no_markup_and_no_split_cells() {
    let dir = scratch("md");
    let out = dir.join("rep");
    let (cohort, study) = injected(&dir);
    let o = sbrt(&[
        "analyze",
        cohort.to_str().unwrap(),
        "--study",
        study.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let md = std::fs::read_to_string(out.join("table3.md")).unwrap();
    for tag in ["<script", "<img", "<svg"] {
        assert!(!md.to_lowercase().contains(tag), "{tag} in table1.md:\n{md}");
    }
    let rows: Vec<&str> = md.lines().filter(|l| l.starts_with('|')).collect();
    let width = gfm_cells(rows[0]);
    for r in &rows {
        assert_eq!(gfm_cells(r), width, "a cell split in: {r}");
    }
    assert!(md.contains("slash"), "{md}");
    // The CSV tables carry a byte-order mark and no formula.
    let csv = std::fs::read_to_string(out.join("table3.csv")).unwrap();
    assert!(csv.starts_with('\u{feff}'));
    for rec in csv::Reader::from_reader(csv.trim_start_matches('\u{feff}').as_bytes()).records() {
        for cell in rec.unwrap().iter() {
            let c = cell.trim_start();
            assert!(!c.starts_with(['=', '+', '@']), "formula cell '{cell}'");
        }
    }
}

#[test]
fn the_derived_file_has_no_cell_that_starts_a_formula() {
    let dir = scratch("derive");
    let out = dir.join("d.csv");
    let (cohort, study) = injected(&dir);
    let o =
        sbrt(&["derive", cohort.to_str().unwrap(), "--study", study.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(!text.starts_with('\u{feff}'), "no byte-order mark unless --excel");
    let mut formulas = 0;
    for rec in csv::Reader::from_reader(text.as_bytes()).records() {
        for cell in rec.unwrap().iter() {
            let c = cell.trim_start();
            if c.starts_with(['=', '+', '-', '@', '\t', '\r']) && c.parse::<f64>().is_err() {
                formulas += 1;
            }
        }
    }
    assert_eq!(formulas, 0, "{text}");
    assert!(text.contains("'=HYPERLINK"), "the payload is kept as text");
    let excel = dir.join("e.csv");
    let o = sbrt(&[
        "derive",
        cohort.to_str().unwrap(),
        "--study",
        study.to_str().unwrap(),
        "--excel",
        "--out",
        excel.to_str().unwrap(),
    ]);
    assert!(o.status.success());
    assert!(std::fs::read_to_string(&excel).unwrap().starts_with('\u{feff}'));
}

#[test]
fn validate_cannot_be_made_to_print_a_forged_line_or_a_control_character() {
    let dir = scratch("terminal");
    let path = dir.join("forge.csv");
    let text = std::fs::read_to_string(root().join("examples/spine_sarcoma_synthetic.csv")).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    // A sex cell holding a newline, a forged problem line and a screen-clearing escape.
    assert!(lines[0].starts_with("patient_id,sex,"));
    let mut cells: Vec<String> = lines[1].split(',').map(str::to_string).collect();
    cells[1] = "\"M\nforge.csv:99:patient_id: error: FORGED LINE\u{1b}[2J\"".into();
    lines[1] = cells.join(",");
    std::fs::write(&path, lines.join("\n")).unwrap();
    let o = sbrt(&["validate", path.to_str().unwrap()]);
    let shown = String::from_utf8_lossy(&o.stdout);
    assert!(!o.status.success());
    assert!(!shown.contains('\u{1b}'), "{shown}");
    assert!(!shown.lines().any(|l| l.starts_with("forge.csv:99")), "{shown}");
}

#[test]
fn text_output_of_the_engine_commands_escapes_control_characters_in_labels() {
    let dir = scratch("labels");
    let path = dir.join("g.csv");
    let mut s = String::from("t,e,g\n");
    for i in 0..20 {
        let g = if i % 2 == 0 { "\"a\u{1b}[2J\nfake:1:x: error: FORGED\"" } else { "b" };
        s.push_str(&format!("{},{},{g}\n", 1 + i, i % 3 == 0));
    }
    std::fs::write(&path, s.replace("true", "1").replace("false", "0")).unwrap();
    for cmd in ["km", "logrank"] {
        let o = sbrt(&[cmd, path.to_str().unwrap(), "--time", "t", "--event", "e", "--group", "g"]);
        assert!(o.status.success(), "{cmd}: {}", String::from_utf8_lossy(&o.stderr));
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(!out.contains('\u{1b}'), "{cmd}: {out}");
        assert!(!out.lines().any(|l| l.starts_with("fake:1")), "{cmd}: {out}");
    }
}
