//! The SBRT cohort: one row per treated lesion, read from `.csv` or
//! `.xlsx`, every cell typed by the schema ([`schema`]), then checked as a
//! whole ([`validate`]). All problems are collected and reported together.

pub mod ctcae;
pub mod date;
pub mod events;
pub mod histology;
pub mod identifiers;
pub mod mapping;
pub mod plausibility;
pub mod read;
pub mod schema;
pub mod spine;
pub mod validate;
pub mod vertebra;

use crate::problem::{Problem, ProblemLog};
use date::{Date, DateFormat};
use read::Cell;
use schema::{known, normalise_header, Field, Kind, COLUMNS};
use spine::{Bilsky, FailureSite, Salvage, SinsParts};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
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
    pub patient_id: Arc<str>,
    /// Lesion identifier.
    pub lesion_id: Option<Arc<str>>,
    /// Sex.
    pub sex: Option<Sex>,
    /// Age at first SBRT, years.
    pub age: Option<f64>,
    /// Date of birth.
    pub birth_date: Option<Date>,
    /// Histology, lower case.
    pub histology: Option<Arc<str>>,
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
    pub levels: Option<Arc<Levels>>,
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
    /// Spinal cord maximum point dose, Gy.
    pub cord_dmax_gy: Option<f64>,
    /// Dose to the spinal cord's hottest 0.035 cc, Gy.
    pub cord_d0035cc_gy: Option<f64>,
    /// SINS total as recorded.
    pub sins: Option<u32>,
    /// SINS components as recorded ([`spine::SINS_COMPONENTS`]).
    pub sins_parts: SinsParts,
    /// Bilsky grade.
    pub bilsky: Option<Bilsky>,
    /// Compression fracture at the treated levels before SBRT.
    pub vcf_baseline: Option<bool>,
    /// Worst pain at the site before SBRT, 0-10.
    pub pain_baseline: Option<f64>,
    /// Daily oral morphine equivalent before SBRT, mg.
    pub ome_baseline_mg: Option<f64>,
    /// Local failure.
    pub local_failure_date: Option<Date>,
    /// Where the local failure arose.
    pub local_failure_site: Option<FailureSite>,
    /// Adjacent-level failure.
    pub adjacent_failure_date: Option<Date>,
    /// Salvage of a local or adjacent failure.
    pub salvage: Option<Salvage>,
    /// Vertebral compression fracture.
    pub vcf_date: Option<Date>,
    /// The patient's first distant spinal failure.
    pub distant_spine_failure_date: Option<Date>,
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
    /// The schema columns the file has.
    pub fields: Vec<Field>,
    /// The events table, when one was given ([`events`]).
    pub events: Option<crate::cohort::events::Events>,
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
    /// Text: one per distinct cell, shared by the rows that hold it.
    Text(Arc<str>),
    Number(f64),
    Date(Date),
    Bool(bool),
    Sex(Sex),
    Status(DiseaseStatus),
    Extent(Extent),
    /// Treated levels: one per distinct cell, shared like texts.
    Levels(Arc<Levels>),
    Bilsky(Bilsky),
    FailureSite(FailureSite),
    Salvage(Salvage),
}

fn words(s: &str) -> String {
    s.trim().to_lowercase().replace([' ', '-'], "_")
}

