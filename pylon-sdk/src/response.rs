//! A decoded success response with its status and headers.

use std::ops::{Deref, DerefMut};

use reqwest::header::HeaderMap;

/// One attempt's answer, its body read in full.
#[derive(Debug)]
pub(crate) struct RawResponse {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Vec<u8>,
}

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
    pub(crate) body: T,
    status: u16,
    headers: HeaderMap,
    pub(crate) json: Vec<u8>,
}

impl<T> Response<T> {
    pub(crate) fn new(body: T, answer: RawResponse) -> Self {
        Response {
            body,
            status: answer.status,
            headers: answer.headers,
            json: answer.body,
        }
    }

    /// The body exactly as Pylon sent it, fields this version does not
    /// model included (the decoded body keeps those in each object's
    /// `extra` map too).
    ///
    /// ```no_run
    /// # async fn run(client: pylon_sdk::Client) -> pylon_sdk::Result<()> {
    /// let tag = client.get_tag().id("tag_1").send().await?;
    /// let as_sent: serde_json::Value = serde_json::from_str(tag.json()).unwrap();
    /// println!("{}", as_sent["data"]);
    /// # Ok(()) }
    /// ```
    pub fn json(&self) -> &str {
        // A body that decoded is JSON, and so UTF-8.
        std::str::from_utf8(&self.json).unwrap_or_default()
    }

    /// The decoded body.
    pub fn into_inner(self) -> T {
        self.body
    }

    /// The same answer with its decoded body turned into another view.
    pub(crate) fn map_body<U>(self, view: impl FnOnce(T) -> U) -> Response<U> {
        Response {
            body: view(self.body),
            status: self.status,
            headers: self.headers,
            json: self.json,
        }
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

/// An item of a list as Pylon sent it, beside its decoded value, which it
/// dereferences to. Serializing it writes the JSON exactly as sent, so a
/// copy (an export, a mirror) keeps every field and every byte of every
/// value, whatever this version models.
///
/// ```
/// use pylon_sdk::AsSent;
/// use pylon_sdk::types::Tag;
///
/// let sent = r#"{"id":"tag_1","value":"vip","object_type":"account","archived_at":1.50}"#;
/// let tag: AsSent<Tag> = AsSent::from_json(sent.into()).unwrap();
/// assert_eq!(tag.value, "vip");
/// assert_eq!(tag.extra["archived_at"], 1.5);
/// assert_eq!(tag.json(), sent);
/// assert_eq!(serde_json::to_string(&tag).unwrap(), sent);
/// ```
#[derive(Debug, Clone)]
pub struct AsSent<T> {
    pub(crate) value: T,
    pub(crate) json: Box<serde_json::value::RawValue>,
}

impl<T: serde::de::DeserializeOwned> AsSent<T> {
    /// Decodes one item's JSON, keeping the JSON.
    ///
    /// # Errors
    /// The JSON is not valid, or not a `T`.
    pub fn from_json(json: String) -> serde_json::Result<Self> {
        let json = serde_json::value::RawValue::from_string(json)?;
        let value = serde_json::from_str(json.get())?;
        Ok(AsSent { value, json })
    }
}

impl<T> AsSent<T> {
    /// The item's JSON exactly as Pylon sent it.
    pub fn json(&self) -> &str {
        self.json.get()
    }

    /// The decoded value.
    pub fn into_inner(self) -> T {
        self.value
    }
}

/// Two items are equal when Pylon sent the same JSON.
impl<T> PartialEq for AsSent<T> {
    fn eq(&self, other: &Self) -> bool {
        self.json() == other.json()
    }
}

impl<T> Deref for AsSent<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T> serde::Serialize for AsSent<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.json.serialize(serializer)
    }
}
