//! The SBRT cohort: one row per treated lesion, read from `.csv` or
//! `.xlsx`, every cell typed by the schema ([`schema`]), then checked as a
//! whole ([`validate`]). All problems are collected and reported together.

pub mod date;
pub mod histology;
pub mod identifiers;
pub mod mapping;
pub mod plausibility;
pub mod read;
pub mod schema;
pub mod validate;
pub mod vertebra;

use crate::problem::{Problem, ProblemLog};
use date::{Date, DateFormat};
use read::Cell;
use schema::{known, normalise_header, Kind, COLUMNS};
use std::collections::HashMap;
use std::path::Path;
use vertebra::{parse_levels, Levels};

/// Sex as recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sex {
    /// M / male.
    Male,
    /// F / female.
    Female,
}

/// Disease at the treated site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DiseaseStatus {
    /// The primary tumour.
    Primary,
    /// A metastasis.
    Metastasis,
}

/// Extent of disease at the time of SBRT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Extent {
    /// Disease confined to the spine lesion(s) treated.
    SolitarySpine,
    /// Multiple bone (or spine) metastases.
    MultipleBone,
    /// Visceral metastases.
    Visceral,
}

impl Extent {
    /// The schema's spelling.
    pub fn code(self) -> &'static str {
        match self {
            Extent::SolitarySpine => "solitary_spine",
            Extent::MultipleBone => "multiple_bone",
            Extent::Visceral => "visceral",
        }
    }
}

/// One row of the cohort: a treated lesion with its patient's fields.
#[derive(Debug, Clone, PartialEq)]
pub struct Lesion {
    /// Spreadsheet row number.
    pub row: usize,
    /// Patient identifier (never written to outputs).
    pub patient_id: String,
    /// Lesion identifier.
    pub lesion_id: Option<String>,
    /// Sex.
    pub sex: Option<Sex>,
    /// Age at first SBRT, years.
    pub age: Option<f64>,
    /// Date of birth.
    pub birth_date: Option<Date>,
    /// Histology, lower case.
    pub histology: Option<String>,
    /// Initial diagnosis.
    pub diagnosis_date: Option<Date>,
    /// Last follow-up.
    pub last_followup_date: Date,
    /// Death.
    pub death_date: Option<Date>,
    /// First progression anywhere.
    pub progression_date: Option<Date>,
    /// SBRT start.
    pub sbrt_date: Date,
    /// Treated vertebrae.
    pub levels: Option<Levels>,
    /// Primary or metastasis.
    pub disease_status: Option<DiseaseStatus>,
    /// Extent of disease at SBRT.
    pub extent: Option<Extent>,
    /// Prior surgery at the site.
    pub prior_surgery: Option<bool>,
    /// Prior radiotherapy at the site.
    pub prior_rt: Option<bool>,
    /// Declared re-irradiation of levels treated before with SBRT.
    pub reirradiation: Option<bool>,
    /// Total dose, Gy.
    pub dose_gy: Option<f64>,
    /// Fractions.
    pub fractions: Option<u32>,
    /// Prescription isodose, percent.
    pub isodose_pct: Option<f64>,
    /// PTV, cc.
    pub ptv_cc: Option<f64>,
    /// PTV coverage, percent.
    pub ptv_coverage_pct: Option<f64>,
    /// Local failure.
    pub local_failure_date: Option<Date>,
    /// Adjacent-level failure.
    pub adjacent_failure_date: Option<Date>,
    /// Vertebral compression fracture.
    pub vcf_date: Option<Date>,
    /// Values of the extra (unknown) columns, text, in header order.
    pub extra: Vec<Option<String>>,
}

/// A validated cohort.
#[derive(Debug, Clone)]
pub struct Cohort {
    /// The file as named by the user.
    pub file: String,
    /// Rows in file order.
    pub lesions: Vec<Lesion>,
    /// Names of the extra columns (normalised).
    pub extra_columns: Vec<String>,
}

