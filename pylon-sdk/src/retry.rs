//! Transparent retry for every operation.
//!
//! Every request goes through [`RetryPolicy`]: bounded attempts, exponential
//! backoff with full jitter, `Retry-After` honoured, an overall deadline, and
//! a retry budget shared by all clones of a client so that many tasks hitting
//! a failing service do not multiply its load.
//!
//! What is retried:
//! - 429, for every operation (Pylon refused it before acting);
//! - failures before the request left (connection refused, DNS, TLS);
//! - 500, 502, 503, 504, timeouts and connections dropped mid-response, only
//!   for idempotent operations (GET, PATCH, DELETE and the read-only
//!   `POST …/search`). A create that fails this way is returned with
//!   [`Error::is_outcome_unknown`](crate::Error::is_outcome_unknown) set.
//!
//! Nothing else is.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use std::future::Future;

use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};

use crate::client::ClientState;

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
    max_attempts: u32,
    base_delay: Duration,
    max_delay: Duration,
    deadline: Duration,
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
    /// - 3 attempts in all (the first plus two retries);
    /// - backoff: a random wait between 0 and `min(max_delay, base_delay ×
    ///   2^(retry − 1))`, with `base_delay` 500 ms and `max_delay` 60 s;
    /// - a server's `Retry-After` (or `X-Retry-After`) replaces the backoff,
    ///   capped at `max_delay`;
    /// - no retry sleeps past 120 s after the first attempt began;
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

    /// The backoff before the first retry, before jitter.
    pub fn with_base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// The longest single wait, for backoff and `Retry-After` alike.
    pub fn with_max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// No retry sleeps past this long after the first attempt began.
    pub fn with_deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
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
    fn delay(&self, retry: u32, server_hint: Option<Duration>) -> Duration {
        match server_hint {
            Some(hint) => hint.min(self.max_delay),
            None => {
                let exponent = retry.saturating_sub(1).min(31);
                let ceiling = self
                    .base_delay
                    .saturating_mul(1 << exponent)
                    .min(self.max_delay);
                ceiling.mul_f64(random_fraction())
            }
        }
    }
}

/// A token bucket shared by every clone of a client.
#[derive(Debug)]
pub(crate) struct RetryBudget {
    capacity: u32,
    tokens: Mutex<u32>,
}

const RETRY_COST: u32 = 5;
const TIMEOUT_RETRY_COST: u32 = 10;
const SUCCESS_REFUND: u32 = 1;

impl RetryBudget {
    pub(crate) fn new(capacity: u32) -> Self {
        RetryBudget {
            capacity,
            tokens: Mutex::new(capacity),
        }
    }

    fn withdraw(&self, cost: u32) -> bool {
        let mut tokens = self.tokens.lock().unwrap_or_else(|e| e.into_inner());
        if *tokens >= cost {
            *tokens -= cost;
            true
        } else {
            false
        }
    }

    fn refund(&self) {
        let mut tokens = self.tokens.lock().unwrap_or_else(|e| e.into_inner());
        *tokens = (*tokens + SUCCESS_REFUND).min(self.capacity);
    }
}

/// What one attempt ended with, as far as retrying is concerned.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Outcome {
    Status(StatusCode, Option<Duration>),
    /// The request never left: connection refused, DNS, TLS.
    NotSent,
    /// Sent, then the connection failed or timed out.
    Interrupted {
        timed_out: bool,
    },
}

#[derive(Debug, PartialEq)]
enum Decision {
    Stop,
    Retry { server_hint: Option<Duration> },
}

fn decide(outcome: Outcome, idempotent: bool) -> Decision {
    match outcome {
        Outcome::Status(StatusCode::TOO_MANY_REQUESTS, hint) => {
            Decision::Retry { server_hint: hint }
        }
        Outcome::Status(status, _)
            if idempotent && matches!(status.as_u16(), 500 | 502 | 503 | 504) =>
        {
            Decision::Retry { server_hint: None }
        }
        Outcome::NotSent => Decision::Retry { server_hint: None },
        Outcome::Interrupted { .. } if idempotent => Decision::Retry { server_hint: None },
        _ => Decision::Stop,
    }
}

/// GET, PATCH, DELETE and the read-only `POST …/search` operations.
fn is_idempotent(method: &Method, operation_id: &str) -> bool {
    method == Method::GET
        || method == Method::PATCH
        || method == Method::DELETE
        || method == Method::PUT
        || method == Method::HEAD
        || operation_id.starts_with("search_")
}

/// The wait a response asks for: `Retry-After` (seconds or an HTTP date),
/// else `X-Retry-After` (seconds).
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
        return Some(wait.to_std().unwrap_or(Duration::ZERO));
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

fn outcome_of(result: &reqwest::Result<reqwest::Response>) -> Outcome {
    match result {
        Ok(response) => Outcome::Status(response.status(), retry_after(response.headers())),
        Err(e) if e.is_connect() => Outcome::NotSent,
        Err(e) => Outcome::Interrupted {
            timed_out: e.is_timeout(),
        },
    }
}

