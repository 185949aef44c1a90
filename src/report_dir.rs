//! The report directory: written whole or not at all, and nothing in it that
//! sbrt did not write is ever removed.
//!
//! A directory is an sbrt report only when it holds [`MARKER`], a file the
//! tool writes itself listing the files it wrote. `--out` must be absent,
//! empty, or such a report; it may not be the current directory, nor hold
//! (or be) any input of the run.
//!
//! The sequence, and what a kill at each step leaves:
//!
//! 1. [`ReportDir::prepare`], before any analysis: the destination is
//!    checked, leftovers of interrupted runs are cleaned (below), and a
//!    staging directory is created beside `--out` with a random name by an
//!    exclusive `mkdir` (`tempfile`), mode 0700, so nobody can plant a file or
//!    a symbolic link in it. Its marker is written at once and kept locked
//!    (`flock`) while the run lives. A failure here (read-only or full
//!    disk) stops the run before the analysis, with the system's reason.
//! 2. [`ReportDir::commit`]: every file is created with `O_EXCL` in the
//!    staging directory and synced, the marker lists them. A kill leaves
//!    `--out` untouched and a staging directory that the next run removes.
//! 3. The staging directory and `--out` are exchanged in one atomic step
//!    (Linux `renameat2(RENAME_EXCHANGE)`; elsewhere two renames), so
//!    `--out` is never missing.
//! 4. Files in the old report that sbrt did not write (the user's notes, a
//!    manuscript) are moved into the new one; then the old report's own
//!    files are removed and its directory with them. A kill between 3 and 4
//!    leaves the user's files in the old report's staging directory; the
//!    next run moves them back, or says where they are.

use anyhow::{bail, Context};
use serde::{Deserialize, Serialize};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The file that marks a directory as an sbrt report and lists its files.
pub const MARKER: &str = ".sbrt-report.json";

/// What the marker holds.
#[derive(Serialize, Deserialize)]
struct Marker {
    software: String,
    files: Vec<String>,
}

const SOFTWARE: &str = "sbrt-outcomes";

impl Marker {
    /// The marker of `dir`, if it holds one written by sbrt.
    fn read(dir: &Path) -> Option<Marker> {
        let text = std::fs::read_to_string(dir.join(MARKER)).ok()?;
        let marker: Marker = serde_json::from_str(&text).ok()?;
        (marker.software == SOFTWARE).then_some(marker)
    }

    fn bytes(files: &[String]) -> Vec<u8> {
        let marker = Marker { software: SOFTWARE.into(), files: files.to_vec() };
        serde_json::to_vec_pretty(&marker).expect("the marker serialises")
    }
}

/// A report being prepared beside its destination.
pub struct ReportDir {
    out: PathBuf,
    staging: tempfile::TempDir,
    /// The staging marker, locked while this run lives.
    lock: File,
    /// Warnings for the user (leftovers found and cleaned or kept).
    pub notices: Vec<String>,
}

/// `out` as an absolute path whose parent exists (created if need be).
fn resolve(out: &Path) -> anyhow::Result<PathBuf> {
    let name = match out.file_name() {
        Some(n) if out.components().next_back().is_some_and(|c| matches!(c, std::path::Component::Normal(_))) => n,
        _ => bail!(
            "--out {}: the report needs a directory of its own, not the current directory or its parent: e.g. --out report",
            out.display()
        ),
    };
    if out.exists() {
        return out.canonicalize().with_context(|| format!("cannot resolve {}", out.display()));
    }
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).with_context(|| format!("cannot create {}", parent.display()))?;
    Ok(parent.canonicalize().with_context(|| format!("cannot resolve {}", parent.display()))?.join(name))
}

/// The prefix of the staging directories of reports written to `out`.
fn staging_prefix(out: &Path) -> String {
    format!(".{}.sbrt-staging-", out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default())
}

