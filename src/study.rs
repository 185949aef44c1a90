//! The study definition: which endpoints, covariates, thresholds and
//! figures an analysis uses, read from TOML. The built-in study
//! (`assets/paper_study.toml`, printed by `sbrt study --print`) is the
//! source paper's analysis. Unknown keys and impossible values are errors
//! that name the key.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use survstat::km::{ConfSpec, ConfType};

/// The built-in study's text.
pub const BUILTIN: &str = include_str!("../assets/paper_study.toml");

/// A whole study.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Study {
    /// Title of the report.
    pub title: String,
    /// α/β for BED and EQD2, Gy.
    pub alpha_beta: f64,
    /// Isodose line assumed where the cohort leaves it empty, percent.
    pub default_isodose_pct: f64,
    /// Times of the reported Kaplan-Meier rates, months; the first is the univariate tables' rate.
    pub landmarks_months: Vec<f64>,
    /// Confidence level.
    pub conf_level: f64,
    /// Confidence interval type: log, log-log or plain.
    pub conf_type: ConfType,
    /// Whether death is a PFS event.
    pub pfs_counts_death: bool,
    /// Resolution of the PNG figures (and of those in the Word documents), dots per inch.
    #[serde(default = "default_figure_dpi")]
    pub figure_dpi: f64,
    /// How the Kaplan-Meier and forest figures are drawn.
    #[serde(default)]
    pub figure_style: FigureStyle,
    /// How p-values are printed in tables and figures.
    #[serde(default)]
    pub p_values: PValues,
    /// Variable selection.
    pub selection: Selection,
    /// Endpoints analysed.
    #[serde(rename = "endpoint")]
    pub endpoints: Vec<EndpointSpec>,
    /// Covariate definitions.
    #[serde(rename = "covariate")]
    pub covariates: Vec<CovariateSpec>,
    /// Kaplan-Meier figures.
    #[serde(rename = "figure", default)]
    pub figures: Vec<FigureSpec>,
    /// The reviewer's checks shown in the report's Robustness section.
    #[serde(default)]
    pub robustness: RobustnessChecks,
    /// Toxicity, vertebral compression fracture, pain response and patterns
    /// of failure (the report's section after the paper's analysis).
    #[serde(default)]
    pub spine_outcomes: SpineOutcomes,
}

/// The sections every spine SBRT paper reports besides survival; each can
/// be turned off. A section whose data the cohort lacks is left out with a
/// warning (no events table, no `pain_baseline`), never shown as zeros.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct SpineOutcomes {
    /// Patients by worst CTCAE grade per term, acute and late.
    pub toxicity: bool,
    /// Last day after SBRT of the acute window.
    pub acute_days: u32,
    /// Cumulative incidence of VCF with death competing, by SINS group and pre-existing VCF.
    pub vcf: bool,
    /// Upper bounds of the SINS groups but the last: `[6, 12]` gives 0-6, 7-12, 13-18.
    pub sins_groups: Vec<u32>,
    /// Pain response by the international consensus criteria.
    pub pain_response: bool,
    /// Time of the pain response, months after SBRT.
    pub pain_response_months: f64,
    /// The assessment closest to that time within this many months either side is used.
    pub pain_window_months: f64,
    /// Patterns of failure: in-field, marginal, adjacent level, distant spine, with salvage.
    pub failure_patterns: bool,
}

impl Default for SpineOutcomes {
    fn default() -> Self {
        SpineOutcomes {
            toxicity: true,
            acute_days: 90,
            vcf: true,
            sins_groups: vec![6, 12],
            pain_response: true,
            pain_response_months: 3.0,
            pain_window_months: 1.0,
            failure_patterns: true,
        }
    }
}

