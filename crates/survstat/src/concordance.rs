//! Harrell's concordance for a risk score and its standard error, as R's
//! `coxph` reports it (`concordancefit(..., reverse = TRUE, timewt = "n")`).
//!
//! A pair (i, j) is comparable when i has an event at `t_i` and j is still
//! at risk after it: `t_j > t_i`, or `t_j = t_i` with j censored (within
//! the same stratum). The pair is concordant when the one who failed first
//! has the higher risk score, discordant when lower, and tied on x when
//! equal; pairs of events at the same time are not comparable. With `C`,
//! `D`, `T` the counts and `N = C + D + T`,
//!
//! ```text
//! concordance = (C + T/2) / N
//! ```
//!
//! Its variance is the infinitesimal-jackknife one survival 3.x uses: with
//! `C_i`, `D_i`, `T_i` the number of concordant, discordant and tied pairs
//! that observation i belongs to and `s = (C - D)/N` (Somers' d),
//!
//! ```text
//! dfbeta_i = (C_i - D_i)/N - s (C_i + D_i + T_i)/N,   var = Σ dfbeta_i² / 4,
//! ```
//!
//! where the dfbeta are first summed within clusters when a cluster is
//! given. All counts come from one pass in decreasing time with two
//! Fenwick trees over the ranks of the score (the risk set and the events
//! seen so far): O(n log n). A subject's pairs with later-processed events
//! are "events seen at the end minus events seen on entry".

/// Concordance estimate with its standard error and pair counts.
#[derive(Debug, Clone, PartialEq)]
pub struct Concordance {
    /// `(C + T/2) / N`.
    pub estimate: f64,
    /// Infinitesimal-jackknife standard error.
    pub se: f64,
    /// Concordant pairs.
    pub concordant: f64,
    /// Discordant pairs.
    pub discordant: f64,
    /// Comparable pairs tied on the score.
    pub tied_x: f64,
}

/// Fenwick (binary indexed) tree of counts by rank, with the plain counts
/// and the total kept beside it so that "below / equal / above" costs one
/// prefix query.
struct Fenwick {
    tree: Vec<f64>,
    count: Vec<f64>,
    total: f64,
}

impl Fenwick {
    fn new(n: usize) -> Fenwick {
        Fenwick { tree: vec![0.0; n + 1], count: vec![0.0; n], total: 0.0 }
    }

    fn add(&mut self, rank: usize, v: f64) {
        self.count[rank] += v;
        self.total += v;
        let mut i = rank + 1;
        while i < self.tree.len() {
            self.tree[i] += v;
            i += i & i.wrapping_neg();
        }
    }

    /// Sum of counts at ranks `< rank`.
    fn below(&self, rank: usize) -> f64 {
        let mut i = rank;
        let mut s = 0.0;
        while i > 0 {
            s += self.tree[i];
            i -= i & i.wrapping_neg();
        }
        s
    }

    /// (below, equal, above) the given rank.
    fn split(&self, rank: usize) -> (f64, f64, f64) {
        let below = self.below(rank);
        let equal = self.count[rank];
        (below, equal, self.total - below - equal)
    }
}

/// One observation as the pass needs it.
#[derive(Clone, Copy)]
struct Record {
    stratum: usize,
    time: f64,
    event: bool,
    rank: usize,
    index: usize,
}

