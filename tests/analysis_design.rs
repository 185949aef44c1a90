//! An analysis design that cannot mislead (issue 11, part 7): per-patient
//! PFS and OS beside the paper's lesion-level rows, Table 5 compared per
//! patient, lesions treated after progression counted, Table 2 with Unknown
//! rows that make each block add up, one labelled p-value per term.

mod common;
use common::{analyze_example_with, root, sbrt, scratch};

/// The percentages of the rows under `heading` in a Markdown table.
fn block_percentages(md: &str, heading: &str) -> Vec<f64> {
    let mut out = Vec::new();
    let mut inside = false;
    for line in md.lines().filter(|l| l.starts_with('|')) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if cells.len() < 3 {
            continue;
        }
        if !cells[1].starts_with("&nbsp;") {
            inside = cells[1] == heading;
            continue;
        }
        if inside {
            if let Some(p) = cells[2].split('(').nth(1).and_then(|s| s.strip_suffix("%)")) {
                out.push(p.parse().unwrap());
            }
        }
    }
    out
}

/// Analyse the example with the study `text` in `dir`: the report
/// directory, its results.json and the R reference of the study.
fn analyze_example_and_read(
    dir: &std::path::Path,
    text: &str,
) -> (std::path::PathBuf, serde_json::Value, serde_json::Value) {
    let out = analyze_example_with(dir, text);
    let read = |p: std::path::PathBuf| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
    };
    (out.clone(), read(out.join("results.json")), read(root().join("tests/reference/study.json")))
}

