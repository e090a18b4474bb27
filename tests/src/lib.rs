//! Shared helpers for the integration tests: a client pointed at a local
//! server, and an exact-request expectation for `httpmock`.

use std::time::Duration;

use httpmock::{Method, Mock, MockServer};
use pylon_sdk::{Client, RetryPolicy};
use serde_json::Value;

pub mod fake;
pub mod hostile;
pub mod responses;

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
