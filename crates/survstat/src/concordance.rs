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

/// Fenwick (binary indexed) tree of counts by rank.
struct Fenwick {
    tree: Vec<f64>,
}

impl Fenwick {
    fn new(n: usize) -> Fenwick {
        Fenwick { tree: vec![0.0; n + 1] }
    }

    fn add(&mut self, rank: usize, v: f64) {
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

    fn total(&self) -> f64 {
        self.below(self.tree.len() - 1)
    }

    /// (below, equal, above) the given rank.
    fn split(&self, rank: usize) -> (f64, f64, f64) {
        let below = self.below(rank);
        let through = self.below(rank + 1);
        (below, through - below, self.total() - through)
    }
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
    let mut distinct: Vec<f64> = score.to_vec();
    distinct.sort_by(f64::total_cmp);
    distinct.dedup();
    let rank: Vec<usize> = score.iter().map(|s| distinct.partition_point(|d| d < s)).collect();
    let stratum = |i: usize| strata.map_or(0, |s| s[i]);
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| stratum(a).cmp(&stratum(b)).then(time[b].total_cmp(&time[a])).then(event[a].cmp(&event[b])));

    // Per-observation pair counts: concordant, discordant, tied on score.
    let mut ci = vec![0.0; n];
    let mut di = vec![0.0; n];
    let mut ti = vec![0.0; n];
    let (mut c, mut d, mut t) = (0.0, 0.0, 0.0);
    let mut start = 0;
    while start < n {
        let s = stratum(order[start]);
        let end = start + order[start..].iter().take_while(|&&i| stratum(i) == s).count();
        let mut risk = Fenwick::new(distinct.len());
        let mut events = Fenwick::new(distinct.len());
        let enter =
            |obs: usize, risk: &mut Fenwick, events: &Fenwick, ci: &mut [f64], di: &mut [f64], ti: &mut [f64]| {
                let (below, equal, above) = events.split(rank[obs]);
                ci[obs] -= above;
                di[obs] -= below;
                ti[obs] -= equal;
                risk.add(rank[obs], 1.0);
            };
        let mut i = start;
        while i < end {
            let tm = time[order[i]];
            let group_end = i + order[i..end].iter().take_while(|&&k| time[k] == tm).count();
            let first_event = i + order[i..group_end].iter().take_while(|&&k| !event[k]).count();
            for &obs in &order[i..first_event] {
                enter(obs, &mut risk, &events, &mut ci, &mut di, &mut ti);
            }
            for &obs in &order[first_event..group_end] {
                let (below, equal, above) = risk.split(rank[obs]);
                ci[obs] += below;
                di[obs] += above;
                ti[obs] += equal;
                c += below;
                d += above;
                t += equal;
            }
            for &obs in &order[first_event..group_end] {
                events.add(rank[obs], 1.0);
            }
            for &obs in &order[first_event..group_end] {
                enter(obs, &mut risk, &events, &mut ci, &mut di, &mut ti);
            }
            i = group_end;
        }
        for &obs in &order[start..end] {
            let (below, equal, above) = events.split(rank[obs]);
            ci[obs] += above;
            di[obs] += below;
            ti[obs] += equal;
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
