//! `sbrt dicom`: the phantoms' figures against their analytic truth and
//! against dicompyler-core's on the same files (`tests/reference/
//! dicom_phantoms.py` made both, and the files), pydicom's RT test files,
//! the folder scan's counts and problems, no identifiers without
//! `--keep-ids`, and the cohort filled from the plans without overwriting.

mod common;

use common::{root, sbrt, scratch};
use serde_json::Value;
use std::path::Path;

fn json_file(rel: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(root().join(rel)).unwrap()).unwrap()
}

fn data(rel: &str) -> String {
    root().join("tests/data/dicom").join(rel).to_str().unwrap().to_string()
}

fn dicom_json(args: &[&str]) -> Value {
    let mut all = vec!["dicom"];
    all.extend_from_slice(args);
    all.push("--json");
    let out = sbrt(&all);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Phantom name of each plan label.
const PLANS: [(&str, &str); 3] = [("SBRT T10", "sphere10"), ("SBRT L2", "sphere1"), ("SBRT C5", "sphere01")];
const METRICS: [&str; 8] =
    ["volume_cc", "dmin_gy", "dmax_gy", "dmean_gy", "d95_gy", "d0035cc_gy", "d1_2cc_gy", "v100_pct"];

/// (phantom, structure, metric, sbrt, truth, dicompyler-core) for every
/// figure the truth has.
fn comparisons() -> Vec<(String, String, String, f64, f64, Option<f64>)> {
    let got = dicom_json(&[&data("phantoms"), "--structure", "Shell", "--structure", "Pair"]);
    let truth = json_file("tests/reference/dicom_truth.json");
    let peer = json_file("tests/reference/dicom_peer.json");
    let mut out = Vec::new();
    for plan in got["plans"].as_array().unwrap() {
        let phantom = PLANS.iter().find(|(l, _)| plan["plan"] == *l).unwrap().1;
        let structures = plan["structures"].as_array().unwrap();
        assert_eq!(structures.len(), truth[phantom]["structures"].as_object().unwrap().len(), "{phantom}");
        for s in structures {
            let name = s["name"].as_str().unwrap();
            let t = &truth[phantom]["structures"][name];
            for m in METRICS {
                if t[m].is_null() {
                    assert!(s[m].is_null(), "{phantom} {name} {m}: the structure is smaller than the volume");
                    continue;
                }
                let p = peer["phantoms"][phantom]["structures"][name][m].as_f64();
                out.push((phantom.into(), name.into(), m.into(), s[m].as_f64().unwrap(), t[m].as_f64().unwrap(), p));
            }
        }
    }
    assert_eq!(out.len(), 45);
    out
}

fn relative(a: f64, truth: f64) -> f64 {
    if truth == 0.0 {
        a.abs()
    } else {
        (a - truth).abs() / truth.abs()
    }
}

#[test]
fn the_phantoms_figures_are_within_the_targets_of_their_analytic_values() {
    // Targets (issue 13): 1 % for structures of 1 cc and more, 5 % below
    // (the 0.1 cc sphere, and the pair's two spheres of 0.27 cc each).
    // The cord's Dmin lies on its end faces, half a slice beyond the last
    // contour plane, where no contour is drawn: it is the one figure outside
    // 1 % (7.6 %, dicompyler-core 5.3 %; `docs/dicom.md`).
    let truth_json = json_file("tests/reference/dicom_truth.json");
    for (phantom, name, metric, got, truth, _) in comparisons() {
        let volume = truth_json[&phantom]["structures"][&name]["volume_cc"].as_f64().unwrap();
        let target = if volume >= 1.0 { 0.01 } else { 0.05 };
        if (name.as_str(), metric.as_str()) == ("SpinalCord", "dmin_gy") {
            assert!(relative(got, truth) < 0.08, "{phantom} {name} {metric}: {got} vs {truth}");
            continue;
        }
        assert!(relative(got, truth) <= target, "{phantom} {name} {metric}: sbrt {got}, truth {truth}");
    }
}

#[test]
fn sbrt_is_as_close_to_the_truth_as_dicompyler_core_but_where_documented() {
    // Where dicompyler-core is closer (docs/dicom.md says why): it reads the
    // dose frame within 0.5 mm of a contour plane instead of interpolating,
    // and these spheres' peaks sit on a dose frame; and the cord's Dmin.
    let documented = [
        ("sphere01", "PTV_C5", "dmax_gy"),
        ("sphere1", "PTV_L2", "dmax_gy"),
        ("sphere1", "PTV_L2", "dmean_gy"),
        ("sphere10", "SpinalCord", "dmin_gy"),
    ];
    let mut peer_closer = Vec::new();
    for (phantom, name, metric, got, truth, peer) in comparisons() {
        let Some(peer) = peer else { continue };
        if relative(got, truth) > relative(peer, truth) + 1e-12 {
            peer_closer.push((phantom, name, metric));
        }
    }
    let documented: Vec<(String, String, String)> =
        documented.iter().map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string())).collect();
    assert_eq!(peer_closer, documented);
}

