//! The study's analysis of a validated cohort: derive the endpoints,
//! evaluate the covariates, and compute everything the report shows
//! (Tables 1-5, the outcome summary, the univariate screens, the selected
//! multivariable models, the Kaplan-Meier curves of the figures). Pure
//! computation: rendering is in [`crate::report`].

pub mod literature;
pub mod paper_tables;
pub mod robustness;
pub mod selection;
pub mod stability;
pub mod survival;
pub mod table;
pub mod univariate;
pub mod variables;

use crate::analysis_file::{row_cells, study_extras, COLUMNS};
use crate::cohort::Cohort;
use crate::endpoints::{derive, AnalysisRow, DeriveOptions};
use crate::study::{CovariateKind, EndpointSpec, Origin, Study};
use selection::{backward_elimination, Candidate, Extras, Model};
use serde::Serialize;
use survival::Curve;
use survstat::km::{ConfSpec, ConfType};
use survstat::logrank::logrank;
use table::Table;
use univariate::{screen, Univariate};
use variables::{evaluate, Variable};

/// The derived rows with their text cells, by column.
pub struct AnalysisData {
    /// One row per lesion.
    pub rows: Vec<AnalysisRow>,
    /// Column names (the analysis file's, then shareable extras).
    pub columns: Vec<String>,
    /// Cells per row, per column.
    pub cells: Vec<Vec<Option<String>>>,
}

impl AnalysisData {
    /// Derive and tabulate, with the extra columns named in `sources`.
    pub fn new(cohort: &Cohort, options: &DeriveOptions, sources: &[&str]) -> AnalysisData {
        let rows = derive(cohort, options);
        let (extras, _) = study_extras(cohort, sources);
        let mut columns: Vec<String> = COLUMNS.iter().map(|c| c.to_string()).collect();
        columns.extend(extras.iter().map(|&j| cohort.extra_columns[j].clone()));
        let cells = rows
            .iter()
            .map(|r| {
                let mut c: Vec<Option<String>> =
                    row_cells(r, options).into_iter().map(|s| Some(s).filter(|s| !s.is_empty())).collect();
                c.extend(extras.iter().map(|&j| r.extra[j].clone()));
                c
            })
            .collect();
        AnalysisData { rows, columns, cells }
    }

    /// A column's cells, if it exists.
    pub fn column(&self, name: &str) -> Option<Vec<Option<&str>>> {
        let j = self.columns.iter().position(|c| c == name)?;
        Some(self.cells.iter().map(|r| r[j].as_deref()).collect())
    }
}

/// The rows, times and events of one endpoint at its unit.
#[derive(Debug, Clone)]
pub struct EndpointData {
    /// Indices into the analysis rows.
    pub rows: Vec<usize>,
    /// Months.
    pub time: Vec<f64>,
    /// Events.
    pub event: Vec<bool>,
    /// Patient number of each row (for clustering).
    pub patient: Vec<usize>,
}

/// The rows an endpoint analyses: every lesion, or each patient's first;
/// for lesion rows of PFS and OS from the lesion's own SBRT (`origin`), the
/// lesions without a PFS of their own from that start are left out.
pub fn endpoint_data(rows: &[AnalysisRow], spec: &EndpointSpec) -> EndpointData {
    let mut seen = std::collections::HashSet::new();
    let from_lesion = spec.unit == "lesion" && spec.origin == Origin::LesionSbrt;
    let outcome = |r: &AnalysisRow| match (spec.id.as_str(), from_lesion) {
        ("lc", _) => Some(r.lc),
        ("pfs", false) => Some(r.pfs),
        ("pfs", true) => r.pfs_from_lesion,
        (_, false) => Some(r.os),
        (_, true) => Some(r.os_from_lesion),
    };
    let idx: Vec<usize> = (0..rows.len())
        .filter(|&i| spec.unit == "lesion" || seen.insert(rows[i].patient))
        .filter(|&i| outcome(&rows[i]).is_some())
        .collect();
    let at = |i: usize| outcome(&rows[i]).expect("filtered");
    EndpointData {
        time: idx.iter().map(|&i| at(i).time).collect(),
        event: idx.iter().map(|&i| at(i).event).collect(),
        patient: idx.iter().map(|&i| rows[i].patient).collect(),
        rows: idx,
    }
}

