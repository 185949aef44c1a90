//! The structures of a plan worth reporting, and their figures.
//!
//! A structure's **role** comes from its RT ROI Interpreted Type and its
//! name (case and punctuation ignored):
//! - target: type `PTV`, or a name starting `PTV` — the prescription's
//!   target; type `GTV`/`CTV` or a name starting so: the gross and
//!   clinical target volumes;
//! - spinal cord: a name containing `cord` or `myelon`, or `SC`, without
//!   `PRV` (a planning-risk margin around it is not the cord); cauda
//!   equina: `cauda`; esophagus: `esoph` or `oesoph`;
//! - requested: a name given with `--structure` (exact, case ignored).
//!
//! Other structures (body, rings, optimisation helpers) are not reported.
//! A target's **prescription isodose line** is prescription / Dmax × 100,
//! Dmax its own point maximum (the line the prescription was normalised to
//! when the plan was scaled to cover the target).

use super::dvh::{sample, DvhFigures};
use crate::dicom::dose::DoseGrid;
use crate::dicom::structures::{Roi, StructureSet};

/// What a structure is in the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Planning target volume.
    Target,
    /// Gross tumour volume.
    Gtv,
    /// Clinical target volume.
    Ctv,
    /// Spinal cord.
    SpinalCord,
    /// Cauda equina.
    CaudaEquina,
    /// Esophagus.
    Esophagus,
    /// Named with `--structure`.
    Requested,
}

impl Role {
    /// The words written to outputs.
    pub fn label(self) -> &'static str {
        match self {
            Role::Target => "PTV",
            Role::Gtv => "GTV",
            Role::Ctv => "CTV",
            Role::SpinalCord => "spinal cord",
            Role::CaudaEquina => "cauda equina",
            Role::Esophagus => "esophagus",
            Role::Requested => "requested",
        }
    }
}

/// The role of a structure, if it has one.
pub fn role(roi: &Roi, requested: &[String]) -> Option<Role> {
    let name: String = roi.name.to_lowercase().chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    let kind = roi.interpreted_type.as_deref().unwrap_or("");
    if requested.iter().any(|r| r.eq_ignore_ascii_case(roi.name.trim())) {
        return Some(Role::Requested);
    }
    let helper = ["opt", "ring", "prv", "avoid", "eval"].iter().any(|w| name.contains(w));
    if kind == "PTV" || (name.starts_with("ptv") && !helper) {
        return Some(Role::Target);
    }
    if kind == "GTV" || name.starts_with("gtv") {
        return Some(Role::Gtv);
    }
    if kind == "CTV" || name.starts_with("ctv") {
        return Some(Role::Ctv);
    }
    if name.contains("prv") {
        return None;
    }
    if name.contains("cord") || name.contains("myelon") || name == "sc" {
        return Some(Role::SpinalCord);
    }
    if name.contains("cauda") {
        return Some(Role::CaudaEquina);
    }
    if name.contains("esoph") || name.contains("oesoph") {
        return Some(Role::Esophagus);
    }
    None
}

/// One reported structure.
#[derive(Debug, Clone)]
pub struct StructureFigures {
    /// ROI Name.
    pub name: String,
    /// Its role.
    pub role: Role,
    /// Its figures.
    pub figures: DvhFigures,
    /// Prescription isodose line, percent (targets).
    pub isodose_pct: Option<f64>,
}

/// The figures of every structure with a role, in structure-set order.
pub fn plan_figures(
    set: &StructureSet,
    grid: &DoseGrid,
    prescription_gy: Option<f64>,
    requested: &[String],
) -> Vec<StructureFigures> {
    set.rois
        .iter()
        .filter_map(|roi| {
            let role = role(roi, requested)?;
            let figures = sample(&roi.planes, grid).figures(prescription_gy);
            let isodose_pct = match (role, prescription_gy, figures.dmax_gy) {
                (Role::Target, Some(rx), Some(max)) if max > 0.0 => Some(100.0 * rx / max),
                _ => None,
            };
            Some(StructureFigures { name: roi.name.clone(), role, figures, isodose_pct })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roi(name: &str, kind: Option<&str>) -> Roi {
        Roi { number: 1, name: name.into(), interpreted_type: kind.map(String::from), planes: vec![], not_closed: 0 }
    }

    #[test]
    fn roles_come_from_the_type_and_the_name() {
        let none: Vec<String> = vec![];
        assert_eq!(role(&roi("PTV_T10", None), &none), Some(Role::Target));
        assert_eq!(role(&roi("Target", Some("PTV")), &none), Some(Role::Target));
        assert_eq!(role(&roi("PTV_opt", None), &none), None);
        assert_eq!(role(&roi("SpinalCord", Some("ORGAN")), &none), Some(Role::SpinalCord));
        assert_eq!(role(&roi("Spinal Cord PRV", Some("ORGAN")), &none), None);
        assert_eq!(role(&roi("Cauda_Equina", None), &none), Some(Role::CaudaEquina));
        assert_eq!(role(&roi("Oesophagus", None), &none), Some(Role::Esophagus));
        assert_eq!(role(&roi("BODY", Some("EXTERNAL")), &none), None);
        assert_eq!(role(&roi("Kidney_L", None), &["kidney_l".to_string()]), Some(Role::Requested));
    }
}
