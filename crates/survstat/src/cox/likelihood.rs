//! The Cox partial log-likelihood, its score vector and information matrix
//! in one reverse pass over the data (R survival's `coxfit6` iteration).
//!
//! Observations are sorted by stratum and decreasing time, so the risk set
//! `R(t) = {i : t_i >= t}` grows as the pass goes on, and the sums
//!
//! ```text
//! S0 = Σ_R r_i,   S1 = Σ_R r_i x_i,   S2 = Σ_R r_i x_i x_iᵀ,   r_i = exp(x_iᵀβ)
//! ```
//!
//! are updated once per observation: O(n p²) per evaluation. At a time with
//! `d` events (sums over the events `E0, E1, E2`), Efron's approximation
//! treats the tied events as `d` successive failures in which each of them
//! has a share `k/d` removed from the risk set, for `k = 0..d-1`:
//!
//! ```text
//! D_k = S0 - (k/d) E0,   m_k = (S1 - (k/d) E1) / D_k
//! ℓ  += Σ_events x_iᵀβ - Σ_k log D_k
//! U  += Σ_events x_i   - Σ_k m_k
//! I  += Σ_k [ (S2 - (k/d) E2) / D_k - m_k m_kᵀ ]
//! ```
//!
//! Breslow's approximation is the single term `k = 0` counted `d` times.

use super::Ties;

/// Data sorted once for repeated evaluation.
pub(crate) struct SortedData {
    pub p: usize,
    /// Covariates, row-major, in sorted order.
    pub x: Vec<f64>,
    pub time: Vec<f64>,
    pub event: Vec<bool>,
    /// `[start, end)` of each stratum in sorted order.
    pub strata: Vec<(usize, usize)>,
    /// Original index of each sorted row.
    pub order: Vec<usize>,
}

/// Log-likelihood, score and information at one β.
pub(crate) struct Evaluation {
    pub loglik: f64,
    pub score: Vec<f64>,
    /// p × p, row-major, full (symmetric).
    pub information: Vec<f64>,
}

/// One event time's terms of ℓ, U (the Schoenfeld residual sum) and I (upper triangle).
pub(crate) struct Contribution {
    pub loglik: f64,
    pub score: Vec<f64>,
    pub information: Vec<f64>,
}

