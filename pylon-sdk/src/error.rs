//! The one error type every call returns.

use std::fmt;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// How many bytes of an undecodable body an error keeps.
const BODY_EXCERPT_LEN: usize = 200;

/// A `Result` whose error is this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong when calling Pylon.
///
/// Every operation and extension returns it. Its `Display` is one line that
/// names the operation and what happened; text that came from the server is
/// shown with control characters escaped. The underlying cause, where there
/// is one, comes from [`source`](std::error::Error::source).
///
/// ```
/// # async fn run(client: pylon_sdk::Client) -> pylon_sdk::Result<()> {
/// match client.get_tag().id("tag_1").send().await {
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
    Api(Box<ApiError>),
    /// The request could not be sent, or the response could not be read.
    Transport {
        /// The operation, e.g. `"create_tag"`.
        operation: &'static str,
        /// True only when a write may have reached Pylon and been applied (a
        /// timeout or a connection dropped after sending a create). Reads,
        /// updates and deletes can simply be repeated, and a request that
        /// never left was not applied.
        outcome_unknown: bool,
        /// The underlying failure.
        source: TransportError,
    },
    /// A success response whose body is not what the API describes (an
    /// empty body where one was documented included).
    Decode {
        /// The operation, e.g. `"get_tag"`.
        operation: &'static str,
        /// The HTTP status (a 2xx).
        status: u16,
        /// Where in the body decoding failed, e.g. `data[3].created_at`;
        /// empty for the body as a whole.
        path: String,
        /// The request ID, from the body or the `x-request-id` header.
        request_id: Option<String>,
        /// The start of the offending body, lossily decoded as UTF-8.
        body_start: String,
        /// Why it could not be decoded: a missing field, a wrong type, an
        /// invalid value, malformed JSON.
        source: serde_json::Error,
    },
    /// A response body larger than the client's limit
    /// ([`ClientBuilder::max_response_bytes`](crate::ClientBuilder::max_response_bytes));
    /// reading stopped at the limit.
    BodyTooLarge {
        /// The operation, e.g. `"list_issues"`.
        operation: &'static str,
        /// The HTTP status of the answer whose body was refused.
        status: u16,
        /// The limit, in bytes.
        limit: u64,
    },
    /// The call's deadline ([`RetryPolicy::with_deadline`](crate::RetryPolicy::with_deadline))
    /// passed before an answer arrived (waiting for the rate limit included).
    DeadlineExceeded {
        /// The operation, e.g. `"create_tag"`.
        operation: &'static str,
        /// The deadline that passed.
        deadline: Duration,
    },
    /// The request was refused before anything was sent.
    InvalidRequest(String),
    /// Pylon answered with a status the API does not use for this
    /// operation: a redirect (3xx) or a 1xx. Nothing was followed.
    UnexpectedStatus {
        /// The operation, e.g. `"get_tag"`.
        operation: &'static str,
        /// The HTTP status.
        status: u16,
        /// The `Location` header of a redirect.
        location: Option<String>,
    },
    /// Pylon's answers contradict each other or omit what the API promises
    /// (e.g. a duplicate-tag 409 for a tag the list does not show).
    UnexpectedResponse(String),
    /// A paginated list handed back a cursor it had already given; the
    /// stream ends here instead of looping.
    RepeatedCursor(String),
    /// A paginated list kept answering empty pages that promise more; the
    /// stream ends after this many in a row instead of running forever.
    EmptyPages(u32),
    /// A stream (pagination or issue export) gave up; resume it from the
    /// checkpoint to get exactly the items it had not yielded. Resuming
    /// helps only when the failure may pass ([`Error::can_resume`]); a
    /// request that cannot be sent or a body that does not decode would
    /// fail the same way again.
    Interrupted {
        /// Where to resume.
        checkpoint: Box<Checkpoint>,
        /// Why it gave up.
        source: Box<Error>,
    },
}

