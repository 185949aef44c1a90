//! The Cox partial log-likelihood, its score vector and information matrix
//! (R survival's `coxfit6` iteration), in O(n p) sequential work plus one
//! weighted Gram matrix.
//!
//! Observations are sorted by stratum and decreasing time, so the risk set
//! `R(t) = {i : t_i >= t}` grows as the pass goes on, and with
//! `r_i = exp(x_iᵀβ)` the sums
//!
//! ```text
//! S0 = Σ_R r_i,   S1 = Σ_R r_i x_i,   S2 = Σ_R r_i x_i x_iᵀ
//! ```
//!
//! At a time with `d` events (sums over the events `E0, E1, E2`), Efron's
//! approximation treats the tied events as `d` successive failures in which
//! each of them has a share `f_k = k/d` removed from the risk set, for
//! `k = 0..d-1`:
//!
//! ```text
//! D_k = S0 - f_k E0,   m_k = (S1 - f_k E1) / D_k
//! ℓ  += Σ_events x_iᵀβ - Σ_k log D_k
//! U  += Σ_events x_i   - Σ_k m_k
//! I  += Σ_k [ (S2 - f_k E2) / D_k - m_k m_kᵀ ]
//! ```
//!
//! Breslow's approximation is the single term `k = 0` with weight `w = d`
//! (Efron: `w = 1` per piece).
//!
//! `coxfit6` updates S2 at every observation, `n p²/2` multiply-adds done
//! one observation after another. Exchanging the order of summation in the
//! S2 part of I gives the same quantity as one weighted Gram matrix:
//!
//! ```text
//! Σ_t Σ_k w (S2(t) - f_k E2(t)) / D_k  =  Σ_i a_i x_i x_iᵀ,
//! a_i = r_i (C(t_i) - [i is an event] G(t_i)),
//! H(t) = Σ_k w / D_k(t),   G(t) = Σ_k w f_k / D_k(t),   C(t) = Σ_{event times s <= t} H(s)
//! ```
//!
//! (C is the Breslow/Efron cumulative hazard at `t_i`; within a stratum).
//! So a pass in decreasing time over the risk scores alone (S0) gives the
//! logarithms of ℓ and the `H`, `G` of each event time; a backward walk
//! turns them into the `a_i`; and a second pass, over the covariates,
//! keeps only S1 (O(n p)), giving U and `Σ w m_k m_kᵀ`, and adds each tile's
//! share of the Gram sum while the tile is in cache:
//! `I = Σ_i a_i x_i x_iᵀ - Σ w m_k m_kᵀ`. Both passes are split into blocks of
//! rows fixed by n alone, run on any number of threads and added in block
//! order, so the result is the same for every thread count. Weighting each
//! event time's terms by `ψ(t)` (`H`, `G` and `m mᵀ` scaled by it) gives
//! `Σ_t ψ(t) I_t`, which `cox.zph`'s test needs for `ψ = g, g²`.
//!
//! Both passes go run by run of tied times. With continuous times nearly
//! every run is one row: a stretch of such rows within a tile of X is
//! taken row after row without looking for where each run ends (the same
//! arithmetic, so the same sums), and only the other rows are grouped
//! into runs.

use super::tiles::{GramBatch, Tiles, TILE};
use super::Ties;
use crate::parallel::{map_blocks, row_blocks, threads_for};
use crate::radix;
use std::ops::Range;

/// Data sorted once for repeated evaluation.
pub(crate) struct SortedData {
    pub p: usize,
    /// Covariates in sorted order.
    pub x: Tiles,
    pub time: Vec<f64>,
    pub event: Vec<bool>,
    /// `[start, end)` of each stratum in sorted order.
    pub strata: Vec<(usize, usize)>,
    /// Original index of each sorted row.
    pub order: Vec<usize>,
    /// Blocks of rows for the parallel passes; none splits a run of tied times.
    blocks: Vec<Range<usize>>,
}

/// Log-likelihood, score and information at one β.
pub(crate) struct Evaluation {
    pub loglik: f64,
    pub score: Vec<f64>,
    /// p × p, row-major, full (symmetric).
    pub information: Vec<f64>,
}

/// One event time of a block, from the pass over its risk scores: the
/// sums over Efron's pieces `k` (Breslow: one piece, weight `w = d`) that
/// the rest of the evaluation needs.
struct EventTime {
    /// The rows at this time, `[start, end)`.
    start: usize,
    end: usize,
    /// ψ(t).
    psi: f64,
    /// `H = Σ_k w / D_k`.
    hazard: f64,
    /// `G = Σ_k w f_k / D_k`.
    tied_hazard: f64,
    /// `q_j = Σ_k w f_kʲ / D_k²`, j = 0, 1, 2.
    q: [f64; 3],
}

/// One block's share of the pass in decreasing time over the risk scores
/// (S0 only, no covariates).
struct BlockHazards {
    /// `- Σ w log D_k` over the block's event times.
    loglik: f64,
    event_times: Vec<EventTime>,
    /// `Σ ψH` over the event times before the block's first stratum start.
    head_hazard: f64,
}

