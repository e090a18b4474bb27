//! A decoded success response with its status and headers.

use std::ops::{Deref, DerefMut};

use reqwest::header::HeaderMap;

/// What an operation's `send()` returns on success: the decoded body, which
/// it dereferences to, plus the status and headers.
///
/// ```no_run
/// # async fn run(client: pylon_sdk::Client) -> pylon_sdk::Result<()> {
/// let tags = client.list_tags().send().await?;
/// println!("{} tags (request {:?})", tags.data.len(), tags.header("x-request-id"));
/// let body = tags.into_inner();
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Response<T> {
    body: T,
    status: u16,
    headers: HeaderMap,
}

impl<T> Response<T> {
    pub(crate) fn new(body: T, status: u16, headers: HeaderMap) -> Self {
        Response {
            body,
            status,
            headers,
        }
    }

    /// The decoded body.
    pub fn into_inner(self) -> T {
        self.body
    }

    /// The HTTP status (a 2xx).
    pub fn status(&self) -> u16 {
        self.status
    }

    /// A response header's value, when present and valid UTF-8.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Every response header as `(name, value)` pairs; values that are not
    /// valid UTF-8 are left out.
    pub fn headers(&self) -> impl Iterator<Item = (&str, &str)> {
        self.headers
            .iter()
            .filter_map(|(name, value)| Some((name.as_str(), value.to_str().ok()?)))
    }
}

impl<T> Deref for Response<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.body
    }
}

impl<T> DerefMut for Response<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.body
    }
}
