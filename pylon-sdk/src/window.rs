//! Splitting a time range into the windows `GET /issues` accepts.
//!
//! `GET /issues` returns issues created in `[start_time, end_time)` and
//! refuses a window longer than its maximum: 30 days in the vendored spec and
//! older documentation, 365 days in the current API. [`IssueWindows`] cuts
//! any range into consecutive windows no longer than a chosen maximum, in
//! chronological order, each starting where the previous one ended.
//! [`ExportIssues`] pages through every window of a range and yields each
//! issue once:
//!
//! ```no_run
//! use chrono::{TimeDelta, Utc};
//! use futures::TryStreamExt;
//! use pylon_sdk::{Client, window::ExportIssues};
//!
//! # async fn run(client: Client) -> pylon_sdk::Result<()> {
//! let year_ago = Utc::now() - TimeDelta::days(365);
//! let issues: Vec<_> = client
//!     .export_issues_since(year_ago)
//!     .concurrency(4)
//!     .items()?
//!     .try_collect()
//!     .await?;
//! println!("{} issues", issues.len());
//! # Ok(()) }
//! ```

use std::collections::HashSet;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use futures::stream::{self, StreamExt, TryStreamExt};

use crate::client::Client;
use crate::error::{Checkpoint, Error, Result};
use crate::generated::operations;
use crate::pagination::{DEFAULT_PATIENCE, ItemStream, Paginator, query_paginator};
use crate::response::{AsSent, Response};
use crate::types;

/// The longest window the vendored spec allows (`list_issues`' time
/// window, 30 days); the current API accepts 365 days.
pub const DEFAULT_MAX_WINDOW: TimeDelta =
    TimeDelta::days(match operations::LIST_ISSUES.time_window {
        Some(window) => window.max_days,
        None => 30,
    });

/// One `[start, end)` window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IssueWindow {
    /// Inclusive start.
    pub start: DateTime<Utc>,
    /// Exclusive end.
    pub end: DateTime<Utc>,
}

/// The windows covering a range, oldest first.
///
/// ```
/// use chrono::{TimeDelta, TimeZone, Utc};
/// use pylon_sdk::window::IssueWindows;
///
/// let start = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
/// let end = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
/// let windows: Vec<_> = IssueWindows::new(start, end, TimeDelta::days(30))?.collect();
/// assert_eq!(windows.len(), 2);
/// assert_eq!(windows[0].end, windows[1].start);
/// assert_eq!(windows[1].end, end);
/// # Ok::<(), pylon_sdk::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct IssueWindows {
    next_start: DateTime<Utc>,
    end: DateTime<Utc>,
    max_window: TimeDelta,
}

impl IssueWindows {
    /// The windows covering `[start, end)`, none longer than `max_window`.
    ///
    /// # Errors
    /// [`Error::InvalidRequest`] when `end` is not after `start` or
    /// `max_window` is not positive.
    pub fn new(start: DateTime<Utc>, end: DateTime<Utc>, max_window: TimeDelta) -> Result<Self> {
        if end <= start {
            return Err(Error::InvalidRequest(format!(
                "the issue window ends ({end}) at or before it starts ({start})"
            )));
        }
        if max_window <= TimeDelta::zero() {
            return Err(Error::InvalidRequest(format!(
                "the maximum issue window must be positive, not {max_window}"
            )));
        }
        Ok(IssueWindows {
            next_start: start,
            end,
            max_window,
        })
    }
}

impl Iterator for IssueWindows {
    type Item = IssueWindow;

    fn next(&mut self) -> Option<IssueWindow> {
        if self.next_start >= self.end {
            return None;
        }
        let start = self.next_start;
        let end = start
            .checked_add_signed(self.max_window)
            .map_or(self.end, |candidate| candidate.min(self.end));
        self.next_start = end;
        Some(IssueWindow { start, end })
    }
}

