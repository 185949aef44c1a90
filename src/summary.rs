//! Summaries of a sample of numbers: R's `median` and the (median, min,
//! max) triple the report's characteristics tables print.

use serde::Serialize;

/// R's `median`: the middle value, the mean of the two middle values for an
/// even count; `None` for an empty sample. The middle values are selected
/// (in linear time) rather than sorted: the `n/2`-th smallest, and for an
/// even count the largest of those below it.
pub fn median(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut v = values.to_vec();
    let n = v.len();
    let (below, &mut middle, _) = v.select_nth_unstable_by(n / 2, f64::total_cmp);
    Some(if n % 2 == 1 {
        middle
    } else {
        let lower = below.iter().copied().max_by(f64::total_cmp).expect("an even count has a value below the middle");
        (lower + middle) / 2.0
    })
}

/// Median and range of a sample (`None` each when it is empty).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Summary {
    /// Median.
    pub median: Option<f64>,
    /// Smallest value.
    pub min: Option<f64>,
    /// Largest value.
    pub max: Option<f64>,
}

impl Summary {
    /// The summary of `values`.
    pub fn of(values: &[f64]) -> Summary {
        Summary {
            median: median(values),
            min: values.iter().copied().reduce(f64::min),
            max: values.iter().copied().reduce(f64::max),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_as_r() {
        assert_eq!(median(&[3.0, 1.0, 2.0, 10.0]), Some(2.5));
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[]), None);
        // Against the middle of the sorted sample, odd and even counts, with ties.
        let mut state = 7u64;
        for n in 1..200 {
            let v: Vec<f64> = (0..n)
                .map(|_| {
                    state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    ((state >> 40) % 50) as f64 / 4.0 - 3.0
                })
                .collect();
            let mut sorted = v.clone();
            sorted.sort_by(f64::total_cmp);
            let want = if n % 2 == 1 { sorted[n / 2] } else { (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0 };
            assert_eq!(median(&v), Some(want), "n = {n}");
        }
        let s = Summary::of(&[16.0, 1.25, 163.6]);
        assert_eq!((s.median, s.min, s.max), (Some(16.0), Some(1.25), Some(163.6)));
    }
}
