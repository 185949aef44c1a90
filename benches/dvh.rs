//! Dose-volume figures of one structure on a planning-size dose grid
//! (issue 13: under 100 ms for a structure in a 256 × 256 × 150 grid).
//! Run with `cargo bench --bench dvh`.

use sbrt::dicom::dose::DoseGrid;
use sbrt::dicom::structures::Plane;
use sbrt::dosimetry::dvh::sample;

fn main() {
    divan::main();
}

/// A 256 × 256 × 150 grid at 2 × 2 × 2 mm holding a smooth dose peaked at
/// its centre (x, y from 0 to 510 mm, z from 0 to 298 mm).
fn grid() -> DoseGrid {
    let (nx, ny, nz) = (256usize, 256usize, 150usize);
    let mut gy = Vec::with_capacity(nx * ny * nz);
    for k in 0..nz {
        for j in 0..ny {
            for i in 0..nx {
                let r2 = ((i as f64 - 128.0).powi(2) + (j as f64 - 128.0).powi(2) + (k as f64 - 75.0).powi(2)) * 4.0;
                gy.push((30.0 * (-r2 / 800.0).exp()) as f32);
            }
        }
    }
    DoseGrid::new((0.0, 0.0), (2.0, 2.0), (nx, ny), (0..nz).map(|k| 2.0 * k as f64).collect(), gy)
}

/// A sphere of radius `r` mm at the grid's centre on 1.5 mm slices, 128-gons.
fn sphere(r: f64) -> Vec<Plane> {
    let (cx, cy, cz) = (256.0, 256.0, 150.0);
    let mut planes = Vec::new();
    let mut z = cz - r + 0.75;
    while z < cz + r {
        let rr = (r * r - (z - cz).powi(2)).max(0.0).sqrt();
        let c = (0..128)
            .map(|k| {
                let a = std::f64::consts::TAU * k as f64 / 128.0;
                [cx + rr * a.cos(), cy + rr * a.sin()]
            })
            .collect();
        planes.push(Plane { z, contours: vec![c] });
        z += 1.5;
    }
    planes
}

#[divan::bench(args = [0.1, 1.0, 30.0, 300.0])]
fn figures_of_a_sphere(bencher: divan::Bencher, cc: f64) {
    let g = grid();
    let planes = sphere((cc * 1000.0 * 3.0 / (4.0 * std::f64::consts::PI)).cbrt());
    bencher.bench(|| sample(&planes, &g).figures(Some(24.0)));
}
