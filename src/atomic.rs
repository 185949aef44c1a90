//! Output files appear whole or not at all. A file is written under a
//! random name created exclusively (`O_EXCL`, never through a symbolic
//! link) in its destination's directory, flushed and synced, and renamed
//! into place only when complete; every failure removes it. A destination
//! that is an input, or a directory, is refused before any work.

use anyhow::{bail, Context};
use std::io::{BufWriter, Write};
use std::path::Path;
use tempfile::NamedTempFile;

/// A file being written; becomes visible at `commit`.
pub struct AtomicFile {
    dest: std::path::PathBuf,
    writer: BufWriter<NamedTempFile>,
}

/// Fail when `output` cannot be an output file: it is the same file as any
/// of `inputs`, or a directory.
pub fn refuse_overwriting_inputs(output: &Path, inputs: &[&Path]) -> anyhow::Result<()> {
    if output.is_dir() {
        bail!("--out {} is a directory: give the name of the file to write", output.display());
    }
    for input in inputs {
        if let (Ok(a), Ok(b)) = (output.canonicalize(), input.canonicalize()) {
            if a == b {
                bail!("refusing to write {}: it is the input file", output.display());
            }
        }
    }
    Ok(())
}

impl AtomicFile {
    /// Start writing `dest`.
    pub fn create(dest: &Path) -> anyhow::Result<AtomicFile> {
        let dir = match dest.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let name = dest.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let tmp = tempfile::Builder::new()
            .prefix(&format!(".{name}.sbrt-"))
            .tempfile_in(dir)
            .with_context(|| format!("cannot write {}", dest.display()))?;
        Ok(AtomicFile { dest: dest.to_path_buf(), writer: BufWriter::new(tmp) })
    }

    /// The writer for the content.
    pub fn writer(&mut self) -> &mut BufWriter<NamedTempFile> {
        &mut self.writer
    }

    /// Flush, sync and move into place; on failure the temporary is removed.
    pub fn commit(self) -> anyhow::Result<()> {
        let dest = self.dest;
        let tmp = self
            .writer
            .into_inner()
            .map_err(|e| e.into_error())
            .with_context(|| format!("cannot write {}", dest.display()))?;
        tmp.as_file().sync_all().with_context(|| format!("cannot write {}", dest.display()))?;
        tmp.persist(&dest).map_err(|e| e.error).with_context(|| format!("cannot write {}", dest.display()))?;
        Ok(())
    }
}

/// Write a whole file atomically.
pub fn write_file(dest: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut f = AtomicFile::create(dest)?;
    f.writer().write_all(bytes).with_context(|| format!("cannot write {}", dest.display()))?;
    f.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("sbrt-atomic-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn entries(dir: &Path) -> usize {
        std::fs::read_dir(dir).unwrap().count()
    }

    #[test]
    fn a_dropped_file_leaves_nothing_and_a_committed_one_replaces() {
        let dir = scratch("replace");
        let dest = dir.join("out.txt");
        std::fs::write(&dest, "old").unwrap();
        {
            let mut f = AtomicFile::create(&dest).unwrap();
            f.writer().write_all(b"half").unwrap();
        }
        assert_eq!(std::fs::read_to_string(&dest).unwrap(), "old");
        assert_eq!(entries(&dir), 1);
        write_file(&dest, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&dest).unwrap(), "new");
        assert!(refuse_overwriting_inputs(&dest, &[&dest]).is_err());
    }

    #[test]
    fn a_failed_move_into_place_leaves_no_copy() {
        // The destination became a non-empty directory after the checks.
        let dir = scratch("failed-move");
        let dest = dir.join("ddir");
        let mut f = AtomicFile::create(&dest).unwrap();
        f.writer().write_all(b"patient ids").unwrap();
        std::fs::create_dir(&dest).unwrap();
        std::fs::write(dest.join("x"), "x").unwrap();
        let e = f.commit().unwrap_err();
        assert!(format!("{e:#}").contains("ddir"), "{e:#}");
        assert_eq!(entries(&dir), 1, "only the directory remains");
        assert!(refuse_overwriting_inputs(&dest, &[]).unwrap_err().to_string().contains("is a directory"));
    }
}