/// The figures' options (study `[figure_style]`).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct FigureStyle {
    /// Shade each Kaplan-Meier curve's pointwise confidence band.
    pub confidence_bands: bool,
    /// Last time shown on the x axis, months (default: the longest follow-up).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub x_max_months: Option<f64>,
    /// Interval between x-axis ticks, months (default: at most ten intervals of 3, 6, 12, 24… months).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub x_break_months: Option<f64>,
    /// Times of the numbers-at-risk table, months (default: the x-axis ticks).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub risk_table_months: Option<Vec<f64>>,
    /// Line colours: colour-blind safe (Okabe-Ito) or greyscale with dash patterns.
    pub palette: Palette,
    /// Figure width, mm.
    pub width_mm: f64,
    /// Height of the plotting area, mm (the risk table is added below it).
    pub plot_height_mm: f64,
    /// Text size, points.
    pub font_pt: f64,
    /// Also write each figure as TIFF (PackBits RGB at `figure_dpi`).
    pub tiff: bool,
}

impl Default for FigureStyle {
    fn default() -> Self {
        FigureStyle {
            confidence_bands: false,
            x_max_months: None,
            x_break_months: None,
            risk_table_months: None,
            palette: Palette::ColourBlind,
            width_mm: 200.0,
            plot_height_mm: 85.0,
            font_pt: 9.0,
            tiff: false,
        }
    }
}

/// Conventions for printing p-values.
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum PValues {
    /// Three decimals, `<0.001` below (the paper's).
    #[default]
    ThreeDecimals,
    /// The AMA Manual of Style: two decimals from 0.01, three below, `<0.001`, `>0.99`.
    Ama,
}

/// Figure palettes.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Palette {
    /// Okabe & Ito's colour-blind-safe colours, solid lines.
    ColourBlind,
    /// Black and greys, each curve with its own dash pattern (print in black and white).
    Greyscale,
}

/// Journals ask for 300 to 600 dpi.
fn default_figure_dpi() -> f64 {
    300.0
}

/// The analyses beyond the paper; each can be turned off.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct RobustnessChecks {
    /// LC as cumulative incidence with death as a competing risk, and Gray's tests.
    pub competing_risks: bool,
    /// Lesion-level models with patient-clustered robust standard errors.
    pub cluster_robust: bool,
    /// Firth-penalised refits of models with monotone likelihood.
    pub firth: bool,
    /// Proportional-hazards tests of the multivariable models.
    pub ph_test: bool,
    /// Median follow-up by the reverse Kaplan-Meier method.
    pub reverse_km_followup: bool,
    /// Bootstrap resamples of patients for selection stability (0 = off).
    pub bootstrap_resamples: usize,
    /// Seed of the bootstrap.
    pub bootstrap_seed: u64,
    /// α/β values for the BED sensitivity analysis (empty = off).
    pub alpha_beta_sensitivity: Vec<f64>,
    /// Events per candidate parameter of each multivariable model, with a warning below 10.
    pub events_per_variable: bool,
}

impl Default for RobustnessChecks {
    fn default() -> Self {
        RobustnessChecks {
            competing_risks: true,
            cluster_robust: true,
            firth: true,
            ph_test: true,
            reverse_km_followup: true,
            bootstrap_resamples: 500,
            bootstrap_seed: 20230922,
            alpha_beta_sensitivity: vec![3.0, 5.0, 10.0],
            events_per_variable: true,
        }
    }
}

/// Univariate screening and backward elimination.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Selection {
    /// Univariate p below which a covariate is a candidate.
    pub screen_p: f64,
    /// p below which a term stays in the model.
    pub retain_p: f64,
    /// The test of a term.
    pub test: SelectionTest,
}

/// How backward elimination tests a term.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SelectionTest {
    /// Likelihood-ratio test against the model without the term (R `drop1(test = "Chisq")`).
    LikelihoodRatio,
    /// Wald test of the term's coefficients.
    Wald,
}

/// The endpoints the study can analyse.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum EndpointId {
    /// Local control, per lesion, from the lesion's SBRT.
    Lc,
    /// Progression-free survival.
    Pfs,
    /// Overall survival.
    Os,
}

/// What one row of an endpoint's analysis is.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Every treated lesion.
    Lesion,
    /// Each patient once (the first SBRT).
    Patient,
}

