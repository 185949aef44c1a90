//! Reliability and data safety: planted identifiers never reach an output,
//! extreme and degenerate data never produce NaN or infinity without a
//! warning, dropped rows are counted and explained, oversized inputs fail
//! at once.

mod common;
use common::{files, root, sbrt, scratch};

use serde_json::Value;

#[test]
fn canary_identifiers_names_and_dates_never_reach_an_output() {
    let dir = scratch("canary");
    let text = std::fs::read_to_string(root().join("examples/spine_sarcoma_synthetic.csv")).unwrap();
    let mut lines: Vec<String> = Vec::new();
    let mut canaries: Vec<String> = Vec::new();
    for (k, line) in text.lines().enumerate() {
        if k == 0 {
            lines.push(format!("{line},patient_name,mrn,chemo_date"));
            continue;
        }
        let mut cells: Vec<String> = line.split(',').map(str::to_string).collect();
        let pid = format!("QXCANARY{}", cells[0]);
        let lid = format!("QXLESION{}", cells[8]);
        cells[0] = pid.clone();
        cells[8] = lid.clone();
        let name = format!("Qxname Canarysson{k}");
        let mrn = format!("MRN-QX{:06}", 900_000 + k);
        let chemo = format!("2011-{:02}-{:02}", 1 + k % 12, 1 + k % 27);
        cells.extend([name.clone(), mrn.clone(), chemo.clone()]);
        canaries.extend([pid, lid, name, mrn, chemo]);
        // Every date of the input, in ISO and day/month/year forms.
        for c in cells.iter().filter(|c| c.len() == 10 && c.as_bytes()[4] == b'-') {
            let (y, m, d) = (&c[0..4], &c[5..7], &c[8..10]);
            canaries.extend([c.clone(), format!("{d}/{m}/{y}"), format!("{m}/{d}/{y}")]);
        }
        lines.push(cells.join(","));
    }
    canaries.sort();
    canaries.dedup();
    let input = dir.join("cohort.csv");
    std::fs::write(&input, lines.join("\n") + "\n").unwrap();
    let out_dir = dir.join("outputs");
    std::fs::create_dir_all(&out_dir).unwrap();
    let derived = out_dir.join("analysis.csv");
    let o = sbrt(&["derive", input.to_str().unwrap(), "--out", derived.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let report = out_dir.join("report");
    let o = sbrt(&["analyze", input.to_str().unwrap(), "--out", report.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let written = files(&out_dir);
    assert!(written.len() > 40, "{} files", written.len());
    for f in &written {
        let bytes = std::fs::read(f).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        for c in &canaries {
            assert!(!text.contains(c.as_str()), "{} contains the canary '{c}'", f.display());
        }
    }
    // Only an explicit --keep-ids brings the ids back, and only into derive's file.
    let keep = out_dir.join("identifiable.csv");
    assert!(sbrt(&["derive", input.to_str().unwrap(), "--out", keep.to_str().unwrap(), "--keep-ids"]).status.success());
    assert!(std::fs::read_to_string(&keep).unwrap().contains("QXCANARYP0001"));
}

/// Run a command that prints JSON; return it, or `None` when it failed cleanly.
fn json_or_clean_error(args: &[&str]) -> Option<Value> {
    let o = sbrt(args);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!err.contains("panicked") && !err.contains("backtrace"), "{args:?}: {err}");
    if !o.status.success() {
        assert!(!err.trim().is_empty(), "{args:?} failed without a message");
        return None;
    }
    let text = String::from_utf8_lossy(&o.stdout);
    // Valid JSON cannot hold NaN or infinities: parsing proves every number finite.
    assert!(!text.contains("NaN"), "{args:?}: {text}");
    Some(serde_json::from_str(&text).unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {text}")))
}

/// A null estimate in a Cox fit must come with a warning that says why.
fn nulls_are_explained(v: &Value) {
    let terms = v["terms"].as_array().unwrap();
    if terms.iter().any(|t| t["coef"].is_null() || t["se"].is_null() || t["hr_upper"].is_null()) {
        assert!(!v["warnings"].as_array().unwrap().is_empty(), "null without a warning: {v}");
    }
}

#[test]
fn extreme_and_degenerate_data_give_numbers_or_reasons() {
    let dir = scratch("numeric");
    let write = |name: &str, text: String| {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p.to_str().unwrap().to_string()
    };
    let mut cases: Vec<(String, Vec<String>)> = Vec::new();
    // Times from 1e-9 to 1e9, covariates of 1e8.
    let mut t = String::from("t,e,x,g\n");
    for i in 0..40 {
        let time = if i % 2 == 0 { 1e-9 * (i + 1) as f64 } else { 1e9 * (i + 1) as f64 };
        t.push_str(&format!("{time},{},{},{}\n", i % 3 != 0, 1e8 * ((i * 7) % 5) as f64, i % 2));
    }
    cases.push((write("extreme.csv", t), vec!["x".into()]));
    // Thousands of ties at one time.
    let mut t = String::from("t,e,x,g\n");
    for i in 0..3000 {
        t.push_str(&format!("{},{},{},{}\n", if i < 2500 { 5.0 } else { 7.0 }, i % 2, (i % 10) as f64, i % 3));
    }
    cases.push((write("ties.csv", t), vec!["x".into()]));
    // n = 1 and n = 2.
    cases.push((write("one.csv", "t,e,x,g\n3,1,1,a\n".into()), vec!["x".into()]));
    cases.push((write("two.csv", "t,e,x,g\n3,1,1,a\n4,0,2,b\n".into()), vec!["x".into()]));
    // Perfectly separated groups: every event in group a before any in b.
    let mut t = String::from("t,e,x,g\n");
    for i in 0..30 {
        t.push_str(&format!("{},{},{},{}\n", i + 1, 1, if i < 15 { 1 } else { 0 }, if i < 15 { "a" } else { "b" }));
    }
    cases.push((write("separated.csv", t.clone()), vec!["x".into()]));
    // A group with no events at all (monotone likelihood), and near-collinear covariates.
    let mut t = String::from("t,e,x,g,x2\n");
    for i in 0..40 {
        let x = (i % 7) as f64;
        t.push_str(&format!("{},{},{x},{},{}\n", i + 1, i % 2 == 0 && i % 4 != 0, i % 4, x + 1e-12 * (i % 3) as f64));
    }
    cases.push((write("nearcollinear.csv", t), vec!["x".into(), "x2".into(), "g".into()]));
    for (file, covs) in &cases {
        for args in [
            vec!["km", file, "--time", "t", "--event", "e", "--group", "g", "--at", "1,1e9", "--json"],
            vec!["logrank", file, "--time", "t", "--event", "e", "--group", "g", "--json"],
        ] {
            json_or_clean_error(&args);
        }
        let covs = covs.join(",");
        for extra in [&[][..], &["--firth"][..], &["--zph"][..]] {
            let mut args =
                vec!["cox", file.as_str(), "--time", "t", "--event", "e", "--covariates", covs.as_str(), "--json"];
            args.extend(extra);
            if let Some(v) = json_or_clean_error(&args) {
                nulls_are_explained(&v);
            }
        }
    }
}

#[test]
fn every_dropped_row_is_counted_and_explained() {
    let dir = scratch("dropped");
    let f = dir.join("gaps.csv");
    std::fs::write(&f, "t,e,x\n1,1,2\n2,,3\nNA,1,1\n4,0,\n5,1,2\n6,0,1\n").unwrap();
    let o = sbrt(&[
        "cox",
        f.to_str().unwrap(),
        "--time",
        "t",
        "--event",
        "e",
        "--covariates",
        "x",
        "--json",
        "--explain-dropped",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["n"].as_u64().unwrap() + v["n_dropped"].as_u64().unwrap(), 6, "totals reconcile with the input");
    let err = String::from_utf8_lossy(&o.stderr);
    for line in
        [":3: dropped: missing e", ":4: dropped: missing t", ":5: dropped: missing x", "6 rows read, 3 used, 3 dropped"]
    {
        assert!(err.contains(line), "{err}");
    }
}

#[test]
fn an_input_larger_than_the_limit_fails_at_once() {
    let dir = scratch("huge");
    let f = dir.join("huge.csv");
    // A sparse 2 GB file: no disk used, but far above the 1 GB limit.
    std::fs::File::create(&f).unwrap().set_len(2 << 30).unwrap();
    for args in [vec!["validate", f.to_str().unwrap()], vec!["km", f.to_str().unwrap(), "--time", "t", "--event", "e"]]
    {
        let o = sbrt(&args);
        assert!(!o.status.success());
        assert!(
            String::from_utf8_lossy(&o.stderr).contains("above the 1024 MB input limit")
                || String::from_utf8_lossy(&o.stdout).contains("above the 1024 MB input limit")
        );
    }
    let _ = std::fs::remove_file(&f);
}

/// Inputs that crashed a fuzz target, kept as regressions.
#[test]
fn fuzz_findings_fail_cleanly() {
    let o = sbrt(&["validate", "tests/data/fuzz_regressions/calamine_overflow.xlsx"]);
    assert!(!o.status.success());
    let out = String::from_utf8_lossy(&o.stdout);
    let err = String::from_utf8_lossy(&o.stderr);
    // calamine's cell-reference overflow panics where overflow checks are on
    // (debug builds: caught, "not a readable .xlsx workbook") and wraps to
    // a bad range where they are off (release builds): a clean error either way.
    assert!(
        out.contains("calamine_overflow.xlsx: error: not a readable .xlsx workbook")
            || out.contains("calamine_overflow.xlsx: error: cannot read sheet 'cohort'"),
        "{out}"
    );
    assert!(!err.contains("panicked") && !err.contains("backtrace"), "{err}");
}
