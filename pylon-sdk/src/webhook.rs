//! Verifying that a webhook delivery or a custom-app request came from Pylon.
//!
//! Pylon signs what it sends you with the secret it shows once when the
//! webhook (or custom app) is created. The signature is the
//! [`X-Pylon-Signature`](SIGNATURE_HEADER) header: the lowercase hex
//! HMAC-SHA256 of the payload, keyed with that secret.
//!
//! - **Webhook deliveries** sign the raw request body, byte for byte: verify
//!   the bytes as they arrived, before parsing them ([`verify`],
//!   [`verify_json`]). JSON that was parsed and serialised again is not the
//!   same bytes.
//! - **Custom-app requests** are `GET`s, so they sign their query parameters
//!   instead ([`verify_query`], [`verify_query_params`]); see
//!   [`query_payload`] for exactly which bytes.
//!
//! Every check compares in constant time, never panics, and every error
//! ([`WebhookError`]) says what was wrong without echoing the secret or the
//! header. Answer a request that fails with `401 Unauthorized` and do not
//! act on it.
//!
//! ```
//! use pylon_sdk::webhook::{self, WebhookError, WebhookSecret};
//!
//! # fn main() -> Result<(), WebhookError> {
//! let secret = WebhookSecret::new("whsec_test"); // from your configuration
//! // In your HTTP handler: the raw body and the header's value.
//! let body = br#"{"event":"issue.created","issue":{"id":"iss_1","title":"SSO login fails"}}"#;
//! # let header = webhook::sign(&secret, body);
//! # let header = Some(header.as_str());
//! let event: serde_json::Value = webhook::verify_json(&secret, body, header)?;
//! assert_eq!(event["issue"]["id"], "iss_1");
//!
//! // A body changed on the way, or signed with another secret, is refused.
//! let tampered = br#"{"event":"issue.created","issue":{"id":"iss_2","title":"SSO login fails"}}"#;
//! assert!(matches!(
//!     webhook::verify(&secret, tampered, header),
//!     Err(WebhookError::SignatureMismatch)
//! ));
//! # Ok(()) }
//! ```
//!
//! # What the header may look like
//! Pylon documents the value as the plain hex digest, which is what
//! [`sign`] produces (64 lowercase hex digits). Surrounding whitespace is
//! ignored, and uppercase hex digits are accepted as well: the digits are
//! decoded and the 32 bytes compared, so the case cannot make a forged
//! signature pass. Nothing else is accepted: in particular no `sha256=`
//! prefix, which Pylon does not document. A header that is present but not
//! 64 hex digits is [`WebhookError::MalformedSignature`]; a missing one is
//! [`WebhookError::MissingSignature`].
//!
//! Pylon's signature covers the payload only (no timestamp), so a captured
//! delivery verifies again if it is replayed: if that matters to you, make
//! handling idempotent (for example by remembering the IDs of the objects
//! and events you have already handled).

use std::collections::BTreeMap;
use std::fmt;

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The header Pylon puts the signature in.
///
/// HTTP header names are case-insensitive; with [`http::HeaderMap`] this
/// name finds `x-pylon-signature` too (see [`signature_from_headers`]).
///
/// ```
/// assert_eq!(pylon_sdk::webhook::SIGNATURE_HEADER, "X-Pylon-Signature");
/// ```
pub const SIGNATURE_HEADER: &str = "X-Pylon-Signature";

/// How many hex digits a signature has (32 bytes of HMAC-SHA256).
const SIGNATURE_HEX_LEN: usize = 64;

type HmacSha256 = Hmac<Sha256>;

/// The secret of a webhook or custom app, as Pylon showed it when it was
/// created.
///
/// The bytes are used exactly as given (a trailing newline read from a file
/// is part of the secret, so trim it first). The secret cannot be read back,
/// and `Debug` prints `WebhookSecret(<redacted>)`, so it stays out of logs.
///
/// ```
/// use pylon_sdk::webhook::WebhookSecret;
///
/// let secret = WebhookSecret::new("whsec_test");
/// assert_eq!(format!("{secret:?}"), "WebhookSecret(<redacted>)");
/// // From the environment, for example:
/// let from_env = std::env::var("PYLON_WEBHOOK_SECRET").map(WebhookSecret::new);
/// # drop(from_env);
/// ```
#[derive(Clone)]
pub struct WebhookSecret {
    /// HMAC-SHA256 keyed with the secret, cloned for every signature.
    mac: HmacSha256,
    /// An empty secret is refused by every `verify*` function.
    is_empty: bool,
}

