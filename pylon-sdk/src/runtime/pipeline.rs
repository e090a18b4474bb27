//! The one way every request goes: typed calls, calls by name and the
//! multipart uploads all enter [`send`], which runs forward only:
//!
//! 1. build the request (the call's own headers added) and check it: a URL
//!    HTTP cannot carry and inputs Pylon is known to refuse
//!    ([`validate`](super::validate)) fail here, before anything is sent;
//! 2. admit it: the client's rate limiter, then the adaptive pacing;
//! 3. attempt it, reading the whole body under the size cap;
//! 4. record the attempt with the pacing;
//! 5. decide: return the answer, or wait and repeat from 2 with a request
//!    built afresh (a streamed body cannot be replayed);
//! 6. decode the answer into a [`Response`] or an [`Error`].

use std::time::Duration;

use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;
use tokio::time::Instant;

use super::attempt::{self, AttemptError};
use super::clock::later;
use super::retry::{Decision, Outcome, RETRY_COST, TIMEOUT_RETRY_COST, decide, retry_after};
use super::state::ClientState;
use crate::catalogue::Operation;
use crate::error::{ApiError, Error, Result, TransportKind, body_start};
use crate::generated;
use crate::response::{RawResponse, Response};

/// Sends `operation`'s request, built by `build_request` for the first
/// attempt and again for each retry, and decodes the answer.
pub(crate) async fn send<T, F>(
    client: &generated::Client,
    build_request: F,
    operation: &'static Operation,
) -> Result<Response<T>>
where
    T: DeserializeOwned,
    F: Fn() -> Result<reqwest::Request> + Send + Sync,
{
    let state = &client.inner;
    let build = || {
        let mut request = build_request()?;
        state.add_call_headers(&mut request);
        Ok(request)
    };
    let first = build()?;
    check(operation, &first)?;
    let answer = exchange(&client.client, state, first, operation, &build).await?;
    decode(operation.id, answer, operation.idempotent())
}

