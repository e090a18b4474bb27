//! Transparent retry for every operation.
//!
//! Every request goes through [`RetryPolicy`]: bounded attempts, exponential
//! backoff with full jitter, `Retry-After` honoured, an overall deadline for
//! the whole call, and a retry budget shared by all clones of a client so
//! that many tasks hitting a failing service do not multiply its load.
//!
//! What is retried:
//! - 429, for every operation, until the deadline: Pylon refused the request
//!   before acting, so it is pacing, not failure. It uses none of the
//!   attempts and none of the budget; the client's adaptive pacing
//!   ([`crate::pacing`]) makes every clone slow down on that endpoint;
//! - failures before the request left (connection refused, DNS, TLS);
//! - 500, 502, 503, 504, timeouts and connections dropped mid-response, only
//!   for idempotent operations (GET, PATCH, DELETE and the read-only
//!   `POST …/search`). A create that fails this way is returned with
//!   [`Error::is_outcome_unknown`](crate::Error::is_outcome_unknown) set.
//!
//! Nothing else is. Every duration is clamped to [`MAX_DURATION`], so no
//! setting can overflow a clock.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue};

pub use super::clock::MAX_DURATION;

/// How requests that fail are retried.
///
/// ```
/// use std::time::Duration;
/// use pylon_sdk::RetryPolicy;
///
/// let patient = RetryPolicy::standard()
///     .with_max_attempts(5)
///     .with_base_delay(Duration::from_millis(200))
///     .with_max_delay(Duration::from_secs(30))
///     .with_deadline(Duration::from_secs(90));
/// assert_eq!(patient.max_attempts(), 5);
/// assert_eq!(RetryPolicy::disabled().max_attempts(), 1);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    pub(crate) max_attempts: u32,
    base_delay: Duration,
    pub(crate) max_delay: Duration,
    pub(crate) deadline: Duration,
    budget_capacity: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy::standard()
    }
}

impl RetryPolicy {
    /// The default policy.
    ///
    /// # Defaults
    /// - 3 attempts in all (the first plus two retries) for failures; 429s
    ///   do not count;
    /// - backoff: a random wait between 0 and `min(max_delay, base_delay ×
    ///   2^(retry − 1))`, with `base_delay` 500 ms and `max_delay` 60 s;
    /// - a server's `Retry-After` (or `X-Retry-After`) replaces the backoff,
    ///   capped at `max_delay`;
    /// - a deadline of 120 s for the whole call: waits, attempts and retries;
    /// - a retry budget of 500 tokens per client: a retry costs 5 (10 after a
    ///   timeout), a success returns 1.
    pub fn standard() -> Self {
        RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(60),
            deadline: Duration::from_secs(120),
            budget_capacity: 500,
        }
    }

    /// No retries: every request is sent once.
    pub fn disabled() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::standard()
        }
    }

    /// Attempts in all, including the first (at least 1).
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The backoff before the first retry, before jitter (at most
    /// [`MAX_DURATION`]).
    pub fn with_base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay.min(MAX_DURATION);
        self
    }

    /// The longest single wait, for backoff and `Retry-After` alike (at most
    /// [`MAX_DURATION`]).
    pub fn with_max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay.min(MAX_DURATION);
        self
    }

    /// How long a whole call may take, from its start to its answer:
    /// rate-limit waits, attempts and the sleeps between them (at most
    /// [`MAX_DURATION`]). A call still waiting then ends with its last
    /// answer, or [`Error::DeadlineExceeded`](crate::Error::DeadlineExceeded).
    pub fn with_deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline.min(MAX_DURATION);
        self
    }

    /// The deadline of a whole call.
    pub fn deadline(&self) -> Duration {
        self.deadline
    }

    /// The client's retry budget, in tokens (a retry costs 5).
    pub fn with_budget(mut self, tokens: u32) -> Self {
        self.budget_capacity = tokens;
        self
    }

    /// Attempts in all, including the first.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    pub(crate) fn budget_capacity(&self) -> u32 {
        self.budget_capacity
    }

    /// The wait before retry number `retry` (1 for the first retry).
    pub(crate) fn delay(&self, retry: u32, server_hint: Option<Duration>) -> Duration {
        match server_hint {
            Some(hint) => hint.min(self.max_delay),
            None => {
                let exponent = retry.saturating_sub(1).min(31);
                let ceiling = self
                    .base_delay
                    .saturating_mul(1 << exponent)
                    .min(self.max_delay);
                Duration::try_from_secs_f64(ceiling.as_secs_f64() * random_fraction())
                    .unwrap_or(ceiling)
                    .min(ceiling)
            }
        }
    }

    /// The wait before repeat number `repeat` of a call that is safe to
    /// repeat until its deadline, with `left` the time that remains; `None`
    /// when it is time to give up.
    ///
    /// A full backoff late in an outage could reach past the deadline and
    /// forfeit the time that is left, when the outage may already be over;
    /// so a wait is never longer than half the time left, and repeating
    /// stops only when less than one base delay remains.
    pub(crate) fn repeat_wait(&self, repeat: u32, left: Duration) -> Option<Duration> {
        if left.is_zero() || left < self.base_delay {
            return None;
        }
        Some(self.delay(repeat, None).min(left / 2))
    }
}