/// One block's share of the pass in decreasing time over the covariates.
struct BlockSums {
    /// ψ-weighted score.
    score: Vec<f64>,
    /// `Σ_t ψ(t) Σ_k w m_k m_kᵀ`, upper triangle.
    mean_outer: Vec<f64>,
    /// `Σ_i a_i x_i x_iᵀ` over the block's rows, upper triangle.
    gram: Vec<f64>,
}

/// The hazard of every event time, summed over its pieces (Efron's `d`
/// partial failures `k = 0..d-1`, each event counted `s_k = 1/d` in each
/// and left in its risk set with weight `1 - f_k`, `f_k = k/d`; Breslow's
/// one piece, counted `d` times), for residuals: with `λ_k = w / D_k` and
/// `m_k` the risk-set mean of piece k, the sums `Σ λ_k`, `Σ s_k`,
/// `Σ f_k λ_k` and the same weighted by `m_k`.
///
/// A time of one piece (a single event, or Breslow's rule) has one mean
/// `m`, and its three weighted sums are `λ m`, `s m` and `f λ m`: only `m`
/// is kept, p numbers instead of 3p. With continuous times nearly every
/// event time is such a time: at 1.7 million rows and 6 columns, the
/// cluster-robust refit of a million-patient analysis held 0.14 GB of
/// these sums, where the analysis reached its peak in the runs probed.
pub(crate) struct TimeHazards {
    p: usize,
    /// One per event time, in sorted order.
    pub times: Vec<TimeHazard>,
    /// Per event time from its `means_at`: `m` for a time of one piece,
    /// else `Σ λ_k m_k`, `Σ s_k m_k`, `Σ f_k λ_k m_k` (p each).
    means: Vec<f64>,
}

/// One event time's sums over its pieces (see [`TimeHazards`]).
pub(crate) struct TimeHazard {
    /// The first sorted row at this time.
    pub start: usize,
    /// `Σ λ_k`.
    pub hazard: f64,
    /// `Σ s_k`.
    pub share: f64,
    /// `Σ f_k λ_k`.
    pub downweighted: f64,
    /// Where its means start in [`TimeHazards`]'s.
    means_at: usize,
    /// Whether the time has one piece (one mean kept).
    one_piece: bool,
}

impl TimeHazards {
    /// Event time `t`'s `Σ λ_k m_k`, `Σ s_k m_k` and `Σ f_k λ_k m_k`, into
    /// the three slices (p each). For a time of one piece they are made
    /// from its mean as the sums over its one piece were: `0 + λ m`, …
    pub fn means_into(&self, t: usize, hazard: &mut [f64], share: &mut [f64], downweighted: &mut [f64]) {
        let (time, p) = (&self.times[t], self.p);
        let kept = &self.means[time.means_at..];
        if time.one_piece {
            for (j, &m) in kept[..p].iter().enumerate() {
                hazard[j] = 0.0 + time.hazard * m;
                share[j] = 0.0 + time.share * m;
                downweighted[j] = 0.0 + time.downweighted * m;
            }
        } else {
            hazard.copy_from_slice(&kept[..p]);
            share.copy_from_slice(&kept[p..2 * p]);
            downweighted.copy_from_slice(&kept[2 * p..3 * p]);
        }
    }
}

impl SortedData {
    pub fn new(time: &[f64], event: &[bool], x: &[f64], p: usize, strata: Option<&[usize]>) -> SortedData {
        SortedData::centred(time, event, x, p, strata, &vec![0.0; p], &vec![1.0; p])
    }

    /// As `new`, storing `(x - means) * scale` column by column: one copy of X, made in sorted order.
    pub fn centred(
        time: &[f64],
        event: &[bool],
        x: &[f64],
        p: usize,
        strata: Option<&[usize]>,
        means: &[f64],
        scale: &[f64],
    ) -> SortedData {
        let n = time.len();
        let sorted = radix::risk_set_order(time, strata);
        // One copy of X, gathered in sorted order (random reads: in parallel).
        let xs = Tiles::gather(x, p, &sorted.order, means, scale, threads_for(n * p));
        let mut data = SortedData {
            p,
            x: xs,
            event: sorted.order.iter().map(|&i| event[i]).collect(),
            time: sorted.time,
            strata: sorted.strata,
            order: sorted.order,
            blocks: Vec::new(),
        };
        data.blocks = row_blocks(n, |k| data.time[k] != data.time[k - 1] || data.is_stratum_start(k));
        data
    }

    /// Linear predictors `x_iᵀβ` in sorted order.
    pub fn linear_predictor(&self, beta: &[f64]) -> Vec<f64> {
        let mut eta = vec![0.0; self.time.len()];
        self.x.linear_predictors(beta, 0..self.time.len(), &mut eta);
        eta
    }

    /// ℓ(β), U(β) and I(β).
    pub fn evaluate(&self, beta: &[f64], ties: Ties) -> Evaluation {
        self.evaluate_weighted(beta, ties, |_| 1.0)
    }

