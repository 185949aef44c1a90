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

/// Options shared by every command that reads a cohort file.
#[derive(Debug, clap::Args, Clone)]
pub struct CohortInput {
    /// Cohort file (.csv or .xlsx), one row per treated lesion.
    pub file: std::path::PathBuf,
    /// Format of date text that is not YYYY-MM-DD, e.g. %d/%m/%Y.
    #[arg(long)]
    pub date_format: Option<String>,
    /// Excel sheet to read (default: the first).
    #[arg(long)]
    pub sheet: Option<String>,
    /// Column mapping (TOML): source headers renamed to schema columns and
    /// values recoded (`sbrt validate FILE --suggest-mapping` writes one).
    #[arg(long)]
    pub columns: Option<std::path::PathBuf>,
}

/// A validated cohort and the SHA-256 of the bytes it was read from.
pub struct LoadedCohort {
    /// The cohort.
    pub cohort: crate::cohort::Cohort,
    /// Hex SHA-256 of the input file, as read.
    pub sha256: String,
}

impl CohortInput {
    /// The reading options, or a problem with the date format.
    pub fn options(&self) -> Result<crate::cohort::ReadOptions, InputProblems> {
        let date_format = match &self.date_format {
            None => crate::cohort::date::DateFormat::Iso,
            Some(p) => crate::cohort::date::DateFormat::parse_pattern(p)
                .map_err(|m| usage_problem(&self.file.display().to_string(), m))?,
        };
        let mapping = match &self.columns {
            None => None,
            Some(path) => {
                let name = path.display().to_string();
                let text = std::fs::read_to_string(path)
                    .map_err(|e| usage_problem(&name, format!("cannot read the column mapping: {e}")))?;
                let m = crate::cohort::mapping::Mapping::parse(&text).map_err(|msgs| {
                    InputProblems(msgs.into_iter().map(|m| Problem::error(&name, None, None, m)).collect())
                })?;
                Some((m, name))
            }
        };
        Ok(crate::cohort::ReadOptions { date_format, sheet: self.sheet.clone(), mapping })
    }

    /// Read the file once (the size limit checked first), hash and validate
    /// those bytes; the first warnings are printed to stderr (all of them
    /// with `sbrt validate`), errors returned.
    pub fn load(&self) -> anyhow::Result<LoadedCohort> {
        use sha2::Digest;
        let options = self.options()?;
        let (ext, bytes) = crate::cohort::read_file(&self.file).map_err(InputProblems)?;
        let sha256 = format!("{:x}", sha2::Sha256::digest(&bytes));
        let name = self.file.display().to_string();
        let (cohort, warnings) = crate::cohort::load_bytes(&name, &ext, bytes, &options).map_err(InputProblems)?;
        print_first_warnings(&name, &warnings);
        Ok(LoadedCohort { cohort, sha256 })
    }
}

/// Print the first warnings of a cohort on stderr, and how many more there are.
pub fn print_first_warnings(file: &str, warnings: &[Problem]) {
    const SHOWN: usize = 20;
    for w in warnings.iter().take(SHOWN) {
        eprintln!("{w}");
    }
    if warnings.len() > SHOWN {
        eprintln!("{file}: {} more warning(s) not shown; `sbrt validate` lists them all", warnings.len() - SHOWN);
    }
}

/// A time given on the command line (`--at`): a finite number ≥ 0.
pub fn time_arg(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
        _ => Err(format!("'{s}' is not a time (a finite number >= 0)")),
    }
}

/// One problem as the error of a run.
pub fn one_problem(p: Problem) -> InputProblems {
    InputProblems(vec![p])
}

/// The input of a survival command (`km`, `logrank`, `cox`): a CSV file with
/// a time and a 0/1 event column.
#[derive(Debug, clap::Args)]
pub struct SurvivalInput {
    /// CSV file with a header row.
    pub file: std::path::PathBuf,
    /// Column holding follow-up time.
    #[arg(long)]
    pub time: String,
    /// Column holding the event indicator (0/1, true/false, or 1/2).
    #[arg(long)]
    pub event: String,
    /// List every row dropped for a missing value, and why, on stderr.
    #[arg(long)]
    pub explain_dropped: bool,
}

impl SurvivalInput {
    /// Read the file's time, event and `others` columns (only those).
    pub fn read(&self, others: &[&str]) -> Result<crate::table::Table, InputProblems> {
        read_columns(&self.file, [&self.time, &self.event], others)
    }
}

