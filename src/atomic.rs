//! Outputs appear whole or not at all: a file is written under a
//! temporary name in its destination directory and renamed into place only
//! after it is complete and flushed; a failure removes the temporary. A
//! destination that is the input file is refused.

use anyhow::{bail, Context};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// A file being written; becomes visible at `commit`.
pub struct AtomicFile {
    tmp: PathBuf,
    dest: PathBuf,
    writer: Option<BufWriter<File>>,
}

/// The temporary sibling of `dest` used while writing it.
pub fn temporary_sibling(dest: &Path) -> PathBuf {
    let name = dest.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    dest.with_file_name(format!(".{name}.partial-{}", std::process::id()))
}

/// Fail when `output` is the same file as any of `inputs`.
pub fn refuse_overwriting_inputs(output: &Path, inputs: &[&Path]) -> anyhow::Result<()> {
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
        let tmp = temporary_sibling(dest);
        let file = File::create(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
        Ok(AtomicFile { tmp, dest: dest.to_path_buf(), writer: Some(BufWriter::new(file)) })
    }

    /// The writer for the content.
    pub fn writer(&mut self) -> &mut BufWriter<File> {
        self.writer.as_mut().expect("writer present until commit")
    }

    /// Flush, sync and move into place.
    pub fn commit(mut self) -> anyhow::Result<()> {
        let writer = self.writer.take().expect("commit once");
        let file = writer
            .into_inner()
            .map_err(|e| e.into_error())
            .with_context(|| format!("cannot write {}", self.dest.display()))?;
        file.sync_all().with_context(|| format!("cannot write {}", self.dest.display()))?;
        std::fs::rename(&self.tmp, &self.dest)
            .with_context(|| format!("cannot move the output into place at {}", self.dest.display()))?;
        Ok(())
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.writer.is_some() {
            self.writer = None;
            let _ = std::fs::remove_file(&self.tmp);
        }
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

    #[test]
    fn a_dropped_file_leaves_nothing_and_a_committed_one_replaces() {
        let dir = std::env::temp_dir().join(format!("sbrt-atomic-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let dest = dir.join("out.txt");
        std::fs::write(&dest, "old").unwrap();
        {
            let mut f = AtomicFile::create(&dest).unwrap();
            f.writer().write_all(b"half").unwrap();
        }
        assert_eq!(std::fs::read_to_string(&dest).unwrap(), "old");
        assert!(!temporary_sibling(&dest).exists());
        write_file(&dest, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&dest).unwrap(), "new");
        assert!(refuse_overwriting_inputs(&dest, &[&dest]).is_err());
    }
}
