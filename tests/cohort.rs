//! The cohort: validation messages for a corpus of bad files, the bundled
//! example, the de-identified analysis file, and the simulator's
//! calibration to the source paper.

use sbrt::cohort::{load, ReadOptions};
use sbrt::endpoints::{derive, DeriveOptions};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use survstat::km::{ConfSpec, KaplanMeier};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn sbrt(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sbrt")).args(args).current_dir(root()).output().unwrap()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sbrt-cohort-test-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn every_bad_file_reports_exactly_its_expected_problems() {
    let dir = root().join("tests/data/bad_cohorts");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "expected") {
            continue;
        }
        let rel = path.strip_prefix(root()).unwrap().to_str().unwrap().to_string();
        let out = sbrt(&["validate", &rel]);
        assert!(!out.status.success(), "{rel} validated");
        let expected = std::fs::read_to_string(path.with_extension("expected")).unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout), expected, "{rel}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked") && !err.contains("backtrace"), "{err}");
        checked += 1;
    }
    assert!(checked >= 13, "only {checked} bad files found");
}

#[test]
fn the_example_validates_and_its_xlsx_twin_reads_the_same() {
    for f in ["examples/spine_sarcoma_synthetic.csv", "examples/spine_sarcoma_synthetic.xlsx"] {
        let out = sbrt(&["validate", f]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("valid: 77 lesions of 44 patients"), "{text}");
        assert!(!text.contains(": error:"), "{text}");
    }
    let csv = load(&root().join("examples/spine_sarcoma_synthetic.csv"), &ReadOptions::default()).unwrap().0;
    let xlsx = load(&root().join("examples/spine_sarcoma_synthetic.xlsx"), &ReadOptions::default()).unwrap().0;
    let strip_rows = |c: &sbrt::cohort::Cohort| {
        c.lesions.iter().map(|l| sbrt::cohort::Lesion { row: 0, ..l.clone() }).collect::<Vec<_>>()
    };
    assert_eq!(strip_rows(&csv), strip_rows(&xlsx));
}

