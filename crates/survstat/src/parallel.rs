//! Splitting O(n) work over threads without changing the answer.
//!
//! Rows are cut into blocks that depend on the data alone (never on the
//! number of threads), the blocks are dealt to the threads in turn, and
//! their results are combined in block order: the same floating-point
//! operations in the same order for any number of threads, so results are
//! bit-identical whether one core or many did the work.

use std::ops::Range;

/// Rows per block: at least 4096, and at most 64 blocks, so per-block
/// partial results stay few whatever n is.
fn block_size(n: usize) -> usize {
    n.div_ceil(64).max(4096)
}

/// Blocks of about [`block_size`] rows covering `0..n`, each boundary moved
/// forward to the first row `k` with `may_start(k)` true (so that, say, a
/// run of tied times is never split).
pub(crate) fn row_blocks(n: usize, may_start: impl Fn(usize) -> bool) -> Vec<Range<usize>> {
    let size = block_size(n);
    let mut blocks = Vec::new();
    let mut start = 0;
    while start < n {
        let mut end = (start + size).min(n);
        while end < n && !may_start(end) {
            end += 1;
        }
        blocks.push(start..end);
        start = end;
    }
    blocks
}

/// The number of cores this process may use.
pub(crate) fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// The number of threads for `work` multiply-adds: all cores from 4·10⁶ on.
pub(crate) fn threads_for(work: usize) -> usize {
    if work >= 4_000_000 {
        cores()
    } else {
        1
    }
}

/// `f` of each item, each on a thread of its own when there are several
/// (a caller makes as many items as it wants cores busy); the results in
/// item order.
pub(crate) fn on_threads<I: Send, R: Send>(items: Vec<I>, f: impl Fn(I) -> R + Sync) -> Vec<R> {
    if items.len() <= 1 {
        return items.into_iter().map(f).collect();
    }
    let f = &f;
    std::thread::scope(|scope| {
        let handles: Vec<_> = items.into_iter().map(|item| scope.spawn(move || f(item))).collect();
        handles.into_iter().map(|h| h.join().expect("worker thread")).collect()
    })
}

/// One block's work: its index, its rows and its part of the output.
type Share<'a> = (usize, Range<usize>, &'a mut [f64]);

/// `f(block index, rows, out_rows)` for each block of consecutive `blocks`
/// (covering the n rows of `out`, each of `out.len() / n` values; `out` may
/// be empty), interleaved over `threads` threads, where `out_rows` is the
/// part of `out` that belongs to `rows`; the results in block order.
pub(crate) fn map_blocks<T: Send>(
    blocks: &[Range<usize>],
    threads: usize,
    out: &mut [f64],
    f: impl Fn(usize, Range<usize>, &mut [f64]) -> T + Sync,
) -> Vec<T> {
    let n = blocks.last().map_or(0, |b| b.end);
    let width = out.len().checked_div(n).unwrap_or(0);
    let threads = threads.clamp(1, blocks.len().max(1));
    let mut shares: Vec<Vec<Share>> = (0..threads).map(|_| Vec::new()).collect();
    let mut rest = out;
    for (b, rows) in blocks.iter().enumerate() {
        let (head, tail) = std::mem::take(&mut rest).split_at_mut(rows.len() * width);
        shares[b % threads].push((b, rows.clone(), head));
        rest = tail;
    }
    let f = &f;
    let run =
        move |share: Vec<Share>| share.into_iter().map(|(b, rows, chunk)| (b, f(b, rows, chunk))).collect::<Vec<_>>();
    let mut results: Vec<(usize, T)> = on_threads(shares, run).into_iter().flatten().collect();
    results.sort_unstable_by_key(|(b, _)| *b);
    results.into_iter().map(|(_, v)| v).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_cover_the_rows_and_respect_allowed_starts() {
        let blocks = row_blocks(20_000, |k| k % 1000 == 0);
        assert_eq!(blocks.first().unwrap().start, 0);
        assert_eq!(blocks.last().unwrap().end, 20_000);
        for w in blocks.windows(2) {
            assert_eq!(w[0].end, w[1].start);
            assert_eq!(w[1].start % 1000, 0);
        }
    }

    #[test]
    fn results_come_in_block_order_for_any_thread_count() {
        let blocks = row_blocks(50_000, |_| true);
        for threads in 1..4 {
            let mut out = vec![0.0; 50_000];
            let starts = map_blocks(&blocks, threads, &mut out, |b, rows, part| {
                part.iter_mut().for_each(|v| *v = b as f64);
                rows.start
            });
            assert_eq!(starts, blocks.iter().map(|r| r.start).collect::<Vec<_>>());
            assert!(blocks.iter().enumerate().all(|(b, r)| out[r.clone()].iter().all(|&v| v == b as f64)));
        }
    }
}