/// The known fields of one row as read, before the row is known to be complete.
#[derive(Debug, Default)]
struct Draft {
    patient_id: Option<Arc<str>>,
    lesion_id: Option<Arc<str>>,
    sex: Option<Sex>,
    age: Option<f64>,
    birth_date: Option<Date>,
    histology: Option<Arc<str>>,
    diagnosis_date: Option<Date>,
    last_followup_date: Option<Date>,
    death_date: Option<Date>,
    progression_date: Option<Date>,
    sbrt_date: Option<Date>,
    levels: Option<Arc<Levels>>,
    disease_status: Option<DiseaseStatus>,
    extent: Option<Extent>,
    prior_surgery: Option<bool>,
    prior_rt: Option<bool>,
    reirradiation: Option<bool>,
    dose_gy: Option<f64>,
    fractions: Option<u32>,
    isodose_pct: Option<f64>,
    ptv_cc: Option<f64>,
    ptv_coverage_pct: Option<f64>,
    cord_dmax_gy: Option<f64>,
    cord_d0035cc_gy: Option<f64>,
    sins: Option<u32>,
    sins_parts: SinsParts,
    bilsky: Option<Bilsky>,
    vcf_baseline: Option<bool>,
    pain_baseline: Option<f64>,
    ome_baseline_mg: Option<f64>,
    local_failure_date: Option<Date>,
    local_failure_site: Option<FailureSite>,
    adjacent_failure_date: Option<Date>,
    salvage: Option<Salvage>,
    vcf_date: Option<Date>,
    distant_spine_failure_date: Option<Date>,
}

impl Value {
    fn text(self) -> Option<Arc<str>> {
        match self {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }

    fn number(self) -> Option<f64> {
        match self {
            Value::Number(v) => Some(v),
            _ => None,
        }
    }

    fn date(self) -> Option<Date> {
        match self {
            Value::Date(d) => Some(d),
            _ => None,
        }
    }

    fn count(self) -> Option<u32> {
        self.number().map(|n| n as u32)
    }

    fn yes(self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    }
}

impl Draft {
    /// Put the value of `field`'s column in place. Every field is named
    /// here (the match is exhaustive); the schema's kind of each column
    /// parses to the type its field holds (`every_column_fills_its_field`).
    fn set(&mut self, field: Field, v: Value) {
        match field {
            Field::PatientId => self.patient_id = v.text(),
            Field::LesionId => self.lesion_id = v.text(),
            Field::Sex => {
                self.sex = match v {
                    Value::Sex(s) => Some(s),
                    _ => None,
                }
            }
            Field::Age => self.age = v.number(),
            Field::BirthDate => self.birth_date = v.date(),
            Field::Histology => self.histology = v.text(),
            Field::DiagnosisDate => self.diagnosis_date = v.date(),
            Field::LastFollowupDate => self.last_followup_date = v.date(),
            Field::DeathDate => self.death_date = v.date(),
            Field::ProgressionDate => self.progression_date = v.date(),
            Field::SbrtDate => self.sbrt_date = v.date(),
            Field::Levels => {
                self.levels = match v {
                    Value::Levels(l) => Some(l),
                    _ => None,
                }
            }
            Field::DiseaseStatus => {
                self.disease_status = match v {
                    Value::Status(s) => Some(s),
                    _ => None,
                }
            }
            Field::Extent => {
                self.extent = match v {
                    Value::Extent(e) => Some(e),
                    _ => None,
                }
            }
            Field::PriorSurgery => self.prior_surgery = v.yes(),
            Field::PriorRt => self.prior_rt = v.yes(),
            Field::Reirradiation => self.reirradiation = v.yes(),
            Field::DoseGy => self.dose_gy = v.number(),
            Field::Fractions => self.fractions = v.count(),
            Field::IsodosePct => self.isodose_pct = v.number(),
            Field::PtvCc => self.ptv_cc = v.number(),
            Field::PtvCoveragePct => self.ptv_coverage_pct = v.number(),
            Field::CordDmaxGy => self.cord_dmax_gy = v.number(),
            Field::CordD0035ccGy => self.cord_d0035cc_gy = v.number(),
            Field::Sins => self.sins = v.count(),
            Field::SinsLocation => self.sins_parts[0] = v.count(),
            Field::SinsPain => self.sins_parts[1] = v.count(),
            Field::SinsBoneLesion => self.sins_parts[2] = v.count(),
            Field::SinsAlignment => self.sins_parts[3] = v.count(),
            Field::SinsCollapse => self.sins_parts[4] = v.count(),
            Field::SinsPosterolateral => self.sins_parts[5] = v.count(),
            Field::Bilsky => {
                self.bilsky = match v {
                    Value::Bilsky(b) => Some(b),
                    _ => None,
                }
            }
            Field::VcfBaseline => self.vcf_baseline = v.yes(),
            Field::PainBaseline => self.pain_baseline = v.number(),
            Field::OmeBaselineMg => self.ome_baseline_mg = v.number(),
            Field::LocalFailureDate => self.local_failure_date = v.date(),
            Field::LocalFailureSite => {
                self.local_failure_site = match v {
                    Value::FailureSite(f) => Some(f),
                    _ => None,
                }
            }
            Field::AdjacentFailureDate => self.adjacent_failure_date = v.date(),
            Field::Salvage => {
                self.salvage = match v {
                    Value::Salvage(x) => Some(x),
                    _ => None,
                }
            }
            Field::VcfDate => self.vcf_date = v.date(),
            Field::DistantSpineFailureDate => self.distant_spine_failure_date = v.date(),
        }
    }

