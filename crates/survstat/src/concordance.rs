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
//! given. All counts come from passes in decreasing time over counts by
//! score rank (the risk set, and the events seen so far): O(n log n). A
//! subject's pairs with later-processed events are "events seen at the end
//! minus events seen on entry". The two sets of counts are independent, so
//! large inputs walk them on two threads; the counts are integers, so the
//! result is exact either way. A Cox fit passes its own sorted order
//! (`concordance_sorted`) instead of sorting again.

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

use crate::radix;
use std::ops::Range;

/// A per-rank count: the narrowest unsigned type that holds the largest
/// number of tied scores, so the counts of ten million distinct scores
/// (10 MB as bytes) stay in the processor's cache.
trait Count: Copy + Default + Send {
    fn get(self) -> u64;
    fn up(&mut self);
    fn down(&mut self);
    /// The sum of the counts of fewer than [`BLOCK`] ranks.
    fn sum_within_block(counts: &[Self]) -> u64;
}

macro_rules! count {
    ($($t:ty => $sum:ty),*) => {$(
        impl Count for $t {
            fn get(self) -> u64 {
                self as u64
            }
            /// Added in an integer wide enough for `BLOCK` of the largest
            /// count (so it cannot overflow) but no wider, so that the sum
            /// runs on vector lanes.
            fn sum_within_block(counts: &[Self]) -> u64 {
                counts.iter().map(|&c| c as $sum).sum::<$sum>() as u64
            }
            fn up(&mut self) {
                *self += 1;
            }
            fn down(&mut self) {
                *self -= 1;
            }
        }
    )*};
}
count!(u8 => u32, u16 => u32, u32 => u64, u64 => u64);

/// Counts of observations by score rank, answering "how many below, equal,
/// above this rank" in O(log n): a Fenwick (binary indexed) tree over
/// blocks of 64 ranks (small enough to stay in the processor's cache) and
/// a scan of the plain counts within the block. Counts are whole numbers,
/// so every sum is exact.
struct RankCounts<C> {
    count: Vec<C>,
    tree: Vec<u64>,
    total: u64,
}

const BLOCK: usize = 64;

impl<C: Count> RankCounts<C> {
    fn new(n: usize) -> RankCounts<C> {
        RankCounts { count: vec![C::default(); n], tree: vec![0; n.div_ceil(BLOCK) + 1], total: 0 }
    }

    fn add(&mut self, rank: usize) {
        self.count[rank].up();
        self.total += 1;
        let mut i = rank / BLOCK + 1;
        while i < self.tree.len() {
            self.tree[i] += 1;
            i += i & i.wrapping_neg();
        }
    }

    /// Undo an [`Self::add`] (to reuse the counts for the next stratum).
    fn remove(&mut self, rank: usize) {
        self.count[rank].down();
        self.total -= 1;
        let mut i = rank / BLOCK + 1;
        while i < self.tree.len() {
            self.tree[i] -= 1;
            i += i & i.wrapping_neg();
        }
    }

    /// Start loading what [`Self::split`] and [`Self::add`] of `rank` will read first.
    fn prefetch(&self, rank: usize) {
        let block = rank / BLOCK * BLOCK;
        crate::prefetch::prefetch(&self.count[block..(block + BLOCK).min(self.count.len())]);
    }

    /// Every rank's count of observations below it, in one pass over the
    /// counts: [`Self::split`] of each rank, for when most ranks are asked.
    fn all_below(&self) -> Vec<u64> {
        let mut below = 0;
        self.count
            .iter()
            .map(|c| {
                let before = below;
                below += c.get();
                before
            })
            .collect()
    }

