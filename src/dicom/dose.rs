//! RT Dose: the three-dimensional dose grid.
//!
//! The grid is a multi-frame image: frame k is the plane at Image Position
//! (Patient) (x0, y0, z0) moved by the k-th Grid Frame Offset Vector
//! (3004,000C) entry along the planes' normal; within a frame, column i and
//! row j lie at x0 + i·Δc·r and y0 + j·Δr·c for the row and column
//! directions r, c of Image Orientation (Patient) and the Pixel Spacing
//! (Δr, Δc). The stored integers times Dose Grid Scaling (3004,000E) are the
//! dose, in Dose Units (`GY`, or `RELATIVE`, which gives no Gy figures).
//! PS3.3 C.8.8.3.2: offsets starting at 0 are relative to z0; offsets
//! starting at z0 are absolute positions (both read).
//!
//! Only axial grids are read (rows and columns along the patient's x and
//! y axes, either way round: head- or feet-first, supine or prone), with
//! pixel data in an uncompressed transfer syntax; anything else is refused
//! with the reason.
//!
//! **Interpolation.** Between grid points the dose is interpolated along
//! each axis in turn (z, then y, then x) by cubic convolution (Keys 1981,
//! the Catmull-Rom kernel, a = −½): on the interval between nodes p₁, p₂
//! with neighbours p₀, p₃ and t ∈ [0, 1],
//!
//! f(t) = p₁ + ½t(p₂ − p₀) + t²(p₀ − 5⁄2 p₁ + 2p₂ − ½p₃) + t³(3⁄2(p₁ − p₂) + ½(p₃ − p₀)),
//!
//! which passes through the nodes and reproduces any dose that varies
//! quadratically (error O(h³)). Linear (trilinear) interpolation, what
//! dicompyler-core does between planes, under-reads a curved dose by up to
//! h²|D″|/8: on a 2 mm grid about a small target's peaked dose (the 0.1 cc
//! phantom of `docs/dicom.md`) that is 1.3 % of Dmax and a third of its V100.
//! Where a neighbour is missing (the grid's first and last interval) or the
//! frames are unevenly spaced, the interpolation is linear; it never goes
//! below 0 (a cubic may dip slightly at the foot of a steep edge).

use super::object::{self, number, numbers, text, DataSet};
use dicom_dictionary_std::tags;

/// One RT Dose object.
#[derive(Debug)]
pub struct RtDose {
    /// SOP Instance UID.
    pub uid: String,
    /// Patient ID.
    pub patient_id: Option<String>,
    /// Frame of Reference UID.
    pub frame_uid: Option<String>,
    /// The plan it is the dose of.
    pub plan_uid: Option<String>,
    /// Dose Summation Type (`PLAN`, `BEAM`, `FRACTION`, ...).
    pub summation: Option<String>,
    /// Dose Units.
    pub units: Option<String>,
}

impl RtDose {
    /// Read a dose object's header (the grid is [`DoseGrid::read`]).
    pub fn read(data: &DataSet) -> RtDose {
        RtDose {
            uid: text(data, tags::SOP_INSTANCE_UID).unwrap_or_default(),
            patient_id: text(data, tags::PATIENT_ID),
            frame_uid: text(data, tags::FRAME_OF_REFERENCE_UID),
            plan_uid: object::referenced_uid(data, tags::REFERENCED_RT_PLAN_SEQUENCE),
            summation: text(data, tags::DOSE_SUMMATION_TYPE),
            units: text(data, tags::DOSE_UNITS),
        }
    }
}

/// A dose grid in Gy with frames ordered by increasing z.
#[derive(Debug, Clone)]
pub struct DoseGrid {
    /// x of column 0 and the step from one column to the next (signed), mm.
    pub x0: f64,
    /// Step in x between columns, mm (negative when columns run to −x).
    pub dx: f64,
    /// y of row 0, mm.
    pub y0: f64,
    /// Step in y between rows, mm.
    pub dy: f64,
    /// Columns.
    pub nx: usize,
    /// Rows.
    pub ny: usize,
    /// z of each frame, increasing, mm.
    pub z: Vec<f64>,
    /// Dose, Gy: frame by frame, row by row.
    pub gy: Vec<f32>,
}

