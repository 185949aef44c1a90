//! Sorting records by a 64-bit key, for the one sort every survival
//! computation starts with.
//!
//! A float maps to an unsigned key with the same order as `f64::total_cmp`:
//! flip every bit of a negative number, only the sign bit of a positive
//! one. The sort is a most-significant-digit distribution: one pass finds
//! the least and largest key, a second counts the records in each of 2^11
//! buckets by the top bits of `key - least`, a third writes each record to
//! its bucket; a bucket that holds more than can be sorted in the fast
//! caches is distributed again over its own range of keys, and the others
//! are sorted there by the standard (stable) sort. Within a bucket the
//! records keep their input order, so the whole sort is stable: equal keys
//! keep their input order, and a sort by a secondary key followed by one
//! by the primary key orders by both. On large inputs the passes and the
//! buckets are split over the cores, with the same result (each part's
//! records go after the earlier parts' in every bucket). Below 2,048
//! records the standard sort is used; records already in order are left as
//! they are, and records in reverse order reversed (ties kept in their
//! order), after a pass that finds them so.
//!
//! (The least-significant-digit radix sort this replaced, eight scatters
//! of all records over 256 buckets on one core, was about twice as slow
//! here: `cargo bench --bench engine -- sort_continuous_times`, 10^6
//! records of 16 bytes, 93.0 against 44.2 ms.)

use crate::parallel::on_threads;
use std::ops::Range;

/// The key of `x` ordering as `f64::total_cmp`.
pub fn ascending(x: f64) -> u64 {
    let bits = x.to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | 1 << 63
    }
}

/// The number whose [`ascending`] key is `key`.
pub fn from_ascending(key: u64) -> f64 {
    f64::from_bits(if key >> 63 == 1 { key & !(1 << 63) } else { !key })
}

/// The key of `x` ordering as `f64::total_cmp` reversed.
pub fn descending(x: f64) -> u64 {
    !ascending(x)
}

/// Buckets of one distribution pass: at most 2^11, so that the records
/// being written to them and the counts stay in the processor's caches.
const BUCKET_BITS: u32 = 11;

/// Records a bucket may hold and still be sorted by comparisons, in the caches.
const SMALL: usize = 2048;

/// Records from which a sort splits its passes over the cores.
const PARALLEL_FROM: usize = 1 << 15;

/// Sort `items` stably by `key`.
pub fn sort_by_key<T: Copy + Send + Sync>(items: &mut Vec<T>, key: impl Fn(&T) -> u64 + Sync) {
    let n = items.len();
    // Input already in order (a caller that sorted once for many fits):
    // one pass, and the stable sort of it is itself. In reverse order:
    // reversed, then each run of equal keys turned back to its input order.
    if items.windows(2).all(|w| key(&w[0]) <= key(&w[1])) {
        return;
    }
    if items.windows(2).all(|w| key(&w[0]) >= key(&w[1])) {
        items.reverse();
        let mut start = 0;
        while start < n {
            let first = key(&items[start]);
            let end = start + items[start..].iter().take_while(|item| key(item) == first).count();
            items[start..end].reverse();
            start = end;
        }
        return;
    }
    if n <= SMALL {
        items.sort_by_key(key);
        return;
    }
    let parts = if n >= PARALLEL_FROM { crate::parallel::cores() } else { 1 };
    let mut sorted: Vec<T> = Vec::with_capacity(n);
    let buckets = distribute(items, &mut sorted.spare_capacity_mut()[..n], parts, &key);
    // SAFETY: `distribute` writes every one of the n slots (see there).
    unsafe { sorted.set_len(n) };
    *items = sorted;
    if parts == 1 {
        sort_buckets(items, &buckets, 0, &key);
        return;
    }
    // The buckets in two halves of about equal size, sorted on two threads.
    let half = buckets.iter().position(|b| b.end >= n / 2).map_or(n, |b| buckets[b].end);
    let (first, second) = buckets.split_at(buckets.iter().take_while(|b| b.end <= half).count());
    let (low, high) = items.split_at_mut(half);
    on_threads(vec![(low, first, 0), (high, second, half)], |(items, buckets, offset)| {
        sort_buckets(items, buckets, offset, &key)
    });
}