    /// ℓ(β) with the score and information terms of each event time `t`
    /// weighted by `psi(t)`: `Σ_t ψ(t) U_t` and `Σ_t ψ(t) I_t` (the blocks of
    /// `cox.zph`'s test; `ψ ≡ 1` gives U and I). Threads as available for
    /// large problems; the result does not depend on their number.
    pub fn evaluate_weighted(&self, beta: &[f64], ties: Ties, psi: impl Fn(f64) -> f64 + Sync) -> Evaluation {
        self.evaluate_with_threads(beta, ties, psi, threads_for(self.time.len() * self.p * self.p))
    }

    /// [`Self::evaluate_weighted`] on `threads` threads, in five steps over
    /// the blocks of rows: (1) risk scores `r_i` and the block's risk-set
    /// sums, in parallel; (2) each block's starting S0, S1 from the blocks
    /// before it; (3) the pass in decreasing time over the risk scores
    /// within each block (S0, the logarithms and hazards of its event
    /// times), in parallel; (4) each block's cumulative hazard from the
    /// blocks after it; (5) the weights `a_i`, then the pass in decreasing
    /// time over the covariates (S1) with the Gram sum of each tile it has
    /// read, in parallel. X is read from memory twice, in steps 1 and 5.
    pub fn evaluate_with_threads(
        &self,
        beta: &[f64],
        ties: Ties,
        psi: impl Fn(f64) -> f64 + Sync,
        threads: usize,
    ) -> Evaluation {
        let p = self.p;
        let mut risk = vec![0.0; self.time.len()];
        let totals = map_blocks(&self.blocks, threads, &mut risk, |_, rows, risk| self.risk_scores(beta, rows, risk));
        let mut offsets = Vec::with_capacity(self.blocks.len());
        let mut carry = RiskSums::new(p);
        for (rows, (block_sums, _)) in self.blocks.iter().zip(&totals) {
            if self.is_stratum_start(rows.start) {
                carry.clear();
            }
            offsets.push(carry.clone());
            if self.stratum_starts_in(rows).next().is_some() {
                carry.clone_from(block_sums);
            } else {
                carry.s0 += block_sums.s0;
                carry.s1.iter_mut().zip(&block_sums.s1).for_each(|(c, v)| *c += v);
            }
        }
        let hazards = map_blocks(&self.blocks, threads, &mut [], |b, rows, _| {
            self.block_hazards(rows, offsets[b].s0, &risk, ties, &psi)
        });
        let mut after = vec![0.0; self.blocks.len()];
        let mut later = 0.0;
        for (b, rows) in self.blocks.iter().enumerate().rev() {
            after[b] = later;
            later = if self.is_stratum_start(rows.start) {
                0.0
            } else if self.stratum_starts_in(rows).any(|k| k > rows.start) {
                hazards[b].head_hazard
            } else {
                hazards[b].head_hazard + later
            };
        }
        let sums = map_blocks(&self.blocks, threads, &mut [], |b, rows, _| {
            self.block_sums(rows, &offsets[b].s1, &hazards[b].event_times, after[b], &risk)
        });
        let mut loglik = totals.iter().map(|t| t.1).sum::<f64>();
        let mut score = vec![0.0; p];
        let mut information = vec![0.0; p * p];
        for (block_hazards, block_sums) in hazards.iter().zip(&sums) {
            loglik += block_hazards.loglik;
            score.iter_mut().zip(&block_sums.score).for_each(|(s, v)| *s += v);
            for j in 0..p {
                for l in j..p {
                    information[j * p + l] += block_sums.gram[j * p + l] - block_sums.mean_outer[j * p + l];
                }
            }
        }
        for j in 0..p {
            for l in 0..j {
                information[j * p + l] = information[l * p + j];
            }
        }
        Evaluation { loglik, score, information }
    }

    fn is_stratum_start(&self, k: usize) -> bool {
        self.strata.binary_search_by_key(&k, |b| b.0).is_ok()
    }