/// An error response from Pylon.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ApiError {
    /// The operation, e.g. `"create_tag"`.
    pub operation: &'static str,
    /// The HTTP status.
    pub status: u16,
    /// The messages Pylon gave (`errors`). When the body was not Pylon's
    /// error envelope (a proxy's page, another JSON shape), its start.
    pub messages: Vec<String>,
    /// Pylon's machine-readable reason, e.g. `rate_limited`, `not_found`.
    pub code: Option<String>,
    /// The request ID, for Pylon support.
    pub request_id: Option<String>,
    /// On a duplicate create (409), the ID of the object that already exists.
    pub exists_id: Option<String>,
    /// How long Pylon asked the client to wait (`Retry-After` or `X-Retry-After`).
    pub retry_after: Option<Duration>,
    /// True for a 5xx answer to a write that may have been applied anyway.
    pub outcome_unknown: bool,
}

/// Why a request could not be sent or its response not read.
///
/// Opaque: [`is_timeout`](TransportError::is_timeout) and
/// [`is_connect`](TransportError::is_connect) classify it, and
/// [`source`](std::error::Error::source) gives the cause.
pub struct TransportError {
    kind: TransportKind,
    cause: Box<dyn std::error::Error + Send + Sync>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TransportKind {
    /// The request never left: connection refused, DNS, TLS.
    Connect,
    /// No answer in time.
    Timeout,
    /// Sent, then the connection failed.
    Interrupted,
}

impl TransportError {
    pub(crate) fn new(
        kind: TransportKind,
        cause: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        TransportError {
            kind,
            cause: cause.into(),
        }
    }

    /// True when no answer came in time.
    pub fn is_timeout(&self) -> bool {
        self.kind == TransportKind::Timeout
    }

    /// True when the request never left (connection refused, DNS, TLS).
    pub fn is_connect(&self) -> bool {
        self.kind == TransportKind::Connect
    }

    pub(crate) fn kind(&self) -> TransportKind {
        self.kind
    }
}

impl fmt::Debug for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TransportError")
            .field("kind", &self.kind)
            .field("cause", &self.cause.to_string())
            .finish()
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            TransportKind::Connect => f.write_str("could not connect"),
            TransportKind::Timeout => f.write_str("timed out"),
            TransportKind::Interrupted => f.write_str("the connection failed"),
        }
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.cause)
    }
}

impl Error {
    /// The HTTP status of the answer the error comes from: an error status,
    /// a redirect, or a success whose body did not decode (also inside an
    /// interrupted stream), a body over the size limit. `None` when no
    /// answer came.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(api) => Some(api.status),
            Error::Decode { status, .. }
            | Error::UnexpectedStatus { status, .. }
            | Error::BodyTooLarge { status, .. } => Some(*status),
            Error::Interrupted { source, .. } => source.status(),
            _ => None,
        }
    }

    /// The API error, when Pylon answered with an error status (also inside
    /// an interrupted stream).
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(api) => Some(api),
            Error::Interrupted { source, .. } => source.api(),
            _ => None,
        }
    }

    /// The request ID Pylon gave the failed request, when there was one.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api(api) => api.request_id.as_deref(),
            Error::Decode { request_id, .. } => request_id.as_deref(),
            Error::Interrupted { source, .. } => source.request_id(),
            _ => None,
        }
    }

    /// For [`Error::Interrupted`]: whether resuming from the checkpoint can
    /// succeed, i.e. whether the failure that stopped the stream may pass
    /// (rate limiting, a server error, a lost connection, a deadline).
    /// False for a request that cannot be sent, a body that does not
    /// decode, or a cursor Pylon repeated: resuming would meet them again.
    /// False for every other error.
    pub fn can_resume(&self) -> bool {
        matches!(self, Error::Interrupted { source, .. } if source.is_retryable())
    }

    /// Where to resume a stream that gave up ([`Error::Interrupted`]).
    pub fn checkpoint(&self) -> Option<&Checkpoint> {
        match self {
            Error::Interrupted { checkpoint, .. } => Some(checkpoint),
            _ => None,
        }
    }

    /// True for 404.
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }

    /// True for 429: Pylon's per-minute limit for the endpoint is spent.
    pub fn is_rate_limited(&self) -> bool {
        self.status() == Some(429)
    }

    /// True for 409 (a duplicate; see [`ApiError::exists_id`]).
    pub fn is_duplicate(&self) -> bool {
        self.status() == Some(409)
    }

    /// Whether trying the same request again may succeed: rate limiting,
    /// server errors (500, 502, 503, 504), transport failures and a passed
    /// deadline.
    ///
    /// A retry is only safe when the operation is idempotent or the outcome
    /// is known (see [`Error::is_outcome_unknown`]); the client's retry policy
    /// already makes that distinction.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api(api) => matches!(api.status, 429 | 500 | 502 | 503 | 504),
            Error::Transport { .. } | Error::DeadlineExceeded { .. } => true,
            Error::Interrupted { source, .. } => source.is_retryable(),
            _ => false,
        }
    }

    /// True when a write may or may not have been applied by Pylon: a
    /// timeout, a connection dropped after sending, or a 5xx answer to a
    /// create. Such a create is not repeated automatically; check before
    /// trying again.
    pub fn is_outcome_unknown(&self) -> bool {
        match self {
            Error::Api(api) => api.outcome_unknown,
            Error::Transport {
                outcome_unknown, ..
            } => *outcome_unknown,
            _ => false,
        }
    }

    /// The generated builders' request could not be assembled.
    pub(crate) fn request_not_built(source: impl std::fmt::Display) -> Self {
        Error::InvalidRequest(format!("the request could not be built: {source}"))
    }
}

