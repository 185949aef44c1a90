//! What the command-line tests share: the repository root, running the
//! binary there, and a fresh scratch directory per test.
// Each test binary uses some of these.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Run `sbrt` with `args` in the repository root.
pub fn sbrt(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sbrt")).args(args).current_dir(root()).output().unwrap()
}

/// Every file under `dir`, recursively.
pub fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(files(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// Analyse the bundled example with the study `text`, written to
/// `dir/study.toml`; the report directory (`dir/report`), the run having succeeded.
pub fn analyze_example_with(dir: &Path, text: &str) -> PathBuf {
    let study = dir.join("study.toml");
    std::fs::write(&study, text).unwrap();
    let out = dir.join("report");
    let o = sbrt(&["analyze", "--example", "--study", study.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    out
}

/// An empty directory of this test process, named `name`.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sbrt-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
