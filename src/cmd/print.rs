//! What the subcommands print on the terminal besides their tables' own
//! layout: numbers in text tables, and the first warnings of an input.

use crate::problem::Problem;

/// An optional number with `digits` decimals for the text tables, `NA` (as R
/// prints it) when absent or not finite.
pub fn number_or_na(v: Option<f64>, digits: usize) -> String {
    v.filter(|x| x.is_finite()).map_or("NA".to_string(), |x| format!("{x:.digits$}"))
}

/// A count for the text tables: whole as itself, a sum of fractional case
/// weights with three decimals.
pub fn count(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v}")
    } else {
        format!("{v:.3}")
    }
}

/// The line that says a command's case weights were used.
pub fn case_weights(column: &str, n_zero_weight: usize) {
    println!("Case weights from '{}'; rows of weight 0 dropped = {n_zero_weight}", crate::inert::terminal(column));
}

/// Print the first warnings of a cohort on stderr, and how many more there are.
pub fn first_warnings(file: &str, warnings: &[Problem]) {
    const SHOWN: usize = 20;
    for w in warnings.iter().take(SHOWN) {
        eprintln!("{w}");
    }
    if warnings.len() > SHOWN {
        eprintln!("{file}: {} more warning(s) not shown; `sbrt validate` lists them all", warnings.len() - SHOWN);
    }
}
