//! Export progress on stderr: a bar when stderr is a terminal, a plain line
//! every few seconds otherwise (logs, CI).

use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

use crate::when::human;

/// How often a plain progress line is written.
const LINE_EVERY: Duration = Duration::from_secs(2);

/// What the reporter shows.
pub enum Mode {
    /// Nothing.
    Quiet,
    /// Plain lines.
    Lines,
    /// A redrawn bar.
    Bar,
}

/// Counts windows and issues and shows rate and ETA.
pub struct Progress {
    mode: Mode,
    bar: Option<ProgressBar>,
    total_windows: u64,
    windows: u64,
    issues: u64,
    started: Instant,
    issues_at_start: u64,
    last_line: Option<Instant>,
}

impl Progress {
    /// A reporter for `total_windows` windows, `issues` already exported by
    /// an earlier run.
    pub fn new(mode: Mode, total_windows: u64, issues: u64) -> Self {
        let bar = matches!(mode, Mode::Bar).then(|| {
            let bar = ProgressBar::new(total_windows);
            if let Ok(style) = ProgressStyle::with_template(
                "{elapsed_precise} [{bar:20}] {pos}/{len} windows, {msg}",
            ) {
                bar.set_style(style.progress_chars("=> "));
            }
            bar
        });
        Progress {
            mode,
            bar,
            total_windows,
            windows: 0,
            issues,
            started: Instant::now(),
            issues_at_start: issues,
            last_line: None,
        }
    }

    /// A window finished with `issues` new issues.
    pub fn window_done(&mut self, issues: u64) {
        self.windows += 1;
        self.issues += issues;
        let status = self.status();
        match self.mode {
            Mode::Quiet => {}
            Mode::Bar => {
                if let Some(bar) = &self.bar {
                    bar.set_message(status);
                    bar.set_position(self.windows);
                }
            }
            Mode::Lines => {
                let due = self
                    .last_line
                    .is_none_or(|last| last.elapsed() >= LINE_EVERY);
                if due || self.windows == self.total_windows {
                    eprintln!(
                        "export: {}/{} windows, {status}",
                        self.windows, self.total_windows
                    );
                    self.last_line = Some(Instant::now());
                }
            }
        }
    }

    /// Issues, rate and time left.
    fn status(&self) -> String {
        let elapsed = self.started.elapsed();
        let fresh = self.issues - self.issues_at_start;
        let rate = fresh as f64 / elapsed.as_secs_f64().max(0.001);
        let left = self.total_windows.saturating_sub(self.windows);
        let eta = if self.windows == 0 {
            "ETA unknown".to_string()
        } else {
            let per_window = elapsed.as_secs_f64() / self.windows as f64;
            format!(
                "ETA {}",
                human(Duration::from_secs_f64(per_window * left as f64))
            )
        };
        format!("{} issues, {rate:.0}/s, {eta}", self.issues)
    }

    /// Clears the bar; the caller prints the outcome.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }

    /// Issues exported, earlier runs included.
    pub fn issues(&self) -> u64 {
        self.issues
    }

    /// Time this run took so far.
    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_counts_this_run_for_the_rate_and_all_runs_for_the_total() {
        let mut progress = Progress::new(Mode::Quiet, 4, 100);
        progress.window_done(50);
        progress.window_done(50);
        assert_eq!(progress.issues(), 200);
        let status = progress.status();
        assert!(status.starts_with("200 issues, "), "{status}");
        assert!(status.contains("ETA "), "{status}");
        assert!(!status.contains("unknown"), "{status}");
    }
}