    /// (below, equal, above) the given rank.
    fn split(&self, rank: usize) -> [u64; 3] {
        let block = rank / BLOCK;
        let mut below = C::sum_within_block(&self.count[block * BLOCK..rank]);
        let mut i = block;
        while i > 0 {
            below += self.tree[i];
            i -= i & i.wrapping_neg();
        }
        let equal = self.count[rank].get();
        [below, equal, self.total - below - equal]
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
    let sorted = radix::risk_set_order(time, strata);
    let event: Vec<bool> = sorted.order.iter().map(|&i| event[i]).collect();
    let score: Vec<f64> = sorted.order.iter().map(|&i| score[i]).collect();
    let cluster: Option<Vec<usize>> = cluster.map(|c| sorted.order.iter().map(|&i| c[i]).collect());
    concordance_sorted(&sorted.time, &event, &sorted.strata, &score, cluster.as_deref())
}

/// [`concordance`] of observations already in stratum order and decreasing
/// time within strata (`[start, end)` of each stratum in `strata`).
pub(crate) fn concordance_sorted(
    time: &[f64],
    event: &[bool],
    strata: &[(usize, usize)],
    score: &[f64],
    cluster: Option<&[usize]>,
) -> Option<Concordance> {
    let n = time.len();
    // Ranks of the scores (ties share a rank), from one sort of (score, position).
    let mut by_score: Vec<(f64, usize)> = score.iter().copied().zip(0..n).collect();
    radix::sort_by_key(&mut by_score, |r| radix::ascending(r.0));
    let mut rank = vec![0usize; n];
    let mut distinct = 0;
    let (mut run, mut most_tied) = (0usize, 0usize);
    for k in 0..n {
        if k > 0 && by_score[k].0 != by_score[k - 1].0 {
            distinct += 1;
            run = 0;
        }
        run += 1;
        most_tied = most_tied.max(run);
        rank[by_score[k].1] = distinct;
    }
    drop(by_score);
    let n_ranks = if n == 0 { 0 } else { distinct + 1 };
    let walk = Walk { time, event, strata, rank: &rank, n_ranks };
    let (at_events, later) = if most_tied <= u8::MAX as usize {
        walk.both::<u8>()
    } else if most_tied <= u16::MAX as usize {
        walk.both::<u16>()
    } else if most_tied <= u32::MAX as usize {
        walk.both::<u32>()
    } else {
        walk.both::<u64>()
    };
    let [c, t, d] = at_events.totals.map(|v| v as f64);
    // Each observation's pairs: as the event of the pair, and as the later member.
    let pairs_of = |i: usize| {
        let (own, as_later) = (at_events.per_row[i], later[i]);
        [0, 2, 1].map(|k| (own[k] + as_later[k]) as f64)
    };
    from_counts(c, d, t, n, pairs_of, None, cluster)
}

/// The estimate and its infinitesimal-jackknife standard error from the
/// pair counts in all (`c`, `d`, `t`) and per observation (`pairs_of(i)`:
/// observation i's concordant, discordant and tied pairs, as either member
/// of a pair, counted by the partners' case weights, for each of the n
/// observations); with case weights each dfbeta is multiplied by its
/// observation's weight (R `concordancefit`); `None` without comparable pairs.
pub(crate) fn from_counts(
    c: f64,
    d: f64,
    t: f64,
    n: usize,
    pairs_of: impl Fn(usize) -> [f64; 3],
    weights: Option<&[f64]>,
    cluster: Option<&[usize]>,
) -> Option<Concordance> {
    let npair = c + d + t;
    if npair == 0.0 {
        return None;
    }
    let somers = (c - d) / npair;
    let dfbeta = |i: usize| {
        let [c_i, d_i, t_i] = pairs_of(i);
        let w = weights.map_or(1.0, |w| w[i]);
        w * ((c_i - d_i) / npair - somers * (c_i + d_i + t_i) / npair)
    };
    let var = match cluster {
        None => (0..n).map(dfbeta).map(|v| v * v).sum::<f64>() / 4.0,
        Some(cl) => {
            let per_cluster = crate::cluster::sum_by_cluster(&(0..n).map(dfbeta).collect::<Vec<_>>(), cl);
            per_cluster.iter().map(|v| v * v).sum::<f64>() / 4.0
        }
    };
    Some(Concordance { estimate: (c + t / 2.0) / npair, se: var.sqrt(), concordant: c, discordant: d, tied_x: t })
}

/// The pass in decreasing time over sorted observations and score ranks.
struct Walk<'a> {
    time: &'a [f64],
    event: &'a [bool],
    strata: &'a [(usize, usize)],
    rank: &'a [usize],
    n_ranks: usize,
}

/// Pairs counted at each event: `[concordant, tied, discordant]` per row and in all.
struct EventSide {
    per_row: Vec<[u64; 3]>,
    totals: [u64; 3],
}