/// One endpoint.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct EndpointSpec {
    /// Which endpoint.
    pub id: EndpointId,
    /// Name in the report.
    pub label: String,
    /// One row per lesion or per patient.
    pub unit: Unit,
    /// Where a lesion row's PFS or OS starts (`unit = "lesion"` only).
    #[serde(default)]
    pub origin: Origin,
    /// Landmark analysis (PFS and OS): only rows still under observation
    /// after this many months enter, their time restarting at the landmark;
    /// rows with an event or censoring at or before it are left out and
    /// counted (the answer to immortal-time bias when a covariate, such as
    /// response, is only known at the landmark).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub landmark_months: Option<f64>,
    /// Covariate ids screened for this endpoint.
    pub covariates: Vec<String>,
}

/// The start of a lesion row's PFS or OS.
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// The patient's first SBRT, as the paper (each lesion carries its
    /// patient's outcome from the same start).
    #[default]
    FirstSbrt,
    /// The lesion's own SBRT. A lesion treated after its patient had
    /// progressed has no PFS of its own from that start and is left out of
    /// PFS (counted in the report).
    LesionSbrt,
}

/// One level of a categorical covariate.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LevelSpec {
    /// Name in the report.
    pub label: String,
    /// Raw values (case-insensitive) that belong to it.
    pub values: Vec<String>,
}

/// One covariate.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CovariateSpec {
    /// Identifier used by endpoints and figures.
    pub id: String,
    /// Name in the report.
    pub label: String,
    /// Column of the analysis data.
    pub source: String,
    /// How the values become a covariate.
    pub kind: CovariateKind,
    /// Levels of a categorical covariate, reference first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub levels: Option<Vec<LevelSpec>>,
    /// Label of a last level collecting every value not listed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub others: Option<String>,
    /// Cut points of a `cut` covariate, increasing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub breaks: Option<Vec<f64>>,
    /// Labels of the `breaks.len() + 1` intervals.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<Vec<String>>,
}

/// One Kaplan-Meier figure.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FigureSpec {
    /// File name stem.
    pub id: String,
    /// Caption.
    pub title: String,
    /// Endpoint id.
    pub endpoint: EndpointId,
    /// Categorical covariate id splitting the curves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// Covariate ids to adjust the `by` curves for: the figure then draws
    /// Cox-model curves by direct adjustment instead of Kaplan-Meier ones.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub adjust_for: Vec<String>,
}

/// Kinds of covariate.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum CovariateKind {
    /// Levels from raw values.
    Categorical,
    /// Intervals of a number.
    Cut,
    /// A number.
    Continuous,
}

impl EndpointId {
    /// The study file's spelling.
    pub fn name(self) -> &'static str {
        match self {
            EndpointId::Lc => "lc",
            EndpointId::Pfs => "pfs",
            EndpointId::Os => "os",
        }
    }

    /// Whether the event belongs to the patient (progression, death), so that
    /// lesion rows carry their patient's outcome.
    pub fn is_patient_event(self) -> bool {
        self != EndpointId::Lc
    }
}

/// Most landmark times a study may list (each is a column of Tables 3 and 4).
pub const MAX_LANDMARKS: usize = 20;

/// Call `found` with the key and text of every string under `value`.
fn each_string(value: &toml::Value, key: &str, found: &mut impl FnMut(&str, &str)) {
    match value {
        toml::Value::String(s) => found(key, s),
        toml::Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                each_string(v, &format!("{key}[{i}]"), found);
            }
        }
        toml::Value::Table(t) => {
            for (k, v) in t {
                let child = if key.is_empty() { k.clone() } else { format!("{key}.{k}") };
                each_string(v, &child, found);
            }
        }
        _ => {}
    }
}

