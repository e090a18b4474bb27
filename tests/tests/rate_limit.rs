//! The client-side limiter against the fake's per-endpoint rate limit.

use std::time::{Duration, Instant};

use pylon_sdk::{Client, RateLimits};
use pylon_sdk_tests::fake::{FakeConfig, FakePylon, RateLimit};
use pylon_sdk_tests::{TOKEN, bulk_create_tags};

#[tokio::test]
async fn bulk_creates_meet_no_429_and_finish_within_5_percent_of_the_allowance() {
    // Pylon's 120 per minute, scaled down: 120 per 3 seconds.
    let window = Duration::from_secs(3);
    let fake = FakePylon::start(FakeConfig {
        rate_limit: Some(RateLimit {
            requests: 120,
            window,
        }),
        ..FakeConfig::default()
    })
    .await;
    let client = Client::builder(TOKEN)
        .base_url(fake.base_url())
        .rate_limits(
            RateLimits::pylon_defaults()
                .with_limit("create_tag", 120)
                .with_window(window),
        )
        .build()
        .unwrap();
    let started = Instant::now();
    let created = bulk_create_tags(&client, 300, 16).await;
    let elapsed = started.elapsed();
    let stats = fake.stats();
    // A burst of 120, then 180 more at the refill rate of 40 per second
    // (which the limiter keeps 2% under).
    let allowance = window.mul_f64(180.0 / 120.0);
    println!(
        "limiter: {} creates, {} 429s, {elapsed:?} for an allowance of {allowance:?}",
        created, stats.rate_limited
    );
    assert_eq!(created, 300);
    assert_eq!(stats.rate_limited, 0, "no 429s");
    assert_eq!(stats.requests, 300);
    assert!(
        elapsed >= allowance.mul_f64(0.98),
        "the limit was respected: {elapsed:?}"
    );
    assert!(
        elapsed <= allowance.mul_f64(1.05),
        "within 5% of the allowance: {elapsed:?}"
    );
}

/// The limiter holds each operation to its catalogue limit: with a window
/// so long that nothing refills during the test, a client lets through the
/// budget the limit gives (less the 2% margin) and refuses the next call
/// at once, as past its deadline. One operation of every limit the
/// catalogue uses is sent.
#[tokio::test]
async fn each_operation_is_held_to_its_catalogue_limit() {
    use pylon_sdk::operations::{self, OperationCall};
    use pylon_sdk::{Error, RetryPolicy};

    let server = httpmock::MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.any_request();
            then.status(200)
                .header("content-type", "application/json")
                .body(r#"{"data": [], "request_id": "req_1"}"#);
        })
        .await;
    let calls: [(&str, OperationCall); 4] = [
        ("get_me", OperationCall::new()),
        ("list_article_feedback", OperationCall::new()),
        ("list_task_statuses", OperationCall::new()),
        (
            "import_contact",
            OperationCall::new().body(serde_json::json!({"email": "a@b.c", "name": "A"})),
        ),
    ];
    let mut limits_seen = std::collections::BTreeSet::new();
    for (id, call) in calls {
        let limit = operations::find(id).unwrap().rate_limit();
        limits_seen.insert(limit);
        let client = Client::builder(TOKEN)
            .base_url(server.base_url())
            .rate_limits(RateLimits::pylon_defaults().with_window(Duration::from_secs(86_400)))
            .retry_policy(RetryPolicy::standard().with_deadline(Duration::from_secs(2)))
            .build()
            .unwrap();
        let budget = (f64::from(limit) * 0.98).floor() as u32;
        for sent in 0..budget {
            let answer = client.call(id, call.clone()).await;
            assert!(answer.is_ok(), "{id}: call {sent} of {budget}: {answer:?}");
        }
        let started = Instant::now();
        let refused = client.call(id, call.clone()).await.unwrap_err();
        assert!(
            matches!(refused, Error::DeadlineExceeded { .. }),
            "{id}: {refused:?}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "{id}: it waited"
        );
    }
    let catalogue: std::collections::BTreeSet<u32> =
        operations::all().iter().map(|op| op.rate_limit()).collect();
    assert_eq!(
        limits_seen, catalogue,
        "an operation of every limit is sent"
    );
}
