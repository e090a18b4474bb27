//! `issues export`: the issues created in a range, written as JSON Lines or
//! CSV, window by window, resumable.
//!
//! After each window the issues are written and flushed to disk, and only
//! then is the pair (the SDK's checkpoint after that window, the output's
//! length) saved, atomically, next to the output. However the process stops
//! (Ctrl-C, the SDK giving up, a kill), the saved pair describes a prefix of
//! the output that holds exactly the issues before the checkpoint; bytes
//! after it belong to a window that was not recorded. `--resume` cuts the
//! output back to the recorded length and continues from the checkpoint, so
//! the finished file holds every issue exactly once.

use std::fs::{File, OpenOptions};
use std::io::{IsTerminal, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use futures::TryStreamExt;
use pylon_sdk::window::IssueWindows;
use pylon_sdk::{AsSent, Checkpoint, Client, ExportIssues};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::columns::{self, Column};
use crate::failure::{Failure, Result, code};
use crate::progress::{Mode, Progress};
use crate::when;

/// The output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    /// One JSON object per line.
    Jsonl,
    /// Comma-separated values with a header row (RFC 4180).
    Csv,
}

/// `pylon issues export`'s arguments.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Issues created at or after this time (RFC 3339 or YYYY-MM-DD).
    #[arg(long, value_name = "TIME", conflicts_with = "since")]
    from: Option<String>,
    /// Issues created before this time (default: now).
    #[arg(long, value_name = "TIME")]
    to: Option<String>,
    /// Issues created in the last DURATION (90d, 12h, 2w) or since a date.
    #[arg(long, value_name = "DURATION|DATE")]
    since: Option<String>,
    /// How many windows are fetched at once.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=32))]
    concurrency: u16,
    /// The output format (default jsonl).
    #[arg(long, value_enum)]
    format: Option<ExportFormat>,
    /// The values written, comma-separated: issue fields (id, title, state,
    /// account.id, ...) and custom_fields.SLUG. Default: every field for
    /// jsonl; a standard set for csv.
    #[arg(long, value_name = "COLUMNS")]
    columns: Option<String>,
    /// Write here (default stdout, which cannot be resumed).
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Continue an export that stopped, from OUTPUT.checkpoint.json.
    #[arg(long)]
    resume: bool,
    /// How long a window that keeps failing is retried before the export
    /// stops with a checkpoint (e.g. 10m, 30s, 0s).
    #[arg(long, value_name = "DURATION", default_value = "10m", value_parser = when::parse_duration)]
    patience: Duration,
    /// The longest window sent to Pylon, in days (30 in older API versions, 365 now).
    #[arg(long, value_name = "DAYS", default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=365))]
    max_window_days: u32,
    /// Issues per page.
    #[arg(long, value_name = "N", default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..=20_000))]
    page_size: u32,
    /// No progress on stderr.
    #[arg(long, short)]
    quiet: bool,
}

/// What is saved next to the output after every window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Saved {
    version: u32,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    format: ExportFormat,
    columns: Option<String>,
    /// The output's length when `checkpoint` was taken.
    output_bytes: u64,
    checkpoint: Checkpoint,
}

const SAVED_VERSION: u32 = 1;

/// The checkpoint file of an output file.
pub fn checkpoint_path(output: &Path) -> PathBuf {
    let mut name = output.as_os_str().to_owned();
    name.push(".checkpoint.json");
    PathBuf::from(name)
}

impl Saved {
    fn load(path: &Path) -> Result<Saved> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                Failure::usage(format!(
                    "nothing to resume: there is no checkpoint {}",
                    path.display()
                ))
            } else {
                Failure::io(path.display(), e)
            }
        })?;
        let saved: Saved = serde_json::from_str(&text)
            .map_err(|e| Failure::usage(format!("{} is not a checkpoint: {e}", path.display())))?;
        if saved.version != SAVED_VERSION {
            return Err(Failure::usage(format!(
                "{} was written by another version (format {})",
                path.display(),
                saved.version
            )));
        }
        Ok(saved)
    }

    /// Writes the checkpoint atomically: a temporary file, synced, renamed.
    fn store(&self, path: &Path) -> Result<()> {
        let mut temporary = path.as_os_str().to_owned();
        temporary.push(".tmp");
        let temporary = PathBuf::from(temporary);
        let text = serde_json::to_vec_pretty(self)
            .map_err(|e| Failure::other(format!("the checkpoint could not be written: {e}")))?;
        let write = || -> std::io::Result<()> {
            let mut file = File::create(&temporary)?;
            file.write_all(&text)?;
            file.sync_all()?;
            std::fs::rename(&temporary, path)
        };
        write().map_err(|e| Failure::io(path.display(), e))
    }
}

