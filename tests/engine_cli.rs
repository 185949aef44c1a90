//! Command-line behaviour of `km`, `logrank` and `cox` on degenerate and
//! bad input: clear results or clear errors, never a panic, NaN or backtrace.

use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, Output};

fn write_csv(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sbrt-engine-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn sbrt(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sbrt")).args(args).env("RUST_BACKTRACE", "1").output().unwrap()
}

fn json_of(out: &Output) -> Value {
    assert!(out.status.success(), "failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).to_string()
}

fn assert_clean_failure(out: &Output, needle: &str) {
    assert!(!out.status.success());
    let err = stderr(out);
    assert!(err.contains(needle), "stderr lacks '{needle}': {err}");
    assert!(!err.contains("panicked") && !err.contains("stack backtrace"), "{err}");
}

#[test]
fn no_events_is_a_clear_error_for_logrank_and_cox() {
    let f = write_csv("no_events.csv", "t,e,g\n1,0,a\n2,0,b\n3,0,a\n");
    let f = f.to_str().unwrap();
    assert_clean_failure(&sbrt(&["logrank", f, "--time", "t", "--event", "e", "--group", "g"]), "no events");
    assert_clean_failure(&sbrt(&["cox", f, "--time", "t", "--event", "e", "--covariates", "g"]), "no events");
    // Kaplan-Meier is defined: a flat curve at 1, median not reached.
    let km = json_of(&sbrt(&["km", f, "--time", "t", "--event", "e", "--json"]));
    assert_eq!(km["groups"][0]["median"]["estimate"], Value::Null);
    assert_eq!(km["groups"][0]["steps"][2]["surv"], 1.0);
}

#[test]
fn all_events_reach_zero_with_undefined_errors_reported_as_null() {
    let f = write_csv("all_events.csv", "t,e\n1,1\n2,1\n3,1\n");
    let km = json_of(&sbrt(&["km", f.to_str().unwrap(), "--time", "t", "--event", "e", "--json"]));
    let last = &km["groups"][0]["steps"][2];
    assert_eq!(last["surv"], 0.0);
    assert_eq!(last["std_err"], Value::Null);
    assert_eq!(last["lower"], Value::Null);
    assert_eq!(km["groups"][0]["median"]["estimate"], 2.0);
}

#[test]
fn a_single_group_cannot_be_tested() {
    let f = write_csv("one_group.csv", "t,e,g\n1,1,a\n2,1,a\n3,0,a\n");
    let out = sbrt(&["logrank", f.to_str().unwrap(), "--time", "t", "--event", "e", "--group", "g"]);
    assert_clean_failure(&out, "fewer than two groups");
}

#[test]
fn bad_cells_are_all_reported_with_file_row_and_column() {
    let f = write_csv("bad.csv", "t,e,x\n1,1,2\nabc,1,3\n3,7,4\n-1,0,5\n");
    let out = sbrt(&["cox", f.to_str().unwrap(), "--time", "t", "--event", "e", "--covariates", "x"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    let file = f.display().to_string();
    assert!(err.contains(&format!("{file}:3:t: error: not a number: 'abc'")), "{err}");
    assert!(err.contains(&format!("{file}:4:e: error: event must be")), "{err}");
    assert!(err.contains(&format!("{file}:5:t: error: time must be a finite number >= 0")), "{err}");
}

#[test]
fn bad_cells_after_empty_lines_carry_the_row_a_spreadsheet_shows() {
    // Rows 3 and 5 are empty; a quoted line break does not start a row.
    let f = write_csv("blank.csv", "t,e,g\n1,1,a\n\n2,1,\"b\nc\"\n\nabc,1,a\n3,7,b\n");
    let out = sbrt(&["km", f.to_str().unwrap(), "--time", "t", "--event", "e"]);
    let (err, file) = (stderr(&out), f.display().to_string());
    assert!(err.contains(&format!("{file}:6:t: error: not a number: 'abc'")), "{err}");
    assert!(err.contains(&format!("{file}:7:e: error: event must be")), "{err}");
}

#[test]
fn a_missing_column_names_the_columns_that_exist() {
    let f = write_csv("cols.csv", "t,e\n1,1\n");
    let out = sbrt(&["km", f.to_str().unwrap(), "--time", "time", "--event", "e"]);
    assert_clean_failure(&out, "no column named 'time' (columns: t, e)");
}

#[test]
fn rows_with_missing_values_are_dropped_and_counted() {
    let f = write_csv("missing.csv", "t,e,x\n1,1,1\n2,NA,1\n3,1,\n4,0,2\n5,1,3\n");
    let out =
        json_of(&sbrt(&["cox", f.to_str().unwrap(), "--time", "t", "--event", "e", "--covariates", "x", "--json"]));
    assert_eq!(out["n"], 3);
    assert_eq!(out["n_dropped"], 2);
}

#[test]
fn an_unknown_reference_level_is_an_error() {
    let f = write_csv("ref.csv", "t,e,g\n1,1,a\n2,0,b\n3,1,a\n4,1,b\n");
    let out =
        sbrt(&["cox", f.to_str().unwrap(), "--time", "t", "--event", "e", "--covariates", "g", "--reference", "g=z"]);
    assert_clean_failure(&out, "reference level 'z' is not a level of 'g'");
}

#[test]
fn text_output_never_prints_nan() {
    let f = write_csv("text.csv", "t,e,g,c\n1,1,a,1\n2,1,b,1\n3,0,a,1\n4,1,b,1\n5,1,a,1\n");
    for args in [
        vec!["km", "--time", "t", "--event", "e", "--group", "g", "--at", "1,10"],
        vec!["logrank", "--time", "t", "--event", "e", "--group", "g"],
        vec!["cox", "--time", "t", "--event", "e", "--covariates", "g,c"],
    ] {
        let mut full = vec![args[0], f.to_str().unwrap()];
        full.extend(&args[1..]);
        let out = sbrt(&full);
        assert!(out.status.success(), "{}", stderr(&out));
        let text = String::from_utf8_lossy(&out.stdout).to_lowercase();
        assert!(!text.contains("nan") && !text.contains("inf"), "{text}");
    }
}

/// RMST: a τ beyond a group's follow-up is computed as R does (the curve
/// extended flat) but warned as an extrapolation; a τ before a group's first
/// time, or not > 0, is refused.
#[test]
fn rmst_warns_beyond_follow_up_and_refuses_an_empty_restriction() {
    let f = write_csv("rmst.csv", "t,e,g\n1,1,a\n2,0,a\n3,1,a\n8,0,a\n2,1,b\n4,1,b\n5,0,b\n");
    let f = f.to_str().unwrap();
    let v = json_of(&sbrt(&["rmst", f, "--time", "t", "--event", "e", "--group", "g", "--tau", "6", "--json"]));
    let warnings = v["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].as_str().unwrap().contains("group 'b'"), "{warnings:?}");
    // Group b: S = 1 to 2, 2/3 to 4, 1/3 after: 2 + 2·2/3 + 2·1/3 up to 6.
    assert!((v["groups"][1]["rmst"].as_f64().unwrap() - 4.0).abs() < 1e-12);
    let before = sbrt(&["rmst", f, "--time", "t", "--event", "e", "--group", "g", "--tau", "1.5"]);
    assert_clean_failure(&before, "before the first observation time of group 'b'");
    let zero = sbrt(&["rmst", f, "--time", "t", "--event", "e", "--tau", "0"]);
    assert_clean_failure(&zero, "--tau must be a time > 0");
}

/// `--covariates` with interactions: a malformed or repeated term is a
/// clear error; `--factor` may name a column that only an interaction uses.
#[test]
fn interaction_terms_are_checked() {
    let f =
        write_csv("interactions.csv", "t,e,x,g\n1,1,1.5,a\n2,0,2.5,b\n3,1,0.5,a\n4,1,3.0,b\n5,0,1.0,a\n6,1,2.0,b\n");
    let f = f.to_str().unwrap();
    let run = |covariates: &str| sbrt(&["cox", f, "--time", "t", "--event", "e", "--covariates", covariates, "--json"]);
    assert_clean_failure(&run("x,x::g"), "'x::g' is not a column or an interaction");
    assert_clean_failure(&run("x,x:g,g:x"), "the term 'g:x' is given twice");
    assert_clean_failure(&run("x:x"), "names 'x' twice");
    let v =
        json_of(&sbrt(&["cox", f, "--time", "t", "--event", "e", "--covariates", "x,x:g", "--factor", "g", "--json"]));
    let names: Vec<&str> = v["terms"].as_array().unwrap().iter().map(|t| t["term"].as_str().unwrap()).collect();
    assert_eq!(names, ["x", "x:g=b"]);
}

/// `--predict` names every model column once, levels by label; anything
/// else is a clear error naming the column.
#[test]
fn predict_profiles_are_checked() {
    let f = write_csv("predict.csv", "t,e,x,g\n1,1,1.5,a\n2,0,2.5,b\n3,1,0.5,a\n4,1,3.0,b\n5,0,1.0,a\n6,1,2.0,b\n");
    let f = f.to_str().unwrap();
    let run = |profile: &str| {
        sbrt(&["cox", f, "--time", "t", "--event", "e", "--covariates", "x,g", "--predict", profile, "--at", "2,4"])
    };
    assert_clean_failure(&run("x=1"), "--predict: no value for 'g'");
    assert_clean_failure(&run("x=1,g=c"), "'c' is not a level of 'g' (levels: a, b)");
    assert_clean_failure(&run("x=one,g=a"), "'one' is not a number for 'x'");
    assert_clean_failure(&run("x=1,g=a,y=2"), "'y' is not a column of the model");
    let v = json_of(&sbrt(&[
        "cox",
        f,
        "--time",
        "t",
        "--event",
        "e",
        "--covariates",
        "x,g",
        "--predict",
        "x=1,g=a",
        "--at",
        "0.5,2,9",
        "--json",
    ]));
    let p = v["predicted"].as_array().unwrap();
    assert_eq!(p[0]["surv"], 1.0, "before the first event");
    assert!(p[2]["surv"].is_null(), "beyond the data");
}

/// `km --start` and `cox --start`: a start that is not before its time, or
/// not a number, is an error naming the row and column.
#[test]
fn km_start_must_precede_the_time() {
    let f = write_csv("entry.csv", "s,t,e\n0,1,1\n2,2,0\nx,3,1\n1,4,1\n");
    let f = f.to_str().unwrap();
    for command in ["km", "cox"] {
        let mut args = vec![command, f, "--time", "t", "--event", "e", "--start", "s"];
        if command == "cox" {
            args.extend(["--covariates", "t"]);
        }
        let o = sbrt(&args);
        assert_clean_failure(&o, ":3:s: error: the start (2) must be before the time (2)");
        assert_clean_failure(&o, ":4:s: error: not a finite number: 'x'");
    }
    // What counting-process fits do not have yet is refused, not approximated.
    for extra in [vec!["--firth"], vec!["--predict", "t=1", "--at", "1"]] {
        let mut args = vec!["cox", f, "--time", "t", "--event", "e", "--start", "s", "--covariates", "t"];
        args.extend(extra);
        assert_clean_failure(&sbrt(&args), "cannot be used with");
    }
}

#[test]
fn bad_case_weights_are_all_reported_and_zero_weights_counted() {
    let f = write_csv("weights.csv", "t,e,x,w\n1,1,0,1\n2,1,1,-1\n3,0,0,abc\n4,1,1,inf\n5,1,0,0\n6,0,1,2\n");
    let f = f.to_str().unwrap();
    for cmd in [vec!["km"], vec!["cox", "--covariates", "x"]] {
        let mut args = cmd.clone();
        args.extend([f, "--time", "t", "--event", "e", "--weights", "w"]);
        let out = sbrt(&args);
        for row in [3, 4, 5] {
            assert_clean_failure(
                &out,
                &format!("weights.csv:{row}:w: error: a case weight must be a finite number >= 0"),
            );
        }
    }
    let good = write_csv("weights_zero.csv", "t,e,x,w\n1,1,0,1\n2,1,1,0\n3,0,0,0.5\n4,1,1,2\n5,1,0,0\n6,0,1,2\n");
    let good = good.to_str().unwrap();
    let km = json_of(&sbrt(&["km", good, "--time", "t", "--event", "e", "--weights", "w", "--json"]));
    assert_eq!((km["n"].as_u64(), km["n_zero_weight"].as_u64(), km["n_dropped"].as_u64()), (Some(4), Some(2), Some(0)));
    assert_eq!(km["groups"][0]["steps"][0]["n_risk"].as_f64(), Some(5.5));
    let cuminc = json_of(&sbrt(&["cuminc", good, "--time", "t", "--status", "e", "--weights", "w", "--json"]));
    assert_eq!(cuminc["n_zero_weight"].as_u64(), Some(2));
    let all_zero = write_csv("weights_all_zero.csv", "t,e,w\n1,1,0\n2,0,0\n");
    assert_clean_failure(
        &sbrt(&["km", all_zero.to_str().unwrap(), "--time", "t", "--event", "e", "--weights", "w"]),
        "every case weight is 0",
    );
    // The Firth fit has no weighted form here: it refuses weights rather than ignore them.
    let out = sbrt(&["cox", good, "--time", "t", "--event", "e", "--covariates", "x", "--weights", "w", "--firth"]);
    assert_clean_failure(&out, "cannot be used with");
}

#[test]
fn an_r_export_reads_as_its_plain_twin_and_labels_stay_as_written() {
    // As write.csv writes: quoted header and strings, 15 significant digits,
    // NA, a note with a line break; group labels "01" and "1" are two groups.
    let mut r = String::from("\"time\",\"status\",\"group\",\"x\",\"note\"\n");
    let mut plain = String::from("time,status,group,x,note\n");
    for i in 0..60 {
        let time = format!("{}.{:013}", 1 + i % 17, (i * 7_919_393) % 10_000_000_000_000);
        let group = ["01", "1", "b"][i % 3];
        let x = if i == 5 { "NA".to_string() } else { format!("-0.{:015}", (i * 123_456_789) % 1_000_000_000_000_000) };
        let note = if i % 10 == 0 { "two\nlines" } else { "one" };
        r.push_str(&format!("{time},{},\"{group}\",{x},\"{note}\"\n", (i * 7) % 3 % 2));
        plain.push_str(&format!("{time},{},{group},{x},{}\n", (i * 7) % 3 % 2, note.replace('\n', " ")));
    }
    let (r, plain) = (write_csv("r_export.csv", &r), write_csv("plain.csv", &plain));
    let run = |f: &PathBuf, args: &[&str]| {
        let mut all = vec![args[0], f.to_str().unwrap(), "--time", "time", "--event", "status", "--json"];
        all.extend(&args[1..]);
        json_of(&sbrt(&all))
    };
    for args in [
        &["km", "--group", "group"][..],
        &["logrank", "--group", "group"],
        &["cox", "--covariates", "x,group", "--factor", "group"],
    ] {
        assert_eq!(run(&r, args), run(&plain, args), "{args:?}");
    }
    let km = run(&r, &["km", "--group", "group"]);
    let labels: Vec<&str> = km["groups"].as_array().unwrap().iter().map(|g| g["group"].as_str().unwrap()).collect();
    assert_eq!(labels, ["01", "1", "b"]);
    assert_eq!(run(&r, &["cox", "--covariates", "x"])["n_dropped"], 1);
}
