//! The covariate matrix as the likelihood's inner loops want it: rows in
//! sorted order, stored in tiles of [`TILE`] rows with each tile's columns
//! contiguous, and the kernels that read it a column at a time.
//!
//! The information's Gram part `Σ_i a_i x_i x_iᵀ` is, tile by tile, the
//! `p (p + 1) / 2` dot products `(a ⊙ x_j)ᵀ x_l` of columns 64 values long,
//! computed 2 × 4 at a time ([`gram_block`]): vectorised, the accumulators
//! in registers, and no transposition (the copy of X is laid out this way
//! once, when it is sorted). The linear predictors of a tile are
//! `Σ_j β_j x_j`, p vector updates; the risk-set sums `Σ_k w_k x_kj`, dot
//! products of the columns with weight vectors.
//!
//! Multiplies and adds are never fused, and 256-bit vectors are used where
//! the processor has them (found at run time), so the results are the same
//! bit for bit on any x86-64 processor and for any number of threads.

use crate::prefetch::prefetch;
use std::ops::Range;

/// Rows per tile: a tile of 10 columns (5 kB) stays in the L1 cache.
pub(crate) const TILE: usize = 64;

/// An n × p matrix stored tile by tile (the last tile padded with zeros),
/// in parts of at most [`PART_BYTES`] bytes.
pub(crate) struct Tiles {
    pub p: usize,
    /// Tiles per part (the last part may hold fewer).
    part_tiles: usize,
    parts: Vec<Vec<f64>>,
}

/// The most bytes of one part of [`Tiles`]. glibc serves a block of up to
/// 32 MB from its heap, where a program that keeps freed blocks (`sbrt`'s
/// commands that fit one model) uses its pages again once it is freed; a
/// larger block is mapped on its own, its pages fresh (zeroed by the kernel
/// at their first write) and given back when it is freed. In parts, the
/// sorted copy of X (80 MB at 10^6 × 10) leaves, once the fit is done,
/// pages that what comes after (the concordance's ranks and counts) finds.
const PART_BYTES: usize = 16 << 20;

/// A kernel method `$name` that runs `$portable` (an `#[inline(always)]`
/// method of the same arguments) compiled with 256-bit vectors (`$avx`,
/// AVX) where the processor has them, found at run time, and as it is
/// elsewhere.
macro_rules! vectorised {
    (
        $(#[$doc:meta])*
        pub fn $name:ident / $avx:ident / $portable:ident [$($generic:tt)*] ($($arg:ident: $ty:ty),* $(,)?)
    ) => {
        $(#[$doc])*
        pub fn $name<$($generic)*>(&self, $($arg: $ty),*) {
            #[cfg(target_arch = "x86_64")]
            if std::arch::is_x86_feature_detected!("avx") {
                // SAFETY: the processor has just been found to support AVX.
                unsafe { self.$avx($($arg),*) };
                return;
            }
            self.$portable($($arg),*)
        }

        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = "avx")]
        unsafe fn $avx<$($generic)*>(&self, $($arg: $ty),*) {
            self.$portable($($arg),*)
        }
    };
}

impl Tiles {
    /// Row i of the tiles is `(x[order[i]] - means) * scale`, from the
    /// row-major n × p `x`, on `threads` threads (each a share of every
    /// part). The rows are read in random order, so each is prefetched a
    /// few rows ahead: the memory latencies overlap instead of adding up.
    pub fn gather(x: &[f64], p: usize, order: &[usize], means: &[f64], scale: &[f64], threads: usize) -> Tiles {
        Tiles::gather_in_parts(x, p, order, means, scale, threads, Tiles::part_tiles(p))
    }

