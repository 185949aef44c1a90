//! The study's analysis of a validated cohort: derive the endpoints,
//! evaluate the covariates, and compute everything the report shows
//! (the descriptive counts of Tables 1, 2 and 5, the outcome summary, the
//! univariate screens, the selected multivariable models, the
//! Kaplan-Meier curves of the figures, the reviewer's checks). Pure
//! computation: it returns [`crate::results`]; [`crate::report`] renders.

pub mod adjusted;
pub mod descriptive;
pub mod robustness;
pub mod selection;
pub mod spine_outcomes;
pub mod stability;
pub mod survival;
pub mod univariate;
pub mod variables;

use crate::analysis_file::{study_extras, Value, COLUMNS};
use crate::cohort::Cohort;
use crate::endpoints::{derive_in_place, AnalysisRow, FirstOfPatient, Outcome};
use crate::parallel_map::map_by_size;
use crate::results::{Adjustment, EndpointResult, FigureResult, Results};
use crate::study::{EndpointId, EndpointSpec, FigureSpec, Origin, Study, Unit};
use selection::{backward_elimination, Candidate, Extras};
use std::sync::atomic::{AtomicUsize, Ordering};
use survival::fit_curve;
use survstat::logrank::logrank;
use survstat::radix;
use univariate::screen;
use variables::{evaluate, Variable};

/// The derived rows, and the values of the columns the study's covariates
/// read, column by column.
pub struct AnalysisData {
    /// One row per lesion.
    pub rows: Vec<AnalysisRow>,
    /// Column names (the analysis file's, then shareable extras).
    pub columns: Vec<String>,
    /// The columns a covariate reads: index into `columns`, and the column.
    sources: Vec<(usize, SourceColumn)>,
}

/// A column a covariate reads, its distinct values held once: a column
/// repeats few values (words, doses, counts), so a row costs four bytes
/// instead of a value and, for a word, its text.
pub struct SourceColumn {
    /// The distinct values, in order of first appearance.
    values: Vec<Value>,
    /// Per row, the index of its value, or [`SourceColumn::EMPTY`].
    codes: Vec<u32>,
}

impl SourceColumn {
    /// The code of a row without a value.
    const EMPTY: u32 = u32::MAX;

    /// The column of `cells`, row by row.
    fn of(cells: impl Iterator<Item = Option<Value>>) -> SourceColumn {
        /// A value as a map key: a number by its bits.
        #[derive(PartialEq, Eq, Hash)]
        enum Key {
            Number(u64),
            Text(String),
        }
        let mut index: foldhash::HashMap<Key, u32> = foldhash::HashMap::default();
        let codes = cells
            .map(|cell| {
                let key = match cell {
                    None => return Self::EMPTY,
                    Some(Value::Number(x)) => Key::Number(x.to_bits()),
                    Some(Value::Text(t)) => Key::Text(t),
                };
                let next = index.len() as u32;
                *index.entry(key).or_insert(next)
            })
            .collect();
        let mut values: Vec<(u32, Value)> = index
            .into_iter()
            .map(|(key, k)| match key {
                Key::Number(bits) => (k, Value::Number(f64::from_bits(bits))),
                Key::Text(t) => (k, Value::Text(t)),
            })
            .collect();
        values.sort_unstable_by_key(|v| v.0);
        SourceColumn { values: values.into_iter().map(|v| v.1).collect(), codes }
    }

    /// Row `i`'s value.
    pub fn get(&self, i: usize) -> Option<&Value> {
        let code = self.codes[i];
        (code != Self::EMPTY).then(|| &self.values[code as usize])
    }
}

/// The derived rows before the columns the study's covariates read are
/// tabulated: what the analysis needs of the cohort's lesions, which give
/// their memory up for the rows.
pub struct DerivedRows {
    rows: Vec<AnalysisRow>,
    columns: Vec<String>,
    /// Index into each row's `extra` of every extra column in `columns`.
    extras: Vec<usize>,
}