impl ReportDir {
    /// Check `out` and claim a staging directory beside it, before any work.
    pub fn prepare(out: &Path, inputs: &[&Path]) -> anyhow::Result<ReportDir> {
        let shown = out.display().to_string();
        let abs = resolve(out)?;
        if let Ok(cwd) = std::env::current_dir().and_then(|d| d.canonicalize()) {
            if cwd.starts_with(&abs) {
                bail!("--out {shown} is the current directory (or holds it): name a new directory, e.g. --out report");
            }
        }
        for input in inputs {
            if let Ok(input) = input.canonicalize() {
                if input.starts_with(&abs) {
                    bail!("--out {shown} holds the input {}: write the report to another directory", input.display());
                }
            }
        }
        if abs.exists() {
            if !abs.is_dir() {
                bail!("--out {shown} exists and is not a directory");
            }
            let empty = std::fs::read_dir(&abs).with_context(|| format!("cannot read {shown}"))?.next().is_none();
            if !empty && Marker::read(&abs).is_none() {
                bail!("--out {shown} is not empty and is not an sbrt report: choose a new or empty directory");
            }
        }
        let parent = abs.parent().expect("a resolved path has a parent").to_path_buf();
        let notices = clean_leftovers(&parent, &abs);
        let staging = tempfile::Builder::new()
            .prefix(&staging_prefix(&abs))
            .tempdir_in(&parent)
            .with_context(|| format!("cannot write the report beside {shown} (in {})", parent.display()))?;
        let mut lock = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(staging.path().join(MARKER))
            .with_context(|| format!("cannot write the report beside {shown}"))?;
        lock.try_lock().map_err(|e| anyhow::anyhow!("cannot lock the staging directory: {e}"))?;
        lock.write_all(&Marker::bytes(&[]))
            .and_then(|()| lock.sync_all())
            .with_context(|| format!("cannot write the report beside {shown}"))?;
        Ok(ReportDir { out: abs, staging, lock, notices })
    }

    /// Write `files` and put them in place of `out`, keeping every file in
    /// `out` that sbrt did not write.
    pub fn commit(mut self, files: &[(String, Vec<u8>)]) -> anyhow::Result<()> {
        let names: Vec<String> = files.iter().map(|(n, _)| n.clone()).collect();
        let previous = if self.out.exists() { Marker::read(&self.out).map(|m| m.files) } else { None };
        let theirs = previous.as_ref().map(|p| foreign_entries(&self.out, p)).transpose()?.unwrap_or_default();
        if let Some(clash) = theirs.iter().find(|n| names.contains(n)) {
            bail!(
                "{} holds {clash}, which sbrt did not write and would now replace: move it away first",
                self.out.display()
            );
        }
        let dir = self.staging.path().to_path_buf();
        for (name, bytes) in files {
            let path = dir.join(name);
            let mut f = OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
                .with_context(|| format!("cannot write {name}"))?;
            f.write_all(bytes).and_then(|()| f.sync_all()).with_context(|| format!("cannot write {name}"))?;
        }
        use std::io::Seek;
        self.lock.set_len(0).context("cannot write the report marker")?;
        self.lock.rewind().context("cannot write the report marker")?;
        self.lock
            .write_all(&Marker::bytes(&names))
            .and_then(|()| self.lock.sync_all())
            .context("cannot write the report marker")?;
        sync_dir(&dir);
        let staging = self.staging.keep();
        if self.out.exists() {
            exchange(&staging, &self.out)
                .with_context(|| format!("cannot put the report in place at {}", self.out.display()))?;
            // `staging` now holds the old report (or the old empty directory).
            restore_foreign(&staging, &self.out, previous.as_deref().unwrap_or(&[]))?;
        } else {
            std::fs::rename(&staging, &self.out)
                .with_context(|| format!("cannot put the report in place at {}", self.out.display()))?;
        }
        if let Some(parent) = self.out.parent() {
            sync_dir(parent);
        }
        Ok(())
    }
}

/// The entries of a report directory that sbrt did not write.
fn foreign_entries(dir: &Path, tool_files: &[String]) -> anyhow::Result<Vec<String>> {
    let mut theirs = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))? {
        let name = entry.with_context(|| format!("cannot read {}", dir.display()))?.file_name();
        let name = name.to_string_lossy().into_owned();
        if name != MARKER && !tool_files.contains(&name) {
            theirs.push(name);
        }
    }
    Ok(theirs)
}