/// A token bucket shared by every clone of a client.
#[derive(Debug)]
pub(crate) struct RetryBudget {
    capacity: u32,
    tokens: Mutex<u32>,
}

pub(crate) const RETRY_COST: u32 = 5;
pub(crate) const TIMEOUT_RETRY_COST: u32 = 10;
const SUCCESS_REFUND: u32 = 1;

impl RetryBudget {
    pub(crate) fn new(capacity: u32) -> Self {
        RetryBudget {
            capacity,
            tokens: Mutex::new(capacity),
        }
    }

    pub(crate) fn withdraw(&self, cost: u32) -> bool {
        let mut tokens = self.tokens.lock().unwrap_or_else(|e| e.into_inner());
        match tokens.checked_sub(cost) {
            Some(left) => {
                *tokens = left;
                true
            }
            None => false,
        }
    }

    pub(crate) fn refund(&self) {
        let mut tokens = self.tokens.lock().unwrap_or_else(|e| e.into_inner());
        *tokens = tokens.saturating_add(SUCCESS_REFUND).min(self.capacity);
    }
}

/// What one attempt ended with, as far as retrying is concerned.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Outcome {
    Status(u16),
    /// The request never left: connection refused, DNS, TLS.
    NotSent,
    /// Sent, then the connection failed or timed out.
    Interrupted {
        timed_out: bool,
    },
    /// A success body over the size limit: the same again would fail again.
    TooLarge,
    /// The request could not be sent at all; nothing left the client.
    Unsendable,
}

#[derive(Debug, PartialEq)]
pub(crate) enum Decision {
    Stop,
    /// Pylon's pacing: repeat after its wait, whatever the attempt count.
    Pace,
    Retry,
}

/// Whether an attempt that ended with `outcome` is repeated, for an
/// operation that is `idempotent` or not.
pub(crate) fn decide(outcome: Outcome, idempotent: bool) -> Decision {
    match outcome {
        Outcome::Status(429) => Decision::Pace,
        Outcome::Status(500 | 502 | 503 | 504) if idempotent => Decision::Retry,
        Outcome::NotSent => Decision::Retry,
        Outcome::Interrupted { .. } if idempotent => Decision::Retry,
        _ => Decision::Stop,
    }
}

/// The wait a response asks for: `Retry-After` (seconds or an HTTP date),
/// else `X-Retry-After` (seconds), at most a day.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let seconds = |value: &HeaderValue| {
        let text = value.to_str().ok()?.trim();
        text.parse::<f64>()
            .ok()
            .filter(|s| s.is_finite() && *s >= 0.0)
            .map(|s| Duration::from_secs_f64(s.min(86_400.0)))
    };
    if let Some(value) = headers.get("retry-after") {
        if let Some(wait) = seconds(value) {
            return Some(wait);
        }
        let date = chrono::DateTime::parse_from_rfc2822(value.to_str().ok()?.trim()).ok()?;
        let wait = date.with_timezone(&chrono::Utc) - chrono::Utc::now();
        return Some(
            wait.to_std()
                .unwrap_or(Duration::ZERO)
                .min(Duration::from_secs(86_400)),
        );
    }
    headers.get("x-retry-after").and_then(seconds)
}

