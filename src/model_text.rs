//! Cox model terms and warnings in words, shared by the `cox` command and
//! the report.

use survstat::cox::{CoxFit, CoxWarning};
use survstat::design::Term;

/// Warnings of a fit, in words, naming the terms.
pub fn warning_texts(fit: &CoxFit, terms: &[Term]) -> Vec<String> {
    fit.warnings
        .iter()
        .map(|w| match w {
            CoxWarning::Aliased(j) => format!(
                "term '{}' is not estimable: it is a linear combination of the other terms (R reports NA)",
                terms[*j].name
            ),
            CoxWarning::MayBeInfinite(j) => format!(
                "Loglik converged before variable '{}'; coefficient may be infinite (monotone likelihood, e.g. a level with no events): its Wald test and confidence interval are not valid, the likelihood-ratio and score tests are",
                terms[*j].name
            ),
            CoxWarning::NoStandardError(j) => format!(
                "term '{}' has no usable standard error (the information matrix is singular or overflowed: rescale the covariate, e.g. to other units): its z, p and confidence interval are not given",
                terms[*j].name
            ),
            CoxWarning::NotConverged => format!("Ran out of iterations ({}) and did not converge: results are not reliable", fit.iterations),
        })
        .collect()
}
