//! Cox regression on counting-process data `(start, stop]` (R `coxph` with
//! `Surv(start, stop, event)`, survival's `agreg.fit`): time-dependent
//! covariates as several rows per subject, delayed entry.
//!
//! Row i is at risk at an event time `t` when `start_i < t <= stop_i`. The
//! partial likelihood, score and information are those of
//! [`super::likelihood`] over these risk sets (Efron or Breslow for ties):
//! at each event time, with `S0, S1, S2` over the rows at risk and
//! `E0, E1, E2` over its events, pieces `D_k = S0 − (k/d) E0` give
//!
//! ```text
//! ℓ += Σ_events η_i − Σ_k w log D_k,   U += Σ_events x_i − Σ_k w m_k,
//! I += Σ_k w [ (S2 − f_k E2)/D_k − m_k m_kᵀ ],   m_k = (S1 − f_k E1)/D_k.
//! ```
//!
//! The sums are kept by one sweep in decreasing time per stratum: a row
//! enters at its `stop` and leaves once the sweep reaches its `start`
//! (O(n p²) for the information; S2 is updated by adding and subtracting
//! outer products, on centred and scaled covariates as in the main fit).
//!
//! The score residual of row i is as in [`super::residuals`], its at-risk
//! part over the event times in `(start_i, stop_i]`:
//! `−r_i (x_i [Λ(stop_i) − Λ(start_i)] − [XΛ(stop_i) − XΛ(start_i)])`, with
//! an event's Efron share at `stop_i` as there; the robust variance and
//! dfbeta follow unchanged.
//!
//! **Case weights** (R `coxph(..., weights = w)`, survival's `book6`
//! hand-worked case for weighted Efron): every risk-set sum carries the
//! row's weight, `S0 = Σ w_i r_i`, `S1`, `S2`, `E0`, `E1`, `E2` alike; the
//! events contribute `Σ w_i η_i` and `Σ w_i x_i`; Breslow's piece weight is
//! the events' total weight and Efron's d pieces each weigh their mean
//! weight. Score residuals stay per unit weight (R's `residuals(type =
//! "score")`), and the robust variance sums `w_i × dfbeta_i` (R's
//! `weighted = TRUE`). A fit without weights is the special case `w = 1`,
//! and right-censored data with weights use this sweep with every start at
//! −∞.
//!
//! Concordance, as R's `concordancefit` for `(start, stop]` responses
//! (`timewt = "n"`, reverse): an event at `t` is compared with every other
//! row at risk at `t` — `start_j < t` and `stop_j > t`, or `stop_j = t` with
//! no event — concordant when the event's score is higher. Each row's
//! counts over the events met while it is at risk come from a sweep with
//! two Fenwick trees over score ranks (the rows at risk, the events seen):
//! a row's pairs with events are the events seen by its exit less those
//! seen by its entry. The infinitesimal-jackknife variance is then that of
//! [`crate::concordance`].

use super::likelihood::Evaluation;
use super::Ties;
use crate::concordance::Concordance;
use crate::linalg::Matrix;

/// Counting-process data, covariates centred and scaled (row-major).
pub(crate) struct CountingData {
    pub p: usize,
    x: Vec<f64>,
    weight: Vec<f64>,
    start: Vec<f64>,
    stop: Vec<f64>,
    event: Vec<bool>,
    /// Rows of each stratum, by decreasing stop and by decreasing start.
    strata: Vec<(Vec<usize>, Vec<usize>)>,
}

/// An event time of the sweep: its events, the risk-set sums `S0`, `S1`,
/// `S2` (empty unless asked for) and every row's risk score.
#[derive(Clone, Copy)]
struct EventTime<'a> {
    events: &'a [usize],
    s0: f64,
    s1: &'a [f64],
    s2: &'a [f64],
    risk: &'a [f64],
}

/// One piece of an event time's hazard (Efron: `d` of them).
struct Piece {
    /// The piece's weight `w` (Efron 1, Breslow d).
    weight: f64,
    /// Share of each event's count in this piece.
    event_share: f64,
    /// Hazard increment `w / D_k`.
    hazard: f64,
    /// `k/d`, the share of a dying row's risk removed in this piece.
    downweight: f64,
    /// Risk-set mean `m_k`.
    mean: Vec<f64>,
}