    /// [`Self::gather`] into parts of `part_tiles` tiles.
    fn gather_in_parts(
        x: &[f64],
        p: usize,
        order: &[usize],
        means: &[f64],
        scale: &[f64],
        threads: usize,
        part_tiles: usize,
    ) -> Tiles {
        const AHEAD: usize = 16;
        let n = order.len();
        let mut tiles = Tiles::zeros(p, n.div_ceil(TILE), part_tiles);
        if p == 0 {
            return tiles;
        }
        let tile_len = TILE * p;
        // Each part cut into one run of whole tiles per thread: (first tile, its values).
        let threads = threads.max(1);
        let mut shares: Vec<Vec<(usize, &mut [f64])>> = (0..threads).map(|_| Vec::new()).collect();
        for (k, part) in tiles.parts.iter_mut().enumerate() {
            let count = part.len() / tile_len;
            let mut rest = part.as_mut_slice();
            for (s, share) in shares.iter_mut().enumerate() {
                let (from, to) = (count * s / threads, count * (s + 1) / threads);
                let (head, tail) = std::mem::take(&mut rest).split_at_mut((to - from) * tile_len);
                share.push((k * tiles.part_tiles + from, head));
                rest = tail;
            }
        }
        crate::parallel::on_threads(shares, |share| {
            for (first_tile, out) in share {
                for (t, tile) in out.chunks_exact_mut(tile_len).enumerate() {
                    let first = (first_tile + t) * TILE;
                    for k in 0..TILE.min(n.saturating_sub(first)) {
                        if let Some(&ahead) = order.get(first + k + AHEAD) {
                            prefetch(&x[ahead * p..(ahead + 1) * p]);
                        }
                        let row = &x[order[first + k] * p..(order[first + k] + 1) * p];
                        for j in 0..p {
                            tile[j * TILE + k] = (row[j] - means[j]) * scale[j];
                        }
                    }
                }
            }
        });
        tiles
    }

    /// The tiles of p columns in a part of at most [`PART_BYTES`].
    fn part_tiles(p: usize) -> usize {
        (PART_BYTES / (TILE * p.max(1) * std::mem::size_of::<f64>())).max(1)
    }

    /// `count` tiles of p columns, all zero, in parts of `part_tiles` tiles.
    fn zeros(p: usize, count: usize, part_tiles: usize) -> Tiles {
        let parts = (0..count.div_ceil(part_tiles))
            .map(|k| vec![0.0; part_tiles.min(count - k * part_tiles) * TILE * p])
            .collect();
        Tiles { p, part_tiles, parts }
    }

    /// Tile `t`'s columns (`TILE` values each), or `None` past the last tile
    /// (with no columns, every tile is empty).
    fn tile(&self, t: usize) -> Option<&[f64]> {
        let len = TILE * self.p;
        if len == 0 {
            return Some(&[]);
        }
        let start = t % self.part_tiles * len;
        self.parts.get(t / self.part_tiles)?.get(start..start + len)
    }

    /// Row i into `out` (p values).
    pub fn row_into(&self, i: usize, out: &mut [f64]) {
        let tile = self.tile(i / TILE).expect("a tile for each row");
        for (j, v) in out.iter_mut().enumerate() {
            *v = tile[j * TILE + i % TILE];
        }
    }

    /// Start fetching into the cache the tile after the one holding row
    /// `i` (a pass in row order then finds it there).
    pub fn prefetch_tile_after(&self, i: usize) {
        if let Some(tile) = self.tile(i / TILE + 1) {
            prefetch(tile);
        }
    }

    /// The pieces of `rows` tile by tile: (first row, columns of the tile
    /// restricted to the piece, as `data[j*TILE + k]` for k in the range).
    fn pieces(&self, rows: Range<usize>) -> impl Iterator<Item = (usize, &[f64], Range<usize>)> {
        let mut i = rows.start;
        std::iter::from_fn(move || {
            (i < rows.end).then(|| {
                let tile = i / TILE;
                let within = i % TILE..(rows.end - tile * TILE).min(TILE);
                let first = i;
                i = tile * TILE + within.end;
                (first, self.tile(tile).expect("a tile for each row"), within)
            })
        })
    }

    vectorised! {
        /// `out[k] = x_{rows.start + k}ᵀβ` for the rows `rows`.
        pub fn linear_predictors / linear_predictors_avx / linear_predictors_portable [] (
            beta: &[f64], rows: Range<usize>, out: &mut [f64]
        )
    }

    #[inline(always)]
    fn linear_predictors_portable(&self, beta: &[f64], rows: Range<usize>, out: &mut [f64]) {
        let start = rows.start;
        for (first, tile, within) in self.pieces(rows) {
            let out = &mut out[first - start..first - start + within.len()];
            out.iter_mut().for_each(|v| *v = 0.0);
            for (j, b) in beta.iter().enumerate() {
                let column = &tile[j * TILE + within.start..j * TILE + within.end];
                for (o, x) in out.iter_mut().zip(column) {
                    *o += b * x;
                }
            }
        }
    }

