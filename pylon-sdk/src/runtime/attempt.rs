//! One attempt: the request sent once and its whole body read under a size
//! cap, so that a connection dropped mid-response is an attempt that failed
//! (and may be retried) rather than a decode error later.

use crate::error::{TransportError, TransportKind};
use crate::response::RawResponse;

/// Error bodies are read up to this many bytes; Pylon's are a few hundred.
pub(crate) const ERROR_BODY_LIMIT: usize = 64 * 1024;

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
