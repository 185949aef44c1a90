//! The inputs the subcommands share: a cohort file with its reading
//! options, a CSV file with time and event (or status) columns, the
//! covariates of a regression, and the parsers of option values.

use crate::problem::{InputProblems, Problem};
use survstat::design::Covariate;

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
    /// Events table (.csv, or the sheet `events` of an .xlsx): adverse
    /// events by CTCAE v5.0 term and grade, and pain scores
    /// (`docs/cohort.md`). A cohort workbook's own `events` sheet is read
    /// without it.
    #[arg(long)]
    pub events: Option<std::path::PathBuf>,
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
                .map_err(|m| InputProblems::usage(&self.file.display().to_string(), m))?,
        };
        let mapping = match &self.columns {
            None => None,
            Some(path) => {
                let name = path.display().to_string();
                let text = std::fs::read_to_string(path)
                    .map_err(|e| InputProblems::usage(&name, format!("cannot read the column mapping: {e}")))?;
                let m = crate::cohort::mapping::Mapping::parse(&text).map_err(|msgs| {
                    InputProblems(msgs.into_iter().map(|m| Problem::error(&name, None, None, m)).collect())
                })?;
                Some((m, name))
            }
        };
        Ok(crate::cohort::ReadOptions { date_format, sheet: self.sheet.clone(), mapping })
    }

    /// Whether the cohort workbook's own `events` sheet is the events table:
    /// no `--events` given, and the cohort is read from another sheet.
    pub fn own_events_sheet(&self, kind: crate::cohort::read::FileType, bytes: &[u8]) -> bool {
        self.events.is_none()
            && kind == crate::cohort::read::FileType::Xlsx
            && self.sheet.as_deref() != Some(crate::cohort::events::SHEET)
            && crate::cohort::read::has_sheet(bytes, crate::cohort::events::SHEET)
    }

    /// The events table checked against `cohort`, its dates read in `fmt`:
    /// `--events`, or the workbook `own_sheet` (the cohort's bytes, see
    /// [`Self::own_events_sheet`]); `None` when there is none.
    pub fn read_events(
        &self,
        cohort: &crate::cohort::Cohort,
        kind: crate::cohort::read::FileType,
        own_sheet: Option<Vec<u8>>,
        fmt: &crate::cohort::date::DateFormat,
    ) -> Option<crate::cohort::events::EventsRead> {
        match (&self.events, own_sheet) {
            (Some(path), _) => Some(crate::cohort::events::load(path, cohort, fmt)),
            (None, Some(bytes)) => {
                let name = format!("{} (sheet {})", self.file.display(), crate::cohort::events::SHEET);
                Some(crate::cohort::events::from_bytes(
                    &name,
                    kind,
                    bytes,
                    Some(crate::cohort::events::SHEET),
                    cohort,
                    fmt,
                ))
            }
            (None, None) => None,
        }
    }

    /// Read the file once (the size limit checked first), hash and validate
    /// those bytes; the first warnings are printed to stderr (all of them
    /// with `sbrt validate`), errors returned.
    pub fn load(&self) -> anyhow::Result<LoadedCohort> {
        use sha2::Digest;
        let options = self.options()?;
        let (kind, bytes) = crate::cohort::read_file(&self.file).map_err(InputProblems)?;
        let sha256 = format!("{:x}", sha2::Sha256::digest(&bytes));
        let name = self.file.display().to_string();
        let own_events = self.own_events_sheet(kind, &bytes).then(|| bytes.clone());
        let (mut cohort, warnings) = crate::cohort::load_bytes(&name, kind, bytes, &options).map_err(InputProblems)?;
        super::print::first_warnings(&name, &warnings);
        if let Some(read) = self.read_events(&cohort, kind, own_events, &options.date_format) {
            let (events, warnings) = read.map_err(InputProblems)?;
            super::print::first_warnings(&events.file, &warnings);
            cohort.events = Some(events);
        }
        Ok(LoadedCohort { cohort, sha256 })
    }
}

