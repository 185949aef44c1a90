//! Sorting records by a 64-bit key in linear time (least-significant-digit
//! radix sort), for the one sort every survival computation starts with.
//!
//! A float maps to an unsigned key with the same order as `f64::total_cmp`:
//! flip every bit of a negative number, only the sign bit of a positive
//! one. The sort makes one counting pass over the records for all eight
//! byte-digits at once, then one stable scatter per digit, skipping the
//! digits that are the same in every key (times rounded to a grid, or small
//! stratum labels, leave many of them constant). Being stable, equal keys
//! keep their input order, so a sort by a secondary key followed by one by
//! the primary key orders by both. Cost: O(n) per digit that varies, and a
//! second buffer of the records; below 256 records the standard (stable)
//! sort is used instead; records already in order are left as they are,
//! and records in reverse order reversed (ties kept in their order), after
//! a pass that finds them so.

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

/// Sort `items` stably by `key`.
pub fn sort_by_key<T: Copy>(items: &mut Vec<T>, key: impl Fn(&T) -> u64) {
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
    if n < 256 {
        // Eight counting passes cost more than a comparison sort this small.
        items.sort_by_key(key);
        return;
    }
    let mut counts = vec![[0usize; 256]; 8];
    for item in items.iter() {
        let k = key(item);
        for (digit, count) in counts.iter_mut().enumerate() {
            count[((k >> (8 * digit)) & 0xff) as usize] += 1;
        }
    }
    let mut buffer: Vec<T> = Vec::with_capacity(n);
    for (digit, count) in counts.iter().enumerate() {
        if count.contains(&n) {
            continue;
        }
        let mut offset = [0usize; 256];
        let mut total = 0;
        for (o, c) in offset.iter_mut().zip(count) {
            *o = total;
            total += c;
        }
        buffer.clear();
        let spare = buffer.spare_capacity_mut();
        for item in items.iter() {
            let b = ((key(item) >> (8 * digit)) & 0xff) as usize;
            spare[offset[b]].write(*item);
            offset[b] += 1;
        }
        // SAFETY: the offsets are a permutation of 0..n (prefix sums of the
        // digit counts over all n items), so every slot was written once.
        unsafe { buffer.set_len(n) };
        std::mem::swap(items, &mut buffer);
    }
}

/// `(value, index)` pairs sorted stably by `key(value)`: the indices in
/// that order, and the values.
pub fn order_by(mut pairs: Vec<(f64, usize)>, key: impl Fn(f64) -> u64) -> (Vec<usize>, Vec<f64>) {
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