    /// The row as a lesion; its required columns have been checked present.
    fn into_lesion(self, row: usize, extra: Vec<Option<String>>) -> Lesion {
        Lesion {
            row,
            patient_id: self.patient_id.expect("required"),
            lesion_id: self.lesion_id,
            sex: self.sex,
            age: self.age,
            birth_date: self.birth_date,
            histology: self.histology,
            diagnosis_date: self.diagnosis_date,
            last_followup_date: self.last_followup_date.expect("required"),
            death_date: self.death_date,
            progression_date: self.progression_date,
            sbrt_date: self.sbrt_date.expect("required"),
            levels: self.levels,
            disease_status: self.disease_status,
            extent: self.extent,
            prior_surgery: self.prior_surgery,
            prior_rt: self.prior_rt,
            reirradiation: self.reirradiation,
            dose_gy: self.dose_gy,
            fractions: self.fractions,
            isodose_pct: self.isodose_pct,
            ptv_cc: self.ptv_cc,
            ptv_coverage_pct: self.ptv_coverage_pct,
            cord_dmax_gy: self.cord_dmax_gy,
            cord_d0035cc_gy: self.cord_d0035cc_gy,
            sins: self.sins,
            sins_parts: self.sins_parts,
            bilsky: self.bilsky,
            vcf_baseline: self.vcf_baseline,
            pain_baseline: self.pain_baseline,
            ome_baseline_mg: self.ome_baseline_mg,
            local_failure_date: self.local_failure_date,
            local_failure_site: self.local_failure_site,
            adjacent_failure_date: self.adjacent_failure_date,
            salvage: self.salvage,
            vcf_date: self.vcf_date,
            distant_spine_failure_date: self.distant_spine_failure_date,
            extra,
        }
    }
}

/// A date cell: an Excel date, text in `fmt`, or a plain number read as an
/// Excel date serial with a warning; `Ok((date, warning))`.
pub(crate) fn cell_date(cell: &Cell, fmt: &DateFormat) -> Result<(Date, Option<String>), String> {
    let text = cell.display();
    match cell {
        Cell::Date(d) => Ok((*d, None)),
        Cell::Number(v) => {
            let d = Date::from_excel_serial(*v).ok_or_else(|| format!("'{text}' is a number, not a date"))?;
            Ok((d, Some(format!("date stored as a plain number ({text}); read as the Excel date {d}"))))
        }
        _ => Ok((fmt.parse(&text)?, None)),
    }
}

/// Interpret one cell; `Ok((value, warning))`.
fn parse_cell(kind: Kind, cell: &Cell, fmt: &DateFormat) -> Result<(Value, Option<String>), String> {
    let text = cell.display();
    let number = || cell.number().ok_or_else(|| format!("'{text}' is not a number"));
    Ok((
        match kind {
            Kind::Text => Value::Text(text.trim().into()),
            Kind::Number => Value::Number(number()?),
            Kind::Count => {
                let v = number()?;
                if v.fract() != 0.0 || !(0.0..=1e6).contains(&v) {
                    return Err(format!("'{text}' is not a whole number"));
                }
                Value::Number(v)
            }
            Kind::Date => {
                let (d, warning) = cell_date(cell, fmt)?;
                return Ok((Value::Date(d), warning));
            }
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
            Kind::Levels => Value::Levels(Arc::new(parse_levels(&text)?)),
            Kind::Bilsky => Value::Bilsky(
                Bilsky::parse(&text).ok_or_else(|| format!("'{text}' is not a Bilsky grade (0, 1a, 1b, 1c, 2, 3)"))?,
            ),
            Kind::FailureSite => Value::FailureSite(
                FailureSite::parse(&text)
                    .ok_or_else(|| format!("'{text}' is not a local failure site (in_field/marginal)"))?,
            ),
            Kind::Salvage => Value::Salvage(Salvage::parse(&text).ok_or_else(|| {
                format!("'{text}' is not a salvage treatment (none/surgery/reirradiation/surgery_and_reirradiation/systemic)")
            })?),
        },
        None,
    ))
}

/// A distinct cell of a known column, typed.
enum Typed {
    /// Empty or `NA`.
    Missing,
    /// Its value, with a warning about how it was read.
    Value(Value, Option<String>),
    /// Why it is not a value of its column.
    Invalid(String),
}

/// Type one cell of column `c`. Histology is stored under its WHO
/// entity's name.
fn type_cell(c: &schema::Column, cell: &Cell, fmt: &DateFormat) -> Typed {
    if *cell == Cell::Missing {
        return Typed::Missing;
    }
    match parse_cell(c.kind, cell, fmt) {
        Ok((Value::Text(h), _)) if c.field == Field::Histology => match histology::entity(&h) {
            Some(e) => Typed::Value(Value::Text(e.name.into()), None),
            None => Typed::Invalid(histology::unknown_message(&h)),
        },
        Ok((v, warning)) => Typed::Value(v, warning),
        Err(msg) => Typed::Invalid(msg),
    }
}

/// A known column of the grid, its distinct cells typed.
struct KnownColumn<'a> {
    column: &'a schema::Column,
    /// Its index in the grid.
    j: usize,
    /// Per distinct cell ([`read::Grid::distinct`]).
    typed: Vec<Typed>,
}