/// Exporting the issues created in a range, window by window.
pub trait ExportIssues {
    /// Issues created in `[start, end)`.
    fn export_issues(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> IssueExport;
    /// Issues created from `start` until now.
    fn export_issues_since(&self, start: DateTime<Utc>) -> IssueExport;
}

impl ExportIssues for Client {
    fn export_issues(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> IssueExport {
        IssueExport {
            client: self.clone(),
            start,
            end: Some(end),
            max_window: DEFAULT_MAX_WINDOW,
            page_size: DEFAULT_EXPORT_PAGE_SIZE,
            concurrency: 1,
            patience: DEFAULT_PATIENCE,
            resume: None,
        }
    }

    fn export_issues_since(&self, start: DateTime<Utc>) -> IssueExport {
        IssueExport {
            end: None,
            ..self.export_issues(start, start)
        }
    }
}

/// Issues per `GET /issues` page in an export: large pages, yet well under
/// the client's response size limit.
pub const DEFAULT_EXPORT_PAGE_SIZE: u32 = 1000;

/// An issue export over a range; see [`ExportIssues`]. It owns a clone of
/// the client, so its stream can be moved into `tokio::spawn`.
#[must_use = "an export does nothing until its stream is polled"]
#[derive(Debug, Clone)]
pub struct IssueExport {
    client: Client,
    start: DateTime<Utc>,
    end: Option<DateTime<Utc>>,
    max_window: TimeDelta,
    page_size: u32,
    concurrency: usize,
    patience: Duration,
    resume: Option<Checkpoint>,
}

impl IssueExport {
    /// The longest window sent to `GET /issues`. Default is
    /// [`DEFAULT_MAX_WINDOW`] (30 days); the current API accepts 365.
    pub fn max_window(mut self, max_window: TimeDelta) -> Self {
        self.max_window = max_window;
        self
    }

    /// Issues per page, from 1 to 20,000. Default is
    /// [`DEFAULT_EXPORT_PAGE_SIZE`].
    pub fn page_size(mut self, page_size: u32) -> Self {
        self.page_size = page_size;
        self
    }

    /// How many windows are fetched at once. Issues are still yielded in
    /// window order, and at most this many windows are held in memory.
    /// Default is 1.
    pub fn concurrency(mut self, windows: usize) -> Self {
        self.concurrency = windows.max(1);
        self
    }

    /// How long a page that keeps failing is fetched again before the
    /// export gives up with a checkpoint (see
    /// [`Paginator::patience`](crate::Paginator::patience)).
    /// Default is 10 minutes.
    pub fn patience(mut self, patience: Duration) -> Self {
        self.patience = patience;
        self
    }

    /// Continues an export that stopped with
    /// [`Error::Interrupted`]: it starts at the
    /// window that failed and yields exactly the issues not yielded before.
    /// The range and settings should be those of the interrupted export.
    pub fn resume_from(mut self, checkpoint: &Checkpoint) -> Self {
        self.resume = Some(checkpoint.clone());
        self
    }

    /// Every issue created in the range, exactly once (deduplicated by ID
    /// across window edges), windows in chronological order, each with its
    /// JSON exactly as Pylon sent it ([`AsSent`]: it dereferences to the
    /// decoded issue, and serializes as sent, so a copy keeps the fields
    /// this version does not model). If a window
    /// cannot be fetched within the patience, the stream ends with
    /// [`Error::Interrupted`], whose checkpoint
    /// [`resume_from`](IssueExport::resume_from) takes.
    ///
    /// # Errors
    /// [`Error::InvalidRequest`], before any request, when the range ends at
    /// or before its start, the maximum window is not positive or the page
    /// size is outside 1..=20,000.
    pub fn items(self) -> Result<ItemStream<AsSent<types::Issue>>> {
        Ok(self
            .windows()?
            .map_ok(|window| stream::iter(window.issues.into_iter().map(Ok)))
            .try_flatten()
            .boxed())
    }

