//! The statistical methods in words, generated from the study settings, so
//! the text a user pastes into a manuscript says what was computed.

use crate::results::Results;
use crate::study::{EndpointId, Origin, SelectionTest, Study, Unit};
use survstat::km::ConfType;

fn unit_phrase(study: &Study, id: EndpointId) -> Option<&'static str> {
    Some(match study.endpoint(id)?.unit {
        Unit::Lesion => "per lesion",
        Unit::Patient => "per patient",
    })
}

/// Where PFS or OS starts, in words.
fn origin_phrase(study: &Study, id: EndpointId) -> &'static str {
    match study.endpoint(id) {
        Some(e) if e.unit == Unit::Lesion && e.origin == Origin::LesionSbrt => "the SBRT of each lesion",
        _ => "the first SBRT of each patient",
    }
}

/// The landmark sentence of an endpoint, if it has a landmark.
fn landmark_sentence(study: &Study, id: EndpointId, name: &str) -> String {
    match study.endpoint(id).and_then(|e| e.landmark_months) {
        None => String::new(),
        Some(l) => format!(
            "{name} was analysed from a landmark at {l} months: only patients still under observation after it were included, with time counted from the landmark. "
        ),
    }
}

/// Which analyses of the toxicity, fracture, pain and failure section were
/// made (a section asked for may lack its data).
#[derive(Debug, Clone, Copy, Default)]
pub struct SpineSections {
    /// The toxicity table.
    pub toxicity: bool,
    /// The VCF analysis.
    pub vcf: bool,
    /// The pain response.
    pub pain_response: bool,
    /// The patterns of failure.
    pub failure_patterns: bool,
}

impl SpineSections {
    /// The sections `results` hold.
    pub fn of(results: &Results) -> SpineSections {
        SpineSections {
            toxicity: results.toxicity.is_some(),
            vcf: results.vcf.is_some(),
            pain_response: results.pain_response.is_some(),
            failure_patterns: results.failure_patterns.is_some(),
        }
    }
}

/// The sentences of the toxicity, fracture, pain and failure section, for
/// the analyses that were made, as the study set them.
fn spine_outcomes_sentences(made: SpineSections, study: &Study) -> String {
    let so = &study.spine_outcomes;
    let mut s = String::new();
    if made.toxicity {
        s.push_str(&format!(
            "Adverse events were graded with CTCAE v5.0 and reported as the number of patients by worst grade per term, as acute (within {} days of SBRT) or late; events attributed unrelated or unlikely were not counted. ",
            so.acute_days
        ));
    }
    if made.vcf {
        let groups = crate::cohort::spine::sins_labels(&so.sins_groups).join(", ");
        s.push_str(&format!(
            "Vertebral compression fracture (new or progression of a fracture present before SBRT) was analysed per lesion from its SBRT as a cumulative incidence with death as a competing risk (Aalen-Johansen estimator), compared by SINS group ({groups}) and by a fracture before SBRT with Gray's test and univariate Fine-Gray models. "
        ));
    }
    if made.pain_response {
        s.push_str(&format!(
            "Pain response at {} months (the assessment closest to it within {} months) was classified by the international consensus criteria (Chow et al. 2012) from the worst pain score (0-10) at the treated site and the daily oral morphine equivalent, for lesions with baseline pain of 2 or more. ",
            super::format::plain_number(so.pain_response_months),
            super::format::plain_number(so.pain_window_months)
        ));
    }
    if made.failure_patterns {
        s.push_str("Failures were classified as local (in-field or marginal), adjacent level, or distant spine, with their salvage treatment. ");
    }
    s
}

