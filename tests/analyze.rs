//! `sbrt analyze`: the report of the bundled cohort agrees with an
//! independent R analysis (tests/reference/study.R) and with the engine
//! called directly; its tables match the golden files; its outputs are
//! complete, self-contained, free of identifiers and written atomically.

mod common;

use common::{analyze_example_with, root, sbrt, scratch};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Run the example analysis into a fresh directory.
fn example_report(name: &str) -> PathBuf {
    let out = scratch(name).join("report");
    let o = sbrt(&["analyze", "--example", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    out
}

fn results(dir: &Path) -> Value {
    let v: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("results.json")).unwrap()).unwrap();
    v["results"].clone()
}

fn close(a: &Value, e: &Value, what: &str) {
    match (a.as_f64(), e.as_f64()) {
        (Some(a), Some(e)) => {
            assert!((a - e).abs() <= 1e-9 || ((a - e) / e).abs() <= 1e-6, "{what}: sbrt {a} vs R {e}")
        }
        _ => assert_eq!(a, e, "{what}"),
    }
}

#[test]
fn the_report_agrees_with_an_independent_r_analysis() {
    let dir = example_report("r");
    let got = results(&dir);
    let reference: Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("tests/reference/study.json")).unwrap()).unwrap();
    let mut compared = 0;
    for (id, exp) in reference["endpoints"].as_object().unwrap() {
        let ep = got["endpoints"].as_array().unwrap().iter().find(|e| e["id"] == id.as_str()).unwrap();
        for (k, l) in exp["landmarks"].as_array().unwrap().iter().enumerate() {
            close(&ep["overall"]["landmarks"][k]["surv"], l, &format!("{id} landmark {k}"));
            compared += 1;
        }
        // PFS and OS per patient, beside the paper's lesion-level rows.
        match exp.get("per_patient") {
            None => assert!(ep["per_patient"].is_null(), "{id}: no per-patient curve expected"),
            Some(pp) => {
                let mine = &ep["per_patient"];
                assert_eq!(mine["n"], pp["n"], "{id} per-patient n");
                assert_eq!(mine["events"], pp["events"], "{id} per-patient events");
                for (k, l) in pp["landmarks"].as_array().unwrap().iter().enumerate() {
                    close(&mine["landmarks"][k]["surv"], l, &format!("{id} per-patient landmark {k}"));
                }
                close(&mine["median"]["estimate"], &pp["median"], &format!("{id} per-patient median"));
                close(&mine["median"]["lower"], &pp["median_lower"], &format!("{id} per-patient median lower"));
                close(&mine["median"]["upper"], &pp["median_upper"], &format!("{id} per-patient median upper"));
                compared += 6;
            }
        }
        for u in exp["univariate"].as_array().unwrap() {
            let cov = u["covariate"].as_str().unwrap();
            let mine = ep["univariate"].as_array().unwrap().iter().find(|x| x["covariate"] == cov).unwrap();
            close(&mine["p"], &u["p"], &format!("{id} {cov} univariate p"));
            compared += 1;
            let levels = u["levels"].as_array().unwrap();
            assert_eq!(levels.len(), mine["levels"].as_array().unwrap().len(), "{id} {cov} levels");
            for (l, ml) in levels.iter().zip(mine["levels"].as_array().unwrap()) {
                assert_eq!(l["label"], ml["label"]);
                close(&ml["curve"]["landmarks"][0]["surv"], &l["rate"], &format!("{id} {cov} {} rate", l["label"]));
                compared += 1;
            }
        }
        assert_eq!(ep["model"]["candidates"], exp["model"]["candidates"], "{id} candidates");
        assert_eq!(ep["model"]["retained"], exp["model"]["retained"], "{id} retained");
        let terms = exp["model"]["terms"].as_array().unwrap();
        assert_eq!(terms.len(), ep["model"]["terms"].as_array().unwrap().len());
        for (t, mt) in terms.iter().zip(ep["model"]["terms"].as_array().unwrap()) {
            assert_eq!(t["covariate"], mt["covariate"]);
            assert_eq!(t["level"], mt["level"]);
            for k in ["hr", "hr_lower", "hr_upper", "p"] {
                close(&mt[k], &t[k], &format!("{id} {} {k}", t["covariate"]));
                compared += 1;
            }
        }
    }
    assert!(compared > 80, "only {compared} numbers compared");
}

