//! Input size limits: a file is checked before it is read, so an input far
//! larger than memory, or a malformed multi-gigabyte file, fails at once
//! with a clear message instead of exhausting memory.
//!
//! The default limit is 1 GiB (a million-patient cohort is about 240 MB; a
//! ten-million-row survival table about 200 MB). `SBRT_MAX_INPUT_MB`
//! raises or lowers it.

use crate::problem::Problem;
use std::path::Path;

/// Default largest input, bytes.
pub const DEFAULT_MAX_INPUT_BYTES: u64 = 1 << 30;

/// The limit in force.
pub fn max_input_bytes() -> u64 {
    std::env::var("SBRT_MAX_INPUT_MB")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map_or(DEFAULT_MAX_INPUT_BYTES, |mb| mb << 20)
}

/// Fail when `path` is larger than the limit (or cannot be inspected).
pub fn check_input_size(path: &Path) -> Result<(), Problem> {
    let file = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| Problem::error(&file, None, None, format!("cannot read: {e}")))?;
    if !meta.is_file() {
        return Err(Problem::error(&file, None, None, "not a regular file"));
    }
    let limit = max_input_bytes();
    if meta.len() > limit {
        return Err(Problem::error(
            &file,
            None,
            None,
            format!(
                "the file is {} MB, above the {} MB input limit; nothing was read (set SBRT_MAX_INPUT_MB to raise the limit if the machine has the memory)",
                meta.len() >> 20,
                limit >> 20
            ),
        ));
    }
    Ok(())
}
