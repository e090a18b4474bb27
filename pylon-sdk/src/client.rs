//! The entry point: configuration, authentication and region.

use std::fmt;
use std::net::IpAddr;
use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue};

use crate::error::{Error, Result};
use crate::generated;
use crate::runtime::ClientState;
use crate::runtime::pacing::Pacing;
use crate::runtime::rate_limit::{RateLimiter, RateLimits};
use crate::runtime::retry::{MAX_DURATION, RetryBudget, RetryPolicy};

/// The default limit on a success response's body: far above Pylon's
/// largest page (1,000 issues with long bodies is a few MiB).
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 64 * 1024 * 1024;

/// Where an organization's data lives; each region has its own host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Region {
    /// `https://api.usepylon.com`
    Us,
    /// `https://api.eu.usepylon.com`
    Eu,
}

impl Region {
    /// The region a token belongs to: `pylon_api_eu_` tokens are EU, all
    /// others (including older tokens without a prefix) US.
    pub fn of_token(token: &str) -> Region {
        if token.starts_with("pylon_api_eu_") {
            Region::Eu
        } else {
            Region::Us
        }
    }

    /// The region's API base URL.
    pub fn base_url(self) -> &'static str {
        match self {
            Region::Us => "https://api.usepylon.com",
            Region::Eu => "https://api.eu.usepylon.com",
        }
    }
}

/// Settings for the calls made through one handle, without rebuilding the
/// client: [`Client::with_options`] returns a handle that shares the
/// original's connection pool, retry budget, rate limiter and pacing.
///
/// ```no_run
/// use std::time::Duration;
/// use pylon_sdk::{CallOptions, Client, RetryPolicy};
///
/// # async fn run(client: Client) -> pylon_sdk::Result<()> {
/// let patient = client.with_options(
///     CallOptions::new()
///         .timeout(Duration::from_secs(120))
///         .retry_policy(RetryPolicy::standard().with_max_attempts(6))
///         .header("x-trace-id", "abc123"),
/// )?;
/// let issues = patient.get_issue().id("123").send().await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct CallOptions {
    timeout: Option<Option<Duration>>,
    retry: Option<RetryPolicy>,
    headers: Vec<(String, String)>,
}

impl CallOptions {
    /// No overrides: calls behave as the client does.
    pub fn new() -> Self {
        CallOptions::default()
    }

    /// How long one attempt may take (`None`: no limit); the retry policy's
    /// deadline still bounds the whole call.
    pub fn timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.timeout = Some(timeout.into().map(|t| t.min(MAX_DURATION)));
        self
    }

    /// The retry policy for these calls. They still draw on the client's
    /// shared retry budget.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// A header sent with every call (replacing one of the same name). The
    /// `Authorization` header cannot be set this way.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }
}

/// A Pylon API client.
///
/// Every operation of the API is a method (through `Deref` to the generated
/// client): `client.list_tags()`, `client.create_custom_field()`, … each
/// returning a builder that ends in `.send().await`. A `Client` holds a
/// connection pool behind an `Arc`: build one and clone it freely.
///
/// ```no_run
/// # async fn run() -> pylon_sdk::Result<()> {
/// let client = pylon_sdk::Client::new("pylon_api_…")?;
/// let tags = client.list_tags().send().await?;
/// for tag in &tags.data {
///     println!("{} {}", tag.value, tag.object_type);
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    operations: generated::Client,
}

impl Client {
    /// A client with the default configuration for `token`; the region
    /// follows the token's prefix.
    ///
    /// # Errors
    /// [`Error::InvalidRequest`] when the token is empty or not a valid
    /// header value.
    pub fn new(token: impl Into<String>) -> Result<Client> {
        Client::builder(token).build()
    }

    /// A [`ClientBuilder`] for `token`.
    pub fn builder(token: impl Into<String>) -> ClientBuilder {
        ClientBuilder::new(token)
    }

    /// A client configured from the environment: `PYLON_API_TOKEN`
    /// (required) and `PYLON_BASE_URL` (optional).
    ///
    /// # Errors
    /// [`Error::InvalidRequest`] when `PYLON_API_TOKEN` is unset or either
    /// variable is invalid.
    pub fn from_env() -> Result<Client> {
        let token = std::env::var("PYLON_API_TOKEN")
            .map_err(|_| Error::InvalidRequest("PYLON_API_TOKEN is not set".into()))?;
        let mut builder = Client::builder(token);
        if let Ok(base_url) = std::env::var("PYLON_BASE_URL") {
            builder = builder.base_url(base_url);
        }
        builder.build()
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        &self.operations.baseurl
    }