/// The start of a body, lossily decoded, for error messages.
pub(crate) fn body_start(body: &[u8]) -> String {
    let end = body.len().min(BODY_EXCERPT_LEN);
    String::from_utf8_lossy(&body[..end]).trim().to_string()
}

/// Server-provided text with control characters escaped, so a message can
/// neither break a log line nor carry terminal escapes.
struct Escaped<'a>(&'a str);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use fmt::Write;
        for c in self.0.chars() {
            if c.is_control() {
                for escaped in c.escape_default() {
                    f.write_char(escaped)?;
                }
            } else {
                f.write_char(c)?;
            }
        }
        Ok(())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Api(api) => api.fmt(f),
            Error::Transport {
                operation,
                outcome_unknown,
                source,
            } => {
                write!(f, "{operation}: {source}")?;
                if *outcome_unknown {
                    f.write_str(
                        " after the request was sent; whether Pylon applied it is unknown",
                    )?;
                }
                Ok(())
            }
            Error::Decode {
                operation,
                status,
                path,
                request_id,
                body_start,
                source,
            } => {
                write!(f, "{operation}: Pylon's response (status {status}")?;
                if let Some(request_id) = request_id {
                    write!(f, ", request {}", Escaped(request_id))?;
                }
                f.write_str(") could not be decoded ")?;
                if path.is_empty() {
                    f.write_str("as a whole")?;
                } else {
                    write!(f, "at {}", Escaped(path))?;
                }
                // serde_json's reason quotes at most a short value.
                write!(f, ": {}; ", Escaped(&source.to_string()))?;
                if body_start.is_empty() {
                    f.write_str("the body was empty")
                } else {
                    write!(f, "it began \"{}\"", Escaped(body_start))
                }
            }
            Error::UnexpectedStatus {
                operation,
                status,
                location,
            } => {
                write!(
                    f,
                    "{operation}: Pylon answered {status}, a status this API does not use"
                )?;
                if let Some(location) = location {
                    write!(f, " (location {})", Escaped(location))?;
                }
                Ok(())
            }
            Error::BodyTooLarge {
                operation,
                status,
                limit,
            } => write!(
                f,
                "{operation}: the body of Pylon's {status} answer is larger than the \
                 {limit}-byte limit"
            ),
            Error::DeadlineExceeded {
                operation,
                deadline,
            } => write!(f, "{operation}: no answer within the {deadline:?} deadline"),
            Error::InvalidRequest(reason) => write!(f, "invalid request: {reason}"),
            Error::UnexpectedResponse(what) => {
                write!(f, "unexpected response from Pylon: {}", Escaped(what))
            }
            Error::RepeatedCursor(cursor) => write!(
                f,
                "Pylon returned the cursor \"{}\" twice; pagination stopped to avoid a loop",
                Escaped(cursor)
            ),
            Error::EmptyPages(pages) => write!(
                f,
                "Pylon returned {pages} empty pages in a row that each promised more; \
                 pagination stopped"
            ),
            Error::Interrupted { checkpoint, source } => write!(
                f,
                "the stream stopped after {} items {}: {source}",
                checkpoint.items_yielded(),
                if source.is_retryable() {
                    "and can be resumed from its checkpoint"
                } else {
                    "(resuming would meet the same failure)"
                }
            ),
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: Pylon answered {}", self.operation, self.status)?;
        if !self.messages.is_empty() {
            f.write_str(": ")?;
            for (n, message) in self.messages.iter().enumerate() {
                if n > 0 {
                    f.write_str("; ")?;
                }
                Escaped(message).fmt(f)?;
            }
        }
        if let Some(code) = &self.code {
            write!(f, " (code {})", Escaped(code))?;
        }
        if let Some(request_id) = &self.request_id {
            write!(f, " [request {}]", Escaped(request_id))?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Transport { source, .. } => Some(source),
            Error::Decode { source, .. } => Some(source),
            Error::Interrupted { source, .. } => Some(&**source),
            _ => None,
        }
    }
}

