//! The events as the analysis uses them: no identifiers, no dates. Each
//! row carries the patient's sequential number (as the analysis file's),
//! the lesion's number when the event belongs to a lesion, and its day
//! from SBRT: the lesion's SBRT for a lesion's event, otherwise the
//! patient's latest SBRT on or before the event. An adverse event is
//! **acute** up to `acute_days` after that SBRT (RTOG convention: 90 days)
//! and **late** after it.

use crate::cohort::ctcae::Term;
use crate::cohort::events::{EventKind, Events};
use crate::cohort::Cohort;
use crate::endpoints::{patient_numbers, DAYS_PER_MONTH};

/// Acute or late.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Within the acute window.
    Acute,
    /// After it.
    Late,
}

/// One adverse event.
#[derive(Debug, Clone, PartialEq)]
pub struct ToxicityRow {
    /// Sequential patient number.
    pub patient: usize,
    /// Sequential lesion number, when the event belongs to a lesion.
    pub lesion: Option<usize>,
    /// Days from the reference SBRT.
    pub days: i64,
    /// Acute or late.
    pub phase: Phase,
    /// CTCAE term.
    pub term: &'static Term,
    /// Grade 1-5.
    pub grade: u8,
    /// Counted as a treatment effect: attribution possible or stronger, or not recorded.
    pub related: bool,
}

/// One pain assessment of a lesion.
#[derive(Debug, Clone, PartialEq)]
pub struct PainRow {
    /// Sequential patient number.
    pub patient: usize,
    /// Sequential lesion number.
    pub lesion: usize,
    /// Days from the lesion's SBRT.
    pub days: i64,
    /// Months from the lesion's SBRT.
    pub months: f64,
    /// Worst pain, 0-10.
    pub score: f64,
    /// Daily oral morphine equivalent, mg.
    pub ome_mg: Option<f64>,
}

/// The derived events of a cohort.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DerivedEvents {
    /// Adverse events, in file order.
    pub toxicity: Vec<ToxicityRow>,
    /// Pain assessments, in file order.
    pub pain: Vec<PainRow>,
}

/// Derive the events of `cohort`, with `acute_days` the end of the acute window.
pub fn derive(cohort: &Cohort, events: &Events, acute_days: u32) -> DerivedEvents {
    let numbers = patient_numbers(cohort);
    let mut sbrt_dates: foldhash::HashMap<&str, Vec<crate::cohort::date::Date>> = Default::default();
    for l in &cohort.lesions {
        sbrt_dates.entry(&*l.patient_id).or_default().push(l.sbrt_date);
    }
    let mut out = DerivedEvents::default();
    for e in &events.events {
        let reference = match e.lesion {
            Some(k) => cohort.lesions[k].sbrt_date,
            None => sbrt_dates[e.patient_id.as_str()]
                .iter()
                .copied()
                .filter(|d| *d <= e.date)
                .max()
                .expect("validated: the event is not before the patient's first SBRT"),
        };
        let days = reference.days_until(e.date);
        match &e.kind {
            EventKind::Toxicity { term, grade, attribution } => out.toxicity.push(ToxicityRow {
                patient: numbers[e.patient_id.as_str()],
                lesion: e.lesion.map(|k| k + 1),
                days,
                phase: if days <= i64::from(acute_days) { Phase::Acute } else { Phase::Late },
                term,
                grade: *grade,
                related: attribution.is_none_or(|a| a.related()),
            }),
            EventKind::PainScore { score, ome_mg } => out.pain.push(PainRow {
                patient: numbers[e.patient_id.as_str()],
                lesion: e.lesion.expect("validated: a pain score belongs to a lesion") + 1,
                days,
                months: days as f64 / DAYS_PER_MONTH,
                score: *score,
                ome_mg: *ome_mg,
            }),
        }
    }
    out
}