/// One plane of dose at a given z, interpolated from the frames.
#[derive(Debug, Clone)]
pub struct DosePlane {
    x0: f64,
    dx: f64,
    y0: f64,
    dy: f64,
    nx: usize,
    ny: usize,
    gy: Vec<f32>,
}

/// One line of dose at a given y within a plane.
#[derive(Debug, Clone, Default)]
pub struct DoseLine {
    x0: f64,
    dx: f64,
    gy: Vec<f32>,
}

/// Cubic convolution weights (Keys, a = −½) of p₀..p₃ at t ∈ [0, 1].
#[inline]
fn cubic_weights(t: f32) -> [f32; 4] {
    let (t2, t3) = (t * t, t * t * t);
    [-0.5 * t + t2 - 0.5 * t3, 1.0 - 2.5 * t2 + 1.5 * t3, 0.5 * t + 2.0 * t2 - 1.5 * t3, -0.5 * t2 + 0.5 * t3]
}

/// The nodes and weights interpolating at fractional index `f` of `n`
/// evenly spaced nodes (`f` within [0, n − 1]): four for a cubic, two at
/// the ends (linear).
#[inline]
fn stencil(f: f64, n: usize) -> ([usize; 4], [f32; 4]) {
    if n == 1 {
        return ([0; 4], [1.0, 0.0, 0.0, 0.0]);
    }
    let i = (f.max(0.0) as usize).min(n - 2);
    let t = ((f - i as f64) as f32).clamp(0.0, 1.0);
    if i == 0 || i + 2 >= n {
        ([i, i + 1, i + 1, i + 1], [1.0 - t, t, 0.0, 0.0])
    } else {
        ([i - 1, i, i + 1, i + 2], cubic_weights(t))
    }
}

impl DoseGrid {
    /// Build a grid from its parts (frames in increasing z).
    pub fn new(origin: (f64, f64), step: (f64, f64), size: (usize, usize), z: Vec<f64>, gy: Vec<f32>) -> DoseGrid {
        assert_eq!(gy.len(), size.0 * size.1 * z.len(), "grid size");
        DoseGrid { x0: origin.0, dx: step.0, y0: origin.1, dy: step.1, nx: size.0, ny: size.1, z, gy }
    }