#[test]
fn each_plan_gives_its_prescription_fractions_beams_and_isodose() {
    let got = dicom_json(&[&data("phantoms")]);
    let truth = json_file("tests/reference/dicom_truth.json");
    for plan in got["plans"].as_array().unwrap() {
        let phantom = PLANS.iter().find(|(l, _)| plan["plan"] == *l).unwrap().1;
        let t = &truth[phantom];
        assert_eq!(plan["prescription_gy"], t["prescription_gy"]);
        assert_eq!(plan["prescription_source"], "dose reference");
        assert_eq!(plan["fractions"], t["fractions"]);
        let per = t["prescription_gy"].as_f64().unwrap() / t["fractions"].as_f64().unwrap();
        assert!((plan["dose_per_fraction_gy"].as_f64().unwrap() - per).abs() < 1e-12);
        // two arcs; the CBCT setup field is not a treatment beam
        assert_eq!(plan["beams"], 2);
        assert_eq!(plan["technique"], "VMAT");
        let target = &plan["structures"][0];
        assert_eq!(target["role"], "PTV");
        let isodose = 100.0 * t["prescription_gy"].as_f64().unwrap() / target["dmax_gy"].as_f64().unwrap();
        assert!((plan["isodose_pct"].as_f64().unwrap() - isodose).abs() < 1e-9);
        assert_eq!(plan["structures"][0]["isodose_pct"], plan["isodose_pct"]);
        // analytic: prescription / the dose at the centre
        let analytic = 100.0 * t["prescription_gy"].as_f64().unwrap() / t["dc_gy"].as_f64().unwrap();
        let target = if phantom == "sphere01" { 0.05 } else { 0.01 };
        assert!(relative(isodose, analytic) < target, "{phantom}: {isodose} vs {analytic}");
    }
}