impl DerivedRows {
    /// The rows of `cohort` as the study derives them, with the extra
    /// columns named in its covariate sources, each row in the place of
    /// its lesion ([`derive_in_place`]).
    pub fn of(cohort: Cohort, study: &Study) -> DerivedRows {
        let (extras, _) = study_extras(&cohort, &study.sources());
        let mut columns: Vec<String> = COLUMNS.iter().map(|c| c.name.to_string()).collect();
        columns.extend(extras.iter().map(|&j| cohort.extra_columns[j].clone()));
        let rows = derive_in_place(cohort, &study.derive_options());
        DerivedRows { rows, columns, extras }
    }

    /// Check that every covariate's source column is one of these rows'
    /// columns, before any is tabulated.
    pub fn check_sources(&self, study: &Study) -> Result<(), Vec<String>> {
        let missing: Vec<String> = study
            .covariates
            .iter()
            .filter(|c| !self.columns.contains(&c.source))
            .map(|c| {
                format!(
                    "study: covariate '{}': source column '{}' is not in the analysis data (columns: {})",
                    c.id,
                    c.source,
                    self.columns.join(", ")
                )
            })
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(missing)
        }
    }

    /// Tabulate the columns the study's covariates read, each on a core.
    pub fn tabulate(self, study: &Study) -> AnalysisData {
        let DerivedRows { rows, columns, extras } = self;
        let options = study.derive_options();
        let mut wanted: Vec<usize> =
            study.sources().iter().filter_map(|s| columns.iter().position(|c| c == s)).collect();
        wanted.sort_unstable();
        wanted.dedup();
        let sources = map_by_size(rows.len(), &wanted, |&j| {
            let column = match COLUMNS.get(j) {
                Some(c) => SourceColumn::of(rows.iter().map(|r| (c.value)(r, &options))),
                None => {
                    SourceColumn::of(rows.iter().map(|r| r.extra[extras[j - COLUMNS.len()]].clone().map(Value::Text)))
                }
            };
            (j, column)
        });
        AnalysisData { rows, columns, sources }
    }
}

impl AnalysisData {
    /// A column a covariate reads.
    pub fn column(&self, name: &str) -> Option<&SourceColumn> {
        let j = self.columns.iter().position(|c| c == name)?;
        self.sources.iter().find(|(k, _)| *k == j).map(|(_, column)| column)
    }
}

/// The rows, times and events of one endpoint at its unit.
#[derive(Debug, Clone)]
pub struct EndpointData {
    /// Indices into the analysis rows, in decreasing time (the cohort's
    /// order within tied times).
    pub rows: Vec<usize>,
    /// Months.
    pub time: Vec<f64>,
    /// Events.
    pub event: Vec<bool>,
    /// Patient number of each row (for clustering).
    pub patient: Vec<usize>,
    /// Rows left out by a landmark (event or censoring at or before it).
    pub before_landmark: usize,
}

/// The rows of endpoint `id` at `unit`: every lesion, or each patient's
/// first; for lesion rows of PFS and OS from the lesion's own SBRT
/// (`origin`), the lesions without a PFS of their own from that start are
/// left out. With a `landmark`, only rows with time beyond it, their time
/// less the landmark.
pub fn endpoint_data(
    rows: &[AnalysisRow],
    id: EndpointId,
    unit: Unit,
    origin: Origin,
    landmark: Option<f64>,
) -> EndpointData {
    let mut first = FirstOfPatient::default();
    let from_lesion = unit == Unit::Lesion && origin == Origin::LesionSbrt;
    let outcome = |r: &AnalysisRow| -> Option<Outcome> {
        match (id, from_lesion) {
            (EndpointId::Lc, _) => Some(r.lc),
            (EndpointId::Pfs, false) => Some(r.pfs),
            (EndpointId::Pfs, true) => r.pfs_from_lesion,
            (EndpointId::Os, false) => Some(r.os),
            (EndpointId::Os, true) => Some(r.os_from_lesion),
        }
    };
    // The kept rows' outcomes and patients are read in one pass in row
    // order, then put in order from those compact copies: gathering them
    // by time from the rows themselves (368 bytes each, 622 MB at a
    // million patients) waited on memory for each of them.
    let start = landmark.unwrap_or(0.0);
    let mut before_landmark = 0;
    let mut pairs = Vec::new();
    let (mut kept, mut event, mut patient) = (Vec::new(), Vec::new(), Vec::new());
    for (i, r) in rows.iter().enumerate() {
        if !(unit == Unit::Lesion || first.keep(r.patient)) {
            continue;
        }
        let Some(o) = outcome(r) else { continue };
        let after_landmark = landmark.is_none() || o.time > start;
        if !after_landmark {
            before_landmark += 1;
            continue;
        }
        pairs.push((o.time, kept.len()));
        kept.push(i);
        event.push(o.event);
        patient.push(r.patient);
    }
    // In decreasing time, input order within ties: the order each Cox
    // fit's risk-set pass sorts its rows into, which its sort then finds
    // already done (a subset keeps it). The other statistics sort their
    // rows stably by time, so they see tied times in the cohort's order as
    // before; only sums taken in row order (a covariate's mean) may differ
    // in their last bits.
    let (order, times) = radix::order_by(pairs, radix::descending);
    EndpointData {
        time: times.iter().map(|t| t - start).collect(),
        event: order.iter().map(|&k| event[k]).collect(),
        patient: order.iter().map(|&k| patient[k]).collect(),
        before_landmark,
        rows: order.iter().map(|&k| kept[k]).collect(),
    }
}