/// Sort each bucket (`buckets` are ranges of the records of which `items`
/// begins at `offset`): by comparisons when it is small, else by another
/// distribution pass over its own range of keys.
fn sort_buckets<T: Copy + Send + Sync>(
    items: &mut [T],
    buckets: &[Range<usize>],
    offset: usize,
    key: &(impl Fn(&T) -> u64 + Sync),
) {
    for b in buckets {
        let bucket = &mut items[b.start - offset..b.end - offset];
        if bucket.len() <= SMALL {
            bucket.sort_by_key(key);
            continue;
        }
        let (low, high) = bucket.iter().fold((u64::MAX, 0), |(lo, hi), item| (lo.min(key(item)), hi.max(key(item))));
        if low == high {
            continue;
        }
        let mut sorted: Vec<T> = Vec::with_capacity(bucket.len());
        let inner = distribute(bucket, &mut sorted.spare_capacity_mut()[..bucket.len()], 1, key);
        // SAFETY: as in `sort_by_key`.
        unsafe { sorted.set_len(bucket.len()) };
        bucket.copy_from_slice(&sorted);
        sort_buckets(bucket, &inner, 0, key);
    }
}

/// Write `items` into `out` (of the same length) grouped by the top
/// [`BUCKET_BITS`] bits of `key - min key`, keeping their order within a
/// bucket; the buckets' ranges in `out`, in increasing key. `parts` cores
/// count and write a part of the records each: part t's records of bucket
/// b go after all records of smaller buckets and after the earlier parts'
/// records of b, so the result does not depend on `parts`.
fn distribute<T: Copy + Send + Sync>(
    items: &[T],
    out: &mut [std::mem::MaybeUninit<T>],
    parts: usize,
    key: &(impl Fn(&T) -> u64 + Sync),
) -> Vec<Range<usize>> {
    let chunk = items.len().div_ceil(parts.max(1)).max(1);
    let pieces: Vec<&[T]> = items.chunks(chunk).collect();
    let (low, high) = on_threads(pieces.clone(), |part| {
        part.iter().fold((u64::MAX, 0), |(lo, hi), item| (lo.min(key(item)), hi.max(key(item))))
    })
    .into_iter()
    .fold((u64::MAX, 0), |(lo, hi), (l, h)| (lo.min(l), hi.max(h)));
    let shift = (64 - (high - low).leading_zeros()).saturating_sub(BUCKET_BITS);
    let n_buckets = ((high - low) >> shift) as usize + 1;
    let bucket = |item: &T| ((key(item) - low) >> shift) as usize;
    let counts = on_threads(pieces.clone(), |part| {
        let mut count = vec![0usize; n_buckets];
        part.iter().for_each(|item| count[bucket(item)] += 1);
        count
    });
    // Each part's slots, bucket by bucket: every slot of `out` is in
    // exactly one, of the size of that part's count of that bucket.
    let mut slots: Vec<Vec<&mut [std::mem::MaybeUninit<T>]>> =
        counts.iter().map(|_| Vec::with_capacity(n_buckets)).collect();
    let mut ranges = Vec::with_capacity(n_buckets);
    let mut rest = out;
    let mut start = 0;
    for b in 0..n_buckets {
        let size: usize = counts.iter().map(|c| c[b]).sum();
        ranges.push(start..start + size);
        start += size;
        for (part_slots, count) in slots.iter_mut().zip(&counts) {
            let (head, tail) = std::mem::take(&mut rest).split_at_mut(count[b]);
            part_slots.push(head);
            rest = tail;
        }
    }
    let write = |(part, mut slots): (&[T], Vec<&mut [std::mem::MaybeUninit<T>]>)| {
        let mut next = vec![0usize; n_buckets];
        for item in part {
            let b = bucket(item);
            slots[b][next[b]].write(*item);
            next[b] += 1;
        }
    };
    on_threads(pieces.into_iter().zip(slots).collect(), write);
    ranges.retain(|r| !r.is_empty());
    ranges
}

/// `(value, index)` pairs sorted stably by `key(value)`: the indices in
/// that order, and the values.
pub fn order_by(mut pairs: Vec<(f64, usize)>, key: impl Fn(f64) -> u64 + Sync) -> (Vec<usize>, Vec<f64>) {
    sort_by_key(&mut pairs, |p| key(p.0));
    pairs.into_iter().map(|(value, index)| (index, value)).unzip()
}