#[test]
fn derive_writes_no_dates_or_ids_unless_asked() {
    let dir = scratch("derive");
    let input = dir.join("cohort.csv");
    let mut text = std::fs::read_to_string(root().join("examples/spine_sarcoma_synthetic.csv")).unwrap();
    // Add a harmless extra column and two identifying ones.
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines[0].push_str(",kps,patient_name,chemo_date");
    for (i, l) in lines.iter_mut().enumerate().skip(1) {
        l.push_str(&format!(",{},Canary Person{i},2015-01-{:02}", 70 + i % 3 * 10, 1 + i % 28));
    }
    text = lines.join("\n") + "\n";
    std::fs::write(&input, &text).unwrap();
    // Extra columns leave only when the study names them (an allow-list).
    let study = dir.join("study.toml");
    let kps = "\n[[covariate]]\nid = \"kps\"\nlabel = \"KPS\"\nsource = \"kps\"\nkind = \"continuous\"\n";
    std::fs::write(&study, format!("{}{kps}", sbrt::study::BUILTIN)).unwrap();
    let out_path = dir.join("analysis.csv");
    let out = sbrt(&[
        "derive",
        input.to_str().unwrap(),
        "--study",
        study.to_str().unwrap(),
        "--out",
        out_path.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("2 column(s) not written, as no study covariate names them: patient_name, chemo_date"),
        "{err}"
    );
    let derived = std::fs::read_to_string(&out_path).unwrap();
    assert_eq!(derived.lines().count(), 78);
    let header = derived.lines().next().unwrap();
    for col in [
        "lc_time",
        "lc_event",
        "lc_status",
        "pfs_time",
        "pfs_event",
        "os_time",
        "os_event",
        "bed",
        "eqd2",
        "n_levels",
        "site",
        "months_from_diagnosis",
        "age",
        "kps",
    ] {
        assert!(header.split(',').any(|h| h == col), "missing {col}");
    }
    assert!(
        !derived.contains("Canary")
            && !derived.contains("P0001")
            && !derived.contains("2015-")
            && !derived.contains("2016-")
    );
    let keep = dir.join("with_ids.csv");
    let out = sbrt(&["derive", input.to_str().unwrap(), "--out", keep.to_str().unwrap(), "--keep-ids"]);
    assert!(out.status.success());
    assert!(std::fs::read_to_string(&keep).unwrap().contains("P0001-L1"));
}

#[test]
fn derive_never_overwrites_its_input_and_a_failed_run_leaves_the_output_alone() {
    let dir = scratch("safety");
    let input = dir.join("cohort.csv");
    std::fs::copy(root().join("examples/spine_sarcoma_synthetic.csv"), &input).unwrap();
    let before = std::fs::read(&input).unwrap();
    let out = sbrt(&["derive", input.to_str().unwrap(), "--out", input.to_str().unwrap()]);
    assert!(!out.status.success());
    assert_eq!(std::fs::read(&input).unwrap(), before);
    let existing = dir.join("analysis.csv");
    std::fs::write(&existing, "keep me").unwrap();
    let out = sbrt(&["derive", "tests/data/bad_cohorts/date_order.csv", "--out", existing.to_str().unwrap()]);
    assert!(!out.status.success());
    assert_eq!(std::fs::read_to_string(&existing).unwrap(), "keep me");
}

#[test]
fn a_named_date_format_reads_day_first_dates() {
    let dir = scratch("dates");
    let text = std::fs::read_to_string(root().join("tests/data/bad_cohorts/duplicate_lesion_ids.csv")).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines.truncate(2);
    let reformat = |s: &str| {
        let p: Vec<&str> = s.split('-').collect();
        if p.len() == 3 && p[0].len() == 4 {
            format!("{}/{}/{}", p[2], p[1], p[0])
        } else {
            s.to_string()
        }
    };
    lines[1] = lines[1].split(',').map(reformat).collect::<Vec<_>>().join(",");
    let f = dir.join("dmy.csv");
    std::fs::write(&f, lines.join("\n") + "\n").unwrap();
    let plain = sbrt(&["validate", f.to_str().unwrap()]);
    assert!(!plain.status.success());
    assert!(String::from_utf8_lossy(&plain.stdout).contains("--date-format"));
    let named = sbrt(&["validate", f.to_str().unwrap(), "--date-format", "%d/%m/%Y"]);
    assert!(named.status.success(), "{}", String::from_utf8_lossy(&named.stdout));
}

#[test]
fn the_simulator_is_deterministic_and_always_valid() {
    let dir = scratch("sim");
    let a = dir.join("a.csv");
    let b = dir.join("b.csv");
    for p in [&a, &b] {
        assert!(sbrt(&["simulate", "--seed", "99", "--patients", "500", "--out", p.to_str().unwrap()])
            .status
            .success());
    }
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    let out = sbrt(&["validate", a.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    // The bundled example is the simulator's seed 34.
    let ex = dir.join("ex.csv");
    assert!(sbrt(&["simulate", "--seed", "34", "--out", ex.to_str().unwrap()]).status.success());
    assert_eq!(
        std::fs::read(&ex).unwrap(),
        std::fs::read(root().join("examples/spine_sarcoma_synthetic.csv")).unwrap()
    );
}

/// One-year Kaplan-Meier rate of a simulated cohort's endpoint.
fn one_year(time: &[f64], event: &[bool]) -> f64 {
    KaplanMeier::fit(time, event, ConfSpec::default()).at(12.0).surv.unwrap()
}

#[test]
fn simulated_cohorts_follow_the_papers_tables_and_rates() {
    let dir = scratch("calibration");
    let seeds = 40;
    let mut sums: HashMap<&str, f64> = HashMap::new();
    for seed in 0..seeds {
        let path = dir.join(format!("c{seed}.csv"));
        let mut buf = Vec::new();
        sbrt::simulate::write_cohort(&mut buf, std::io::sink(), 1000 + seed, 44, |_| {}).unwrap();
        std::fs::write(&path, buf).unwrap();
        let (cohort, _) = load(&path, &ReadOptions::default()).unwrap();
        let rows = derive(&cohort, &DeriveOptions::default());
        let n = rows.len() as f64;
        let share = |f: &dyn Fn(&sbrt::endpoints::AnalysisRow) -> bool| rows.iter().filter(|r| f(r)).count() as f64 / n;
        let first_rows: Vec<_> = {
            let mut seen = std::collections::HashSet::new();
            rows.iter().filter(|r| seen.insert(r.patient)).collect()
        };
        let lc = one_year(
            &rows.iter().map(|r| r.lc.time).collect::<Vec<_>>(),
            &rows.iter().map(|r| r.lc.event).collect::<Vec<_>>(),
        );
        let pfs = one_year(
            &first_rows.iter().map(|r| r.pfs.time).collect::<Vec<_>>(),
            &first_rows.iter().map(|r| r.pfs.event).collect::<Vec<_>>(),
        );
        let os = one_year(
            &first_rows.iter().map(|r| r.os.time).collect::<Vec<_>>(),
            &first_rows.iter().map(|r| r.os.event).collect::<Vec<_>>(),
        );
        for (k, v) in [
            ("lesions", n),
            ("visceral", share(&|r| r.extent == Some(sbrt::cohort::Extent::Visceral))),
            ("solitary", share(&|r| r.extent == Some(sbrt::cohort::Extent::SolitarySpine))),
            ("single level", share(&|r| r.n_levels == Some(1))),
            ("osteosarcoma", share(&|r| r.histology.as_deref() == Some("osteosarcoma"))),
            ("primary", share(&|r| r.disease_status == Some(sbrt::cohort::DiseaseStatus::Primary))),
            ("lc1", lc),
            ("pfs1", pfs),
            ("os1", os),
        ] {
            *sums.entry(k).or_default() += v / seeds as f64;
        }
    }
    // Paper: 75 lesions; 49/75 visceral, 15/75 solitary; 60/75 single level;
    // 43/75 osteosarcoma; 6/75 primary; 1-year LC 76.4 %, PFS 31.9 %, OS 80.5 %.
    let targets = [
        ("lesions", 75.0, 6.0),
        ("visceral", 49.0 / 75.0, 0.06),
        ("solitary", 15.0 / 75.0, 0.05),
        ("single level", 0.80, 0.04),
        ("osteosarcoma", 43.0 / 75.0, 0.07),
        ("primary", 0.08, 0.03),
        ("lc1", 0.764, 0.05),
        ("pfs1", 0.319, 0.05),
        ("os1", 0.805, 0.05),
    ];
    for (k, target, tol) in targets {
        let got = sums[k];
        assert!((got - target).abs() <= tol, "{k}: mean over {seeds} cohorts {got:.3}, paper {target:.3} (± {tol})");
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(40))]

    /// Whatever the seed and size, a simulated cohort passes validation with no error.
    #[test]
    fn a_simulated_cohort_always_validates_clean(seed in proptest::prelude::any::<u64>(), patients in 1usize..120) {
        let dir = scratch("sim-prop");
        let path = dir.join(format!("c{seed}-{patients}.csv"));
        let mut buf = Vec::new();
        sbrt::simulate::write_cohort(&mut buf, std::io::sink(), seed, patients, |_| {}).unwrap();
        std::fs::write(&path, buf).unwrap();
        let loaded = load(&path, &ReadOptions::default());
        let _ = std::fs::remove_file(&path);
        proptest::prop_assert!(loaded.is_ok(), "seed {} patients {}: {:?}", seed, patients, loaded.err());
    }
}

#[test]
fn a_named_sheet_is_read_and_a_missing_one_is_named() {
    let ok = sbrt(&["validate", "examples/spine_sarcoma_synthetic.xlsx", "--sheet", "cohort"]);
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stdout));
    let bad = sbrt(&["validate", "examples/spine_sarcoma_synthetic.xlsx", "--sheet", "Sheet9"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stdout).contains("no sheet named 'Sheet9' (sheets: cohort, events)"));
}