/// How to read the cohort.
#[derive(Debug, Default)]
pub struct ReadOptions {
    /// Date text format.
    pub date_format: DateFormat,
    /// Excel sheet name.
    pub sheet: Option<String>,
    /// Renamed columns and recoded values (`--columns`), with the file's name.
    pub mapping: Option<(mapping::Mapping, String)>,
}

/// A typed cell value.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Text(String),
    Number(f64),
    Date(Date),
    Bool(bool),
    Sex(Sex),
    Status(DiseaseStatus),
    Extent(Extent),
    Levels(Levels),
}

fn words(s: &str) -> String {
    s.trim().to_lowercase().replace([' ', '-'], "_")
}

/// Interpret one cell; `Ok((value, warning))`.
fn parse_cell(kind: Kind, cell: &Cell, fmt: &DateFormat) -> Result<(Value, Option<String>), String> {
    let text = cell.display();
    let number = || -> Result<f64, String> {
        match cell {
            Cell::Number(v) => Ok(*v),
            _ => text
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| format!("'{text}' is not a number")),
        }
    };
    Ok((
        match kind {
            Kind::Text => Value::Text(text.trim().to_string()),
            Kind::Number => Value::Number(number()?),
            Kind::Count => {
                let v = number()?;
                if v.fract() != 0.0 || !(0.0..=1e6).contains(&v) {
                    return Err(format!("'{text}' is not a whole number"));
                }
                Value::Number(v)
            }
            Kind::Date => match cell {
                Cell::Date(d) => Value::Date(*d),
                Cell::Number(v) => {
                    let d = Date::from_excel_serial(*v).ok_or_else(|| format!("'{text}' is a number, not a date"))?;
                    return Ok((
                        Value::Date(d),
                        Some(format!("date stored as a plain number ({text}); read as the Excel date {d}")),
                    ));
                }
                _ => Value::Date(fmt.parse(&text)?),
            },
            Kind::YesNo => match cell {
                Cell::Bool(b) => Value::Bool(*b),
                _ => match words(&text).as_str() {
                    "yes" | "y" | "true" | "1" => Value::Bool(true),
                    "no" | "n" | "false" | "0" => Value::Bool(false),
                    _ => return Err(format!("'{text}' is not yes/no")),
                },
            },
            Kind::Sex => match words(&text).as_str() {
                "m" | "male" => Value::Sex(Sex::Male),
                "f" | "female" => Value::Sex(Sex::Female),
                _ => return Err(format!("'{text}' is not a sex (M/F, male/female)")),
            },
            Kind::DiseaseStatus => match words(&text).as_str() {
                "primary" => Value::Status(DiseaseStatus::Primary),
                "metastasis" | "metastatic" => Value::Status(DiseaseStatus::Metastasis),
                _ => return Err(format!("'{text}' is not a disease status (primary/metastasis)")),
            },
            Kind::Extent => match words(&text).as_str() {
                "solitary_spine" | "solitary" => Value::Extent(Extent::SolitarySpine),
                "multiple_bone" | "multiple" => Value::Extent(Extent::MultipleBone),
                "visceral" => Value::Extent(Extent::Visceral),
                _ => {
                    return Err(format!("'{text}' is not an extent of disease (solitary_spine/multiple_bone/visceral)"))
                }
            },
            Kind::Levels => Value::Levels(parse_levels(&text)?),
        },
        None,
    ))
}

/// Read and validate a cohort file. On success returns the cohort and its
/// warnings; otherwise every problem found (errors and warnings).
pub fn load(path: &Path, options: &ReadOptions) -> Result<(Cohort, Vec<Problem>), Vec<Problem>> {
    let (ext, bytes) = read_file(path)?;
    load_bytes(&path.display().to_string(), &ext, bytes, options)
}

