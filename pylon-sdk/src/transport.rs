//! How every operation's request is sent and its answer read.
//!
//! Each generated `send()` ends in [`send`]: the request is checked (inputs
//! Pylon would refuse), sent through the retry loop (rate limiter, adaptive
//! pacing, retry policy, deadline), each attempt's body is read in full
//! inside the attempt under a size cap, and the answer becomes a
//! [`Response`] or an [`Error`].

use std::time::Duration;

use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, Error, Result, TransportError, TransportKind, body_start};
use crate::generated;
use crate::response::Response;

/// Error bodies are read up to this many bytes; Pylon's are a few hundred.
pub(crate) const ERROR_BODY_LIMIT: usize = 64 * 1024;

/// The operation a request belongs to.
pub(crate) struct OperationInfo {
    pub(crate) operation_id: &'static str,
}

/// One attempt's answer, its body read in full.
#[derive(Debug)]
pub(crate) struct RawResponse {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Vec<u8>,
}

/// Why one attempt produced no answer.
#[derive(Debug)]
pub(crate) enum AttemptError {
    Transport(TransportError),
    /// The success body passed the size limit; reading stopped there.
    TooLarge {
        /// The answer's status.
        status: u16,
    },
    /// The request cannot be sent at all (e.g. a URI longer than HTTP
    /// allows); nothing left the client.
    Unsendable(String),
}

/// Sends a generated operation's request, built by `build_request` for the
/// first attempt and again for each retry, and decodes the answer.
pub(crate) async fn send<T, F>(
    client: &generated::Client,
    build_request: F,
    info: OperationInfo,
) -> Result<Response<T>>
where
    T: DeserializeOwned,
    F: Fn() -> Result<reqwest::Request> + Send + Sync,
{
    let operation = info.operation_id;
    let state = &client.inner;
    let build = || {
        let mut request = build_request()?;
        state.add_call_headers(&mut request);
        Ok(request)
    };
    let first = build()?;
    // Path parameters were checked as the URL was built (`paths::url`).
    crate::validate::check(operation, &first)?;
    let idempotent = crate::retry::is_idempotent(first.method(), operation);
    let answer =
        crate::retry::send_with_retries(&client.client, state, first, operation, &build).await?;
    decode(operation, answer, idempotent)
}

/// Turns an answer into the decoded body or an error.
pub(crate) fn decode<T: DeserializeOwned>(
    operation: &'static str,
    answer: RawResponse,
    idempotent: bool,
) -> Result<Response<T>> {
    match answer.status {
        200..=299 => {
            let body = crate::decode::body(&crate::decode::Answer {
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
        retry_after: crate::retry::retry_after(&answer.headers),
        outcome_unknown: !idempotent && answer.status >= 500,
    }
}

/// Sends one attempt and reads the whole body (so that a connection dropped
/// mid-response is retried inside the loop). A success body over `limit`
/// stops the read; an error body is read up to [`ERROR_BODY_LIMIT`] and cut.
pub(crate) async fn attempt(
    http: &reqwest::Client,
    request: reqwest::Request,
    limit: u64,
) -> std::result::Result<RawResponse, AttemptError> {
    let mut response = http.execute(request).await.map_err(transport_error)?;
    let status = response.status().as_u16();
    let is_error = status >= 400;
    let cap = if is_error {
        ERROR_BODY_LIMIT as u64
    } else {
        limit
    };
    if !is_error && response.content_length().is_some_and(|len| len > cap) {
        return Err(AttemptError::TooLarge { status });
    }
    let headers = std::mem::take(response.headers_mut());
    let expected = response.content_length().unwrap_or(0).min(cap);
    let mut body = Vec::with_capacity(usize::try_from(expected).unwrap_or(0));
    while let Some(chunk) = response.chunk().await.map_err(transport_error)? {
        let room = usize::try_from(cap).unwrap_or(usize::MAX) - body.len();
        if chunk.len() > room {
            if is_error {
                body.extend_from_slice(&chunk[..room]);
                break;
            }
            return Err(AttemptError::TooLarge { status });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(RawResponse {
        status,
        headers,
        body,
    })
}

fn transport_error(e: reqwest::Error) -> AttemptError {
    if e.is_builder() {
        return AttemptError::Unsendable(format!("{e}"));
    }
    let kind = if e.is_timeout() {
        TransportKind::Timeout
    } else if e.is_connect() {
        TransportKind::Connect
    } else {
        TransportKind::Interrupted
    };
    AttemptError::Transport(TransportError::new(kind, e))
}

/// The time left before `deadline`, as a per-attempt timeout no longer than
/// the client's own.
pub(crate) fn attempt_timeout(client_timeout: Option<Duration>, remaining: Duration) -> Duration {
    client_timeout.map_or(remaining, |t| t.min(remaining))
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
