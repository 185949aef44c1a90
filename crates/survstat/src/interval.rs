//! An estimate with its confidence limits, the shape of every interval
//! estimate the engine returns (a median, a quantile, a rate); a limit or the
//! estimate is `None` where the data do not reach it.

/// An estimate and its confidence limits.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Interval {
    /// The estimate.
    pub estimate: Option<f64>,
    /// Lower confidence limit.
    pub lower: Option<f64>,
    /// Upper confidence limit.
    pub upper: Option<f64>,
}