/// What typing a share of the grid's rows found besides the lesions: the
/// rows left out for bad cells, and the problems, in row order.
#[derive(Default)]
struct TypingProblems {
    incomplete: Vec<validate::IncompleteRow>,
    problems: ProblemLog,
}

/// Grid row `i` typed from its columns' typed cells: its lesion, or `None`
/// when a cell is bad (the row then joins `found.incomplete`).
fn type_row(
    grid: &read::Grid,
    columns: &[KnownColumn],
    extra_index: &[usize],
    i: usize,
    file: &str,
    found: &mut TypingProblems,
) -> Option<Lesion> {
    let number = grid.row_number(i);
    let mut draft = Draft::default();
    let mut row_ok = true;
    for KnownColumn { column: c, j, typed } in columns {
        match &typed[grid.code(i, *j)] {
            Typed::Missing => {
                if c.required {
                    found.problems.push(Problem::error(file, Some(number), Some(c.name), "missing required value"));
                    row_ok = false;
                }
            }
            Typed::Value(v, warning) => {
                if let Some(w) = warning {
                    found.problems.push(Problem::warning(file, Some(number), Some(c.name), w.clone()));
                }
                draft.set(c.field, v.clone());
            }
            Typed::Invalid(msg) => {
                found.problems.push(Problem::error(file, Some(number), Some(c.name), msg.clone()));
                row_ok = false;
            }
        }
    }
    if !row_ok {
        // The row's bad cells are reported; what can still be read of
        // it joins the checks across rows, so they neither miss it nor
        // blame its patient's other rows for it.
        found.incomplete.push(validate::IncompleteRow {
            row: number,
            patient_id: draft.patient_id,
            lesion_id: draft.lesion_id,
        });
        return None;
    }
    let extra = extra_index
        .iter()
        .map(|&j| match grid.cell(i, j) {
            Cell::Missing => None,
            c => Some(c.display()),
        })
        .collect();
    Some(draft.into_lesion(number, extra))
}

