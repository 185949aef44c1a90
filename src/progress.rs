//! A progress line on standard error for long runs (a million-patient
//! cohort): the elapsed time, the current stage and, for counted work, a
//! bar. Shown when standard error is a terminal, or when asked for
//! (`--progress`); otherwise silent, so pipes and logs stay clean.
//!
//! Redraws are limited to ten a second (and every change of stage), so
//! reporting costs nothing measurable however often it is called; it is
//! safe to call from worker threads.

use std::io::Write;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Width of the bar in characters.
const BAR: usize = 24;

/// The progress display.
pub struct Progress {
    enabled: bool,
    start: Instant,
    state: Mutex<State>,
}

struct State {
    label: String,
    last_draw: Option<Instant>,
}

impl Progress {
    /// Shown when `forced`, or when standard error is a terminal.
    pub fn new(forced: bool) -> Progress {
        Progress::showing(forced || std::io::IsTerminal::is_terminal(&std::io::stderr()))
    }

    /// A display that never shows anything.
    pub fn hidden() -> Progress {
        Progress::showing(false)
    }

    fn showing(enabled: bool) -> Progress {
        Progress { enabled, start: Instant::now(), state: Mutex::new(State { label: String::new(), last_draw: None }) }
    }

    /// Report `done` of `total` steps of the stage `label` (`total` 0 for a
    /// stage that is not counted).
    pub fn update(&self, label: &str, done: usize, total: usize) {
        if !self.enabled {
            return;
        }
        let Ok(mut state) = self.state.lock() else { return };
        let now = Instant::now();
        let new_stage = state.label != label;
        let due = state.last_draw.is_none_or(|t| now - t >= Duration::from_millis(100));
        if !(new_stage || due || done == total) {
            return;
        }
        let mut err = std::io::stderr().lock();
        if new_stage && !state.label.is_empty() {
            let _ = writeln!(err);
        }
        let elapsed = (now - self.start).as_secs_f64();
        let line = match (BAR * done.min(total)).checked_div(total) {
            Some(filled) => {
                format!("{elapsed:7.1} s  {label} [{}{}] {done}/{total}", "#".repeat(filled), ".".repeat(BAR - filled))
            }
            None => format!("{elapsed:7.1} s  {label}"),
        };
        let _ = write!(err, "\r{line}");
        let _ = err.flush();
        state.label = label.to_string();
        state.last_draw = Some(now);
    }

    /// End the display (a final line break), when anything was shown.
    pub fn finish(&self) {
        if let Ok(state) = self.state.lock() {
            if self.enabled && !state.label.is_empty() {
                eprintln!();
            }
        }
    }
}