/// The rows an endpoint of the study analyses.
pub fn spec_data(rows: &[AnalysisRow], spec: &EndpointSpec) -> EndpointData {
    endpoint_data(rows, spec.id, spec.unit, spec.origin, spec.landmark_months)
}

/// Evaluate a covariate on an endpoint's rows.
pub(crate) fn variable_on(study: &Study, data: &AnalysisData, id: &str, rows: &[usize]) -> Variable {
    let spec = study.covariate(id);
    let col = data.column(&spec.source).expect("sources checked");
    let values: Vec<Option<&Value>> = rows.iter().map(|&i| col.get(i)).collect();
    evaluate(spec, &values)
}

/// Run the study on a cohort.
pub fn analyze(cohort: Cohort, study: &Study) -> Result<Results, Vec<String>> {
    analyze_with_progress(cohort, study, &|_, _, _| {})
}

/// The analysis of one endpoint: its curves, univariate screens and model.
fn endpoint_result(
    data: &AnalysisData,
    study: &Study,
    spec: &EndpointSpec,
    warnings: &mut Vec<String>,
    progress: &(dyn Fn(&str, usize, usize) + Sync),
) -> EndpointResult {
    let conf = study.conf_spec();
    let ep = spec_data(&data.rows, spec);
    let overall = fit_curve("All", &ep.time, &ep.event, conf, &study.landmarks_months);
    if let Some(l) = spec.landmark_months {
        warnings.push(format!(
            "{}: landmark analysis from {l} months: {} rows with an event or censoring at or before it are left out; times are counted from the landmark",
            spec.label, ep.before_landmark
        ));
    }
    let per_patient = (spec.unit == Unit::Lesion && spec.id.is_patient_event()).then(|| {
        let patients = endpoint_data(&data.rows, spec.id, Unit::Patient, spec.origin, spec.landmark_months);
        fit_curve("All patients", &patients.time, &patients.event, conf, &study.landmarks_months)
    });
    let mut univariate = Vec::new();
    let mut variables = Vec::new();
    let screening = format!("{}: univariate screens", spec.label);
    let screened = AtomicUsize::new(0);
    progress(&screening, 0, spec.covariates.len());
    let screens = map_by_size(ep.rows.len(), &spec.covariates, |id| {
        let var = variable_on(study, data, id, &ep.rows);
        let u = screen(id, &study.covariate(id).label, &var, &ep.time, &ep.event, conf, &study.landmarks_months);
        progress(&screening, screened.fetch_add(1, Ordering::Relaxed) + 1, spec.covariates.len());
        (var, u)
    });
    for (id, (var, u)) in spec.covariates.iter().zip(screens) {
        let cov = study.covariate(id);
        if u.n_missing > 0 {
            warnings.push(format!(
                "{}: {} of {} rows have no value for '{}' and are left out of its analysis",
                spec.label,
                u.n_missing,
                ep.rows.len(),
                cov.label
            ));
        }
        univariate.push(u);
        variables.push(var);
    }
    let cands: Vec<Candidate> = spec
        .covariates
        .iter()
        .zip(&univariate)
        .zip(&variables)
        .filter(|((_, u), _)| u.p.is_some_and(|p| p < study.selection.screen_p))
        .map(|((id, u), v)| Candidate { id, label: &u.label, variable: v })
        .collect();
    let rb = &study.robustness;
    let extras = Extras {
        cluster: (rb.cluster_robust && spec.unit == Unit::Lesion).then_some(ep.patient.as_slice()),
        ph_test: rb.ph_test,
        firth_if_monotone: rb.firth && data.rows.len() <= robustness::RESAMPLING_MAX_ROWS,
    };
    progress(&screening, spec.covariates.len(), spec.covariates.len());
    progress(&format!("{}: backward elimination", spec.label), 0, 0);
    let model = backward_elimination(&cands, &ep.time, &ep.event, &study.selection, study.conf_level, extras);
    if let Some(epv) = model.events_per_variable.filter(|e| rb.events_per_variable && *e < 10.0) {
        warnings.push(format!(
            "{}: {epv:.1} events per candidate parameter ({} events, {} parameters) is below 10: the selected model may be unstable (see the bootstrap inclusion frequencies)",
            spec.label, model.events, model.candidate_df
        ));
    }
    for w in &model.warnings {
        warnings.push(format!("{} multivariable model: {w}", spec.label));
    }
    EndpointResult {
        id: spec.id,
        label: spec.label.clone(),
        unit: spec.unit,
        origin: spec.origin,
        landmark_months: spec.landmark_months,
        overall,
        per_patient,
        univariate,
        model,
    }
}