impl WebhookSecret {
    /// A secret from its bytes (a `&str`, `String`, `Vec<u8>`, …).
    pub fn new(secret: impl Into<Vec<u8>>) -> Self {
        let secret = secret.into();
        // HMAC takes a key of any length (a long one is hashed first), so
        // this cannot fail.
        let mac = HmacSha256::new_from_slice(&secret).expect("HMAC accepts keys of any length");
        WebhookSecret {
            mac,
            is_empty: secret.is_empty(),
        }
    }

    fn mac_of(&self, payload: &[u8]) -> HmacSha256 {
        let mut mac = self.mac.clone();
        mac.update(payload);
        mac
    }
}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookSecret(<redacted>)")
    }
}

/// Why a request was not accepted as coming from Pylon.
///
/// `Display` is one line saying what was wrong; it never contains the
/// secret, nor the header's value.
///
/// ```
/// use pylon_sdk::webhook::{self, WebhookError, WebhookSecret};
///
/// let secret = WebhookSecret::new("whsec_test");
/// let error = webhook::verify(&secret, b"{}", None).unwrap_err();
/// assert!(matches!(error, WebhookError::MissingSignature));
/// assert_eq!(error.to_string(), "the request has no X-Pylon-Signature header");
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum WebhookError {
    /// The request has no `X-Pylon-Signature` header.
    MissingSignature,
    /// The header is there but is not a signature: not 64 hex digits, sent
    /// more than once, or not text.
    MalformedSignature {
        /// What is wrong with it (never its value).
        reason: &'static str,
    },
    /// The signature is well-formed but does not match: the payload was
    /// altered, or it was signed with another secret.
    SignatureMismatch,
    /// The body is authentic (its signature matched) but could not be
    /// decoded as the type asked for ([`verify_json`]).
    InvalidBody(serde_json::Error),
    /// The query string of a custom-app request is not one Pylon sends: a
    /// broken percent-escape, or a `;` (see [`query_payload`]).
    InvalidQuery {
        /// What is wrong with it (never its value).
        reason: &'static str,
    },
    /// The secret is empty, so anyone could compute the signature; nothing
    /// is verified with it.
    EmptySecret,
}

impl fmt::Display for WebhookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WebhookError::MissingSignature => {
                write!(f, "the request has no {SIGNATURE_HEADER} header")
            }
            WebhookError::MalformedSignature { reason } => {
                write!(f, "the {SIGNATURE_HEADER} header is malformed: {reason}")
            }
            WebhookError::SignatureMismatch => write!(
                f,
                "the {SIGNATURE_HEADER} header does not match the request \
                 (it was altered, or signed with another secret)"
            ),
            WebhookError::InvalidBody(e) => {
                write!(f, "the signed body is not the expected JSON: {e}")
            }
            WebhookError::InvalidQuery { reason } => {
                write!(f, "the request's query string is malformed: {reason}")
            }
            WebhookError::EmptySecret => {
                f.write_str("the webhook secret is empty; nothing is verified with it")
            }
        }
    }
}

impl std::error::Error for WebhookError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WebhookError::InvalidBody(e) => Some(e),
            _ => None,
        }
    }
}

/// The signature of `body` under `secret`: 64 lowercase hex digits, the
/// value Pylon sends in [`X-Pylon-Signature`](SIGNATURE_HEADER). For tests,
/// and for forwarding a payload to another service that verifies it the
/// same way.
///
/// ```
/// use pylon_sdk::webhook::{self, WebhookSecret};
///
/// let secret = WebhookSecret::new("whsec_test");
/// let signature = webhook::sign(&secret, b"{}");
/// assert_eq!(signature.len(), 64);
/// assert!(webhook::verify(&secret, b"{}", Some(&signature)).is_ok());
/// ```
pub fn sign(secret: &WebhookSecret, body: &[u8]) -> String {
    hex_lower(&secret.mac_of(body).finalize().into_bytes())
}

