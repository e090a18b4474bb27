//! Opt-in client-side rate limiting that follows Pylon's per-endpoint limits.
//!
//! Pylon limits each endpoint separately, per organization, per minute, at
//! one of three tiers (30, 120 or 300 requests); the imports, which only
//! Pylon's published OpenAPI describes, at the 20 it states. Each
//! operation's limit is one of its facts
//! ([`Operation::rate_limit`](crate::operations::Operation::rate_limit)),
//! stated in the overlays. With [`RateLimits`] set on
//! the client builder, every clone of the client shares one limiter that
//! keeps each endpoint under its limit, so a bulk job waits instead of
//! meeting 429s.
//!
//! Each endpoint's allowance is modelled as Pylon keeps it: a budget of
//! `limit` requests that refills continuously, `limit` per window. A full
//! budget lets a burst of `limit` requests through at once; after that,
//! requests go at the refill rate, first come first served. This is
//! independent of the adaptive pacing that reacts to 429s
//! ([`crate::pacing`]), which stays on beside it.
//!
//! ```
//! use std::time::Duration;
//! use pylon_sdk::{Client, RateLimits};
//!
//! # fn run() -> pylon_sdk::Result<()> {
//! let client = Client::builder("pylon_api_…")
//!     .rate_limits(RateLimits::pylon_defaults().with_limit("create_tag", 60))
//!     .build()?;
//! assert_eq!(RateLimits::pylon_defaults().limit_for("update_tag"), 30);
//! # Ok(()) }
//! ```

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

use super::clock::{MAX_DURATION, later};
use crate::catalogue::Operation;

/// Per-endpoint request limits for the client-side limiter.
#[derive(Debug, Clone, PartialEq)]
pub struct RateLimits {
    window: Duration,
    overrides: HashMap<String, u32>,
}

impl RateLimits {
    /// Pylon's documented limit per minute for every operation
    /// ([`Operation::rate_limit`](crate::operations::Operation::rate_limit)).
    pub fn pylon_defaults() -> Self {
        RateLimits {
            window: Duration::from_secs(60),
            overrides: HashMap::new(),
        }
    }

    /// Sets one operation's limit per window (e.g. after Pylon support has
    /// raised it). `operation` is the method name, e.g. `"create_tag"`.
    pub fn with_limit(mut self, operation: &str, requests: u32) -> Self {
        self.overrides
            .insert(operation.to_string(), requests.max(1));
        self
    }

    /// The window the limits apply to. Default is one minute.
    pub fn with_window(mut self, window: Duration) -> Self {
        self.window = window;
        self
    }

    /// The limit that applies to `operation`: its override, else its
    /// documented limit; for a name that is no operation, Pylon's lowest
    /// tier (30).
    pub fn limit_for(&self, operation: &str) -> u32 {
        match crate::operations::find(operation) {
            Some(operation) => self.limit_of(operation),
            None => self.overrides.get(operation).copied().unwrap_or(30),
        }
    }

    fn limit_of(&self, operation: &Operation) -> u32 {
        self.overrides
            .get(operation.id)
            .copied()
            .unwrap_or(operation.rate_limit)
    }
}

/// The limiter shared by every clone of a client.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    limits: RateLimits,
    endpoints: Mutex<HashMap<&'static str, Arc<Endpoint>>>,
}

#[derive(Debug)]
struct Endpoint {
    bucket: Mutex<Bucket>,
    /// Waiters take turns in arrival order (tokio's mutex is fair).
    queue: tokio::sync::Mutex<()>,
}

/// The share of the documented budget and refill rate the limiter uses.
const REFILL_MARGIN: f64 = 0.98;

/// A refilling budget: `capacity` tokens, `per_second` back each second.
#[derive(Debug)]
struct Bucket {
    capacity: f64,
    per_second: f64,
    tokens: f64,
    refilled_at: Instant,
}

impl Bucket {
    fn new(limit: u32, window: Duration, now: Instant) -> Self {
        let capacity = f64::from(limit.max(1));
        let seconds = window.as_secs_f64();
        Bucket {
            capacity,
            // A little under Pylon's rate, so that network jitter between the
            // two clocks does not turn into 429s.
            per_second: if seconds > 0.0 {
                capacity / seconds * REFILL_MARGIN
            } else {
                f64::INFINITY
            },
            // The server's budget starts refilling only when the first request
            // arrives, a little after this one's: start a little under full.
            tokens: capacity * REFILL_MARGIN,
            refilled_at: now,
        }
    }