#[test]
fn table2_blocks_add_up_with_unknown_rows() {
    let dir = scratch("unknown");
    let text = std::fs::read_to_string(root().join("examples/spine_sarcoma_synthetic.csv")).unwrap();
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let headers = rdr.headers().unwrap().clone();
    let col = |n: &str| headers.iter().position(|h| h == n).unwrap();
    let path = dir.join("gaps.csv");
    let mut w = csv::Writer::from_path(&path).unwrap();
    w.write_record(&headers).unwrap();
    for (k, rec) in rdr.records().enumerate() {
        let mut cells: Vec<String> = rec.unwrap().iter().map(str::to_string).collect();
        if k % 7 == 0 {
            for c in ["disease_status", "extent", "levels", "prior_surgery", "prior_rt"] {
                cells[col(c)] = String::new();
            }
        }
        w.write_record(&cells).unwrap();
    }
    w.flush().unwrap();
    let out = dir.join("rep");
    let o = sbrt(&["analyze", path.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let md = std::fs::read_to_string(out.join("table2.md")).unwrap();
    for heading in [
        "Spinal disease status",
        "Site of lesions",
        "Treated vertebral level",
        "Extent of disease at the time of treatment",
    ] {
        let p = block_percentages(&md, heading);
        let sum: f64 = p.iter().sum();
        assert!((sum - 100.0).abs() < 0.5, "{heading}: {p:?} adds to {sum}\n{md}");
    }
    assert!(md.contains("Surgery unknown"), "{md}");
}

#[test]
fn per_patient_survival_stands_beside_the_lesion_level_rows() {
    let dir = scratch("per-patient");
    let out = dir.join("rep");
    assert!(sbrt(&["analyze", "--example", "--out", out.to_str().unwrap()]).status.success());
    let md = std::fs::read_to_string(out.join("outcomes.md")).unwrap();
    assert!(md.contains("Overall survival (per patient, from first SBRT, n = 44, events = 26)"), "{md}");
    assert!(md.contains("Progression-free survival (per patient, from first SBRT, n = 44"), "{md}");
    assert!(md.contains("9 of 77 lesions were treated after the patient had already progressed"), "{md}");
    // Table 5 compares this cohort's per-patient OS with the published series.
    let t5 = std::fs::read_to_string(out.join("table5.md")).unwrap();
    let row = t5.lines().find(|l| l.starts_with("| This cohort")).unwrap();
    assert!(row.ends_with("| 1-year 73.5% |"), "{row}");
    // One p-value per two-level term in the multivariable column.
    let t3 = std::fs::read_to_string(out.join("table3.md")).unwrap();
    let level_rows: Vec<&str> = t3.lines().filter(|l| l.starts_with("| &nbsp;&nbsp;2–3")).collect();
    assert!(level_rows.iter().all(|l| l.trim_end().ends_with("|  |")), "{level_rows:?}");
    assert!(t3.contains("Multivariable p: the likelihood-ratio test of each term"), "{t3}");
}

#[test]
fn lesion_rows_may_start_at_their_own_sbrt_as_r_computes_it() {
    let dir = scratch("origin");
    let text = sbrt::study::BUILTIN
        .replace(
            "id = \"pfs\"\nlabel = \"Progression-free survival\"\nunit = \"lesion\"",
            "id = \"pfs\"\nlabel = \"Progression-free survival\"\nunit = \"lesion\"\norigin = \"lesion_sbrt\"",
        )
        .replace(
            "id = \"os\"\nlabel = \"Overall survival\"\nunit = \"lesion\"",
            "id = \"os\"\nlabel = \"Overall survival\"\nunit = \"lesion\"\norigin = \"lesion_sbrt\"",
        );
    assert_eq!(text.matches("\norigin = \"lesion_sbrt\"").count(), 2);
    let (out, got, reference) = analyze_example_and_read(&dir, &text);
    for id in ["pfs", "os"] {
        let ep = got["results"]["endpoints"].as_array().unwrap().iter().find(|e| e["id"] == id).unwrap();
        let r = &reference["origin_lesion"][id];
        assert_eq!(ep["overall"]["n"], r["n"], "{id} n");
        for k in 0..3 {
            let (a, e) = (ep["overall"]["landmarks"][k]["surv"].as_f64().unwrap(), r["landmarks"][k].as_f64().unwrap());
            assert!(((a - e) / e).abs() < 1e-6, "{id} landmark {k}: sbrt {a} vs R {e}");
        }
    }
    let md = std::fs::read_to_string(out.join("outcomes.md")).unwrap();
    assert!(md.contains("from their own SBRT they have no PFS and are left out of it"), "{md}");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("measured from the SBRT of each lesion"), "methods paragraph");
    // A lesion origin on a per-patient endpoint is a study error naming the key.
    let bad = dir.join("bad.toml");
    std::fs::write(
        &bad,
        sbrt::study::BUILTIN.replace(
            "id = \"lc\"\nlabel = \"Local control\"\nunit = \"lesion\"",
            "id = \"lc\"\nlabel = \"Local control\"\nunit = \"lesion\"\norigin = \"lesion_sbrt\"",
        ),
    )
    .unwrap();
    let o = sbrt(&["study", "--check", bad.to_str().unwrap()]);
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("endpoint[0] (lc).origin"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// A landmark analysis of OS from 6 months: rows with death or censoring at
/// or before it are left out and counted, time restarts at the landmark;
/// the rates agree with R on the same subset (tests/reference/study.R), and
/// the report says what was done.
#[test]
fn landmark_analysis_agrees_with_r_and_is_reported() {
    let dir = scratch("landmark");
    let text = sbrt::study::BUILTIN.replace(
        "id = \"os\"\nlabel = \"Overall survival\"\nunit = \"lesion\"",
        "id = \"os\"\nlabel = \"Overall survival\"\nunit = \"lesion\"\nlandmark_months = 6.0",
    );
    assert!(text.contains("landmark_months = 6.0"));
    let (out, got, reference) = analyze_example_and_read(&dir, &text);
    let r = &reference["landmark_os"];
    let os = got["results"]["endpoints"].as_array().unwrap().iter().find(|e| e["id"] == "os").unwrap();
    assert_eq!(os["landmark_months"], 6.0);
    for (curve, r) in [(&os["overall"], r), (&os["per_patient"], &r["per_patient"])] {
        assert_eq!(curve["n"], r["n"]);
        for k in 0..3 {
            let (a, e) = (curve["landmarks"][k]["surv"].as_f64().unwrap(), r["landmarks"][k].as_f64().unwrap());
            assert!(((a - e) / e).abs() < 1e-6, "landmark {k}: sbrt {a} vs R {e}");
        }
    }
    let left_out = format!("{} rows with an event or censoring at or before it are left out", r["left_out"]);
    let warnings = got["results"]["warnings"].to_string();
    assert!(warnings.contains(&left_out), "{warnings}");
    let md = std::fs::read_to_string(out.join("outcomes.md")).unwrap();
    assert!(md.contains("from the 6-month landmark"), "{md}");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("OS was analysed from a landmark at 6 months"), "methods paragraph");
    // A landmark on local control, or not a positive number, is a study error naming the key.
    let bad = dir.join("bad.toml");
    let text = sbrt::study::BUILTIN.replace(
        "id = \"lc\"\nlabel = \"Local control\"\nunit = \"lesion\"",
        "id = \"lc\"\nlabel = \"Local control\"\nunit = \"lesion\"\nlandmark_months = -1.0",
    );
    std::fs::write(&bad, text).unwrap();
    let err = String::from_utf8_lossy(&sbrt(&["study", "--check", bad.to_str().unwrap()]).stderr).to_string();
    assert!(err.contains("endpoint[0] (lc).landmark_months: must be a positive number"), "{err}");
    assert!(err.contains("endpoint[0] (lc).landmark_months: applies to PFS and OS"), "{err}");
}
