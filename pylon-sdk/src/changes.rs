//! Issues as Pylon sent them, window by window: those updated since a time
//! (what changed since the last run) or those created since a time (a first
//! full copy).
//!
//! `GET /issues` windows by creation time only, so "what changed since T"
//! goes through `POST /issues/search` with a `time_range` filter on
//! `updated_at`. [`IssueChanges::issues_updated_since`] splits `[T, now)`
//! into windows (30 days by default: an `updated_at` range longer than that
//! has been reported refused), fetches several at once, and yields each
//! finished window with a [`Checkpoint`] to resume from, like
//! [`IssueExport::windows`](crate::window::IssueExport::windows).
//! [`IssueChanges::issues_created_since`] does the same over `GET /issues`.
//!
//! Every issue is yielded as the JSON object Pylon sent ([`RawIssue`]),
//! fields this SDK does not know included, so a copy stored from it loses
//! nothing.
//!
//! # The next run
//! The range ends when the scan starts ([`IssueScan::until`] fixes it,
//! e.g. to resume a killed run with the same range). Every window carries
//! [`ScannedWindow::next_since`]: the range's end less an overlap
//! ([`DEFAULT_OVERLAP`], 5 minutes), where the next run should start once
//! this one finished. The overlap covers a client clock ahead of Pylon's and
//! updates Pylon makes visible to search a little after their `updated_at`;
//! an issue updated during a run has an `updated_at` past the range's end,
//! so the next run finds it. The price is that issues updated within the
//! overlap are yielded again by the next run: harmless to a store that
//! upserts by ID.
//!
//! ```no_run
//! use chrono::{TimeDelta, Utc};
//! use futures::TryStreamExt;
//! use pylon_sdk::{Client, changes::IssueChanges};
//!
//! # async fn run(client: Client) -> pylon_sdk::Result<()> {
//! let since = Utc::now() - TimeDelta::days(7); // or the last run's `next_since`
//! let mut windows = client.issues_updated_since(since).concurrency(2).windows()?;
//! let mut next_since = since;
//! while let Some(done) = windows.try_next().await? {
//!     for issue in &done.issues {
//!         println!("{} {}", issue.id, issue.json.json()); // upsert by id, JSON as sent
//!     }
//!     // Store `done.checkpoint` to resume this run, and ...
//!     next_since = done.next_since;
//! }
//! // ... once the stream ends, `next_since` for the next run.
//! # Ok(()) }
//! ```

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use futures::stream::{self, BoxStream, StreamExt, TryStreamExt};
use serde_json::{Value, json};

use crate::client::Client;
use crate::error::{Checkpoint, Error, Result};
use crate::generated::operations;
use crate::operations::OperationCall;
use crate::pagination::{DEFAULT_PATIENCE, Page};
use crate::response::AsSent;
use crate::window::{DEFAULT_MAX_WINDOW, IssueWindow, IssueWindows, WindowEdges};

/// How far before the previous range's end the next run starts.
pub const DEFAULT_OVERLAP: TimeDelta = TimeDelta::minutes(5);

/// Issues per `POST /issues/search` page: the most Pylon accepts.
pub const DEFAULT_SEARCH_PAGE_SIZE: u32 = 1000;

/// Issues per `GET /issues` page in a scan by creation time.
pub const DEFAULT_LIST_PAGE_SIZE: u32 = 1000;

/// Which time of an issue a scan's range is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IssueTime {
    /// `created_at`, through `GET /issues`.
    Created,
    /// `updated_at`, through `POST /issues/search`.
    Updated,
}

/// An issue exactly as Pylon sent it, with the fields a store keys on read
/// from it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RawIssue {
    /// Its `id`.
    pub id: String,
    /// Its `updated_at`, when it has a valid one.
    pub updated_at: Option<DateTime<Utc>>,
    /// The whole object exactly as Pylon sent it, unknown fields included
    /// (it dereferences to the parsed JSON; [`AsSent::json`] is the text).
    pub json: AsSent<Value>,
}

