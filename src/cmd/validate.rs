//! `sbrt validate`: check a cohort file and report every problem.
//!
//! Its usage is [`ValidateArgs`], whose doc comments `sbrt validate --help` prints
//! (and `docs/cli.md` reproduces).

use super::inputs::CohortInput;
use crate::cohort::load_bytes;
use clap::Args;

/// Check a cohort file and report every problem.
///
/// Prints one line per problem, `file:row:column: error|warning: message`,
/// and a summary; exits non-zero when there is any error.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    pub input: CohortInput,
    /// Print a starting column mapping for the file (TOML for --columns)
    /// instead of validating it.
    #[arg(long)]
    pub suggest_mapping: bool,
}

/// Run `sbrt validate`.
pub fn run(args: &ValidateArgs) -> anyhow::Result<()> {
    if args.suggest_mapping {
        let (kind, bytes) = crate::cohort::read_file(&args.input.file).map_err(crate::problem::InputProblems)?;
        let name = args.input.file.display().to_string();
        let grid = crate::cohort::read::grid_from_bytes(&name, kind, bytes, args.input.sheet.as_deref())
            .map_err(crate::problem::InputProblems)?;
        print!("{}", crate::cohort::mapping::suggest(&grid));
        return Ok(());
    }
    let (kind, bytes) = crate::cohort::read_file(&args.input.file).map_err(crate::problem::InputProblems)?;
    let own_events = args.input.own_events_sheet(kind, &bytes).then(|| bytes.clone());
    let name = args.input.file.display().to_string();
    let options = args.input.options()?;
    let (mut cohort, mut problems) = match load_bytes(&name, kind, bytes, &options) {
        Ok(loaded) => loaded,
        Err(problems) => return Err(report(&name, &problems)),
    };
    // The events are checked once the cohort is valid; all problems of both are printed together.
    match args.input.read_events(&cohort, kind, own_events, &options.date_format) {
        Some(Ok((events, warnings))) => {
            problems.extend(warnings);
            cohort.events = Some(events);
        }
        Some(Err(events_problems)) => {
            problems.extend(events_problems);
            return Err(report(&name, &problems));
        }
        None => {}
    }
    for w in &problems {
        println!("{w}");
    }
    let patients: foldhash::HashSet<&str> = cohort.lesions.iter().map(|l| &*l.patient_id).collect();
    let events = cohort.events.as_ref().map_or(String::new(), |e| format!(", {} events", e.events.len()));
    println!(
        "{}: valid: {} lesions of {} patients{events}, {} warning(s)",
        cohort.file,
        cohort.lesions.len(),
        patients.len(),
        crate::problem::totals(&problems).1
    );
    Ok(())
}

/// Print every problem, and the error that ends the run with their totals.
fn report(name: &str, problems: &[crate::problem::Problem]) -> anyhow::Error {
    for p in problems {
        println!("{p}");
    }
    let (errors, warnings) = crate::problem::totals(problems);
    anyhow::anyhow!("{name}: {errors} error(s), {warnings} warning(s)")
}
