//! Derived analysis variables and endpoints, as the source paper defines
//! them (Kim et al. 2023, "Statistical analysis").
//!
//! Times are in months, `days / 30.4375` (the mean Gregorian month). The
//! end of follow-up of a patient is the death date when there is one, else
//! the last follow-up date.
//!
//! * **LC** (per lesion, from that lesion's SBRT): event = local failure;
//!   censored at death or last follow-up. Competing-risk status:
//!   1 local failure, 2 death without local failure, 0 censored.
//! * **Adjacent failure** (per lesion, from its SBRT), and the recurrence
//!   pattern: local only, local + adjacent, adjacent only, none.
//! * **PFS** (per patient, from the patient's first SBRT): event = the
//!   earliest of `progression_date` and any local or adjacent failure of
//!   the patient's lesions; with `pfs_counts_death`, death too.
//! * **OS** (per patient, from the first SBRT): death from any cause.
//! * **VCF** (per lesion, from its SBRT).
//!
//! Patient-level values come from the first of the patient's rows that has
//! them (validation has checked that the rows agree).

use crate::cohort::date::Date;
use crate::cohort::events::{EventKind, FRACTURE_TERMS};
use crate::cohort::spine::{sins_total, Bilsky, FailureSite, Salvage};
use crate::cohort::vertebra::{Region, Vertebra};
use crate::cohort::{Cohort, DiseaseStatus, Extent, Lesion, Sex};
use crate::radiobiology::Prescription;
use foldhash::{HashMap, HashMapExt};
use std::sync::Arc;

/// Days per month used for every time in months.
pub const DAYS_PER_MONTH: f64 = 30.4375;

/// Settings of the derivation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DeriveOptions {
    /// α/β for BED and EQD2, Gy.
    pub alpha_beta: f64,
    /// Whether death counts as a PFS event.
    pub pfs_counts_death: bool,
    /// Isodose line assumed where the file gives none, percent.
    pub default_isodose_pct: f64,
}

impl Default for DeriveOptions {
    fn default() -> Self {
        DeriveOptions { alpha_beta: 5.0, pfs_counts_death: false, default_isodose_pct: 75.0 }
    }
}

/// How a lesion recurred.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RecurrencePattern {
    /// No local or adjacent failure.
    None,
    /// Local failure only.
    LocalOnly,
    /// Both local and adjacent failure.
    LocalAndAdjacent,
    /// Adjacent failure only.
    AdjacentOnly,
}

impl RecurrencePattern {
    /// Output spelling.
    pub fn code(self) -> &'static str {
        match self {
            RecurrencePattern::None => "none",
            RecurrencePattern::LocalOnly => "local_only",
            RecurrencePattern::LocalAndAdjacent => "local_and_adjacent",
            RecurrencePattern::AdjacentOnly => "adjacent_only",
        }
    }
}

/// A time-to-event outcome.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Outcome {
    /// Months from the origin.
    pub time: f64,
    /// Whether the event happened.
    pub event: bool,
}

