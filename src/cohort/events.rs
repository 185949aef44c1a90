//! The events table: what happened to patients after SBRT besides the
//! cohort's dated endpoints — adverse events graded by CTCAE v5.0, and
//! pain scores at follow-up visits. One row per event, long format, in a
//! CSV file or the sheet `events` of the cohort workbook (`--events`).
//!
//! | column | required | meaning |
//! |---|---|---|
//! | `patient_id` | yes | a patient of the cohort |
//! | `lesion_id` | for lesion terms | a lesion of that patient; required for the terms of the treated site ([`LESION_TERMS`]) and for pain scores, unless the patient has one lesion |
//! | `event_date` | yes | onset of the event, or the visit of a pain score |
//! | `term` | yes | a CTCAE v5.0 term ([`ctcae`]), or `pain_score` for a pain assessment |
//! | `grade` | for terms | CTCAE grade 1-5, among the grades the term defines |
//! | `attribution` | no | unrelated, unlikely, possible, probable, definite |
//! | `score` | for pain | worst pain at the treated site, 0-10 |
//! | `ome_mg` | no | daily oral morphine equivalent at the visit, mg |
//!
//! Checked against the cohort, every problem at once as
//! `file:row:column: message`: the patient and lesion exist and belong
//! together; the date is not before the patient's first SBRT, nor after
//! death or last follow-up; a grade 5 event falls on the patient's death
//! date. Other columns are not read (a warning names them). Nothing of
//! this table leaves the tool with an identifier or a date: derived rows
//! ([`crate::event_rows`]) carry sequential numbers and days from SBRT.

use super::ctcae;
use crate::cohort::date::{Date, DateFormat};
use crate::cohort::read::{Cell, Grid};
use crate::cohort::schema::normalise_header;
use crate::cohort::Cohort;
use crate::problem::{Problem, ProblemLog};
use foldhash::{HashMap, HashMapExt};

/// The terms that describe the treated site: such an event belongs to a lesion.
pub const LESION_TERMS: [&str; 9] = [
    "Spinal fracture",
    "Fracture",
    "Myelitis",
    "Radiculitis",
    "Spinal cord compression",
    "Back pain",
    "Neck pain",
    "Bone pain",
    "Pain",
];

/// The terms that record a vertebral compression fracture of a treated lesion.
pub const FRACTURE_TERMS: [&str; 2] = ["Spinal fracture", "Fracture"];

/// The reserved term of a pain assessment.
pub const PAIN_SCORE: &str = "pain_score";

/// The sheet of a cohort workbook read as the events table.
pub const SHEET: &str = "events";

/// How likely the event is due to the treatment (CTCAE attribution).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Attribution {
    /// Clearly not related.
    Unrelated,
    /// Doubtfully related.
    Unlikely,
    /// May be related.
    Possible,
    /// Likely related.
    Probable,
    /// Clearly related.
    Definite,
}

impl Attribution {
    fn parse(text: &str) -> Option<Attribution> {
        match text.trim().to_lowercase().as_str() {
            "unrelated" => Some(Attribution::Unrelated),
            "unlikely" => Some(Attribution::Unlikely),
            "possible" => Some(Attribution::Possible),
            "probable" => Some(Attribution::Probable),
            "definite" => Some(Attribution::Definite),
            _ => None,
        }
    }

    /// Whether the event counts as a treatment effect (possible or stronger).
    pub fn related(self) -> bool {
        self >= Attribution::Possible
    }
}

/// What an event row records.
#[derive(Debug, Clone, PartialEq)]
pub enum EventKind {
    /// An adverse event.
    Toxicity {
        /// The CTCAE term.
        term: &'static ctcae::Term,
        /// Its grade, 1-5.
        grade: u8,
        /// Attribution to the treatment, when recorded.
        attribution: Option<Attribution>,
    },
    /// A pain assessment at the treated site.
    PainScore {
        /// Worst pain, 0-10.
        score: f64,
        /// Daily oral morphine equivalent, mg.
        ome_mg: Option<f64>,
    },
}