/// Everything about one endpoint.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EndpointResult {
    /// `lc`, `pfs` or `os`.
    pub id: String,
    /// Label.
    pub label: String,
    /// `lesion` or `patient`.
    pub unit: String,
    /// Where lesion rows of PFS and OS start.
    pub origin: Origin,
    /// The whole-set curve with landmarks and median.
    pub overall: Curve,
    /// For a patient-level event (PFS, OS) analysed per lesion: the same
    /// endpoint on one row per patient from the first SBRT, where each
    /// patient's event counts once. `None` for LC and per-patient endpoints.
    pub per_patient: Option<Curve>,
    /// The univariate screen, in study order.
    pub univariate: Vec<Univariate>,
    /// The selected multivariable model.
    pub model: Model,
}

/// The curves of one figure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FigureResult {
    /// File stem.
    pub id: String,
    /// Caption.
    pub title: String,
    /// Endpoint id.
    pub endpoint: String,
    /// Endpoint label (the y axis).
    pub endpoint_label: String,
    /// Label of the splitting covariate.
    pub by: Option<String>,
    /// One curve per level (or one overall).
    pub curves: Vec<Curve>,
    /// Log-rank p across the curves.
    pub logrank_p: Option<f64>,
}

/// All results of an analysis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Results {
    /// Patients.
    pub n_patients: usize,
    /// Lesions.
    pub n_lesions: usize,
    /// Tables 1-5 and the outcome summary.
    pub tables: Vec<Table>,
    /// Per endpoint.
    pub endpoints: Vec<EndpointResult>,
    /// Figures' curves.
    pub figures: Vec<FigureResult>,
    /// Median follow-up from first SBRT, months, with range (all patients).
    pub follow_up: paper_tables::FollowUp,
    /// The reviewer's checks.
    pub robustness: robustness::Robustness,
    /// Warnings for the reader.
    pub warnings: Vec<String>,
}

/// The confidence settings of a study.
pub fn conf_spec(study: &Study) -> ConfSpec {
    let conf_type = match study.conf_type.as_str() {
        "log-log" => ConfType::LogLog,
        "plain" => ConfType::Plain,
        _ => ConfType::Log,
    };
    ConfSpec { conf_type, level: study.conf_level }
}

/// The derivation settings of a study.
pub fn derive_options(study: &Study) -> DeriveOptions {
    DeriveOptions {
        alpha_beta: study.alpha_beta,
        pfs_counts_death: study.pfs_counts_death,
        default_isodose_pct: study.default_isodose_pct,
    }
}

/// Check that every covariate's source column exists in the data.
pub fn check_sources(study: &Study, data: &AnalysisData) -> Result<(), Vec<String>> {
    let missing: Vec<String> = study
        .covariates
        .iter()
        .filter(|c| !data.columns.contains(&c.source))
        .map(|c| {
            format!(
                "study: covariate '{}': source column '{}' is not in the analysis data (columns: {})",
                c.id,
                c.source,
                data.columns.join(", ")
            )
        })
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(missing)
    }
}

/// Evaluate a covariate on an endpoint's rows.
pub(crate) fn variable_on(study: &Study, data: &AnalysisData, id: &str, rows: &[usize]) -> Variable {
    let spec = study.covariate(id);
    let col = data.column(&spec.source).expect("sources checked");
    let cells: Vec<Option<&str>> = rows.iter().map(|&i| col[i]).collect();
    evaluate(spec, &cells)
}

/// Run the study on a cohort.
pub fn analyze(cohort: &Cohort, study: &Study) -> Result<Results, Vec<String>> {
    analyze_with_progress(cohort, study, &|_, _, _| {})
}