/// One distinct event time's share of the risk set, for residuals:
/// Efron's `d` partial failures (Breslow: one, counted `d` times).
pub(crate) struct HazardPiece {
    /// Share of each event's unit count assigned to this piece (1/d or 1).
    pub event_share: f64,
    /// Hazard increment `w / D_k`.
    pub hazard: f64,
    /// Fraction `k/d` of each event's risk removed in this piece.
    pub downweight: f64,
    /// Risk-set mean `m_k`.
    pub mean: Vec<f64>,
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
        // Sort (stratum, time, index) records: contiguous keys, one gather of the rows after.
        let mut keys: Vec<(usize, f64, usize)> = (0..n).map(|i| (strata.map_or(0, |s| s[i]), time[i], i)).collect();
        keys.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)).then(a.2.cmp(&b.2)));
        let order: Vec<usize> = keys.iter().map(|k| k.2).collect();
        let mut xs = Vec::with_capacity(n * p);
        for &i in &order {
            xs.extend(x[i * p..(i + 1) * p].iter().zip(means.iter().zip(scale)).map(|(v, (m, s))| (v - m) * s));
        }
        let mut bounds = Vec::new();
        let mut start = 0;
        for k in 1..=n {
            if k == n || keys[k].0 != keys[start].0 {
                bounds.push((start, k));
                start = k;
            }
        }
        SortedData {
            p,
            x: xs,
            time: keys.iter().map(|k| k.1).collect(),
            event: order.iter().map(|&i| event[i]).collect(),
            strata: bounds,
            order,
        }
    }

    /// Linear predictors `x_iᵀβ` in sorted order.
    pub fn linear_predictor(&self, beta: &[f64]) -> Vec<f64> {
        let p = self.p;
        (0..self.time.len()).map(|i| self.x[i * p..(i + 1) * p].iter().zip(beta).map(|(a, b)| a * b).sum()).collect()
    }

    /// Visit every distinct event time in decreasing time order (within
    /// strata) with its contribution to ℓ, U and I (upper triangle of I).
    pub fn for_each_event_time(&self, beta: &[f64], ties: Ties, visit: impl FnMut(f64, &Contribution)) {
        let all: Vec<usize> = (0..self.p).collect();
        self.for_each_event_time_rows(beta, ties, &all, visit);
    }

    /// As [`Self::for_each_event_time`], computing the information only in
    /// the rows `rows` of its upper triangle (the O(p²) work a thread takes).
    fn for_each_event_time_rows(
        &self,
        beta: &[f64],
        ties: Ties,
        rows: &[usize],
        mut visit: impl FnMut(f64, &Contribution),
    ) {
        let p = self.p;
        let eta = self.linear_predictor(beta);
        let mut sums = RiskSums::new(p);
        let mut dead = RiskSums::new(p);
        let mut mean = vec![0.0; p];
        let mut c = Contribution { loglik: 0.0, score: vec![0.0; p], information: vec![0.0; p * p] };
        for &(start, end) in &self.strata {
            sums.clear();
            let mut i = start;
            while i < end {
                let t = self.time[i];
                dead.clear();
                let mut d = 0.0;
                c.loglik = 0.0;
                c.score.iter_mut().for_each(|v| *v = 0.0);
                while i < end && self.time[i] == t {
                    let r = eta[i].exp();
                    let row = &self.x[i * p..(i + 1) * p];
                    sums.add_with_square(r, row, rows);
                    if self.event[i] {
                        dead.add_with_square(r, row, rows);
                        d += 1.0;
                        c.loglik += eta[i];
                        for j in 0..p {
                            c.score[j] += row[j];
                        }
                    }
                    i += 1;
                }
                if d == 0.0 {
                    continue;
                }
                c.information.iter_mut().for_each(|v| *v = 0.0);
                let (n_pieces, weight) = match ties {
                    Ties::Efron => (d as usize, 1.0),
                    Ties::Breslow => (1, d),
                };
                for k in 0..n_pieces {
                    let f = if n_pieces > 1 { k as f64 / d } else { 0.0 };
                    let denom = sums.s0 - f * dead.s0;
                    c.loglik -= weight * denom.ln();
                    for j in 0..p {
                        mean[j] = (sums.s1[j] - f * dead.s1[j]) / denom;
                        c.score[j] -= weight * mean[j];
                    }
                    for &j in rows {
                        for l in j..p {
                            let s2 = sums.s2[j * p + l] - f * dead.s2[j * p + l];
                            c.information[j * p + l] += weight * (s2 / denom - mean[j] * mean[l]);
                        }
                    }
                }
                visit(t, &c);
            }
        }
    }

    /// ℓ(β), U(β) and I(β).
    ///
    /// For large problems the O(n p²) information work is split between
    /// threads by rows of the matrix (interleaved, so the triangle is
    /// shared evenly); every element is computed by one thread in the same
    /// order as the sequential pass, so the result does not depend on the
    /// number of threads.
    pub fn evaluate(&self, beta: &[f64], ties: Ties) -> Evaluation {
        let p = self.p;
        let threads = if self.time.len() * p * p >= 4_000_000 {
            std::thread::available_parallelism().map_or(1, |n| n.get())
        } else {
            1
        };
        self.evaluate_with_threads(beta, ties, threads)
    }

    /// [`Self::evaluate`] with the information's rows split over `threads` threads.
    pub fn evaluate_with_threads(&self, beta: &[f64], ties: Ties, threads: usize) -> Evaluation {
        let p = self.p;
        let threads = threads.clamp(1, p.max(1));
        let blocks: Vec<Vec<usize>> = (0..threads).map(|t| (t..p).step_by(threads).collect()).collect();
        let run = |rows: &[usize], with_score: bool| {
            let mut loglik = 0.0;
            let mut score = vec![0.0; p];
            let mut info = vec![0.0; p * p];
            self.for_each_event_time_rows(beta, ties, rows, |_, c| {
                if with_score {
                    loglik += c.loglik;
                    for j in 0..p {
                        score[j] += c.score[j];
                    }
                }
                for &j in rows {
                    for l in j..p {
                        info[j * p + l] += c.information[j * p + l];
                    }
                }
            });
            (loglik, score, info)
        };
        let mut parts: Vec<(f64, Vec<f64>, Vec<f64>)> = if threads > 1 {
            std::thread::scope(|scope| {
                let handles: Vec<_> =
                    blocks.iter().enumerate().map(|(t, rows)| scope.spawn(move || run(rows, t == 0))).collect();
                handles.into_iter().map(|h| h.join().expect("evaluation thread")).collect()
            })
        } else {
            vec![run(&blocks[0], true)]
        };
        let (loglik, score, mut info) = parts.remove(0);
        for (part, rows) in parts.iter().zip(&blocks[1..]) {
            for &j in rows {
                for l in j..p {
                    info[j * p + l] = part.2[j * p + l];
                }
            }
        }
        for j in 0..p {
            for l in 0..j {
                info[j * p + l] = info[l * p + j];
            }
        }
        Evaluation { loglik, score, information: info }
    }

    /// The hazard pieces of every event time, each with the sorted range
    /// `[start, end)` of the observations at that time.
    pub fn hazard_pieces(&self, beta: &[f64], ties: Ties) -> Vec<(usize, usize, Vec<HazardPiece>)> {
        let p = self.p;
        let eta = self.linear_predictor(beta);
        let mut out = Vec::new();
        let mut sums = RiskSums::new(p);
        let mut dead = RiskSums::new(p);
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
                    let row = &self.x[i * p..(i + 1) * p];
                    sums.add(r, row);
                    if self.event[i] {
                        dead.add(r, row);
                        d += 1.0;
                    }
                    i += 1;
                }
                if d == 0.0 {
                    continue;
                }
                let (n_pieces, weight) = match ties {
                    Ties::Efron => (d as usize, 1.0),
                    Ties::Breslow => (1, d),
                };
                let pieces = (0..n_pieces)
                    .map(|k| {
                        let f = if n_pieces > 1 { k as f64 / d } else { 0.0 };
                        let denom = sums.s0 - f * dead.s0;
                        let mean = (0..p).map(|j| (sums.s1[j] - f * dead.s1[j]) / denom).collect();
                        HazardPiece { event_share: weight / d, hazard: weight / denom, downweight: f, mean }
                    })
                    .collect();
                out.push((group_start, i, pieces));
            }
        }
        out
    }
}

/// Running sums over a set of observations: Σr, Σr x, and (upper triangle) Σr x xᵀ.
pub(crate) struct RiskSums {
    p: usize,
    pub s0: f64,
    pub s1: Vec<f64>,
    pub s2: Vec<f64>,
}

impl RiskSums {
    fn new(p: usize) -> RiskSums {
        RiskSums { p, s0: 0.0, s1: vec![0.0; p], s2: vec![0.0; p * p] }
    }

    fn clear(&mut self) {
        self.s0 = 0.0;
        self.s1.iter_mut().for_each(|v| *v = 0.0);
        self.s2.iter_mut().for_each(|v| *v = 0.0);
    }

    fn add(&mut self, r: f64, row: &[f64]) {
        self.s0 += r;
        for (s, x) in self.s1.iter_mut().zip(row) {
            *s += r * x;
        }
    }

    /// Add an observation, updating the squares only in the upper-triangle rows `rows`.
    fn add_with_square(&mut self, r: f64, row: &[f64], rows: &[usize]) {
        self.add(r, row);
        let p = self.p;
        for &j in rows {
            let rx = r * row[j];
            for l in j..p {
                self.s2[j * p + l] += rx * row[l];
            }
        }
    }
}