/// Read and validate a cohort file. On success returns the cohort and its
/// warnings; otherwise every problem found (errors and warnings).
pub fn load(path: &Path, options: &ReadOptions) -> Result<(Cohort, Vec<Problem>), Vec<Problem>> {
    let (kind, bytes) = read_file(path)?;
    load_bytes(&path.display().to_string(), kind, bytes, options)
}

/// A cohort file's type and bytes, refused before reading
/// when it is of another type or above the input size limit.
pub fn read_file(path: &Path) -> Result<(read::FileType, Vec<u8>), Vec<Problem>> {
    let kind = read::file_type(path).map_err(|p| vec![p])?;
    let bytes = crate::limits::read_input(path).map_err(|p| vec![p])?;
    Ok((kind, bytes))
}

/// Read and validate a cohort held in memory; `file` names it in messages.
pub fn load_bytes(
    file: &str,
    kind: read::FileType,
    bytes: Vec<u8>,
    options: &ReadOptions,
) -> Result<(Cohort, Vec<Problem>), Vec<Problem>> {
    let mut grid = read::grid_from_bytes(file, kind, bytes, options.sheet.as_deref())?;
    if let Some((m, name)) = &options.mapping {
        m.apply(&mut grid)
            .map_err(|msgs| msgs.into_iter().map(|m| Problem::error(name, None, None, m)).collect::<Vec<_>>())?;
    }
    let typed = type_grid(&grid, options)?;
    // The grid's cells and dictionaries are not needed by the checks.
    drop(grid);
    crate::large_pages::return_free_memory();
    typed.check(options)
}

/// Type and validate a grid already read (see [`read::grid_from_bytes`]).
pub fn from_grid(grid: &read::Grid, options: &ReadOptions) -> Result<(Cohort, Vec<Problem>), Vec<Problem>> {
    type_grid(grid, options)?.check(options)
}

/// A grid's rows typed as lesions, before the checks across rows.
struct TypedCohort {
    cohort: Cohort,
    found: TypingProblems,
}

impl TypedCohort {
    /// The cohort with every problem of its rows, or the problems when
    /// one is an error.
    fn check(self, options: &ReadOptions) -> Result<(Cohort, Vec<Problem>), Vec<Problem>> {
        let TypedCohort { cohort, found: TypingProblems { incomplete, mut problems } } = self;
        let ranges = options.mapping.as_ref().map(|(m, _)| m.plausibility).unwrap_or_default();
        problems.extend(validate::check(&cohort, &incomplete, &ranges));
        let failed = problems.has_errors();
        let problems = problems.into_sorted_vec(&cohort.file, |p| (p.row.unwrap_or(0), p.severity));
        if failed {
            return Err(problems);
        }
        Ok((cohort, problems))
    }
}