/// One lesion's analysis row: no identifiers, no dates.
#[derive(Debug, Clone, PartialEq)]
pub struct AnalysisRow {
    /// Sequential patient number (order of first appearance).
    pub patient: usize,
    /// Sequential lesion number (input order).
    pub lesion: usize,
    /// Sex.
    pub sex: Option<Sex>,
    /// Age at first SBRT, years.
    pub age: Option<f64>,
    /// Histology.
    pub histology: Option<Arc<str>>,
    /// Primary or metastasis.
    pub disease_status: Option<DiseaseStatus>,
    /// Extent of disease.
    pub extent: Option<Extent>,
    /// Prior surgery.
    pub prior_surgery: Option<bool>,
    /// Prior radiotherapy.
    pub prior_rt: Option<bool>,
    /// Prescription (dose and fractions), when both are given.
    pub prescription: Option<Prescription>,
    /// Isodose line used (given, or the default).
    pub isodose_pct: f64,
    /// PTV, cc.
    pub ptv_cc: Option<f64>,
    /// PTV coverage, percent.
    pub ptv_coverage_pct: Option<f64>,
    /// Treated levels as text (canonical, e.g. `T11-T12` as `T11,T12`).
    pub levels: Option<Arc<str>>,
    /// Number of treated vertebrae.
    pub n_levels: Option<usize>,
    /// Region holding most treated levels.
    pub site: Option<Region>,
    /// Months from initial diagnosis to this SBRT.
    pub months_from_diagnosis: Option<f64>,
    /// Local control.
    pub lc: Outcome,
    /// 1 local failure, 2 death without local failure, 0 censored.
    pub lc_status: u8,
    /// Adjacent-level failure.
    pub adjacent: Outcome,
    /// Recurrence pattern of the lesion.
    pub recurrence: RecurrencePattern,
    /// Vertebral compression fracture (the earlier of `vcf_date` and a
    /// fracture in the events table), from the lesion's SBRT.
    pub vcf: Outcome,
    /// 1 fracture, 2 death without fracture, 0 censored.
    pub vcf_status: u8,
    /// SINS (the total, or the sum of its six components).
    pub sins: Option<u32>,
    /// Bilsky grade.
    pub bilsky: Option<Bilsky>,
    /// Compression fracture at the treated levels before SBRT.
    pub vcf_baseline: Option<bool>,
    /// Worst pain at the site before SBRT, 0-10.
    pub pain_baseline: Option<f64>,
    /// Daily oral morphine equivalent before SBRT, mg.
    pub ome_baseline_mg: Option<f64>,
    /// Where the local failure arose.
    pub local_failure_site: Option<FailureSite>,
    /// Salvage of a local or adjacent failure.
    pub salvage: Option<Salvage>,
    /// The patient's first distant spinal failure, from the first SBRT.
    pub distant_spine: Outcome,
    /// The patient's PFS (from first SBRT).
    pub pfs: Outcome,
    /// The patient's PFS event (from the first SBRT) came before this
    /// lesion's own SBRT: lesion-level PFS gives this lesion an event from
    /// before its treatment.
    pub pfs_event_before_treatment: bool,
    /// PFS from this lesion's own SBRT; `None` when the patient had
    /// progressed before it (no PFS of its own from that start).
    pub pfs_from_lesion: Option<Outcome>,
    /// OS from this lesion's own SBRT.
    pub os_from_lesion: Outcome,
    /// The patient's OS (from first SBRT).
    pub os: Outcome,
    /// Extra columns' values.
    pub extra: Vec<Option<String>>,
}

/// Picks each patient's first row: `keep(patient)` is true the first time
/// a patient number ([`AnalysisRow::patient`]) is seen.
#[derive(Debug, Default)]
pub struct FirstOfPatient(Vec<bool>);

impl FirstOfPatient {
    /// Whether this is the first row of `patient` seen.
    pub fn keep(&mut self, patient: usize) -> bool {
        if patient >= self.0.len() {
            self.0.resize(patient + 1, false);
        }
        !std::mem::replace(&mut self.0[patient], true)
    }
}

/// Each patient's sequential number: 1, 2, … in order of first appearance.
pub fn patient_numbers(cohort: &Cohort) -> HashMap<&str, usize> {
    let mut numbers: HashMap<&str, usize> = HashMap::new();
    for l in &cohort.lesions {
        let next = numbers.len() + 1;
        numbers.entry(&l.patient_id).or_insert(next);
    }
    numbers
}

/// The first fracture of each lesion recorded in the events table
/// ([`crate::cohort::events::FRACTURE_TERMS`]), by lesion index.
fn fracture_events(cohort: &Cohort) -> HashMap<usize, Date> {
    let mut out: HashMap<usize, Date> = HashMap::new();
    for e in cohort.events.iter().flat_map(|ev| &ev.events) {
        if let (Some(k), EventKind::Toxicity { term, .. }) = (e.lesion, &e.kind) {
            if FRACTURE_TERMS.contains(&term.name.as_str()) {
                let d = out.entry(k).or_insert(e.date);
                *d = (*d).min(e.date);
            }
        }
    }
    out
}