/// The methods paragraph.
pub fn paragraph(study: &Study, made: SpineSections) -> String {
    let mut s = String::new();
    if let Some(u) = unit_phrase(study, EndpointId::Lc) {
        s.push_str(&format!(
            "Local control (LC) was defined as the time from the start of SBRT of each lesion to local failure at the treated site, censored at death or last follow-up, and analysed {u}. "
        ));
    }
    if let Some(u) = unit_phrase(study, EndpointId::Pfs) {
        let death = if study.pfs_counts_death {
            " or death from any cause"
        } else {
            "; deaths without recurrence were censored"
        };
        let from = origin_phrase(study, EndpointId::Pfs);
        s.push_str(&format!(
            "Progression-free survival (PFS) was measured from {from} to the first recurrence at any site (local, adjacent or distant){death}, and analysed {u}"
        ));
        s.push_str(if u == "per lesion" { " (each lesion with its patient's outcome). " } else { ". " });
        s.push_str(&landmark_sentence(study, EndpointId::Pfs, "PFS"));
    }
    if let Some(u) = unit_phrase(study, EndpointId::Os) {
        let from = origin_phrase(study, EndpointId::Os).replace("the first SBRT of each patient", "the first SBRT");
        s.push_str(&format!(
            "Overall survival (OS) was measured from {from} to death from any cause, and analysed {u}. "
        ));
        s.push_str(&landmark_sentence(study, EndpointId::Os, "OS"));
    }
    let conf = match study.conf_type {
        ConfType::LogLog => "log(-log)",
        ConfType::Plain => "linear",
        ConfType::Log => "log",
    };
    s.push_str(&format!(
        "Times are in months (days / 30.4375). Survival rates were estimated with the Kaplan-Meier method, with {:.0}% confidence intervals on the {conf} scale from Greenwood's variance. ",
        study.conf_level * 100.0
    ));
    let test = match study.selection.test {
        SelectionTest::Wald => "Wald",
        SelectionTest::LikelihoodRatio => "likelihood-ratio",
    };
    s.push_str(&format!(
        "Univariate analyses used the log-rank test for categorical factors and the Cox proportional hazards model (Efron's method for ties) for continuous factors. Factors with p < {} entered a multivariable Cox model reduced by backward elimination with the {test} test, a multi-level factor entering and leaving as one term and all models fitted on the observations complete for every candidate; p < {} was considered statistically significant. ",
        study.selection.screen_p, study.selection.retain_p
    ));
    if study.figures.iter().any(|f| !f.adjust_for.is_empty()) {
        s.push_str("Adjusted survival curves were estimated by direct adjustment: a Cox model of the factor and the adjusting covariates, each level's curve the mean of the predicted curves of all patients with the factor set to that level, its p-value from the likelihood-ratio test of the factor. ");
    }
    let ab =
        if study.alpha_beta.fract() == 0.0 { format!("{:.0}", study.alpha_beta) } else { study.alpha_beta.to_string() };
    s.push_str(&format!(
        "The biologically effective dose was calculated with the linear-quadratic model, BED = nd(1 + d/(α/β)), with α/β = {ab} Gy for tumour effect. "
    ));
    let rb = &study.robustness;
    let mut checks = Vec::new();
    if rb.competing_risks {
        checks.push("local failure was also estimated as a cumulative incidence with death as a competing risk (Aalen-Johansen estimator, Gray's test)".to_string());
    }
    if rb.cluster_robust {
        checks.push("lesion-level Cox models were refitted with a patient-clustered robust variance".to_string());
    }
    if rb.firth {
        checks.push("models with monotone likelihood were refitted with Firth's penalised likelihood".to_string());
    }
    if rb.ph_test {
        checks.push("proportional hazards were tested with scaled Schoenfeld residuals".to_string());
    }
    if rb.reverse_km_followup {
        checks.push("follow-up was also summarised by the reverse Kaplan-Meier method".to_string());
    }
    if rb.bootstrap_resamples > 0 {
        checks.push(format!(
            "the stability of variable selection was assessed in {} bootstrap resamples of patients",
            rb.bootstrap_resamples
        ));
    }
    if !rb.alpha_beta_sensitivity.is_empty() {
        let abs: Vec<String> = rb.alpha_beta_sensitivity.iter().map(|a| format!("{a}")).collect();
        checks.push(format!("BED results were recomputed for α/β = {} Gy", abs.join(", ")));
    }
    if !checks.is_empty() {
        let last = checks.pop().expect("non-empty");
        let joined = if checks.is_empty() { last } else { format!("{}, and {last}", checks.join("; ")) };
        s.push_str(&format!("As sensitivity analyses, {joined}. "));
    }
    s.push_str(&spine_outcomes_sentences(made, study));
    s.push_str(&format!(
        "Analyses were performed with sbrt-outcomes {}, whose survival statistics reproduce R's survival package (version 3.5-3) to a relative 1e-6.",
        env!("CARGO_PKG_VERSION")
    ));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_the_study_settings() {
        let mut study = Study::builtin();
        let text = paragraph(&study, SpineSections::default());
        assert!(!text.contains("CTCAE"), "no toxicity sentence for a table not made");
        assert!(text.contains("p < 0.1 entered") && text.contains("likelihood-ratio") && text.contains("α/β = 5 Gy"));
        assert!(text.contains("deaths without recurrence were censored"));
        study.pfs_counts_death = true;
        study.selection.test = SelectionTest::Wald;
        let text = paragraph(&study, SpineSections { toxicity: true, ..SpineSections::default() });
        assert!(text.contains("CTCAE v5.0") && text.contains("within 90 days"));
        assert!(text.contains("or death from any cause") && text.contains("with the Wald test"));
    }
}