/// Sends `request` through `send` as many times as the policy allows.
///
/// `send` performs one attempt (after any rate-limit wait) and must return
/// only once the whole response has been read.
pub(crate) async fn with_retries<F, Fut>(
    state: &ClientState,
    mut request: reqwest::Request,
    operation: &'static str,
    mut send: F,
) -> reqwest::Result<reqwest::Response>
where
    F: FnMut(reqwest::Request) -> Fut,
    Fut: Future<Output = reqwest::Result<reqwest::Response>>,
{
    let policy = &state.retry;
    let idempotent = is_idempotent(request.method(), operation);
    let started = tokio::time::Instant::now();
    let mut attempt = 1;
    loop {
        let next = (attempt < policy.max_attempts)
            .then(|| request.try_clone())
            .flatten();
        let result = send(request).await;
        let outcome = outcome_of(&result);
        tracing::debug!(operation, attempt, ?outcome, "attempt finished");
        let (Decision::Retry { server_hint }, Some(next)) = (decide(outcome, idempotent), next)
        else {
            if matches!(&result, Ok(r) if r.status().is_success()) {
                state.budget.refund();
            }
            return result;
        };
        let wait = policy.delay(attempt, server_hint);
        if started.elapsed() + wait > policy.deadline {
            tracing::debug!(operation, attempt, "retry deadline reached");
            return result;
        }
        let cost = match outcome {
            Outcome::Interrupted { timed_out: true } => TIMEOUT_RETRY_COST,
            _ => RETRY_COST,
        };
        if !state.budget.withdraw(cost) {
            tracing::debug!(operation, attempt, "retry budget spent");
            return result;
        }
        tracing::info!(
            operation,
            attempt,
            ?outcome,
            wait_ms = wait.as_millis() as u64,
            "retrying"
        );
        tokio::time::sleep(wait).await;
        request = next;
        attempt += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S429: StatusCode = StatusCode::TOO_MANY_REQUESTS;

    #[test]
    fn decisions_follow_the_documented_table() {
        let wait = Some(Duration::from_secs(3));
        let table = [
            (
                Outcome::Status(S429, wait),
                false,
                Decision::Retry { server_hint: wait },
            ),
            (
                Outcome::Status(S429, None),
                true,
                Decision::Retry { server_hint: None },
            ),
            (
                Outcome::NotSent,
                false,
                Decision::Retry { server_hint: None },
            ),
            (
                Outcome::Status(StatusCode::INTERNAL_SERVER_ERROR, None),
                true,
                Decision::Retry { server_hint: None },
            ),
            (
                Outcome::Status(StatusCode::BAD_GATEWAY, None),
                true,
                Decision::Retry { server_hint: None },
            ),
            (
                Outcome::Status(StatusCode::SERVICE_UNAVAILABLE, None),
                true,
                Decision::Retry { server_hint: None },
            ),
            (
                Outcome::Status(StatusCode::GATEWAY_TIMEOUT, None),
                true,
                Decision::Retry { server_hint: None },
            ),
            (
                Outcome::Interrupted { timed_out: true },
                true,
                Decision::Retry { server_hint: None },
            ),
            (
                Outcome::Interrupted { timed_out: false },
                true,
                Decision::Retry { server_hint: None },
            ),
            (
                Outcome::Status(StatusCode::INTERNAL_SERVER_ERROR, None),
                false,
                Decision::Stop,
            ),
            (
                Outcome::Status(StatusCode::SERVICE_UNAVAILABLE, None),
                false,
                Decision::Stop,
            ),
            (
                Outcome::Interrupted { timed_out: true },
                false,
                Decision::Stop,
            ),
            (
                Outcome::Interrupted { timed_out: false },
                false,
                Decision::Stop,
            ),
            (
                Outcome::Status(StatusCode::NOT_IMPLEMENTED, None),
                true,
                Decision::Stop,
            ),
            (
                Outcome::Status(StatusCode::BAD_REQUEST, None),
                true,
                Decision::Stop,
            ),
            (
                Outcome::Status(StatusCode::CONFLICT, None),
                true,
                Decision::Stop,
            ),
            (
                Outcome::Status(StatusCode::NOT_FOUND, None),
                true,
                Decision::Stop,
            ),
            (Outcome::Status(StatusCode::OK, None), true, Decision::Stop),
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
    fn searches_are_idempotent_creates_are_not() {
        assert!(is_idempotent(&Method::POST, "search_issues"));
        assert!(is_idempotent(&Method::GET, "list_tags"));
        assert!(is_idempotent(&Method::PATCH, "update_tag"));
        assert!(is_idempotent(&Method::DELETE, "delete_tag"));
        assert!(!is_idempotent(&Method::POST, "create_tag"));
        assert!(!is_idempotent(&Method::POST, "snooze_issue"));
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