/// Checks that `signature` (the `X-Pylon-Signature` header's value, `None`
/// when the request has none) is Pylon's signature of `body`, the raw
/// request body exactly as it arrived.
///
/// The comparison takes the same time wherever the signatures differ. See
/// the [module documentation](self) for the header formats accepted.
///
/// ```
/// use pylon_sdk::webhook::{self, WebhookError, WebhookSecret};
///
/// let secret = WebhookSecret::new("whsec_test");
/// let body = br#"{"event":"issue.updated","issue":{"id":"iss_1","state":"closed"}}"#;
/// let signature = webhook::sign(&secret, body);
///
/// assert!(webhook::verify(&secret, body, Some(&signature)).is_ok());
/// assert!(matches!(
///     webhook::verify(&WebhookSecret::new("another"), body, Some(&signature)),
///     Err(WebhookError::SignatureMismatch)
/// ));
/// assert!(matches!(
///     webhook::verify(&secret, body, Some("sha256=abc")),
///     Err(WebhookError::MalformedSignature { .. })
/// ));
/// ```
///
/// # Errors
/// [`WebhookError::MissingSignature`], [`WebhookError::MalformedSignature`],
/// [`WebhookError::SignatureMismatch`] or [`WebhookError::EmptySecret`].
pub fn verify(
    secret: &WebhookSecret,
    body: &[u8],
    signature: Option<&str>,
) -> Result<(), WebhookError> {
    let expected = parse_signature(secret, signature)?;
    secret
        .mac_of(body)
        .verify_slice(&expected)
        .map_err(|_| WebhookError::SignatureMismatch)
}

/// [`verify`]s `body`, then decodes it as JSON into `T` (any
/// `Deserialize` type, or [`serde_json::Value`]). Nothing is decoded unless
/// the signature matches.
///
/// ```
/// use pylon_sdk::webhook::{self, WebhookError, WebhookSecret};
///
/// #[derive(serde::Deserialize)]
/// struct IssueEvent {
///     event: String,
///     issue: Issue,
/// }
/// #[derive(serde::Deserialize)]
/// struct Issue {
///     id: String,
///     title: String,
/// }
///
/// # fn main() -> Result<(), WebhookError> {
/// let secret = WebhookSecret::new("whsec_test");
/// let body = br#"{"event":"issue.created","issue":{"id":"iss_1","title":"SSO login fails"}}"#;
/// # let signature = webhook::sign(&secret, body);
/// let event: IssueEvent = webhook::verify_json(&secret, body, Some(&signature))?;
/// assert_eq!((event.event.as_str(), event.issue.id.as_str()), ("issue.created", "iss_1"));
/// # assert_eq!(event.issue.title, "SSO login fails");
/// # Ok(()) }
/// ```
///
/// # Errors
/// Those of [`verify`], and [`WebhookError::InvalidBody`] when the
/// authentic body is not JSON of type `T`.
pub fn verify_json<T: serde::de::DeserializeOwned>(
    secret: &WebhookSecret,
    body: &[u8],
    signature: Option<&str>,
) -> Result<T, WebhookError> {
    verify(secret, body, signature)?;
    serde_json::from_slice(body).map_err(WebhookError::InvalidBody)
}

/// The `X-Pylon-Signature` header of a request, `None` when it has none.
///
/// Pass the result to [`verify`], [`verify_json`] or [`verify_query`]. A
/// header sent more than once, or whose value is not visible ASCII, is
/// [`WebhookError::MalformedSignature`] (a header that `to_str` refuses
/// would otherwise look missing).
///
/// ```
/// use http::{HeaderMap, HeaderValue};
/// use pylon_sdk::webhook::{self, WebhookError, WebhookSecret};
///
/// # fn main() -> Result<(), WebhookError> {
/// let secret = WebhookSecret::new("whsec_test");
/// let body = b"{}";
/// let mut headers = HeaderMap::new();
/// headers.insert("x-pylon-signature", HeaderValue::try_from(webhook::sign(&secret, body)).unwrap());
///
/// webhook::verify(&secret, body, webhook::signature_from_headers(&headers)?)?;
/// assert_eq!(webhook::signature_from_headers(&HeaderMap::new())?, None);
/// # Ok(()) }
/// ```
///
/// # Errors
/// [`WebhookError::MalformedSignature`].
pub fn signature_from_headers(headers: &http::HeaderMap) -> Result<Option<&str>, WebhookError> {
    let mut values = headers.get_all(SIGNATURE_HEADER).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(WebhookError::MalformedSignature {
            reason: "the header is sent more than once",
        });
    }
    value
        .to_str()
        .map(Some)
        .map_err(|_| WebhookError::MalformedSignature {
            reason: "the header's value is not visible ASCII",
        })
}