#[test]
fn the_report_agrees_with_the_engine_called_directly() {
    use sbrt::cohort::{load, ReadOptions};
    use sbrt::endpoints::{derive, DeriveOptions};
    use survstat::km::{ConfSpec, KaplanMeier};
    let dir = example_report("engine");
    let got = results(&dir);
    let (cohort, _) = load(&root().join("examples/spine_sarcoma_synthetic.csv"), &ReadOptions::default()).unwrap();
    let rows = derive(&cohort, &DeriveOptions::default());
    let t: Vec<f64> = rows.iter().map(|r| r.lc.time).collect();
    let e: Vec<bool> = rows.iter().map(|r| r.lc.event).collect();
    let km = KaplanMeier::fit(&t, &e, ConfSpec::default());
    let lc = got["endpoints"].as_array().unwrap().iter().find(|x| x["id"] == "lc").unwrap();
    for (k, month) in [12.0, 24.0, 36.0].into_iter().enumerate() {
        let a = km.at(month);
        assert_eq!(lc["overall"]["landmarks"][k]["surv"].as_f64(), a.surv);
        assert_eq!(lc["overall"]["landmarks"][k]["lower"].as_f64(), a.lower);
    }
    // Figure 1's log-rank p is the engine's on single vs multiple levels.
    let g: Vec<usize> = rows.iter().map(|r| usize::from(r.n_levels.unwrap() > 1)).collect();
    let lr = survstat::logrank::logrank(&t, &e, &g, 2, None).unwrap();
    let fig = got["figures"].as_array().unwrap().iter().find(|f| f["id"] == "figure1").unwrap();
    assert_eq!(fig["logrank_p"].as_f64(), Some(lr.p));
}

/// Every key path of a JSON value with the types found there, one
/// `path: type` line each, sorted (array elements share the path `[]`).
fn json_shape(v: &Value) -> String {
    fn walk(v: &Value, path: &str, out: &mut std::collections::BTreeSet<String>) {
        let kind = match v {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(items) => {
                items.iter().for_each(|x| walk(x, &format!("{path}[]"), out));
                "array"
            }
            Value::Object(map) => {
                map.iter().for_each(|(k, x)| walk(x, &format!("{path}.{k}"), out));
                "object"
            }
        };
        out.insert(format!("{path}: {kind}"));
    }
    let mut out = std::collections::BTreeSet::new();
    walk(v, "", &mut out);
    out.into_iter().map(|l| l + "\n").collect()
}

/// Compare `got` with `tests/golden/{name}`, or write it there with `UPDATE_GOLDEN=1`.
fn golden(name: &str, got: &str) {
    let path = root().join("tests/golden").join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(got, want, "{name} differs from tests/golden/{name} (review, then rerun with UPDATE_GOLDEN=1)");
}

#[test]
fn outputs_match_the_golden_files() {
    let dir = example_report("golden");
    let json: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("results.json")).unwrap()).unwrap();
    golden("results_shape.txt", &json_shape(&json));
    let robust = [
        "robust_competing",
        "robust_gray",
        "robust_fine_gray",
        "robust_models",
        "robust_ph",
        "robust_followup",
        "robust_bootstrap",
        "robust_epv",
        "robust_alpha_beta",
    ];
    let spine = ["toxicity", "vcf", "pain_response", "failure_patterns"];
    for id in ["table1", "table2", "outcomes", "table3", "table4", "table5"].into_iter().chain(spine).chain(robust) {
        golden(&format!("{id}.md"), &std::fs::read_to_string(dir.join(format!("{id}.md"))).unwrap());
    }
}