/// Where the issues go.
enum Sink {
    Stdout(std::io::Stdout),
    File {
        file: File,
        path: PathBuf,
        checkpoint: PathBuf,
    },
}

impl Sink {
    /// Writes a window's bytes and makes them durable.
    fn write(&mut self, bytes: &[u8]) -> Result<()> {
        match self {
            Sink::Stdout(out) => {
                let mut out = out.lock();
                out.write_all(bytes)
                    .and_then(|()| out.flush())
                    .map_err(|e| Failure::io("stdout", e))
            }
            Sink::File { file, path, .. } => file
                .write_all(bytes)
                .and_then(|()| file.flush())
                .and_then(|()| file.sync_data())
                .map_err(|e| Failure::io(path.display(), e)),
        }
    }
}

/// Runs `issues export`.
pub async fn run(client: &Client, args: Args) -> Result<()> {
    let output = args.output.clone().filter(|path| path.as_os_str() != "-");
    if args.resume && output.is_none() {
        return Err(Failure::usage(
            "--resume needs --output FILE: only a file export keeps a checkpoint",
        ));
    }
    let checkpoint_file = output.as_deref().map(checkpoint_path);
    let (saved, resumed) = match &checkpoint_file {
        Some(path) if args.resume => (resumed_settings(&args, Saved::load(path)?)?, true),
        Some(path) if path.exists() => {
            return Err(Failure::usage(format!(
                "{} exists: an earlier export to this file stopped; add --resume to continue it, \
                 or delete the checkpoint to start over",
                path.display()
            )));
        }
        _ => (new_settings(&args)?, false),
    };
    let columns = match (&saved.columns, saved.format) {
        (Some(spec), _) => Some(columns::parse(spec).map_err(Failure::usage)?),
        (None, ExportFormat::Csv) => {
            Some(columns::parse(columns::DEFAULT_CSV_COLUMNS).map_err(Failure::usage)?)
        }
        (None, ExportFormat::Jsonl) => None,
    };
    if let Some(columns) = &columns {
        let unmodelled = columns::unmodelled(columns);
        if !unmodelled.is_empty() {
            eprintln!(
                "note: --columns {} names no field this version of pylon models; read \
                 from each issue as Pylon sends it (empty where it has none)",
                unmodelled.join(", ")
            );
        }
    }
    let max_window = TimeDelta::days(i64::from(args.max_window_days.max(1)));

    let mut sink = match (&output, &checkpoint_file) {
        (Some(path), Some(checkpoint)) => Sink::File {
            file: open_output(path, resumed.then_some(saved.output_bytes))?,
            path: path.clone(),
            checkpoint: checkpoint.clone(),
        },
        _ => Sink::Stdout(std::io::stdout()),
    };
    let mut saved = saved;
    if !resumed {
        if let (ExportFormat::Csv, Some(columns)) = (saved.format, &columns) {
            let mut header = Vec::new();
            columns::csv_record(columns.iter().map(Column::name), &mut header);
            sink.write(&header)?;
            saved.output_bytes = header.len() as u64;
        }
        if let Sink::File { checkpoint, .. } = &sink {
            saved.store(checkpoint)?;
        }
    }

    let mut export = client
        .export_issues(saved.from, saved.to)
        .max_window(max_window)
        .page_size(args.page_size)
        .concurrency(usize::from(args.concurrency))
        .patience(args.patience);
    if resumed {
        export = export.resume_from(&saved.checkpoint);
    }
    let first_window = saved.checkpoint.window_start.unwrap_or(saved.from);
    let total_windows = if first_window >= saved.to {
        0
    } else {
        IssueWindows::new(first_window, saved.to, max_window)
            .map_err(Failure::from)?
            .count() as u64
    };
    let mode = match (args.quiet, std::io::stderr().is_terminal()) {
        (true, _) => Mode::Quiet,
        (false, true) => Mode::Bar,
        (false, false) => Mode::Lines,
    };
    let mut progress = Progress::new(mode, total_windows, saved.checkpoint.items_yielded());
    let mut windows = export.windows()?;
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    tokio::pin!(interrupt);
    loop {
        let next = tokio::select! {
            biased;
            () = &mut interrupt => {
                progress.finish();
                return Err(stopped(&sink, progress.issues(), "interrupted (Ctrl-C)".into()));
            }
            next = windows.try_next() => next,
        };
        match next {
            Ok(Some(window)) => {
                let mut bytes = Vec::new();
                for issue in &window.issues {
                    write_issue(issue, saved.format, columns.as_deref(), &mut bytes)?;
                }
                sink.write(&bytes)?;
                saved.output_bytes += bytes.len() as u64;
                saved.checkpoint = window.checkpoint;
                if let Sink::File { checkpoint, .. } = &sink {
                    saved.store(checkpoint)?;
                }
                progress.window_done(window.issues.len() as u64);
            }
            Ok(None) => break,
            Err(error) => {
                progress.finish();
                if error.checkpoint().is_some() {
                    // The SDK's checkpoint is the one saved after the last
                    // window written: the saved pair is already right.
                    return Err(stopped(&sink, progress.issues(), error.to_string()));
                }
                let mut failure = Failure::from(error);
                if let Sink::File { checkpoint, .. } = &sink {
                    failure = Failure::with_code(
                        failure.code(),
                        format!(
                            "{failure}; the export can continue from {} with --resume",
                            checkpoint.display()
                        ),
                    );
                }
                return Err(failure);
            }
        }
    }
    progress.finish();
    let target = match &sink {
        Sink::File {
            path, checkpoint, ..
        } => {
            std::fs::remove_file(checkpoint).or_else(|e| match e.kind() {
                std::io::ErrorKind::NotFound => Ok(()),
                _ => Err(Failure::io(checkpoint.display(), e)),
            })?;
            path.display().to_string()
        }
        Sink::Stdout(_) => "stdout".into(),
    };
    if !args.quiet {
        eprintln!(
            "exported {} issues created in [{}, {}) to {target} in {}",
            progress.issues(),
            saved.from.to_rfc3339(),
            saved.to.to_rfc3339(),
            when::human(progress.elapsed()),
        );
    }
    Ok(())
}