impl CountingData {
    #[allow(clippy::too_many_arguments)]
    /// Rows at risk on `(start, stop]`, or from −∞ without starts (the
    /// weighted right-censored case).
    pub fn new(
        start: Option<&[f64]>,
        stop: &[f64],
        event: &[bool],
        x: &Matrix,
        weights: Option<&[f64]>,
        strata: Option<&[usize]>,
        means: &[f64],
        scale: &[f64],
    ) -> CountingData {
        let n = stop.len();
        let p = x.ncol;
        let data = (0..n).flat_map(|i| (0..p).map(move |j| (i, j))).map(|(i, j)| (x.get(i, j) - means[j]) * scale[j]);
        let mut labels: Vec<usize> = strata.map_or_else(|| vec![0; n], |s| s.to_vec());
        let mut distinct = labels.clone();
        distinct.sort_unstable();
        distinct.dedup();
        labels.iter_mut().for_each(|l| *l = distinct.binary_search(l).expect("a label"));
        let mut groups: Vec<Vec<usize>> = vec![Vec::new(); distinct.len()];
        for (i, &l) in labels.iter().enumerate() {
            groups[l].push(i);
        }
        let strata = groups
            .into_iter()
            .map(|rows| {
                let mut by_stop = rows.clone();
                by_stop.sort_by(|&a, &b| stop[b].total_cmp(&stop[a]));
                let mut by_start = rows;
                if let Some(start) = start {
                    by_start.sort_by(|&a, &b| start[b].total_cmp(&start[a]));
                }
                (by_stop, by_start)
            })
            .collect();
        CountingData {
            p,
            x: data.collect(),
            weight: weights.map_or_else(|| vec![1.0; n], <[f64]>::to_vec),
            start: start.map_or_else(|| vec![f64::NEG_INFINITY; n], <[f64]>::to_vec),
            stop: stop.to_vec(),
            event: event.to_vec(),
            strata,
        }
    }

    fn row(&self, i: usize) -> &[f64] {
        &self.x[i * self.p..(i + 1) * self.p]
    }

    pub fn linear_predictor(&self, beta: &[f64]) -> Vec<f64> {
        (0..self.stop.len()).map(|i| self.row(i).iter().zip(beta).map(|(x, b)| x * b).sum()).collect()
    }

    /// Walk every event time of every stratum in decreasing time with the
    /// risk-set sums in place.
    fn sweep(&self, beta: &[f64], with_s2: bool, visit: &mut dyn FnMut(&EventTime)) {
        let p = self.p;
        let risk: Vec<f64> = self.linear_predictor(beta).iter().map(|e| e.exp()).collect();
        let mut events = Vec::new();
        for (by_stop, by_start) in &self.strata {
            let (mut s0, mut s1, mut s2) = (0.0, vec![0.0; p], vec![0.0; if with_s2 { p * p } else { 0 }]);
            let change = |i: usize, sign: f64, s0: &mut f64, s1: &mut [f64], s2: &mut [f64]| {
                let r = sign * self.weight[i] * risk[i];
                *s0 += r;
                let x = self.row(i);
                for a in 0..p {
                    s1[a] += r * x[a];
                    if with_s2 {
                        for b in 0..p {
                            s2[a * p + b] += r * x[a] * x[b];
                        }
                    }
                }
            };
            let (mut entered, mut left) = (0, 0);
            while entered < by_stop.len() {
                let t = self.stop[by_stop[entered]];
                events.clear();
                while entered < by_stop.len() && self.stop[by_stop[entered]] == t {
                    let i = by_stop[entered];
                    change(i, 1.0, &mut s0, &mut s1, &mut s2);
                    if self.event[i] {
                        events.push(i);
                    }
                    entered += 1;
                }
                while left < by_start.len() && self.start[by_start[left]] >= t {
                    change(by_start[left], -1.0, &mut s0, &mut s1, &mut s2);
                    left += 1;
                }
                if !events.is_empty() {
                    visit(&EventTime { events: &events, s0, s1: &s1, s2: &s2, risk: &risk });
                }
            }
        }
    }

    /// The pieces of one event time from its events and the risk-set sums.
    fn pieces(&self, events: &[usize], s0: f64, s1: &[f64], risk: &[f64], ties: Ties) -> Vec<Piece> {
        let p = self.p;
        let d = events.len();
        let e0: f64 = events.iter().map(|&i| self.weight[i] * risk[i]).sum();
        let mut e1 = vec![0.0; p];
        for &i in events {
            let wr = self.weight[i] * risk[i];
            e1.iter_mut().zip(self.row(i)).for_each(|(a, x)| *a += wr * x);
        }
        let total_weight: f64 = events.iter().map(|&i| self.weight[i]).sum();
        let (n_pieces, w, share) = match ties {
            Ties::Efron => (d, total_weight / d as f64, 1.0 / d as f64),
            Ties::Breslow => (1, total_weight, 1.0),
        };
        (0..n_pieces)
            .map(|k| {
                let f = if n_pieces > 1 { k as f64 / d as f64 } else { 0.0 };
                let denom = s0 - f * e0;
                Piece {
                    weight: w,
                    event_share: share,
                    hazard: w / denom,
                    downweight: f,
                    mean: (0..p).map(|j| (s1[j] - f * e1[j]) / denom).collect(),
                }
            })
            .collect()
    }