#[test]
fn pydicom_rt_test_files_read_as_pydicom_and_dicompyler_core_read_them() {
    let peer = &json_file("tests/reference/dicom_peer.json")["pydicom"];
    let got = dicom_json(&[&data("pydicom"), "--keep-ids"]);
    let plan = &got["plans"][0];
    assert_eq!(plan["plan"], peer["rtplan"]["label"]);
    // dicompyler-core rounds the prescription to cGy (30.83); the file says 30.826203
    assert_eq!(plan["prescription_gy"], 30.826203);
    assert!(
        (plan["prescription_gy"].as_f64().unwrap() - peer["rtplan"]["prescription_gy"].as_f64().unwrap()).abs() < 0.005
    );
    assert_eq!(plan["fractions"], peer["rtplan"]["fractions"]);
    assert_eq!(plan["beams"], 1);
    assert_eq!(got["skipped_by_reason"]["other_kind"], 1, "CT_small.dcm is a CT image");
    let problems: Vec<String> = got["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| format!("{}: {}", p["file"].as_str().unwrap(), p["message"].as_str().unwrap()))
        .collect();
    assert_eq!(
        problems,
        [
            "rtdose.dcm: the RT Dose references a plan that is not in the folder",
            "rtdose_rle.dcm: the dose grid is stored in RLE Lossless (1.2.840.10008.1.2.5); only uncompressed grids \
             are read (implicit or explicit VR little endian): export the dose uncompressed",
            "rtplan.dcm: no RT Dose in the folder references this plan",
            "rtplan.dcm: the plan references a structure set that is not in the folder",
        ]
    );
}

#[test]
fn a_bare_data_set_and_a_dose_grid_are_read_like_pydicom() {
    use sbrt::dicom::{dose::DoseGrid, object::open, structures::StructureSet};
    let peer = &json_file("tests/reference/dicom_peer.json")["pydicom"];
    // rtstruct.dcm has no preamble nor file meta: read as implicit VR LE
    let s = open(Path::new(&data("pydicom/rtstruct.dcm")), false).unwrap();
    let set = StructureSet::read(&s.data);
    let names: Vec<&str> = set.rois.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["patient", "Isocenter 1", "Isocenter 2"]);
    let patient = &set.rois[0];
    assert_eq!(patient.planes.len() as u64, peer["rtstruct"]["patient"]["planes"].as_u64().unwrap());
    // dicompyler-core's CalculateStructureVolume takes half slabs at the two
    // end planes: 2 of 3 planes' areas halved; sbrt takes full slabs.
    let t = peer["rtstruct"]["patient"]["thickness_mm"].as_f64().unwrap();
    let area: Vec<f64> = patient.planes.iter().map(|p| sbrt::dosimetry::contours::plane_area(&p.contours)).collect();
    let half_ends = (area[0] / 2.0 + area[1] + area[2] / 2.0) * t / 1000.0;
    assert!((half_ends - peer["rtstruct"]["patient"]["structure_volume_cc"].as_f64().unwrap()).abs() < 1e-9);
    let d = open(Path::new(&data("pydicom/rtdose.dcm")), true).unwrap();
    let grid = DoseGrid::read(&d.data, &d.transfer_syntax).unwrap();
    let r = &peer["rtdose"];
    assert_eq!((grid.z.len(), grid.ny, grid.nx), (15, 10, 10));
    assert_eq!(r["frames"], 15);
    let mean = grid.gy.iter().map(|&v| v as f64).sum::<f64>() / grid.gy.len() as f64;
    assert!(relative(grid.max() as f64, r["max"].as_f64().unwrap()) < 1e-6);
    assert!(relative(mean, r["mean"].as_f64().unwrap()) < 1e-6);
}

#[test]
fn a_folder_scan_counts_what_it_skips_and_names_what_it_cannot_read() {
    let dir = scratch("dicom-scan");
    let sub = dir.join("deep/er");
    std::fs::create_dir_all(&sub).unwrap();
    for f in ["RP.dcm", "RD.dcm", "RS.dcm"] {
        std::fs::copy(data(&format!("phantoms/sphere1/{f}")), sub.join(f)).unwrap();
    }
    std::fs::write(dir.join("notes.txt"), "not dicom").unwrap();
    std::fs::write(dir.join("empty.dcm"), "").unwrap();
    let mut broken = vec![0u8; 128];
    broken.extend_from_slice(b"DICM\x02\x00\x10\x00UI\xff\xff");
    std::fs::write(dir.join("broken.dcm"), broken).unwrap();
    let got = dicom_json(&[dir.to_str().unwrap(), "--keep-ids"]);
    assert_eq!(got["files"], 6);
    assert_eq!(got["plans"].as_array().unwrap().len(), 1);
    assert_eq!(got["plans"][0]["files"]["dose"], "deep/er/RD.dcm");
    assert_eq!(got["skipped"], 3);
    assert_eq!(got["skipped_by_reason"]["not_dicom"], 2);
    assert_eq!(got["skipped_by_reason"]["unreadable"], 1);
    let p = &got["problems"][0];
    assert_eq!(p["file"], "broken.dcm");
    assert!(p["message"].as_str().unwrap().starts_with("not readable as DICOM"), "{p}");
    // without --keep-ids files are numbered in the sorted scan, problems in that order
    for k in 1..=5 {
        std::fs::write(
            dir.join(format!("z{k}.dcm")),
            b"\0".repeat(128).into_iter().chain(*b"DICM\x02").collect::<Vec<u8>>(),
        )
        .unwrap();
    }
    let got = dicom_json(&[dir.to_str().unwrap()]);
    let files: Vec<&str> = got["problems"].as_array().unwrap().iter().map(|p| p["file"].as_str().unwrap()).collect();
    assert_eq!(files, ["file 1", "file 7", "file 8", "file 9", "file 10", "file 11"]);
    // a plan whose dose is missing is still listed, and the gap is a problem
    std::fs::remove_file(sub.join("RD.dcm")).unwrap();
    let got = dicom_json(&[dir.to_str().unwrap()]);
    assert_eq!(got["plans"][0]["structures"].as_array().unwrap().len(), 0);
    assert!(got["problems"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["message"] == "no RT Dose in the folder references this plan"));
}