/// If `slot` is not one of the values of the setting type `T`, the message
/// (serde's, which lists them), and `fallback` put in its place so that the
/// rest of the study can still be read and checked.
fn check_choice<T: Serialize + DeserializeOwned>(slot: &mut toml::Value, fallback: T) -> Option<String> {
    let msg = T::deserialize(slot.clone()).err()?.to_string().trim().to_string();
    *slot = toml::Value::try_from(fallback).expect("a setting serialises");
    Some(msg)
}

/// Every value of an enumerated setting that is not one of its values, each
/// naming its key, so that all are reported at once (deserialisation stops
/// at the first); each is replaced by a valid value in `raw`.
fn choice_problems(raw: &mut toml::Table, name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut note = |key: String, msg: Option<String>| {
        if let Some(msg) = msg {
            out.push(format!("{name}: {key}: {msg}"));
        }
    };
    if let Some(v) = raw.get_mut("conf_type") {
        note("conf_type".into(), check_choice(v, ConfType::Log));
    }
    if let Some(v) = raw.get_mut("selection").and_then(|s| s.get_mut("test")) {
        note("selection.test".into(), check_choice(v, SelectionTest::LikelihoodRatio));
    }
    if let Some(v) = raw.get_mut("p_values") {
        note("p_values".into(), check_choice(v, PValues::ThreeDecimals));
    }
    if let Some(v) = raw.get_mut("figure_style").and_then(|s| s.get_mut("palette")) {
        note("figure_style.palette".into(), check_choice(v, Palette::ColourBlind));
    }
    let label =
        |item: &toml::Value| item.get("id").map_or(String::new(), |id| format!(" ({})", id.as_str().unwrap_or("?")));
    let mut items = |table: &str, each: &mut dyn FnMut(String, &mut toml::Table)| {
        if let Some(list) = raw.get_mut(table).and_then(toml::Value::as_array_mut) {
            for (i, item) in list.iter_mut().enumerate() {
                let key = format!("{table}[{i}]{}", label(item));
                if let Some(t) = item.as_table_mut() {
                    each(key, t);
                }
            }
        }
    };
    items("endpoint", &mut |key, e| {
        if let Some(v) = e.get_mut("id") {
            note(format!("{key}.id"), check_choice(v, EndpointId::Lc));
        }
        if let Some(v) = e.get_mut("unit") {
            note(format!("{key}.unit"), check_choice(v, Unit::Lesion));
        }
        if let Some(v) = e.get_mut("origin") {
            note(format!("{key}.origin"), check_choice(v, Origin::FirstSbrt));
        }
    });
    items("covariate", &mut |key, c| {
        if let Some(v) = c.get_mut("kind") {
            note(format!("{key}.kind"), check_choice(v, CovariateKind::Continuous));
        }
    });
    items("figure", &mut |key, f| {
        if let Some(v) = f.get_mut("endpoint") {
            note(format!("{key}.endpoint"), check_choice(v, EndpointId::Lc));
        }
    });
    out
}

impl Study {
    /// The built-in study.
    pub fn builtin() -> Study {
        Study::parse(BUILTIN, "built-in study").expect("the built-in study is valid")
    }

    /// Read and check a study file (at most 1 MB).
    pub fn load(path: &std::path::Path) -> anyhow::Result<Study> {
        const MAX_STUDY_BYTES: u64 = 1 << 20;
        let cannot = |e: std::io::Error| anyhow::anyhow!("{}: cannot read: {e}", path.display());
        let size = std::fs::metadata(path).map_err(cannot)?.len();
        if size > MAX_STUDY_BYTES {
            anyhow::bail!("{}: the study file is {size} bytes; a study file is at most 1 MB", path.display());
        }
        let text = std::fs::read_to_string(path).map_err(cannot)?;
        Study::parse(&text, &path.display().to_string()).map_err(|p| anyhow::anyhow!(p.join("\n")))
    }

    /// The study file given, or the built-in study (the source paper's analysis).
    pub fn load_or_builtin(path: Option<&std::path::Path>) -> anyhow::Result<Study> {
        path.map_or_else(|| Ok(Study::builtin()), Study::load)
    }