/// The failure of an export that stopped and can be resumed.
fn stopped(sink: &Sink, issues: u64, why: String) -> Failure {
    let how = match sink {
        Sink::File { checkpoint, .. } => format!(
            "run the same command with --resume to continue (checkpoint {})",
            checkpoint.display()
        ),
        Sink::Stdout(_) => "an export to stdout cannot be resumed; use --output FILE".into(),
    };
    Failure::with_code(
        code::INTERRUPTED,
        format!("export stopped after {issues} issues: {why}; {how}"),
    )
}

/// The settings of a new export, from the arguments.
fn new_settings(args: &Args) -> Result<Saved> {
    let now = Utc::now();
    let from = match (&args.from, &args.since) {
        (Some(_), Some(_)) => {
            return Err(Failure::usage("give --from or --since, not both"));
        }
        (Some(from), None) => when::parse_instant(from).map_err(Failure::usage)?,
        (None, Some(since)) => when::parse_since(since, now).map_err(Failure::usage)?,
        (None, None) => {
            return Err(Failure::usage(
                "say which issues: --from TIME [--to TIME] or --since DURATION|DATE",
            ));
        }
    };
    let to = match &args.to {
        Some(to) => when::parse_instant(to).map_err(Failure::usage)?,
        None => now,
    };
    if to <= from {
        return Err(Failure::usage(format!(
            "the range is empty: it ends ({}) at or before it starts ({})",
            to.to_rfc3339(),
            from.to_rfc3339()
        )));
    }
    Ok(Saved {
        version: SAVED_VERSION,
        from,
        to,
        format: args.format.unwrap_or(ExportFormat::Jsonl),
        columns: args.columns.clone(),
        output_bytes: 0,
        checkpoint: Checkpoint::default(),
    })
}

/// The saved settings, checked against what the resumed command says: the
/// range, format and columns are the first run's (a relative `--since`
/// resolves to the first run's range).
fn resumed_settings(args: &Args, saved: Saved) -> Result<Saved> {
    let differs = |what: &str, given: String, recorded: String| {
        Failure::usage(format!(
            "--resume continues the export as it started: {what} was {recorded}, not {given}"
        ))
    };
    if let Some(from) = &args.from {
        let from = when::parse_instant(from).map_err(Failure::usage)?;
        if from != saved.from {
            return Err(differs(
                "--from",
                from.to_rfc3339(),
                saved.from.to_rfc3339(),
            ));
        }
    }
    if let Some(to) = &args.to {
        let to = when::parse_instant(to).map_err(Failure::usage)?;
        if to != saved.to {
            return Err(differs("--to", to.to_rfc3339(), saved.to.to_rfc3339()));
        }
    }
    if let Some(format) = args.format
        && format != saved.format
    {
        return Err(differs(
            "--format",
            format!("{format:?}").to_lowercase(),
            format!("{:?}", saved.format).to_lowercase(),
        ));
    }
    if args.columns.is_some() && args.columns != saved.columns {
        return Err(differs(
            "--columns",
            args.columns.clone().unwrap_or_default(),
            saved
                .columns
                .clone()
                .unwrap_or_else(|| "the default".into()),
        ));
    }
    Ok(saved)
}

