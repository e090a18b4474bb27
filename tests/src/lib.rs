//! Shared helpers for the integration tests: a client pointed at a local
//! server, exact-request expectations for `httpmock` (JSON and multipart),
//! and response objects with Pylon's required fields.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use httpmock::{Method, Mock, MockServer};
use pylon_sdk::{Client, RetryPolicy};
use serde_json::Value;

pub mod fake;
pub mod hostile;
pub mod responses;
pub mod unmodelled;

/// The token every test client sends.
pub const TOKEN: &str = "pylon_api_test_token";

/// A client for `base_url` whose retries wait at most a few milliseconds.
pub fn client_for(base_url: &str) -> Client {
    Client::builder(TOKEN)
        .base_url(base_url)
        .retry_policy(
            RetryPolicy::standard()
                .with_base_delay(Duration::from_millis(1))
                .with_max_delay(Duration::from_millis(5)),
        )
        .build()
        .expect("a valid test client")
}

/// A builder for a client of `base_url` with the default retry policy and
/// no per-attempt timeouts: on tokio's paused clock the only timers are
/// then the SDK's own waits.
pub fn paused_clock_client(base_url: &str) -> pylon_sdk::ClientBuilder {
    Client::builder(TOKEN)
        .base_url(base_url)
        .timeout(None)
        .connect_timeout(None)
}

/// A client for the mock server.
pub fn client(server: &MockServer) -> Client {
    client_for(&server.base_url())
}

/// One exact request the SDK must send, and the answer it gets.
pub struct Expect<'a> {
    pub method: Method,
    pub path: &'a str,
    pub query: &'a [(&'a str, &'a str)],
    pub body: Option<Value>,
    pub status: u16,
    pub response: Value,
}

impl Expect<'_> {
    /// Registers the expectation: method, path, every query parameter, the
    /// bearer token, the user agent, no `api-version` header, and the exact
    /// JSON body (or none).
    pub fn on(self, server: &MockServer) -> Mock<'_> {
        server.mock(|when, then| {
            let mut when = when
                .method(self.method)
                .path(self.path)
                .header("authorization", format!("Bearer {TOKEN}"))
                .header_prefix("user-agent", "pylon-sdk-rust/")
                .header_missing("api-version");
            for (name, value) in self.query {
                when = when.query_param(*name, *value);
            }
            match self.body {
                Some(body) => {
                    when.header("content-type", "application/json")
                        .json_body(body);
                }
                None => {
                    when.header_missing("content-type");
                }
            }
            then.status(self.status)
                .header("content-type", "application/json")
                .json_body(self.response);
        })
    }
}

/// One part of a `multipart/form-data` body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormPart {
    /// The form field's name.
    pub name: String,
    /// The file name, for a file part.
    pub file_name: Option<String>,
    /// The part's content type, for a file part.
    pub content_type: Option<String>,
    /// The part's bytes.
    pub data: Vec<u8>,
}

impl FormPart {
    /// A text field.
    pub fn text(name: &str, value: &str) -> Self {
        FormPart {
            name: name.into(),
            file_name: None,
            content_type: None,
            data: value.as_bytes().to_vec(),
        }
    }