/// Derive one analysis row per lesion, in input order.
pub fn derive(cohort: &Cohort, options: &DeriveOptions) -> Vec<AnalysisRow> {
    let context = Derivation::of(cohort, options);
    crate::parallel_map::fill_in_order(cohort.lesions.len(), |k| {
        let l = &cohort.lesions[k];
        context.row(k, l, l.extra.clone())
    })
}

/// [`derive`], giving the cohort up for its rows: each row is written
/// where its lesion was ([`AnalysisRow`] is no larger than [`Lesion`]), so
/// the rows need no memory of their own. At a million patients the
/// lesions and the rows are 0.65 and 0.62 GB, which [`derive`] holds at
/// once.
pub fn derive_in_place(cohort: Cohort, options: &DeriveOptions) -> Vec<AnalysisRow> {
    let context = Derivation::of(&cohort, options);
    let mut rows: Vec<AnalysisRow> = cohort
        .lesions
        .into_iter()
        .enumerate()
        .map(|(k, mut l)| {
            let extra = std::mem::take(&mut l.extra);
            context.row(k, &l, extra)
        })
        .collect();
    // The room of the lesions beyond the rows' is given back (a block
    // mapped on its own shrinks where it is).
    rows.shrink_to_fit();
    rows
}

// The rows take their lesions' place only when a row fits in a lesion's
// room with the same alignment (what `Vec`'s collection in place needs).
const _: () = assert!(
    std::mem::size_of::<AnalysisRow>() <= std::mem::size_of::<Lesion>()
        && std::mem::align_of::<AnalysisRow>() == std::mem::align_of::<Lesion>()
);

/// What one patient's rows give each of its lesions' analysis rows: the
/// first of its rows that has a value (input order) or, for follow-up and
/// treatment, the latest and earliest.
#[derive(Debug, Clone, Default)]
struct PatientSummary {
    sex: Option<Sex>,
    age: Option<f64>,
    birth: Option<Date>,
    histology: Option<Arc<str>>,
    diagnosis: Option<Date>,
    death: Option<Date>,
    progression: Option<Date>,
    distant_spine: Option<Date>,
    /// The earliest local or adjacent failure of any of its lesions.
    first_failure: Option<Date>,
    last_followup: Option<Date>,
    first_sbrt: Option<Date>,
}

impl PatientSummary {
    /// Take in the patient's next row (in input order).
    fn add(&mut self, l: &Lesion) {
        fn first<T: Clone>(kept: &mut Option<T>, value: &Option<T>) {
            if kept.is_none() {
                kept.clone_from(value);
            }
        }
        first(&mut self.sex, &l.sex);
        first(&mut self.age, &l.age);
        first(&mut self.birth, &l.birth_date);
        first(&mut self.histology, &l.histology);
        first(&mut self.diagnosis, &l.diagnosis_date);
        first(&mut self.death, &l.death_date);
        first(&mut self.progression, &l.progression_date);
        first(&mut self.distant_spine, &l.distant_spine_failure_date);
        self.first_failure =
            [self.first_failure, l.local_failure_date, l.adjacent_failure_date].into_iter().flatten().min();
        self.last_followup = self.last_followup.max(Some(l.last_followup_date));
        self.first_sbrt = Some(self.first_sbrt.map_or(l.sbrt_date, |d| d.min(l.sbrt_date)));
    }
}