impl Walk<'_> {
    /// Both passes. They are independent: one thread each for large
    /// inputs; the counts are exact integers, so the result is the same
    /// either way.
    fn both<C: Count>(&self) -> (EventSide, Vec<[u64; 3]>) {
        if self.time.len() >= 100_000 && crate::parallel::cores() > 1 {
            std::thread::scope(|scope| {
                let handle = scope.spawn(|| self.risk_set_pairs::<C>());
                let later = self.later_member_pairs::<C>();
                (handle.join().expect("concordance thread"), later)
            })
        } else {
            (self.risk_set_pairs::<C>(), self.later_member_pairs::<C>())
        }
    }

    /// The runs of tied times in `[start, end)`, as `[start, end)` ranges.
    fn tie_runs(&self, start: usize, end: usize) -> impl Iterator<Item = Range<usize>> + '_ {
        let mut i = start;
        std::iter::from_fn(move || {
            (i < end).then(|| {
                let from = i;
                while i < end && self.time[i] == self.time[from] {
                    i += 1;
                }
                from..i
            })
        })
    }

    /// Each event against the risk set just after its time (those with a
    /// later time, or the same time and censored), held in a tree of the
    /// observations entered so far.
    fn risk_set_pairs<C: Count>(&self) -> EventSide {
        let mut risk = RankCounts::<C>::new(self.n_ranks);
        let mut out = EventSide { per_row: vec![[0; 3]; self.time.len()], totals: [0; 3] };
        for &(s_start, s_end) in self.strata {
            for run in self.tie_runs(s_start, s_end) {
                for i in run.clone().filter(|&i| !self.event[i]) {
                    self.prefetch_ahead(&risk, i);
                    risk.add(self.rank[i]);
                }
                for i in run.clone().filter(|&i| self.event[i]) {
                    self.prefetch_ahead(&risk, i);
                    let counts = risk.split(self.rank[i]);
                    out.per_row[i] = counts;
                    for (total, c) in out.totals.iter_mut().zip(counts) {
                        *total += c;
                    }
                }
                run.filter(|&i| self.event[i]).for_each(|i| risk.add(self.rank[i]));
            }
            if s_end < self.time.len() {
                (s_start..s_end).for_each(|i| risk.remove(self.rank[i]));
            }
        }
        out
    }

    /// Prefetch the counts that row `i + 16` will touch: with ten million
    /// distinct scores they are a random read outside the fast caches.
    fn prefetch_ahead<C: Count>(&self, counts: &RankCounts<C>, i: usize) {
        if let Some(&rank) = self.rank.get(i + 16) {
            counts.prefetch(rank);
        }
    }

    /// Each observation's pairs as the later member: the events seen when
    /// it enters the risk set subtracted from those seen at the end of its
    /// stratum, as `[concordant, tied, discordant]` from its side (an
    /// event's score above its own is a concordant pair).
    fn later_member_pairs<C: Count>(&self) -> Vec<[u64; 3]> {
        let mut events = RankCounts::<C>::new(self.n_ranks);
        let mut out = vec![[0; 3]; self.time.len()];
        let seen = |tree: &RankCounts<C>, i: usize| {
            let [below, equal, above] = tree.split(self.rank[i]);
            [above, equal, below]
        };
        for &(s_start, s_end) in self.strata {
            for run in self.tie_runs(s_start, s_end) {
                // The censored at t enter before t's events are seen; the events
                // after (events at the same time are not comparable).
                for i in run.clone().filter(|&i| !self.event[i]) {
                    self.prefetch_ahead(&events, i);
                    out[i] = seen(&events, i);
                }
                run.clone().filter(|&i| self.event[i]).for_each(|i| events.add(self.rank[i]));
                for i in run.filter(|&i| self.event[i]) {
                    self.prefetch_ahead(&events, i);
                    out[i] = seen(&events, i);
                }
            }
            // Each row's pairs as the later member: the stratum's events as
            // the row sees them at the stratum's end, less those it saw on
            // entering. In a large stratum (rows enough to ask for most ranks)
            // the counts below every rank come from one pass over the ranks.
            let settle =
                |own: &mut [u64; 3], at_end: [u64; 3]| own.iter_mut().zip(at_end).for_each(|(o, e)| *o = e - *o);
            if (s_end - s_start) * 16 >= self.n_ranks {
                let below = events.all_below();
                for i in s_start..s_end {
                    if let Some(&ahead) = self.rank.get(i + 16) {
                        crate::prefetch::prefetch(&below[ahead..=ahead]);
                    }
                    let rank = self.rank[i];
                    let equal = events.count[rank].get();
                    settle(&mut out[i], [events.total - below[rank] - equal, equal, below[rank]]);
                }
            } else {
                for i in s_start..s_end {
                    self.prefetch_ahead(&events, i);
                    settle(&mut out[i], seen(&events, i));
                }
            }
            if s_end < self.time.len() {
                (s_start..s_end).filter(|&i| self.event[i]).for_each(|i| events.remove(self.rank[i]));
            }
        }
        out
    }
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

    /// Per-observation (concordant, discordant, tied) pair counts within
    /// strata, straight from the definition, and the jackknife variance.
    fn brute_variance(time: &[f64], event: &[bool], score: &[f64], strata: &[usize]) -> (f64, f64, f64, f64) {
        let n = time.len();
        let mut own = vec![[0.0; 3]; n];
        for i in 0..n {
            for j in 0..n {
                let comparable =
                    event[i] && strata[i] == strata[j] && (time[j] > time[i] || (time[j] == time[i] && !event[j]));
                if !comparable {
                    continue;
                }
                let k = if score[i] > score[j] {
                    0
                } else if score[i] < score[j] {
                    1
                } else {
                    2
                };
                own[i][k] += 1.0;
                own[j][k] += 1.0;
            }
        }
        let total = |k: usize| own.iter().map(|o| o[k]).sum::<f64>() / 2.0;
        let (c, d, t) = (total(0), total(1), total(2));
        let npair = c + d + t;
        let somers = (c - d) / npair;
        let var =
            own.iter().map(|o| ((o[0] - o[1]) / npair - somers * (o[0] + o[1] + o[2]) / npair).powi(2)).sum::<f64>()
                / 4.0;
        (c, d, t, var)
    }

    /// The pair counts and the variance of [`concordance`] (within
    /// `strata`, or over all rows) are the definition's.
    fn matches_the_definition(time: &[f64], event: &[bool], score: &[f64], strata: Option<&[usize]>) {
        let r = concordance(time, event, score, strata, None).unwrap();
        let one_stratum = vec![0; time.len()];
        let (c, d, t, var) = brute_variance(time, event, score, strata.unwrap_or(&one_stratum));
        assert_eq!((r.concordant, r.discordant, r.tied_x), (c, d, t));
        assert!((r.se * r.se - var).abs() < 1e-12 * var, "{} vs {var}", r.se * r.se);
    }

    #[test]
    fn strata_ties_and_the_variance_match_the_definition() {
        // Strata given out of order, ties in time and in score, a stratum with no events.
        let n = 300;
        let time: Vec<f64> = (0..n).map(|i| ((i * 37) % 23) as f64).collect();
        let event: Vec<bool> = (0..n).map(|i| i % 3 != 0 && i % 5 != 4).collect();
        let score: Vec<f64> = (0..n).map(|i| ((i * 11) % 17) as f64 / 4.0).collect();
        let strata: Vec<usize> = (0..n).map(|i| (i * 7) % 3).collect();
        matches_the_definition(&time, &event, &score, Some(&strata));
    }

    /// A large stratum takes its later members' counts from one pass over
    /// the ranks, small ones (fewer rows than a sixteenth of the ranks) a
    /// rank at a time: both as the definition counts them.
    #[test]
    fn large_and_small_strata_count_the_later_members_alike() {
        let n = 600;
        let time: Vec<f64> = (0..n).map(|i| ((i * 37) % 53) as f64).collect();
        let event: Vec<bool> = (0..n).map(|i| i % 4 != 1).collect();
        let score: Vec<f64> = (0..n).map(|i| ((i * 31) % 500) as f64 / 7.0).collect();
        // Stratum 0 of 400 rows; strata 1..=20 of 10 rows each.
        let strata: Vec<usize> = (0..n).map(|i| if i < 400 { 0 } else { 1 + (i - 400) / 10 }).collect();
        matches_the_definition(&time, &event, &score, Some(&strata));
    }

    #[test]
    fn many_tied_scores_widen_the_counts() {
        // Three distinct scores over 1,200 rows: more than 255 ties, so
        // 16-bit counts; the answer must not change with the width.
        let n = 1200;
        let time: Vec<f64> = (0..n).map(|i| ((i * 13) % 40) as f64).collect();
        let event: Vec<bool> = (0..n).map(|i| i % 4 != 0).collect();
        let score: Vec<f64> = (0..n).map(|i| (i % 3) as f64).collect();
        matches_the_definition(&time, &event, &score, None);
    }
}