    /// The stratum starts within `rows`, in order.
    fn stratum_starts_in(&self, rows: &Range<usize>) -> impl Iterator<Item = usize> + '_ {
        let first = self.strata.partition_point(|b| b.0 < rows.start);
        let end = rows.end;
        self.strata[first..].iter().map(|b| b.0).take_while(move |&k| k < end)
    }

    /// `r_i = exp(x_iᵀβ)` of `rows` into `risk`; returns the sums of r and
    /// r x over the rows from the block's last stratum start (or its first
    /// row), and `Σ_events x_iᵀβ`.
    fn risk_scores(&self, beta: &[f64], rows: Range<usize>, risk: &mut [f64]) -> (RiskSums, f64) {
        let last_start = self.stratum_starts_in(&rows).last().unwrap_or(rows.start);
        let mut sums = RiskSums::new(self.p);
        let mut event_eta = 0.0;
        // Tile by tile, so that the sums read the rows while they are in cache.
        let mut from = rows.start;
        while from < rows.end {
            let to = ((from / TILE + 1) * TILE).min(rows.end);
            let out = &mut risk[from - rows.start..to - rows.start];
            self.x.linear_predictors(beta, from..to, out);
            for (&e, r) in self.event[from..to].iter().zip(out.iter_mut()) {
                event_eta += if e { *r } else { 0.0 };
                *r = r.exp();
            }
            let tail = from.max(last_start);
            if tail < to {
                let weights = &risk[tail - rows.start..to - rows.start];
                sums.s0 += weights.iter().sum::<f64>();
                self.x.add_weighted_columns(tail..to, [weights], [&mut sums.s1]);
            }
            from = to;
        }
        (sums, event_eta)
    }

    /// The run of tied times of `rows` that starts at row `i` (it ends
    /// where a stratum starts).
    fn run_at(&self, i: usize, rows: &Range<usize>) -> Range<usize> {
        let segment_end = self.stratum_starts_in(&(i + 1..rows.end)).next().unwrap_or(rows.end);
        let mut end = i + 1;
        while end < segment_end && self.time[end] == self.time[i] {
            end += 1;
        }
        i..end
    }

    /// The end of the rows from `i` (a run's first row) to the end of its
    /// tile or of `rows` that are each a time of their own, with no
    /// stratum starting after `i` (continuous times: nearly every tile);
    /// `None` when there are fewer than two such rows. Such rows take the
    /// passes' straight-line paths, which do what the runs' general code
    /// does for runs of one row, with the same arithmetic.
    fn distinct_rows_end(&self, i: usize, rows: &Range<usize>) -> Option<usize> {
        let tile_end = ((i / TILE + 1) * TILE).min(rows.end);
        // Row k is a run of its own when its time differs from row k + 1's
        // (and from row k - 1's, as the rows before it are runs).
        let singles = self.time[i..tile_end].windows(2).take_while(|w| w[0] != w[1]).count();
        let mut end = i + singles;
        if end + 1 == tile_end && (tile_end == rows.end || self.time[tile_end] != self.time[end]) {
            end = tile_end;
        }
        if let Some(start) = self.stratum_starts_in(&(i + 1..end)).next() {
            end = start;
        }
        (end >= i + 2).then_some(end)
    }

    /// The pass in decreasing time over one block's risk scores, S0
    /// starting from `offset`: the `- Σ w log D_k` part of ℓ and each event
    /// time's hazards (`H`, `G`, `q_j`; see [`EventTime`]).
    fn block_hazards(
        &self,
        rows: Range<usize>,
        offset: f64,
        risk: &[f64],
        ties: Ties,
        psi: &(impl Fn(f64) -> f64 + Sync),
    ) -> BlockHazards {
        let event_rows = self.event[rows.clone()].iter().filter(|&&e| e).count();
        let mut out = BlockHazards { loglik: 0.0, event_times: Vec::with_capacity(event_rows), head_hazard: 0.0 };
        let mut s0 = offset;
        let mut in_head = true;
        let mut record = |time: EventTime, in_head: bool| {
            if in_head {
                out.head_hazard += time.psi * time.hazard;
            }
            out.event_times.push(time);
        };
        let mut loglik = 0.0;
        let mut i = rows.start;
        while i < rows.end {
            if i > rows.start && self.is_stratum_start(i) {
                s0 = 0.0;
                in_head = false;
            }
            if let Some(end) = self.distinct_rows_end(i, &rows) {
                for k in i..end {
                    s0 += risk[k];
                    if self.event[k] {
                        record(self.event_time(k..k + 1, s0, risk[k], pieces(ties, 1.0), psi, &mut loglik), in_head);
                    }
                }
                i = end;
                continue;
            }
            let run = self.run_at(i, &rows);
            i = run.end;
            let (total, e0, d) = self.run_risk(run.clone(), risk);
            s0 += total;
            if d > 0.0 {
                record(self.event_time(run, s0, e0, pieces(ties, d), psi, &mut loglik), in_head);
            }
        }
        out.loglik = loglik;
        out
    }

    /// The hazards of a run's events, from its risk set's S0 (the run
    /// included), the events' share E0 and Efron's or Breslow's pieces
    /// ([`pieces`]); adds its `- Σ w log D_k` to `loglik`.
    fn event_time(
        &self,
        run: Range<usize>,
        s0: f64,
        e0: f64,
        (n_pieces, w): (usize, f64),
        psi: &(impl Fn(f64) -> f64 + Sync),
        loglik: &mut f64,
    ) -> EventTime {
        let mut time = EventTime {
            start: run.start,
            end: run.end,
            psi: psi(self.time[run.start]),
            hazard: 0.0,
            tied_hazard: 0.0,
            q: [0.0; 3],
        };
        // One division per piece: f_k = k (1/d), w/D = w (1/D), w/D² = (w/D)(1/D)
        // (Efron: d pieces; Breslow: one, f = 0).
        let per_event = 1.0 / n_pieces as f64;
        for k in 0..n_pieces {
            let f = if n_pieces > 1 { k as f64 * per_event } else { 0.0 };
            let denom = s0 - f * e0;
            *loglik -= w * denom.ln();
            let inverse = 1.0 / denom;
            let h = w * inverse;
            let h_per_d = h * inverse;
            time.hazard += h;
            time.tied_hazard += h * f;
            time.q[0] += h_per_d;
            time.q[1] += h_per_d * f;
            time.q[2] += h_per_d * f * f;
        }
        time
    }

    /// S0's share of a run of tied times, E0 (its events' share) and the
    /// number of events d.
    fn run_risk(&self, run: Range<usize>, risk: &[f64]) -> (f64, f64, f64) {
        let (r, events) = (&risk[run.clone()], &self.event[run]);
        let total = r.iter().sum::<f64>();
        let e0 = events.iter().zip(r).map(|(&e, r)| if e { *r } else { 0.0 }).sum::<f64>();
        (total, e0, events.iter().filter(|&&e| e).count() as f64)
    }

    /// The pass in decreasing time over one block's covariates, S1 starting
    /// from `offset`: the ψ-weighted score and `Σ w m_k m_kᵀ`, and the Gram
    /// sum `Σ a_i x_i x_iᵀ` of each tile as soon as the pass has read it
    /// (so X is read from memory once here). Per event time, with the
    /// `q_j` of [`EventTime`], `Σ_k w m_k m_kᵀ = q_0 S1S1ᵀ - q_1 (S1E1ᵀ +
    /// E1S1ᵀ) + q_2 E1E1ᵀ` and `Σ_k w m_k = H S1 - G E1`: O(p²) per time,
    /// not per tied event. The `q_0 S1S1ᵀ` terms, one per event time (as
    /// many as the events when times are continuous), are gathered a tile
    /// at a time and added by the vectorised Gram kernel ([`GramBatch`]).
    fn block_sums(
        &self,
        rows: Range<usize>,
        offset: &[f64],
        event_times: &[EventTime],
        after: f64,
        risk: &[f64],
    ) -> BlockSums {
        let p = self.p;
        let mut out = BlockSums { score: vec![0.0; p], mean_outer: vec![0.0; p * p], gram: vec![0.0; p * p] };
        let mut weight = risk[rows.clone()].to_vec();
        self.gram_weights(rows.clone(), event_times, after, &mut weight);
        let mut s1 = offset.to_vec();
        let mut e1 = vec![0.0; p];
        let mut event_x = vec![0.0; p];
        let mut buffers = GroupBuffers::default();
        let mut batch = GramBatch::new(p);
        let mut times = event_times.iter();
        let mut gram_done = rows.start;
        let mut i = rows.start;
        while i < rows.end {
            if i > rows.start && self.is_stratum_start(i) {
                s1.iter_mut().for_each(|v| *v = 0.0);
            }
            if i.is_multiple_of(TILE) {
                self.x.prefetch_tile_after(i);
            }
            if let Some(end) = self.distinct_rows_end(i, &rows) {
                // Rows that are each a time of their own: the general code's
                // sums for runs of one row, without finding the runs.
                let row = &mut buffers.row;
                row.resize(p, 0.0);
                for k in i..end {
                    let r = risk[k];
                    self.x.row_into(k, row);
                    for (s, &v) in s1.iter_mut().zip(row.iter()) {
                        *s += r * v;
                    }
                    if self.event[k] {
                        let time = times.next().expect("an event time for each event row");
                        e1.iter_mut().zip(row.iter()).for_each(|(e, &v)| *e = r * v);
                        add_event_time(time, row, &s1, &e1, &mut batch, &mut out);
                    }
                }
                i = end;
            } else {
                let run = self.run_at(i, &rows);
                i = run.end;
                if self.add_run_covariates(run, risk, &mut s1, &mut e1, &mut event_x, &mut buffers) {
                    let time = times.next().expect("an event time for each run with events");
                    add_event_time(time, &event_x, &s1, &e1, &mut batch, &mut out);
                }
            }
            // The tiles finished so far, while they are in cache.
            let read = i / TILE * TILE;
            if read > gram_done {
                self.x.add_outer_products(gram_done..read, &weight[gram_done - rows.start..], &mut out.gram);
                gram_done = read;
            }
        }
        batch.flush(&mut out.mean_outer);
        self.x.add_outer_products(gram_done..rows.end, &weight[gram_done - rows.start..], &mut out.gram);
        out
    }

    /// Add the covariates of one run of tied times to the risk-set sums:
    /// `s1` gains all of its rows, `e1` (E1, replaced) and `event_x`
    /// (replaced) its events; returns whether it has any. Long runs go
    /// column by column (vectorised dot products), short ones row by row.
    fn add_run_covariates(
        &self,
        run: Range<usize>,
        risk: &[f64],
        s1: &mut [f64],
        e1: &mut [f64],
        event_x: &mut [f64],
        buffers: &mut GroupBuffers,
    ) -> bool {
        let p = self.p;
        if run.len() == 1 {
            // A time of its own (continuous times): one row, no buffers;
            // the same sums, bit for bit, as the general case.
            let (i, r) = (run.start, risk[run.start]);
            buffers.row.resize(p, 0.0);
            self.x.row_into(i, &mut buffers.row);
            for (s, &v) in s1.iter_mut().zip(&buffers.row) {
                *s += r * v;
            }
            if !self.event[i] {
                return false;
            }
            for j in 0..p {
                e1[j] = r * buffers.row[j];
                event_x[j] = buffers.row[j];
            }
            return true;
        }
        let r = &risk[run.clone()];
        let events = &self.event[run.clone()];
        if !events.contains(&true) {
            self.x.add_weighted_columns(run, [r], [s1]);
            return false;
        }
        e1.iter_mut().for_each(|v| *v = 0.0);
        event_x.iter_mut().for_each(|v| *v = 0.0);
        buffers.event.clear();
        buffers.event.extend(events.iter().map(|&e| if e { 1.0 } else { 0.0 }));
        buffers.event_risk.clear();
        buffers.event_risk.extend(buffers.event.iter().zip(r).map(|(e, r)| e * r));
        if run.len() >= 16 {
            self.x.add_weighted_columns(run, [r, &buffers.event_risk, &buffers.event], [s1, e1, event_x]);
        } else {
            buffers.row.resize(p, 0.0);
            for (k, i) in run.enumerate() {
                self.x.row_into(i, &mut buffers.row);
                for (j, &v) in buffers.row.iter().enumerate() {
                    s1[j] += r[k] * v;
                    e1[j] += buffers.event_risk[k] * v;
                    event_x[j] += buffers.event[k] * v;
                }
            }
        }
        true
    }

    /// Turn the risk scores of `rows` (in `a`) into the Gram weights
    /// `a_i = r_i (C(t_i) - [event] G(t_i))`, walking back from the block's
    /// end where the cumulative ψ-hazard of the later blocks is `after`.
    fn gram_weights(&self, rows: Range<usize>, event_times: &[EventTime], after: f64, a: &mut [f64]) {
        let base = rows.start;
        let mut cumulative = after;
        let mut pending = event_times.iter().rev().peekable();
        // The block's strata, last first; the hazard starts again at 0
        // before each stratum's first row.
        let mut segment_end = rows.end;
        let later_starts: Vec<usize> = self.stratum_starts_in(&rows).filter(|&k| k > rows.start).collect();
        for segment_start in later_starts.into_iter().rev().chain([rows.start]) {
            let mut i = segment_end;
            while let Some(time) = pending.next_if(|time| time.start >= segment_start) {
                a[time.end - base..i - base].iter_mut().for_each(|a| *a *= cumulative);
                cumulative += time.psi * time.hazard;
                let tied_hazard = time.psi * time.tied_hazard;
                for k in time.start..time.end {
                    let tied = if self.event[k] { tied_hazard } else { 0.0 };
                    a[k - base] *= cumulative - tied;
                }
                i = time.start;
            }
            a[segment_start - base..i - base].iter_mut().for_each(|a| *a *= cumulative);
            cumulative = 0.0;
            segment_end = segment_start;
        }
    }

    /// The hazard sums of every event time (see [`TimeHazards`]), in
    /// sorted order, at the linear predictors `eta` (sorted order).
    pub fn time_hazards(&self, eta: &[f64], ties: Ties) -> TimeHazards {
        let p = self.p;
        let mut out = TimeHazards { p, times: Vec::new(), means: Vec::new() };
        let mut sums = RiskSums::new(p);
        let mut dead = RiskSums::new(p);
        let mut row = vec![0.0; p];
        for &(start, end) in &self.strata {
            sums.clear();
            let mut i = start;
            while i < end {
                let t = self.time[i];
                let group_start = i;
                dead.clear();
                let mut d = 0.0;
                while i < end && self.time[i] == t {
                    let r = eta[i].exp();
                    self.x.row_into(i, &mut row);
                    sums.add(r, &row);
                    if self.event[i] {
                        dead.add(r, &row);
                        d += 1.0;
                    }
                    i += 1;
                }
                if d == 0.0 {
                    continue;
                }
                let (n_pieces, weight) = pieces(ties, d);
                let means_at = out.means.len();
                let mut time = TimeHazard {
                    start: group_start,
                    hazard: 0.0,
                    share: 0.0,
                    downweighted: 0.0,
                    means_at,
                    one_piece: n_pieces == 1,
                };
                if time.one_piece {
                    // The loop's expressions below at f = 0: every bit as there.
                    let denom = sums.s0 - 0.0 * dead.s0;
                    let hazard = weight / denom;
                    time.hazard += hazard;
                    time.share += weight / d;
                    time.downweighted += 0.0 * hazard;
                    out.means.extend(sums.s1.iter().zip(&dead.s1).map(|(s, e)| (s - 0.0 * e) / denom));
                    out.times.push(time);
                    continue;
                }
                out.means.resize(means_at + 3 * p, 0.0);
                let (hazard_mean, rest) = out.means[means_at..].split_at_mut(p);
                let (share_mean, downweighted_mean) = rest.split_at_mut(p);
                for k in 0..n_pieces {
                    let f = if n_pieces > 1 { k as f64 / d } else { 0.0 };
                    let denom = sums.s0 - f * dead.s0;
                    let (hazard, share) = (weight / denom, weight / d);
                    time.hazard += hazard;
                    time.share += share;
                    time.downweighted += f * hazard;
                    for j in 0..p {
                        let mean = (sums.s1[j] - f * dead.s1[j]) / denom;
                        hazard_mean[j] += hazard * mean;
                        share_mean[j] += share * mean;
                        downweighted_mean[j] += f * hazard * mean;
                    }
                }
                out.times.push(time);
            }
        }
        out
    }
}