    /// The same export window by window: each finished window's new issues
    /// with the [`Checkpoint`] to resume from after it, so a job that
    /// writes the issues somewhere can record, after each window, exactly
    /// where a later run must continue (even when it is killed rather than
    /// interrupted). Windows are yielded in chronological order; a window
    /// that cannot be fetched ends the stream with [`Error::Interrupted`],
    /// whose checkpoint is that of the last window yielded.
    ///
    /// A checkpoint taken after the range's last window resumes to an empty
    /// stream.
    ///
    /// # Errors
    /// As [`items`](IssueExport::items).
    ///
    /// ```no_run
    /// use chrono::{TimeDelta, Utc};
    /// use futures::TryStreamExt;
    /// use pylon_sdk::{Client, ExportIssues};
    ///
    /// # async fn run(client: Client) -> pylon_sdk::Result<()> {
    /// let mut windows = client
    ///     .export_issues_since(Utc::now() - TimeDelta::days(90))
    ///     .windows()?;
    /// while let Some(done) = windows.try_next().await? {
    ///     println!("{} issues up to {}", done.issues.len(), done.window.end);
    ///     let resume_here = serde_json::to_string(&done.checkpoint).unwrap();
    ///     // ... store the issues, then `resume_here` ...
    /// }
    /// # Ok(()) }
    /// ```
    pub fn windows(self) -> Result<WindowStream> {
        let end = self.end.unwrap_or_else(Utc::now);
        let resume = self.resume.unwrap_or_default();
        let start = resume.window_start.unwrap_or(self.start);
        if let Some(sizes) = operations::LIST_ISSUES.page_sizes
            && !sizes.contains(i64::from(self.page_size))
        {
            return Err(Error::InvalidRequest(format!(
                "an export's page size must be from {} to {}, not {}",
                sizes.min, sizes.max, self.page_size
            )));
        }
        if resume.window_start.is_some_and(|at| at >= end) {
            // The checkpoint of the last window: nothing is left.
            return Ok(stream::empty().boxed());
        }
        let windows = IssueWindows::new(start, end, self.max_window)?;
        let (client, page_size, patience) = (self.client, self.page_size, self.patience);
        let per_window = stream::iter(windows)
            .map(move |window| {
                let pages = client
                    .list_issues_as_sent(window)
                    .page_size(page_size)
                    .patience(patience);
                async move {
                    let issues = pages.items().try_collect::<Vec<_>>().await;
                    (window, issues)
                }
            })
            .buffered(self.concurrency);
        let progress = WindowEdges::resumed(resume);
        let deduplicated = per_window.scan(progress, |progress, (window, issues)| {
            if progress.ended {
                // End the stream after its first error.
                return futures::future::ready(None);
            }
            let item = match issues {
                Ok(issues) => {
                    let issues = progress.fresh(issues, |issue| &issue.id);
                    Ok(ExportedWindow {
                        window,
                        issues,
                        checkpoint: progress.checkpoint(window.end),
                    })
                }
                Err(error) => {
                    progress.ended = true;
                    Err(progress.interrupted(window, error))
                }
            };
            futures::future::ready(Some(item))
        });
        Ok(deduplicated.boxed())
    }
}

/// One finished window of an export (see [`IssueExport::windows`]).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ExportedWindow {
    /// The window.
    pub window: IssueWindow,
    /// Its issues, less those the previous window already yielded, in the
    /// server's order, each with its JSON as Pylon sent it.
    pub issues: Vec<AsSent<types::Issue>>,
    /// Where to resume after this window: an export resumed from it yields
    /// exactly the issues of the windows that follow.
    pub checkpoint: Checkpoint,
}

/// A stream of finished windows.
pub type WindowStream = futures::stream::BoxStream<'static, Result<ExportedWindow>>;

/// What a window-by-window stream has yielded so far. Only the previous
/// window's IDs are kept: an item can reappear only across the edge
/// between two windows.
pub(crate) struct WindowEdges {
    previous_window_ids: HashSet<String>,
    items_yielded: u64,
    /// The stream has ended with an error.
    pub(crate) ended: bool,
}

impl WindowEdges {
    /// Where a stream resuming from `checkpoint` stands.
    pub(crate) fn resumed(checkpoint: Checkpoint) -> Self {
        WindowEdges {
            previous_window_ids: checkpoint.previous_window_ids.into_iter().collect(),
            items_yielded: checkpoint.items_yielded,
            ended: false,
        }
    }

    /// How many items the stream has yielded.
    pub(crate) fn items_yielded(&self) -> u64 {
        self.items_yielded
    }

    /// A finished window's items, less those the previous window yielded
    /// and repeats within it, by `id`.
    pub(crate) fn fresh<T>(&mut self, items: Vec<T>, id: impl Fn(&T) -> &str) -> Vec<T> {
        let mut this_window = HashSet::with_capacity(items.len());
        let fresh: Vec<_> = items
            .into_iter()
            .filter(|item| {
                let id = id(item);
                !self.previous_window_ids.contains(id) && this_window.insert(id.to_string())
            })
            .collect();
        self.previous_window_ids = this_window;
        self.items_yielded += fresh.len() as u64;
        fresh
    }

    /// Where to resume when the next window starts at `window_start`.
    pub(crate) fn checkpoint(&self, window_start: DateTime<Utc>) -> Checkpoint {
        let mut previous_window_ids: Vec<_> = self.previous_window_ids.iter().cloned().collect();
        previous_window_ids.sort();
        Checkpoint {
            cursor: None,
            items_yielded: self.items_yielded,
            window_start: Some(window_start),
            previous_window_ids,
        }
    }