/// Move the files sbrt did not write from the old report `old` into `out`,
/// then remove the old report's own files and, when it is empty, `old`.
/// Files that cannot be moved stay in `old`, and the error says where.
fn restore_foreign(old: &Path, out: &Path, tool_files: &[String]) -> anyhow::Result<()> {
    let mut kept = Vec::new();
    for name in foreign_entries(old, tool_files)? {
        let target = out.join(&name);
        if target.exists() || std::fs::rename(old.join(&name), &target).is_err() {
            kept.push(name);
        }
    }
    for name in tool_files.iter().map(String::as_str).chain([MARKER]) {
        let _ = std::fs::remove_file(old.join(name));
    }
    if kept.is_empty() {
        let _ = std::fs::remove_dir(old);
        return Ok(());
    }
    bail!(
        "the report is in {}, but {} of your files could not be moved back from the previous report: they are in {} ({})",
        out.display(),
        kept.len(),
        old.display(),
        kept.join(", ")
    )
}

/// Remove the staging directories that interrupted runs writing `out` left
/// in `parent`, moving any file the user had put in a previous report back
/// into `out`. Returns what the user should know.
fn clean_leftovers(parent: &Path, out: &Path) -> Vec<String> {
    let prefix = staging_prefix(out);
    let Ok(entries) = std::fs::read_dir(parent) else { return Vec::new() };
    let mut notices = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if !name.starts_with(&prefix) || !is_dir {
            continue;
        }
        // A staging directory whose marker is locked belongs to a live run.
        match File::open(path.join(MARKER)) {
            Ok(f) if f.try_lock().is_err() => continue,
            Ok(_) => {}
            Err(_) => {
                // Killed between creating the directory and its marker: empty.
                if std::fs::remove_dir(&path).is_err() {
                    notices.push(format!(
                        "{} was left by an interrupted run and holds files sbrt cannot account for: look at it and remove it",
                        path.display()
                    ));
                }
                continue;
            }
        }
        let tool_files = Marker::read(&path).map(|m| m.files).unwrap_or_default();
        let out_is_report = out.is_dir() && Marker::read(out).is_some();
        let result = if out_is_report {
            restore_foreign(&path, out, &tool_files)
        } else {
            // No report to move files into: remove only what sbrt wrote.
            for name in tool_files.iter().map(String::as_str).chain([MARKER]) {
                let _ = std::fs::remove_file(path.join(name));
            }
            match std::fs::remove_dir(&path) {
                Ok(()) => Ok(()),
                Err(_) => Err(anyhow::anyhow!(
                    "{} was left by an interrupted run and holds files sbrt did not write: move them where you want them",
                    path.display()
                )),
            }
        };
        match result {
            Ok(()) => notices.push(format!("removed {}, left by an interrupted run", path.display())),
            Err(e) => notices.push(format!("{e:#}")),
        }
    }
    notices
}

/// Swap two directories atomically where the system can.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let a = CString::new(a.as_os_str().as_bytes())?;
    let b = CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both are valid NUL-terminated paths; the call has no other inputs.
    let rc = unsafe { libc::renameat2(libc::AT_FDCWD, a.as_ptr(), libc::AT_FDCWD, b.as_ptr(), libc::RENAME_EXCHANGE) };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// Swap two directories with two renames (a kill between them leaves `b`
/// missing and both reports in hidden directories beside it).
#[cfg(not(target_os = "linux"))]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    let aside = a.with_extension("previous");
    std::fs::rename(b, &aside)?;
    if let Err(e) = std::fs::rename(a, b) {
        let _ = std::fs::rename(&aside, b);
        return Err(e);
    }
    std::fs::rename(&aside, a)
}

