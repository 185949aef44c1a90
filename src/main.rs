//! `sbrt`: radiotherapy outcomes research from a cohort spreadsheet.

use sbrt::cmd;

use clap::{Parser, Subcommand};

/// Outcomes analysis for stereotactic body radiotherapy cohorts, with
/// survival statistics that agree with R's survival package.
#[derive(Debug, Parser)]
#[command(name = "sbrt", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// The study's full analysis of a cohort: tables, figures and an HTML report.
    Analyze(cmd::analyze::AnalyzeArgs),
    /// Show (--print) or check (--check FILE) a study definition.
    Study(cmd::study::StudyArgs),
    /// Kaplan-Meier estimates (R survfit) from a CSV file.
    Km(cmd::km::KmArgs),
    /// Log-rank test (R survdiff) from a CSV file.
    Logrank(cmd::logrank::LogrankArgs),
    /// Cox proportional hazards model (R coxph) from a CSV file.
    Cox(cmd::cox::CoxArgs),
    /// Cumulative incidence with competing risks and Gray's test (R cmprsk::cuminc).
    Cuminc(cmd::cuminc::CumincArgs),
    /// Fine-Gray subdistribution hazards model (R cmprsk::crr).
    Finegray(cmd::finegray::FineGrayArgs),
    /// Check a cohort file and report every problem.
    Validate(cmd::validate::ValidateArgs),
    /// Write the de-identified analysis data set (one row per lesion).
    Derive(cmd::derive::DeriveArgs),
    /// Write a synthetic cohort calibrated to the source paper.
    Simulate(cmd::simulate::SimulateArgs),
    /// Print the cohort file's columns.
    Schema,
}

fn main() {
    // A closed pipe (`sbrt km … | head`) ends the program quietly, as it
    // does any Unix filter, instead of a panic in the middle of printing.
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of one signal at start-up,
    // before any thread exists.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Analyze(a) => cmd::analyze::run(a),
        Command::Study(a) => cmd::study::run(a),
        Command::Km(a) => cmd::km::run(a),
        Command::Logrank(a) => cmd::logrank::run(a),
        Command::Cox(a) => cmd::cox::run(a),
        Command::Cuminc(a) => cmd::cuminc::run(a),
        Command::Finegray(a) => cmd::finegray::run(a),
        Command::Validate(a) => cmd::validate::run(a),
        Command::Derive(a) => cmd::derive::run(a),
        Command::Simulate(a) => cmd::simulate::run(a),
        Command::Schema => cmd::schema::run(),
    };
    if let Err(e) = result {
        // Display with its causes ("cannot write x: No space left on device"),
        // never Debug: no backtrace even with RUST_BACKTRACE=1.
        eprintln!("{e:#}");
        std::process::exit(1);
    }
}
