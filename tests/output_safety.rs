//! Nothing the user has is ever lost or overwritten (issue 11, part 1; the
//! red-team findings F1, F6, F7, F14): a report directory is recognised by
//! sbrt's own marker only, files in it that sbrt did not write survive a
//! rerun, an `--out` holding an input is refused, nothing is written through
//! a planted symbolic link, a failed `derive` leaves no copy, and the
//! system's reason for a failure is shown.

mod common;
use common::{root, sbrt, scratch};

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn sbrt_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sbrt")).args(args).current_dir(dir).output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn example(out: &Path) -> Output {
    sbrt(&["analyze", "--example", "--out", out.to_str().unwrap()])
}

fn hidden_entries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect()
}

fn example_csv() -> PathBuf {
    root().join("examples/spine_sarcoma_synthetic.csv")
}

#[test]
fn a_rerun_keeps_the_users_files_in_the_report_directory() {
    // P05: a manuscript and an edited-figures folder beside the report.
    let base = scratch("keep");
    let out = base.join("rep");
    assert!(example(&out).status.success());
    std::fs::write(out.join("manuscript.docx"), "draft").unwrap();
    std::fs::create_dir(out.join("figs_edited")).unwrap();
    std::fs::write(out.join("figs_edited/f1.png"), "edited").unwrap();
    let o = example(&out);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(out.join("manuscript.docx")).unwrap(), "draft");
    assert_eq!(std::fs::read_to_string(out.join("figs_edited/f1.png")).unwrap(), "edited");
    assert!(out.join("report.html").exists());
    assert!(hidden_entries(&base).is_empty(), "{:?}", hidden_entries(&base));
}

#[test]
fn a_directory_with_a_results_json_of_its_own_is_not_a_report() {
    // P06: another tool's directory.
    let base = scratch("other");
    let other = base.join("other_tool");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(other.join("results.json"), "{}").unwrap();
    std::fs::write(other.join("data.csv"), "x").unwrap();
    let o = example(&other);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("not an sbrt report"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(other.join("data.csv")).unwrap(), "x");
}

#[test]
fn an_out_that_holds_the_input_or_the_study_is_refused() {
    // P07, P08: the input cohort and the study file inside --out.
    let base = scratch("input");
    let out = base.join("r");
    assert!(example(&out).status.success());
    let cohort = out.join("cohort.csv");
    std::fs::copy(example_csv(), &cohort).unwrap();
    let o = sbrt(&["analyze", cohort.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("holds the input"), "{}", stderr(&o));
    assert!(cohort.exists());
    let study = out.join("study.toml");
    let edited = format!("# my comments\n{}", std::fs::read_to_string(&study).unwrap());
    std::fs::write(&study, &edited).unwrap();
    let o = sbrt(&[
        "analyze",
        example_csv().to_str().unwrap(),
        "--study",
        study.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    assert_eq!(std::fs::read_to_string(&study).unwrap(), edited);
}

#[test]
fn out_as_the_current_directory_is_refused_before_the_analysis() {
    // P10: `--out .` failed only after the whole analysis.
    let base = scratch("dot");
    let o = sbrt_in(&base, &["analyze", "--example", "--out", "."]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("current directory"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("analysed"));
}

#[test]
fn the_example_is_read_from_memory_and_no_planted_link_is_followed() {
    // P29, P30: predictable temporary and staging paths with planted links.
    let base = scratch("links");
    let victim = base.join("victim.txt");
    std::fs::write(&victim, "precious").unwrap();
    let tmp = base.join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    // The name the old version used, planted for the pid the command will
    // have (the shell's, kept by exec).
    let script = format!(
        "mkdir -p \"$TMPDIR/sbrt-example-$$\" && ln -s '{}' \"$TMPDIR/sbrt-example-$$/spine_sarcoma_synthetic.csv\" && exec '{}' analyze --example --out '{}'",
        victim.display(),
        env!("CARGO_BIN_EXE_sbrt"),
        base.join("rep").display()
    );
    let o = Command::new("sh").args(["-c", &script]).env("TMPDIR", &tmp).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    for entry in std::fs::read_dir(base.join("rep")).unwrap() {
        let t = entry.unwrap().file_type().unwrap();
        assert!(t.is_file(), "only regular files in the report");
    }
}

#[test]
fn a_failed_derive_leaves_no_copy_and_an_existing_directory_is_refused() {
    // P21, P22: derive --keep-ids --out <existing directory>.
    let base = scratch("derive");
    let ddir = base.join("ddir");
    std::fs::create_dir(&ddir).unwrap();
    let o = sbrt(&["derive", example_csv().to_str().unwrap(), "--keep-ids", "--out", ddir.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("is a directory"), "{}", stderr(&o));
    assert!(hidden_entries(&base).is_empty(), "{:?}", hidden_entries(&base));
    assert_eq!(std::fs::read_dir(&ddir).unwrap().count(), 0);
}

#[test]
fn an_unwritable_destination_fails_before_the_analysis_with_the_systems_reason() {
    // P15, P18: the cause was dropped and the analysis ran first.
    let base = scratch("unwritable");
    let file = base.join("a_file");
    std::fs::write(&file, "x").unwrap();
    let o = example(&file.join("rep"));
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(err.contains("Not a directory") || err.contains("os error"), "{err}");
    assert!(!err.contains("analysed"), "{err}");
}