    /// Parse and check a study; `name` labels the messages.
    pub fn parse(text: &str, name: &str) -> Result<Study, Vec<String>> {
        let parse_error = |e: toml::de::Error| vec![format!("{name}: {}", e.to_string().trim().replace('\n', " "))];
        let mut raw: toml::Table = toml::from_str(text).map_err(parse_error)?;
        let mut problems = Vec::new();
        each_string(&toml::Value::Table(raw.clone()), "", &mut |key, text| {
            if text.chars().any(|c| c.is_control() && c != '\t') {
                problems.push(format!(
                    "{name}: {key}: holds a control character (newline, escape, NUL…): labels are plain text"
                ))
            }
        });
        if !problems.is_empty() {
            return Err(problems);
        }
        let mut problems = choice_problems(&mut raw, name);
        // Read from the text (errors with line and column) unless a setting
        // was replaced, then from the corrected table.
        let study: Study = if problems.is_empty() {
            toml::from_str(text).map_err(parse_error)?
        } else {
            match raw.try_into() {
                Ok(study) => study,
                Err(e) => {
                    problems.extend(parse_error(e));
                    return Err(problems);
                }
            }
        };
        problems.extend(study.problems(name));
        if problems.is_empty() {
            Ok(study)
        } else {
            Err(problems)
        }
    }