    /// The log-likelihood, score and information at `beta`, each event
    /// time's contribution to the score and information weighted by
    /// `psi(t)` (the blocks of the proportional-hazards test, [`super::zph`];
    /// `psi = 1` is the plain evaluation).
    pub fn evaluate_weighted(&self, beta: &[f64], ties: Ties, psi: impl Fn(f64) -> f64) -> Evaluation {
        let p = self.p;
        let eta = self.linear_predictor(beta);
        let mut loglik = 0.0;
        let mut score = vec![0.0; p];
        let mut information = vec![0.0; p * p];
        self.sweep(beta, true, &mut |at| {
            let EventTime { events, s0, s1, s2, risk } = *at;
            let g = psi(self.stop[events[0]]);
            let e0: f64 = events.iter().map(|&i| self.weight[i] * risk[i]).sum();
            let mut e2 = vec![0.0; p * p];
            for &i in events {
                let (w, wr) = (self.weight[i], self.weight[i] * risk[i]);
                loglik += w * eta[i];
                let x = self.row(i);
                for a in 0..p {
                    score[a] += g * w * x[a];
                    for b in 0..p {
                        e2[a * p + b] += wr * x[a] * x[b];
                    }
                }
            }
            for piece in self.pieces(events, s0, s1, risk, ties) {
                let (f, w) = (piece.downweight, piece.weight);
                loglik -= w * (s0 - f * e0).ln();
                for a in 0..p {
                    score[a] -= g * w * piece.mean[a];
                    for b in 0..p {
                        information[a * p + b] += g
                            * (piece.hazard * (s2[a * p + b] - f * e2[a * p + b]) - w * piece.mean[a] * piece.mean[b]);
                    }
                }
            }
        });
        Evaluation { loglik, score, information }
    }

    /// Score residuals (n × p, input order, scaled covariates) at `beta`.
    pub fn score_residuals(&self, beta: &[f64], ties: Ties) -> Matrix {
        let p = self.p;
        let n = self.stop.len();
        let eta = self.linear_predictor(beta);
        // Event times of each stratum with their pieces, in decreasing time.
        let mut times: Vec<Vec<(f64, Vec<Piece>)>> = Vec::new();
        let mut stratum_of = vec![0usize; n];
        for (s, (by_stop, _)) in self.strata.iter().enumerate() {
            by_stop.iter().for_each(|&i| stratum_of[i] = s);
        }
        let mut current = usize::MAX;
        self.sweep(beta, false, &mut |at| {
            let EventTime { events, s0, s1, risk, .. } = *at;
            let s = stratum_of[events[0]];
            if s != current {
                times.resize_with(s + 1, Vec::new);
                current = s;
            }
            times[s].push((self.stop[events[0]], self.pieces(events, s0, s1, risk, ties)));
        });
        times.resize_with(self.strata.len(), Vec::new);
        let mut out = Matrix::zeros(n, p);
        for (s, (by_stop, _)) in self.strata.iter().enumerate() {
            // Cumulative Λ and XΛ up to each event time, ascending.
            let mut ts: Vec<f64> = Vec::new();
            let mut cum: Vec<(f64, Vec<f64>)> = Vec::new();
            let (mut h, mut xh) = (0.0, vec![0.0; p]);
            for (t, pieces) in times[s].iter().rev() {
                for piece in pieces {
                    h += piece.hazard;
                    xh.iter_mut().zip(&piece.mean).for_each(|(a, m)| *a += piece.hazard * m);
                }
                ts.push(*t);
                cum.push((h, xh.clone()));
            }
            let zero = (0.0, vec![0.0; p]);
            let at = |t: f64| {
                let k = ts.partition_point(|&u| u <= t);
                if k == 0 {
                    &zero
                } else {
                    &cum[k - 1]
                }
            };
            let pieces_at = |t: f64| times[s].iter().find(|(u, _)| *u == t).map(|(_, p)| p);
            for &i in by_stop {
                let r = eta[i].exp();
                let x = self.row(i);
                let (hi, xhi) = at(self.stop[i]);
                let (lo, xlo) = at(self.start[i]);
                for j in 0..p {
                    *out.get_mut(i, j) = -r * (x[j] * (hi - lo) - (xhi[j] - xlo[j]));
                }
                if self.event[i] {
                    for piece in pieces_at(self.stop[i]).expect("an event time") {
                        let weight = piece.event_share + r * piece.downweight * piece.hazard;
                        for j in 0..p {
                            *out.get_mut(i, j) += weight * (x[j] - piece.mean[j]);
                        }
                    }
                }
            }
        }
        out
    }