/// Observations in the order the risk-set passes walk them: by stratum,
/// then by decreasing time, input order within ties.
pub(crate) struct RiskSetOrder {
    /// Original index of each sorted observation.
    pub order: Vec<usize>,
    /// Times in sorted order.
    pub time: Vec<f64>,
    /// `[start, end)` of each stratum in sorted order.
    pub strata: Vec<(usize, usize)>,
}

/// Sort `time` (and `strata`, when given) into [`RiskSetOrder`].
pub(crate) fn risk_set_order(time: &[f64], strata: Option<&[usize]>) -> RiskSetOrder {
    let n = time.len();
    let mut keys: Vec<(f64, usize)> = time.iter().copied().zip(0..n).collect();
    sort_by_key(&mut keys, |k| descending(k.0));
    if let Some(s) = strata {
        sort_by_key(&mut keys, |k| s[k.1] as u64);
    }
    let order: Vec<usize> = keys.iter().map(|k| k.1).collect();
    let time = keys.iter().map(|k| k.0).collect();
    let mut bounds = Vec::new();
    let mut start = 0;
    for k in 1..=n {
        if k == n || strata.is_some_and(|s| s[order[k]] != s[order[start]]) {
            bounds.push((start, k));
            start = k;
        }
    }
    RiskSetOrder { order, time, strata: bounds }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_order_as_total_cmp() {
        let values = [f64::NEG_INFINITY, -1e300, -2.5, -0.0, 0.0, 1e-300, 0.1, 2.5, 1e300, f64::INFINITY];
        for w in values.windows(2) {
            assert!(ascending(w[0]) < ascending(w[1]), "{} {}", w[0], w[1]);
            assert!(descending(w[0]) > descending(w[1]));
        }
    }

    /// Enough records for the passes to be split over the cores, keys with
    /// many ties, and a few keys far beyond the others so that most records
    /// land in one bucket of the first pass and are distributed again.
    #[test]
    fn large_skewed_inputs_sort_as_the_standard_stable_sort() {
        let mut state = 987654321u64;
        let mut next = || {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            state >> 33
        };
        let items: Vec<(f64, usize)> = (0..PARALLEL_FROM + 12_345)
            .map(|i| {
                let r = next();
                let t = match r % 1000 {
                    0 => 1e12 + (r % 7) as f64,
                    1 => -(r as f64),
                    _ => (r % 50_000) as f64 / 100.0,
                };
                (t, i)
            })
            .collect();
        let mut expected = items.clone();
        expected.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut by_radix = items.clone();
        sort_by_key(&mut by_radix, |r| ascending(r.0));
        assert_eq!(by_radix, expected);
        let mut expected = items.clone();
        expected.sort_by(|a, b| b.0.total_cmp(&a.0));
        let mut by_radix = items;
        sort_by_key(&mut by_radix, |r| descending(r.0));
        assert_eq!(by_radix, expected);
    }

    #[test]
    fn sorts_stably_as_the_standard_sort() {
        let mut state = 12345u64;
        let mut items: Vec<(f64, usize)> = (0..5000)
            .map(|i| {
                state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                (((state >> 40) % 300) as f64 / 10.0 - 5.0, i)
            })
            .collect();
        let mut expected = items.clone();
        expected.sort_by(|a, b| a.0.total_cmp(&b.0));
        sort_by_key(&mut items, |r| ascending(r.0));
        assert_eq!(items, expected);
        // Already in order: left as it is; out of order only at its end
        // (the check for order must look at every pair): sorted.
        sort_by_key(&mut items, |r| ascending(r.0));
        assert_eq!(items, expected);
        items.swap(4998, 4999);
        items[4999].0 = -100.0;
        sort_by_key(&mut items, |r| ascending(r.0));
        assert_eq!(items[0].0, -100.0);
        assert!(items.windows(2).all(|w| w[0].0 <= w[1].0));
        // In reverse order, with ties: as the standard stable sort.
        let mut reversed: Vec<(f64, usize)> = expected.iter().rev().map(|&(t, _)| t).zip(0..).collect();
        let mut want = reversed.clone();
        want.sort_by(|a, b| a.0.total_cmp(&b.0));
        sort_by_key(&mut reversed, |r| ascending(r.0));
        assert_eq!(reversed, want);
    }
}