    /// Read the grid of a dose object opened with its pixel data, whose
    /// file has transfer syntax `transfer_syntax`.
    pub fn read(data: &DataSet, transfer_syntax: &str) -> Result<DoseGrid, String> {
        check_transfer_syntax(transfer_syntax)?;
        let need = |v: Option<f64>, what: &str| v.ok_or_else(|| format!("the dose has no readable {what}"));
        let rows = need(number(data, tags::ROWS), "Rows")? as usize;
        let cols = need(number(data, tags::COLUMNS), "Columns")? as usize;
        let frames = number(data, tags::NUMBER_OF_FRAMES).unwrap_or(1.0) as usize;
        let bits = need(number(data, tags::BITS_ALLOCATED), "Bits Allocated")? as usize;
        let signed = number(data, tags::PIXEL_REPRESENTATION) == Some(1.0);
        let scaling = need(number(data, tags::DOSE_GRID_SCALING), "Dose Grid Scaling")?;
        let position = numbers(data, tags::IMAGE_POSITION_PATIENT).filter(|v| v.len() == 3);
        let position = position.ok_or("the dose has no readable Image Position (Patient)")?;
        let orientation = numbers(data, tags::IMAGE_ORIENTATION_PATIENT).filter(|v| v.len() == 6);
        let orientation = orientation.ok_or("the dose has no readable Image Orientation (Patient)")?;
        let spacing = numbers(data, tags::PIXEL_SPACING).filter(|v| v.len() == 2 && v[0] > 0.0 && v[1] > 0.0);
        let spacing = spacing.ok_or("the dose has no readable Pixel Spacing")?;
        let axis = |a: f64, b: f64, c: f64| -> Option<f64> {
            ((a.abs() - 1.0).abs() < 1e-4 && b.abs() < 1e-4 && c.abs() < 1e-4).then_some(a.signum())
        };
        let (Some(sx), Some(sy)) = (
            axis(orientation[0], orientation[1], orientation[2]),
            axis(orientation[4], orientation[3], orientation[5]),
        ) else {
            return Err(format!(
                "the dose grid is not axial (Image Orientation {:?}): only grids along the patient's axes are read",
                orientation
            ));
        };
        let sz = sx * sy; // the normal's z component
        let offsets = match numbers(data, tags::GRID_FRAME_OFFSET_VECTOR) {
            Some(v) => v,
            None if frames == 1 => vec![0.0],
            None => return Err("the dose has several frames but no Grid Frame Offset Vector".into()),
        };
        if offsets.len() != frames {
            return Err(format!("the Grid Frame Offset Vector has {} entries for {frames} frames", offsets.len()));
        }
        let absolute = offsets[0] != 0.0 && (offsets[0] - position[2]).abs() < 1e-3;
        let z_of = |o: f64| if absolute { o } else { position[2] + sz * o };
        if ![16, 32].contains(&bits) {
            return Err(format!("the dose has {bits} bits per value; 16 or 32 are read"));
        }
        let pixels = data.get(tags::PIXEL_DATA).ok_or("the dose has no Pixel Data")?;
        let bytes = pixels.to_bytes().map_err(|_| "the dose's Pixel Data is not a native grid".to_string())?;
        let n = rows * cols;
        let expected = n * frames * bits / 8;
        if bytes.len() < expected {
            return Err(format!(
                "the Pixel Data holds {} bytes; {rows} rows × {cols} columns × {frames} frames need {expected}",
                bytes.len()
            ));
        }
        let value = |k: usize| -> f64 {
            match (bits, signed) {
                (16, false) => u16::from_le_bytes([bytes[2 * k], bytes[2 * k + 1]]) as f64,
                (16, true) => i16::from_le_bytes([bytes[2 * k], bytes[2 * k + 1]]) as f64,
                (_, false) => u32::from_le_bytes(bytes[4 * k..4 * k + 4].try_into().unwrap()) as f64,
                (_, true) => i32::from_le_bytes(bytes[4 * k..4 * k + 4].try_into().unwrap()) as f64,
            }
        };
        let mut order: Vec<usize> = (0..frames).collect();
        order.sort_by(|&a, &b| z_of(offsets[a]).total_cmp(&z_of(offsets[b])));
        let z: Vec<f64> = order.iter().map(|&k| z_of(offsets[k])).collect();
        if z.windows(2).any(|w| w[1] - w[0] < 1e-6) {
            return Err("two dose frames at the same z".into());
        }
        let mut gy = Vec::with_capacity(n * frames);
        for &k in &order {
            gy.extend((k * n..(k + 1) * n).map(|p| (value(p) * scaling) as f32));
        }
        Ok(DoseGrid::new((position[0], position[1]), (sx * spacing[1], sy * spacing[0]), (cols, rows), z, gy))
    }

