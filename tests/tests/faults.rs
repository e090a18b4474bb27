//! The extensions against the stateful fake Pylon under injected faults,
//! compared with the fake's ground truth; and retry bounds on tokio's paused
//! clock.

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use chrono::TimeDelta;
use futures::TryStreamExt;
use pylon_sdk::{AsSent, Client, Error, ExportIssues, RetryPolicy, types};
use pylon_sdk_tests::TOKEN;
use pylon_sdk_tests::fake::{FakeConfig, FakePylon, Fault};

fn patient_client(base_url: &str) -> Client {
    Client::builder(TOKEN)
        .base_url(base_url)
        .retry_policy(
            RetryPolicy::standard()
                .with_max_attempts(10)
                .with_base_delay(Duration::from_millis(1))
                .with_max_delay(Duration::from_millis(5))
                .with_budget(1_000_000),
        )
        .build()
        .unwrap()
}

/// A fake that faults 20% of requests, creates included, seeded by `seed`.
/// Its injected 429s ask for no wait, so the real-time test stays short
/// (pacing still pauses 10 ms after each).
async fn fake_with_create_faults(seed: u64) -> FakePylon {
    let mut faults = ALL_READ_FAULTS.to_vec();
    faults.push(Fault::CommitThenFail);
    FakePylon::start(FakeConfig {
        seed,
        fault_rate: 0.2,
        retry_after_secs: 0,
        faults,
        ..FakeConfig::default()
    })
    .await
}

const ALL_READ_FAULTS: [Fault; 5] = [
    Fault::RateLimited,
    Fault::ServerError,
    Fault::Unavailable,
    Fault::DropConnection,
    Fault::DropMidBody,
];

async fn export_under_faults(concurrency: usize) {
    let config = FakeConfig {
        seed: 2026 + concurrency as u64,
        fault_rate: 0.2,
        faults: ALL_READ_FAULTS.to_vec(),
        issues: 5_000,
        ..FakeConfig::default()
    };
    let fake = FakePylon::start(config.clone()).await;
    let client = patient_client(&fake.base_url());
    let (start, end) = config.issue_range;
    let exported: Vec<AsSent<types::Issue>> = client
        .export_issues(start, end)
        .page_size(50)
        .concurrency(concurrency)
        .items()
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<String> = exported.into_iter().map(|i| i.into_inner().id).collect();
    let unique: HashSet<&String> = ids.iter().collect();
    let expected = fake.export_order(&config);
    let stats = fake.stats();
    println!(
        "export (concurrency {concurrency}): {} requests, {} faults injected {:?}, {} items returned of {} expected, {} duplicates, {} windows refused",
        stats.requests,
        stats.faults_injected(),
        stats.faults,
        ids.len(),
        expected.len(),
        ids.len() - unique.len(),
        stats.windows_refused,
    );
    assert_eq!(ids.len(), 5_000);
    assert_eq!(unique.len(), ids.len(), "no issue twice");
    assert_eq!(
        ids, expected,
        "every issue once, windows in chronological order"
    );
    assert_eq!(
        stats.windows_refused, 0,
        "no window longer than the fake's maximum"
    );
    let rate = stats.faults_injected() as f64 / stats.requests as f64;
    assert!(
        (0.1..0.3).contains(&rate),
        "about 20% of requests were faulted: {rate}"
    );
    if concurrency == 1 {
        // One request at a time keeps the seeded draw deterministic.
        for fault in ALL_READ_FAULTS {
            assert!(
                stats.faults.get(&fault).copied().unwrap_or(0) > 0,
                "{fault:?} was injected"
            );
        }
    }
}

#[tokio::test]
async fn a_year_of_issues_is_exported_exactly_once_in_order_under_20_percent_faults() {
    export_under_faults(1).await;
}

#[tokio::test]
async fn concurrent_windows_give_the_same_export() {
    export_under_faults(4).await;
}