/// The curves of one Kaplan-Meier figure, by a categorical covariate or overall.
fn figure_result(data: &AnalysisData, study: &Study, f: &FigureSpec, warnings: &mut Vec<String>) -> FigureResult {
    let conf = study.conf_spec();
    let spec = study.endpoint(f.endpoint).expect("validated");
    let ep = spec_data(&data.rows, spec);
    let mut adjustment = None;
    let (curves, logrank_p, by) = match &f.by {
        None => (vec![fit_curve("All", &ep.time, &ep.event, conf, &study.landmarks_months)], None, None),
        Some(by) => {
            let var = variable_on(study, data, by, &ep.rows);
            if !f.adjust_for.is_empty() {
                adjustment = figure_adjustment(data, study, f, &var, &ep, warnings);
            }
            let Variable::Categorical { labels, codes } = &var else {
                unreachable!("figure by a continuous covariate is rejected by the study check")
            };
            let (rows, g) = codes.rows_with_levels();
            let t: Vec<f64> = rows.iter().map(|&i| ep.time[i]).collect();
            let e: Vec<bool> = rows.iter().map(|&i| ep.event[i]).collect();
            let curves = labels
                .iter()
                .enumerate()
                .map(|(l, name)| {
                    let k: Vec<usize> = (0..g.len()).filter(|&k| g[k] == l).collect();
                    fit_curve(
                        name,
                        &k.iter().map(|&k| t[k]).collect::<Vec<_>>(),
                        &k.iter().map(|&k| e[k]).collect::<Vec<_>>(),
                        conf,
                        &study.landmarks_months,
                    )
                })
                .collect();
            let p = logrank(&t, &e, &g, labels.len(), None).ok().map(|r| r.p);
            (curves, p, Some(study.covariate(by).label.clone()))
        }
    };
    FigureResult {
        id: f.id.clone(),
        title: f.title.clone(),
        endpoint: spec.id,
        endpoint_label: spec.label.clone(),
        by,
        curves,
        logrank_p,
        adjustment,
        incidence: false,
    }
}