/// Admits, attempts, records and decides until there is an answer to
/// return (an error status included). Not generic, so the loop is compiled
/// once rather than once per operation; `build` builds the request again
/// for each retry, so no copy is kept in case of one.
async fn exchange(
    http: &reqwest::Client,
    state: &ClientState,
    first: reqwest::Request,
    entry: &'static Operation,
    build: &(dyn Fn() -> Result<reqwest::Request> + Send + Sync),
) -> Result<RawResponse> {
    let idempotent = entry.idempotent();
    let operation = entry.id;
    let policy = state.retry_policy();
    let deadline = later(Instant::now(), policy.deadline);
    let deadline_error = || Error::DeadlineExceeded {
        operation,
        deadline: policy.deadline,
    };
    let mut failures = 1;
    let mut throttles = 0;
    let mut attempt = 0u64;
    let mut first = Some(first);
    let mut last: Option<Result<RawResponse>> = None;
    loop {
        // Most turns are granted at once; only a wait needs the deadline's
        // timer, so none is set up for them.
        let mut admit = std::pin::pin!(state.admit(entry, deadline));
        let ticket = match futures::poll!(admit.as_mut()) {
            std::task::Poll::Ready(ticket) => ticket,
            std::task::Poll::Pending => tokio::time::timeout_at(deadline, admit)
                .await
                .ok()
                .flatten(),
        };
        // No turn before the deadline: the last answer stands.
        let Some(ticket) = ticket else {
            return last.unwrap_or_else(|| Err(deadline_error()));
        };
        attempt += 1;
        let mut this = match first.take() {
            Some(first) => first,
            None => build()?,
        };
        let remaining = deadline.saturating_duration_since(Instant::now());
        let timeout = attempt_timeout(state.attempt_timeout(), remaining);
        if Some(timeout) != state.http_timeout {
            *this.timeout_mut() = Some(timeout);
        }
        tracing::trace!(
            operation,
            attempt,
            method = %this.method(),
            url = %this.url(),
            headers = ?SentHeaders(&state.default_headers, this.headers()),
            "sending"
        );
        let result = attempt::attempt(http, this, state.max_response_bytes).await;
        let outcome = match &result {
            Ok(answer) => Outcome::Status(answer.status),
            Err(AttemptError::TooLarge { .. }) => Outcome::TooLarge,
            Err(AttemptError::Unsendable(_)) => Outcome::Unsendable,
            Err(AttemptError::Transport(e)) => match e.kind() {
                TransportKind::Connect => Outcome::NotSent,
                kind => Outcome::Interrupted {
                    timed_out: kind == TransportKind::Timeout,
                },
            },
        };
        // A wait is asked for with a refusal; a success's headers are not searched.
        let hint = match &result {
            Ok(answer) if !(200..=299).contains(&answer.status) => retry_after(&answer.headers),
            _ => None,
        };
        state.record(operation, &ticket, outcome == Outcome::Status(429), hint);
        tracing::debug!(operation, attempt, ?outcome, "attempt finished");
        let result = result.map_err(|e| match e {
            AttemptError::TooLarge { status } => Error::BodyTooLarge {
                operation,
                status,
                limit: state.max_response_bytes,
            },
            AttemptError::Unsendable(reason) => {
                Error::InvalidRequest(format!("{operation}: the request cannot be sent: {reason}"))
            }
            AttemptError::Transport(source) => Error::Transport {
                operation,
                outcome_unknown: !idempotent && !source.is_connect(),
                source,
            },
        });
        let wait = match decide(outcome, idempotent) {
            Decision::Stop => {
                if matches!(outcome, Outcome::Status(200..=299)) {
                    state.budget.refund();
                }
                return result;
            }
            Decision::Pace => {
                throttles += 1;
                if state.pacing_enabled() {
                    // The pacing holds the next attempt back until Pylon's wait is over.
                    Duration::ZERO
                } else {
                    // Pylon's wait, but never a tight loop on `Retry-After: 0`.
                    let backoff = policy.delay(throttles, None);
                    hint.map_or(backoff, |h| h.min(policy.max_delay).max(backoff))
                }
            }
            Decision::Retry => {
                if failures >= policy.max_attempts {
                    return result;
                }
                let cost = match outcome {
                    Outcome::Interrupted { timed_out: true } => TIMEOUT_RETRY_COST,
                    _ => RETRY_COST,
                };
                if !state.budget.withdraw(cost) {
                    tracing::debug!(operation, failures, "retry budget spent");
                    return result;
                }
                let wait = policy.delay(failures, hint);
                failures += 1;
                wait
            }
        };
        if later(Instant::now(), wait) >= deadline {
            tracing::debug!(operation, "retry deadline reached");
            return result;
        }
        tracing::info!(
            operation,
            attempt,
            ?outcome,
            wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
            "retrying"
        );
        last = Some(result);
        tokio::time::sleep(wait).await;
    }
}

/// Refuses, before admission, a request that cannot or must not be sent:
/// one whose URL HTTP cannot carry, or with inputs Pylon refuses. Path
/// parameters were checked as the URL was built
/// ([`url`](super::paths::url)).
fn check(operation: &Operation, request: &reqwest::Request) -> Result<()> {
    let length = request.url().as_str().len();
    if length > MAX_URI_LEN {
        return Err(Error::InvalidRequest(format!(
            "{}: the URL is {length} bytes long, more than HTTP allows ({MAX_URI_LEN}); \
             a path parameter, query value or cursor is too long",
            operation.id
        )));
    }
    super::validate::check(operation, request)
}

/// The longest URI the HTTP stack sends; a longer one fails before any
/// connection is made.
const MAX_URI_LEN: usize = u16::MAX as usize - 1;

/// Turns an answer into the decoded body or an error.
pub(crate) fn decode<T: DeserializeOwned>(
    operation: &'static str,
    answer: RawResponse,
    idempotent: bool,
) -> Result<Response<T>> {
    match answer.status {
        200..=299 => {
            let body = super::decode::body(&super::decode::Answer {
                operation,
                status: answer.status,
                headers: &answer.headers,
                body: &answer.body,
            })?;
            Ok(Response::new(body, answer))
        }
        400..=599 => Err(Error::Api(Box::new(api_error(
            operation, &answer, idempotent,
        )))),
        status => Err(Error::UnexpectedStatus {
            operation,
            status,
            location: answer
                .headers
                .get("location")
                .map(|l| String::from_utf8_lossy(l.as_bytes()).into_owned()),
        }),
    }
}