#[tokio::test]
async fn the_fake_refuses_windows_over_its_maximum_and_the_export_obeys_a_larger_one() {
    let config = FakeConfig {
        issues: 100,
        max_window: TimeDelta::days(365),
        ..FakeConfig::default()
    };
    let fake = FakePylon::start(config.clone()).await;
    let client = patient_client(&fake.base_url());
    let (start, end) = config.issue_range;
    let too_long = client
        .list_issues()
        .start_time(start)
        .end_time(start + TimeDelta::days(366))
        .send()
        .await;
    assert_eq!(too_long.unwrap_err().status(), Some(400));
    let all: Vec<_> = client
        .export_issues(start, end)
        .max_window(TimeDelta::days(365))
        .items()
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 100);
    assert_eq!(
        fake.stats().requests,
        2,
        "one refused probe, then one window of one page"
    );
}

/// `windows()` hands out a checkpoint after every window; resuming from
/// any of them (serialized, as a job would store it) yields exactly the
/// issues of the later windows, and the last one resumes to nothing.
#[tokio::test]
async fn every_window_checkpoint_resumes_exactly_after_that_window() {
    let config = FakeConfig {
        issues: 300,
        ..FakeConfig::default()
    };
    let fake = FakePylon::start(config.clone()).await;
    let client = patient_client(&fake.base_url());
    let (start, end) = config.issue_range;
    let export = client
        .export_issues(start, end)
        .page_size(40)
        .concurrency(3);
    let windows: Vec<pylon_sdk::ExportedWindow> = export
        .clone()
        .windows()
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(windows.len(), 13, "a year in 30-day windows");
    let all: Vec<String> = windows
        .iter()
        .flat_map(|w| w.issues.iter().map(|i| i.id.clone()))
        .collect();
    assert_eq!(all, fake.export_order(&config));
    let mut written = 0;
    for (n, window) in windows.iter().enumerate() {
        written += window.issues.len();
        assert_eq!(window.checkpoint.items_yielded(), written as u64);
        let stored = serde_json::to_string(&window.checkpoint).unwrap();
        let checkpoint: pylon_sdk::Checkpoint = serde_json::from_str(&stored).unwrap();
        let rest: Vec<String> = export
            .clone()
            .resume_from(&checkpoint)
            .items()
            .unwrap()
            .map_ok(|issue| issue.into_inner().id)
            .try_collect()
            .await
            .unwrap();
        assert_eq!(rest, all[written..], "resumed after window {n}");
    }
    assert_eq!(written, 300);
}

#[tokio::test]
async fn bad_ranges_are_refused_before_any_request() {
    let fake = FakePylon::start(FakeConfig::default()).await;
    let client = patient_client(&fake.base_url());
    let (start, _) = FakeConfig::default().issue_range;
    assert!(matches!(
        client.export_issues(start, start).items().err(),
        Some(Error::InvalidRequest(_))
    ));
    assert!(matches!(
        client
            .export_issues(start, start - TimeDelta::days(1))
            .items()
            .err(),
        Some(Error::InvalidRequest(_))
    ));
    assert!(matches!(
        client
            .export_issues(start, start + TimeDelta::days(1))
            .max_window(TimeDelta::zero())
            .items()
            .err(),
        Some(Error::InvalidRequest(_))
    ));
    assert_eq!(fake.stats().requests, 0);
}

#[tokio::test]
async fn tag_creates_under_20_percent_faults_retry_every_429_and_never_duplicate() {
    // `PYLON_TAG_FAULT_SEEDS=1,2,3` runs other seeds.
    let mut exercised = [0; 3];
    for seed in pylon_sdk_tests::numbers_from_env("PYLON_TAG_FAULT_SEEDS", &[99]) {
        let counts = tag_creates_under_faults(seed).await;
        for (total, count) in exercised.iter_mut().zip(counts) {
            *total += count;
        }
    }
    // Over the seeds run: 429s retried, creates reported as outcome unknown,
    // and creates that committed before failing.
    assert!(exercised.iter().all(|n| *n > 0), "{exercised:?}");
}