/// Checks that `signature` is Pylon's signature of a custom-app request
/// whose raw query string (what follows the `?`, without it, still
/// percent-encoded) is `query`.
///
/// The signed payload is the JSON object of the decoded parameters,
/// [`query_payload`]. To act on exactly the parameters that were verified,
/// rather than parsing the query again in another way, use
/// [`verify_query_params`].
///
/// ```
/// use pylon_sdk::webhook::{self, WebhookError, WebhookSecret};
///
/// # fn main() -> Result<(), WebhookError> {
/// let secret = WebhookSecret::new("whsec_app");
/// let query = "issue_id=iss_1&requester_email=ada%40example.com";
/// let signature = webhook::sign_query(&secret, query)?;
///
/// webhook::verify_query(&secret, query, Some(&signature))?;
/// assert!(matches!(
///     webhook::verify_query(&secret, "issue_id=iss_2&requester_email=ada%40example.com", Some(&signature)),
///     Err(WebhookError::SignatureMismatch)
/// ));
/// # Ok(()) }
/// ```
///
/// # Errors
/// Those of [`verify`], and [`WebhookError::InvalidQuery`] for a query
/// string Pylon does not send.
pub fn verify_query(
    secret: &WebhookSecret,
    query: &str,
    signature: Option<&str>,
) -> Result<(), WebhookError> {
    let expected = parse_signature(secret, signature)?;
    let params = parse_query(query)?;
    secret
        .mac_of(&go_json(&params))
        .verify_slice(&expected)
        .map_err(|_| WebhookError::SignatureMismatch)
}

/// [`verify_query`], then the verified parameters: each name with all its
/// values, in the order they came.
///
/// Names and values are percent-decoded (`+` is a space); bytes that are
/// not UTF-8 become U+FFFD.
///
/// ```
/// use pylon_sdk::webhook::{self, WebhookError, WebhookSecret};
///
/// # fn main() -> Result<(), WebhookError> {
/// let secret = WebhookSecret::new("whsec_app");
/// let query = "issue_id=iss_1&tag=vip&tag=sso+login";
/// # let signature = webhook::sign_query(&secret, query)?;
/// let params = webhook::verify_query_params(&secret, query, Some(&signature))?;
/// assert_eq!(params["issue_id"], ["iss_1"]);
/// assert_eq!(params["tag"], ["vip", "sso login"]);
/// # Ok(()) }
/// ```
///
/// # Errors
/// Those of [`verify_query`].
pub fn verify_query_params(
    secret: &WebhookSecret,
    query: &str,
    signature: Option<&str>,
) -> Result<BTreeMap<String, Vec<String>>, WebhookError> {
    verify_query(secret, query, signature)?;
    let mut params = BTreeMap::<String, Vec<String>>::new();
    for (name, values) in parse_query(query)? {
        params
            .entry(String::from_utf8_lossy(&name).into_owned())
            .or_default()
            .extend(
                values
                    .iter()
                    .map(|v| String::from_utf8_lossy(v).into_owned()),
            );
    }
    Ok(params)
}

/// The signature of a custom-app request with the raw query string `query`
/// (without the `?`): [`sign`] of its [`query_payload`]. For tests.
///
/// ```
/// use pylon_sdk::webhook::{self, WebhookError, WebhookSecret};
///
/// # fn main() -> Result<(), WebhookError> {
/// let secret = WebhookSecret::new("whsec_app");
/// let signature = webhook::sign_query(&secret, "b=2&a=1")?;
/// assert_eq!(signature, webhook::sign(&secret, br#"{"a":["1"],"b":["2"]}"#));
/// # Ok(()) }
/// ```
///
/// # Errors
/// [`WebhookError::InvalidQuery`].
pub fn sign_query(secret: &WebhookSecret, query: &str) -> Result<String, WebhookError> {
    Ok(sign(secret, &query_payload(query)?))
}

