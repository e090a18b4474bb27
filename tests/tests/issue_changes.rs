//! Issues changed since a time, against the stateful fake: under injected
//! faults, killed and resumed from a window's checkpoint, every issue
//! updated in the range is yielded at least once, none outside it, each as
//! the fake sent it (unknown fields included).
//!
//! `PYLON_CHANGES_SEEDS=1,2,...` and `PYLON_CHANGES_CONCURRENCY=1,4`
//! widen the sweep.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use futures::TryStreamExt;
use pylon_sdk::IssueChanges;
use pylon_sdk::changes::ScannedWindow;
use pylon_sdk_tests::fake::{FakeConfig, FakePylon, Fault};
use serde_json::Value;

const READ_FAULTS: [Fault; 5] = [
    Fault::RateLimited,
    Fault::ServerError,
    Fault::Unavailable,
    Fault::DropConnection,
    Fault::DropMidBody,
];

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

/// 600 issues created over the first half of 2025, every 7th updated now.
async fn fake_with_updates(seed: u64, fault_rate: f64) -> (FakePylon, BTreeSet<String>) {
    let fake = FakePylon::start(FakeConfig {
        seed,
        issues: 600,
        issue_range: (at("2025-01-01T00:00:00Z"), at("2025-07-01T00:00:00Z")),
        fault_rate,
        faults: READ_FAULTS.to_vec(),
        retry_after_secs: 0,
        ..FakeConfig::default()
    })
    .await;
    let mut updated = BTreeSet::new();
    for (index, (id, _)) in fake.issues().iter().enumerate() {
        if index % 7 == 0 {
            assert!(fake.update_issue(id));
            updated.insert(id.clone());
        }
    }
    (fake, updated)
}

/// The issues whose `updated_at` is in `[start, end)`.
fn updated_in(fake: &FakePylon, start: DateTime<Utc>, end: DateTime<Utc>) -> BTreeSet<String> {
    fake.issue_update_times()
        .into_iter()
        .filter(|(_, at)| *at >= start && *at < end)
        .map(|(id, _)| id)
        .collect()
}

#[tokio::test]
async fn every_issue_updated_in_the_range_at_least_once_under_faults_and_resumption() {
    let seeds = pylon_sdk_tests::numbers_from_env("PYLON_CHANGES_SEEDS", &[1, 2, 3]);
    let levels = pylon_sdk_tests::numbers_from_env("PYLON_CHANGES_CONCURRENCY", &[1, 3]);
    for &seed in &seeds {
        for &concurrency in &levels {
            let (fake, _) = fake_with_updates(seed, 0.2).await;
            let client = pylon_sdk_tests::client_for(&fake.base_url());
            // From mid-April 2025: the later original updates and every update made now.
            let since = at("2025-04-15T00:00:00Z");
            let end = Utc::now() + TimeDelta::seconds(1);
            let expected = updated_in(&fake, since, end);
            let scan = || {
                client
                    .issues_updated_since(since)
                    .until(end)
                    .page_size(25)
                    .concurrency(concurrency as usize)
                    .patience(Duration::from_secs(60))
            };
            // A run that stops after two windows (a kill), then one resumed
            // from the last checkpoint it recorded.
            let mut first = scan().windows().unwrap();
            let mut yielded: Vec<ScannedWindow> = Vec::new();
            while yielded.len() < 2 {
                yielded.push(first.try_next().await.unwrap().unwrap());
            }
            drop(first);
            let checkpoint = yielded.last().unwrap().checkpoint.clone();
            let rest: Vec<ScannedWindow> = scan()
                .resume_from(&checkpoint)
                .windows()
                .unwrap()
                .try_collect()
                .await
                .unwrap();
            let mut times_seen: BTreeMap<String, u32> = BTreeMap::new();
            let truth = fake.objects("issues");
            for window in yielded.iter().chain(&rest) {
                assert_eq!(window.next_since, end - pylon_sdk::changes::DEFAULT_OVERLAP);
                for issue in &window.issues {
                    *times_seen.entry(issue.id.clone()).or_default() += 1;
                    assert_eq!(
                        *issue.json, truth[&issue.id],
                        "{} as the fake sent it",
                        issue.id
                    );
                    assert!(issue.json["pylon_future_field"].is_object());
                }
            }
            let seen: BTreeSet<String> = times_seen.keys().cloned().collect();
            let missing: Vec<_> = expected.difference(&seen).collect();
            let outside: Vec<_> = seen.difference(&expected).collect();
            let repeated = times_seen.values().filter(|n| **n > 1).count();
            let stats = fake.stats();
            println!(
                "changes seed {seed} concurrency {concurrency}: {} updated in range, {} yielded, \
                 {repeated} more than once, {} requests, {} faults",
                expected.len(),
                seen.len(),
                stats.requests,
                stats.faults_injected()
            );
            assert!(missing.is_empty(), "seed {seed}: missing {missing:?}");
            assert!(
                outside.is_empty(),
                "seed {seed}: outside the range {outside:?}"
            );
            assert_eq!(
                repeated, 0,
                "windows do not overlap, and resuming skips what was yielded"
            );
            assert!(expected.len() > 86, "the range holds old and new updates");
        }
    }
}