const _: () = {
    const fn assert_send_sync<T: Send + Sync + 'static>() {}
    assert_send_sync::<Error>();
};

/// Where a stream stopped, to resume it with exactly the items it had not
/// yielded. Serializable, so a long job can save it and resume in another
/// process.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Checkpoint {
    /// The cursor of the page to fetch next (`None`: the first page).
    pub cursor: Option<String>,
    /// How many items the stream had yielded.
    pub items_yielded: u64,
    /// For an issue export: the start of the window to fetch next.
    pub window_start: Option<DateTime<Utc>>,
    /// For an issue export: the IDs of the last finished window, so an issue
    /// on the edge between two windows is not yielded twice.
    pub previous_window_ids: Vec<String>,
}

impl Checkpoint {
    /// How many items the stream had yielded before it stopped.
    pub fn items_yielded(&self) -> u64 {
        self.items_yielded
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(messages: &[&str]) -> ApiError {
        ApiError {
            operation: "get_tag",
            status: 400,
            messages: messages.iter().map(|m| m.to_string()).collect(),
            code: Some("bad\u{1b}[31m".into()),
            request_id: Some("r\n1".into()),
            exists_id: None,
            retry_after: None,
            outcome_unknown: false,
        }
    }

    #[test]
    fn server_text_cannot_inject_lines_or_escapes() {
        let shown =
            Error::Api(Box::new(api(&["line one\nFAKE LOG LINE\r", "\u{1b}[2J"]))).to_string();
        assert!(!shown.chars().any(char::is_control), "{shown:?}");
        assert_eq!(
            shown,
            "get_tag: Pylon answered 400: line one\\nFAKE LOG LINE\\r; \\u{1b}[2J \
             (code bad\\u{1b}[31m) [request r\\n1]"
        );
        let cursor = Error::RepeatedCursor("a\nb".into()).to_string();
        assert!(!cursor.contains('\n'));
    }

    #[test]
    fn transport_errors_name_the_operation_and_say_unknown_only_for_writes() {
        let read = Error::Transport {
            operation: "get_tag",
            outcome_unknown: false,
            source: TransportError::new(TransportKind::Interrupted, "reset"),
        };
        assert_eq!(read.to_string(), "get_tag: the connection failed");
        let write = Error::Transport {
            operation: "create_tag",
            outcome_unknown: true,
            source: TransportError::new(TransportKind::Timeout, "slow"),
        };
        assert!(write.to_string().starts_with("create_tag: timed out after"));
        assert!(write.is_outcome_unknown() && !read.is_outcome_unknown());
    }
}
