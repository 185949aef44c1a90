//! A clinic's own spreadsheet through a column mapping (issue 11, part 6a):
//! renamed headers and local codes are refused without a mapping, a
//! suggested mapping names them, and with it filled in the analysis equals
//! that of the schema's own file.

mod common;
use common::{root, sbrt, scratch};

#[test]
fn a_local_spreadsheet_is_mapped_onto_the_schema() {
    let dir = scratch("clinic");
    let text = std::fs::read_to_string(root().join("examples/spine_sarcoma_synthetic.csv")).unwrap();
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let mut headers: Vec<String> = rdr.headers().unwrap().iter().map(str::to_string).collect();
    let col = |h: &[String], n: &str| h.iter().position(|c| c == n).unwrap();
    let (sex, dose, prior_rt) = (col(&headers, "sex"), col(&headers, "dose_gy"), col(&headers, "prior_rt"));
    headers[sex] = "Geschlecht".into();
    headers[dose] = "Dose (Gy)".into();
    let local = dir.join("klinik.csv");
    let mut w = csv::Writer::from_path(&local).unwrap();
    w.write_record(&headers).unwrap();
    for rec in rdr.records() {
        let mut cells: Vec<String> = rec.unwrap().iter().map(str::to_string).collect();
        cells[sex] = if cells[sex] == "M" { "1".into() } else { "2".into() };
        cells[prior_rt] = if cells[prior_rt] == "yes" { "ja".into() } else { "nein".into() };
        w.write_record(&cells).unwrap();
    }
    w.flush().unwrap();
    let plain = sbrt(&["validate", local.to_str().unwrap()]);
    assert_eq!(plain.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&plain.stdout).contains("'Dose (Gy)' looks like the column 'dose_gy'"));

    let suggested = sbrt(&["validate", local.to_str().unwrap(), "--suggest-mapping"]);
    assert!(suggested.status.success());
    let suggestion = String::from_utf8_lossy(&suggested.stdout).into_owned();
    assert!(suggestion.contains("\"Dose (Gy)\" = \"dose_gy\""), "{suggestion}");
    assert!(suggestion.contains("[recode.prior_rt]") && suggestion.contains("\"ja\" = \"\""), "{suggestion}");
    // The user fills in what only they know.
    let filled = suggestion
        .replace("[rename]\n", "[rename]\n\"Geschlecht\" = \"sex\"\n")
        .replace("\"ja\" = \"\"", "\"ja\" = \"yes\"")
        .replace("\"nein\" = \"\"", "\"nein\" = \"no\"")
        + "\n[recode.sex]\n\"1\" = \"M\"\n\"2\" = \"F\"\n";
    let mapping = dir.join("mapping.toml");
    std::fs::write(&mapping, &filled).unwrap();
    let mapped = sbrt(&["validate", local.to_str().unwrap(), "--columns", mapping.to_str().unwrap()]);
    assert!(mapped.status.success(), "{}\n{filled}", String::from_utf8_lossy(&mapped.stdout));

    let a = dir.join("a.csv");
    let b = dir.join("b.csv");
    assert!(sbrt(&[
        "derive",
        local.to_str().unwrap(),
        "--columns",
        mapping.to_str().unwrap(),
        "--out",
        a.to_str().unwrap()
    ])
    .status
    .success());
    assert!(sbrt(&["derive", "examples/spine_sarcoma_synthetic.csv", "--out", b.to_str().unwrap()]).status.success());
    assert_eq!(std::fs::read_to_string(&a).unwrap(), std::fs::read_to_string(&b).unwrap());
    let rep = dir.join("rep");
    let o = sbrt(&[
        "analyze",
        local.to_str().unwrap(),
        "--columns",
        mapping.to_str().unwrap(),
        "--out",
        rep.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    // A mapping naming what is not there is an error naming the key.
    std::fs::write(&mapping, "[rename]\n\"Dosis\" = \"dose_gy\"\n").unwrap();
    let o = sbrt(&["validate", local.to_str().unwrap(), "--columns", mapping.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stdout).contains("rename.\"Dosis\""), "{}", String::from_utf8_lossy(&o.stdout));
}