    /// A handle whose calls use `options`, sharing this client's connection
    /// pool, retry budget, rate limiter and pacing. Cheap: clone-and-adjust.
    ///
    /// # Errors
    /// [`Error::InvalidRequest`] for a header name or value that is not
    /// valid in HTTP, or an `Authorization` header.
    pub fn with_options(&self, options: CallOptions) -> Result<Client> {
        let mut client = self.clone();
        let state = &mut client.operations.inner;
        if let Some(timeout) = options.timeout {
            state.timeout = timeout;
        }
        if let Some(retry) = options.retry {
            state.retry = retry;
        }
        for (name, value) in options.headers {
            let header = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| Error::InvalidRequest(format!("{name:?} is not a header name")))?;
            if header == AUTHORIZATION {
                return Err(Error::InvalidRequest(
                    "the Authorization header comes from the client's token".into(),
                ));
            }
            let value = HeaderValue::from_str(&value).map_err(|_| {
                Error::InvalidRequest(format!("the value of header {name:?} is not valid"))
            })?;
            state.extra_headers.insert(header, value);
        }
        Ok(client)
    }
}

impl Deref for Client {
    type Target = generated::Client;

    fn deref(&self) -> &generated::Client {
        &self.operations
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.base_url())
            .field("token", &"<redacted>")
            .finish()
    }
}

/// Configures a [`Client`].
///
/// ```no_run
/// use std::time::Duration;
/// use pylon_sdk::{Client, Region, RetryPolicy};
///
/// # fn run() -> pylon_sdk::Result<()> {
/// let client = Client::builder("pylon_api_…")
///     .region(Region::Eu)
///     .timeout(Duration::from_secs(30))
///     .retry_policy(RetryPolicy::standard().with_max_attempts(5))
///     .build()?;
/// # Ok(()) }
/// ```
#[must_use]
pub struct ClientBuilder {
    token: String,
    region: Option<Region>,
    base_url: Option<String>,
    connect_timeout: Option<Duration>,
    timeout: Option<Duration>,
    retry: RetryPolicy,
    rate_limits: Option<RateLimits>,
    adaptive_pacing: bool,
    max_response_bytes: u64,
}

impl ClientBuilder {
    fn new(token: impl Into<String>) -> Self {
        ClientBuilder {
            token: token.into(),
            region: None,
            base_url: None,
            connect_timeout: Some(Duration::from_secs(10)),
            timeout: Some(Duration::from_secs(60)),
            retry: RetryPolicy::standard(),
            rate_limits: None,
            adaptive_pacing: true,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
        }
    }

    /// The region to talk to. Default is the token's region
    /// ([`Region::of_token`]).
    pub fn region(mut self, region: Region) -> Self {
        self.region = Some(region);
        self
    }

    /// Sends requests to `base_url` instead of the region's host (a proxy or
    /// a test server). It must be `https`, or `http` to a loopback address.
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = Some(base_url.into());
        self
    }

    /// How long to wait for a connection; `None` waits indefinitely.
    /// Default is 10 seconds.
    pub fn connect_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.connect_timeout = timeout.into().map(|t| t.min(MAX_DURATION));
        self
    }

    /// How long one attempt may take, from sending to the last byte of the
    /// response; `None` waits indefinitely (the retry policy's deadline still
    /// bounds the whole call). Default is 60 seconds.
    pub fn timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.timeout = timeout.into().map(|t| t.min(MAX_DURATION));
        self
    }

    /// The largest success body the client reads, in bytes; a larger one is
    /// refused with [`Error::BodyTooLarge`] (checked against
    /// `Content-Length` before reading and while reading). Error bodies are
    /// read up to 64 KiB. Default is [`DEFAULT_MAX_RESPONSE_BYTES`] (64 MiB).
    pub fn max_response_bytes(mut self, limit: u64) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// Whether an endpoint that answers 429 is paced for every clone of the
    /// client (see [`crate::pacing`]). Default is on.
    pub fn adaptive_pacing(mut self, on: bool) -> Self {
        self.adaptive_pacing = on;
        self
    }

    /// How failed requests are retried. Default is
    /// [`RetryPolicy::standard`]; [`RetryPolicy::disabled`] turns retries off.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Keeps every endpoint under its limit on the client side, shared by
    /// all clones of the client. Default is off.
    pub fn rate_limits(mut self, limits: RateLimits) -> Self {
        self.rate_limits = Some(limits);
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    /// [`Error::InvalidRequest`] for an empty or malformed token or a base
    /// URL that is not `https` (or `http` to loopback).
    pub fn build(self) -> Result<Client> {
        let token = self.token.trim();
        if token.is_empty() {
            return Err(Error::InvalidRequest("the API token is empty".into()));
        }
        let mut bearer = HeaderValue::from_str(&format!("Bearer {token}")).map_err(|_| {
            Error::InvalidRequest(
                "the API token contains characters not allowed in a header".into(),
            )
        })?;
        bearer.set_sensitive(true);
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, bearer);

        let region = self.region.unwrap_or_else(|| Region::of_token(token));
        let base_url = checked_base_url(self.base_url.as_deref().unwrap_or(region.base_url()))?;

        // With the ring backend reqwest has no crypto provider of its own; one
        // already installed by the application is kept.
        #[cfg(all(feature = "rustls-ring", not(feature = "rustls")))]
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut http = reqwest::Client::builder()
            .default_headers(headers.clone())
            .user_agent(concat!("pylon-sdk-rust/", env!("CARGO_PKG_VERSION")));
        if let Some(timeout) = self.connect_timeout {
            http = http.connect_timeout(timeout);
        }
        // The usual attempt's timeout lives in the HTTP client, so that
        // attempts need no per-request setting (which costs allocations).
        if let Some(timeout) = self.timeout {
            http = http.timeout(timeout);
        }

        let http = http
            .https_only(!is_loopback_http(&base_url))
            // Pylon does not redirect API calls; a redirect is reported, not followed.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| Error::InvalidRequest(format!("the HTTP client could not start: {e}")))?;
        let state = ClientState {
            budget: Arc::new(RetryBudget::new(self.retry.budget_capacity())),
            retry: self.retry,
            limiter: self
                .rate_limits
                .map(|limits| Arc::new(RateLimiter::new(limits))),
            pacing: self.adaptive_pacing.then(|| Arc::new(Pacing::default())),
            timeout: self.timeout,
            http_timeout: self.timeout,
            max_response_bytes: self.max_response_bytes,
            extra_headers: HeaderMap::new(),
            default_headers: headers,
        };
        Ok(Client {
            operations: generated::Client::new_with_client(&base_url, http, state),
        })
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("token", &"<redacted>")
            .field("region", &self.region)
            .field("base_url", &self.base_url)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .field("rate_limits", &self.rate_limits)
            .field("adaptive_pacing", &self.adaptive_pacing)
            .field("max_response_bytes", &self.max_response_bytes)
            .finish()
    }
}

