//! De-identification by allow-list, not by guess (issue 11, part 2;
//! red-team F2, F2b): extra columns leave only when a study names them, a
//! date or id typed inside a category value is an error naming the cell, and
//! no id or date of the input, in any common format and in any letter case,
//! reaches any output file or file name.

mod common;
use common::{files, root, sbrt, scratch};

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// Days from 1899-12-30 (Excel's serial day 0) to y-m-d.
fn excel_serial(y: i64, m: i64, d: i64) -> i64 {
    let days = |y: i64, m: i64, d: i64| {
        let (y, m) = if m <= 2 { (y - 1, m + 9) } else { (y, m - 3) };
        365 * y + y / 4 - y / 100 + y / 400 + (153 * m + 2) / 5 + d
    };
    days(y, m, d) - days(1899, 12, 30)
}

/// An ISO date in every form a person or a program might write it.
fn date_forms(iso: &str) -> Vec<String> {
    let (y, m, d) = (&iso[0..4], &iso[5..7], &iso[8..10]);
    let (yi, mi, di): (i64, i64, i64) = (y.parse().unwrap(), m.parse().unwrap(), d.parse().unwrap());
    let mon = MONTHS[mi as usize - 1];
    vec![
        iso.to_string(),
        format!("{y}/{m}/{d}"),
        format!("{d}.{m}.{y}"),
        format!("{d}/{m}/{y}"),
        format!("{m}/{d}/{y}"),
        format!("{d}-{m}-{y}"),
        format!("{y}{m}{d}"),
        format!("{di} {mon} {y}"),
        format!("{mon} {di}, {y}"),
        excel_serial(yi, mi, di).to_string(),
    ]
}

/// The first of `needles` that `text` holds as a whole token (not inside a
/// longer number or word), ignoring case. The text's words are indexed once,
/// so thousands of needles cost one pass.
fn held_token<'a>(text: &str, needles: &'a [String]) -> Option<&'a str> {
    let lower = text.to_ascii_lowercase();
    let b = lower.as_bytes();
    let word_char = |c: u8| c.is_ascii_alphanumeric();
    let joins = |c: Option<u8>| c.is_some_and(|c| word_char(c) || c == b'.');
    let mut starts: std::collections::HashMap<&[u8], Vec<usize>> = std::collections::HashMap::new();
    let mut i = 0;
    while i < b.len() {
        if word_char(b[i]) && (i == 0 || !word_char(b[i - 1])) {
            let end = (i..b.len()).find(|&k| !word_char(b[k])).unwrap_or(b.len());
            starts.entry(&b[i..end]).or_default().push(i);
            i = end;
        } else {
            i += 1;
        }
    }
    needles.iter().map(String::as_str).find(|needle| {
        let n = needle.to_ascii_lowercase();
        let nb = n.as_bytes();
        let first_end = nb.iter().position(|&c| !word_char(c)).unwrap_or(nb.len());
        starts.get(&nb[..first_end]).into_iter().flatten().any(|&pos| {
            b[pos..].starts_with(nb)
                && !joins(pos.checked_sub(1).map(|k| b[k]))
                && !joins(b.get(pos + nb.len()).copied())
        })
    })
}