/// A finite number ≥ 0 given on the command line, `what` naming it in the error.
fn non_negative(s: &str, what: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
        _ => Err(format!("'{s}' is not {what} (a finite number >= 0)")),
    }
}

/// A time given on the command line (`--at`, `--tau`): a finite number ≥ 0.
pub fn time_arg(s: &str) -> Result<f64, String> {
    non_negative(s, "a time")
}

/// A confidence level given on the command line: strictly between 0 and 1.
pub fn conf_level_arg(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v > 0.0 && v < 1.0 => Ok(v),
        _ => Err(format!("'{s}' is not a confidence level (a number between 0 and 1, e.g. 0.95)")),
    }
}

/// A Fleming-Harrington exponent (`--rho`): a finite number ≥ 0.
pub fn rho_arg(s: &str) -> Result<f64, String> {
    non_negative(s, "a weight exponent")
}

/// `--conf-type` values (R's `conf.type`).
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ConfTypeArg {
    /// log scale (R's default)
    Log,
    /// log(-log) scale
    #[value(name = "log-log")]
    LogLog,
    /// survival scale
    Plain,
}

impl From<ConfTypeArg> for survstat::km::ConfType {
    fn from(a: ConfTypeArg) -> survstat::km::ConfType {
        use survstat::km::ConfType;
        match a {
            ConfTypeArg::Log => ConfType::Log,
            ConfTypeArg::LogLog => ConfType::LogLog,
            ConfTypeArg::Plain => ConfType::Plain,
        }
    }
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
    /// Read the file's time, event and `others` columns (only those), the
    /// `labels` among them as text (groups, strata, clusters, factors).
    pub fn read(&self, others: &[&str], labels: &[&str]) -> Result<crate::csv_table::CsvTable, InputProblems> {
        read_columns(&self.file, [&self.time, &self.event], others, labels)
    }
}

/// Read the outcome columns and `others` of a CSV file (only those), as
/// numbers but for the `labels`, read as text.
fn read_columns(
    file: &std::path::Path,
    outcome: [&str; 2],
    others: &[&str],
    labels: &[&str],
) -> Result<crate::csv_table::CsvTable, InputProblems> {
    use crate::csv_table::Kind;
    let kind = |name: &str| if labels.contains(&name) { Kind::Text } else { Kind::Number };
    let wanted: Vec<(&str, Kind)> = outcome.into_iter().chain(others.iter().copied()).map(|n| (n, kind(n))).collect();
    crate::csv_table::CsvTable::read(file, Some(&wanted))
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
    /// Read the file's time, status and `others` columns (only those), the
    /// `labels` among them as text.
    pub fn read(&self, others: &[&str], labels: &[&str]) -> Result<crate::csv_table::CsvTable, InputProblems> {
        read_columns(&self.file, [&self.time, &self.status], others, labels)
    }

    /// The survival data of the analysis (times from the generic reader,
    /// events = any cause) and the status codes, rows complete on `others`;
    /// with a `weights` column (one of `others`), the case weights, rows of
    /// weight 0 dropped and counted.
    pub fn survival_data<'t>(
        &self,
        table: &'t crate::csv_table::CsvTable,
        others: &[&str],
        weights: Option<&str>,
    ) -> anyhow::Result<(crate::survival_data::SurvivalData<'t>, Vec<u32>, Option<Vec<f64>>)> {
        use crate::problem::ProblemLog;
        let col = table.column(&self.status).map_err(InputProblems::one)?;
        let mut problems = ProblemLog::default();
        let mut used: Vec<&str> = vec![&self.status];
        used.extend(others);
        let mut data = crate::survival_data::SurvivalData::select(table, &self.time, &used)?;
        let mut codes = Vec::with_capacity(data.n());
        for &i in &data.rows {
            let cell = table.cell(i, col);
            match cell.number() {
                Some(v) if v >= 0.0 && v.fract() == 0.0 && v <= u32::MAX as f64 => codes.push(v as u32),
                _ => problems.push(Problem::error(
                    &table.file,
                    Some(table.row_number(i)),
                    Some(&self.status),
                    format!("status must be 0 (censored) or a cause 1, 2, ...; found '{cell}'"),
                )),
            }
        }
        if !problems.is_empty() {
            return Err(InputProblems(problems.into_vec(&table.file)).into());
        }
        data.event = codes.iter().map(|&c| c != 0).collect();
        let Some(column) = weights else { return Ok((data, codes, None)) };
        let before = data.rows.clone();
        let weights = data.weights(column)?;
        // The rows kept are a subsequence of those before.
        let mut kept = data.rows.iter().peekable();
        let codes = before
            .iter()
            .zip(codes)
            .filter(|(row, _)| kept.next_if(|k| k == row).is_some())
            .map(|(_, code)| code)
            .collect();
        Ok((data, codes, Some(weights)))
    }
}