/// The adjusted curves a figure asks for; `None`, with a warning, where
/// the model cannot be fitted or the cohort is too large for them.
fn figure_adjustment(
    data: &AnalysisData,
    study: &Study,
    f: &FigureSpec,
    by: &Variable,
    ep: &EndpointData,
    warnings: &mut Vec<String>,
) -> Option<Adjustment> {
    if ep.rows.len() > robustness::RESAMPLING_MAX_ROWS {
        warnings.push(format!(
            "{}: adjusted curves are skipped above {} rows (one predicted curve per row and level); the figure shows Kaplan-Meier curves",
            f.id,
            robustness::RESAMPLING_MAX_ROWS
        ));
        return None;
    }
    let by_id = f.by.as_deref().expect("adjustment needs by");
    let others: Vec<Variable> = f.adjust_for.iter().map(|id| variable_on(study, data, id, &ep.rows)).collect();
    let mut candidates = vec![Candidate { id: by_id, label: &study.covariate(by_id).label, variable: by }];
    for (id, var) in f.adjust_for.iter().zip(&others) {
        candidates.push(Candidate { id, label: &study.covariate(id).label, variable: var });
    }
    adjusted::adjusted_curves(&candidates, &ep.time, &ep.event)
        .map_err(|e| {
            warnings.push(format!("{}: adjusted curves not possible ({e}); the figure shows Kaplan-Meier curves", f.id))
        })
        .ok()
}

/// Run the study, reporting progress as (stage, done, total; 0 when not counted).
///
/// The cohort's lesions become its analysis rows, in their memory (at a
/// million patients, 0.65 GB): every later stage reads only the rows and
/// the events derived before them.
pub fn analyze_with_progress(
    cohort: Cohort,
    study: &Study,
    progress: &(dyn Fn(&str, usize, usize) + Sync),
) -> Result<Results, Vec<String>> {
    progress("deriving endpoints", 0, 0);
    // What checking the cohort freed goes back before the rows are
    // derived, and what deriving freed once they are.
    crate::large_pages::return_free_memory();
    let cohort_events = spine_outcomes::CohortEvents::of(&cohort, study);
    let derived = DerivedRows::of(cohort, study);
    derived.check_sources(study)?;
    crate::large_pages::return_free_memory();
    let data = derived.tabulate(study);
    let mut warnings = Vec::new();
    let endpoints: Vec<EndpointResult> =
        study.endpoints.iter().map(|spec| endpoint_result(&data, study, spec, &mut warnings, progress)).collect();
    // The figures each on a core, their warnings kept in figure order.
    let drawn = AtomicUsize::new(0);
    progress("Kaplan-Meier figures", 0, study.figures.len());
    let mut figures = Vec::new();
    for (figure, figure_warnings) in map_by_size(data.rows.len(), &study.figures, |f| {
        let mut figure_warnings = Vec::new();
        let figure = figure_result(&data, study, f, &mut figure_warnings);
        progress("Kaplan-Meier figures", drawn.fetch_add(1, Ordering::Relaxed) + 1, study.figures.len());
        (figure, figure_warnings)
    }) {
        figures.push(figure);
        warnings.extend(figure_warnings);
    }
    if study.robustness.competing_risks && study.endpoint(EndpointId::Lc).is_some() {
        figures.push(robustness::competing_figure(&data, study));
    }
    // What the eliminations and figures freed goes back before the
    // robustness section's fits, which run two at a time, each in its own
    // thread's heap (at a million patients, 2 of 8 runs peaked at 1,453 and
    // 1,517 MiB without this, and a sampled run at 1,576 MiB here; none of
    // 8 above 1,429 MiB with it).
    crate::large_pages::return_free_memory();
    let robustness = robustness::compute(&data, study, &endpoints, progress);
    warnings.extend(robustness.skipped.iter().cloned());
    progress("toxicity, fracture, pain and failure patterns", 0, 0);
    let spine = spine_outcomes::compute(&cohort_events, &data, study);
    warnings.extend(spine.skipped.iter().cloned());
    figures.extend(spine.figures);
    progress("descriptive tables", 0, 0);
    Ok(Results {
        n_patients: data.rows.iter().map(|r| r.patient).max().unwrap_or(0),
        n_lesions: data.rows.len(),
        descriptives: descriptive::describe(&data.rows, study.alpha_beta),
        endpoints,
        figures,
        follow_up: descriptive::follow_up(&data.rows),
        robustness,
        toxicity: spine.toxicity,
        vcf: spine.vcf,
        pain_response: spine.pain_response,
        failure_patterns: spine.failure_patterns,
        warnings,
    })
}