    /// Harrell's concordance of `score` on the `(start, stop]` rows, with the
    /// infinitesimal-jackknife standard error (dfbeta summed by cluster).
    /// With case weights a pair counts `w_i w_j`, each row's pairs are
    /// counted by its partners' weights and its dfbeta is multiplied by its
    /// own weight (R `concordancefit`).
    pub fn concordance(&self, score: &[f64], cluster: Option<&[usize]>) -> Option<Concordance> {
        let n = score.len();
        let mut sorted: Vec<f64> = score.to_vec();
        sorted.sort_by(f64::total_cmp);
        sorted.dedup();
        let rank = |v: f64| sorted.partition_point(|&u| u < v);
        let m = sorted.len();
        // Per row: concordant, discordant, tied pairs it belongs to.
        let mut pairs = vec![[0.0f64; 3]; n];
        let (mut concordant, mut discordant, mut tied) = (0.0, 0.0, 0.0);
        for (by_stop, by_start) in &self.strata {
            let mut at_risk = Fenwick::new(m);
            let mut events_seen = Fenwick::new(m);
            // While a row is at risk: the events seen (below, equal, above
            // its rank) when it entered.
            let mut entry: Vec<Option<(f64, f64, f64)>> = vec![None; n];
            let counts = |f: &Fenwick, r: usize| {
                let below = f.prefix(r);
                let equal = f.prefix(r + 1) - below;
                (below, equal, f.total() - below - equal)
            };
            // A row leaving: its pairs with the events seen while it was at
            // risk (an event above it is concordant, one below discordant).
            let leave = |j: usize,
                         entry: &mut [Option<(f64, f64, f64)>],
                         at_risk: &mut Fenwick,
                         seen: &Fenwick,
                         pairs: &mut [[f64; 3]]| {
                if let Some((b0, e0, a0)) = entry[j].take() {
                    let (b, e, a) = counts(seen, rank(score[j]));
                    pairs[j][0] += a - a0;
                    pairs[j][1] += b - b0;
                    pairs[j][2] += e - e0;
                    at_risk.add(rank(score[j]), -self.weight[j]);
                }
            };
            let (mut entered, mut left) = (0, 0);
            while entered < by_stop.len() {
                let t = self.stop[by_stop[entered]];
                let group_end = entered + by_stop[entered..].iter().take_while(|&&i| self.stop[i] == t).count();
                let group = &by_stop[entered..group_end];
                while left < by_start.len() && self.start[by_start[left]] >= t {
                    leave(by_start[left], &mut entry, &mut at_risk, &events_seen, &mut pairs);
                    left += 1;
                }
                // Censored rows at t are compared with the events at t.
                for &j in group.iter().filter(|&&j| !self.event[j]) {
                    at_risk.add(rank(score[j]), self.weight[j]);
                    entry[j] = Some(counts(&events_seen, rank(score[j])));
                }
                for &i in group.iter().filter(|&&i| self.event[i]) {
                    let (below, equal, above) = counts(&at_risk, rank(score[i]));
                    pairs[i][0] += below;
                    pairs[i][1] += above;
                    pairs[i][2] += equal;
                    let w = self.weight[i];
                    concordant += w * below;
                    discordant += w * above;
                    tied += w * equal;
                }
                for &i in group.iter().filter(|&&i| self.event[i]) {
                    events_seen.add(rank(score[i]), self.weight[i]);
                }
                // Events at t join the risk sets of earlier times.
                for &i in group.iter().filter(|&&i| self.event[i]) {
                    at_risk.add(rank(score[i]), self.weight[i]);
                    entry[i] = Some(counts(&events_seen, rank(score[i])));
                }
                entered = group_end;
            }
            for &j in by_start {
                leave(j, &mut entry, &mut at_risk, &events_seen, &mut pairs);
            }
        }
        let pairs_of = |i: usize| pairs[i];
        crate::concordance::from_counts(
            concordant,
            discordant,
            tied,
            pairs.len(),
            pairs_of,
            Some(&self.weight),
            cluster,
        )
    }
}

/// A Fenwick tree of counts by rank.
struct Fenwick {
    tree: Vec<f64>,
    sum: f64,
}

impl Fenwick {
    fn new(n: usize) -> Fenwick {
        Fenwick { tree: vec![0.0; n + 1], sum: 0.0 }
    }

    fn add(&mut self, rank: usize, v: f64) {
        self.sum += v;
        let mut k = rank + 1;
        while k < self.tree.len() {
            self.tree[k] += v;
            k += k & k.wrapping_neg();
        }
    }

    /// Sum of the counts of ranks `< r`.
    fn prefix(&self, r: usize) -> f64 {
        let (mut k, mut s) = (r, 0.0);
        while k > 0 {
            s += self.tree[k];
            k -= k & k.wrapping_neg();
        }
        s
    }

    fn total(&self) -> f64 {
        self.sum
    }
}