/// One event, validated against the cohort.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Spreadsheet row.
    pub row: usize,
    /// The patient (never written to outputs).
    pub patient_id: String,
    /// The lesion: an index into the cohort's lesions.
    pub lesion: Option<usize>,
    /// Onset or visit date.
    pub date: Date,
    /// What happened.
    pub kind: EventKind,
}

/// The events of a cohort.
#[derive(Debug, Clone, PartialEq)]
pub struct Events {
    /// The file as named by the user.
    pub file: String,
    /// Rows in file order.
    pub events: Vec<Event>,
    /// Hex SHA-256 of the bytes read (of the workbook, for its `events` sheet).
    pub sha256: String,
}

/// The events table read and checked: the events and the warnings, or every problem.
pub type EventsRead = Result<(Events, Vec<Problem>), Vec<Problem>>;

/// The columns of the events table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Column {
    PatientId,
    LesionId,
    EventDate,
    Term,
    Grade,
    Attribution,
    Score,
    OmeMg,
}

const COLUMNS: [(Column, &str, bool); 8] = [
    (Column::PatientId, "patient_id", true),
    (Column::LesionId, "lesion_id", false),
    (Column::EventDate, "event_date", true),
    (Column::Term, "term", true),
    (Column::Grade, "grade", false),
    (Column::Attribution, "attribution", false),
    (Column::Score, "score", false),
    (Column::OmeMg, "ome_mg", false),
];

/// What the checks need to know of each patient.
struct PatientDates {
    first_sbrt: Date,
    end: Date,
    death: Option<Date>,
    lesions: Vec<usize>,
}

fn patients(cohort: &Cohort) -> HashMap<&str, PatientDates> {
    let mut out: HashMap<&str, PatientDates> = HashMap::new();
    for (k, l) in cohort.lesions.iter().enumerate() {
        let p = out.entry(&*l.patient_id).or_insert(PatientDates {
            first_sbrt: l.sbrt_date,
            end: l.last_followup_date,
            death: None,
            lesions: Vec::new(),
        });
        p.first_sbrt = p.first_sbrt.min(l.sbrt_date);
        p.end = p.end.max(l.last_followup_date);
        p.death = p.death.or(l.death_date);
        p.lesions.push(k);
    }
    out
}

/// Read the events table `path` (a CSV file, or the sheet `events` of an
/// .xlsx workbook) and check it against `cohort`.
pub fn load(path: &std::path::Path, cohort: &Cohort, fmt: &DateFormat) -> EventsRead {
    use crate::cohort::read::{file_type, FileType};
    let kind = file_type(path).map_err(|p| vec![p])?;
    let bytes = crate::limits::read_input(path).map_err(|p| vec![p])?;
    let name = path.display().to_string();
    let sheet = (kind == FileType::Xlsx).then_some(SHEET);
    from_bytes(&name, kind, bytes, sheet, cohort, fmt)
}

/// The events table held in memory (`sheet` of a workbook), checked against `cohort`.
pub fn from_bytes(
    name: &str,
    kind: crate::cohort::read::FileType,
    bytes: Vec<u8>,
    sheet: Option<&str>,
    cohort: &Cohort,
    fmt: &DateFormat,
) -> EventsRead {
    use sha2::Digest;
    let sha256 = format!("{:x}", sha2::Sha256::digest(&bytes));
    let grid = crate::cohort::read::grid_from_bytes(name, kind, bytes, sheet)?;
    from_grid(grid, cohort, fmt).map(|(events, warnings)| (Events { sha256, ..events }, warnings))
}