#[test]
fn every_output_is_written_and_self_contained() {
    let dir = example_report("files");
    for id in ["table1", "table2", "outcomes", "table3", "table4", "table5"] {
        for ext in ["csv", "md"] {
            assert!(dir.join(format!("{id}.{ext}")).metadata().unwrap().len() > 50, "{id}.{ext}");
        }
    }
    for id in ["figure1", "figure2a", "figure2b", "lc_overall", "pfs_overall", "os_overall"] {
        let svg = std::fs::read_to_string(dir.join(format!("{id}.svg"))).unwrap();
        assert!(svg.contains("Number at risk") && svg.contains("Months since SBRT"), "{id}.svg");
        let png = std::fs::read(dir.join(format!("{id}.png"))).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "{id}.png");
        assert!(png.len() > 20_000, "{id}.png is suspiciously small ({} bytes)", png.len());
    }
    assert!(dir.join("forest_lc.svg").exists() || dir.join("forest_pfs.svg").exists());
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(html.contains("Content-Security-Policy") && html.contains("default-src 'none'"));
    for forbidden in ["<script", "<link", "src=", "url(", "@import"] {
        assert!(!html.contains(forbidden), "report.html contains {forbidden}");
    }
    let svg_files = std::fs::read_dir(&dir)
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "svg"))
        .count();
    assert_eq!(html.matches("<svg").count(), svg_files, "every figure is inline in the report");
    assert!(html.contains("Kaplan-Meier") && html.contains("input SHA-256"));
    let study = std::fs::read_to_string(dir.join("study.toml")).unwrap();
    assert!(sbrt::study::Study::parse(&study, "written study").is_ok());
}

#[test]
fn no_identifier_or_date_from_the_input_appears_in_any_output() {
    let dir = example_report("privacy");
    let input = std::fs::read_to_string(root().join("examples/spine_sarcoma_synthetic.csv")).unwrap();
    let mut needles: Vec<String> = Vec::new();
    for line in input.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        needles.push(cells[0].to_string()); // patient id
        needles.push(cells[8].to_string()); // lesion id
        needles.extend(cells.iter().filter(|c| c.len() == 10 && c.as_bytes()[4] == b'-').map(|c| c.to_string()));
    }
    needles.sort();
    needles.dedup();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        for n in &needles {
            assert!(!text.contains(n.as_str()), "{} contains '{n}'", path.display());
        }
    }
}