impl RawIssue {
    /// Reads the ID and `updated_at` of an issue object.
    ///
    /// # Errors
    /// [`Error::UnexpectedResponse`] when it is not an object with a
    /// non-empty string `id`.
    pub fn from_json(json: AsSent<Value>) -> Result<RawIssue> {
        let id = match json.get("id") {
            Some(Value::String(id)) if !id.is_empty() => id.clone(),
            _ => {
                return Err(Error::UnexpectedResponse(
                    "an issue without a string `id`".into(),
                ));
            }
        };
        let updated_at = json
            .get("updated_at")
            .and_then(Value::as_str)
            .and_then(|at| DateTime::parse_from_rfc3339(at).ok())
            .map(|at| at.with_timezone(&Utc));
        Ok(RawIssue {
            id,
            updated_at,
            json,
        })
    }
}

/// Scanning issues by creation or update time, window by window.
pub trait IssueChanges {
    /// Issues whose `updated_at` is at or after `since`, until now (see
    /// [`IssueScan::until`]).
    fn issues_updated_since(&self, since: DateTime<Utc>) -> IssueScan;
    /// Issues created at or after `since`, until now.
    fn issues_created_since(&self, since: DateTime<Utc>) -> IssueScan;
}

impl IssueChanges for Client {
    fn issues_updated_since(&self, since: DateTime<Utc>) -> IssueScan {
        IssueScan {
            client: self.clone(),
            by: IssueTime::Updated,
            start: since,
            end: None,
            max_window: DEFAULT_MAX_WINDOW,
            page_size: DEFAULT_SEARCH_PAGE_SIZE,
            concurrency: 1,
            patience: DEFAULT_PATIENCE,
            overlap: DEFAULT_OVERLAP,
            resume: None,
        }
    }

    fn issues_created_since(&self, since: DateTime<Utc>) -> IssueScan {
        IssueScan {
            by: IssueTime::Created,
            page_size: DEFAULT_LIST_PAGE_SIZE,
            ..self.issues_updated_since(since)
        }
    }
}

/// A scan of the issues in a time range; see [`IssueChanges`]. It owns a
/// clone of the client, so its stream can be moved into `tokio::spawn`.
#[must_use = "a scan does nothing until its stream is polled"]
#[derive(Debug, Clone)]
pub struct IssueScan {
    client: Client,
    by: IssueTime,
    start: DateTime<Utc>,
    end: Option<DateTime<Utc>>,
    max_window: TimeDelta,
    page_size: u32,
    concurrency: usize,
    patience: Duration,
    overlap: TimeDelta,
    resume: Option<Checkpoint>,
}

impl IssueScan {
    /// Ends the range at `end` (exclusive) instead of when the stream is
    /// made. A run resumed from a checkpoint must end where the run that
    /// saved it did.
    pub fn until(mut self, end: DateTime<Utc>) -> Self {
        self.end = Some(end);
        self
    }

    /// The longest window sent to Pylon. Default is 30 days.
    pub fn max_window(mut self, max_window: TimeDelta) -> Self {
        self.max_window = max_window;
        self
    }

    /// Issues per page: 1 to 1,000 for a scan by update time (default
    /// 1,000), 1 to 20,000 by creation time (default 1,000).
    pub fn page_size(mut self, page_size: u32) -> Self {
        self.page_size = page_size;
        self
    }

    /// How many windows are fetched at once; they are still yielded in
    /// order. Default is 1.
    pub fn concurrency(mut self, windows: usize) -> Self {
        self.concurrency = windows.max(1);
        self
    }

    /// How long a page that keeps failing is fetched again before the scan
    /// ends with [`Error::Interrupted`] (see
    /// [`Paginator::patience`](crate::Paginator::patience)). Default is 10
    /// minutes.
    pub fn patience(mut self, patience: Duration) -> Self {
        self.patience = patience;
        self
    }

    /// How far before this range's end the next run should start
    /// ([`ScannedWindow::next_since`]). Default is [`DEFAULT_OVERLAP`].
    pub fn overlap(mut self, overlap: TimeDelta) -> Self {
        self.overlap = overlap.max(TimeDelta::zero());
        self
    }