/// Make a directory's entries durable (best effort: not every system can).
fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("sbrt-report-dir-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir.canonicalize().unwrap()
    }

    fn files(tag: &str) -> Vec<(String, Vec<u8>)> {
        vec![("a.csv".into(), tag.as_bytes().to_vec()), ("b.md".into(), tag.as_bytes().to_vec())]
    }

    fn hidden(dir: &Path) -> Vec<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with('.'))
            .collect()
    }

    #[test]
    fn a_report_replaces_its_own_files_and_keeps_the_users() {
        let base = scratch("keep");
        let out = base.join("rep");
        ReportDir::prepare(&out, &[]).unwrap().commit(&files("one")).unwrap();
        std::fs::write(out.join("manuscript.docx"), "draft").unwrap();
        std::fs::create_dir(out.join("figs_edited")).unwrap();
        ReportDir::prepare(&out, &[]).unwrap().commit(&[("a.csv".into(), b"two".to_vec())]).unwrap();
        assert_eq!(std::fs::read_to_string(out.join("a.csv")).unwrap(), "two");
        assert!(!out.join("b.md").exists(), "a file of the old report only is removed");
        assert_eq!(std::fs::read_to_string(out.join("manuscript.docx")).unwrap(), "draft");
        assert!(out.join("figs_edited").is_dir());
        assert!(hidden(&base).is_empty(), "{:?}", hidden(&base));
    }

    #[test]
    fn a_directory_that_sbrt_did_not_mark_is_refused() {
        let base = scratch("refuse");
        let other = base.join("other_tool");
        std::fs::create_dir(&other).unwrap();
        std::fs::write(other.join("results.json"), "{}").unwrap();
        std::fs::write(other.join("data.csv"), "x").unwrap();
        let e = ReportDir::prepare(&other, &[]).err().unwrap().to_string();
        assert!(e.contains("not an sbrt report"), "{e}");
        std::fs::write(other.join(MARKER), r#"{"software":"other","files":["data.csv"]}"#).unwrap();
        assert!(ReportDir::prepare(&other, &[]).is_err(), "a marker of another program is not ours");
        assert_eq!(std::fs::read_to_string(other.join("data.csv")).unwrap(), "x");
    }

    #[test]
    fn an_output_holding_an_input_is_refused() {
        let base = scratch("input");
        let out = base.join("r");
        ReportDir::prepare(&out, &[]).unwrap().commit(&files("one")).unwrap();
        std::fs::write(out.join("cohort.csv"), "x").unwrap();
        let e = ReportDir::prepare(&out, &[&out.join("cohort.csv")]).err().unwrap().to_string();
        assert!(e.contains("holds the input"), "{e}");
        let e = ReportDir::prepare(&base, &[&out.join("cohort.csv")]).err().unwrap().to_string();
        assert!(e.contains("holds the input"), "{e}");
    }

    #[test]
    fn a_failed_run_leaves_no_staging_and_a_stale_one_is_cleaned() {
        let base = scratch("stale");
        let out = base.join("rep");
        ReportDir::prepare(&out, &[]).unwrap().commit(&files("one")).unwrap();
        drop(ReportDir::prepare(&out, &[]).unwrap());
        assert!(hidden(&base).is_empty(), "{:?}", hidden(&base));
        // A run killed after the exchange: the old report, with a user's file, beside the new one.
        let stale = base.join(format!("{}x1", staging_prefix(&out)));
        std::fs::create_dir(&stale).unwrap();
        std::fs::write(stale.join(MARKER), Marker::bytes(&["a.csv".into()])).unwrap();
        std::fs::write(stale.join("a.csv"), "old").unwrap();
        std::fs::write(stale.join("notes.txt"), "mine").unwrap();
        let dir = ReportDir::prepare(&out, &[]).unwrap();
        assert_eq!(dir.notices.len(), 1, "{:?}", dir.notices);
        assert_eq!(std::fs::read_to_string(out.join("notes.txt")).unwrap(), "mine");
        assert!(!stale.exists());
    }

    #[test]
    fn a_live_runs_staging_is_left_alone() {
        let base = scratch("live");
        let out = base.join("rep");
        let first = ReportDir::prepare(&out, &[]).unwrap();
        let second = ReportDir::prepare(&out, &[]).unwrap();
        assert!(first.staging.path().exists());
        second.commit(&files("two")).unwrap();
        assert!(first.staging.path().exists());
    }

    #[test]
    fn a_planted_symlink_in_a_predictable_place_is_never_followed() {
        let base = scratch("symlink");
        let out = base.join("rep");
        let victim = base.join("victim.txt");
        std::fs::write(&victim, "precious").unwrap();
        // The old, predictable staging names: nothing writes there any more.
        for tag in ["partial", "previous"] {
            let planted = base.join(format!(".rep.{tag}-{}", std::process::id()));
            std::fs::create_dir(&planted).unwrap();
            std::os::unix::fs::symlink(&victim, planted.join("a.csv")).unwrap();
        }
        ReportDir::prepare(&out, &[]).unwrap().commit(&files("one")).unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
        assert!(!std::fs::symlink_metadata(out.join("a.csv")).unwrap().file_type().is_symlink());
    }
}