#[tokio::test]
async fn each_window_is_one_search_with_a_time_range_on_updated_at() {
    let (fake, updated) = fake_with_updates(5, 0.0).await;
    let client = pylon_sdk_tests::client_for(&fake.base_url());
    // 45 days: two windows of at most 30.
    let since = Utc::now() - TimeDelta::days(45);
    let windows: Vec<ScannedWindow> = client
        .issues_updated_since(since)
        .windows()
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(windows.len(), 2);
    assert_eq!(windows[0].window.start, since);
    assert_eq!(
        windows[0].window.end - windows[0].window.start,
        TimeDelta::days(30)
    );
    let ids: BTreeSet<String> = windows
        .iter()
        .flat_map(|w| w.issues.iter().map(|i| i.id.clone()))
        .collect();
    assert_eq!(ids, updated);
    let stats = fake.stats();
    assert_eq!(stats.endpoints.get("POST /issues/search"), Some(&2));
    assert_eq!(stats.requests, 2);
}

#[tokio::test]
async fn the_next_run_from_next_since_reads_one_page_and_finds_what_changed() {
    let (fake, _) = fake_with_updates(6, 0.0).await;
    let client = pylon_sdk_tests::client_for(&fake.base_url());
    let first: Vec<ScannedWindow> = client
        .issues_updated_since(at("2025-01-01T00:00:00Z"))
        .concurrency(4)
        .windows()
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    let next_since = first.last().unwrap().next_since;
    let total: usize = first.iter().map(|w| w.issues.len()).sum();
    assert_eq!(total, 600);

    let before = fake.stats().requests;
    let nothing: Vec<_> = client
        .issues_updated_since(next_since)
        .items()
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    let requests = fake.stats().requests - before;
    // Updates within the overlap come again; nothing was updated since.
    assert!(nothing.iter().all(|i| i.updated_at.unwrap() >= next_since));
    assert_eq!(requests, 1, "one window, one page");

    let touched = ["iss_000001", "iss_000500"];
    for id in touched {
        assert!(fake.update_issue(id));
    }
    let created = fake.create_issue();
    let changed: Vec<Value> = client
        .issues_updated_since(next_since)
        .items()
        .unwrap()
        .map_ok(|issue| issue.json.into_inner())
        .try_collect()
        .await
        .unwrap();
    let ids: BTreeSet<&str> = changed.iter().filter_map(|i| i["id"].as_str()).collect();
    for id in touched.iter().copied().chain([created.as_str()]) {
        assert!(ids.contains(id), "{id} changed since the last run");
    }
}

#[tokio::test]
async fn a_scan_by_creation_time_yields_every_issue_once_as_sent() {
    let (fake, _) = fake_with_updates(8, 0.0).await;
    let client = pylon_sdk_tests::client_for(&fake.base_url());
    let issues: Vec<_> = client
        .issues_created_since(at("2025-01-01T00:00:00Z"))
        .until(at("2025-07-01T00:00:00Z"))
        .page_size(50)
        .concurrency(3)
        .items()
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    let truth = fake.objects("issues");
    assert_eq!(issues.len(), truth.len());
    for issue in &issues {
        assert_eq!(*issue.json, truth[&issue.id]);
    }
    let stats = fake.stats();
    assert_eq!(stats.endpoints.get("POST /issues/search"), None);
}

#[tokio::test]
async fn out_of_range_page_sizes_are_refused_before_sending() {
    let (fake, _) = fake_with_updates(9, 0.0).await;
    let client = pylon_sdk_tests::client_for(&fake.base_url());
    let since = at("2025-01-01T00:00:00Z");
    for scan in [
        client.issues_updated_since(since).page_size(1001),
        client.issues_updated_since(since).page_size(0),
        client.issues_created_since(since).page_size(20_001),
    ] {
        assert!(matches!(
            scan.windows(),
            Err(pylon_sdk::Error::InvalidRequest(_))
        ));
    }
    assert_eq!(fake.stats().requests, 0);
}

#[tokio::test]
async fn issues_updated_during_a_run_are_found_by_the_next_one() {
    let (fake, _) = fake_with_updates(11, 0.0).await;
    let client = pylon_sdk_tests::client_for(&fake.base_url());
    let since = at("2025-01-01T00:00:00Z");
    let mut windows = client
        .issues_updated_since(since)
        .page_size(40)
        .windows()
        .unwrap();
    let ids: Vec<String> = fake.issues().into_iter().map(|(id, _)| id).collect();
    let mut first_run = BTreeSet::new();
    let mut updated_during = BTreeSet::new();
    let mut next_since = since;
    let mut window_number = 0;
    while let Some(done) = windows.try_next().await.unwrap() {
        first_run.extend(done.issues.iter().map(|i| i.id.clone()));
        next_since = done.next_since;
        // Between windows: issues already read and issues not read yet change.
        for id in ids.iter().skip(window_number * 13).step_by(97).take(3) {
            assert!(fake.update_issue(id));
            updated_during.insert(id.clone());
        }
        window_number += 1;
    }
    let second_run: BTreeSet<String> = client
        .issues_updated_since(next_since)
        .items()
        .unwrap()
        .map_ok(|issue| issue.id)
        .try_collect()
        .await
        .unwrap();
    let missed: Vec<_> = updated_during.difference(&second_run).collect();
    assert!(
        missed.is_empty(),
        "updated during the first run: {missed:?}"
    );
    let all: BTreeSet<String> = first_run.union(&second_run).cloned().collect();
    assert_eq!(all.len(), ids.len(), "every issue, in one run or the other");
    assert!(updated_during.len() > 20);
}