#[test]
fn no_id_or_date_in_any_format_or_case_reaches_an_output() {
    let dir = scratch("canary");
    let text = std::fs::read_to_string(root().join("examples/spine_sarcoma_synthetic.csv")).unwrap();
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let mut headers: Vec<String> = rdr.headers().unwrap().iter().map(str::to_string).collect();
    let extra = [
        "PatientID",
        "pt",
        "subject",
        "hospital_no",
        "mrn2",
        "notes",
        "visit_dt",
        "dx_month",
        "surgery_when",
        "compact",
        "excel_serial",
        "initial",
        "postcode",
    ];
    headers.extend(extra.iter().map(|s| s.to_string()));
    let input = dir.join("cohort.csv");
    let mut w = csv::Writer::from_path(&input).unwrap();
    w.write_record(&headers).unwrap();
    let mut canaries: Vec<String> = Vec::new();
    for (k, rec) in rdr.records().enumerate() {
        let mut cells: Vec<String> = rec.unwrap().iter().map(str::to_string).collect();
        cells[0] = format!("ZzCanary{}", cells[0]);
        cells[8] = format!("ZzLesion{}", cells[8]);
        let sbrt_date = cells[9].clone();
        let (y, m, d) = (&sbrt_date[0..4], &sbrt_date[5..7], &sbrt_date[8..10]);
        let mon = MONTHS[m.parse::<usize>().unwrap() - 1];
        cells.extend([
            cells[0].to_uppercase(),
            format!("QX{k:04}"),
            format!("subj-{k:05}"),
            format!("H{:07}", 7_000_000 + k),
            format!("{:08}", 55_000_000 + k),
            format!("seen {sbrt_date} by Dr Who re {}", cells[0]),
            format!("{sbrt_date} 10:30"),
            format!("{y}-{m}"),
            format!("{} {mon} {y}", d.parse::<u32>().unwrap()),
            format!("{y}{m}{d}"),
            excel_serial(y.parse().unwrap(), m.parse().unwrap(), d.parse().unwrap()).to_string(),
            format!("Q.{}", (b'A' + (k % 26) as u8) as char),
            format!("ZZ{k} 9QX"),
        ]);
        canaries.extend([cells[0].clone(), cells[8].clone()]);
        canaries.extend(cells[headers.len() - extra.len()..].iter().filter(|c| c.len() >= 5).cloned());
        let is_iso = |c: &&String| {
            c.len() == 10
                && c.char_indices().all(|(i, ch)| if i == 4 || i == 7 { ch == '-' } else { ch.is_ascii_digit() })
        };
        for c in cells.iter().filter(is_iso) {
            canaries.extend(date_forms(c));
        }
        w.write_record(&cells).unwrap();
    }
    w.flush().unwrap();
    canaries.sort();
    canaries.dedup();
    // The search itself finds a planted canary, in another case and form.
    let planted = format!("x {} y", date_forms("2011-03-19")[7].to_uppercase());
    assert_eq!(held_token(&planted, &date_forms("2011-03-19")), Some("19 Mar 2011"));
    assert_eq!(held_token("0.4281345", &["42813".to_string()]), None);
    let out = dir.join("outputs");
    std::fs::create_dir_all(&out).unwrap();
    let derived = out.join("analysis.csv");
    let o = sbrt(&["derive", input.to_str().unwrap(), "--out", derived.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("13 column(s) not written") && err.to_lowercase().contains("patientid"), "{err}");
    let o = sbrt(&["analyze", input.to_str().unwrap(), "--out", out.join("report").to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let written = files(&out);
    assert!(written.len() > 40, "{} files", written.len());
    for f in &written {
        let text = String::from_utf8_lossy(&std::fs::read(f).unwrap()).into_owned();
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        assert_eq!(held_token(&text, &canaries), None, "{}", f.display());
        assert_eq!(held_token(&name, &canaries), None, "the file name {name}");
    }
}

#[test]
fn a_date_or_id_inside_a_histology_is_an_error_naming_the_cell() {
    let dir = scratch("histology");
    let text = std::fs::read_to_string(root().join("examples/spine_sarcoma_synthetic.csv")).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let set_histology = |line: &str, value: &str| {
        let mut cells: Vec<&str> = line.split(',').collect();
        cells[3] = value;
        cells.join(",")
    };
    assert!(lines[0].starts_with("patient_id,sex,age,histology,"));
    lines[1] = set_histology(&lines[1], "leiomyosarcoma P0001 dx 2017-03-19");
    lines[3] = set_histology(&lines[3], "osteosarcoma 42813");
    let path = dir.join("h.csv");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    let o = sbrt(&["validate", path.to_str().unwrap()]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains(":2:histology: error:"), "{out}");
    assert!(out.contains(":4:histology: error:"), "{out}");
    let o = sbrt(&["analyze", path.to_str().unwrap(), "--out", dir.join("rep").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(!dir.join("rep").exists());
}

#[test]
fn an_extra_column_leaves_only_as_a_study_covariate_and_only_without_identifiers() {
    let dir = scratch("study-extra");
    let text = std::fs::read_to_string(root().join("examples/spine_sarcoma_synthetic.csv")).unwrap();
    let make = |name: &str, value: &dyn Fn(usize) -> String| {
        let lines: Vec<String> = text
            .lines()
            .enumerate()
            .map(|(k, l)| if k == 0 { format!("{l},grade,secret") } else { format!("{l},{},s{k:02}", value(k)) })
            .collect();
        let path = dir.join(name);
        std::fs::write(&path, lines.join("\n") + "\n").unwrap();
        path
    };
    let study = dir.join("study.toml");
    let covariate = "\n[[covariate]]\nid = \"grade\"\nlabel = \"Grade\"\nsource = \"grade\"\nkind = \"categorical\"\nlevels = [{ label = \"Low\", values = [\"low\"] }, { label = \"High\", values = [\"high\"] }]\n";
    std::fs::write(&study, format!("{}{covariate}", sbrt::study::BUILTIN)).unwrap();
    let clean = make("clean.csv", &|k| if k % 2 == 0 { "low".into() } else { "high".into() });
    let derived = dir.join("d.csv");
    let o = sbrt(&[
        "derive",
        clean.to_str().unwrap(),
        "--study",
        study.to_str().unwrap(),
        "--out",
        derived.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let header = std::fs::read_to_string(&derived).unwrap().lines().next().unwrap().to_string();
    assert!(header.ends_with(",grade"), "{header}");
    assert!(String::from_utf8_lossy(&o.stderr).contains("1 column(s) not written") && !header.contains("secret"));
    let dated = make("dated.csv", &|k| if k == 5 { "high 2016-02-01".into() } else { "low".into() });
    let o = sbrt(&[
        "derive",
        dated.to_str().unwrap(),
        "--study",
        study.to_str().unwrap(),
        "--out",
        dir.join("d2.csv").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains(":6:grade: error:"), "{}", String::from_utf8_lossy(&o.stderr));
}