/// Type a grid's rows from its columns' cells: the lesions, the rows left
/// out for bad cells and their problems, or the problems of a grid whose
/// header cannot be read as a cohort.
fn type_grid(grid: &read::Grid, options: &ReadOptions) -> Result<TypedCohort, Vec<Problem>> {
    let file = grid.file.clone();
    let mut problems = ProblemLog::default();

    // Map headers to known columns; the rest are extras.
    let mut index: HashMap<Field, usize> = HashMap::new();
    let mut extra_columns = Vec::new();
    let mut extra_index = Vec::new();
    let mut seen = HashMap::new();
    for (j, raw) in grid.headers.iter().enumerate() {
        let name = normalise_header(raw);
        if name.is_empty() {
            if grid.column(j).any(|c| *c != Cell::Missing) {
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
                index.insert(c.field, j);
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
        if let Some(c) = schema::resembling(name).filter(|c| !index.contains_key(&c.field)) {
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
    for c in COLUMNS.iter().filter(|c| c.required && !index.contains_key(&c.field)) {
        problems.push(Problem::error(&file, Some(1), None, format!("required column '{}' is missing", c.name)));
    }
    if grid.n_rows() == 0 {
        problems.push(Problem::error(&file, None, None, "the file has a header but no rows"));
    }
    if problems.has_errors() {
        return Err(problems.into_vec(&file));
    }

    // Each distinct cell of a known column is typed once; rows take theirs.
    let n = grid.n_rows();
    let wanted: Vec<(&schema::Column, usize)> =
        COLUMNS.iter().filter_map(|c| index.get(&c.field).map(|&j| (c, j))).collect();
    let columns: Vec<KnownColumn> = crate::parallel_map::map_by_size(n, &wanted, |&(column, j)| KnownColumn {
        column,
        j,
        typed: grid.distinct(j).iter().map(|cell| type_cell(column, cell, &options.date_format)).collect(),
    });
    // The rows typed on every core into one vector; the rows left out are
    // then dropped from it in place (std's collect of a vector's own
    // `into_iter` reuses its memory), so the lesions never need room twice.
    let (mut typed, found) = crate::parallel_map::fill_in_order_with(n, TypingProblems::default, |i, found| {
        type_row(grid, &columns, &extra_index, i, &file, found)
    });
    typed.retain(Option::is_some);
    let lesions: Vec<Lesion> = typed.into_iter().map(|l| l.expect("kept rows are typed")).collect();
    let mut all_found = TypingProblems { incomplete: Vec::new(), problems };
    for mut share in found {
        all_found.incomplete.append(&mut share.incomplete);
        all_found.problems.append(share.problems);
    }
    let fields = COLUMNS.iter().map(|c| c.field).filter(|f| index.contains_key(f)).collect();
    let cohort = Cohort { file, lesions, extra_columns, fields, events: None };
    Ok(TypedCohort { cohort, found: all_found })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each column's documented example (a date for the date columns
    /// without one), parsed by its kind, lands in its field: a column wired
    /// to a field of another type would leave the row empty.
    #[test]
    fn every_column_fills_its_field() {
        for c in COLUMNS {
            let example = match (c.example, c.kind) {
                ("", Kind::Date) => "2018-01-09",
                (e, _) => e,
            };
            let (v, _) = parse_cell(c.kind, &Cell::Text(example.into()), &DateFormat::Iso).unwrap();
            let mut d = Draft::default();
            d.set(c.field, v);
            assert_ne!(format!("{d:?}"), format!("{:?}", Draft::default()), "column {} did not fill its field", c.name);
        }
    }

    /// A value is typed once however many rows hold it, but each of those
    /// rows gets its own problem.
    #[test]
    fn a_bad_value_shared_by_rows_is_reported_on_each() {
        let csv = "patient_id,sbrt_date,last_followup_date,sex,histology\n\
                   P1,2020-01-01,2021-01-01,X,osteosarcoma\n\
                   P2,2020-01-01,2021-01-01,X,ewing sarcoma\n\
                   P3,2020-01-01,2021-01-01,M,sarcoma of the moon\n\
                   P4,2020-01-01,2021-01-01,M,sarcoma of the moon\n";
        let problems =
            load_bytes("c.csv", read::FileType::Csv, csv.as_bytes().to_vec(), &ReadOptions::default()).unwrap_err();
        let at =
            |col: &str| problems.iter().filter(|p| p.column.as_deref() == Some(col)).map(|p| p.row).collect::<Vec<_>>();
        assert_eq!(at("sex"), [Some(2), Some(3)], "{problems:?}");
        assert_eq!(at("histology"), [Some(4), Some(5)], "{problems:?}");
    }
}
