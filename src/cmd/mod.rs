//! One module per subcommand, each with its usage at the top.

pub mod analyze;
pub mod cox;
pub mod cuminc;
pub mod derive;
pub mod finegray;
pub mod km;
pub mod logrank;
pub mod schema;
pub mod simulate;
pub mod study;
pub mod validate;

use crate::problem::{InputProblems, Problem};

/// An error about the command line itself rather than a file.
pub fn usage_problem(file: &str, message: impl Into<String>) -> InputProblems {
    InputProblems(vec![Problem::error(file, None, None, message)])
}