/// What deriving a lesion's row needs besides the lesion: its patient's
/// number and summary, the fractures of the events table, the shared
/// texts of the level sets. Owns all of it, so that the lesions can be
/// given up one by one ([`derive_in_place`]).
struct Derivation {
    options: DeriveOptions,
    /// Each lesion's patient number (from 1).
    patient: Vec<usize>,
    /// Patient `p`'s summary at `p - 1`.
    summaries: Vec<PatientSummary>,
    fractures: HashMap<usize, Date>,
    /// Each distinct set of levels as one text that its rows share (a
    /// million patients' rows would otherwise hold 1.7 million small
    /// copies); the cohort's histologies are shared already.
    level_sets: HashMap<Vec<Vertebra>, Arc<str>>,
}

impl Derivation {
    fn of(cohort: &Cohort, options: &DeriveOptions) -> Derivation {
        let numbers = patient_numbers(cohort);
        let mut summaries = vec![PatientSummary::default(); numbers.len()];
        let mut patient = Vec::with_capacity(cohort.lesions.len());
        for l in &cohort.lesions {
            let p = numbers[&*l.patient_id];
            summaries[p - 1].add(l);
            patient.push(p);
        }
        let mut level_sets: HashMap<Vec<Vertebra>, Arc<str>> = HashMap::new();
        for lv in cohort.lesions.iter().filter_map(|l| l.levels.as_deref()) {
            if !level_sets.contains_key(&lv.vertebrae[..]) {
                let text = lv.vertebrae.iter().map(|v| v.to_string()).collect::<Vec<_>>().join(",");
                level_sets.insert(lv.vertebrae.clone(), text.into());
            }
        }
        Derivation { options: *options, patient, summaries, fractures: fracture_events(cohort), level_sets }
    }