/// The bytes a custom-app request's signature covers, given its raw query
/// string `query` (without the `?`).
///
/// Pylon documents the payload as the JSON serialisation of a map from each
/// parameter's name to the list of all its values, and shows it computed in
/// Go as `json.Marshal(req.URL.Query())`. This function reproduces those
/// bytes exactly:
///
/// - **Parsing** is Go's `url.ParseQuery`: the query is split on `&`; empty
///   pieces are skipped; each piece is a name, then optionally `=` and a
///   value (`""` when there is no `=`); both are percent-decoded with `+`
///   read as a space; repeated names keep all their values in order.
///   Where Go silently drops a piece (one containing `;`, or with a broken
///   `%` escape), this is [`WebhookError::InvalidQuery`] instead: Pylon
///   never sends such a query, and a piece the signature does not cover
///   must not reach an application that parses the query its own way.
/// - **Serialising** is Go's `encoding/json` for a `map[string][]string`:
///   compact (no spaces, no newline), names sorted by their bytes, strings
///   escaped as Go escapes them: `"` and `\` with a backslash; `\b \f \n
///   \r \t` as such; other control characters and `<`, `>`, `&` as
///   `\u00XX` (lowercase hex); U+2028 and U+2029 as `\u2028`, `\u2029`;
///   each byte that is not UTF-8 as `\ufffd`; everything else (including
///   non-ASCII text) as raw UTF-8. `\b` and `\f` follow Go 1.22 and later
///   (older versions wrote `\u0008` and `\u000c`).
///
/// An empty query is `{}`.
///
/// ```
/// use pylon_sdk::webhook::query_payload;
///
/// # fn main() -> Result<(), pylon_sdk::webhook::WebhookError> {
/// let payload = query_payload("user=ada&issue_id=iss_1&q=a%26b+%3Cc%3E&tag=x&tag=y&empty")?;
/// assert_eq!(
///     String::from_utf8(payload).unwrap(),
///     r#"{"empty":[""],"issue_id":["iss_1"],"q":["a\u0026b \u003cc\u003e"],"tag":["x","y"],"user":["ada"]}"#
/// );
/// # Ok(()) }
/// ```
///
/// # Errors
/// [`WebhookError::InvalidQuery`].
pub fn query_payload(query: &str) -> Result<Vec<u8>, WebhookError> {
    Ok(go_json(&parse_query(query)?))
}

/// Reads a header value as the 32 bytes of a signature; refuses an empty
/// secret first.
fn parse_signature(
    secret: &WebhookSecret,
    signature: Option<&str>,
) -> Result<[u8; 32], WebhookError> {
    if secret.is_empty {
        return Err(WebhookError::EmptySecret);
    }
    let signature = signature.ok_or(WebhookError::MissingSignature)?.trim();
    let malformed = WebhookError::MalformedSignature {
        reason: "not 64 hexadecimal digits",
    };
    if signature.len() != SIGNATURE_HEX_LEN {
        return Err(malformed);
    }
    let mut bytes = [0u8; SIGNATURE_HEX_LEN / 2];
    for (byte, pair) in bytes.iter_mut().zip(signature.as_bytes().chunks_exact(2)) {
        match (hex_value(pair[0]), hex_value(pair[1])) {
            (Some(high), Some(low)) => *byte = high << 4 | low,
            _ => return Err(malformed),
        }
    }
    Ok(bytes)
}

fn hex_value(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";

fn hex_lower(bytes: &[u8]) -> String {
    let mut hex = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        hex.push(char::from(HEX_DIGITS[usize::from(byte >> 4)]));
        hex.push(char::from(HEX_DIGITS[usize::from(byte & 0xf)]));
    }
    hex
}

/// The decoded parameters: names as raw bytes (sorted as Go sorts them),
/// each with its values in order.
type RawParams = BTreeMap<Vec<u8>, Vec<Vec<u8>>>;

