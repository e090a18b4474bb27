//! A client no server can push around: 429 pacing, long streams that survive
//! and resume, size caps, path safety, streams that always end, errors that
//! say what happened, and bad input refused before sending.

use std::time::Duration;

use chrono::{TimeDelta, TimeZone, Utc};
use futures::{StreamExt, TryStreamExt};
use httpmock::MockServer;
use pylon_sdk::window::IssueWindow;
use pylon_sdk::{Client, Error, ExportIssues, Paginate, RateLimits, RetryPolicy, TagsExt, types};
use pylon_sdk_tests::fake::{FakeConfig, FakePylon, Fault};
use pylon_sdk_tests::hostile::{self, Hostile};
use pylon_sdk_tests::{TOKEN, bulk_create_tags, client, client_for, paused_clock_client};
use serde_json::json;

// ---------------------------------------------------------------- 429 pacing

#[tokio::test(start_paused = true)]
async fn ten_in_flight_against_60_per_minute_create_all_100_with_few_extra_requests() {
    let fake = FakePylon::start(FakeConfig::sixty_per_minute()).await;
    let client = paused_clock_client(&fake.base_url()).build().unwrap();
    let started = tokio::time::Instant::now();
    let created = bulk_create_tags(&client, 100, 10).await;
    let stats = fake.stats();
    println!(
        "pacing: {created}/100 created, {} requests, {} 429s, {:?} (virtual)",
        stats.requests,
        stats.rate_limited,
        started.elapsed()
    );
    assert_eq!(created, 100);
    assert_eq!(fake.tags().len(), 100);
    assert!(stats.requests <= 115, "{} requests", stats.requests);

    // Without pacing every task backs off on its own: more requests.
    let fake = FakePylon::start(FakeConfig::sixty_per_minute()).await;
    let unpaced = paused_clock_client(&fake.base_url())
        .adaptive_pacing(false)
        .build()
        .unwrap();
    let created_unpaced = bulk_create_tags(&unpaced, 100, 10).await;
    let unpaced_requests = fake.stats().requests;
    println!("no pacing: {created_unpaced}/100 created, {unpaced_requests} requests");
    assert!(
        unpaced_requests > stats.requests,
        "{unpaced_requests} requests"
    );
}

#[tokio::test(start_paused = true)]
async fn sequential_work_is_not_slower_with_pacing() {
    let mut elapsed = Vec::new();
    for pacing in [true, false] {
        let fake = FakePylon::start(FakeConfig::sixty_per_minute()).await;
        let client = paused_clock_client(&fake.base_url())
            .adaptive_pacing(pacing)
            .build()
            .unwrap();
        let started = tokio::time::Instant::now();
        assert_eq!(bulk_create_tags(&client, 100, 1).await, 100);
        elapsed.push((started.elapsed(), fake.stats().requests));
    }
    println!(
        "sequential: paced {:?}, unpaced {:?}",
        elapsed[0], elapsed[1]
    );
    // A burst of 60, then one a second: about 40 s either way.
    assert!(elapsed[0].0 <= elapsed[1].0.mul_f64(1.03), "{elapsed:?}");
    assert!(elapsed[0].1 < elapsed[1].1, "pacing sends fewer requests");
}

#[tokio::test(start_paused = true)]
async fn after_one_stray_429_sequential_calls_are_not_slowed() {
    let server = Hostile::start(|seen, _| async move {
        if seen.index == 0 {
            let mut refused = hostile::json(
                429,
                json!({"errors": ["rate limit exceeded"], "request_id": "r0"}),
            );
            refused.headers_mut().insert("retry-after", 1.into());
            return Some(refused);
        }
        Some(hostile::json(
            200,
            json!({"data": pylon_sdk_tests::objects::tag("t", "vip", "account"), "request_id": "r"}),
        ))
    })
    .await;
    let client = paused_clock_client(&server.base_url()).build().unwrap();
    let started = tokio::time::Instant::now();
    for _ in 0..20 {
        client.get_tag().id("t").send().await.unwrap();
    }
    assert_eq!(server.requests(), 21);
    // The one Retry-After, and nothing after it (a floor and a halving
    // spacing once made it about three).
    assert_eq!(started.elapsed(), Duration::from_secs(1));
}