/// Pylon's error envelope.
#[derive(serde::Deserialize)]
struct Envelope {
    #[serde(default)]
    errors: Vec<String>,
    request_id: Option<String>,
    code: Option<String>,
    exists_id: Option<String>,
}

/// An error answer as an [`ApiError`], whatever its body: the envelope's
/// fields when it is one, else the body's start as the message.
pub(crate) fn api_error(
    operation: &'static str,
    answer: &RawResponse,
    idempotent: bool,
) -> ApiError {
    let envelope = serde_json::from_slice::<Envelope>(&answer.body).ok();
    let (messages, request_id, code, exists_id) = match envelope {
        Some(e) => (e.errors, e.request_id, e.code, e.exists_id),
        None => {
            let start = body_start(&answer.body);
            let message = if start.is_empty() {
                "(empty error body)".to_string()
            } else {
                format!("(unrecognised error body) {start}")
            };
            (vec![message], None, None, None)
        }
    };
    ApiError {
        operation,
        status: answer.status,
        messages,
        code,
        request_id,
        exists_id,
        retry_after: retry_after(&answer.headers),
        outcome_unknown: !idempotent && answer.status >= 500,
    }
}

/// The time left before `deadline`, as a per-attempt timeout no longer than
/// the client's own.
pub(crate) fn attempt_timeout(client_timeout: Option<Duration>, remaining: Duration) -> Duration {
    client_timeout.map_or(remaining, |t| t.min(remaining))
}

/// Every header a request goes out with, the client's own first; values
/// marked sensitive (the token) show as `Sensitive`.
struct SentHeaders<'a>(&'a HeaderMap, &'a HeaderMap);

impl std::fmt::Debug for SentHeaders<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map()
            .entries(self.0.iter().chain(self.1.iter()))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, body: &str) -> RawResponse {
        RawResponse {
            status,
            headers: HeaderMap::new(),
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn error_bodies_of_any_shape_keep_their_status() {
        let other_json = api_error("get_tag", &answer(404, r#"{"errors": "nope"}"#), true);
        assert_eq!(other_json.status, 404);
        assert_eq!(
            other_json.messages,
            [r#"(unrecognised error body) {"errors": "nope"}"#]
        );
        let html = api_error("get_tag", &answer(502, "<html>Bad gateway</html>"), true);
        assert_eq!(
            html.messages,
            ["(unrecognised error body) <html>Bad gateway</html>"]
        );
        let empty = api_error("get_tag", &answer(503, ""), true);
        assert_eq!(empty.messages, ["(empty error body)"]);
        let envelope = api_error(
            "create_tag",
            &answer(
                500,
                r#"{"errors":["boom"],"request_id":"r1","code":"internal"}"#,
            ),
            false,
        );
        assert_eq!(envelope.messages, ["boom"]);
        assert_eq!(envelope.request_id.as_deref(), Some("r1"));
        assert!(envelope.outcome_unknown);
        assert!(!html.outcome_unknown, "a failed read changed nothing");
    }

    #[test]
    fn a_redirect_keeps_its_status_and_names_its_location() {
        for status in [301, 302, 303, 307, 308] {
            let mut redirect = answer(status, "");
            redirect
                .headers
                .insert("location", "/elsewhere".parse().unwrap());
            let err = decode::<serde_json::Value>("get_tag", redirect, true).unwrap_err();
            assert_eq!(err.status(), Some(status));
            assert!(!err.is_retryable());
            assert_eq!(
                err.to_string(),
                format!(
                    "get_tag: Pylon answered {status}, a status this API does not use \
                     (location /elsewhere)"
                )
            );
        }
    }

    #[test]
    fn an_empty_success_where_a_body_was_documented_keeps_its_status() {
        let err = decode::<serde_json::Value>("get_tag", answer(204, ""), true).unwrap_err();
        assert_eq!(err.status(), Some(204));
        assert!(matches!(err, Error::Decode { status: 204, .. }));
        assert!(err.to_string().contains("the body was empty"), "{err}");
    }
}
