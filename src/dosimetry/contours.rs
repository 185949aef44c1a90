//! The solid that a structure's planar contours stand for.
//!
//! **Planes and slabs.** A structure is drawn as closed polygons on
//! parallel planes (the CT slices). Each plane stands for the slab of
//! thickness t around it that reaches half-way to the planes either side;
//! the first and last planes reach as far beyond themselves as they do
//! inwards (a full slab, as if the slices went on). So a structure of n
//! planes a constant t apart is n·t thick, and
//!
//! V = Σₚ Aₚ tₚ
//!
//! with Aₚ the area enclosed on plane p. This is the convention of
//! dicompyler-core's DVH calculation (`get_dvh`: every plane a full slab of
//! the smallest plane spacing) and of most planning systems; dicompyler-core's
//! `CalculateStructureVolume` instead takes half slabs at the end planes
//! (and rounds their areas down to whole mm²), which makes a sphere of
//! 10 cc on 2 mm slices 9.3 cc (`docs/dicom.md`). A structure on a single
//! plane has no thickness and no volume.
//!
//! **Area and holes.** Aₚ is the area of the points enclosed by an odd
//! number of the plane's contours (the even-odd rule, as dicompyler-core's
//! XOR of masks): a contour inside another is a hole, a contour inside a
//! hole is an island. With non-crossing contours this is Σ ±|shoelace area|,
//! the sign alternating with the depth of nesting.
//!
//! **Inside.** [`crossings`] gives, along a line y = const, the x at which
//! the contours' edges cross it, sorted: by the even-odd rule the points
//! between the 1st and 2nd, 3rd and 4th, ... crossings are inside. An edge
//! counts when one end is at or below y and the other above (half-open), so
//! a line through a vertex is crossed once.

/// Area of a polygon (shoelace), mm², non-negative.
pub fn polygon_area(p: &[[f64; 2]]) -> f64 {
    let n = p.len();
    let twice: f64 = (0..n).map(|i| p[i][0] * p[(i + 1) % n][1] - p[(i + 1) % n][0] * p[i][1]).sum();
    twice.abs() / 2.0
}

/// Whether point `q` is inside polygon `p` (even-odd rule).
pub fn contains(p: &[[f64; 2]], q: [f64; 2]) -> bool {
    let mut inside = false;
    let n = p.len();
    for i in 0..n {
        let (a, b) = (p[i], p[(i + 1) % n]);
        if (a[1] <= q[1]) != (b[1] <= q[1]) {
            let x = a[0] + (q[1] - a[1]) / (b[1] - a[1]) * (b[0] - a[0]);
            if x > q[0] {
                inside = !inside;
            }
        }
    }
    inside
}

/// Area enclosed on one plane by the even-odd rule, mm²: each contour's
/// area, subtracted when an odd number of the others enclose it.
pub fn plane_area(contours: &[Vec<[f64; 2]>]) -> f64 {
    contours
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let depth = contours.iter().enumerate().filter(|&(j, o)| j != i && contains(o, c[0])).count();
            if depth % 2 == 0 {
                polygon_area(c)
            } else {
                -polygon_area(c)
            }
        })
        .sum::<f64>()
        .max(0.0)
}

/// Slab thickness of each plane at the given increasing z (mm): half-way
/// to each neighbour, the end planes mirrored; zero for a single plane.
pub fn slab_thickness(z: &[f64]) -> Vec<f64> {
    let n = z.len();
    (0..n)
        .map(|i| match (i.checked_sub(1).map(|k| z[i] - z[k]), z.get(i + 1).map(|&u| u - z[i])) {
            (Some(below), Some(above)) => (below + above) / 2.0,
            (Some(gap), None) | (None, Some(gap)) => gap,
            (None, None) => 0.0,
        })
        .collect()
}

/// The x where the contours' edges cross the line at `y`, sorted, into `out`.
pub fn crossings(contours: &[Vec<[f64; 2]>], y: f64, out: &mut Vec<f64>) {
    out.clear();
    for p in contours {
        let n = p.len();
        for i in 0..n {
            let (a, b) = (p[i], p[(i + 1) % n]);
            if (a[1] <= y) != (b[1] <= y) {
                out.push(a[0] + (y - a[1]) / (b[1] - a[1]) * (b[0] - a[0]));
            }
        }
    }
    out.sort_by(f64::total_cmp);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(x0: f64, y0: f64, side: f64) -> Vec<[f64; 2]> {
        vec![[x0, y0], [x0 + side, y0], [x0 + side, y0 + side], [x0, y0 + side]]
    }

    #[test]
    fn a_hole_is_subtracted_and_an_island_in_it_added_back() {
        let outer = square(0.0, 0.0, 10.0);
        let hole = square(2.0, 2.0, 6.0);
        let island = square(4.0, 4.0, 2.0);
        assert_eq!(plane_area(std::slice::from_ref(&outer)), 100.0);
        assert_eq!(plane_area(&[outer.clone(), hole.clone()]), 64.0);
        assert_eq!(plane_area(&[hole.clone(), outer.clone(), island]), 68.0);
        // two separate parts add
        assert_eq!(plane_area(&[outer, square(20.0, 0.0, 1.0)]), 101.0);
    }

    #[test]
    fn slabs_reach_half_way_to_each_neighbour() {
        assert_eq!(slab_thickness(&[0.0, 2.0, 4.0]), vec![2.0, 2.0, 2.0]);
        assert_eq!(slab_thickness(&[0.0, 1.0, 3.0]), vec![1.0, 1.5, 2.0]);
        assert_eq!(slab_thickness(&[5.0]), vec![0.0]);
    }

    #[test]
    fn a_line_through_a_vertex_crosses_once() {
        let diamond = vec![[0.0, -1.0], [1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]];
        let mut out = Vec::new();
        crossings(std::slice::from_ref(&diamond), 0.0, &mut out);
        assert_eq!(out, vec![-1.0, 1.0]);
        crossings(&[diamond], 0.5, &mut out);
        assert_eq!(out, vec![-0.5, 0.5]);
    }
}