/// A fraction in [0, 1) for jitter, from a per-process random seed.
fn random_fraction() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::clock::later;
    use tokio::time::Instant;

    #[test]
    fn decisions_follow_the_documented_table() {
        use Decision::*;
        use Outcome::*;
        let table = [
            (Status(429), false, Pace),
            (Status(429), true, Pace),
            (NotSent, false, Retry),
            (NotSent, true, Retry),
            (Status(500), true, Retry),
            (Status(502), true, Retry),
            (Status(503), true, Retry),
            (Status(504), true, Retry),
            (Interrupted { timed_out: true }, true, Retry),
            (Interrupted { timed_out: false }, true, Retry),
            (Status(500), false, Stop),
            (Status(503), false, Stop),
            (Interrupted { timed_out: true }, false, Stop),
            (Interrupted { timed_out: false }, false, Stop),
            (TooLarge, true, Stop),
            (Status(501), true, Stop),
            (Status(400), true, Stop),
            (Status(409), true, Stop),
            (Status(404), true, Stop),
            (Status(200), true, Stop),
        ];
        for (outcome, idempotent, expected) in table {
            assert_eq!(
                decide(outcome, idempotent),
                expected,
                "{outcome:?} idempotent={idempotent}"
            );
        }
    }

    #[test]
    fn retry_after_reads_seconds_dates_and_the_fallback_header() {
        let mut headers = HeaderMap::new();
        assert_eq!(retry_after(&headers), None);
        headers.insert("x-retry-after", HeaderValue::from_static("7"));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(7)));
        headers.insert("retry-after", HeaderValue::from_static("2"));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(2)));
        let in_ten = (chrono::Utc::now() + chrono::Duration::seconds(10)).to_rfc2822();
        headers.insert("retry-after", HeaderValue::from_str(&in_ten).unwrap());
        let wait = retry_after(&headers).unwrap();
        assert!(
            wait > Duration::from_secs(8) && wait <= Duration::from_secs(10),
            "{wait:?}"
        );
        headers.insert(
            "retry-after",
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&headers), Some(Duration::ZERO));
        headers.insert("retry-after", HeaderValue::from_static("-1"));
        assert_eq!(retry_after(&headers), None);
    }

    #[test]
    fn backoff_is_jittered_below_an_exponential_ceiling_and_capped() {
        let policy = RetryPolicy::standard()
            .with_base_delay(Duration::from_millis(100))
            .with_max_delay(Duration::from_millis(350));
        for _ in 0..200 {
            assert!(policy.delay(1, None) <= Duration::from_millis(100));
            assert!(policy.delay(2, None) <= Duration::from_millis(200));
            assert!(policy.delay(3, None) <= Duration::from_millis(350));
            assert!(policy.delay(40, None) <= Duration::from_millis(350));
        }
        let waits: std::collections::HashSet<_> = (0..50).map(|_| policy.delay(3, None)).collect();
        assert!(waits.len() > 10, "jitter should spread waits: {waits:?}");
        assert_eq!(
            policy.delay(1, Some(Duration::from_secs(9))),
            Duration::from_millis(350)
        );
        assert_eq!(
            policy.delay(1, Some(Duration::from_millis(5))),
            Duration::from_millis(5)
        );
    }

    #[test]
    fn repeats_never_wait_past_half_the_time_left_and_stop_near_the_deadline() {
        let policy = RetryPolicy::standard()
            .with_base_delay(Duration::from_millis(500))
            .with_max_delay(Duration::from_secs(60));
        for repeat in [1, 5, 10, 40] {
            for _ in 0..200 {
                let wait = policy.repeat_wait(repeat, Duration::from_secs(4)).unwrap();
                assert!(wait <= Duration::from_secs(2), "{wait:?}");
            }
        }
        // Far from the deadline the backoff is the policy's own.
        for _ in 0..200 {
            let wait = policy.repeat_wait(1, Duration::from_secs(100)).unwrap();
            assert!(wait <= Duration::from_millis(500), "{wait:?}");
        }
        assert_eq!(policy.repeat_wait(3, Duration::from_millis(499)), None);
        assert_eq!(policy.repeat_wait(3, Duration::ZERO), None);
        let no_backoff = policy.clone().with_base_delay(Duration::ZERO);
        assert_eq!(no_backoff.repeat_wait(3, Duration::ZERO), None);
        assert!(
            no_backoff
                .repeat_wait(3, Duration::from_millis(1))
                .is_some()
        );
    }

    #[test]
    fn extreme_settings_never_overflow() {
        let budget = RetryBudget::new(u32::MAX);
        budget.refund();
        assert!(budget.withdraw(RETRY_COST));
        budget.refund();
        budget.refund();
        assert_eq!(*budget.tokens.lock().unwrap(), u32::MAX - RETRY_COST + 2);
        let policy = RetryPolicy::standard()
            .with_base_delay(Duration::MAX)
            .with_max_delay(Duration::MAX)
            .with_deadline(Duration::MAX)
            .with_max_attempts(u32::MAX);
        for retry in [0, 1, 2, 31, 32, 64, u32::MAX] {
            assert!(policy.delay(retry, None) <= MAX_DURATION);
        }
        assert_eq!(policy.delay(1, Some(Duration::MAX)), MAX_DURATION);
        assert_eq!(policy.deadline(), MAX_DURATION);
        let now = Instant::now();
        assert!(later(now, Duration::MAX) > now);
    }

    #[test]
    fn the_budget_drains_and_refills_up_to_capacity() {
        let budget = RetryBudget::new(12);
        assert!(budget.withdraw(RETRY_COST));
        assert!(budget.withdraw(RETRY_COST));
        assert!(!budget.withdraw(RETRY_COST));
        for _ in 0..100 {
            budget.refund();
        }
        assert_eq!(*budget.tokens.lock().unwrap(), 12);
    }
}
