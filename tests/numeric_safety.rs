//! No silent numeric failure (issue 11, part 5; red-team F11, F12, F13): a
//! typo in a numeric column is an error naming the cell, a covariate on an
//! extreme scale gives the same test as on a plain one, and an outlying
//! time that makes timefix merge distinct times is warned about.

mod common;
use common::{sbrt, scratch};

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Stdio};

/// 200 rows of (t, e, x) from a fixed linear congruential sequence, with x
/// written by `cell`.
fn data(cell: impl Fn(usize, f64) -> String) -> String {
    let mut state: u64 = 12345;
    let mut next = || {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut s = String::from("t,e,x\n");
    for i in 0..200 {
        let (t, e, x) = (0.1 + 10.0 * next(), (next() < 0.6) as u8, next() - 0.5);
        s.push_str(&format!("{t:.4},{e},{}\n", cell(i, x)));
    }
    s
}

fn cox_json(path: &Path) -> Value {
    let o = sbrt(&["cox", path.to_str().unwrap(), "--time", "t", "--event", "e", "--covariates", "x", "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

#[test]
fn one_bad_cell_in_a_numeric_covariate_is_an_error_naming_it() {
    let dir = scratch("typo");
    for bad in ["1.2.3", "0,5", "<0.1", "inf", "1\u{0}2"] {
        let path = dir.join("f.csv");
        let quoted = if bad.contains(',') { format!("\"{bad}\"") } else { bad.to_string() };
        std::fs::write(&path, data(|i, x| if i == 57 { quoted.clone() } else { format!("{x:.6}") })).unwrap();
        let o = sbrt(&["cox", path.to_str().unwrap(), "--time", "t", "--event", "e", "--covariates", "x"]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{bad}: {err}");
        assert!(err.contains(":59:x: error:") && err.contains("not a finite number"), "{bad}: {err}");
    }
}

#[test]
fn a_covariate_on_an_extreme_scale_gives_the_same_test_as_on_a_plain_one() {
    // The Wald z of a Cox coefficient does not depend on the covariate's units.
    let dir = scratch("scale");
    let plain = dir.join("plain.csv");
    std::fs::write(&plain, data(|_, x| format!("{x:.6}"))).unwrap();
    let reference = cox_json(&plain);
    for (tag, factor) in [("big", "e300"), ("small", "e-300")] {
        let path = dir.join(format!("{tag}.csv"));
        std::fs::write(&path, data(|_, x| format!("{x:.6}{factor}"))).unwrap();
        let got = cox_json(&path);
        let (z0, z) = (reference["terms"][0]["z"].as_f64().unwrap(), got["terms"][0]["z"].as_f64().unwrap());
        assert!(((z - z0) / z0).abs() < 1e-6, "{tag}: z {z} vs {z0}");
        let (p0, p) = (reference["terms"][0]["p"].as_f64().unwrap(), got["terms"][0]["p"].as_f64().unwrap());
        assert!(((p - p0) / p0).abs() < 1e-6, "{tag}: p {p} vs {p0}");
        let w0 = reference["tests"]["wald"]["chisq"].as_f64().unwrap();
        let w = got["tests"]["wald"]["chisq"].as_f64().unwrap();
        assert!(((w - w0) / w0).abs() < 1e-6, "{tag}: Wald {w} vs {w0}");
    }
}

#[test]
fn a_sentinel_time_that_merges_the_others_is_warned_about() {
    let dir = scratch("sentinel");
    let path = dir.join("s.csv");
    let mut text = data(|_, x| format!("{x:.6}"));
    text.push_str("1e12,0,0.1\n");
    std::fs::write(&path, text).unwrap();
    let o = sbrt(&["km", path.to_str().unwrap(), "--time", "t", "--event", "e", "--json"]);
    assert!(o.status.success());
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let warnings = v["warnings"].as_array().unwrap();
    assert!(warnings.iter().any(|w| w.as_str().unwrap().contains("sentinel")), "{warnings:?}");
    assert!(warnings.iter().any(|w| w.as_str().unwrap().contains("treated distinct times as tied")), "{warnings:?}");
    assert!(String::from_utf8_lossy(&o.stderr).contains("warning: the largest time"));
    // Without the sentinel: no warning.
    let clean = dir.join("clean.csv");
    std::fs::write(&clean, data(|_, x| format!("{x:.6}"))).unwrap();
    let o = sbrt(&["km", clean.to_str().unwrap(), "--time", "t", "--event", "e", "--json"]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["warnings"].as_array().unwrap().len(), 0);
}

/// Times that R's relative rule ties with no outlier among them (a large
/// registry of continuous times has such pairs: R ties them too) are
/// warned about with the rule, not blamed on a sentinel value.
#[test]
fn near_equal_times_without_an_outlier_are_warned_about_with_the_rule_not_a_sentinel() {
    let dir = scratch("near_equal");
    let path = dir.join("n.csv");
    let mut text = String::from("t,e\n");
    for i in 0..1000 {
        text.push_str(&format!("{}.5,{}\n", i, i % 2));
    }
    // 1e-7 apart: 2e-10 of the mean time (500), within R's 1.5e-8.
    text.push_str("10.0000001,1\n10.0000002,0\n");
    std::fs::write(&path, text).unwrap();
    let o = sbrt(&["km", path.to_str().unwrap(), "--time", "t", "--event", "e", "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let warnings: Vec<&str> = v["warnings"].as_array().unwrap().iter().map(|w| w.as_str().unwrap()).collect();
    let tied = warnings.iter().find(|w| w.contains("treated distinct times as tied")).expect("the timefix warning");
    assert!(tied.contains("10.0000001 and 10.0000002"), "{tied}");
    assert!(tied.contains("1.49e-8 of the mean distinct time (499.0"), "{tied}");
    assert!(tied.contains("as R does"), "{tied}");
    assert!(!warnings.iter().any(|w| w.contains("sentinel")), "{warnings:?}");
}

#[test]
fn a_closed_pipe_ends_the_output_quietly() {
    let dir = scratch("pipe");
    let path = dir.join("p.csv");
    std::fs::write(&path, data(|_, x| format!("{x:.6}"))).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_sbrt"))
        .args(["km", path.to_str().unwrap(), "--time", "t", "--event", "e", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn impossible_times_and_causes_on_the_command_line_are_refused() {
    let dir = scratch("args");
    let path = dir.join("c.csv");
    std::fs::write(&path, data(|i, _| format!("{}", i % 3))).unwrap();
    let p = path.to_str().unwrap();
    let o = sbrt(&["km", p, "--time", "t", "--event", "e", "--at", "NaN"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not a time"));
    let o = sbrt(&["cuminc", p, "--time", "t", "--status", "x", "--cause", "0"]);
    assert_eq!(o.status.code(), Some(2));
    let o = sbrt(&["cuminc", p, "--time", "t", "--status", "x", "--cause", "7", "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["warnings"][0].as_str().unwrap().contains("no row has status 7"), "{v}");
}