    vectorised! {
        /// `out[m]_j += Σ_k w[m]_k x_{rows.start + k, j}` for the rows `rows` and
        /// each of the K weight vectors: the K sums read each column once.
        pub fn add_weighted_columns / add_weighted_columns_avx / add_weighted_columns_portable [const K: usize] (
            rows: Range<usize>, w: [&[f64]; K], out: [&mut [f64]; K]
        )
    }

    #[inline(always)]
    fn add_weighted_columns_portable<const K: usize>(&self, rows: Range<usize>, w: [&[f64]; K], out: [&mut [f64]; K]) {
        let start = rows.start;
        for (first, tile, within) in self.pieces(rows) {
            let offset = first - start..first - start + within.len();
            for j in 0..self.p {
                let column = &tile[j * TILE + within.start..j * TILE + within.end];
                for m in 0..K {
                    out[m][j] += dot::<16>(&w[m][offset.clone()], column);
                }
            }
        }
    }

    vectorised! {
        /// `acc += Σ_i a_i x_i x_iᵀ` (upper triangle, p × p row-major) over
        /// `rows`, with `a[k]` the weight of row `rows.start + k`.
        pub fn add_outer_products / add_outer_products_avx / add_outer_products_portable [] (
            rows: Range<usize>, a: &[f64], acc: &mut [f64]
        )
    }

