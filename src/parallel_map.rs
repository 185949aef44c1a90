//! One function over many items on every core, results in item order.
//!
//! For independent jobs of uneven size (files to open, plans to compute):
//! each thread takes the next item from a shared counter, so a slow item
//! does not hold up a whole share.

use std::sync::atomic::{AtomicUsize, Ordering};

/// The number of cores this process may use.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// `f` of every item, in the items' order, computed on every core.
pub fn map_on_all_cores<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let workers = cores().min(items.len()).max(1);
    let mut done: Vec<(usize, R)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let k = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(k) else { break };
                        mine.push((k, f(item)));
                    }
                    mine
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("a worker thread panicked")).collect()
    });
    done.sort_by_key(|(k, _)| *k);
    done.into_iter().map(|(_, r)| r).collect()
}

/// Fewest rows for which a model's independent fits are worth spreading
/// over the cores: below it, starting threads costs more than it saves, and
/// the bootstrap, which runs whole analyses of small data, already uses
/// every core.
pub const PARALLEL_MIN_ROWS: usize = 20_000;

/// `f` of every item in order: on every core when `rows` (the data each
/// item works on) reach [`PARALLEL_MIN_ROWS`], else on this thread.
pub fn map_by_size<T: Sync, R: Send>(rows: usize, items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    if rows >= PARALLEL_MIN_ROWS {
        map_on_all_cores(items, f)
    } else {
        items.iter().map(f).collect()
    }
}

/// `0..n` cut into one consecutive share per core, in order.
pub fn shares(n: usize) -> Vec<std::ops::Range<usize>> {
    let cores = cores();
    (0..cores).map(|k| k * n / cores..(k + 1) * n / cores).collect()
}

/// `f(i)` for every `i` in `0..n`, in order: from [`PARALLEL_MIN_ROWS`]
/// on, one consecutive share per core, each written straight into its
/// place in the one vector returned. No share is gathered apart and
/// copied after, so a vector of large records (a million patients'
/// analysis rows, 0.65 GB) never needs room twice.
pub fn fill_in_order<R: Send>(n: usize, f: impl Fn(usize) -> R + Sync) -> Vec<R> {
    fill_in_order_with(n, || (), |i, _| f(i)).0
}

/// [`fill_in_order`] with a value per share, made by `start`, that `f`
/// adds to (the problems a share finds): the vector, and the shares'
/// values in order.
pub fn fill_in_order_with<R: Send, A: Send>(
    n: usize,
    start: impl Fn() -> A + Sync,
    f: impl Fn(usize, &mut A) -> R + Sync,
) -> (Vec<R>, Vec<A>) {
    if n < PARALLEL_MIN_ROWS {
        let mut value = start();
        let out = (0..n).map(|i| f(i, &mut value)).collect();
        return (out, vec![value]);
    }
    let mut out: Vec<R> = Vec::with_capacity(n);
    let values = std::thread::scope(|scope| {
        let mut rest = &mut out.spare_capacity_mut()[..n];
        let workers: Vec<_> = shares(n)
            .into_iter()
            .map(|share| {
                let (mine, others) = std::mem::take(&mut rest).split_at_mut(share.len());
                rest = others;
                let (start, f) = (&start, &f);
                scope.spawn(move || {
                    let mut value = start();
                    mine.iter_mut().zip(share).for_each(|(slot, i)| _ = slot.write(f(i, &mut value)));
                    value
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().expect("a worker thread panicked")).collect()
    });
    // SAFETY: the shares cover `0..n` once each, in order, and every
    // thread wrote its share whole: had one panicked, its join above would
    // have raised the panic before this line.
    unsafe { out.set_len(n) };
    (out, values)
}

#[cfg(test)]
mod tests {
    #[test]
    fn results_come_in_item_order() {
        let items: Vec<u64> = (0..1000).collect();
        assert_eq!(super::map_on_all_cores(&items, |&x| x * x), items.iter().map(|x| x * x).collect::<Vec<_>>());
        assert!(super::map_on_all_cores(&[] as &[u8], |&x| x).is_empty());
        for n in [0, 1, 7, 1000] {
            assert_eq!(super::shares(n).into_iter().flatten().collect::<Vec<_>>(), (0..n).collect::<Vec<_>>());
        }
        // Below and above the size that spreads the work, with heap values.
        for n in [0, 10, super::PARALLEL_MIN_ROWS + 7] {
            let want: Vec<String> = (0..n).map(|i| format!("row {i}")).collect();
            assert_eq!(super::fill_in_order(n, |i| format!("row {i}")), want);
            // Each share's value holds its rows, the shares in order.
            let (rows, values) = super::fill_in_order_with(n, Vec::new, |i, mine| {
                mine.push(i);
                format!("row {i}")
            });
            assert_eq!(rows, want);
            assert_eq!(values.concat(), (0..n).collect::<Vec<_>>());
        }
        for rows in [10, super::PARALLEL_MIN_ROWS] {
            assert_eq!(super::map_by_size(rows, &items, |&x| x + 1), items.iter().map(|x| x + 1).collect::<Vec<_>>());
        }
    }
}