/// Go's `url.ParseQuery`, refusing what it would silently drop.
fn parse_query(query: &str) -> Result<RawParams, WebhookError> {
    let mut params = RawParams::new();
    for piece in query.as_bytes().split(|&b| b == b'&') {
        if piece.contains(&b';') {
            return Err(WebhookError::InvalidQuery {
                reason: "a parameter contains an unescaped `;`",
            });
        }
        if piece.is_empty() {
            continue;
        }
        let (name, value) = match piece.iter().position(|&b| b == b'=') {
            Some(at) => (&piece[..at], &piece[at + 1..]),
            None => (piece, &[][..]),
        };
        let broken = || WebhookError::InvalidQuery {
            reason: "a `%` is not followed by two hexadecimal digits",
        };
        let name = percent_decode(name).ok_or_else(broken)?;
        let value = percent_decode(value).ok_or_else(broken)?;
        params.entry(name).or_default().push(value);
    }
    Ok(params)
}

/// Go's `url.QueryUnescape`: `%XX` is a byte, `+` a space; `None` for a `%`
/// without two hex digits after it.
fn percent_decode(encoded: &[u8]) -> Option<Vec<u8>> {
    let mut decoded = Vec::with_capacity(encoded.len());
    let mut rest = encoded;
    while let Some((&first, tail)) = rest.split_first() {
        rest = tail;
        match first {
            b'%' => {
                let [high, low, tail @ ..] = rest else {
                    return None;
                };
                decoded.push(hex_value(*high)? << 4 | hex_value(*low)?);
                rest = tail;
            }
            b'+' => decoded.push(b' '),
            other => decoded.push(other),
        }
    }
    Some(decoded)
}

/// Go's `json.Marshal` of a `map[string][]string`.
fn go_json(params: &RawParams) -> Vec<u8> {
    let mut json = Vec::new();
    json.push(b'{');
    for (i, (name, values)) in params.iter().enumerate() {
        if i > 0 {
            json.push(b',');
        }
        push_go_json_string(&mut json, name);
        json.extend_from_slice(b":[");
        for (j, value) in values.iter().enumerate() {
            if j > 0 {
                json.push(b',');
            }
            push_go_json_string(&mut json, value);
        }
        json.push(b']');
    }
    json.push(b'}');
    json
}