#[test]
fn no_patient_id_date_or_path_is_printed_without_keep_ids() {
    for format in [&["--json"][..], &[][..]] {
        let mut args = vec!["dicom", root().join("tests/data/dicom").to_str().unwrap().to_string().leak() as &str];
        args.extend_from_slice(format);
        let out = sbrt(&args);
        let text = String::from_utf8(out.stdout).unwrap() + &String::from_utf8(out.stderr).unwrap();
        for leak in ["PHANTOM", "id00001", "2020", "2003", ".dcm", "pydicom/"] {
            assert!(!text.contains(leak), "'{leak}' printed:\n{text}");
        }
        let mut keep = args.clone();
        keep.push("--keep-ids");
        let text = String::from_utf8(sbrt(&keep).stdout).unwrap();
        assert!(text.contains("PHANTOM1") && text.contains("2020-01-15"), "{text}");
    }
}

const COHORT: &str = "\
patient_id,sex,age,histology,last_followup_date,lesion_id,sbrt_date,levels,dose_gy,fractions,ptv_cc
P1,M,40,osteosarcoma,2021-06-01,P1-a,2020-01-20,T10,27,,
P1,M,40,osteosarcoma,2021-06-01,P1-b,2020-01-20,L4,,,
P2,F,50,liposarcoma,2021-06-01,P2-a,2020-01-27,L2,27,3,1.0
P3,F,60,chordoma,2021-06-01,P3-a,2020-05-01,C5,,,
P4,M,70,chondrosarcoma,2021-06-01,P4-a,2020-01-20,T4,,,
";