/// The pieces of an event time with `d` events and the weight of each:
/// Efron's `d` partial failures of weight 1, or Breslow's one of weight `d`.
fn pieces(ties: Ties, d: f64) -> (usize, f64) {
    match ties {
        Ties::Efron => (d as usize, 1.0),
        Ties::Breslow => (1, d),
    }
}

/// One event time's terms of the pass over the covariates, the risk-set
/// sums S1 and the events' E1 and Σx taken after its run: the ψ-weighted
/// score `ψ (Σx - (H S1 - G E1))` and `ψ Σ_k w m_k m_kᵀ = ψ (q_0 S1S1ᵀ -
/// q_1 (S1E1ᵀ + E1S1ᵀ) + q_2 E1E1ᵀ)`, the first term through the batch.
fn add_event_time(
    time: &EventTime,
    event_x: &[f64],
    s1: &[f64],
    e1: &[f64],
    batch: &mut GramBatch,
    out: &mut BlockSums,
) {
    let p = s1.len();
    let psi = time.psi;
    for j in 0..p {
        out.score[j] += psi * (event_x[j] - (time.hazard * s1[j] - time.tied_hazard * e1[j]));
    }
    batch.push(s1, psi * time.q[0], &mut out.mean_outer);
    if time.q[1] != 0.0 {
        let (b, c) = (psi * time.q[1], psi * time.q[2]);
        for j in 0..p {
            let row = &mut out.mean_outer[j * p..(j + 1) * p];
            for l in j..p {
                row[l] += c * e1[j] * e1[l] - b * (s1[j] * e1[l] + e1[j] * s1[l]);
            }
        }
    }
}

