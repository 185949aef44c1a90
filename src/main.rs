//! `sbrt`: radiotherapy outcomes research from a cohort spreadsheet.

use clap::Parser;

/// Large blocks on 2 MB pages (see the module): fewer page faults.
#[global_allocator]
static ALLOCATOR: sbrt::large_pages::LargePages = sbrt::large_pages::LargePages;

fn main() {
    // A closed pipe (`sbrt km … | head`) ends the program quietly, as it
    // does any Unix filter, instead of a panic in the middle of printing.
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of one signal at start-up,
    // before any thread exists.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    if let Err(e) = sbrt::cmd::Cli::parse().run() {
        // Display with its causes ("cannot write x: No space left on device"),
        // never Debug: no backtrace even with RUST_BACKTRACE=1.
        eprintln!("{e:#}");
        std::process::exit(1);
    }
}