/// A JSON string as Go's `encoding/json` writes it (HTML escaping on, which
/// is `json.Marshal`'s default).
fn push_go_json_string(json: &mut Vec<u8>, text: &[u8]) {
    json.push(b'"');
    for chunk in text.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '"' => json.extend_from_slice(b"\\\""),
                '\\' => json.extend_from_slice(b"\\\\"),
                '\u{8}' => json.extend_from_slice(b"\\b"),
                '\u{c}' => json.extend_from_slice(b"\\f"),
                '\n' => json.extend_from_slice(b"\\n"),
                '\r' => json.extend_from_slice(b"\\r"),
                '\t' => json.extend_from_slice(b"\\t"),
                '\u{0}'..='\u{1f}' | '<' | '>' | '&' => {
                    let byte = c as u8; // ASCII: checked by the pattern
                    json.extend_from_slice(b"\\u00");
                    json.push(HEX_DIGITS[usize::from(byte >> 4)]);
                    json.push(HEX_DIGITS[usize::from(byte & 0xf)]);
                }
                '\u{2028}' => json.extend_from_slice(b"\\u2028"),
                '\u{2029}' => json.extend_from_slice(b"\\u2029"),
                c => json.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
            }
        }
        // Go replaces each byte of an invalid sequence on its own (its
        // decoder steps one byte at a time), where a lossy UTF-8 decoding
        // would write one U+FFFD per maximal invalid sequence.
        for _ in chunk.invalid() {
            json.extend_from_slice(b"\\ufffd");
        }
    }
    json.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn secret() -> WebhookSecret {
        WebhookSecret::new("whsec_test")
    }

    #[test]
    fn debug_and_errors_never_show_the_secret() {
        let secret = WebhookSecret::new("super-secret-value");
        let debug = format!("{secret:?}");
        assert!(!debug.contains("super-secret-value"), "{debug}");
        let errors = [
            verify(&secret, b"x", None).unwrap_err(),
            verify(&secret, b"x", Some("zz")).unwrap_err(),
            verify(&secret, b"x", Some(&"0".repeat(64))).unwrap_err(),
            verify_json::<serde_json::Value>(&secret, b"x", Some(&sign(&secret, b"x")))
                .unwrap_err(),
            verify_query(&secret, "a=%zz", Some(&"0".repeat(64))).unwrap_err(),
        ];
        for error in errors {
            let shown = format!("{error} {error:?}");
            assert!(!shown.contains("super-secret-value"), "{shown}");
        }
    }

    #[test]
    fn header_errors_are_classified() {
        let secret = secret();
        let good = sign(&secret, b"{}");
        assert!(matches!(
            verify(&secret, b"{}", None),
            Err(WebhookError::MissingSignature)
        ));
        for bad in [
            String::new(),
            "   ".into(),
            good[..63].into(),
            format!("{good}0"),
            format!("sha256={good}"),
            format!("{}g", &good[..63]),
            format!("{}é", &good[..62]),
        ] {
            assert!(
                matches!(
                    verify(&secret, b"{}", Some(&bad)),
                    Err(WebhookError::MalformedSignature { .. })
                ),
                "{bad:?}"
            );
        }
        assert!(verify(&secret, b"{}", Some(&format!(" \t{good}\r\n "))).is_ok());
        assert!(verify(&secret, b"{}", Some(&good.to_uppercase())).is_ok());
    }

    #[test]
    fn an_empty_secret_verifies_nothing() {
        let empty = WebhookSecret::new("");
        let signature = sign(&empty, b"{}");
        assert!(matches!(
            verify(&empty, b"{}", Some(&signature)),
            Err(WebhookError::EmptySecret)
        ));
        assert!(matches!(
            verify_query(&empty, "", Some(&signature)),
            Err(WebhookError::EmptySecret)
        ));
    }

    #[test]
    fn an_authentic_body_that_is_not_json_is_invalid_body_with_a_source() {
        let secret = secret();
        let body = b"not json";
        let error = verify_json::<serde_json::Value>(&secret, body, Some(&sign(&secret, body)))
            .unwrap_err();
        assert!(matches!(error, WebhookError::InvalidBody(_)));
        assert!(std::error::Error::source(&error).is_some());
        // A forged one is refused before any decoding.
        assert!(matches!(
            verify_json::<serde_json::Value>(&secret, body, Some(&"0".repeat(64))),
            Err(WebhookError::SignatureMismatch)
        ));
    }

    #[test]
    fn headers_sent_twice_or_not_ascii_are_malformed() {
        let mut headers = http::HeaderMap::new();
        headers.append(SIGNATURE_HEADER, http::HeaderValue::from_static("a"));
        headers.append(SIGNATURE_HEADER, http::HeaderValue::from_static("b"));
        assert!(matches!(
            signature_from_headers(&headers),
            Err(WebhookError::MalformedSignature { .. })
        ));
        let mut headers = http::HeaderMap::new();
        headers.insert(
            SIGNATURE_HEADER,
            http::HeaderValue::from_bytes(b"\xff\xfe").unwrap(),
        );
        assert!(matches!(
            signature_from_headers(&headers),
            Err(WebhookError::MalformedSignature { .. })
        ));
        assert_eq!(
            signature_from_headers(&http::HeaderMap::new()).unwrap(),
            None
        );
    }

    #[test]
    fn query_parsing_follows_go() {
        let payload = |q: &str| String::from_utf8(query_payload(q).unwrap()).unwrap();
        assert_eq!(payload(""), "{}");
        assert_eq!(payload("&&"), "{}");
        assert_eq!(payload("a"), r#"{"a":[""]}"#);
        assert_eq!(payload("a="), r#"{"a":[""]}"#);
        assert_eq!(payload("=x"), r#"{"":["x"]}"#);
        assert_eq!(payload("a=1=2"), r#"{"a":["1=2"]}"#);
        assert_eq!(payload("b=1&a=2&b=0"), r#"{"a":["2"],"b":["1","0"]}"#);
        assert_eq!(payload("a+b=c%2bd"), r#"{"a b":["c+d"]}"#);
        assert_eq!(payload("a=%e2%80%a8%C3%A9"), "{\"a\":[\"\\u2028\u{e9}\"]}");
        // One `\ufffd` per byte that is not UTF-8, as Go writes it.
        assert_eq!(payload("a=%ff%e2%82x"), r#"{"a":["\ufffd\ufffd\ufffdx"]}"#);
        assert_eq!(
            payload("c=%00%01%08%0c%7f%22%5c"),
            "{\"c\":[\"\\u0000\\u0001\\b\\f\u{7f}\\\"\\\\\"]}"
        );
        for bad in ["a=%", "a=%4", "a=%zz", "%g0=1", "a=1;b=2", "a;=1"] {
            assert!(
                matches!(query_payload(bad), Err(WebhookError::InvalidQuery { .. })),
                "{bad}"
            );
        }
    }

    proptest! {
        #[test]
        fn arbitrary_input_never_panics(
            body in proptest::collection::vec(any::<u8>(), 0..256),
            header in proptest::option::of(".{0,80}"),
            hexish in "[0-9a-fA-Fg \t=]{60,70}",
            query in ".{0,80}",
        ) {
            let secret = secret();
            for header in [header.as_deref(), Some(hexish.as_str())] {
                let _ = verify(&secret, &body, header);
                let _ = verify_json::<serde_json::Value>(&secret, &body, header);
                let _ = verify_query(&secret, &query, header);
                let _ = verify_query_params(&secret, &query, header);
            }
            let _ = sign_query(&secret, &query);
        }

        #[test]
        fn sign_then_verify_roundtrips(
            key in proptest::collection::vec(any::<u8>(), 1..100),
            body in proptest::collection::vec(any::<u8>(), 0..256),
        ) {
            let secret = WebhookSecret::new(key);
            let signature = sign(&secret, &body);
            prop_assert_eq!(signature.len(), 64);
            prop_assert!(signature.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
            prop_assert!(verify(&secret, &body, Some(&signature)).is_ok());
        }

        #[test]
        fn changing_any_byte_of_the_body_fails(
            body in proptest::collection::vec(any::<u8>(), 1..256),
            at in any::<proptest::sample::Index>(),
            flip in 1..=255u8,
        ) {
            let secret = secret();
            let signature = sign(&secret, &body);
            let mut tampered = body.clone();
            tampered[at.index(body.len())] ^= flip;
            prop_assert!(matches!(
                verify(&secret, &tampered, Some(&signature)),
                Err(WebhookError::SignatureMismatch)
            ));
        }

        #[test]
        fn changing_any_digit_of_the_signature_fails(
            body in proptest::collection::vec(any::<u8>(), 0..64),
            at in 0..64usize,
            replacement in 0..16usize,
        ) {
            let secret = secret();
            let signature = sign(&secret, &body);
            let mut changed = signature.clone().into_bytes();
            let new_digit = HEX_DIGITS[replacement];
            prop_assume!(changed[at] != new_digit);
            changed[at] = new_digit;
            let changed = String::from_utf8(changed).unwrap();
            prop_assert!(matches!(
                verify(&secret, &body, Some(&changed)),
                Err(WebhookError::SignatureMismatch)
            ));
        }

        /// The Go-style payload is JSON that decodes back to the parameters,
        /// whatever they contain.
        #[test]
        fn the_query_payload_is_json_of_the_parameters(
            params in proptest::collection::vec((".{0,8}", ".{0,8}"), 0..6),
        ) {
            let query: String = params
                .iter()
                .map(|(name, value)| format!("{}={}", encode(name), encode(value)))
                .collect::<Vec<_>>()
                .join("&");
            let mut expected = BTreeMap::<String, Vec<String>>::new();
            for (name, value) in &params {
                expected.entry(name.clone()).or_default().push(value.clone());
            }
            let payload = query_payload(&query).unwrap();
            let decoded: BTreeMap<String, Vec<String>> = serde_json::from_slice(&payload).unwrap();
            prop_assert_eq!(&decoded, &expected);
            let secret = secret();
            let signature = sign(&secret, &payload);
            prop_assert_eq!(verify_query_params(&secret, &query, Some(&signature)).unwrap(), expected);
        }
    }

    /// Percent-encodes every byte (always valid, whatever the text).
    fn encode(text: &str) -> String {
        text.bytes().map(|b| format!("%{b:02X}")).collect()
    }
}