/// Run the study, reporting progress as (stage, done, total; 0 when not counted).
pub fn analyze_with_progress(
    cohort: &Cohort,
    study: &Study,
    progress: &(dyn Fn(&str, usize, usize) + Sync),
) -> Result<Results, Vec<String>> {
    progress("deriving endpoints", 0, 0);
    let options = derive_options(study);
    let data = AnalysisData::new(cohort, &options, &study.sources());
    check_sources(study, &data)?;
    let conf = conf_spec(study);
    let mut warnings = Vec::new();
    let mut endpoints = Vec::new();
    for spec in &study.endpoints {
        let ep = endpoint_data(&data.rows, spec);
        let overall = Curve::fit("All", &ep.time, &ep.event, conf, &study.landmarks_months);
        let per_patient = (spec.unit == "lesion" && spec.id != "lc").then(|| {
            let patients = endpoint_data(&data.rows, &EndpointSpec { unit: "patient".into(), ..spec.clone() });
            Curve::fit("All patients", &patients.time, &patients.event, conf, &study.landmarks_months)
        });
        let mut univariate = Vec::new();
        let mut variables = Vec::new();
        let screening = format!("{}: univariate screens", spec.label);
        for (k, id) in spec.covariates.iter().enumerate() {
            progress(&screening, k, spec.covariates.len());
            let var = variable_on(study, &data, id, &ep.rows);
            let cov = study.covariate(id);
            let u = screen(id, &cov.label, &var, &ep.time, &ep.event, conf, &study.landmarks_months);
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
            cluster: (rb.cluster_robust && spec.unit == "lesion").then_some(ep.patient.as_slice()),
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
        endpoints.push(EndpointResult {
            id: spec.id.clone(),
            label: spec.label.clone(),
            unit: spec.unit.clone(),
            origin: spec.origin,
            overall,
            per_patient,
            univariate,
            model,
        });
    }
    let figures: Vec<FigureResult> = study
        .figures
        .iter()
        .enumerate()
        .map(|(k, f)| {
            progress("Kaplan-Meier figures", k, study.figures.len());
            let spec = study.endpoints.iter().find(|e| e.id == f.endpoint).expect("validated");
            let ep = endpoint_data(&data.rows, spec);
            let (curves, logrank_p, by) = match &f.by {
                None => (vec![Curve::fit("All", &ep.time, &ep.event, conf, &study.landmarks_months)], None, None),
                Some(by) => {
                    let var = variable_on(study, &data, by, &ep.rows);
                    let Variable::Categorical { labels, codes } = &var else {
                        unreachable!("figure by a continuous covariate is rejected by the study check")
                    };
                    debug_assert!(study.covariate(by).kind() != CovariateKind::Continuous);
                    let rows: Vec<usize> = (0..ep.time.len()).filter(|&i| codes[i].is_some()).collect();
                    let g: Vec<usize> = rows.iter().map(|&i| codes[i].expect("present")).collect();
                    let t: Vec<f64> = rows.iter().map(|&i| ep.time[i]).collect();
                    let e: Vec<bool> = rows.iter().map(|&i| ep.event[i]).collect();
                    let curves = labels
                        .iter()
                        .enumerate()
                        .map(|(l, name)| {
                            let k: Vec<usize> = (0..g.len()).filter(|&k| g[k] == l).collect();
                            Curve::fit(
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
                endpoint: spec.id.clone(),
                endpoint_label: spec.label.clone(),
                by,
                curves,
                logrank_p,
            }
        })
        .collect();
    progress("Kaplan-Meier figures", study.figures.len(), study.figures.len());
    let mut figures: Vec<FigureResult> = figures;
    if study.robustness.competing_risks && study.endpoints.iter().any(|e| e.id == "lc") {
        figures.push(robustness::competing_figure(&data, study));
    }
    let follow_up = paper_tables::follow_up(&data.rows);
    let robustness = robustness::compute(&data, study, &endpoints, progress);
    warnings.extend(robustness.skipped.iter().cloned());
    let n_patients = data.rows.iter().map(|r| r.patient).max().unwrap_or(0);
    let mut results = Results {
        n_patients,
        n_lesions: data.rows.len(),
        tables: vec![],
        endpoints,
        figures,
        follow_up,
        robustness,
        warnings,
    };
    results.tables = paper_tables::all(&data, study, &results);
    results.tables.extend(robustness::tables(&results.robustness, &results.endpoints, study, &results.follow_up));
    Ok(results)
}
