//! Summing per-observation contributions within clusters, the step shared
//! by every cluster-robust ("sandwich") variance.

/// Sum the values of each cluster; clusters are labelled `0..`, and the
/// result has one entry per label up to the largest.
pub fn sum_by_cluster(values: &[f64], cluster: &[usize]) -> Vec<f64> {
    let k = cluster.iter().copied().max().map_or(0, |m| m + 1);
    let mut sums = vec![0.0; k];
    for (v, &c) in values.iter().zip(cluster) {
        sums[c] += v;
    }
    sums
}
