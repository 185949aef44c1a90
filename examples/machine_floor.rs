//! Measure this machine's memory bandwidth, multiply-add, exp and log
//! rates, and the floor they put under one Newton iteration of a Cox fit
//! (issue "registry scale"):
//!     cargo run --release --example machine_floor -- [n] [p] [events]
//! (defaults: the 10^6 registry of `bench/compare_r.sh`, 10 covariates,
//! its 673,309 events).
//!
//! One iteration cannot avoid reading the n × p covariates once
//! (8 n p bytes) and the O(n p²) products of the information matrix:
//! `n p (p + 1) / 2` multiply-adds for its upper triangle (the risk-set
//! sums and the linear predictor add `2 n p`), n exponentials for the risk
//! scores and, with Efron's ties, one logarithm per event (each tied event
//! is its own term `log D_k`). The floor is the larger of the memory time
//! and the arithmetic time, with both cores at work.
#[path = "support/timing.rs"]
mod timing;

use std::hint::black_box;
use timing::best_seconds;

/// Bytes per second reading `data` on `threads` threads (sums of halves).
fn read_bandwidth(data: &[f64], threads: usize) -> f64 {
    let seconds = best_seconds(5, || {
        std::thread::scope(|scope| {
            for part in data.chunks(data.len().div_ceil(threads)) {
                scope.spawn(move || {
                    // Eight independent sums, so the adds keep up with memory.
                    let mut acc = [0.0f64; 8];
                    for chunk in part.chunks_exact(8) {
                        for (a, v) in acc.iter_mut().zip(chunk) {
                            *a += v;
                        }
                    }
                    black_box(acc)
                });
            }
        })
    });
    (data.len() * 8) as f64 / seconds
}

/// Multiply-adds per second on one core, on data in the L1 cache: 16
/// independent accumulators of `a * x + b` (separate multiply and add,
/// as the engine does them), vectorised by the compiler.
fn multiply_add_rate() -> f64 {
    let x = vec![1.000_000_1f64; 256];
    let rounds = 400_000;
    let seconds = best_seconds(5, || {
        let mut acc = [0.0f64; 16];
        for _ in 0..rounds {
            for chunk in x.chunks_exact(16) {
                for (a, v) in acc.iter_mut().zip(chunk) {
                    *a += 0.999_999_9 * v;
                }
            }
        }
        black_box(acc);
    });
    (rounds * x.len()) as f64 / seconds
}

/// Evaluations per second of `f` on one core (`f64::exp`, `f64::ln`, as the engine uses).
fn rate(x: &[f64], f: fn(f64) -> f64) -> f64 {
    let rounds = 500;
    let seconds = best_seconds(5, || {
        let mut s = 0.0;
        for _ in 0..rounds {
            for v in x {
                s += f(black_box(*v));
            }
        }
        black_box(s);
    });
    (rounds * x.len()) as f64 / seconds
}

fn main() {
    let mut args = std::env::args().skip(1).map(|s| s.parse::<usize>().expect("a number"));
    let n = args.next().unwrap_or(1_000_000);
    let p = args.next().unwrap_or(10);
    let events = args.next().unwrap_or(673_309);
    let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
    let data: Vec<f64> = (0..64 << 20).map(|i| i as f64).collect(); // 512 MiB
    let bw1 = read_bandwidth(&data, 1);
    let bw = read_bandwidth(&data, cores);
    let rate1 = multiply_add_rate();
    let exps = rate(&(0..4096).map(|i| (i as f64 - 2048.0) / 1000.0).collect::<Vec<_>>(), f64::exp);
    let logs = rate(&(1..=4096).map(|i| i as f64 * 97.5).collect::<Vec<_>>(), f64::ln);
    let bytes = (8 * n * p) as f64;
    let products = (n * p * (p + 1) / 2 + 2 * n * p) as f64;
    let memory_floor = bytes / bw;
    let arithmetic_floor = (products / rate1 + n as f64 / exps + events as f64 / logs) / cores as f64;
    println!("cores: {cores}");
    println!("read bandwidth: {:.1} GB/s on 1 core, {:.1} GB/s on {cores}", bw1 / 1e9, bw / 1e9);
    println!(
        "multiply-adds: {:.2} G/s per core (in cache); exp: {:.0} M/s, log: {:.0} M/s per core",
        rate1 / 1e9,
        exps / 1e6,
        logs / 1e6
    );
    println!(
        "n = {n}, p = {p}, {events} events: X is {:.0} MB, {products:.2e} multiply-adds, {n} exp, {events} log per iteration",
        bytes / 1e6
    );
    println!(
        "floor per Newton iteration: memory {:.1} ms, arithmetic {:.1} ms -> {:.1} ms",
        memory_floor * 1e3,
        arithmetic_floor * 1e3,
        memory_floor.max(arithmetic_floor) * 1e3
    );
}