    /// The export's checkpoint at a window that failed.
    fn interrupted(&self, window: IssueWindow, error: Error) -> Error {
        let source = match error {
            Error::Interrupted { source, .. } => *source,
            other => other,
        };
        if matches!(source, Error::InvalidRequest(_)) && self.items_yielded() == 0 {
            // Refused before sending, and nothing exported: nothing to resume.
            return source;
        }
        Error::Interrupted {
            checkpoint: Box::new(self.checkpoint(window.start)),
            source: Box::new(source),
        }
    }
}

impl Client {
    /// `GET /issues` within one window, each issue with its JSON as sent.
    fn list_issues_as_sent(
        &self,
        window: IssueWindow,
    ) -> Paginator<Response<types::IssueListResponse>> {
        query_paginator!(
            self,
            operations::LIST_ISSUES,
            [],
            |client| client
                .list_issues()
                .start_time(window.start)
                .end_time(window.end),
            std::convert::identity
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, day, 0, 0, 0).unwrap()
    }

    #[test]
    fn an_exact_multiple_splits_evenly() {
        let windows: Vec<_> = IssueWindows::new(at(1), at(31), TimeDelta::days(10))
            .unwrap()
            .collect();
        assert_eq!(
            windows,
            [
                IssueWindow {
                    start: at(1),
                    end: at(11)
                },
                IssueWindow {
                    start: at(11),
                    end: at(21)
                },
                IssueWindow {
                    start: at(21),
                    end: at(31)
                },
            ]
        );
    }

    #[test]
    fn a_remainder_becomes_a_shorter_last_window() {
        let windows: Vec<_> = IssueWindows::new(at(1), at(5), TimeDelta::days(3))
            .unwrap()
            .collect();
        assert_eq!(
            windows.last().unwrap(),
            &IssueWindow {
                start: at(4),
                end: at(5)
            }
        );
    }

    #[test]
    fn a_single_instant_is_one_window() {
        let end = at(1) + TimeDelta::nanoseconds(1);
        let windows: Vec<_> = IssueWindows::new(at(1), end, DEFAULT_MAX_WINDOW)
            .unwrap()
            .collect();
        assert_eq!(windows, [IssueWindow { start: at(1), end }]);
    }

    #[test]
    fn reversed_or_empty_ranges_and_non_positive_maxima_are_refused() {
        assert!(matches!(
            IssueWindows::new(at(2), at(1), DEFAULT_MAX_WINDOW),
            Err(Error::InvalidRequest(_))
        ));
        assert!(matches!(
            IssueWindows::new(at(1), at(1), DEFAULT_MAX_WINDOW),
            Err(Error::InvalidRequest(_))
        ));
        assert!(matches!(
            IssueWindows::new(at(1), at(2), TimeDelta::zero()),
            Err(Error::InvalidRequest(_))
        ));
        assert!(matches!(
            IssueWindows::new(at(1), at(2), TimeDelta::days(-1)),
            Err(Error::InvalidRequest(_))
        ));
    }

    #[test]
    fn a_window_past_the_end_of_time_is_clamped() {
        let end = DateTime::<Utc>::MAX_UTC;
        let start = end - TimeDelta::days(1);
        let windows: Vec<_> = IssueWindows::new(start, end, TimeDelta::days(365))
            .unwrap()
            .collect();
        assert_eq!(windows, [IssueWindow { start, end }]);
    }

    proptest::proptest! {
        #[test]
        fn windows_cover_the_range_exactly_without_overlap_or_excess(
            start_secs in 0i64..4_000_000_000,
            length_secs in 1i64..100_000_000,
            max_secs in 1i64..40_000_000,
        ) {
            let start = DateTime::from_timestamp(start_secs, 0).unwrap();
            let end = start + TimeDelta::seconds(length_secs);
            let max = TimeDelta::seconds(max_secs);
            let windows: Vec<_> = IssueWindows::new(start, end, max).unwrap().collect();
            proptest::prop_assert_eq!(windows.first().unwrap().start, start);
            proptest::prop_assert_eq!(windows.last().unwrap().end, end);
            for pair in windows.windows(2) {
                proptest::prop_assert_eq!(pair[0].end, pair[1].start);
            }
            for window in &windows {
                proptest::prop_assert!(window.start < window.end);
                proptest::prop_assert!(window.end - window.start <= max);
            }
        }
    }
}