/// Seeds 1-5 by default; `PYLON_PACING_SEEDS=1,2,...` runs others.
#[tokio::test(start_paused = true)]
async fn occasional_429s_cost_sequential_work_about_what_they_ask_to_wait() {
    for seed in pylon_sdk_tests::numbers_from_env("PYLON_PACING_SEEDS", &[1, 2, 3, 4, 5]) {
        let mut runs = Vec::new();
        for pacing in [true, false] {
            let fake = FakePylon::start(FakeConfig {
                seed,
                fault_rate: 0.12,
                faults: vec![Fault::RateLimited],
                retry_after_secs: 1,
                ..FakeConfig::default()
            })
            .await;
            let client = paused_clock_client(&fake.base_url())
                .adaptive_pacing(pacing)
                .build()
                .unwrap();
            let started = tokio::time::Instant::now();
            let created = bulk_create_tags(&client, 100, 1).await;
            runs.push((created, fake.stats().requests, started.elapsed()));
        }
        let ((paced_created, paced_requests, paced), (created, requests, unpaced)) =
            (runs[0], runs[1]);
        println!("seed {seed}: paced {paced:?}, unpaced {unpaced:?}, {requests} requests");
        assert_eq!((paced_created, created), (100, 100), "seed {seed}");
        assert_eq!(paced_requests, requests, "seed {seed}: the same 429s");
        assert!(requests > 100, "seed {seed}: some 429s were met");
        assert!(paced <= unpaced.mul_f64(1.5), "seed {seed}: {runs:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_sustained_limit_is_learnt_and_kept_by_four_tasks() {
    let fake = FakePylon::start(FakeConfig::sixty_per_minute()).await;
    let client = paused_clock_client(&fake.base_url()).build().unwrap();
    let started = tokio::time::Instant::now();
    assert_eq!(bulk_create_tags(&client, 300, 4).await, 300);
    let stats = fake.stats();
    println!(
        "4 tasks: {} requests, {} 429s, {:?}",
        stats.requests,
        stats.rate_limited,
        started.elapsed()
    );
    // The four in flight when the allowance ran out, and one to learn the
    // rate: after that, one a second for four minutes without a 429.
    assert_eq!(stats.rate_limited, 5);
    assert!(
        started.elapsed() <= Duration::from_secs(242),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test(start_paused = true)]
async fn the_limiter_models_a_refilling_budget_not_a_full_window_per_slot() {
    let fake = FakePylon::start(FakeConfig::sixty_per_minute()).await;
    let client = paused_clock_client(&fake.base_url())
        .rate_limits(RateLimits::pylon_defaults().with_limit("create_tag", 60))
        .build()
        .unwrap();
    let started = tokio::time::Instant::now();
    assert_eq!(bulk_create_tags(&client, 100, 1).await, 100);
    let elapsed = started.elapsed();
    assert_eq!(fake.stats().rate_limited, 0);
    // 60 at once, then 40 at one a second (2% under): not the 60 s a full
    // window per slot took.
    assert!(
        elapsed >= Duration::from_secs(39) && elapsed <= Duration::from_secs(43),
        "{elapsed:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_429_uses_no_attempts_and_is_retried_until_the_deadline() {
    let fake = FakePylon::start(FakeConfig {
        fault_rate: 1.0,
        faults: vec![Fault::RateLimited],
        retry_after_secs: 10,
        ..FakeConfig::default()
    })
    .await;
    let client = paused_clock_client(&fake.base_url())
        .retry_policy(
            RetryPolicy::standard()
                .with_max_attempts(2)
                .with_deadline(Duration::from_secs(45)),
        )
        .build()
        .unwrap();
    let started = tokio::time::Instant::now();
    let err = client.get_tag().id("t").send().await.unwrap_err();
    assert!(err.is_rate_limited());
    // At 0, 10, 20 and 30 s (the third refusal in a row doubles the
    // spacing); 50 s would pass 45 s.
    assert_eq!(fake.stats().requests, 4);
    assert_eq!(started.elapsed(), Duration::from_secs(30));
}

#[tokio::test(start_paused = true)]
async fn the_deadline_bounds_the_whole_call_including_a_slow_attempt() {
    let slow = Hostile::start(|_, _| async {
        tokio::time::sleep(Duration::from_secs(600)).await;
        Some(hostile::json(200, json!({"data": {}, "request_id": "r"})))
    })
    .await;
    let client = paused_clock_client(&slow.base_url())
        .retry_policy(RetryPolicy::standard().with_deadline(Duration::from_secs(5)))
        .build()
        .unwrap();
    let started = tokio::time::Instant::now();
    let err = client.get_tag().id("t").send().await.unwrap_err();
    assert_eq!(started.elapsed(), Duration::from_secs(5));
    assert!(
        matches!(&err, Error::Transport { source, outcome_unknown: false, .. } if source.is_timeout()),
        "{err:?}"
    );
}

// ------------------------------------------------ long streams that resume

const READ_FAULTS: [Fault; 5] = [
    Fault::RateLimited,
    Fault::ServerError,
    Fault::Unavailable,
    Fault::DropConnection,
    Fault::DropMidBody,
];

fn year_of_issues(seed: u64) -> FakeConfig {
    FakeConfig {
        seed,
        fault_rate: 0.2,
        faults: READ_FAULTS.to_vec(),
        issues: 5_000,
        ..FakeConfig::default()
    }
}

fn export(client: &Client, config: &FakeConfig) -> pylon_sdk::window::IssueExport {
    client
        .export_issues(config.issue_range.0, config.issue_range.1)
        .max_window(config.max_window)
        .page_size(100)
        .concurrency(4)
}

/// 20 seeds at concurrency 4 by default; `PYLON_FAULT_SEEDS=400
/// PYLON_FAULT_CONCURRENCY=1,2,4,8` sweeps seeds 1-400 at each of those.
#[tokio::test(start_paused = true)]
async fn a_year_under_20_percent_faults_completes_exactly_once_for_every_seed() {
    let seeds = pylon_sdk_tests::numbers_from_env("PYLON_FAULT_SEEDS", &[20])[0];
    let concurrencies = pylon_sdk_tests::numbers_from_env("PYLON_FAULT_CONCURRENCY", &[4]);
    let mut runs = 0;
    for concurrency in concurrencies {
        for seed in 1..=seeds {
            let config = year_of_issues(seed);
            let fake = FakePylon::start(config.clone()).await;
            let client = paused_clock_client(&fake.base_url()).build().unwrap();
            let ids: Vec<String> = export(&client, &config)
                .concurrency(concurrency as usize)
                .items()
                .unwrap()
                .map_ok(|issue| issue.into_inner().id)
                .try_collect()
                .await
                .unwrap_or_else(|e| panic!("seed {seed}, concurrency {concurrency}: {e}"));
            assert_eq!(
                ids,
                fake.export_order(&config),
                "seed {seed}, concurrency {concurrency}"
            );
            assert!(fake.stats().faults_injected() > 0);
            runs += 1;
        }
    }
    assert!(runs >= 20);
    println!("{runs} fault-injected exports, each exactly once");
}

#[tokio::test(start_paused = true)]
async fn a_20_second_outage_in_the_middle_of_an_export_is_ridden_out() {
    let config = year_of_issues(99);
    let fake = FakePylon::start(config.clone()).await;
    let client = paused_clock_client(&fake.base_url()).build().unwrap();
    let mut stream = export(&client, &config).items().unwrap();
    let mut ids = Vec::new();
    while let Some(issue) = stream.try_next().await.unwrap() {
        ids.push(issue.into_inner().id);
        if ids.len() == 2_500 {
            fake.outage(Duration::from_secs(20));
        }
    }
    assert_eq!(ids, fake.export_order(&config));
}

#[tokio::test]
async fn an_export_forced_to_fail_resumes_with_exactly_the_missing_issues() {
    let config = FakeConfig {
        issues: 5_000,
        ..FakeConfig::default()
    };
    let fake = FakePylon::start(config.clone()).await;
    let client = client_for(&fake.base_url());
    let impatient = export(&client, &config).patience(Duration::ZERO);
    let mut stream = impatient.clone().items().unwrap();
    let mut ids = Vec::new();
    let checkpoint = loop {
        match stream.try_next().await {
            Ok(Some(issue)) => {
                ids.push(issue.into_inner().id);
                if ids.len() == 1_234 {
                    fake.outage(Duration::from_secs(3600));
                }
            }
            Ok(None) => panic!("the outage should have stopped the export"),
            Err(e) => {
                assert!(e.to_string().contains("can be resumed"), "{e}");
                break e.checkpoint().expect("a checkpoint").clone();
            }
        }
    };
    assert_eq!(checkpoint.items_yielded(), ids.len() as u64);
    fake.outage(Duration::ZERO);
    let rest: Vec<String> = impatient
        .resume_from(&checkpoint)
        .items()
        .unwrap()
        .map_ok(|issue| issue.into_inner().id)
        .try_collect()
        .await
        .unwrap();
    ids.extend(rest);
    assert_eq!(ids, fake.export_order(&config));
}

#[tokio::test]
async fn a_paginator_forced_to_fail_resumes_with_exactly_the_missing_items() {
    let config = FakeConfig {
        accounts: 950,
        ..FakeConfig::default()
    };
    let fake = FakePylon::start(config).await;
    let client = client_for(&fake.base_url());
    let mut stream = client
        .paginate_list_accounts()
        .page_size(100)
        .patience(Duration::ZERO)
        .items();
    let mut ids = Vec::new();
    let err = loop {
        match stream.try_next().await {
            Ok(Some(account)) => {
                ids.push(account.id);
                if ids.len() == 420 {
                    fake.outage(Duration::from_secs(3600));
                }
            }
            Ok(None) => panic!("the outage should have stopped the stream"),
            Err(e) => break e,
        }
    };
    // The page in hand when the outage began is yielded whole.
    assert_eq!(ids.len(), 500);
    let checkpoint = err.checkpoint().unwrap().clone();
    fake.outage(Duration::ZERO);
    let rest: Vec<String> = client
        .paginate_list_accounts()
        .page_size(100)
        .resume_from(&checkpoint)
        .items()
        .map_ok(|account| account.id)
        .try_collect()
        .await
        .unwrap();
    ids.extend(rest);
    let all: Vec<String> = client
        .paginate_list_accounts()
        .items()
        .map_ok(|account| account.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 950);
    assert_eq!(ids, all);
}

#[tokio::test]
async fn streams_and_exports_can_be_spawned() {
    let config = FakeConfig {
        issues: 300,
        accounts: 250,
        ..FakeConfig::default()
    };
    let fake = FakePylon::start(config.clone()).await;
    let client = client_for(&fake.base_url());
    let accounts = tokio::spawn(
        client
            .paginate_list_accounts()
            .items()
            .try_collect::<Vec<_>>(),
    );
    let issues = tokio::spawn(
        client
            .export_issues(config.issue_range.0, config.issue_range.1)
            .items()
            .unwrap()
            .try_collect::<Vec<_>>(),
    );
    assert_eq!(accounts.await.unwrap().unwrap().len(), 250);
    assert_eq!(issues.await.unwrap().unwrap().len(), 300);
}

// ------------------------------------------------------------------ caps

#[tokio::test]
async fn an_oversized_body_is_refused_while_reading_streamed_or_declared() {
    for declare_length in [false, true] {
        let server = Hostile::start(move |_, sent| async move {
            Some(hostile::huge(200, 1 << 30, declare_length, sent))
        })
        .await;
        let client = Client::builder(TOKEN)
            .base_url(server.base_url())
            .max_response_bytes(8 << 20)
            .build()
            .unwrap();
        let err = client.get_tag().id("t").send().await.unwrap_err();
        assert!(
            matches!(err, Error::BodyTooLarge { operation: "get_tag", status: 200, limit } if limit == 8 << 20),
            "{err:?}"
        );
        assert_eq!(err.status(), Some(200));
        assert_eq!(
            server.requests(),
            1,
            "an oversized body is not fetched again"
        );
        assert!(
            server.bytes_sent() < 1 << 29,
            "{} bytes",
            server.bytes_sent()
        );
    }
}

#[tokio::test]
async fn a_huge_error_body_is_read_only_up_to_a_small_cap_on_each_retry() {
    let server =
        Hostile::start(|_, sent| async move { Some(hostile::huge(503, 256 << 20, false, sent)) })
            .await;
    let err = client_for(&server.base_url())
        .get_tag()
        .id("t")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(server.requests(), 3);
    // Far less than the 768 MiB three full reads would take.
    assert!(
        server.bytes_sent() < 3 * (32 << 20),
        "{} bytes sent",
        server.bytes_sent()
    );
}

// ------------------------------------------------------------ path safety

#[tokio::test]
async fn path_parameters_cannot_address_another_resource() {
    let server = Hostile::start(|_, _| async {
        Some(hostile::json(
            200,
            json!({"data": {"id": "x", "value": "v", "object_type": "account"}, "request_id": "r"}),
        ))
    })
    .await;
    let client = client_for(&server.base_url());
    client.get_tag().id("x\\..\\other").send().await.unwrap();
    client
        .delete_article()
        .id("kb-MINE")
        .article_id("x\\..\\..\\..\\kb-OTHER\\articles\\a2")
        .send()
        .await
        .unwrap();
    assert_eq!(
        server.paths(),
        [
            "/tags/x%5C..%5Cother",
            "/knowledge-bases/kb-MINE/articles/x%5C..%5C..%5C..%5Ckb-OTHER%5Carticles%5Ca2"
        ]
    );
    for refused in ["..", ".", ""] {
        let err = client.get_tag().id(refused).send().await.unwrap_err();
        assert!(
            matches!(err, Error::InvalidRequest(_)),
            "{refused:?}: {err:?}"
        );
    }
    assert_eq!(server.requests(), 2);
}

// ------------------------------------------------------ streams always end

/// An account as Pylon sends it, with only its required fields.
fn account(id: &str) -> serde_json::Value {
    let mut account =
        pylon_sdk_tests::responses::response_fixture("get_account.minimal")["data"].clone();
    account["id"] = json!(id);
    account
}

#[tokio::test]
async fn endless_empty_pages_end_with_a_typed_error() {
    let server = Hostile::start(|seen, _| async move {
        Some(hostile::json(
            200,
            json!({"data": [], "pagination": {"cursor": format!("c{}", seen.index), "has_next_page": true}, "request_id": "r"}),
        ))
    })
    .await;
    let client = client_for(&server.base_url());
    let results: Vec<_> = client.paginate_list_accounts().items().collect().await;
    assert!(
        matches!(results[..], [Err(Error::EmptyPages(10))]),
        "{results:?}"
    );
    assert_eq!(server.requests(), 10);
    let results: Vec<_> = client
        .paginate_list_accounts()
        .max_empty_pages(3)
        .pages()
        .collect()
        .await;
    assert_eq!(results.len(), 4);
    assert!(matches!(results[3], Err(Error::EmptyPages(3))));
}

#[tokio::test]
async fn endless_full_pages_with_huge_cursors_keep_going_without_repeats() {
    let server = Hostile::start(|seen, _| async move {
        let cursor = format!("{:0>32768}", seen.index);
        Some(hostile::json(
            200,
            json!({"data": [account(&format!("a{}", seen.index))], "pagination": {"cursor": cursor, "has_next_page": true}, "request_id": "r"}),
        ))
    })
    .await;
    let client = client_for(&server.base_url());
    let taken: Vec<_> = client
        .paginate_list_accounts()
        .items()
        .take(300)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(taken.len(), 300);
}

// ------------------------------------------------ errors say what happened

#[tokio::test]
async fn an_error_body_of_another_json_shape_keeps_its_status() {
    let server = MockServer::start_async().await;
    server.mock(|when, then| {
        when.any_request();
        then.status(404).json_body(json!({"errors": "nope"}));
    });
    let err = client(&server).get_tag().id("t").send().await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    assert_eq!(
        err.to_string(),
        r#"get_tag: Pylon answered 404: (unrecognised error body) {"errors":"nope"}"#
    );
}

#[tokio::test]
async fn control_characters_from_the_server_are_escaped() {
    let server = MockServer::start_async().await;
    server.mock(|when, then| {
        when.any_request();
        then.status(400).json_body(json!({
            "errors": ["bad\nINFO forged log line\r\u{1b}[31m"],
            "request_id": "r\u{7}"
        }));
    });
    let err = client(&server).get_tag().id("t").send().await.unwrap_err();
    let shown = err.to_string();
    assert!(!shown.chars().any(char::is_control), "{shown:?}");
    assert!(
        shown.contains(r"bad\nINFO forged log line\r\u{1b}[31m"),
        "{shown}"
    );
}

#[tokio::test]
async fn a_failed_read_is_not_called_unknown_and_names_its_operation() {
    let server = Hostile::start(|_, _| async { None }).await;
    let client = client_for(&server.base_url());
    let read = client.get_tag().id("t").send().await.unwrap_err();
    assert!(!read.is_outcome_unknown());
    assert!(read.to_string().starts_with("get_tag: "), "{read}");
    assert!(!read.to_string().contains("unknown"), "{read}");
    let write = client
        .create_tag()
        .body(types::CreateTagRequest {
            value: "v".into(),
            object_type: "account".into(),
            hex_color: None,
        })
        .send()
        .await
        .unwrap_err();
    assert!(write.is_outcome_unknown(), "{write:?}");
    assert!(write.to_string().starts_with("create_tag: "), "{write}");
}

#[tokio::test]
async fn extreme_settings_do_not_panic() {
    let server = MockServer::start_async().await;
    let mock = server.mock(|when, then| {
        when.any_request();
        then.status(200)
            .json_body(json!({"data": [], "request_id": "r"}));
    });
    let client = Client::builder(TOKEN)
        .base_url(server.base_url())
        .timeout(Duration::MAX)
        .connect_timeout(Duration::MAX)
        .retry_policy(
            RetryPolicy::standard()
                .with_budget(u32::MAX)
                .with_max_attempts(u32::MAX)
                .with_base_delay(Duration::MAX)
                .with_max_delay(Duration::MAX)
                .with_deadline(Duration::MAX),
        )
        .rate_limits(
            RateLimits::pylon_defaults()
                .with_limit("list_tags", u32::MAX)
                .with_window(Duration::MAX),
        )
        .build()
        .unwrap();
    for _ in 0..3 {
        client.list_tags().send().await.unwrap();
    }
    mock.assert_calls(3);
}

// ---------------------------------------------- refused before sending

#[tokio::test]
async fn bad_input_is_refused_before_any_request() {
    let server = MockServer::start_async().await;
    let any = server.mock(|when, then| {
        when.any_request();
        then.status(200)
            .json_body(json!({"data": [], "request_id": "r"}));
    });
    let client = client(&server);
    let empty_value = client
        .create_tag()
        .body(types::CreateTagRequest {
            value: String::new(),
            object_type: "account".into(),
            hex_color: None,
        })
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(empty_value, Error::InvalidRequest(_)),
        "{empty_value:?}"
    );
    let empty_label = client
        .create_custom_field()
        .body(
            types::CreateCustomFieldRequest::builder()
                .label(" ")
                .object_type("issue")
                .type_(types::CustomFieldType::Text),
        )
        .send()
        .await
        .unwrap_err();
    assert!(matches!(empty_label, Error::InvalidRequest(_)));
    assert!(matches!(
        client.ensure_tag("", "account", None).await,
        Err(Error::InvalidRequest(_))
    ));
    for size in [0, 1001] {
        let page: Vec<_> = client
            .paginate_list_accounts()
            .page_size(size)
            .items()
            .collect()
            .await;
        assert!(
            matches!(page[..], [Err(Error::InvalidRequest(_))]),
            "{size}"
        );
    }
    let direct = client.list_accounts().limit(0).send().await.unwrap_err();
    assert!(matches!(direct, Error::InvalidRequest(_)));
    let day = |d| Utc.with_ymd_and_hms(2026, 1, d, 0, 0, 0).unwrap();
    for window in [
        IssueWindow {
            start: day(2),
            end: day(1),
        },
        IssueWindow {
            start: day(1),
            end: day(1),
        },
    ] {
        let page: Vec<_> = client.paginate_list_issues(window).items().collect().await;
        assert!(
            matches!(page[..], [Err(Error::InvalidRequest(_))]),
            "{window:?}"
        );
    }
    assert!(client.export_issues(day(2), day(1)).items().is_err());
    assert!(
        client
            .export_issues(day(1), day(2))
            .page_size(0)
            .items()
            .is_err()
    );
    assert!(
        client
            .export_issues(day(1), day(2))
            .max_window(TimeDelta::zero())
            .items()
            .is_err()
    );
    any.assert_calls(0);
}