    /// Continues a scan from a [`ScannedWindow::checkpoint`] or the
    /// checkpoint of an [`Error::Interrupted`]: the windows after it, less
    /// the issues the window before it yielded. Set the same start and
    /// [`until`](IssueScan::until) as the scan that saved it.
    pub fn resume_from(mut self, checkpoint: &Checkpoint) -> Self {
        self.resume = Some(checkpoint.clone());
        self
    }

    /// Where this range ends: the [`until`](IssueScan::until) time, or now.
    pub fn range_end(&self) -> DateTime<Utc> {
        self.end.unwrap_or_else(Utc::now)
    }

    /// Every issue in the range, in window order, windows deduplicated by ID
    /// at their edges.
    ///
    /// # Errors
    /// As [`windows`](IssueScan::windows).
    pub fn items(self) -> Result<BoxStream<'static, Result<RawIssue>>> {
        Ok(self
            .windows()?
            .map_ok(|window| stream::iter(window.issues.into_iter().map(Ok)))
            .try_flatten()
            .boxed())
    }

    /// The finished windows, oldest first, each with its issues (less those
    /// the previous window yielded) and the checkpoint to resume after it.
    /// A window that cannot be fetched within the patience ends the stream
    /// with [`Error::Interrupted`], whose checkpoint resumes at that window;
    /// an issue that is not an object with an `id` ends it with
    /// [`Error::UnexpectedResponse`].
    ///
    /// # Errors
    /// [`Error::InvalidRequest`], before any request, when the range ends at
    /// or before its start (unless a checkpoint says it is finished), the
    /// maximum window is not positive or the page size is out of range.
    pub fn windows(self) -> Result<BoxStream<'static, Result<ScannedWindow>>> {
        let end = self.range_end();
        let next_since = end - self.overlap;
        let resume = self.resume.unwrap_or_default();
        let read_with = match self.by {
            IssueTime::Updated => operations::SEARCH_ISSUES,
            IssueTime::Created => operations::LIST_ISSUES,
        };
        if let Some(sizes) = read_with.page_sizes
            && !sizes.contains(i64::from(self.page_size))
        {
            return Err(Error::InvalidRequest(format!(
                "a scan's page size must be from {} to {}, not {}",
                sizes.min, sizes.max, self.page_size
            )));
        }
        let start = resume.window_start.unwrap_or(self.start);
        if resume.window_start.is_some_and(|at| at >= end) {
            return Ok(stream::empty().boxed());
        }
        let windows = IssueWindows::new(start, end, self.max_window)?;
        let (client, by, page_size, patience) =
            (self.client, self.by, self.page_size, self.patience);
        let fetched = stream::iter(windows)
            .map(move |window| {
                let pages = window_pages(&client, by, window)
                    .map(|pages| pages.page_size(page_size).patience(patience));
                async move {
                    let pages = match pages {
                        Ok(pages) => pages.pages().try_collect::<Vec<_>>().await,
                        Err(error) => Err(error),
                    };
                    (window, pages)
                }
            })
            .buffered(self.concurrency);
        let seen = WindowEdges::resumed(resume);
        let scanned = fetched.scan(seen, move |seen, (window, pages)| {
            if seen.ended {
                return futures::future::ready(None);
            }
            let item = pages
                .and_then(|pages| {
                    let pages_read = pages.len() as u64;
                    let issues = pages
                        .into_iter()
                        .flat_map(Page::into_items)
                        .map(RawIssue::from_json)
                        .collect::<Result<Vec<_>>>()?;
                    Ok((pages_read, issues))
                })
                .map(|(pages_read, issues)| {
                    let issues = seen.fresh(issues, |issue| &issue.id);
                    ScannedWindow {
                        window,
                        issues,
                        checkpoint: seen.checkpoint(window.end),
                        next_since,
                        pages_read,
                    }
                })
                .map_err(|error| {
                    seen.ended = true;
                    scan_interrupted(seen, window, error)
                });
            futures::future::ready(Some(item))
        });
        Ok(scanned.boxed())
    }
}