#[test]
fn a_failed_run_leaves_the_output_directory_as_it_was() {
    let base = scratch("atomic");
    let out = base.join("report");
    assert!(sbrt(&["analyze", "--example", "--out", out.to_str().unwrap()]).status.success());
    let before = std::fs::read(out.join("results.json")).unwrap();
    let o = sbrt(&["analyze", "tests/data/bad_cohorts/date_order.csv", "--out", out.to_str().unwrap()]);
    assert!(!o.status.success());
    assert_eq!(std::fs::read(out.join("results.json")).unwrap(), before);
    // A bad study fails before anything is written.
    let bad_study = base.join("bad.toml");
    std::fs::write(&bad_study, sbrt::study::BUILTIN.replace("retain_p = 0.05", "retain_p = 2")).unwrap();
    let o = sbrt(&["analyze", "--example", "--study", bad_study.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("selection.retain_p"));
    assert_eq!(std::fs::read(out.join("results.json")).unwrap(), before);
    // A directory holding something else is never replaced.
    let other = base.join("photos");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("cat.jpg"), "meow").unwrap();
    let o = sbrt(&["analyze", "--example", "--out", other.to_str().unwrap()]);
    assert!(!o.status.success());
    assert_eq!(std::fs::read_to_string(other.join("cat.jpg")).unwrap(), "meow");
    // No temporary directories are left behind.
    let leftovers: Vec<_> = std::fs::read_dir(&base)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_study_file_changes_the_analysis() {
    let base = scratch("study");
    let printed = sbrt(&["study", "--print"]);
    assert!(printed.status.success());
    let text = String::from_utf8_lossy(&printed.stdout)
        .replace("landmarks_months = [12.0, 24.0, 36.0]", "landmarks_months = [6.0, 18.0]");
    let study = base.join("study.toml");
    std::fs::write(&study, text).unwrap();
    let out = base.join("report");
    let o = sbrt(&["analyze", "--example", "--study", study.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let md = std::fs::read_to_string(out.join("table3.md")).unwrap();
    assert!(md.contains("6-month rate (%)"), "{md}");
    let unknown = base.join("unknown.toml");
    std::fs::write(&unknown, sbrt::study::BUILTIN.replace("title =", "titel = \"x\"\ntitle =")).unwrap();
    let o = sbrt(&["study", "--check", unknown.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("titel"));
}

#[test]
fn the_robustness_section_agrees_with_r() {
    let dir = example_report("robust-r");
    let got = results(&dir)["robustness"].clone();
    let all = results(&dir);
    let reference: Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("tests/reference/study.json")).unwrap()).unwrap();
    let r = &reference["robustness"];
    for k in 0..3 {
        close(
            &got["competing"]["landmarks"][k]["cumulative_incidence"],
            &r["cif_landmarks"][k],
            &format!("CIF landmark {k}"),
        );
    }
    let gray = got["competing"]["gray"].as_array().unwrap().iter().find(|g| g["covariate"] == "levels").unwrap();
    close(&gray["gray_p"], &r["gray_levels_p"], "Gray's test of treated levels");
    close(&got["follow_up"]["reverse_km"]["estimate"], &r["reverse_km_median"], "reverse KM median");
    close(&got["follow_up"]["reverse_km"]["lower"], &r["reverse_km_lower"], "reverse KM lower");
    close(&got["follow_up"]["reverse_km"]["upper"], &r["reverse_km_upper"], "reverse KM upper");
    let lc = all["endpoints"].as_array().unwrap().iter().find(|e| e["id"] == "lc").unwrap();
    // One value per term of the retained LC model (R writes a lone term's as a number).
    let each = |v: &Value| v.as_array().cloned().unwrap_or_else(|| vec![v.clone()]);
    let terms = each(&r["lc_robust_se"]).len();
    assert_eq!(lc["model"]["robust_terms"].as_array().unwrap().len(), terms);
    for k in 0..terms {
        let t = &lc["model"]["robust_terms"][k];
        close(&t["robust_se"], &each(&r["lc_robust_se"])[k], "LC robust se");
        close(&t["se"], &each(&r["lc_naive_se"])[k], "LC naive se");
        close(&t["p"], &each(&r["lc_robust_p"])[k], "LC robust p");
        close(&got["fine_gray"][k]["hr"], &each(&r["lc_fine_gray_hr"])[k], "LC Fine-Gray HR");
        close(&got["fine_gray"][k]["p"], &each(&r["lc_fine_gray_p"])[k], "LC Fine-Gray p");
    }
    let zph = each(&r["lc_zph_p"]);
    assert_eq!(lc["model"]["ph_test"].as_array().unwrap().len(), zph.len(), "PH tests: each term and the global");
    for (k, p) in zph.iter().enumerate() {
        close(&lc["model"]["ph_test"][k]["p"], p, "LC PH test");
    }
}

#[test]
fn the_vcf_analysis_agrees_with_cmprsk() {
    let dir = example_report("vcf-r");
    let got = results(&dir)["vcf"].clone();
    let reference: Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("tests/reference/study.json")).unwrap()).unwrap();
    let r = &reference["vcf"];
    assert_eq!(got["fractures"], r["fractures"]);
    assert_eq!(got["deaths_without_fracture"], r["deaths_without_fracture"]);
    for k in 0..3 {
        close(&got["landmarks"][k]["cumulative_incidence"], &r["cif"][k], &format!("VCF CIF landmark {k}"));
    }
    for (factor, key) in [(0, "sins"), (1, "vcf_baseline")] {
        let g = &got["factors"][factor];
        let e = &r[key];
        close(&g["gray_p"], &e["gray_p"], &format!("{key}: Gray's test"));
        let levels = e["levels"].as_array().unwrap();
        assert_eq!(g["levels"].as_array().unwrap().len(), levels.len(), "{key}: levels");
        for (k, l) in levels.iter().enumerate() {
            let gl = &g["levels"][k];
            assert_eq!((&gl["label"], &gl["n"], &gl["fractures"]), (&l["label"], &l["n"], &l["fractures"]), "{key}");
            for t in 0..3 {
                // cmprsk gives no estimate past a group's last time; sbrt's is then the last value.
                if !l["cif"][t].is_null() {
                    close(
                        &gl["landmarks"][t]["cumulative_incidence"],
                        &l["cif"][t],
                        &format!("{key} level {k} at {t}"),
                    );
                }
            }
            if k > 0 && e["shr"].is_null() {
                assert!(gl["shr"].is_null(), "{key}: a group without a fracture has no subdistribution HR");
            } else if k > 0 {
                let shr = if e["shr"].is_array() { e["shr"][k - 1].clone() } else { e["shr"].clone() };
                let p = if e["shr_p"].is_array() { e["shr_p"][k - 1].clone() } else { e["shr_p"].clone() };
                close(&gl["shr"]["estimate"], &shr, &format!("{key} level {k} subdistribution HR"));
                close(&gl["shr_p"], &p, &format!("{key} level {k} subdistribution HR p"));
            }
        }
    }
}

