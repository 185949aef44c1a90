//! The events table (`--events`): every problem at once with
//! `file:row:column`, the counting rules of the toxicity table (worst grade
//! per patient per term, acute vs late), and no identifier or date in what
//! the report writes of it.

mod common;

use common::{files, sbrt, scratch};

const COHORT: &str = "\
patient_id,sex,age,histology,last_followup_date,death_date,lesion_id,sbrt_date,levels,dose_gy,fractions,local_failure_date,vcf_date
PA1,M,40,osteosarcoma,2018-06-01,2018-06-01,PA1-L1,2016-01-10,T5,24,1,,
PA1,M,40,osteosarcoma,2018-06-01,2018-06-01,PA1-L2,2016-09-01,L2,27,3,,
PB2,F,55,liposarcoma,2019-01-01,,PB2-L1,2016-03-01,C5,30,5,2017-02-01,
PC3,F,61,leiomyosarcoma,2017-12-01,,PC3-L1,2016-05-01,S1,27,3,,
";

fn write(dir: &std::path::Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

#[test]
fn every_problem_of_the_events_table_is_named_at_once() {
    let dir = scratch("events-bad");
    let cohort = write(&dir, "c.csv", COHORT);
    let events = write(
        &dir,
        "e.csv",
        "patient_id,lesion_id,event_date,term,grade,attribution,score,ome_mg,notes
PA1,PA1-L1,2016-02-01,Spinal fractur,2,,,,x
PA1,,2016-02-01,Spinal fracture,2,,,,
PA1,PA1-L1,2018-07-01,Fatigue,1,,,,
PB2,,2015-12-01,Nausea,1,,,,
PB2,,2016-04-01,Nausea,4,,,,
PB2,,2016-04-01,Myelitis,5,,,,
PB2,PA1-L1,2016-04-01,Radiculitis,2,,,,
PZ9,,2016-04-01,Fatigue,1,,,,
PC3,,2016-06-01,pain_score,,,12,,
PC3,,2016-06-01,Fatigue,2,maybe,,,
",
    );
    let o = sbrt(&["validate", &cohort, "--events", &events]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}");
    for expected in [
        "e.csv:1:notes: warning: 'notes' is not an events column",
        "e.csv:2:term: error: 'Spinal fractur' is not a CTCAE v5.0 term (or pain_score); did you mean Spinal fracture",
        "e.csv:3:lesion_id: error: 'Spinal fracture' belongs to a treated lesion: give its lesion_id (the patient has 2 lesions)",
        "e.csv:4:event_date: error: 2018-07-01 is after the patient's death 2018-06-01",
        "e.csv:5:event_date: error: 2015-12-01 is before the patient's first SBRT 2016-03-01",
        "e.csv:6:grade: error: '4' is not a grade of 'Nausea' in CTCAE v5.0 (grades 1-3)",
        "e.csv:7:grade: error: grade 5 is death from the event, but the cohort records no death date for the patient",
        "e.csv:8:lesion_id: error: 'PA1-L1' is a lesion of another patient, not of 'PB2'",
        "e.csv:9:patient_id: error: 'PZ9' is not a patient of the cohort",
        "e.csv:10:score: error: a pain score is 0-10, found '12'",
        "e.csv:11:attribution: error: 'maybe' is not an attribution",
    ] {
        assert!(out.contains(expected), "missing «{expected}» in\n{out}");
    }
    assert!(!out.contains("panicked"), "{out}");
}

#[test]
fn the_toxicity_table_counts_each_patients_worst_grade_acute_and_late() {
    let dir = scratch("events-count");
    let cohort = write(&dir, "c.csv", COHORT);
    // PA1: fatigue 1 then 2 in the acute window (worst 2), pain 1 late on
    // lesion 2 (day 100 after its SBRT, 2016-09-01); PB2: fatigue 1 acute,
    // fatigue 3 late; PC3: nausea unlikely (not counted).
    let events = write(
        &dir,
        "e.csv",
        "patient_id,lesion_id,event_date,term,grade,attribution
PA1,,2016-01-20,Fatigue,1,
PA1,,2016-02-20,Fatigue,2,probable
PA1,PA1-L2,2016-12-10,Pain,1,
PB2,,2016-03-15,Fatigue,1,
PB2,,2016-09-01,Fatigue,3,possible
PC3,,2016-05-05,Nausea,2,unlikely
",
    );
    let out = dir.join("rep");
    let o = sbrt(&["analyze", &cohort, "--events", &events, "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let md = std::fs::read_to_string(out.join("toxicity.md")).unwrap();
    let row = |block: &str, term: &str| -> String {
        let start = md.find(block).unwrap();
        md[start..].lines().find(|l| l.contains(&format!(";{term} |"))).unwrap().to_string()
    };
    assert_eq!(
        row("Acute", "Fatigue"),
        "| &nbsp;&nbsp;Fatigue | 1 (33.3%) | 1 (33.3%) | 0 (0.0%) | 0 (0.0%) | 0 (0.0%) | 0 (0.0%) |"
    );
    assert_eq!(
        row("Late", "Fatigue"),
        "| &nbsp;&nbsp;Fatigue | 0 (0.0%) | 0 (0.0%) | 1 (33.3%) | 0 (0.0%) | 0 (0.0%) | 1 (33.3%) |"
    );
    assert_eq!(
        row("Late", "Pain"),
        "| &nbsp;&nbsp;Pain | 1 (33.3%) | 0 (0.0%) | 0 (0.0%) | 0 (0.0%) | 0 (0.0%) | 0 (0.0%) |"
    );
    assert_eq!(
        row("Late", "Any"),
        "| &nbsp;&nbsp;Any | 1 (33.3%) | 0 (0.0%) | 1 (33.3%) | 0 (0.0%) | 0 (0.0%) | 1 (33.3%) |"
    );
    assert!(!md.contains("Nausea"), "an event attributed unlikely is not counted\n{md}");
    assert!(md.contains("5 adverse events counted; 1 attributed unrelated or unlikely"), "{md}");
    // Nothing of the events table leaves with an id or a date (the text
    // files; tests/deidentification.rs reads inside the Word documents).
    let text_file = |f: &std::path::PathBuf| {
        ["csv", "md", "html", "json", "svg", "toml"].contains(&f.extension().unwrap_or_default().to_str().unwrap())
    };
    for f in files(&out).into_iter().filter(text_file) {
        let bytes = std::fs::read(&f).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        for token in ["PA1", "PB2", "PC3", "2016-01-20", "2016-09-01", "2016-12-10"] {
            assert!(!text.contains(token), "{token} in {}", f.display());
        }
    }
}

#[test]
fn a_workbooks_events_sheet_is_read_and_a_section_without_data_says_why() {
    let dir = scratch("events-sheet");
    let out = dir.join("rep");
    let o = sbrt(&["analyze", "examples/spine_sarcoma_synthetic.xlsx", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let from_sheet = std::fs::read_to_string(out.join("toxicity.csv")).unwrap();
    let example = scratch("events-example").join("rep");
    assert!(sbrt(&["analyze", "--example", "--out", example.to_str().unwrap()]).status.success());
    assert_eq!(from_sheet, std::fs::read_to_string(example.join("toxicity.csv")).unwrap());
    // Without events: no toxicity table, and a warning says why (never a table of zeros).
    let bare = dir.join("bare");
    let o = sbrt(&["analyze", "examples/spine_sarcoma_synthetic.csv", "--out", bare.to_str().unwrap()]);
    assert!(o.status.success());
    assert!(!bare.join("toxicity.csv").exists());
    let results = std::fs::read_to_string(bare.join("results.json")).unwrap();
    assert!(results.contains("toxicity: no events table was given"), "{results}");
    assert!(results.contains("\"toxicity\": null"));
}

#[test]
fn derive_writes_the_events_without_ids_or_dates() {
    let dir = scratch("events-derive");
    let out = dir.join("a.csv");
    let ev = dir.join("e.csv");
    let o = sbrt(&[
        "derive",
        "examples/spine_sarcoma_synthetic.csv",
        "--events",
        "examples/spine_sarcoma_synthetic_events.csv",
        "--out",
        out.to_str().unwrap(),
        "--events-out",
        ev.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(&ev).unwrap();
    let source = std::fs::read_to_string(common::root().join("examples/spine_sarcoma_synthetic_events.csv")).unwrap();
    assert_eq!(text.lines().count(), source.lines().count(), "one row per event");
    assert!(
        text.starts_with("patient,lesion,days_from_sbrt,months_from_sbrt,phase,term,soc,grade,counted,score,ome_mg\n")
    );
    assert!(!text.contains("P00") && !text.contains("-L1"), "no ids");
    assert!(
        !text.lines().skip(1).any(|l| l.split(',').any(|c| c.len() == 10 && c.chars().nth(4) == Some('-'))),
        "no dates"
    );
    let o = sbrt(&[
        "derive",
        "examples/spine_sarcoma_synthetic.csv",
        "--out",
        out.to_str().unwrap(),
        "--events-out",
        ev.to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("--events-out needs an events table"));
}

#[test]
fn each_section_can_be_turned_off() {
    let text = sbrt::study::BUILTIN
        .replace("toxicity = true", "toxicity = false")
        .replace("vcf = true", "vcf = false")
        .replace("pain_response = true", "pain_response = false")
        .replace("failure_patterns = true", "failure_patterns = false");
    let out = common::analyze_example_with(&scratch("events-off"), &text);
    for id in ["toxicity", "vcf", "pain_response", "failure_patterns", "vcf_cumulative_incidence"] {
        assert!(!out.join(format!("{id}.csv")).exists() && !out.join(format!("{id}.svg")).exists(), "{id}");
    }
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(!html.contains("Toxicity, fracture, pain and patterns of failure"));
    // A study may move the acute window, the pain time point and the SINS groups.
    let text = sbrt::study::BUILTIN
        .replace("acute_days = 90", "acute_days = 30")
        .replace("pain_response_months = 3.0", "pain_response_months = 6.0")
        .replace("sins_groups = [6, 12]", "sins_groups = [6]");
    let out = common::analyze_example_with(&scratch("events-settings"), &text);
    let tox = std::fs::read_to_string(out.join("toxicity.md")).unwrap();
    assert!(tox.contains("Acute (≤ 30 days after SBRT)"), "{tox}");
    assert!(std::fs::read_to_string(out.join("pain_response.md")).unwrap().contains("at 6 months"));
    let vcf = std::fs::read_to_string(out.join("vcf.md")).unwrap();
    assert!(vcf.contains("7–18") && !vcf.contains("13–18"), "{vcf}");
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// Bytes of the example's events table changed at random: the reader
    /// answers with events or problems, never a panic.
    #[test]
    fn the_events_reader_never_panics(edits in proptest::collection::vec((0usize..4000, proptest::prelude::any::<u8>()), 1..12)) {
        use sbrt::cohort::read::FileType;
        let mut bytes = sbrt::example::EVENTS_CSV.as_bytes().to_vec();
        for (at, b) in edits {
            let k = at % bytes.len();
            bytes[k] = b;
        }
        let (cohort, _) = sbrt::cohort::load_bytes("c.csv", FileType::Csv, sbrt::example::CSV.as_bytes().to_vec(), &Default::default()).unwrap();
        let fmt = sbrt::cohort::date::DateFormat::Iso;
        if let Ok((events, _)) = sbrt::cohort::events::from_bytes("e.csv", FileType::Csv, bytes, None, &cohort, &fmt) {
            let _ = sbrt::event_rows::derive(&cohort, &events, 90);
        }
    }
}
