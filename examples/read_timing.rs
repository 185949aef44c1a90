//! Seconds to read a CSV file's columns with the generic reader, best of
//! three, and the rate in MB/s:
//!
//!     cargo run --release --example read_timing -- FILE.csv time status x1 x2 ...
//!
//! Columns are read as numbers; prefix a name with `@` to read it as text.
#[path = "support/timing.rs"]
mod timing;

use sbrt::csv_table::{CsvTable, Kind};

/// The program's allocator (2 MB pages for large blocks), so reading is
/// timed as `sbrt` reads.
#[global_allocator]
static ALLOCATOR: sbrt::large_pages::LargePages = sbrt::large_pages::LargePages;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (path, names) = args.split_first().ok_or_else(|| anyhow::anyhow!("usage: read_timing FILE COLUMN..."))?;
    let wanted: Vec<(&str, Kind)> = names
        .iter()
        .map(|n| match n.strip_prefix('@') {
            Some(text) => (text, Kind::Text),
            None => (n.as_str(), Kind::Number),
        })
        .collect();
    let path = std::path::Path::new(path);
    let mut rows = 0;
    let seconds = timing::best_seconds(3, || {
        rows = CsvTable::read(path, Some(&wanted)).map(|t| t.n_rows()).unwrap_or(0);
    });
    let mb = std::fs::metadata(path)?.len() as f64 / 1e6;
    println!("{rows} rows, {mb:.0} MB: {seconds:.3} s, {:.0} MB/s", mb / seconds);
    Ok(())
}
