//! `sbrt`: radiotherapy outcomes research from a cohort spreadsheet.

mod cmd;
mod json;
mod problem;
mod survival_data;
mod table;

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
    /// Kaplan-Meier estimates (R survfit) from a CSV file.
    Km(cmd::km::KmArgs),
    /// Log-rank test (R survdiff) from a CSV file.
    Logrank(cmd::logrank::LogrankArgs),
    /// Cox proportional hazards model (R coxph) from a CSV file.
    Cox(cmd::cox::CoxArgs),
}

fn main() {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Km(a) => cmd::km::run(a),
        Command::Logrank(a) => cmd::logrank::run(a),
        Command::Cox(a) => cmd::cox::run(a),
    };
    if let Err(e) = result {
        // Display, never Debug: no backtrace even with RUST_BACKTRACE=1.
        eprintln!("{e}");
        std::process::exit(1);
    }
}
