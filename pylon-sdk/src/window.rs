//! Splitting a time range into the windows `GET /issues` accepts.
//!
//! `GET /issues` returns issues created in `[start_time, end_time)` and
//! refuses a window longer than its maximum: 30 days in the vendored spec and
//! older documentation, 365 days in the current API. [`IssueWindows`] cuts
//! any range into consecutive windows no longer than a chosen maximum, in
//! chronological order, each starting where the previous one ended.

use chrono::{DateTime, TimeDelta, Utc};

use crate::error::{Error, Result};

/// The longest window the vendored spec allows; the current API accepts 365 days.
pub const DEFAULT_MAX_WINDOW: TimeDelta = TimeDelta::days(30);

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
