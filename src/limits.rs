//! Input size limits: a file is checked before it is read, and read no
//! further than the limit, so an input far larger than memory, or a
//! malformed multi-gigabyte file, fails at once with a clear message
//! instead of exhausting memory.
//!
//! The default limit is 1 GiB (a million-patient cohort is about 240 MB; a
//! ten-million-row survival table about 200 MB). `SBRT_MAX_INPUT_MB`
//! (whole megabytes, 1 to 1,048,576) raises or lowers it; any other value is
//! an error, not ignored.

use crate::problem::Problem;
use std::io::Read;
use std::path::Path;

/// Most groups a `--group` column may have (`km`, `logrank`, `cuminc`):
/// the log-rank and Gray tests hold a groups × groups matrix.
pub const MAX_GROUPS: usize = 1000;

/// Most levels of a factor covariate: each level is a column of the model,
/// whose information matrix grows with the square of their number.
pub const MAX_FACTOR_LEVELS: usize = 200;

/// Most columns of a regression model: interactions multiply the columns
/// of their factors (two 200-level factors would make 39,601), and the
/// information matrix grows with the square of their number.
pub const MAX_MODEL_COLUMNS: usize = 1000;

/// Most strata of a `--strata` column.
pub const MAX_STRATA: usize = 10_000;

/// Default largest input, bytes.
pub const DEFAULT_MAX_INPUT_BYTES: u64 = 1 << 30;

/// Largest value `SBRT_MAX_INPUT_MB` takes (1 TiB).
const MAX_SETTING_MB: u64 = 1 << 20;

/// The limit in force, or why the setting is not usable.
pub fn max_input_bytes() -> Result<u64, String> {
    let Ok(v) = std::env::var("SBRT_MAX_INPUT_MB") else { return Ok(DEFAULT_MAX_INPUT_BYTES) };
    match v.trim().parse::<u64>() {
        Ok(mb) if (1..=MAX_SETTING_MB).contains(&mb) => Ok(mb << 20),
        _ => Err(format!("SBRT_MAX_INPUT_MB='{v}' is not a whole number of megabytes from 1 to {MAX_SETTING_MB}")),
    }
}

/// Open an input file for reading, refusing one larger than the limit (or
/// one that is not a regular file) before reading it: the file, its size
/// and the limit. Read it no further than the limit ([`too_large`] past it).
pub fn open_input(path: &Path) -> Result<(std::fs::File, u64, u64), Problem> {
    let file = path.display().to_string();
    let fail = |m: String| Problem::error(&file, None, None, m);
    let limit = max_input_bytes().map_err(fail)?;
    let meta = std::fs::metadata(path).map_err(|e| fail(format!("cannot read: {e}")))?;
    if !meta.is_file() {
        return Err(fail("not a regular file".into()));
    }
    if meta.len() > limit {
        return Err(too_large(&file, meta.len(), limit));
    }
    let opened = std::fs::File::open(path).map_err(|e| fail(format!("cannot read: {e}")))?;
    Ok((opened, meta.len(), limit))
}

/// The problem of a file of `size` bytes above the `limit`.
pub fn too_large(file: &str, size: u64, limit: u64) -> Problem {
    Problem::error(
        file,
        None,
        None,
        format!(
            "the file is {} MB, above the {} MB input limit; nothing was read (set SBRT_MAX_INPUT_MB to raise the limit if the machine has the memory)",
            size >> 20,
            limit >> 20
        ),
    )
}

/// Read a whole input file, refusing one larger than the limit (or one that
/// is not a regular file) before reading it.
pub fn read_input(path: &Path) -> Result<Vec<u8>, Problem> {
    let file = path.display().to_string();
    let (opened, size, limit) = open_input(path)?;
    let mut bytes = Vec::with_capacity(size as usize);
    opened
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Problem::error(&file, None, None, format!("cannot read: {e}")))?;
    if bytes.len() as u64 > limit {
        return Err(too_large(&file, bytes.len() as u64, limit));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_setting_is_checked_not_wrapped_or_ignored() {
        // One test owns the variable, so parallel tests do not race on it.
        for (value, ok) in [("17592186044416", false), ("abc", false), ("0", false), ("40", true)] {
            std::env::set_var("SBRT_MAX_INPUT_MB", value);
            let got = max_input_bytes();
            assert_eq!(got.is_ok(), ok, "{value}: {got:?}");
        }
        assert_eq!(max_input_bytes(), Ok(40 << 20));
        std::env::remove_var("SBRT_MAX_INPUT_MB");
        assert_eq!(max_input_bytes(), Ok(DEFAULT_MAX_INPUT_BYTES));
    }
}
