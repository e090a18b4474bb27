//! What every clone of a client shares, read by the pipeline on each call.

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::HeaderMap;

use super::pacing::{Pacing, Ticket};
use super::rate_limit::RateLimiter;
use super::retry::{RetryBudget, RetryPolicy};
use crate::catalogue::Operation;

/// What every clone of a client shares (the retry budget, the limiter,
/// the pacing) and what a call may override (see `CallOptions`).
#[derive(Clone, Debug)]
pub(crate) struct ClientState {
    pub(crate) retry: RetryPolicy,
    pub(crate) budget: Arc<RetryBudget>,
    pub(crate) limiter: Option<Arc<RateLimiter>>,
    pub(crate) pacing: Option<Arc<Pacing>>,
    pub(crate) timeout: Option<Duration>,
    /// The timeout the HTTP client applies by itself (the client's own);
    /// an attempt sets one of its own only when it needs another.
    pub(crate) http_timeout: Option<Duration>,
    pub(crate) max_response_bytes: u64,
    /// Headers added to every request of this handle (per-call options).
    pub(crate) extra_headers: HeaderMap,
    /// The headers the HTTP client adds to every request (the token, marked
    /// sensitive), for the TRACE log of what is sent.
    pub(crate) default_headers: HeaderMap,
}

impl ClientState {
    pub(crate) fn retry_policy(&self) -> &RetryPolicy {
        &self.retry
    }

    pub(crate) fn attempt_timeout(&self) -> Option<Duration> {
        self.timeout
    }

    pub(crate) fn pacing_enabled(&self) -> bool {
        self.pacing.is_some()
    }

    /// Waits until `operation` may send: the limiter's budget, then pacing.
    /// `None` when that would be after `deadline`.
    pub(crate) async fn admit(
        &self,
        operation: &'static Operation,
        deadline: tokio::time::Instant,
    ) -> Option<Ticket> {
        if let Some(limiter) = &self.limiter
            && !limiter.acquire(operation, deadline).await
        {
            return None;
        }
        match &self.pacing {
            Some(pacing) => pacing.admit(operation.id, deadline).await,
            None => Some(Ticket::unpaced()),
        }
    }

    /// Tells the pacing how an attempt went.
    pub(crate) fn record(
        &self,
        operation: &'static str,
        ticket: &Ticket,
        throttled: bool,
        retry_after: Option<Duration>,
    ) {
        if let Some(pacing) = &self.pacing {
            pacing.record(operation, ticket, throttled, retry_after);
        }
    }

    pub(crate) fn add_call_headers(&self, request: &mut reqwest::Request) {
        for (name, value) in &self.extra_headers {
            request.headers_mut().insert(name, value.clone());
        }
    }
}