#[test]
fn the_toxicity_table_agrees_with_an_independent_count() {
    let got = results(&example_report("toxicity-ref"))["toxicity"].clone();
    let reference: Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("tests/reference/toxicity.json")).unwrap()).unwrap();
    for key in ["n_patients", "events", "not_related"] {
        assert_eq!(got[key], reference[key], "{key}");
    }
    let rows = got["rows"].as_array().unwrap();
    let expected = reference["rows"].as_array().unwrap();
    assert_eq!(rows.len(), expected.len(), "one row per phase and term, and one per phase for any term");
    for e in expected {
        let row = rows
            .iter()
            .find(|r| r["phase"] == e["phase"] && r["term"] == e["term"])
            .unwrap_or_else(|| panic!("no row for {} {}", e["phase"], e["term"]));
        assert_eq!(row["by_worst_grade"], e["by_worst_grade"], "{} {}", e["phase"], e["term"]);
    }
}

#[test]
fn the_study_sets_the_p_value_convention() {
    let text = sbrt::study::BUILTIN.replace("p_values = \"three_decimals\"", "p_values = \"ama\"");
    assert!(text.contains("p_values = \"ama\""));
    let out = analyze_example_with(&scratch("p-values"), &text);
    let paper = std::fs::read_to_string(example_report("p-values-paper").join("table4.csv")).unwrap();
    let ama = std::fs::read_to_string(out.join("table4.csv")).unwrap();
    // Histology's OS log-rank p: 0.091 by the paper's convention, 0.09 by AMA's.
    assert!(paper.contains("Osteosarcoma,25.6,0.230,,,,76.2,0.091,") && ama.contains(",76.2,0.09,"), "{ama}");
    assert!(!ama.contains(",0.091,"));
}

#[test]
fn the_adjusted_figure_agrees_with_r() {
    // Figure 2A adjusted for age and disease status: direct adjustment, each
    // level's curve at every observation time, and the likelihood-ratio p.
    let dir = example_report("adjusted-r");
    let got = results(&dir);
    let reference: Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("tests/reference/study.json")).unwrap()).unwrap();
    let r = &reference["adjusted_pfs"];
    let fig = got["figures"].as_array().unwrap().iter().find(|f| f["id"] == "figure2a_adjusted").unwrap();
    let a = &fig["adjustment"];
    assert_eq!((&a["n"], &a["events"]), (&r["n"], &r["events"]));
    close(&a["p"], &r["p"], "adjusted p");
    let curves = a["curves"].as_array().unwrap();
    assert_eq!(curves.len(), r["curves"].as_array().unwrap().len());
    for (mine, theirs) in curves.iter().zip(r["curves"].as_array().unwrap()) {
        assert_eq!(mine["label"], theirs["label"]);
        let points = mine["points"].as_array().unwrap();
        assert_eq!(points.len(), theirs["time"].as_array().unwrap().len(), "{}", mine["label"]);
        for (k, pt) in points.iter().enumerate() {
            close(&pt[0], &theirs["time"][k], &format!("{} time {k}", mine["label"]));
            close(&pt[1], &theirs["surv"][k], &format!("{} survival {k}", mine["label"]));
        }
    }
    let svg = std::fs::read_to_string(dir.join("figure2a_adjusted.svg")).unwrap();
    assert!(svg.contains("Adjusted p = ") && svg.contains("direct adjustment"), "the figure says what it shows");
}