/// Read the outcome columns and `others` of a CSV file (only those).
fn read_columns(
    file: &std::path::Path,
    outcome: [&str; 2],
    others: &[&str],
) -> Result<crate::table::Table, InputProblems> {
    let wanted: Vec<&str> = outcome.into_iter().chain(others.iter().copied()).collect();
    crate::table::Table::read(file, Some(&wanted))
}

/// The input of a competing-risks command (`cuminc`, `finegray`): a CSV file
/// with a time and a status column (0 censored, 1, 2, ... causes).
#[derive(Debug, clap::Args)]
pub struct CompetingInput {
    /// CSV file with a header row.
    pub file: std::path::PathBuf,
    /// Column holding follow-up time.
    #[arg(long)]
    pub time: String,
    /// Column holding the status: 0 censored, 1, 2, ... causes.
    #[arg(long)]
    pub status: String,
    /// The cause of interest (1, 2, ...; 0 is censoring).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    pub cause: u32,
    /// List every row dropped for a missing value, and why, on stderr.
    #[arg(long)]
    pub explain_dropped: bool,
}

impl CompetingInput {
    /// Read the file's time, status and `others` columns (only those).
    pub fn read(&self, others: &[&str]) -> Result<crate::table::Table, InputProblems> {
        read_columns(&self.file, [&self.time, &self.status], others)
    }
}

/// The covariates of a regression command (`cox`, `finegray`).
#[derive(Debug, clap::Args)]
pub struct CovariateArgs {
    /// Covariate columns, comma-separated.
    #[arg(long, value_delimiter = ',', required = true)]
    pub covariates: Vec<String>,
    /// Covariates to treat as categorical even if numeric.
    #[arg(long, value_delimiter = ',')]
    pub factor: Vec<String>,
    /// Reference levels, as VARIABLE=LEVEL, comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub reference: Vec<String>,
}

impl CovariateArgs {
    /// The covariate columns, for row selection.
    pub fn columns(&self) -> Vec<&str> {
        self.covariates.iter().map(String::as_str).collect()
    }

    /// Check `--factor`/`--reference` against `--covariates` before reading data.
    pub fn check(&self, file: &str) -> Result<std::collections::BTreeMap<String, String>, InputProblems> {
        let mut references = std::collections::BTreeMap::new();
        for r in &self.reference {
            let (var, level) = r
                .split_once('=')
                .ok_or_else(|| usage_problem(file, format!("--reference takes VARIABLE=LEVEL, got '{r}'")))?;
            references.insert(var.trim().to_string(), level.trim().to_string());
        }
        for name in self.factor.iter().chain(references.keys()) {
            if !self.covariates.contains(name) {
                return Err(usage_problem(
                    file,
                    format!("'{name}' is given in --factor/--reference but is not in --covariates"),
                ));
            }
        }
        Ok(references)
    }

    /// The model matrix over the used rows, its terms, and the covariates.
    pub fn design(
        &self,
        data: &crate::survival_data::SurvivalData,
        references: &std::collections::BTreeMap<String, String>,
    ) -> Result<(Vec<survstat::design::Covariate>, survstat::linalg::Matrix, Vec<survstat::design::Term>), InputProblems>
    {
        // Each column is parsed on its own, so the columns share the cores.
        let parse =
            |name: &String| data.covariate(name, self.factor.contains(name), references.get(name).map(String::as_str));
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let parsed: Vec<_> = if threads > 1 && data.n() >= 100_000 {
            std::thread::scope(|scope| {
                let handles: Vec<_> = self
                    .covariates
                    .chunks(self.covariates.len().div_ceil(threads))
                    .map(|names| scope.spawn(move || names.iter().map(parse).collect::<Vec<_>>()))
                    .collect();
                handles.into_iter().flat_map(|h| h.join().expect("covariate thread")).collect()
            })
        } else {
            self.covariates.iter().map(parse).collect()
        };
        let mut covariates = Vec::new();
        let mut problems = Vec::new();
        for result in parsed {
            match result {
                Ok(c) => covariates.push(c),
                Err(p) => problems.extend(p),
            }
        }
        if !problems.is_empty() {
            return Err(InputProblems(problems));
        }
        let (x, terms) = survstat::design::design_matrix(&covariates, data.n());
        Ok((covariates, x, terms))
    }
}