/// Checks one seed's creates and returns how many 429s were retried, how
/// many creates were reported as outcome unknown and how many of those had
/// committed.
async fn tag_creates_under_faults(seed: u64) -> [usize; 3] {
    let fake = fake_with_create_faults(seed).await;
    let client = patient_client(&fake.base_url());
    let mut results = BTreeMap::new();
    for n in 0..100 {
        let value = format!("tag-{n:03}");
        let result = client
            .create_tag()
            .body(types::CreateTagRequest {
                value: value.clone(),
                object_type: "account".into(),
                hex_color: None,
            })
            .send()
            .await;
        results.insert(value, result);
    }
    let stats = fake.stats();
    let stored: BTreeMap<String, usize> = fake.tags().iter().fold(BTreeMap::new(), |mut m, t| {
        *m.entry(t.value.clone()).or_default() += 1;
        m
    });
    let mut per_value: BTreeMap<&str, Vec<Option<Fault>>> = BTreeMap::new();
    for (value, fault) in &stats.create_log {
        per_value.entry(value).or_default().push(*fault);
    }
    let (mut ok, mut ambiguous, mut retried_429s) = (0, 0, 0);
    for (value, result) in &results {
        let attempts = &per_value[value.as_str()];
        let (last, earlier) = attempts.split_last().unwrap();
        assert!(
            earlier.iter().all(|f| *f == Some(Fault::RateLimited)),
            "{value}: only 429s are retried: {attempts:?}"
        );
        retried_429s += earlier.len();
        match result {
            Ok(tag) => {
                ok += 1;
                assert_eq!(*last, None, "{value}");
                assert_eq!(tag.data.value, *value);
            }
            Err(e) => {
                ambiguous += 1;
                assert!(e.is_outcome_unknown(), "{value}: {e}");
                assert!(
                    matches!(
                        last,
                        Some(
                            Fault::ServerError
                                | Fault::Unavailable
                                | Fault::DropConnection
                                | Fault::DropMidBody
                                | Fault::CommitThenFail
                        )
                    ),
                    "{value}: {last:?}"
                );
            }
        }
    }
    let committed_then_failed = per_value
        .values()
        .filter(|a| a.last() == Some(&Some(Fault::CommitThenFail)))
        .count();
    let duplicates = stored.values().filter(|n| **n > 1).count();
    println!(
        "tag creates (seed {seed}): {} requests, {} faults injected {:?}, {retried_429s} 429s retried, {ok} created, {ambiguous} reported as outcome unknown ({committed_then_failed} of them committed), {} tags stored, {duplicates} duplicates",
        stats.requests,
        stats.faults_injected(),
        stats.faults,
        stored.len(),
    );
    assert_eq!(duplicates, 0);
    assert_eq!(
        stored.len(),
        ok + committed_then_failed,
        "stored = created + committed-then-failed"
    );
    assert_eq!(
        retried_429s as u64,
        stats.faults.get(&Fault::RateLimited).copied().unwrap_or(0),
        "every 429 was retried"
    );
    [retried_429s, ambiguous, committed_then_failed]
}

/// A fake that answers every request with `fault`, and a client for it with
/// `policy` and no timeouts (on a paused clock they would fire while waiting).
/// The fake runs on the test's own runtime, so its answers are ready as soon
/// as the client polls and the paused clock only jumps over retry waits.
async fn always(fault: Fault, retry_after_secs: u64, policy: RetryPolicy) -> (FakePylon, Client) {
    let fake = FakePylon::start(FakeConfig {
        fault_rate: 1.0,
        faults: vec![fault],
        retry_after_secs,
        ..FakeConfig::default()
    })
    .await;
    let client = Client::builder(TOKEN)
        .base_url(fake.base_url())
        .timeout(None)
        .connect_timeout(None)
        .retry_policy(policy)
        .build()
        .unwrap();
    (fake, client)
}