/// Type and check an events table read as `grid` against `cohort`. On
/// success the events (without a hash: [`from_bytes`] sets it) and the
/// warnings; otherwise every problem.
pub fn from_grid(grid: Grid, cohort: &Cohort, fmt: &DateFormat) -> EventsRead {
    let file = grid.file.clone();
    let mut problems = ProblemLog::default();
    let mut index: HashMap<Column, usize> = HashMap::new();
    for (j, raw) in grid.headers.iter().enumerate() {
        let name = normalise_header(raw);
        match COLUMNS.iter().find(|c| c.1 == name) {
            Some(c) if index.contains_key(&c.0) => problems.push(Problem::error(
                &file,
                Some(1),
                Some(raw),
                format!("duplicate column: '{raw}' repeats column {}", index[&c.0] + 1),
            )),
            Some(c) => {
                index.insert(c.0, j);
            }
            None if name.is_empty() => {}
            None => problems.push(Problem::warning(
                &file,
                Some(1),
                Some(raw),
                format!(
                    "'{raw}' is not an events column and is not read (columns: {})",
                    COLUMNS.map(|c| c.1).join(", ")
                ),
            )),
        }
    }
    for c in COLUMNS.iter().filter(|c| c.2 && !index.contains_key(&c.0)) {
        problems.push(Problem::error(&file, Some(1), None, format!("required column '{}' is missing", c.1)));
    }
    if problems.has_errors() {
        return Err(problems.into_vec(&file));
    }
    let people = patients(cohort);
    let lesion_ids: HashMap<&str, usize> =
        cohort.lesions.iter().enumerate().filter_map(|(k, l)| l.lesion_id.as_deref().map(|id| (id, k))).collect();
    let mut events = Vec::new();
    for i in 0..grid.n_rows() {
        let number = grid.row_number(i);
        let cell = |c: Column| index.get(&c).map(|&j| grid.cell(i, j)).filter(|c| **c != Cell::Missing);
        let mut err = |c: &str, msg: String| problems.push(Problem::error(&file, Some(number), Some(c), msg));
        let Some(patient_id) = cell(Column::PatientId).map(|c| c.display().trim().to_string()) else {
            err("patient_id", "missing required value".into());
            continue;
        };
        let Some(patient) = people.get(patient_id.as_str()) else {
            err("patient_id", format!("'{patient_id}' is not a patient of the cohort {}", cohort.file));
            continue;
        };
        let Some(term_text) = cell(Column::Term).map(|c| c.display().trim().to_string()) else {
            err("term", "missing required value".into());
            continue;
        };
        let pain = term_text.eq_ignore_ascii_case(PAIN_SCORE);
        let term = if pain {
            None
        } else {
            match ctcae::find(&term_text) {
                Some(t) => Some(t),
                None => {
                    let s = ctcae::suggestions(&term_text);
                    let hint = if s.is_empty() { String::new() } else { format!("; did you mean {}?", s.join(", ")) };
                    err("term", format!("'{term_text}' is not a CTCAE v5.0 term (or {PAIN_SCORE}){hint}"));
                    continue;
                }
            }
        };
        let date = match cell(Column::EventDate).map(|c| crate::cohort::cell_date(c, fmt)) {
            None => {
                err("event_date", "missing required value".into());
                continue;
            }
            Some(Err(msg)) => {
                err("event_date", msg);
                continue;
            }
            Some(Ok((d, warning))) => {
                if let Some(w) = warning {
                    problems.push(Problem::warning(&file, Some(number), Some("event_date"), w));
                }
                d
            }
        };
        let mut err = |c: &str, msg: String| problems.push(Problem::error(&file, Some(number), Some(c), msg));
        let mut row_ok = true;
        if date < patient.first_sbrt {
            err("event_date", format!("{date} is before the patient's first SBRT {}", patient.first_sbrt));
            row_ok = false;
        }
        match patient.death {
            Some(death) if date > death => {
                err("event_date", format!("{date} is after the patient's death {death}"));
                row_ok = false;
            }
            None if date > patient.end => {
                err("event_date", format!("{date} is after the patient's last follow-up {}", patient.end));
                row_ok = false;
            }
            _ => {}
        }
        let site_term = pain || term.is_some_and(|t| LESION_TERMS.contains(&t.name.as_str()));
        let lesion = match cell(Column::LesionId).map(|c| c.display().trim().to_string()) {
            Some(id) => match lesion_ids.get(id.as_str()) {
                Some(&k) if patient.lesions.contains(&k) => Some(k),
                Some(_) => {
                    err("lesion_id", format!("'{id}' is a lesion of another patient, not of '{patient_id}'"));
                    row_ok = false;
                    None
                }
                None => {
                    err("lesion_id", format!("'{id}' is not a lesion_id of the cohort {}", cohort.file));
                    row_ok = false;
                    None
                }
            },
            None if site_term && patient.lesions.len() == 1 => Some(patient.lesions[0]),
            None if site_term => {
                err(
                    "lesion_id",
                    format!(
                        "'{term_text}' belongs to a treated lesion: give its lesion_id (the patient has {} lesions)",
                        patient.lesions.len()
                    ),
                );
                row_ok = false;
                None
            }
            None => None,
        };
        if let Some(k) = lesion.filter(|&k| date < cohort.lesions[k].sbrt_date) {
            if site_term {
                err("event_date", format!("{date} is before this lesion's SBRT start {}", cohort.lesions[k].sbrt_date));
                row_ok = false;
            }
        }
        let kind = if let Some(term) = term {
            let grade = match cell(Column::Grade).map(|c| (c.display(), c.number())) {
                None => {
                    err("grade", format!("'{}' needs a CTCAE grade", term.name));
                    row_ok = false;
                    0
                }
                Some((_, Some(g))) if g.fract() == 0.0 && term.has_grade(g as u8) && g >= 1.0 => g as u8,
                Some((text, _)) => {
                    err(
                        "grade",
                        format!(
                            "'{}' is not a grade of '{}' in CTCAE v5.0 (grades {})",
                            text.trim(),
                            term.name,
                            term.grades_text()
                        ),
                    );
                    row_ok = false;
                    0
                }
            };
            if grade == 5 && patient.death != Some(date) {
                let death = patient.death.map_or("no death date".to_string(), |d| format!("death on {d}"));
                err(
                    "grade",
                    format!("grade 5 is death from the event, but the cohort records {death} for the patient"),
                );
                row_ok = false;
            }
            let attribution = match cell(Column::Attribution).map(|c| c.display()) {
                None => None,
                Some(text) => match Attribution::parse(&text) {
                    Some(a) => Some(a),
                    None => {
                        err(
                            "attribution",
                            format!(
                                "'{}' is not an attribution (unrelated, unlikely, possible, probable, definite)",
                                text.trim()
                            ),
                        );
                        row_ok = false;
                        None
                    }
                },
            };
            EventKind::Toxicity { term, grade, attribution }
        } else {
            if cell(Column::Grade).is_some() {
                err("grade", format!("a {PAIN_SCORE} row takes its value in 'score', not a grade"));
                row_ok = false;
            }
            let score = match cell(Column::Score).map(|c| (c.display(), c.number())) {
                Some((_, Some(s))) if (0.0..=10.0).contains(&s) => s,
                Some((text, _)) => {
                    err("score", format!("a pain score is 0-10, found '{}'", text.trim()));
                    row_ok = false;
                    0.0
                }
                None => {
                    err("score", format!("a {PAIN_SCORE} row needs its score (0-10)"));
                    row_ok = false;
                    0.0
                }
            };
            let ome_mg = match cell(Column::OmeMg).map(|c| (c.display(), c.number())) {
                None => None,
                Some((_, Some(m))) if m >= 0.0 => Some(m),
                Some((text, _)) => {
                    err("ome_mg", format!("must be 0 or more mg, found '{}'", text.trim()));
                    row_ok = false;
                    None
                }
            };
            EventKind::PainScore { score, ome_mg }
        };
        if row_ok {
            events.push(Event { row: number, patient_id, lesion, date, kind });
        }
    }
    let failed = problems.has_errors();
    let problems = problems.into_sorted_vec(&file, |p| (p.row.unwrap_or(0), p.severity));
    if failed {
        return Err(problems);
    }
    Ok((Events { file, events, sha256: String::new() }, problems))
}
