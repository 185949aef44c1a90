//! RT Plan: what was prescribed, in how many fractions, with which beams.
//!
//! **Prescription** (Gy), in this order of precedence:
//! 1. the Dose Reference Sequence (300A,0010): the Target Prescription Dose
//!    (300A,0026) of the items whose Dose Reference Type is `TARGET` — the
//!    highest when there are several (a simultaneous boost prescribes its
//!    highest dose level; the others are named in a note);
//! 2. otherwise the first Fraction Group (300A,0070): the sum over its
//!    Referenced Beam Sequence of Beam Dose (300A,0084), times its Number
//!    of Fractions Planned (300A,0078) — the dose the beams deliver to their
//!    dose specification points, which a planning system sets to the
//!    prescription when it writes no dose reference.
//!
//! **Fractions**: Number of Fractions Planned of the first fraction group (a
//! plan with several groups gets a note). **Dose per fraction**:
//! prescription / fractions. **Beams**: the Beam Sequence items delivered
//! to the patient (Treatment Delivery Type absent or `TREATMENT`, so setup
//! fields are left out), or the Ion Beam Sequence. **Technique**: `VMAT`
//! when a beam rotates (Gantry Rotation Direction CW/CC) with dynamic
//! collimation (Beam Type `DYNAMIC`), `conformal arc` when it rotates
//! otherwise, `IMRT` for fixed beams of more than two control points,
//! `3D conformal` for fixed beams of two, `protons` for an ion plan.
//! dicompyler-core's `GetPlan` reads the same attributes (dose references of
//! structure type SITE or VOLUME first, then beam doses).

use super::object::{self, items, number, text, DataSet};
use crate::cohort::date::Date;
use dicom_dictionary_std::tags;

/// Where a plan's prescription was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrescriptionSource {
    /// Target Prescription Dose of a TARGET dose reference.
    DoseReference,
    /// Beam doses of the first fraction group × its fractions.
    BeamDoses,
}

impl PrescriptionSource {
    /// The words written to outputs.
    pub fn label(self) -> &'static str {
        match self {
            PrescriptionSource::DoseReference => "dose reference",
            PrescriptionSource::BeamDoses => "beam doses",
        }
    }
}

/// One RT Plan.
#[derive(Debug, Clone)]
pub struct RtPlan {
    /// SOP Instance UID.
    pub uid: String,
    /// Patient ID.
    pub patient_id: Option<String>,
    /// RT Plan Label, else RT Plan Name.
    pub label: Option<String>,
    /// RT Plan Date, else Study Date.
    pub date: Option<Date>,
    /// Frame of Reference UID, when the plan carries one.
    pub frame_uid: Option<String>,
    /// The structure set it references.
    pub structure_set_uid: Option<String>,
    /// Prescribed dose, Gy, and where it was read.
    pub prescription: Option<(f64, PrescriptionSource)>,
    /// Fractions planned.
    pub fractions: Option<u32>,
    /// Treatment beams or arcs.
    pub beams: usize,
    /// Delivery technique.
    pub technique: &'static str,
    /// What the reading noticed (several prescriptions, fraction groups).
    pub notes: Vec<String>,
}

impl RtPlan {
    /// Read a plan's attributes.
    pub fn read(data: &DataSet) -> RtPlan {
        let mut notes = Vec::new();
        let targets: Vec<f64> = items(data, tags::DOSE_REFERENCE_SEQUENCE)
            .iter()
            .filter(|d| text(d, tags::DOSE_REFERENCE_TYPE).as_deref() == Some("TARGET"))
            .filter_map(|d| number(d, tags::TARGET_PRESCRIPTION_DOSE))
            .filter(|&v| v > 0.0)
            .collect();
        let groups = items(data, tags::FRACTION_GROUP_SEQUENCE);
        if groups.len() > 1 {
            notes.push(format!("{} fraction groups: the first is read", groups.len()));
        }
        let group = groups.first();
        let fractions = group
            .and_then(|g| number(g, tags::NUMBER_OF_FRACTIONS_PLANNED))
            .filter(|&v| v >= 1.0 && v.fract() == 0.0 && v < 1e6)
            .map(|v| v as u32);
        let prescription = if let Some(max) = targets.iter().copied().reduce(f64::max) {
            if targets.iter().any(|&v| v != max) {
                notes.push(format!(
                    "{} target prescriptions ({}): the highest is read",
                    targets.len(),
                    targets.iter().map(|v| format!("{v} Gy")).collect::<Vec<_>>().join(", ")
                ));
            }
            Some((max, PrescriptionSource::DoseReference))
        } else {
            let beam_doses: Vec<f64> = group
                .map(|g| items(g, tags::REFERENCED_BEAM_SEQUENCE))
                .unwrap_or(&[])
                .iter()
                .filter_map(|b| number(b, tags::BEAM_DOSE))
                .collect();
            let per_fraction: f64 = beam_doses.iter().sum();
            match fractions {
                Some(n) if per_fraction > 0.0 => Some((per_fraction * n as f64, PrescriptionSource::BeamDoses)),
                _ => None,
            }
        };
        let (beams, technique) = beams_and_technique(data);
        RtPlan {
            uid: text(data, tags::SOP_INSTANCE_UID).unwrap_or_default(),
            patient_id: text(data, tags::PATIENT_ID),
            label: text(data, tags::RT_PLAN_LABEL).or_else(|| text(data, tags::RT_PLAN_NAME)),
            date: object::date(data, tags::RT_PLAN_DATE).or_else(|| object::date(data, tags::STUDY_DATE)),
            frame_uid: text(data, tags::FRAME_OF_REFERENCE_UID),
            structure_set_uid: object::referenced_uid(data, tags::REFERENCED_STRUCTURE_SET_SEQUENCE),
            prescription,
            fractions,
            beams,
            technique,
            notes,
        }
    }

    /// Prescription per fraction, Gy.
    pub fn dose_per_fraction(&self) -> Option<f64> {
        Some(self.prescription?.0 / self.fractions? as f64)
    }
}

fn beams_and_technique(data: &DataSet) -> (usize, &'static str) {
    let ions = items(data, tags::ION_BEAM_SEQUENCE);
    if !ions.is_empty() {
        return (ions.iter().filter(|b| is_treatment(b)).count(), "protons");
    }
    let beams: Vec<&DataSet> = items(data, tags::BEAM_SEQUENCE).iter().filter(|b| is_treatment(b)).collect();
    let rotates = |b: &DataSet| {
        items(b, tags::CONTROL_POINT_SEQUENCE)
            .iter()
            .any(|cp| matches!(text(cp, tags::GANTRY_ROTATION_DIRECTION).as_deref(), Some("CW" | "CC")))
    };
    let control_points = |b: &DataSet| {
        number(b, tags::NUMBER_OF_CONTROL_POINTS)
            .map(|v| v as usize)
            .unwrap_or_else(|| items(b, tags::CONTROL_POINT_SEQUENCE).len())
    };
    let technique = if beams.is_empty() {
        "unknown"
    } else if beams.iter().any(|b| rotates(b)) {
        if beams.iter().any(|b| text(b, tags::BEAM_TYPE).as_deref() == Some("DYNAMIC")) {
            "VMAT"
        } else {
            "conformal arc"
        }
    } else if beams.iter().any(|b| control_points(b) > 2) {
        "IMRT"
    } else {
        "3D conformal"
    };
    (beams.len(), technique)
}

fn is_treatment(beam: &DataSet) -> bool {
    text(beam, tags::TREATMENT_DELIVERY_TYPE).is_none_or(|t| t == "TREATMENT")
}