    /// Lesion `k`'s row, `l` its lesion and `extra` its extra columns.
    fn row(&self, k: usize, l: &Lesion, extra: Vec<Option<String>>) -> AnalysisRow {
        let months = |from: Date, to: Date| from.days_until(to) as f64 / DAYS_PER_MONTH;
        let patient = self.patient[k];
        let summary = &self.summaries[patient - 1];
        let death = summary.death;
        let end = death.or(summary.last_followup).expect("a patient has a row");
        let first_sbrt = summary.first_sbrt.expect("a patient has a row");
        let outcome = |origin, event: Option<Date>| match event {
            Some(d) => Outcome { time: months(origin, d), event: true },
            None => Outcome { time: months(origin, end), event: false },
        };
        let lc = outcome(l.sbrt_date, l.local_failure_date);
        let lc_status = if l.local_failure_date.is_some() {
            1
        } else if death.is_some() {
            2
        } else {
            0
        };
        let recurrence = match (l.local_failure_date.is_some(), l.adjacent_failure_date.is_some()) {
            (false, false) => RecurrencePattern::None,
            (true, false) => RecurrencePattern::LocalOnly,
            (true, true) => RecurrencePattern::LocalAndAdjacent,
            (false, true) => RecurrencePattern::AdjacentOnly,
        };
        let mut pfs_event = [summary.first_failure, summary.progression].into_iter().flatten().min();
        if self.options.pfs_counts_death {
            pfs_event = [pfs_event, death].into_iter().flatten().min();
        }
        let age = summary.age.or_else(|| summary.birth.map(|b| b.days_until(first_sbrt) as f64 / 365.25));
        let vcf_date = [l.vcf_date, self.fractures.get(&k).copied()].into_iter().flatten().min();
        let vcf_status = match (vcf_date, death) {
            (Some(_), _) => 1,
            (None, Some(_)) => 2,
            (None, None) => 0,
        };
        let prescription = match (l.dose_gy, l.fractions) {
            (Some(d), Some(n)) if d > 0.0 && n > 0 => Some(Prescription { dose_gy: d, fractions: n }),
            _ => None,
        };
        AnalysisRow {
            patient,
            lesion: k + 1,
            sex: summary.sex,
            age,
            histology: summary.histology.clone(),
            disease_status: l.disease_status,
            extent: l.extent,
            prior_surgery: l.prior_surgery,
            prior_rt: l.prior_rt,
            prescription,
            isodose_pct: l.isodose_pct.unwrap_or(self.options.default_isodose_pct),
            ptv_cc: l.ptv_cc,
            ptv_coverage_pct: l.ptv_coverage_pct,
            levels: l.levels.as_ref().map(|lv| self.level_sets[&lv.vertebrae[..]].clone()),
            n_levels: l.levels.as_ref().map(|lv| lv.count()),
            site: l.levels.as_ref().map(|lv| lv.site()),
            months_from_diagnosis: summary.diagnosis.map(|d| months(d, l.sbrt_date)),
            lc,
            lc_status,
            adjacent: outcome(l.sbrt_date, l.adjacent_failure_date),
            recurrence,
            vcf: outcome(l.sbrt_date, vcf_date),
            vcf_status,
            sins: sins_total(l.sins, &l.sins_parts),
            bilsky: l.bilsky,
            vcf_baseline: l.vcf_baseline,
            pain_baseline: l.pain_baseline,
            ome_baseline_mg: l.ome_baseline_mg,
            local_failure_site: l.local_failure_site,
            salvage: l.salvage,
            distant_spine: outcome(first_sbrt, summary.distant_spine),
            pfs: outcome(first_sbrt, pfs_event),
            pfs_event_before_treatment: pfs_event.is_some_and(|d| d < l.sbrt_date),
            pfs_from_lesion: pfs_event.is_none_or(|d| d >= l.sbrt_date).then(|| outcome(l.sbrt_date, pfs_event)),
            os_from_lesion: outcome(l.sbrt_date, death),
            os: outcome(first_sbrt, death),
            extra,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cohort::date::{Date, DateFormat};

    #[test]
    fn the_first_row_of_each_patient_is_kept_in_any_order() {
        let mut first = FirstOfPatient::default();
        let kept: Vec<bool> = [3, 1, 3, 2, 1, 7, 2].into_iter().map(|p| first.keep(p)).collect();
        assert_eq!(kept, [true, true, false, true, false, true, false]);
    }

    fn d(s: &str) -> Date {
        DateFormat::Iso.parse(s).unwrap()
    }

    fn lesion(pid: &str, sbrt: &str) -> Lesion {
        Lesion {
            row: 2,
            patient_id: pid.into(),
            lesion_id: None,
            sex: Some(Sex::Male),
            age: Some(40.0),
            birth_date: None,
            histology: Some("osteosarcoma".into()),
            diagnosis_date: Some(d("2015-01-01")),
            last_followup_date: d("2018-01-01"),
            death_date: None,
            progression_date: None,
            sbrt_date: d(sbrt),
            levels: None,
            disease_status: None,
            extent: None,
            prior_surgery: None,
            prior_rt: None,
            reirradiation: None,
            dose_gy: Some(33.0),
            fractions: Some(3),
            isodose_pct: None,
            ptv_cc: None,
            ptv_coverage_pct: None,
            cord_dmax_gy: None,
            cord_d0035cc_gy: None,
            sins: None,
            sins_parts: [None; 6],
            bilsky: None,
            vcf_baseline: None,
            pain_baseline: None,
            ome_baseline_mg: None,
            local_failure_date: None,
            local_failure_site: None,
            adjacent_failure_date: None,
            salvage: None,
            vcf_date: None,
            distant_spine_failure_date: None,
            extra: vec![],
        }
    }

    #[test]
    fn endpoints_follow_the_paper() {
        let mut a = lesion("x", "2016-01-01");
        let mut b = lesion("x", "2016-07-01");
        b.local_failure_date = Some(d("2017-01-01"));
        b.adjacent_failure_date = Some(d("2017-03-01"));
        for l in [&mut a, &mut b] {
            l.death_date = Some(d("2017-12-01"));
            l.last_followup_date = d("2017-11-15");
        }
        let cohort =
            Cohort { file: "f".into(), lesions: vec![a, b], extra_columns: vec![], fields: vec![], events: None };
        let rows = derive(&cohort, &DeriveOptions::default());
        let m = |from: &str, to: &str| d(from).days_until(d(to)) as f64 / DAYS_PER_MONTH;
        // Lesion 1: no failure, censored at death for LC, competing status 2.
        assert_eq!(rows[0].lc, Outcome { time: m("2016-01-01", "2017-12-01"), event: false });
        assert_eq!(rows[0].lc_status, 2);
        // Lesion 2: local failure, from its own SBRT.
        assert_eq!(rows[1].lc, Outcome { time: m("2016-07-01", "2017-01-01"), event: true });
        assert_eq!(rows[1].recurrence, RecurrencePattern::LocalAndAdjacent);
        // PFS of the patient: first recurrence of any lesion, from the first SBRT, on both rows.
        for r in &rows {
            assert_eq!(r.pfs, Outcome { time: m("2016-01-01", "2017-01-01"), event: true });
            assert_eq!(r.os, Outcome { time: m("2016-01-01", "2017-12-01"), event: true });
            assert_eq!(r.patient, 1);
        }
        assert_eq!(rows[1].months_from_diagnosis, Some(m("2015-01-01", "2016-07-01")));
    }

    #[test]
    fn a_patient_s_values_come_from_its_first_row_that_has_them_wherever_its_rows_lie() {
        let mut a = lesion("x", "2016-03-01");
        let b = lesion("y", "2016-01-01");
        let mut c = lesion("x", "2016-01-01");
        (a.age, a.sex, a.histology) = (None, None, None);
        (c.age, c.sex, c.histology) = (Some(61.0), Some(Sex::Female), Some("chordoma".into()));
        c.death_date = Some(d("2017-06-01"));
        c.last_followup_date = d("2017-06-01");
        a.adjacent_failure_date = Some(d("2016-09-01"));
        let cohort =
            Cohort { file: "f".into(), lesions: vec![a, b, c], extra_columns: vec![], fields: vec![], events: None };
        let rows = derive(&cohort, &DeriveOptions::default());
        let m = |from: &str, to: &str| d(from).days_until(d(to)) as f64 / DAYS_PER_MONTH;
        assert_eq!([rows[0].patient, rows[1].patient, rows[2].patient], [1, 2, 1]);
        for r in [&rows[0], &rows[2]] {
            assert_eq!((r.age, r.sex, r.histology.as_deref()), (Some(61.0), Some(Sex::Female), Some("chordoma")));
            // From the patient's first SBRT (its second row's), to its death.
            assert_eq!(r.os, Outcome { time: m("2016-01-01", "2017-06-01"), event: true });
            // The adjacent failure of its first row ends both rows' PFS.
            assert_eq!(r.pfs, Outcome { time: m("2016-01-01", "2016-09-01"), event: true });
        }
        // The other patient's row is its own.
        assert_eq!(rows[1].os, Outcome { time: m("2016-01-01", "2018-01-01"), event: false });
        // Deriving in place gives the same rows, in the lesions' memory.
        let lesions_at = cohort.lesions.as_ptr() as usize;
        let in_place = derive_in_place(cohort, &DeriveOptions::default());
        assert_eq!(in_place, rows);
        assert_eq!(in_place.as_ptr() as usize, lesions_at);
    }

    #[test]
    fn pfs_may_count_death() {
        let mut a = lesion("x", "2016-01-01");
        a.death_date = Some(d("2016-06-01"));
        a.last_followup_date = d("2016-06-01");
        let cohort = Cohort { file: "f".into(), lesions: vec![a], extra_columns: vec![], fields: vec![], events: None };
        let paper = derive(&cohort, &DeriveOptions::default());
        assert!(!paper[0].pfs.event);
        let with_death = derive(&cohort, &DeriveOptions { pfs_counts_death: true, ..DeriveOptions::default() });
        assert!(with_death[0].pfs.event);
    }
}