#[tokio::test(start_paused = true)]
async fn retry_after_is_honoured_on_the_paused_clock() {
    let (fake, client) = always(Fault::RateLimited, 7, RetryPolicy::standard()).await;
    let started = tokio::time::Instant::now();
    let err = client.list_tags().send().await.unwrap_err();
    let waited = started.elapsed();
    // Paced until the 120 s deadline: at 0, 7, 14, 21, 35, 63 and 119 s
    // (from the third refusal in a row the spacing doubles while 429s go
    // on); 231 s would pass the deadline, so the call ends at once with the
    // last 429.
    assert_eq!(fake.stats().requests, 7);
    assert!(err.is_rate_limited());
    assert_eq!(err.api().unwrap().retry_after, Some(Duration::from_secs(7)));
    assert_eq!(waited, Duration::from_secs(119));
}

#[tokio::test(start_paused = true)]
async fn retries_are_bounded_by_attempts() {
    let policy = RetryPolicy::standard()
        .with_max_attempts(4)
        .with_max_delay(Duration::from_millis(10));
    let (fake, client) = always(Fault::Unavailable, 1, policy).await;
    client.get_tag().id("a").send().await.unwrap_err();
    assert_eq!(
        fake.stats().requests,
        4,
        "max_attempts counts the first attempt"
    );
}

#[tokio::test(start_paused = true)]
async fn no_retry_sleeps_past_the_deadline() {
    let policy = RetryPolicy::standard()
        .with_max_attempts(10)
        .with_deadline(Duration::from_secs(60));
    let (fake, client) = always(Fault::RateLimited, 50, policy).await;
    let started = tokio::time::Instant::now();
    client.get_tag().id("b").send().await.unwrap_err();
    assert_eq!(
        fake.stats().requests,
        2,
        "a second 50 s wait would pass the 60 s deadline"
    );
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_secs(50) && waited < Duration::from_secs(51),
        "{waited:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn the_retry_budget_is_shared_by_clones_and_retries_can_be_disabled() {
    let policy = RetryPolicy::standard()
        .with_max_attempts(10)
        .with_max_delay(Duration::from_millis(10))
        .with_budget(10);
    let (fake, client) = always(Fault::Unavailable, 1, policy).await;
    client.get_tag().id("a").send().await.unwrap_err();
    assert_eq!(
        fake.stats().requests,
        3,
        "10 tokens pay for two retries of 5"
    );
    client.clone().get_tag().id("a").send().await.unwrap_err();
    assert_eq!(
        fake.stats().requests,
        4,
        "clones share the spent budget: no retry"
    );

    let (fake, client) = always(Fault::Unavailable, 1, RetryPolicy::disabled()).await;
    client.get_tag().id("a").send().await.unwrap_err();
    assert_eq!(fake.stats().requests, 1);
}

#[tokio::test]
async fn ensure_tag_under_faults_ends_with_exactly_one_tag_per_value() {
    // `PYLON_TAG_FAULT_SEEDS=1,2,3` runs other seeds.
    let mut committed_then_failed = 0;
    for seed in pylon_sdk_tests::numbers_from_env("PYLON_TAG_FAULT_SEEDS", &[4242]) {
        committed_then_failed += ensure_tags_under_faults(seed).await;
    }
    assert!(
        committed_then_failed > 0,
        "the commit-then-fail path was exercised"
    );
}