/// The covariates of a regression command (`cox`, `finegray`).
#[derive(Debug, clap::Args)]
pub struct CovariateArgs {
    /// Model terms, comma-separated: columns, and interactions of columns
    /// joined by `:` (`age,sex,age:sex`), coded as R's model.matrix codes them.
    #[arg(long, value_delimiter = ',', required = true)]
    pub covariates: Vec<String>,
    /// Covariates to treat as categorical even if numeric.
    #[arg(long, value_delimiter = ',')]
    pub factor: Vec<String>,
    /// Reference levels, as VARIABLE=LEVEL, comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub reference: Vec<String>,
}

/// The model `--covariates` names: its distinct columns, and its terms as
/// lists of column indices in R's order (main effects, then interactions
/// by order, each order as given), with their labels (`age`, `age:sex`).
#[derive(Debug, Clone, PartialEq)]
pub struct Formula {
    /// Distinct columns, in order of first mention.
    pub variables: Vec<String>,
    /// Terms over `variables`.
    pub terms: Vec<Vec<usize>>,
    /// `a` or `a:b`, per term.
    pub labels: Vec<String>,
}

impl CovariateArgs {
    /// The model's terms, or a problem naming a malformed or repeated term.
    pub fn formula(&self, file: &str) -> Result<Formula, InputProblems> {
        let mut variables: Vec<String> = Vec::new();
        let mut terms: Vec<Vec<usize>> = Vec::new();
        for entry in &self.covariates {
            let names: Vec<&str> = entry.split(':').map(str::trim).collect();
            if names.iter().any(|n| n.is_empty()) {
                return Err(InputProblems::usage(
                    file,
                    format!("--covariates: '{entry}' is not a column or an interaction a:b"),
                ));
            }
            let mut term = Vec::new();
            for name in names {
                let k = variables.iter().position(|v| v == name).unwrap_or_else(|| {
                    variables.push(name.to_string());
                    variables.len() - 1
                });
                if term.contains(&k) {
                    return Err(InputProblems::usage(file, format!("--covariates: '{entry}' names '{name}' twice")));
                }
                term.push(k);
            }
            if terms.iter().any(|t| t.len() == term.len() && t.iter().all(|k| term.contains(k))) {
                return Err(InputProblems::usage(file, format!("--covariates: the term '{entry}' is given twice")));
            }
            terms.push(term);
        }
        // R's order: by the number of columns in the term, stable.
        terms.sort_by_key(Vec::len);
        let labels =
            terms.iter().map(|t| t.iter().map(|&k| variables[k].as_str()).collect::<Vec<_>>().join(":")).collect();
        Ok(Formula { variables, terms, labels })
    }

    /// The columns the model reads, for row selection.
    pub fn columns(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for name in self.covariates.iter().flat_map(|c| c.split(':')).map(str::trim) {
            if !out.contains(&name) {
                out.push(name);
            }
        }
        out
    }