    /// The plane at `z`, interpolated between the frames about it, over
    /// the part of the grid that covers x in `xs` and y in `ys` (and the
    /// nodes the interpolation needs around it); `None` outside the grid's
    /// z range.
    pub fn plane(&self, z: f64, xs: (f64, f64), ys: (f64, f64)) -> Option<DosePlane> {
        let (first, last) = (self.z[0], *self.z.last()?);
        const EDGE: f64 = 1e-6;
        if z < first - EDGE || z > last + EDGE {
            return None;
        }
        let n = self.z.len();
        let above = self.z.partition_point(|&f| f < z).clamp(1.min(n - 1), n - 1);
        let below = above.saturating_sub(1);
        let f = if n == 1 { 0.0 } else { below as f64 + (z - self.z[below]) / (self.z[above] - self.z[below]) };
        let (mut nodes, mut weights) = stencil(f.clamp(0.0, (n - 1) as f64), n);
        let even = |k: usize| {
            let (a, b) = (self.z[k + 1] - self.z[k], self.z[1] - self.z[0]);
            (a - b).abs() < 1e-3 * b.abs()
        };
        if weights[2] != 0.0 && !(even(nodes[0]) && even(nodes[1]) && even(nodes[2])) {
            let t = (f - nodes[1] as f64) as f32;
            (nodes, weights) = ([nodes[1], nodes[2], nodes[2], nodes[2]], [1.0 - t, t, 0.0, 0.0]);
        }
        let span = |a: f64, b: f64, origin: f64, step: f64, n: usize| {
            let (fa, fb) = ((a - origin) / step, (b - origin) / step);
            let lo = (fa.min(fb).floor() - 2.0).clamp(0.0, (n - 1) as f64) as usize;
            let hi = (fa.max(fb).ceil() + 2.0).clamp(0.0, (n - 1) as f64) as usize;
            (lo, hi)
        };
        let (i0, i1) = span(xs.0, xs.1, self.x0, self.dx, self.nx);
        let (j0, j1) = span(ys.0, ys.1, self.y0, self.dy, self.ny);
        let (nx, ny) = (i1 - i0 + 1, j1 - j0 + 1);
        let size = self.nx * self.ny;
        let mut gy = vec![0.0f32; nx * ny];
        for (node, w) in nodes.iter().zip(weights) {
            if w == 0.0 {
                continue;
            }
            let frame = &self.gy[node * size..(node + 1) * size];
            for (j, out) in gy.chunks_exact_mut(nx).enumerate() {
                let row = &frame[(j0 + j) * self.nx + i0..(j0 + j) * self.nx + i1 + 1];
                out.iter_mut().zip(row).for_each(|(g, &v)| *g += w * v);
            }
        }
        Some(DosePlane {
            x0: self.x0 + i0 as f64 * self.dx,
            dx: self.dx,
            y0: self.y0 + j0 as f64 * self.dy,
            dy: self.dy,
            nx,
            ny,
            gy,
        })
    }

    /// Highest dose on the grid, Gy.
    pub fn max(&self) -> f32 {
        self.gy.iter().copied().fold(0.0, f32::max)
    }
}

impl DosePlane {
    /// The line at `y` into `line`; false when y is outside the grid.
    pub fn line(&self, y: f64, line: &mut DoseLine) -> bool {
        let f = (y - self.y0) / self.dy;
        const EDGE: f64 = 1e-9;
        if f < -EDGE || f > (self.ny - 1) as f64 + EDGE {
            return false;
        }
        let (rows, weights) = stencil(f, self.ny);
        line.x0 = self.x0;
        line.dx = self.dx;
        line.gy.clear();
        line.gy.resize(self.nx, 0.0);
        for (r, w) in rows.iter().zip(weights) {
            if w != 0.0 {
                let row = &self.gy[r * self.nx..(r + 1) * self.nx];
                line.gy.iter_mut().zip(row).for_each(|(g, &v)| *g += w * v);
            }
        }
        true
    }

    /// The dose at (x, y); `None` outside the grid.
    pub fn at(&self, x: f64, y: f64) -> Option<f32> {
        let mut line = DoseLine::default();
        self.line(y, &mut line).then(|| line.at(x)).flatten()
    }
}

impl DoseLine {
    /// The dose at `x`; `None` outside the grid.
    #[inline]
    pub fn at(&self, x: f64) -> Option<f32> {
        let n = self.gy.len();
        let f = (x - self.x0) / self.dx;
        const EDGE: f64 = 1e-9;
        if f < -EDGE || f > (n - 1) as f64 + EDGE {
            return None;
        }
        let (nodes, weights) = stencil(f, n);
        let v: f32 = nodes.iter().zip(weights).map(|(&k, w)| w * self.gy[k]).sum();
        Some(v.max(0.0))
    }
}

/// Whether a dose in transfer syntax `uid` can be read: only uncompressed
/// grids are; otherwise the reason.
pub fn check_transfer_syntax(uid: &str) -> Result<(), String> {
    if uid == object::IMPLICIT_LE || uid == object::EXPLICIT_LE {
        return Ok(());
    }
    use dicom_transfer_syntax_registry::TransferSyntaxIndex;
    let name = dicom_transfer_syntax_registry::TransferSyntaxRegistry
        .get(uid)
        .map(|t| t.name().to_string())
        .unwrap_or_else(|| "an unknown transfer syntax".into());
    Err(format!(
        "the dose grid is stored in {name} ({uid}); only uncompressed grids are read \
         (implicit or explicit VR little endian): export the dose uncompressed"
    ))
}