    /// A file field.
    pub fn file(name: &str, file_name: &str, content_type: &str, data: &[u8]) -> Self {
        FormPart {
            name: name.into(),
            file_name: Some(file_name.into()),
            content_type: Some(content_type.into()),
            data: data.to_vec(),
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

fn quoted_param(headers: &str, param: &str) -> Option<String> {
    let start = headers.find(&format!("{param}=\""))? + param.len() + 2;
    let end = headers[start..].find('"')? + start;
    Some(headers[start..end].to_string())
}

/// The parts of a `multipart/form-data` body, split by the boundary its
/// content type names; `None` when the body is not such a form.
pub fn form_parts(content_type: &str, body: &[u8]) -> Option<Vec<FormPart>> {
    let boundary = content_type.strip_prefix("multipart/form-data; boundary=")?;
    let delimiter = format!("--{boundary}").into_bytes();
    let closing = [b"\r\n".as_slice(), &delimiter].concat();
    let mut rest = body.strip_prefix(delimiter.as_slice())?;
    let mut parts = Vec::new();
    loop {
        if rest == b"--\r\n" {
            return Some(parts);
        }
        rest = rest.strip_prefix(b"\r\n")?;
        let header_end = find(rest, b"\r\n\r\n")?;
        let headers = std::str::from_utf8(&rest[..header_end]).ok()?;
        let after = &rest[header_end + 4..];
        let data_end = find(after, &closing)?;
        let content_type = headers
            .lines()
            .find_map(|line| {
                line.strip_prefix("content-type: ")
                    .or_else(|| line.strip_prefix("Content-Type: "))
            })
            .map(str::to_string);
        parts.push(FormPart {
            name: quoted_param(headers, "name")?,
            file_name: quoted_param(headers, "filename"),
            content_type,
            data: after[..data_end].to_vec(),
        });
        rest = &after[data_end + closing.len()..];
    }
}

/// The exact upload `POST /attachments` must be, and the answer it gets.
pub struct ExpectUpload {
    /// The form's parts, in order.
    pub parts: Vec<FormPart>,
    /// The answer's status.
    pub status: u16,
    /// The answer's JSON body.
    pub response: Value,
}

impl ExpectUpload {
    /// Registers the expectation: `POST /attachments` with the bearer token,
    /// the user agent, no `api-version` header, a multipart content type and
    /// a `Content-Length`, and exactly `parts`. Returns the mock and the
    /// parts of every request it matched, so a test can compare attempts.
    pub fn on(self, server: &MockServer) -> (Mock<'_>, Arc<Mutex<Vec<Vec<FormPart>>>>) {
        self.on_path(server, "/attachments")
    }

    /// [`ExpectUpload::on`] for the upload to `path` (as sent, encoded).
    pub fn on_path<'a>(
        self,
        server: &'a MockServer,
        path: &str,
    ) -> (Mock<'a>, Arc<Mutex<Vec<Vec<FormPart>>>>) {
        let received = Arc::new(Mutex::new(Vec::new()));
        let seen = received.clone();
        let expected = self.parts;
        let mock = server.mock(|when, then| {
            when.method(Method::POST)
                .path(path)
                .header("authorization", format!("Bearer {TOKEN}"))
                .header("accept", "application/json")
                .header_prefix("user-agent", "pylon-sdk-rust/")
                .header_prefix("content-type", "multipart/form-data; boundary=")
                .header_exists("content-length")
                .header_missing("api-version")
                .is_true(move |request| {
                    let headers = request.headers();
                    let Some(content_type) = headers
                        .get("content-type")
                        .and_then(|value| value.to_str().ok())
                    else {
                        return false;
                    };
                    match form_parts(content_type, &request.body().0) {
                        Some(parts) if parts == expected => {
                            seen.lock().unwrap().push(parts);
                            true
                        }
                        _ => false,
                    }
                });
            then.status(self.status)
                .header("content-type", "application/json")
                .json_body(self.response);
        });
        (mock, received)
    }
}

/// Starts a mock server expecting exactly `expect`, runs `call` against it,
/// asserts the request arrived once, and returns the decoded body.
pub async fn roundtrip<T, F, Fut>(expect: Expect<'_>, call: F) -> T
where
    F: FnOnce(Client) -> Fut,
    Fut: std::future::Future<Output = pylon_sdk::Result<pylon_sdk::Response<T>>>,
{
    let server = MockServer::start_async().await;
    let mock = expect.on(&server);
    let value = call(client(&server))
        .await
        .unwrap_or_else(|e| panic!("the operation failed: {e}"));
    mock.assert();
    value.into_inner()
}

/// Creates `count` account tags named `bulk-<n>`, `concurrency` at a time,
/// and returns how many succeeded.
pub async fn bulk_create_tags(client: &Client, count: usize, concurrency: usize) -> usize {
    use futures::StreamExt;
    futures::stream::iter(0..count)
        .map(|n| async move {
            client
                .create_tag()
                .body(pylon_sdk::types::CreateTagRequest {
                    value: format!("bulk-{n}"),
                    object_type: "account".into(),
                    hex_color: None,
                })
                .send()
                .await
                .is_ok()
        })
        .buffer_unordered(concurrency)
        .filter(|ok| std::future::ready(*ok))
        .count()
        .await
}

/// Response objects as Pylon sends them, with every field Pylon marks
/// required, for tests to extend with [`objects::with`].
pub mod objects {
    use serde_json::{Value, json};

    /// `base` with the fields of `extra` added or replaced.
    pub fn with(mut base: Value, extra: Value) -> Value {
        let (Value::Object(base_fields), Value::Object(extra_fields)) = (&mut base, extra) else {
            panic!("with() takes two JSON objects");
        };
        base_fields.extend(extra_fields);
        base
    }

    /// A tag.
    pub fn tag(id: &str, value: &str, object_type: &str) -> Value {
        json!({"id": id, "value": value, "object_type": object_type})
    }

    /// An issue numbered `number`.
    pub fn issue(id: &str, number: i64) -> Value {
        json!({"id": id, "number": number, "title": format!("Issue {number}"),
               "body_html": "<p>help</p>", "state": "new", "type": "conversation",
               "source": "email", "link": format!("https://app.usepylon.com/issues/{number}"),
               "created_at": "2026-03-01T10:00:00Z", "updated_at": "2026-03-01T10:05:00Z",
               "customer_portal_visible": false, "is_issue_group": false,
               "number_of_touches": 1})
    }

    /// An account.
    pub fn account(id: &str, name: &str) -> Value {
        json!({"id": id, "name": name, "type": "customer",
               "created_at": "2026-01-10T09:00:00Z", "updated_at": "2026-02-01T09:00:00Z",
               "is_disabled": false, "latest_customer_activity_time": "2026-03-01T10:00:00Z",
               "logo_url": ""})
    }

    /// A contact.
    pub fn contact(id: &str, name: &str) -> Value {
        json!({"id": id, "name": name, "avatar_url": "", "portal_role": "member"})
    }

    /// A user.
    pub fn user(id: &str, email: &str) -> Value {
        json!({"id": id, "name": "Agent", "email": email, "avatar_url": "",
               "role_id": "role_1", "status": "active", "is_deactivated": false})
    }

    /// A team.
    pub fn team(id: &str, name: &str) -> Value {
        json!({"id": id, "name": name})
    }

    /// A message; `is_private` makes it an internal note.
    pub fn message(id: &str, html: &str, is_private: bool) -> Value {
        json!({"id": id, "message_html": html, "source": "email",
               "timestamp": "2026-03-01T10:00:00Z", "is_private": is_private,
               "author_unverified": false})
    }

    /// A custom-field definition.
    pub fn custom_field(id: &str, slug: &str, kind: &str, object_type: &str) -> Value {
        json!({"id": id, "slug": slug, "label": slug, "type": kind, "object_type": object_type,
               "description": "", "source": "pylon", "is_read_only": false,
               "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"})
    }

    /// A task.
    pub fn task(id: &str, title: &str) -> Value {
        json!({"id": id, "title": title, "body_html": "", "status": "not_started",
               "customer_portal_visible": false,
               "created_at": "2026-03-01T10:00:00Z", "updated_at": "2026-03-01T10:00:00Z"})
    }
}

/// Numbers from the environment variable `name` (`1,2,4`), else `default`:
/// fault tests run a few seeds by default and wider sweeps by hand.
pub fn numbers_from_env(name: &str, default: &[u64]) -> Vec<u64> {
    std::env::var(name)
        .ok()
        .and_then(|value| value.split(',').map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| default.to_vec())
}