    /// Takes a token, or says how long until one is back.
    fn take(&mut self, now: Instant) -> Result<(), Duration> {
        let elapsed = now
            .saturating_duration_since(self.refilled_at)
            .as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.per_second).min(self.capacity);
        self.refilled_at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            return Ok(());
        }
        let seconds = (1.0 - self.tokens) / self.per_second;
        Err(Duration::try_from_secs_f64(seconds)
            .unwrap_or(MAX_DURATION)
            .clamp(Duration::from_millis(1), MAX_DURATION))
    }
}

impl RateLimiter {
    pub(crate) fn new(limits: RateLimits) -> Self {
        RateLimiter {
            limits,
            endpoints: Mutex::new(HashMap::new()),
        }
    }

    /// Waits until `operation` may send, and takes one request's allowance;
    /// false, at once, when that would be after `deadline`.
    pub(crate) async fn acquire(&self, operation: &'static Operation, deadline: Instant) -> bool {
        let endpoint = {
            let mut endpoints = self.endpoints.lock().unwrap_or_else(|e| e.into_inner());
            endpoints
                .entry(operation.id)
                .or_insert_with(|| {
                    Arc::new(Endpoint {
                        bucket: Mutex::new(Bucket::new(
                            self.limits.limit_of(operation),
                            self.limits.window,
                            Instant::now(),
                        )),
                        queue: tokio::sync::Mutex::new(()),
                    })
                })
                .clone()
        };
        let _turn = endpoint.queue.lock().await;
        loop {
            let taken = endpoint
                .bucket
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .take(Instant::now());
            match taken {
                Ok(()) => return true,
                Err(wait) if later(Instant::now(), wait) > deadline => return false,
                Err(wait) => {
                    tracing::debug!(
                        operation = operation.id,
                        wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                        "rate limit: waiting"
                    );
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(id: &str) -> &'static Operation {
        crate::operations::find(id).unwrap()
    }

    fn far() -> Instant {
        Instant::now() + Duration::from_secs(10 * 365 * 86_400)
    }

    #[test]
    fn documented_tiers_defaults_and_overrides() {
        let limits = RateLimits::pylon_defaults();
        assert_eq!(limits.limit_for("create_tag"), 300);
        assert_eq!(limits.limit_for("search_issues"), 120);
        assert_eq!(limits.limit_for("list_issues"), 30);
        assert_eq!(limits.limit_for("get_article"), 300);
        assert_eq!(limits.limit_for("create_select_option"), 120);
        assert_eq!(limits.limit_for("not_an_operation"), 30);
        assert_eq!(
            limits
                .with_limit("list_issues", 90)
                .limit_for("list_issues"),
            90
        );
    }

    /// The limiter gives every operation its catalogue limit, unless told
    /// otherwise.
    #[test]
    fn every_operation_gets_its_documented_limit() {
        let limits = RateLimits::pylon_defaults().with_limit("get_tag", 7);
        for operation in crate::operations::all() {
            let expected = if operation.id == "get_tag" {
                7
            } else {
                operation.rate_limit
            };
            assert_eq!(limits.limit_for(operation.id), expected, "{}", operation.id);
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_burst_of_the_limit_then_the_refill_rate() {
        let limiter = RateLimiter::new(
            RateLimits::pylon_defaults()
                .with_limit("get_tag", 2)
                .with_window(Duration::from_secs(10)),
        );
        let start = Instant::now();
        let mut admitted = Vec::new();
        for _ in 0..5 {
            limiter.acquire(op("get_tag"), far()).await;
            admitted.push(start.elapsed().as_millis());
        }
        // A burst of (almost) two, then one every 5 s (2 per 10 s), with a
        // 2% margin on both.
        assert_eq!(admitted, [0, 205, 5307, 10409, 15511]);
        // Another endpoint is not held up.
        let other = Instant::now();
        limiter.acquire(op("list_tags"), far()).await;
        assert_eq!(other.elapsed(), Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn extreme_settings_neither_panic_nor_overflow() {
        for window in [Duration::MAX, Duration::ZERO, Duration::from_nanos(1)] {
            let limiter = RateLimiter::new(
                RateLimits::pylon_defaults()
                    .with_limit("get_tag", u32::MAX)
                    .with_window(window),
            );
            limiter.acquire(op("get_tag"), far()).await;
        }
        let slow = RateLimiter::new(
            RateLimits::pylon_defaults()
                .with_limit("get_tag", 1)
                .with_window(Duration::MAX),
        );
        slow.acquire(op("get_tag"), far()).await;
        let second = tokio::time::timeout(
            Duration::from_secs(3600),
            slow.acquire(op("get_tag"), far()),
        )
        .await;
        assert!(second.is_err(), "a second request waits a very long window");
        let soon = Instant::now() + Duration::from_secs(60);
        assert!(
            !slow.acquire(op("get_tag"), soon).await,
            "refused at once past the deadline"
        );
    }
}