fn checked_base_url(raw: &str) -> Result<String> {
    let url = reqwest::Url::parse(raw)
        .map_err(|e| Error::InvalidRequest(format!("base URL {raw:?} is not a URL: {e}")))?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        _ => {
            return Err(Error::InvalidRequest(format!(
                "base URL {raw:?} must use https (plain http only to a loopback address)"
            )));
        }
    }
    Ok(url.as_str().trim_end_matches('/').to_string())
}

fn is_loopback(url: &reqwest::Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

fn is_loopback_http(base_url: &str) -> bool {
    reqwest::Url::parse(base_url).is_ok_and(|url| url.scheme() == "http" && is_loopback(&url))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_follows_the_token_prefix() {
        assert_eq!(Region::of_token("pylon_api_eu_abc"), Region::Eu);
        assert_eq!(Region::of_token("pylon_api_abc"), Region::Us);
        assert_eq!(Region::of_token("legacy"), Region::Us);
        assert_eq!(
            Client::new("pylon_api_eu_x").unwrap().base_url(),
            "https://api.eu.usepylon.com"
        );
        assert_eq!(
            Client::new("pylon_api_x").unwrap().base_url(),
            "https://api.usepylon.com"
        );
        let forced = Client::builder("pylon_api_eu_x")
            .region(Region::Us)
            .build()
            .unwrap();
        assert_eq!(forced.base_url(), "https://api.usepylon.com");
    }

    #[test]
    fn plain_http_is_only_for_loopback() {
        for ok in [
            "http://127.0.0.1:8080/",
            "http://localhost:1",
            "http://[::1]:9",
            "https://proxy.example",
        ] {
            assert!(checked_base_url(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://example.com",
            "http://10.0.0.1",
            "ftp://127.0.0.1",
            "not a url",
        ] {
            assert!(
                matches!(checked_base_url(bad), Err(Error::InvalidRequest(_))),
                "{bad}"
            );
        }
        assert_eq!(
            checked_base_url("http://127.0.0.1:8080/").unwrap(),
            "http://127.0.0.1:8080"
        );
    }

    #[test]
    fn bad_tokens_are_refused_without_echoing_them() {
        assert!(matches!(Client::new("  "), Err(Error::InvalidRequest(_))));
        let err = Client::new("pylon_api_secret\nvalue")
            .unwrap_err()
            .to_string();
        assert!(!err.contains("secret"), "{err}");
    }

    #[test]
    fn debug_output_never_shows_the_token() {
        let token = "pylon_api_supersecret";
        let builder = Client::builder(token);
        assert!(!format!("{builder:?}").contains("supersecret"));
        let client = builder.build().unwrap();
        assert!(!format!("{client:?}").contains("supersecret"));
        assert!(!format!("{:?}", *client).contains("supersecret"));
    }
}