/// Opens the output: new and empty, or (resuming) cut back to the length
/// the checkpoint recorded.
fn open_output(path: &Path, resume_at: Option<u64>) -> Result<File> {
    let failed = |e| Failure::io(path.display(), e);
    let Some(length) = resume_at else {
        return File::create(path).map_err(failed);
    };
    let mut file = OpenOptions::new().write(true).open(path).map_err(failed)?;
    let actual = file.metadata().map_err(failed)?.len();
    if actual < length {
        return Err(Failure::usage(format!(
            "{} holds {actual} bytes but its checkpoint recorded {length}: it was changed since, \
             so the export cannot continue",
            path.display()
        )));
    }
    file.set_len(length).map_err(failed)?;
    file.seek(SeekFrom::End(0)).map_err(failed)?;
    Ok(file)
}

/// One issue as a line of the output: as Pylon sent it (every field, the
/// ones this version does not model included), or the chosen columns of it.
fn write_issue(
    issue: &AsSent<pylon_sdk::types::Issue>,
    format: ExportFormat,
    columns: Option<&[Column]>,
    out: &mut Vec<u8>,
) -> Result<()> {
    let sent = || {
        serde_json::from_str::<Value>(issue.json())
            .map_err(|e| Failure::other(format!("issue {} could not be read: {e}", issue.id)))
    };
    match (format, columns) {
        (ExportFormat::Jsonl, None) => {
            // A line break can only stand between tokens (inside a string it
            // is escaped), so dropping it keeps every value byte for byte.
            let json = issue.json();
            if json.contains(['\n', '\r']) {
                out.extend(json.bytes().filter(|b| !matches!(b, b'\n' | b'\r')));
            } else {
                out.extend_from_slice(json.as_bytes());
            }
            out.push(b'\n');
        }
        (ExportFormat::Jsonl, Some(columns)) => {
            let json = sent()?;
            let mut selected = serde_json::Map::new();
            for column in columns {
                selected.insert(column.name().to_string(), column.value(&json).clone());
            }
            serde_json::to_writer(&mut *out, &Value::Object(selected))
                .map_err(|e| Failure::other(format!("an issue could not be encoded: {e}")))?;
            out.push(b'\n');
        }
        (ExportFormat::Csv, columns) => {
            let json = sent()?;
            let fields: Vec<String> = columns
                .unwrap_or_default()
                .iter()
                .map(|column| columns::text(column.value(&json)))
                .collect();
            columns::csv_record(fields.iter().map(String::as_str), out);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args() -> Args {
        Args {
            from: Some("2026-01-01".into()),
            to: Some("2026-02-01".into()),
            since: None,
            concurrency: 1,
            format: None,
            columns: None,
            output: None,
            resume: false,
            patience: Duration::ZERO,
            max_window_days: 30,
            page_size: 100,
            quiet: true,
        }
    }

    #[test]
    fn a_range_needs_a_start_before_its_end() {
        let settings = new_settings(&args()).unwrap();
        assert_eq!(settings.format, ExportFormat::Jsonl);
        let mut reversed = args();
        reversed.to = Some("2025-12-01".into());
        assert!(
            new_settings(&reversed)
                .unwrap_err()
                .to_string()
                .contains("empty")
        );
        let mut both = args();
        both.since = Some("30d".into());
        assert!(new_settings(&both).is_err());
        let mut neither = args();
        neither.from = None;
        assert!(new_settings(&neither).is_err());
    }

    #[test]
    fn a_resume_keeps_the_first_runs_settings() {
        let saved = new_settings(&args()).unwrap();
        let mut again = args();
        again.from = None;
        again.since = Some("30d".into());
        assert_eq!(resumed_settings(&again, saved.clone()).unwrap(), saved);
        let mut other_format = args();
        other_format.format = Some(ExportFormat::Csv);
        assert!(resumed_settings(&other_format, saved.clone()).is_err());
        let mut other_end = args();
        other_end.to = Some("2026-03-01".into());
        assert!(resumed_settings(&other_end, saved).is_err());
    }

    #[test]
    fn resuming_cuts_the_output_back_to_the_recorded_length() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.jsonl");
        std::fs::write(&path, b"line 1\nline 2\npartial li").unwrap();
        let mut file = open_output(&path, Some(7)).unwrap();
        file.write_all(b"next\n").unwrap();
        drop(file);
        assert_eq!(std::fs::read(&path).unwrap(), b"line 1\nnext\n");
        assert!(
            open_output(&path, Some(100)).is_err(),
            "shorter than recorded"
        );
    }

    #[test]
    fn the_checkpoint_sits_next_to_the_output() {
        assert_eq!(
            checkpoint_path(Path::new("/tmp/issues.jsonl")),
            Path::new("/tmp/issues.jsonl.checkpoint.json")
        );
    }
}