/// Harrell's concordance of `score` (higher = earlier failure) with the
/// right-censored outcome, optionally within strata and with a
/// cluster-summed variance. Returns `None` when no pair is comparable.
pub fn concordance(
    time: &[f64],
    event: &[bool],
    score: &[f64],
    strata: Option<&[usize]>,
    cluster: Option<&[usize]>,
) -> Option<Concordance> {
    let n = time.len();
    // Ranks of the scores (ties share a rank), from one sort of (score, index).
    let mut by_score: Vec<(f64, usize)> = score.iter().copied().zip(0..n).collect();
    by_score.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    let mut rank = vec![0usize; n];
    let mut distinct = 0;
    for k in 0..n {
        if k > 0 && by_score[k].0 != by_score[k - 1].0 {
            distinct += 1;
        }
        rank[by_score[k].1] = distinct;
    }
    let n_ranks = if n == 0 { 0 } else { distinct + 1 };
    // Records by stratum, decreasing time, censored before events at a tied time.
    let mut records: Vec<Record> = (0..n)
        .map(|i| Record {
            stratum: strata.map_or(0, |s| s[i]),
            time: time[i],
            event: event[i],
            rank: rank[i],
            index: i,
        })
        .collect();
    records
        .sort_unstable_by(|a, b| a.stratum.cmp(&b.stratum).then(b.time.total_cmp(&a.time)).then(a.event.cmp(&b.event)));

    // Per-observation pair counts: concordant, discordant, tied on score.
    let mut ci = vec![0.0; n];
    let mut di = vec![0.0; n];
    let mut ti = vec![0.0; n];
    let (mut c, mut d, mut t) = (0.0, 0.0, 0.0);
    let mut start = 0;
    while start < n {
        let s = records[start].stratum;
        let end = start + records[start..].iter().take_while(|r| r.stratum == s).count();
        let mut risk = Fenwick::new(n_ranks);
        let mut events = Fenwick::new(n_ranks);
        // Entering the risk set: pairs with events seen so far are not this subject's.
        let enter =
            |r: &Record, risk: &mut Fenwick, events: &Fenwick, ci: &mut [f64], di: &mut [f64], ti: &mut [f64]| {
                let (below, equal, above) = events.split(r.rank);
                ci[r.index] -= above;
                di[r.index] -= below;
                ti[r.index] -= equal;
                risk.add(r.rank, 1.0);
            };
        let mut i = start;
        while i < end {
            let tm = records[i].time;
            let group_end = i + records[i..end].iter().take_while(|r| r.time == tm).count();
            let first_event = i + records[i..group_end].iter().take_while(|r| !r.event).count();
            for r in &records[i..first_event] {
                enter(r, &mut risk, &events, &mut ci, &mut di, &mut ti);
            }
            for r in &records[first_event..group_end] {
                let (below, equal, above) = risk.split(r.rank);
                ci[r.index] += below;
                di[r.index] += above;
                ti[r.index] += equal;
                c += below;
                d += above;
                t += equal;
            }
            for r in &records[first_event..group_end] {
                events.add(r.rank, 1.0);
            }
            for r in &records[first_event..group_end] {
                enter(r, &mut risk, &events, &mut ci, &mut di, &mut ti);
            }
            i = group_end;
        }
        for r in &records[start..end] {
            let (below, equal, above) = events.split(r.rank);
            ci[r.index] += above;
            di[r.index] += below;
            ti[r.index] += equal;
        }
        start = end;
    }
    let npair = c + d + t;
    if npair == 0.0 {
        return None;
    }
    let somers = (c - d) / npair;
    let dfbeta: Vec<f64> = (0..n).map(|i| (ci[i] - di[i]) / npair - somers * (ci[i] + di[i] + ti[i]) / npair).collect();
    let var = match cluster {
        None => dfbeta.iter().map(|v| v * v).sum::<f64>() / 4.0,
        Some(cl) => crate::cluster::sum_by_cluster(&dfbeta, cl).iter().map(|v| v * v).sum::<f64>() / 4.0,
    };
    Some(Concordance { estimate: (c + t / 2.0) / npair, se: var.sqrt(), concordant: c, discordant: d, tied_x: t })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// O(n²) count of the pairs, straight from the definition.
    fn brute(time: &[f64], event: &[bool], score: &[f64]) -> (f64, f64, f64) {
        let (mut c, mut d, mut t) = (0.0, 0.0, 0.0);
        for i in 0..time.len() {
            if !event[i] {
                continue;
            }
            for j in 0..time.len() {
                let comparable = time[j] > time[i] || (time[j] == time[i] && !event[j]);
                if !comparable {
                    continue;
                }
                if score[i] > score[j] {
                    c += 1.0
                } else if score[i] < score[j] {
                    d += 1.0
                } else {
                    t += 1.0
                }
            }
        }
        (c, d, t)
    }

    #[test]
    fn counts_match_the_definition() {
        let time = [1.0, 2.0, 2.0, 3.0, 3.0, 4.0, 5.0, 5.0];
        let event = [true, true, false, true, true, false, true, false];
        let score = [0.5, 0.2, 0.2, 0.9, 0.1, 0.3, 0.2, 0.7];
        let r = concordance(&time, &event, &score, None, None).unwrap();
        let (c, d, t) = brute(&time, &event, &score);
        assert_eq!((r.concordant, r.discordant, r.tied_x), (c, d, t));
        assert!((r.estimate - (c + t / 2.0) / (c + d + t)).abs() < 1e-15);
    }
}