#[test]
fn an_extra_column_can_be_a_study_covariate() {
    let dir = scratch("extra-covariate");
    let text = std::fs::read_to_string(root().join("examples/spine_sarcoma_synthetic.csv")).unwrap();
    let lines: Vec<String> = text
        .lines()
        .enumerate()
        .map(|(k, l)| if k == 0 { format!("{l},KPS") } else { format!("{l},{}", 60 + (k * 7) % 40) })
        .collect();
    let input = dir.join("cohort.csv");
    std::fs::write(&input, lines.join("\n") + "\n").unwrap();
    let study = sbrt::study::BUILTIN
        .replace("\"bed\", \"ptv\", \"extent\"]\n\n[[endpoint]]\nid = \"pfs\"", "\"bed\", \"ptv\", \"extent\", \"kps\"]\n\n[[endpoint]]\nid = \"pfs\"")
        .replace("# Kaplan-Meier figures:", "[[covariate]]\nid = \"kps\"\nlabel = \"Karnofsky performance status\"\nsource = \"kps\"\nkind = \"continuous\"\n\n# Kaplan-Meier figures:")
        .replace("bootstrap_resamples = 500", "bootstrap_resamples = 0");
    let study_file = dir.join("study.toml");
    std::fs::write(&study_file, study).unwrap();
    let out = dir.join("report");
    let o = sbrt(&[
        "analyze",
        input.to_str().unwrap(),
        "--study",
        study_file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(std::fs::read_to_string(out.join("table3.md")).unwrap().contains("Karnofsky performance status"));
}