#[test]
fn the_cohort_is_filled_from_its_plans_and_a_disagreeing_value_is_kept_and_reported() {
    let dir = scratch("dicom-cohort");
    let cohort = dir.join("cohort.csv");
    std::fs::write(&cohort, COHORT).unwrap();
    let map = dir.join("map.csv");
    std::fs::write(&map, "dicom_patient_id,patient_id\nPHANTOM1,P1\nPHANTOM2,P2\nPHANTOM3,P3\n").unwrap();
    let out_path = dir.join("filled.csv");
    let out = sbrt(&[
        "dicom",
        &data("phantoms"),
        "--cohort",
        cohort.to_str().unwrap(),
        "--patients",
        map.to_str().unwrap(),
        "--out",
        out_path.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "{stderr}");
    // P1's T10 lesion: the cohort says 27 Gy, the plan 24 Gy: kept, reported
    assert!(
        stderr.contains(&format!(
            "{}:2:dose_gy: the cohort has 27, the plan 24.00 (sphere10/RP.dcm 'SBRT T10'): the cohort's value is kept",
            cohort.display()
        )),
        "{stderr}"
    );
    assert!(stderr.contains("5 lesions: 2 matched to a plan, 3 not matched; 1 conflict(s)"), "{stderr}");
    // the 0.1 cc phantom's patient is 107 days from its plan: the plan is named
    assert!(stderr.contains("sphere01/RP.dcm 'SBRT C5': no lesion of the cohort matched this plan"), "{stderr}");
    let filled = std::fs::read_to_string(&out_path).unwrap();
    let rows: Vec<Vec<&str>> = filled.lines().map(|l| l.split(',').collect()).collect();
    assert_eq!(
        rows[0],
        [
            "patient_id",
            "sex",
            "age",
            "histology",
            "last_followup_date",
            "lesion_id",
            "sbrt_date",
            "levels",
            "dose_gy",
            "fractions",
            "ptv_cc",
            "isodose_pct",
            "ptv_coverage_pct",
            "cord_dmax_gy",
            "cord_d0035cc_gy"
        ]
    );
    // T10: dose kept at 27; fractions, PTV, isodose, coverage and cord filled from the plan
    assert_eq!(&rows[1][8..], ["27", "2", "10.00", "80.6", "95.1", "18.04", "17.06"]);
    // L4 of the same patient: the plan's one target names T10, not L4
    assert_eq!(&rows[2][8..], ["", "", "", "", "", "", ""]);
    // P2: values agreeing with the plan (27 Gy, 3 fx, 1.0 cc) stay as written
    assert_eq!(&rows[3][8..], ["27", "3", "1.0", "80.6", "95.0", "", ""]);
    // P3 is 107 days from its plan; P4 has none
    assert_eq!(&rows[4][8..], ["", "", "", "", "", "", ""]);
    let matches = std::fs::read_to_string(dir.join("filled.matches.csv")).unwrap();
    let lines: Vec<&str> = matches.lines().collect();
    assert_eq!(lines[0], "row,patient_id,lesion_id,plan_file,plan_label,target,filled,conflicts,unmatched_because");
    assert_eq!(
        lines[1],
        "2,P1,P1-a,sphere10/RP.dcm,SBRT T10,PTV_T10,fractions isodose_pct ptv_cc ptv_coverage_pct cord_dmax_gy \
         cord_d0035cc_gy,dose_gy: cohort 27 plan 24.00,"
    );
    assert_eq!(lines[2], "3,P1,P1-b,,,,,,\"1 plan(s) in the window, none with a target for the lesion's level\"");
    assert_eq!(lines[4], "5,P3,P3-a,,,,,,no plan within 30 days of sbrt_date (nearest 107 days away)");
    assert_eq!(lines[5], "6,P4,P4-a,,,,,,no plan of this patient in the folder");
    // the filled file reads back as a valid cohort
    let v = sbrt(&["validate", out_path.to_str().unwrap()]);
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stdout));
}

#[test]
fn the_cohort_is_never_overwritten_and_a_bad_map_writes_nothing() {
    let dir = scratch("dicom-cohort-safety");
    let cohort = dir.join("cohort.csv");
    std::fs::write(&cohort, COHORT).unwrap();
    let c = cohort.to_str().unwrap();
    let out = sbrt(&["dicom", &data("phantoms"), "--cohort", c, "--out", c]);
    assert!(!out.status.success());
    assert_eq!(std::fs::read_to_string(&cohort).unwrap(), COHORT);
    let map = dir.join("map.csv");
    std::fs::write(&map, "dicom_patient_id,patient_id\nPHANTOM1,P1\nPHANTOM1,P2\n").unwrap();
    let out_path = dir.join("out.csv");
    let out = sbrt(&[
        "dicom",
        &data("phantoms"),
        "--cohort",
        c,
        "--patients",
        map.to_str().unwrap(),
        "--out",
        out_path.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("map.csv:3:dicom_patient_id: error: this DICOM id is mapped to two cohort ids"),
        "{stderr}"
    );
    assert!(!out_path.exists() && !dir.join("out.matches.csv").exists());
}
