//! Why an estimate cannot be computed.

use std::fmt;

/// A reason a statistic is not defined for the given data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// No observations at all.
    Empty,
    /// No events, so nothing can be estimated or tested.
    NoEvents,
    /// The test compares groups, but fewer than two groups have expected events.
    TooFewGroups,
    /// A time is negative, infinite or NaN, or a covariate is not finite.
    NonFinite(&'static str),
    /// Input slices of different lengths.
    LengthMismatch,
    /// The information matrix is singular: a covariate is constant or a
    /// linear combination of others.
    Singular,
    /// An iterative fit did not reach its convergence criterion.
    NotConverged(&'static str),
    /// A combination of inputs the method does not handle.
    Unsupported(&'static str),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Empty => write!(f, "no observations"),
            Error::NoEvents => write!(f, "no events: nothing to estimate"),
            Error::TooFewGroups => write!(f, "fewer than two groups with expected events: no test"),
            Error::NonFinite(what) => write!(f, "{what} contains a value that is not a finite number"),
            Error::LengthMismatch => write!(f, "input columns have different lengths"),
            Error::Singular => write!(f, "the information matrix is singular (a covariate is constant or collinear)"),
            Error::NotConverged(what) => write!(f, "{what} did not converge"),
            Error::Unsupported(what) => write!(f, "{what} is not supported"),
        }
    }
}

impl std::error::Error for Error {}