#[test]
fn each_robustness_analysis_can_be_turned_off() {
    let base = scratch("robust-off");
    let text = sbrt::study::BUILTIN
        .replace("competing_risks = true", "competing_risks = false")
        .replace("cluster_robust = true", "cluster_robust = false")
        .replace("firth = true", "firth = false")
        .replace("ph_test = true", "ph_test = false")
        .replace("reverse_km_followup = true", "reverse_km_followup = false")
        .replace("bootstrap_resamples = 500", "bootstrap_resamples = 0")
        .replace("alpha_beta_sensitivity = [3.0, 5.0, 10.0]", "alpha_beta_sensitivity = []")
        .replace("events_per_variable = true", "events_per_variable = false");
    let study = base.join("plain.toml");
    std::fs::write(&study, text).unwrap();
    let out = base.join("report");
    let o = sbrt(&["analyze", "--example", "--study", study.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let names: Vec<String> =
        std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert!(!names.iter().any(|n| n.starts_with("robust_") || n.starts_with("lc_competing")), "{names:?}");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(!html.contains("<h2>Robustness</h2>"));
    assert!(html.contains("Table 3."));
}

#[test]
fn progress_reports_every_stage_only_when_asked_or_on_a_terminal() {
    let base = scratch("progress");
    let out = base.join("report");
    let o = sbrt(&["analyze", "--example", "--progress", "--out", out.to_str().unwrap()]);
    assert!(o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    for stage in [
        "deriving endpoints",
        "Local control: univariate screens [",
        "Local control: backward elimination",
        "Kaplan-Meier figures [",
        "robustness: bootstrap, Overall survival [########################] 500/500",
        "rendering tables and figures",
        "writing ",
    ] {
        assert!(err.contains(stage), "no '{stage}' in:\n{err}");
    }
    // Captured (not a terminal) and not asked for: no progress at all.
    let quiet = sbrt(&["analyze", "--example", "--out", out.to_str().unwrap()]);
    assert!(!String::from_utf8_lossy(&quiet.stderr).contains('\r'));
    let sim = base.join("sim.csv");
    let o = sbrt(&["simulate", "--seed", "3", "--patients", "50", "--progress", "--out", sim.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("simulating patients [########################] 50/50"));
}

/// A study whose covariate reads a column the cohort does not have is
/// refused from the derived rows' column names, before any column is
/// tabulated (at a million patients, seconds of work), and `analyze` gives
/// the same refusal.
#[test]
fn a_covariate_with_no_source_column_is_refused_before_tabulating() {
    use sbrt::cohort::read::FileType;
    let study_text = sbrt::study::BUILTIN.replace(
        "# Kaplan-Meier figures:",
        "[[covariate]]\nid = \"kps\"\nlabel = \"Karnofsky performance status\"\nsource = \"kps\"\nkind = \"continuous\"\n\n# Kaplan-Meier figures:",
    );
    let study = sbrt::study::Study::parse(&study_text, "study.toml").unwrap();
    let csv = sbrt::example::CSV.as_bytes().to_vec();
    let cohort = sbrt::cohort::load_bytes(sbrt::example::NAME, FileType::Csv, csv, &Default::default()).unwrap().0;
    let refused = sbrt::analysis::DerivedRows::of(cohort.clone(), &study).check_sources(&study).unwrap_err();
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert!(
        refused[0].starts_with(
            "study: covariate 'kps': source column 'kps' is not in the analysis data (columns: patient, lesion,"
        ),
        "{}",
        refused[0]
    );
    assert_eq!(sbrt::analysis::analyze(cohort, &study).unwrap_err(), refused);
}