    /// Everything impossible about the study, each naming its key.
    fn problems(&self, name: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut bad = |key: String, msg: &str| out.push(format!("{name}: {key}: {msg}"));
        if !(self.alpha_beta > 0.0 && self.alpha_beta.is_finite()) {
            bad("alpha_beta".into(), "must be a positive number of Gy");
        }
        if !(self.default_isodose_pct > 0.0 && self.default_isodose_pct <= 100.0) {
            bad("default_isodose_pct".into(), "must be a percentage in (0, 100]");
        }
        if self.landmarks_months.is_empty() || self.landmarks_months.iter().any(|t| !(*t > 0.0 && t.is_finite())) {
            bad("landmarks_months".into(), "must list at least one positive time in months");
        }
        if self.landmarks_months.len() > MAX_LANDMARKS {
            bad(
                "landmarks_months".into(),
                &format!("lists {} times; at most {MAX_LANDMARKS}", self.landmarks_months.len()),
            );
        }
        if !(72.0..=1200.0).contains(&self.figure_dpi) {
            bad("figure_dpi".into(), "must be between 72 and 1200");
        }
        let fs = &self.figure_style;
        if !(60.0..=400.0).contains(&fs.width_mm) {
            bad("figure_style.width_mm".into(), "must be between 60 and 400");
        }
        if !(30.0..=300.0).contains(&fs.plot_height_mm) {
            bad("figure_style.plot_height_mm".into(), "must be between 30 and 300");
        }
        if !(5.0..=16.0).contains(&fs.font_pt) {
            bad("figure_style.font_pt".into(), "must be between 5 and 16");
        }
        if fs.x_max_months.is_some_and(|v| !(v.is_finite() && v > 0.0)) {
            bad("figure_style.x_max_months".into(), "must be a positive number");
        }
        if fs.x_break_months.is_some_and(|v| !(v.is_finite() && v > 0.0)) {
            bad("figure_style.x_break_months".into(), "must be a positive number");
        }
        if let (Some(b), Some(m)) = (fs.x_break_months, fs.x_max_months) {
            if m / b > 50.0 {
                bad("figure_style.x_break_months".into(), "gives more than 50 ticks up to x_max_months");
            }
        }
        if let Some(times) = &fs.risk_table_months {
            if times.is_empty() || times.len() > 30 || times.iter().any(|t| !(t.is_finite() && *t >= 0.0)) {
                bad("figure_style.risk_table_months".into(), "must be 1 to 30 times >= 0");
            }
        }
        if !(self.conf_level > 0.0 && self.conf_level < 1.0) {
            bad("conf_level".into(), "must be between 0 and 1");
        }
        for (key, p) in
            [("selection.screen_p", self.selection.screen_p), ("selection.retain_p", self.selection.retain_p)]
        {
            if !(p > 0.0 && p <= 1.0) {
                bad(key.into(), "must be a probability in (0, 1]");
            }
        }
        let ids: Vec<&str> = self.covariates.iter().map(|c| c.id.as_str()).collect();
        for (i, c) in self.covariates.iter().enumerate() {
            let key = |k: &str| format!("covariate[{i}] ({}).{k}", c.id);
            if ids.iter().filter(|id| **id == c.id).count() > 1 {
                bad(key("id"), "is used by more than one covariate");
            }
            match c.kind {
                CovariateKind::Categorical => {
                    match &c.levels {
                        Some(l) if !l.is_empty() => {
                            if l.iter().any(|lv| lv.values.is_empty()) {
                                bad(key("levels"), "every level needs at least one value");
                            }
                        }
                        _ => bad(key("levels"), "a categorical covariate needs at least one level"),
                    }
                    if c.breaks.is_some() || c.labels.is_some() {
                        bad(key("breaks"), "breaks and labels belong to kind = \"cut\"");
                    }
                }
                CovariateKind::Cut => {
                    let breaks = c.breaks.as_deref().unwrap_or_default();
                    if breaks.is_empty()
                        || breaks.windows(2).any(|w| w[1] <= w[0])
                        || breaks.iter().any(|b| !b.is_finite())
                    {
                        bad(key("breaks"), "needs one or more increasing finite cut points");
                    }
                    if c.labels.as_ref().map(Vec::len) != Some(breaks.len() + 1) {
                        bad(key("labels"), "needs one label more than there are breaks");
                    }
                    if c.levels.is_some() || c.others.is_some() {
                        bad(key("levels"), "levels and others belong to kind = \"categorical\"");
                    }
                }
                CovariateKind::Continuous => {
                    if c.levels.is_some() || c.breaks.is_some() || c.labels.is_some() || c.others.is_some() {
                        bad(key("kind"), "a continuous covariate takes no levels, breaks, labels or others");
                    }
                }
            }
        }
        let so = &self.spine_outcomes;
        if so.acute_days == 0 || so.acute_days > 3650 {
            bad("spine_outcomes.acute_days".into(), "must be 1 to 3650 days");
        }
        if so.sins_groups.windows(2).any(|w| w[1] <= w[0]) || so.sins_groups.iter().any(|&c| c >= 18) {
            bad("spine_outcomes.sins_groups".into(), "must be increasing SINS values below 18");
        }
        if !(so.pain_response_months > 0.0 && so.pain_response_months.is_finite()) {
            bad("spine_outcomes.pain_response_months".into(), "must be a positive number of months");
        }
        if !(so.pain_window_months >= 0.0 && so.pain_window_months < so.pain_response_months) {
            bad("spine_outcomes.pain_window_months".into(), "must be 0 or more and below pain_response_months");
        }
        if self.robustness.alpha_beta_sensitivity.iter().any(|a| !(*a > 0.0 && a.is_finite())) {
            bad("robustness.alpha_beta_sensitivity".into(), "every α/β must be a positive number of Gy");
        }
        if self.robustness.bootstrap_resamples > 100_000 {
            bad("robustness.bootstrap_resamples".into(), "at most 100000 resamples");
        }
        let endpoint_ids: Vec<EndpointId> = self.endpoints.iter().map(|e| e.id).collect();
        if self.endpoints.is_empty() {
            bad("endpoint".into(), "at least one endpoint is needed");
        }
        for (i, e) in self.endpoints.iter().enumerate() {
            let key = |k: &str| format!("endpoint[{i}] ({}).{k}", e.id.name());
            if endpoint_ids.iter().filter(|id| **id == e.id).count() > 1 {
                bad(key("id"), "appears more than once");
            }
            if e.origin == Origin::LesionSbrt && (e.unit != Unit::Lesion || e.id == EndpointId::Lc) {
                bad(
                    key("origin"),
                    "lesion_sbrt applies to PFS and OS analysed per lesion (LC always starts at the lesion's SBRT)",
                );
            }
            if let Some(l) = e.landmark_months {
                if !(l > 0.0 && l.is_finite()) {
                    bad(key("landmark_months"), "must be a positive number of months");
                }
                if e.id == EndpointId::Lc {
                    bad(
                        key("landmark_months"),
                        "applies to PFS and OS (local control's competing-risk analyses use every lesion)",
                    );
                }
            }
            for c in &e.covariates {
                if !ids.contains(&c.as_str()) {
                    bad(key("covariates"), &format!("'{c}' is not a defined covariate"));
                }
            }
        }
        for (i, f) in self.figures.iter().enumerate() {
            let key = |k: &str| format!("figure[{i}] ({}).{k}", f.id);
            if !endpoint_ids.contains(&f.endpoint) {
                bad(key("endpoint"), "is not an endpoint of the study");
            }
            if f.id.is_empty() || !f.id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
                bad(key("id"), "must be a non-empty file-name-safe word (letters, digits, _ and -)");
            }
            if let Some(by) = &f.by {
                match self.covariates.iter().find(|c| &c.id == by) {
                    None => bad(key("by"), &format!("'{by}' is not a defined covariate")),
                    Some(c) if c.kind == CovariateKind::Continuous => {
                        bad(key("by"), "must be a categorical or cut covariate")
                    }
                    Some(_) => {}
                }
            }
            if !f.adjust_for.is_empty() && f.by.is_none() {
                bad(key("adjust_for"), "needs `by`: the factor whose curves are adjusted");
            }
            for c in &f.adjust_for {
                if !ids.contains(&c.as_str()) {
                    bad(key("adjust_for"), &format!("'{c}' is not a defined covariate"));
                } else if f.by.as_ref() == Some(c) {
                    bad(key("adjust_for"), &format!("'{c}' is the figure's `by` factor itself"));
                }
            }
        }
        out
    }

    /// The covariate with this id.
    pub fn covariate(&self, id: &str) -> &CovariateSpec {
        self.covariates.iter().find(|c| c.id == id).expect("validated id")
    }

    /// Every text of the study with its key (`title`, `covariate[2].label`, …).
    pub fn texts(&self) -> Vec<(String, String)> {
        let value = toml::Value::try_from(self).expect("a study serialises");
        let mut out = Vec::new();
        each_string(&value, "", &mut |key, text| out.push((key.to_string(), text.to_string())));
        out
    }

    /// The endpoint with this id, if the study analyses it.
    pub fn endpoint(&self, id: EndpointId) -> Option<&EndpointSpec> {
        self.endpoints.iter().find(|e| e.id == id)
    }

    /// The confidence settings of the Kaplan-Meier estimates.
    pub fn conf_spec(&self) -> ConfSpec {
        ConfSpec { conf_type: self.conf_type, level: self.conf_level }
    }

    /// The derivation settings of the study.
    pub fn derive_options(&self) -> crate::endpoints::DeriveOptions {
        crate::endpoints::DeriveOptions {
            alpha_beta: self.alpha_beta,
            pfs_counts_death: self.pfs_counts_death,
            default_isodose_pct: self.default_isodose_pct,
        }
    }

    /// The analysis-file columns the covariates are computed from.
    pub fn sources(&self) -> Vec<&str> {
        self.covariates.iter().map(|c| c.source.as_str()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_study_is_valid_and_round_trips() {
        let s = Study::builtin();
        assert_eq!(s.endpoints.len(), 3);
        let text = toml::to_string(&s).unwrap();
        assert_eq!(Study::parse(&text, "x").unwrap(), s);
    }

    /// A setting outside its values is an error naming the key, every one
    /// at once; the values are the enum's own (no second list to drift
    /// from the code that reads the setting).
    #[test]
    fn unknown_setting_values_are_errors_naming_the_key() {
        let text = BUILTIN
            .replace("conf_type = \"log\"", "conf_type = \"loglog\"")
            .replace("test = \"likelihood_ratio\"", "test = \"score\"")
            .replace("kind = \"cut\"", "kind = \"cuts\"");
        let err = Study::parse(&text, "s.toml").unwrap_err().join("\n");
        assert!(err.contains("s.toml: conf_type: unknown variant `loglog`"), "{err}");
        assert!(err.contains("s.toml: selection.test: unknown variant `score`"), "{err}");
        assert!(err.contains("s.toml: covariate[1] (age).kind: unknown variant `cuts`"), "{err}");
    }

    #[test]
    fn endpoint_names_are_the_study_file_spelling() {
        for id in [EndpointId::Lc, EndpointId::Pfs, EndpointId::Os] {
            assert_eq!(toml::Value::try_from(id).unwrap().as_str(), Some(id.name()));
        }
    }

    #[test]
    fn unknown_keys_are_errors_naming_the_key() {
        let text = BUILTIN.replace("alpha_beta = 5.0", "alpha_beta = 5.0\nalpha_bet = 3");
        let err = Study::parse(&text, "s.toml").unwrap_err();
        assert!(err[0].contains("alpha_bet"), "{err:?}");
    }

    #[test]
    fn impossible_values_are_errors_naming_the_key() {
        let text = BUILTIN
            .replace("screen_p = 0.1", "screen_p = 1.5")
            .replace("breaks = [40.0]", "breaks = [40.0, 30.0]")
            .replace(
                "unit = \"lesion\"\ncovariates = [\"sex\", \"age\", \"histology\", \"disease_status\", \"prior_rt\"",
                "unit = \"tumour\"\ncovariates = [\"sex\", \"age\", \"histology\", \"disease_status\", \"prior_rt\"",
            );
        let err = Study::parse(&text, "s.toml").unwrap_err().join("\n");
        assert!(err.contains("selection.screen_p"), "{err}");
        assert!(err.contains("covariate[1] (age).breaks"), "{err}");
        assert!(err.contains("endpoint[0] (lc).unit"), "{err}");
    }

    #[test]
    fn adjusted_figures_need_a_factor_and_defined_covariates() {
        let text = BUILTIN
            .replace("adjust_for = [\"age\", \"disease_status\"]", "adjust_for = [\"age\", \"extent\", \"weight\"]")
            .replace(
                "title = \"Progression-free survival, all lesions\"\nendpoint = \"pfs\"",
                "title = \"Progression-free survival, all lesions\"\nendpoint = \"pfs\"\nadjust_for = [\"age\"]",
            );
        let err = Study::parse(&text, "s.toml").unwrap_err().join("\n");
        assert!(err.contains("(figure2a_adjusted).adjust_for: 'extent' is the figure's `by` factor itself"), "{err}");
        assert!(err.contains("(figure2a_adjusted).adjust_for: 'weight' is not a defined covariate"), "{err}");
        assert!(err.contains("(pfs_overall).adjust_for: needs `by`"), "{err}");
    }

    #[test]
    fn figure_style_values_are_checked_naming_the_key() {
        let text = BUILTIN
            .replace("width_mm = 200.0", "width_mm = 20.0")
            .replace("font_pt = 9.0", "font_pt = 40.0\nx_max_months = -3.0\nrisk_table_months = []")
            .replace("palette = \"colour_blind\"", "palette = \"rainbow\"");
        let err = Study::parse(&text, "s.toml").unwrap_err().join("\n");
        assert!(err.contains("figure_style.palette"), "{err}");
        let text = BUILTIN
            .replace("width_mm = 200.0", "width_mm = 20.0")
            .replace("font_pt = 9.0", "font_pt = 40.0\nx_max_months = -3.0\nrisk_table_months = []");
        let err = Study::parse(&text, "s.toml").unwrap_err().join("\n");
        for key in ["width_mm", "font_pt", "x_max_months", "risk_table_months"] {
            assert!(err.contains(&format!("figure_style.{key}")), "{key}: {err}");
        }
    }
}
