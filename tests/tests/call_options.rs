//! Per-call options: headers, timeout and retry policy for the calls of one
//! handle, without rebuilding the client.

use std::time::Duration;

use httpmock::Method::GET;
use httpmock::MockServer;
use pylon_sdk::{CallOptions, Client, Error, RetryPolicy};
use pylon_sdk_tests::hostile::{self, Hostile};
use pylon_sdk_tests::{TOKEN, client};
use serde_json::json;

#[tokio::test]
async fn headers_apply_to_the_handle_only() {
    let server = MockServer::start_async().await;
    let traced = server.mock(|when, then| {
        when.method(GET).path("/tags").header("x-trace-id", "abc");
        then.status(200)
            .json_body(json!({"data": [], "request_id": "r1"}));
    });
    let plain = server.mock(|when, then| {
        when.method(GET).path("/tags").header_missing("x-trace-id");
        then.status(200)
            .json_body(json!({"data": [], "request_id": "r2"}));
    });
    let client = client(&server);
    let with_trace = client
        .with_options(CallOptions::new().header("x-trace-id", "abc"))
        .unwrap();
    assert_eq!(
        with_trace.list_tags().send().await.unwrap().request_id,
        "r1"
    );
    assert_eq!(client.list_tags().send().await.unwrap().request_id, "r2");
    traced.assert_calls(1);
    plain.assert_calls(1);
}

#[tokio::test]
async fn the_retry_policy_can_be_overridden_per_call() {
    let server = MockServer::start_async().await;
    let unavailable = server.mock(|when, then| {
        when.method(GET).path("/tags");
        then.status(503)
            .json_body(json!({"errors": ["down"], "request_id": "r"}));
    });
    let client = client(&server);
    let once = client
        .with_options(CallOptions::new().retry_policy(RetryPolicy::disabled()))
        .unwrap();
    assert_eq!(
        once.list_tags().send().await.unwrap_err().status(),
        Some(503)
    );
    unavailable.assert_calls(1);
    assert_eq!(
        client.list_tags().send().await.unwrap_err().status(),
        Some(503)
    );
    unavailable.assert_calls(4);
}

#[tokio::test(start_paused = true)]
async fn the_timeout_can_be_overridden_per_call() {
    let slow = Hostile::start(|_, _| async {
        tokio::time::sleep(Duration::from_secs(30)).await;
        Some(hostile::json(200, json!({"data": [], "request_id": "r"})))
    })
    .await;
    let client = Client::builder(TOKEN)
        .base_url(slow.base_url())
        .timeout(None)
        .connect_timeout(None)
        .build()
        .unwrap();
    let hasty = client
        .with_options(
            CallOptions::new()
                .timeout(Duration::from_secs(2))
                .retry_policy(RetryPolicy::disabled()),
        )
        .unwrap();
    let started = tokio::time::Instant::now();
    let err = hasty.list_tags().send().await.unwrap_err();
    assert!(
        matches!(&err, Error::Transport { source, .. } if source.is_timeout()),
        "{err:?}"
    );
    assert_eq!(started.elapsed(), Duration::from_secs(2));
    // The original handle still waits for the answer.
    let started = tokio::time::Instant::now();
    client.list_tags().send().await.unwrap();
    assert_eq!(started.elapsed(), Duration::from_secs(30));
}

#[tokio::test]
async fn bad_or_authorization_headers_are_refused() {
    let client = Client::new("pylon_api_x").unwrap();
    for (name, value) in [
        ("authorization", "Bearer other"),
        ("bad header", "v"),
        ("x-ok", "bad\nvalue"),
    ] {
        let err = client
            .with_options(CallOptions::new().header(name, value))
            .unwrap_err();
        assert!(matches!(err, Error::InvalidRequest(_)), "{name}: {err:?}");
        assert!(!err.to_string().contains("Bearer other"));
    }
}