    #[inline(always)]
    fn add_outer_products_portable(&self, rows: Range<usize>, a: &[f64], acc: &mut [f64]) {
        const ZERO: [f64; TILE] = [0.0; TILE];
        let p = self.p;
        let start = rows.start;
        let mut weighted = [[0.0; TILE]; 2];
        for (first, tile, within) in self.pieces(rows) {
            let m = within.len();
            let a = &a[first - start..first - start + m];
            let column =
                |j: usize| if j < p { &tile[j * TILE + within.start..j * TILE + within.end] } else { &ZERO[..m] };
            for j0 in (0..p).step_by(2) {
                for (w, j) in weighted.iter_mut().zip(j0..) {
                    for ((w, x), ai) in w.iter_mut().zip(column(j)).zip(a) {
                        *w = ai * x;
                    }
                }
                for l0 in (j0 / 4 * 4..p).step_by(4) {
                    let block = gram_block(&weighted, [column(l0), column(l0 + 1), column(l0 + 2), column(l0 + 3)], m);
                    for (j, row) in (j0..p).zip(block) {
                        for (l, value) in (l0..p).zip(row) {
                            if l >= j {
                                acc[j * p + l] += value;
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The 2 × 4 dot products `Σ_k w_a[k] x_b[k]` over the first `m` rows: the
/// Gram kernel's unit of work. Eight accumulators, each of four rows,
/// stay in registers, and each value loaded serves two or four products
/// (a dot product at a time loads two values for each). Each accumulator's
/// four lanes are added as `(l0 + l2) + (l1 + l3)`, then the rows past the
/// last multiple of four.
#[inline(always)]
fn gram_block(w: &[[f64; TILE]; 2], x: [&[f64]; 4], m: usize) -> [[f64; 4]; 2] {
    let full = m / LANES * LANES;
    let x = x.map(|column| &column[..m]);
    let lanes = gram_lanes(w, x, full);
    let mut out = [[0.0; 4]; 2];
    for a in 0..2 {
        for b in 0..4 {
            let lane = lanes[a][b];
            let tail: f64 = (full..m).map(|k| w[a][k] * x[b][k]).sum();
            out[a][b] = (lane[0] + lane[2]) + (lane[1] + lane[3]) + tail;
        }
    }
    out
}

/// Rows per accumulator of [`gram_block`].
const LANES: usize = 4;

/// The lane sums of [`gram_block`] over rows `0..full` (a multiple of
/// [`LANES`]): `acc[a][b][lane] = Σ_k w_a[4k + lane] x_b[4k + lane]`, with
/// 256-bit vectors where the processor has them. The two versions do the
/// same operations in the same order, so their results are identical.
#[inline(always)]
fn gram_lanes(w: &[[f64; TILE]; 2], x: [&[f64]; 4], full: usize) -> [[[f64; LANES]; 4]; 2] {
    assert!(full <= TILE && full.is_multiple_of(LANES) && x.iter().all(|column| column.len() >= full));
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx") {
        // SAFETY: the processor has just been found to support AVX, and
        // every load is inside `w` or a column (checked above).
        return unsafe { gram_lanes_avx(w, x, full) };
    }
    gram_lanes_portable(w, x, full)
}

#[inline(always)]
fn gram_lanes_portable(w: &[[f64; TILE]; 2], x: [&[f64]; 4], full: usize) -> [[[f64; LANES]; 4]; 2] {
    let mut acc = [[[0.0; LANES]; 4]; 2];
    for k in (0..full).step_by(LANES) {
        for (acc, w) in acc.iter_mut().zip(w) {
            for (acc, column) in acc.iter_mut().zip(&x) {
                for lane in 0..LANES {
                    acc[lane] += w[k + lane] * column[k + lane];
                }
            }
        }
    }
    acc
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
unsafe fn gram_lanes_avx(w: &[[f64; TILE]; 2], x: [&[f64]; 4], full: usize) -> [[[f64; LANES]; 4]; 2] {
    use std::arch::x86_64::{_mm256_add_pd, _mm256_loadu_pd, _mm256_mul_pd, _mm256_setzero_pd, _mm256_storeu_pd};
    let mut acc = [[_mm256_setzero_pd(); 4]; 2];
    for k in (0..full).step_by(LANES) {
        let w = [_mm256_loadu_pd(w[0].as_ptr().add(k)), _mm256_loadu_pd(w[1].as_ptr().add(k))];
        for (b, column) in x.iter().enumerate() {
            let xb = _mm256_loadu_pd(column.as_ptr().add(k));
            for a in 0..2 {
                acc[a][b] = _mm256_add_pd(acc[a][b], _mm256_mul_pd(w[a], xb));
            }
        }
    }
    let mut out = [[[0.0; LANES]; 4]; 2];
    for a in 0..2 {
        for b in 0..4 {
            _mm256_storeu_pd(out[a][b].as_mut_ptr(), acc[a][b]);
        }
    }
    out
}

/// Weighted vectors that arrive one at a time (the risk-set sums of event
/// times), added to a Gram sum `acc += Σ_k w_k v_k v_kᵀ` (upper triangle,
/// p × p row-major) a tile of [`TILE`] vectors at a time, by the vectorised
/// kernel of [`Tiles::add_outer_products`] instead of one scalar rank-one
/// update each.
pub(crate) struct GramBatch {
    tile: Tiles,
    weights: [f64; TILE],
    len: usize,
}

impl GramBatch {
    pub fn new(p: usize) -> GramBatch {
        GramBatch { tile: Tiles::zeros(p, 1, 1), weights: [0.0; TILE], len: 0 }
    }

    /// Add `w v vᵀ` (into `acc` when the tile is full).
    pub fn push(&mut self, v: &[f64], w: f64, acc: &mut [f64]) {
        let tile = &mut self.tile.parts[0];
        for (j, &value) in v.iter().enumerate() {
            tile[j * TILE + self.len] = value;
        }
        self.weights[self.len] = w;
        self.len += 1;
        if self.len == TILE {
            self.flush(acc);
        }
    }

    /// Add the vectors held into `acc`.
    pub fn flush(&mut self, acc: &mut [f64]) {
        if self.len > 0 {
            self.tile.add_outer_products(0..self.len, &self.weights[..self.len], acc);
            self.len = 0;
        }
    }
}

/// `aᵀb` with `LANES` interleaved partial sums (independent chains the
/// processor overlaps and vectorises), added pairwise at the end.
#[inline(always)]
pub(crate) fn dot<const LANES: usize>(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0; LANES];
    let mut chunks_a = a.chunks_exact(LANES);
    let mut chunks_b = b.chunks_exact(LANES);
    for (ca, cb) in (&mut chunks_a).zip(&mut chunks_b) {
        for k in 0..LANES {
            acc[k] += ca[k] * cb[k];
        }
    }
    // The remainder in a sum of its own: indexing `acc` by a run-time
    // position would keep the partial sums in memory instead of registers.
    let tail: f64 = chunks_a.remainder().iter().zip(chunks_b.remainder()).map(|(x, y)| x * y).sum();
    let mut width = LANES;
    while width > 1 {
        width /= 2;
        for k in 0..width {
            acc[k] += acc[k + width];
        }
    }
    acc[0] + tail
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_gram_kernel_gives_the_same_bits_with_and_without_256_bit_vectors() {
        let value = |k: usize| ((k * 7919) % 1013) as f64 / 97.0 - 5.0;
        let w = [std::array::from_fn(&value), std::array::from_fn(|k| value(k + 500))];
        let columns: Vec<Vec<f64>> = (0..4).map(|b| (0..TILE).map(|k| value(k * 3 + b * 1000)).collect()).collect();
        let x = [&columns[0][..], &columns[1][..], &columns[2][..], &columns[3][..]];
        let portable = gram_lanes_portable(&w, x, TILE - 4);
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx") {
            // SAFETY: the processor supports AVX; the loads stay inside `w` and the columns.
            assert_eq!(unsafe { gram_lanes_avx(&w, x, TILE - 4) }, portable);
        }
        for (a, w) in w.iter().enumerate() {
            for (b, column) in columns.iter().enumerate() {
                for lane in 0..LANES {
                    let direct: f64 = (0..TILE - 4).filter(|k| k % LANES == lane).map(|k| w[k] * column[k]).sum();
                    assert!((portable[a][b][lane] - direct).abs() < 1e-9 * direct.abs().max(1.0));
                }
            }
        }
    }

    #[test]
    fn kernels_agree_with_the_definitions() {
        // Tiles in one part, and in parts of one and of two tiles.
        for part_tiles in [Tiles::part_tiles(3), 1, 2] {
            kernels_agree_with_the_definitions_in_parts(part_tiles);
        }
    }

    fn kernels_agree_with_the_definitions_in_parts(part_tiles: usize) {
        let (n, p) = (150, 3);
        let value = |i: usize, j: usize| ((i * 7 + j * 13) % 11) as f64 / 4.0 - 1.0;
        let x: Vec<f64> = (0..n).flat_map(|i| (0..p).map(move |j| value(i, j))).collect();
        // Gathered in reverse order, then read back through the reversal.
        let order: Vec<usize> = (0..n).rev().collect();
        let reversed = Tiles::gather_in_parts(&x, p, &order, &[0.0; 3], &[1.0; 3], 2, part_tiles);
        let mut row = vec![0.0; p];
        reversed.row_into(n - 1 - 77, &mut row);
        assert_eq!(row, (0..p).map(|j| value(77, j)).collect::<Vec<_>>());
        let centred = Tiles::gather_in_parts(
            &x,
            p,
            &(0..n).collect::<Vec<_>>(),
            &[1.0, 0.0, 0.0],
            &[2.0, 1.0, 1.0],
            1,
            part_tiles,
        );
        centred.row_into(3, &mut row);
        assert_eq!(row[0], (value(3, 0) - 1.0) * 2.0);
        let tiles = Tiles::gather_in_parts(&x, p, &(0..n).collect::<Vec<_>>(), &[0.0; 3], &[1.0; 3], 2, part_tiles);
        tiles.row_into(77, &mut row);
        assert_eq!(row, (0..p).map(|j| value(77, j)).collect::<Vec<_>>());
        let rows = 5..140;
        let beta = [0.5, -1.0, 2.0];
        let mut eta = vec![0.0; rows.len()];
        tiles.linear_predictors(&beta, rows.clone(), &mut eta);
        let a: Vec<f64> = rows.clone().map(|i| 1.0 + i as f64 / 100.0).collect();
        let mut acc = vec![0.0; p * p];
        tiles.add_outer_products(rows.clone(), &a, &mut acc);
        for (k, i) in rows.clone().enumerate() {
            let direct: f64 = (0..p).map(|j| beta[j] * value(i, j)).sum();
            assert!((eta[k] - direct).abs() < 1e-12);
        }
        for j in 0..p {
            for l in j..p {
                let direct: f64 = rows.clone().zip(&a).map(|(i, w)| w * value(i, j) * value(i, l)).sum();
                assert!((acc[j * p + l] - direct).abs() < 1e-10 * direct.abs().max(1.0));
            }
        }
    }
}
