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