/// Scratch space of [`SortedData::add_run_covariates`].
#[derive(Default)]
struct GroupBuffers {
    event: Vec<f64>,
    event_risk: Vec<f64>,
    row: Vec<f64>,
}

/// Running sums over a set of observations: Σr and Σr x.
#[derive(Clone)]
struct RiskSums {
    s0: f64,
    s1: Vec<f64>,
}

impl RiskSums {
    fn new(p: usize) -> RiskSums {
        RiskSums { s0: 0.0, s1: vec![0.0; p] }
    }

    fn clear(&mut self) {
        self.s0 = 0.0;
        self.s1.iter_mut().for_each(|v| *v = 0.0);
    }

    fn add(&mut self, r: f64, row: &[f64]) {
        self.s0 += r;
        for (s, x) in self.s1.iter_mut().zip(row) {
            *s += r * x;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 20,000 rows (several blocks), times on a coarse grid (heavy ties) and
    /// three strata of unequal sizes, one starting at a block boundary and
    /// one inside a block.
    fn problem() -> (Vec<f64>, Vec<bool>, Vec<f64>, Vec<usize>) {
        problem_with_times(|draw, _| (draw * 40.0).round() / 2.0 + 0.5)
    }

    /// As [`problem`], with continuous times (the straight-line paths for
    /// rows that are each a time of their own), a long run of ties at 5
    /// and pairs of tied rows scattered among them.
    fn continuous_problem() -> (Vec<f64>, Vec<bool>, Vec<f64>, Vec<usize>) {
        let mut previous = 1.0;
        problem_with_times(move |draw, i| {
            let t = match i % 53 {
                0 => 5.0,
                1 => previous,
                _ => draw * 20.0 + 0.5,
            };
            previous = t;
            t
        })
    }

    /// `time(draw, i)` makes row i's time from a uniform draw shrunk for
    /// the rows with the second covariate 1.
    fn problem_with_times(mut time_of: impl FnMut(f64, usize) -> f64) -> (Vec<f64>, Vec<bool>, Vec<f64>, Vec<usize>) {
        let n = 20_000;
        let mut state = 42u64;
        let mut uniform = move || {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let mut time = Vec::new();
        let mut event = Vec::new();
        let mut x = Vec::new();
        let mut strata = Vec::new();
        for i in 0..n {
            let row = [uniform() * 2.0 - 1.0, if uniform() < 0.4 { 1.0 } else { 0.0 }, uniform() * 3.0];
            time.push(time_of(uniform() * (1.0 - 0.3 * row[1]), i));
            event.push(uniform() < 0.7);
            x.extend(row);
            // Stratum 0 fills the first block exactly; stratum 2 starts inside one.
            strata.push(if i < 4096 {
                0
            } else if i % 3 == 0 {
                1
            } else {
                2
            });
        }
        (time, event, x, strata)
    }

    /// The information and score as `coxfit6` computes them: S2 updated at
    /// every observation, each event time's terms added as it is reached.
    fn direct(
        time: &[f64],
        event: &[bool],
        x: &[f64],
        strata: &[usize],
        beta: &[f64],
        ties: Ties,
        psi: impl Fn(f64) -> f64,
    ) -> Evaluation {
        let p = beta.len();
        let n = time.len();
        let mut idx: Vec<usize> = (0..n).collect();
        idx.sort_by(|&a, &b| strata[a].cmp(&strata[b]).then(time[b].total_cmp(&time[a])));
        let (mut loglik, mut score, mut info) = (0.0, vec![0.0; p], vec![0.0; p * p]);
        let mut k = 0;
        while k < n {
            let stratum = strata[idx[k]];
            let (mut s0, mut s1, mut s2) = (0.0, vec![0.0; p], vec![0.0; p * p]);
            while k < n && strata[idx[k]] == stratum {
                let t = time[idx[k]];
                let (mut e0, mut e1, mut e2, mut d) = (0.0, vec![0.0; p], vec![0.0; p * p], 0.0);
                while k < n && strata[idx[k]] == stratum && time[idx[k]] == t {
                    let i = idx[k];
                    let row = &x[i * p..(i + 1) * p];
                    let eta: f64 = row.iter().zip(beta).map(|(a, b)| a * b).sum();
                    let r = eta.exp();
                    s0 += r;
                    for j in 0..p {
                        s1[j] += r * row[j];
                        for l in 0..p {
                            s2[j * p + l] += r * row[j] * row[l];
                        }
                    }
                    if event[i] {
                        d += 1.0;
                        loglik += eta;
                        e0 += r;
                        for j in 0..p {
                            e1[j] += r * row[j];
                            score[j] += psi(t) * row[j];
                            for l in 0..p {
                                e2[j * p + l] += r * row[j] * row[l];
                            }
                        }
                    }
                    k += 1;
                }
                let (pieces, w) = match ties {
                    Ties::Efron => (d as usize, 1.0),
                    Ties::Breslow => (1, d),
                };
                for piece in 0..pieces {
                    let f = if pieces > 1 { piece as f64 / d } else { 0.0 };
                    let denom = s0 - f * e0;
                    loglik -= w * denom.ln();
                    let mean: Vec<f64> = (0..p).map(|j| (s1[j] - f * e1[j]) / denom).collect();
                    for j in 0..p {
                        score[j] -= psi(t) * w * mean[j];
                        for l in 0..p {
                            let v = (s2[j * p + l] - f * e2[j * p + l]) / denom - mean[j] * mean[l];
                            info[j * p + l] += psi(t) * w * v;
                        }
                    }
                }
            }
        }
        Evaluation { loglik, score, information: info }
    }

    fn close(a: f64, b: f64, scale: f64) -> bool {
        (a - b).abs() <= 1e-10 * scale
    }

    #[test]
    fn blocked_evaluation_equals_coxfit6_order_of_work() {
        for (time, event, x, strata) in [problem(), continuous_problem()] {
            check_against_coxfit6_order_of_work(&time, &event, &x, &strata);
        }
    }

    fn check_against_coxfit6_order_of_work(time: &[f64], event: &[bool], x: &[f64], strata: &[usize]) {
        let sorted = SortedData::new(time, event, x, 3, Some(strata));
        assert!(sorted.blocks.len() >= 4, "the test must span several blocks");
        let beta = [0.4, -0.7, 0.25];
        let psi = |t: f64| 1.0 + t / 10.0;
        for ties in [Ties::Efron, Ties::Breslow] {
            let want = direct(time, event, x, strata, &beta, ties, psi);
            let got = sorted.evaluate_with_threads(&beta, ties, psi, 2);
            assert!(close(got.loglik, want.loglik, want.loglik.abs()), "{ties:?}: {} vs {}", got.loglik, want.loglik);
            let info_scale = want.information.iter().fold(0.0f64, |m, v| m.max(v.abs()));
            for j in 0..3 {
                assert!(close(got.score[j], want.score[j], info_scale), "{ties:?} U{j}");
                for l in 0..3 {
                    let (g, w) = (got.information[j * 3 + l], want.information[j * 3 + l]);
                    assert!(close(g, w, info_scale), "{ties:?} I{j}{l}: {g} vs {w}");
                }
            }
        }
    }

    #[test]
    fn continuous_times_take_the_straight_line_path_and_ties_do_not() {
        let tiles_on_it = |(time, event, x, strata): (Vec<f64>, Vec<bool>, Vec<f64>, Vec<usize>)| {
            let sorted = SortedData::new(&time, &event, &x, 3, Some(&strata));
            let whole = 0..time.len();
            (0..time.len()).step_by(TILE).filter(|&i| sorted.distinct_rows_end(i, &whole).is_some()).count()
        };
        let tiles = 20_000usize.div_ceil(TILE);
        let continuous = tiles_on_it(continuous_problem());
        assert!(continuous > tiles / 2, "{continuous} of {tiles} tiles");
        assert_eq!(tiles_on_it(problem()), 0);
    }

    #[test]
    fn evaluation_does_not_depend_on_the_number_of_threads() {
        for (time, event, x, strata) in [problem(), continuous_problem()] {
            let sorted = SortedData::new(&time, &event, &x, 3, Some(&strata));
            let beta = [0.2, -0.1, 0.05];
            for ties in [Ties::Efron, Ties::Breslow] {
                let one = sorted.evaluate_with_threads(&beta, ties, |_| 1.0, 1);
                for threads in [2, 3, 4] {
                    let many = sorted.evaluate_with_threads(&beta, ties, |_| 1.0, threads);
                    assert_eq!(one.loglik.to_bits(), many.loglik.to_bits());
                    assert_eq!(one.score, many.score);
                    assert_eq!(one.information, many.information, "{threads} threads");
                }
            }
        }
    }
}