/// The pages of one window, as JSON.
fn window_pages(
    client: &Client,
    by: IssueTime,
    window: IssueWindow,
) -> Result<crate::Paginator<crate::Response<crate::operations::JsonPage>>> {
    match by {
        IssueTime::Created => client.paginate_operation(
            operations::LIST_ISSUES,
            OperationCall::new()
                .param("start_time", window.start.to_rfc3339())
                .param("end_time", window.end.to_rfc3339()),
        ),
        IssueTime::Updated => client.paginate_operation(
            operations::SEARCH_ISSUES,
            OperationCall::new().body(json!({ "filter": updated_in(window)? })),
        ),
    }
}

/// The filter for issues updated in `window`.
fn updated_in(window: IssueWindow) -> Result<Value> {
    let filter = crate::filter::issue::updated_at()
        .between(window.start, window.end)
        .build()?;
    serde_json::to_value(filter).map_err(|e| Error::InvalidRequest(e.to_string()))
}

/// One finished window of a scan (see [`IssueScan::windows`]).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ScannedWindow {
    /// The window.
    pub window: IssueWindow,
    /// Its issues as Pylon sent them, less those the previous window
    /// yielded, in the server's order.
    pub issues: Vec<RawIssue>,
    /// Where to resume after this window.
    pub checkpoint: Checkpoint,
    /// Where the next run should start once this scan has finished: the
    /// range's end less the overlap.
    pub next_since: DateTime<Utc>,
    /// How many pages the window took: the requests that answered (retried
    /// attempts not counted).
    pub pages_read: u64,
}

/// The error a scan ends with at a window that failed: what concerns the
/// request or the data as it is, or else where to resume.
fn scan_interrupted(edges: &WindowEdges, window: IssueWindow, error: Error) -> Error {
    let source = match error {
        Error::Interrupted { source, .. } => *source,
        other => other,
    };
    if matches!(
        source,
        Error::InvalidRequest(_) | Error::UnexpectedResponse(_)
    ) {
        return source;
    }
    Error::Interrupted {
        checkpoint: Box::new(edges.checkpoint(window.start)),
        source: Box::new(source),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn sent(json: &Value) -> AsSent<Value> {
        AsSent::from_json(json.to_string()).unwrap()
    }

    #[test]
    fn a_raw_issue_keeps_every_field_and_reads_its_keys() {
        let json = json!({"id": "iss_1", "updated_at": "2026-03-01T10:05:00+01:00",
                          "a_field_from_the_future": {"x": [1, 2]}});
        let issue = RawIssue::from_json(sent(&json)).unwrap();
        assert_eq!(issue.id, "iss_1");
        assert_eq!(
            issue.updated_at,
            Some(Utc.with_ymd_and_hms(2026, 3, 1, 9, 5, 0).unwrap())
        );
        assert_eq!(*issue.json, json);
        assert_eq!(issue.json.json(), json.to_string());
    }

    #[test]
    fn issues_without_a_string_id_are_refused() {
        for bad in [json!({"id": 7}), json!({"id": ""}), json!([1]), json!({})] {
            assert!(matches!(
                RawIssue::from_json(sent(&bad)),
                Err(Error::UnexpectedResponse(_))
            ));
        }
        let no_time = RawIssue::from_json(sent(&json!({"id": "i", "updated_at": "soon"}))).unwrap();
        assert_eq!(no_time.updated_at, None);
    }

    #[test]
    fn the_update_filter_is_a_time_range_on_updated_at() {
        let start = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let end = Utc.with_ymd_and_hms(2026, 1, 31, 0, 0, 0).unwrap();
        assert_eq!(
            updated_in(IssueWindow { start, end }).unwrap(),
            json!({"field": "updated_at", "operator": "time_range",
                   "values": ["2026-01-01T00:00:00Z", "2026-01-31T00:00:00Z"]})
        );
    }
}