/// A cohort file's type (`csv` or `xlsx`) and bytes, refused before reading
/// when it is of another type or above the input size limit.
pub fn read_file(path: &Path) -> Result<(String, Vec<u8>), Vec<Problem>> {
    let ext = read::file_type(path).map_err(|p| vec![p])?;
    let bytes = crate::limits::read_input(path).map_err(|p| vec![p])?;
    Ok((ext, bytes))
}

/// Read and validate a cohort held in memory; `file` names it in messages.
pub fn load_bytes(
    file: &str,
    ext: &str,
    bytes: Vec<u8>,
    options: &ReadOptions,
) -> Result<(Cohort, Vec<Problem>), Vec<Problem>> {
    let mut grid = read::grid_from_bytes(file, ext, bytes, options.sheet.as_deref())?;
    if let Some((m, name)) = &options.mapping {
        m.apply(&mut grid)
            .map_err(|msgs| msgs.into_iter().map(|m| Problem::error(name, None, None, m)).collect::<Vec<_>>())?;
    }
    from_grid(grid, options)
}

/// Type and validate a grid already read (see [`read::grid_from_bytes`]).
pub fn from_grid(grid: read::Grid, options: &ReadOptions) -> Result<(Cohort, Vec<Problem>), Vec<Problem>> {
    let file = grid.file.clone();
    let mut problems = ProblemLog::default();

    // Map headers to known columns; the rest are extras.
    let mut index: HashMap<&'static str, usize> = HashMap::new();
    let mut extra_columns = Vec::new();
    let mut extra_index = Vec::new();
    let mut seen = HashMap::new();
    for (j, raw) in grid.headers.iter().enumerate() {
        let name = normalise_header(raw);
        if name.is_empty() {
            if grid.rows.iter().any(|r| r.cells[j] != Cell::Missing) {
                problems.push(Problem::error(
                    &file,
                    Some(1),
                    None,
                    format!("column {} has values but no header", j + 1),
                ));
            }
            continue;
        }
        if let Some(first) = seen.insert(name.clone(), j) {
            problems.push(Problem::error(
                &file,
                Some(1),
                Some(raw),
                format!("duplicate column: '{raw}' repeats column {}", first + 1),
            ));
            continue;
        }
        match known(&name) {
            Some(c) => {
                index.insert(c.name, j);
            }
            None => {
                extra_columns.push(name);
                extra_index.push(j);
            }
        }
    }
    // A header that resembles an absent schema column is a renamed one:
    // read as an extra column it would leave the schema's field empty.
    for (name, &j) in extra_columns.iter().zip(&extra_index) {
        if let Some(c) = schema::resembling(name).filter(|c| !index.contains_key(c.name)) {
            problems.push(Problem::error(
                &file,
                Some(1),
                Some(&grid.headers[j]),
                format!(
                    "'{}' looks like the column '{}': rename the header to '{}' so it is read as such",
                    grid.headers[j], c.name, c.name
                ),
            ));
        }
    }
    for c in COLUMNS.iter().filter(|c| c.required && !index.contains_key(c.name)) {
        problems.push(Problem::error(&file, Some(1), None, format!("required column '{}' is missing", c.name)));
    }
    if grid.rows.is_empty() {
        problems.push(Problem::error(&file, None, None, "the file has a header but no rows"));
    }
    if problems.has_errors() {
        return Err(problems.into_vec(&file));
    }

    let mut lesions = Vec::new();
    let mut incomplete = Vec::new();
    for row in &grid.rows {
        let mut values: HashMap<&'static str, Value> = HashMap::new();
        let mut row_ok = true;
        for c in COLUMNS {
            let Some(&j) = index.get(c.name) else { continue };
            let cell = &row.cells[j];
            if *cell == Cell::Missing {
                if c.required {
                    problems.push(Problem::error(&file, Some(row.number), Some(c.name), "missing required value"));
                    row_ok = false;
                }
                continue;
            }
            match parse_cell(c.kind, cell, &options.date_format) {
                Ok((v, warning)) => {
                    if let Some(w) = warning {
                        problems.push(Problem::warning(&file, Some(row.number), Some(c.name), w));
                    }
                    values.insert(c.name, v);
                }
                Err(msg) => {
                    problems.push(Problem::error(&file, Some(row.number), Some(c.name), msg));
                    row_ok = false;
                }
            }
        }
        // Histology from the WHO vocabulary, stored under its entity's name.
        if let Some(Value::Text(h)) = values.get("histology") {
            match histology::entity(h) {
                Some(e) => {
                    values.insert("histology", Value::Text(e.name.to_string()));
                }
                None => {
                    problems.push(Problem::error(
                        &file,
                        Some(row.number),
                        Some("histology"),
                        histology::unknown_message(h),
                    ));
                    row_ok = false;
                }
            }
        }
        if !row_ok {
            // The row's bad cells are reported; what can still be read of
            // it joins the checks across rows, so they neither miss it nor
            // blame its patient's other rows for it.
            let id = |k: &str| match values.get(k) {
                Some(Value::Text(s)) => Some(s.clone()),
                _ => None,
            };
            incomplete.push(validate::IncompleteRow {
                row: row.number,
                patient_id: id("patient_id"),
                lesion_id: id("lesion_id"),
            });
            continue;
        }
        let text = |k: &str| match values.get(k) {
            Some(Value::Text(s)) => Some(s.clone()),
            _ => None,
        };
        let num = |k: &str| match values.get(k) {
            Some(Value::Number(v)) => Some(*v),
            _ => None,
        };
        let date = |k: &str| match values.get(k) {
            Some(Value::Date(d)) => Some(*d),
            _ => None,
        };
        let yes = |k: &str| match values.get(k) {
            Some(Value::Bool(b)) => Some(*b),
            _ => None,
        };
        lesions.push(Lesion {
            row: row.number,
            patient_id: text("patient_id").expect("required"),
            lesion_id: text("lesion_id"),
            sex: match values.get("sex") {
                Some(Value::Sex(s)) => Some(*s),
                _ => None,
            },
            age: num("age"),
            birth_date: date("birth_date"),
            histology: text("histology"),
            diagnosis_date: date("diagnosis_date"),
            last_followup_date: date("last_followup_date").expect("required"),
            death_date: date("death_date"),
            progression_date: date("progression_date"),
            sbrt_date: date("sbrt_date").expect("required"),
            levels: match values.get("levels") {
                Some(Value::Levels(l)) => Some(l.clone()),
                _ => None,
            },
            disease_status: match values.get("disease_status") {
                Some(Value::Status(s)) => Some(*s),
                _ => None,
            },
            extent: match values.get("extent") {
                Some(Value::Extent(e)) => Some(*e),
                _ => None,
            },
            prior_surgery: yes("prior_surgery"),
            prior_rt: yes("prior_rt"),
            reirradiation: yes("reirradiation"),
            dose_gy: num("dose_gy"),
            fractions: num("fractions").map(|v| v as u32),
            isodose_pct: num("isodose_pct"),
            ptv_cc: num("ptv_cc"),
            ptv_coverage_pct: num("ptv_coverage_pct"),
            local_failure_date: date("local_failure_date"),
            adjacent_failure_date: date("adjacent_failure_date"),
            vcf_date: date("vcf_date"),
            extra: extra_index
                .iter()
                .map(|&j| match &row.cells[j] {
                    Cell::Missing => None,
                    c => Some(c.display()),
                })
                .collect(),
        });
    }
    let cohort = Cohort { file: file.clone(), lesions, extra_columns };
    let ranges = options.mapping.as_ref().map(|(m, _)| m.plausibility).unwrap_or_default();
    problems.extend(validate::check(&cohort, &incomplete, &ranges));
    let failed = problems.has_errors();
    let problems = problems.into_sorted_vec(&file, |p| (p.row.unwrap_or(0), p.severity));
    if failed {
        return Err(problems);
    }
    Ok((cohort, problems))
}
