//! Replays every case of `tests/reference/engine.json` and `reviewer.json`
//! (made by `tests/reference/engine.R` and `reviewer.R` with R's survival
//! 3.5-3 and cmprsk 2.2) and `firth.json` (made by `firth.py` with
//! firthmodels 0.8.2) through the `sbrt` binary and compares every number of its `--json` output with R's:
//! relative difference <= 1e-6, or absolute <= 1e-9 near zero.

use serde_json::Value;
use std::path::Path;
use std::process::Command;

const REL_TOL: f64 = 1e-6;
const ABS_TOL: f64 = 1e-9;

fn close(a: f64, e: f64) -> bool {
    (a - e).abs() <= ABS_TOL || (a - e).abs() <= REL_TOL * e.abs()
}

/// Compare `actual` against `expected`, recording each difference with its path.
fn compare(path: &str, expected: &Value, actual: &Value, diffs: &mut Vec<String>) {
    match (expected, actual) {
        (Value::Number(e), Value::Number(a)) => {
            let (e, a) = (e.as_f64().unwrap(), a.as_f64().unwrap());
            if !close(a, e) {
                diffs.push(format!("{path}: expected {e:e}, got {a:e} (rel {:.2e})", ((a - e) / e).abs()));
            }
        }
        (Value::Object(e), Value::Object(a)) => {
            let mut ek: Vec<_> = e.keys().collect();
            let mut ak: Vec<_> = a.keys().collect();
            ek.sort();
            ak.sort();
            if ek != ak {
                diffs.push(format!("{path}: keys differ: expected {ek:?}, got {ak:?}"));
            }
            for (k, ev) in e {
                if let Some(av) = a.get(k) {
                    if k == "warnings" {
                        compare_warnings(&format!("{path}.{k}"), ev, av, diffs);
                    } else {
                        compare(&format!("{path}.{k}"), ev, av, diffs);
                    }
                }
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            if e.len() != a.len() {
                diffs.push(format!("{path}: expected {} items, got {}", e.len(), a.len()));
            }
            for (i, (ev, av)) in e.iter().zip(a).enumerate() {
                compare(&format!("{path}[{i}]"), ev, av, diffs);
            }
        }
        (e, a) if e == a => {}
        (e, a) => diffs.push(format!("{path}: expected {e}, got {a}")),
    }
}

/// R's warnings are recorded as kinds (`aliased:TERM`, `may_be_infinite:TERM`);
/// sbrt's are sentences that must name the same term and say the same thing.
fn compare_warnings(path: &str, expected: &Value, actual: &Value, diffs: &mut Vec<String>) {
    let expected: Vec<&str> = expected.as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    let actual: Vec<&str> =
        actual.as_array().map(|a| a.iter().filter_map(|v| v.as_str()).collect()).unwrap_or_default();
    if expected.len() != actual.len() {
        diffs.push(format!("{path}: expected warnings {expected:?}, got {actual:?}"));
        return;
    }
    for kind in expected {
        let (what, term) = kind.split_once(':').unwrap();
        let phrase = match what {
            "aliased" => "not estimable",
            "may_be_infinite" => "may be infinite",
            "no_gray_test" => "Gray's test has no form with case weights",
            other => panic!("unknown warning kind {other}"),
        };
        // A kind without a term is a note about the whole analysis.
        let quoted = if term.is_empty() { String::new() } else { format!("'{term}'") };
        if !actual.iter().any(|w| w.contains(phrase) && w.contains(&quoted)) {
            diffs.push(format!("{path}: no warning says {phrase} for {quoted}: {actual:?}"));
        }
    }
}

/// Replay every case of a reference file; `min_cases` guards against a truncated file.
fn replay(file: &str, min_cases: usize) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join(file)).unwrap();
    let reference: Value = serde_json::from_str(&text).unwrap();
    let cases = reference["cases"].as_array().unwrap();
    assert!(cases.len() >= min_cases, "reference cases missing from {file}");
    let mut failures = Vec::new();
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let args: Vec<&str> = case["args"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
        let out = Command::new(env!("CARGO_BIN_EXE_sbrt")).args(&args).current_dir(root).output().unwrap();
        if !out.status.success() {
            failures.push(format!("{name}: exit {:?}: {}", out.status.code(), String::from_utf8_lossy(&out.stderr)));
            continue;
        }
        let actual: Value = match serde_json::from_slice(&out.stdout) {
            Ok(v) => v,
            Err(e) => {
                failures.push(format!("{name}: output is not JSON: {e}"));
                continue;
            }
        };
        let mut actual = actual;
        for key in case["ignore"].as_array().into_iter().flatten() {
            actual.as_object_mut().unwrap().remove(key.as_str().unwrap());
        }
        let mut diffs = Vec::new();
        compare("", &case["expected"], &actual, &mut diffs);
        if !diffs.is_empty() {
            failures.push(format!(
                "{name} ({} differences):\n    {}",
                diffs.len(),
                diffs.iter().take(12).cloned().collect::<Vec<_>>().join("\n    ")
            ));
        }
    }
    assert!(failures.is_empty(), "{} of {} cases differ from R:\n{}", failures.len(), cases.len(), failures.join("\n"));
}

#[test]
fn km_logrank_cox_agree_with_r_survival() {
    replay("tests/reference/engine.json", 64);
}

#[test]
fn firth_agrees_with_firthmodels() {
    replay("tests/reference/firth.json", 6);
}

#[test]
fn cuminc_and_reviewer_analyses_agree_with_r() {
    replay("tests/reference/reviewer.json", 8);
}

#[test]
fn the_comparison_catches_differences() {
    let mut diffs = Vec::new();
    let e: Value = serde_json::json!({"a": 1.0, "b": [0.5, null], "warnings": ["aliased:x"]});
    compare(
        "",
        &e,
        &serde_json::json!({"a": 1.0 + 2e-6, "b": [0.5, null], "warnings": ["term 'x' is not estimable"]}),
        &mut diffs,
    );
    assert_eq!(diffs.len(), 1, "{diffs:?}");
    diffs.clear();
    compare("", &e, &serde_json::json!({"a": 1.0, "b": [0.5, 0.1], "warnings": []}), &mut diffs);
    assert_eq!(diffs.len(), 2, "{diffs:?}");
    diffs.clear();
    compare(
        "",
        &e,
        &serde_json::json!({"a": 1.0, "b": [0.5, null], "warnings": ["term 'x' is not estimable"], "extra": 1}),
        &mut diffs,
    );
    assert_eq!(diffs.len(), 1, "{diffs:?}");
}
