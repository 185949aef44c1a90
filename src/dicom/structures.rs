//! RT Structure Set: the regions of interest and their planar contours.
//!
//! Each ROI of the Structure Set ROI Sequence (3006,0020) has a number and a
//! name; its contours are in the ROI Contour Sequence (3006,0039) item that
//! references that number, each a Contour Data (3006,0050) list of x, y, z
//! triplets. Only `CLOSED_PLANAR` contours bound a volume (points and open
//! lines are counted and left out). Contours are grouped by plane (their z,
//! to 0.001 mm); several contours on one plane are separate parts or holes,
//! told apart by the even-odd rule in [`crate::dosimetry`]. The RT ROI
//! Interpreted Type (3006,00A4) of the RT ROI Observations Sequence
//! (`PTV`, `CTV`, `GTV`, `ORGAN`, `EXTERNAL`, ...) is kept for classifying
//! the structure.

use super::object::{items, number, numbers, text, DataSet};
use dicom_dictionary_std::tags;

/// One structure set.
#[derive(Debug, Clone)]
pub struct StructureSet {
    /// SOP Instance UID.
    pub uid: String,
    /// Patient ID.
    pub patient_id: Option<String>,
    /// Frame of Reference UID of its contours.
    pub frame_uid: Option<String>,
    /// Regions of interest in file order.
    pub rois: Vec<Roi>,
}

/// One region of interest.
#[derive(Debug, Clone)]
pub struct Roi {
    /// ROI Number.
    pub number: i64,
    /// ROI Name.
    pub name: String,
    /// RT ROI Interpreted Type, upper case.
    pub interpreted_type: Option<String>,
    /// Closed planar contours by plane, planes in increasing z.
    pub planes: Vec<Plane>,
    /// Contours that are not closed planar (points, open lines).
    pub not_closed: usize,
}

/// The closed contours of one ROI on one plane.
#[derive(Debug, Clone)]
pub struct Plane {
    /// z of the plane, mm.
    pub z: f64,
    /// Polygons as (x, y) vertices, mm.
    pub contours: Vec<Vec<[f64; 2]>>,
}

impl StructureSet {
    /// Read a structure set's ROIs and contours.
    pub fn read(data: &DataSet) -> StructureSet {
        let mut rois: Vec<Roi> = items(data, tags::STRUCTURE_SET_ROI_SEQUENCE)
            .iter()
            .filter_map(|r| {
                Some(Roi {
                    number: number(r, tags::ROI_NUMBER)? as i64,
                    name: text(r, tags::ROI_NAME).unwrap_or_default(),
                    interpreted_type: None,
                    planes: Vec::new(),
                    not_closed: 0,
                })
            })
            .collect();
        for obs in items(data, tags::RTROI_OBSERVATIONS_SEQUENCE) {
            let Some(n) = number(obs, tags::REFERENCED_ROI_NUMBER) else { continue };
            if let Some(roi) = rois.iter_mut().find(|r| r.number == n as i64) {
                roi.interpreted_type = text(obs, tags::RTROI_INTERPRETED_TYPE).map(|t| t.to_uppercase());
            }
        }
        for rc in items(data, tags::ROI_CONTOUR_SEQUENCE) {
            let Some(n) = number(rc, tags::REFERENCED_ROI_NUMBER) else { continue };
            let Some(roi) = rois.iter_mut().find(|r| r.number == n as i64) else { continue };
            for c in items(rc, tags::CONTOUR_SEQUENCE) {
                let closed = text(c, tags::CONTOUR_GEOMETRIC_TYPE).as_deref() == Some("CLOSED_PLANAR");
                let data = numbers(c, tags::CONTOUR_DATA).unwrap_or_default();
                if !closed || data.len() < 9 || !data.len().is_multiple_of(3) {
                    roi.not_closed += 1;
                    continue;
                }
                let z = data[2];
                let polygon: Vec<[f64; 2]> = data.chunks_exact(3).map(|p| [p[0], p[1]]).collect();
                match roi.planes.iter_mut().find(|p| (p.z - z).abs() < 1e-3) {
                    Some(p) => p.contours.push(polygon),
                    None => roi.planes.push(Plane { z, contours: vec![polygon] }),
                }
            }
            roi.planes.sort_by(|a, b| a.z.total_cmp(&b.z));
        }
        let frame_uid = items(data, tags::REFERENCED_FRAME_OF_REFERENCE_SEQUENCE)
            .first()
            .and_then(|f| text(f, tags::FRAME_OF_REFERENCE_UID))
            .or_else(|| text(data, tags::FRAME_OF_REFERENCE_UID));
        StructureSet {
            uid: text(data, tags::SOP_INSTANCE_UID).unwrap_or_default(),
            patient_id: text(data, tags::PATIENT_ID),
            frame_uid,
            rois,
        }
    }
}