    /// Check `--covariates`, `--factor` and `--reference` before reading data.
    pub fn check(&self, file: &str) -> Result<(Formula, std::collections::BTreeMap<String, String>), InputProblems> {
        let formula = self.formula(file)?;
        let mut references = std::collections::BTreeMap::new();
        for r in &self.reference {
            let (var, level) = r
                .split_once('=')
                .ok_or_else(|| InputProblems::usage(file, format!("--reference takes VARIABLE=LEVEL, got '{r}'")))?;
            references.insert(var.trim().to_string(), level.trim().to_string());
        }
        for name in self.factor.iter().chain(references.keys()) {
            if !formula.variables.contains(name) {
                return Err(InputProblems::usage(
                    file,
                    format!("'{name}' is given in --factor/--reference but is not in --covariates"),
                ));
            }
        }
        Ok((formula, references))
    }

    /// The covariates, the model matrix over the used rows and its columns.
    pub fn design<'t>(
        &self,
        data: &crate::survival_data::SurvivalData<'t>,
        formula: &Formula,
        references: &std::collections::BTreeMap<String, String>,
    ) -> Result<(Vec<Covariate<'t>>, survstat::linalg::Matrix, Vec<survstat::design::Term>), InputProblems> {
        // Each column is parsed on its own, so the columns share the cores.
        let parse =
            |name: &String| data.covariate(name, self.factor.contains(name), references.get(name).map(String::as_str));
        let parsed = crate::parallel_map::map_by_size(data.n(), &formula.variables, parse);
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
        let columns = survstat::design::model_columns(&covariates, &formula.terms);
        if columns > crate::limits::MAX_MODEL_COLUMNS {
            return Err(InputProblems::usage(
                data.file(),
                format!(
                    "the model has {columns} columns (factors and their interactions); at most {} are fitted",
                    crate::limits::MAX_MODEL_COLUMNS
                ),
            ));
        }
        let (x, terms) = survstat::design::model_matrix(&covariates, &formula.terms, data.n());
        Ok((covariates, x, terms))
    }

    /// The model-matrix row of a covariate profile `VAR=VALUE,…` (`--predict`):
    /// every column of the model named once, numbers for numeric columns and
    /// level labels for factors.
    pub fn profile(
        &self,
        file: &str,
        formula: &Formula,
        covariates: &[Covariate],
        text: &str,
    ) -> Result<Vec<f64>, InputProblems> {
        let mut given = std::collections::BTreeMap::new();
        for item in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (var, value) = item
                .split_once('=')
                .ok_or_else(|| InputProblems::usage(file, format!("--predict takes VAR=VALUE,…, got '{item}'")))?;
            given.insert(var.trim(), value.trim());
        }
        let mut row = Vec::new();
        for (name, cov) in formula.variables.iter().zip(covariates) {
            let value = given
                .remove(name.as_str())
                .ok_or_else(|| InputProblems::usage(file, format!("--predict: no value for '{name}'")))?;
            row.push(match cov {
                Covariate::Numeric { name, .. } => {
                    let v = value.parse::<f64>().ok().filter(|v| v.is_finite()).ok_or_else(|| {
                        InputProblems::usage(file, format!("--predict: '{value}' is not a number for '{name}'"))
                    })?;
                    Covariate::Numeric { name: name.clone(), values: vec![v].into() }
                }
                Covariate::Factor { name, levels, reference, .. } => {
                    let code = levels.iter().position(|l| l == value).ok_or_else(|| {
                        InputProblems::usage(
                            file,
                            format!("--predict: '{value}' is not a level of '{name}' (levels: {})", levels.join(", ")),
                        )
                    })?;
                    Covariate::Factor {
                        name: name.clone(),
                        codes: vec![code],
                        levels: levels.clone(),
                        reference: *reference,
                    }
                }
            });
        }
        if let Some(extra) = given.keys().next() {
            return Err(InputProblems::usage(file, format!("--predict: '{extra}' is not a column of the model")));
        }
        Ok(survstat::design::model_matrix(&row, &formula.terms, 1).0.data)
    }
}
