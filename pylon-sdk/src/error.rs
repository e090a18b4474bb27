//! The one error type every call returns.

use std::fmt;
use std::time::Duration;

use reqwest::StatusCode;

use crate::types::ErrorResponse;

/// How many bytes of an undecodable body an error keeps.
const BODY_EXCERPT_LEN: usize = 200;

/// A `Result` whose error is this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong when calling Pylon.
///
/// Generated operations return `progenitor_client::Error`; `?` converts it
/// into this type, and every hand-written extension returns it directly.
///
/// ```
/// # async fn run(client: pylon_sdk::Client) -> pylon_sdk::Result<()> {
/// match client.get_tag().id("tag_1").send().await.map_err(pylon_sdk::Error::from) {
///     Ok(tag) => println!("{:?}", tag.data),
///     Err(e) if e.is_not_found() => println!("no such tag"),
///     Err(e) => return Err(e),
/// }
/// # Ok(()) }
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// Pylon answered with an error status.
    Api(ApiError),
    /// The request could not be sent, or the response could not be read.
    Transport {
        /// True when the request may have reached Pylon and been applied
        /// (a timeout or a connection dropped after sending). False when it
        /// never left (connection refused, DNS, TLS).
        outcome_unknown: bool,
        /// The underlying transport error.
        source: reqwest::Error,
    },
    /// A success response whose body is not what the API describes.
    Decode {
        /// The start of the offending body, lossily decoded as UTF-8.
        body_start: String,
        /// Why it could not be decoded.
        source: serde_json::Error,
    },
    /// The request was refused before anything was sent.
    InvalidRequest(String),
    /// Pylon's answers contradict each other or omit what the API promises
    /// (e.g. a duplicate-tag 409 for a tag the list does not show).
    UnexpectedResponse(String),
    /// A paginated list handed back a cursor it had already given; the
    /// stream ends here instead of looping.
    RepeatedCursor(String),
}

/// An error response from Pylon.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The messages Pylon gave (`errors`).
    pub messages: Vec<String>,
    /// Pylon's machine-readable reason, e.g. `rate_limited`, `not_found`.
    pub code: Option<String>,
    /// The request ID, for Pylon support.
    pub request_id: Option<String>,
    /// On a duplicate create (409), the ID of the object that already exists.
    pub exists_id: Option<String>,
    /// How long Pylon asked the client to wait (`Retry-After` or `X-Retry-After`).
    pub retry_after: Option<Duration>,
}

impl Error {
    /// The HTTP status of an API error.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(api) => Some(api.status),
            Error::Transport { source, .. } => source.status(),
            _ => None,
        }
    }

    /// The API error, when Pylon answered with an error status.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(api) => Some(api),
            _ => None,
        }
    }

    /// The request ID Pylon gave the failed request, when there was one.
    pub fn request_id(&self) -> Option<&str> {
        self.api().and_then(|api| api.request_id.as_deref())
    }

    /// True for 404.
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(StatusCode::NOT_FOUND)
    }

    /// True for 429: Pylon's per-minute limit for the endpoint is spent.
    pub fn is_rate_limited(&self) -> bool {
        self.status() == Some(StatusCode::TOO_MANY_REQUESTS)
    }

    /// True for 409 with the ID of the existing object.
    pub fn is_duplicate(&self) -> bool {
        self.status() == Some(StatusCode::CONFLICT)
    }

    /// Whether trying the same request again may succeed: rate limiting,
    /// server errors (500, 502, 503, 504) and transport failures.
    ///
    /// A retry is only safe when the operation is idempotent or the request
    /// never left (see [`Error::is_outcome_unknown`]); the client's retry
    /// policy already makes that distinction.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api(api) => matches!(api.status.as_u16(), 429 | 500 | 502 | 503 | 504),
            Error::Transport { .. } => true,
            _ => false,
        }
    }

    /// True when the request may or may not have been applied by Pylon: a
    /// timeout or connection dropped after sending, or a 5xx answer. A create
    /// that fails this way is not repeated automatically; check before
    /// trying again.
    pub fn is_outcome_unknown(&self) -> bool {
        match self {
            Error::Api(api) => api.status.is_server_error(),
            Error::Transport {
                outcome_unknown, ..
            } => *outcome_unknown,
            _ => false,
        }
    }

    pub(crate) fn decode(body: &[u8], source: serde_json::Error) -> Self {
        let end = body.len().min(BODY_EXCERPT_LEN);
        Error::Decode {
            body_start: String::from_utf8_lossy(&body[..end]).into_owned(),
            source,
        }
    }

    pub(crate) fn transport(source: reqwest::Error) -> Self {
        Error::Transport {
            outcome_unknown: !(source.is_connect() || source.is_builder()),
            source,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Api(api) => api.fmt(f),
            Error::Transport {
                outcome_unknown: true,
                ..
            } => f.write_str(
                "the connection to Pylon failed after the request was sent; \
                 the outcome is unknown",
            ),
            Error::Transport { .. } => f.write_str("could not send the request to Pylon"),
            Error::Decode { body_start, .. } => {
                write!(
                    f,
                    "Pylon's response could not be decoded; it began {body_start:?}"
                )
            }
            Error::InvalidRequest(reason) => write!(f, "invalid request: {reason}"),
            Error::UnexpectedResponse(what) => write!(f, "unexpected response from Pylon: {what}"),
            Error::RepeatedCursor(cursor) => write!(
                f,
                "Pylon returned the cursor {cursor:?} twice; pagination stopped to avoid a loop"
            ),
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Pylon answered {}", self.status)?;
        if !self.messages.is_empty() {
            write!(f, ": {}", self.messages.join("; "))?;
        }
        if let Some(code) = &self.code {
            write!(f, " (code {code})")?;
        }
        if let Some(request_id) = &self.request_id {
            write!(f, " [request {request_id}]")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Transport { source, .. } => Some(source),
            Error::Decode { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl From<progenitor_client::Error<ErrorResponse>> for Error {
    fn from(error: progenitor_client::Error<ErrorResponse>) -> Self {
        use progenitor_client::Error as Generated;
        match error {
            Generated::ErrorResponse(response) => {
                let retry_after = crate::retry::retry_after(response.headers());
                let status = response.status();
                let body = response.into_inner();
                Error::Api(ApiError {
                    status,
                    messages: body.errors,
                    code: body.code,
                    request_id: body.request_id,
                    exists_id: body.exists_id,
                    retry_after,
                })
            }
            Generated::UnexpectedResponse(response) => Error::Api(ApiError {
                status: response.status(),
                messages: Vec::new(),
                code: None,
                request_id: None,
                exists_id: None,
                retry_after: crate::retry::retry_after(response.headers()),
            }),
            Generated::CommunicationError(source)
            | Generated::ResponseBodyError(source)
            | Generated::InvalidUpgrade(source) => Error::transport(source),
            Generated::InvalidResponsePayload(body, source) => Error::decode(&body, source),
            Generated::InvalidRequest(reason) | Generated::Custom(reason) => {
                Error::InvalidRequest(reason)
            }
        }
    }
}

const _: () = {
    const fn assert_send_sync<T: Send + Sync + 'static>() {}
    assert_send_sync::<Error>();
};