/// Checks one seed's sync; returns how many creates committed then failed.
async fn ensure_tags_under_faults(seed: u64) -> u64 {
    use pylon_sdk::TagsExt;
    let fake = fake_with_create_faults(seed).await;
    let client = patient_client(&fake.base_url());
    let values: Vec<String> = (0..100).map(|n| format!("sync-{n:03}")).collect();
    // Twice over, as a re-run sync would: the second pass finds every tag.
    for _pass in 0..2 {
        for value in &values {
            let tag = client
                .ensure_tag(value, "account", Some("#00ff00"))
                .await
                .unwrap_or_else(|e| panic!("{value}: {e}"));
            assert_eq!(tag.value, *value);
            assert_eq!(tag.object_type, "account");
        }
    }
    let stats = fake.stats();
    let stored = fake.tags();
    let distinct: HashSet<&str> = stored.iter().map(|t| t.value.as_str()).collect();
    let committed_then_failed = stats
        .faults
        .get(&Fault::CommitThenFail)
        .copied()
        .unwrap_or(0);
    println!(
        "ensure_tag (seed {seed}): {} requests, {} faults injected {:?} ({committed_then_failed} creates committed then failed), {} tags stored for {} values",
        stats.requests,
        stats.faults_injected(),
        stats.faults,
        stored.len(),
        values.len()
    );
    assert_eq!(stored.len(), values.len(), "exactly one tag per value");
    assert_eq!(distinct.len(), values.len());

    let err = client.ensure_tag("  ", "account", None).await.unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)));
    let requests = fake.stats().requests;
    client.ensure_tag("x", "", None).await.unwrap_err();
    assert_eq!(fake.stats().requests, requests, "refused before sending");
    committed_then_failed
}

#[tokio::test(start_paused = true)]
async fn ensure_tag_repeats_nothing_when_retries_are_disabled() {
    use pylon_sdk::TagsExt;
    let fake = FakePylon::start(FakeConfig::default()).await;
    let client = pylon_sdk_tests::paused_clock_client(&fake.base_url())
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap();
    fake.outage(Duration::from_secs(3600));
    let started = tokio::time::Instant::now();
    let err = client.ensure_tag("vip", "account", None).await.unwrap_err();
    assert!(err.is_outcome_unknown(), "{err}");
    assert_eq!(fake.stats().requests, 1);
    assert_eq!(started.elapsed(), Duration::ZERO);
}

/// The jitter of each run is random, so each case is repeated
/// `PYLON_OUTAGE_ROUNDS` times (20 unless set).
#[tokio::test(start_paused = true)]
async fn ensure_tag_repeats_through_an_outage_until_the_deadline_and_then_succeeds() {
    use pylon_sdk::TagsExt;
    let deadline = Duration::from_secs(30);
    let rounds = std::env::var("PYLON_OUTAGE_ROUNDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(20);
    for round in 0..rounds {
        let fake = FakePylon::start(FakeConfig::default()).await;
        let client = pylon_sdk_tests::paused_clock_client(&fake.base_url())
            .retry_policy(RetryPolicy::standard().with_deadline(deadline))
            .build()
            .unwrap();

        fake.outage(Duration::from_secs(3600));
        let started = tokio::time::Instant::now();
        let err = client.ensure_tag("vip", "account", None).await.unwrap_err();
        assert!(err.is_outcome_unknown() || err.is_retryable(), "{err}");
        assert!(started.elapsed() <= deadline, "{:?}", started.elapsed());
        let requests = fake.stats().requests;
        assert!(
            requests > 5,
            "repeated until the deadline, not 5 times: {requests}"
        );
        assert!(fake.tags().is_empty());

        // An outage that ends before the deadline is ridden out, however
        // late it ends and however the backoff's jitter falls.
        for outage in [10, 25, 29] {
            fake.outage(Duration::from_secs(outage));
            let started = tokio::time::Instant::now();
            let tag = client
                .ensure_tag("vip", "account", None)
                .await
                .unwrap_or_else(|e| panic!("round {round}, {outage} s outage: {e}"));
            assert!(started.elapsed() <= deadline, "{:?}", started.elapsed());
            assert_eq!((tag.value.as_str(), fake.tags().len()), ("vip", 1));
        }
    }
}
