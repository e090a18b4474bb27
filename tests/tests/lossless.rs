//! Nothing Pylon sends is lost or misreported: fields this version does not
//! model are kept (typed values and exports), `null`s decode, a body that
//! does not decode says where and why, and every failure keeps its status.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use chrono::{TimeDelta, TimeZone, Utc};
use futures::TryStreamExt;
use httpmock::Method::GET;
use httpmock::MockServer;
use pylon_sdk::{Checkpoint, Error, ExportIssues, Paginate, types};
use pylon_sdk_tests::client;
use pylon_sdk_tests::unmodelled::{UNMODELLED, issue_with_unknown_fields_everywhere};
use serde_json::{Value, json};

#[tokio::test]
async fn an_export_writes_each_issue_exactly_as_sent_and_typed_values_expose_the_rest() {
    let issues: Vec<String> = (1..=5)
        .map(|n| issue_with_unknown_fields_everywhere(&format!("iss_{n}"), n))
        .collect();
    let body = format!(
        r#"{{"data":[{}],"request_id":"req_x","x_page":{UNMODELLED}}}"#,
        issues.join(",")
    );
    let server = MockServer::start_async().await;
    let page = server.mock(|when, then| {
        when.method(GET).path("/issues");
        then.status(200)
            .header("content-type", "application/json")
            .body(&body);
    });
    let client = client(&server);
    let created = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
    let exported: Vec<_> = client
        .export_issues(created - TimeDelta::days(10), created + TimeDelta::days(10))
        .items()
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    page.assert_calls(1);
    assert_eq!(exported.len(), 5);
    for (issue, sent) in exported.iter().zip(&issues) {
        assert_eq!(issue.json(), sent, "the JSON as sent, byte for byte");
        assert_eq!(&serde_json::to_string(issue).unwrap(), sent);
        // The typed view keeps the unknown fields at every level.
        let unmodelled: Value = serde_json::from_str(UNMODELLED).unwrap();
        assert_eq!(issue.extra["x_unmodelled"], unmodelled);
        let account = issue.account.as_ref().unwrap();
        assert_eq!(account.extra["x_unmodelled"], unmodelled);
        let typed = serde_json::to_value(&**issue).unwrap();
        let as_sent: Value = serde_json::from_str(sent).unwrap();
        assert_eq!(
            typed, as_sent,
            "serializing the typed issue writes them back"
        );
    }
}

#[tokio::test]
async fn a_typed_response_keeps_the_body_as_sent() {
    let server = MockServer::start_async().await;
    let body = format!(
        r#"{{"data":{{"id":"tag_1","value":"vip","object_type":"account","x_tag":{UNMODELLED}}},"request_id":"r1","x_top":1.50}}"#
    );
    server.mock(|when, then| {
        when.method(GET).path("/tags/tag_1");
        then.status(200).body(&body);
    });
    let tag = client(&server).get_tag().id("tag_1").send().await.unwrap();
    assert_eq!(tag.json(), body);
    assert_eq!(tag.extra["x_top"], json!(1.5));
    assert_eq!(
        tag.data.extra["x_tag"],
        serde_json::from_str::<Value>(UNMODELLED).unwrap()
    );
}

#[tokio::test]
async fn null_collections_decode_as_empty() {
    let mut body: Value = serde_json::from_str(include_str!(
        "../fixtures/responses/get_feature_request.minimal.json"
    ))
    .unwrap();
    for field in [
        "evidence",
        "external_issues",
        "portal_visible_to_account_ids",
        "custom_fields",
    ] {
        body["data"][field] = Value::Null;
    }
    let server = MockServer::start_async().await;
    server.mock(|when, then| {
        when.method(GET).path("/feature-requests/fr_1");
        then.status(200).json_body(body);
    });
    let request = client(&server)
        .get_feature_request()
        .id("fr_1")
        .send()
        .await
        .unwrap();
    assert!(request.data.evidence.is_empty());
    assert!(request.data.external_issues.is_empty());
    assert!(request.data.portal_visible_to_account_ids.is_empty());
    assert!(request.data.custom_fields.is_empty());
    assert_eq!(request.data.title, "SSO");
}

#[tokio::test]
async fn a_missing_field_deep_in_a_list_names_the_operation_path_field_and_status() {
    let mut issues: Vec<Value> = (1..=5)
        .map(|n| pylon_sdk_tests::objects::issue(&format!("iss_{n}"), n))
        .collect();
    issues[3].as_object_mut().unwrap().remove("created_at");
    let server = MockServer::start_async().await;
    server.mock(|when, then| {
        when.method(GET).path("/issues");
        then.status(200)
            .header("x-request-id", "hdr_req")
            .json_body(json!({"data": issues, "request_id": "req_77"}));
    });
    let now = Utc::now();
    let err = client(&server)
        .list_issues()
        .start_time(now - TimeDelta::days(1))
        .end_time(now)
        .send()
        .await
        .unwrap_err();
    let shown = err.to_string();
    assert!(
        shown.starts_with("list_issues: Pylon's response (status 200, request req_77)"),
        "{shown}"
    );
    assert!(
        shown.contains("at data[3]: missing field `created_at`"),
        "{shown}"
    );
    assert_eq!(err.status(), Some(200));
    assert_eq!(err.request_id(), Some("req_77"));
    assert!(!err.is_retryable());
    match &err {
        Error::Decode { path, .. } => assert_eq!(path, "data[3]"),
        other => panic!("{other:?}"),
    }
}

/// A TCP listener that counts the connections made to it and answers none.
async fn counting_listener() -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let connections = Arc::new(AtomicUsize::new(0));
    let counted = connections.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            counted.fetch_add(1, Ordering::SeqCst);
            drop(socket);
        }
    });
    (format!("http://{address}"), connections)
}

#[tokio::test]
async fn a_request_too_long_to_send_is_invalid_at_once_with_no_connection() {
    let (base_url, connections) = counting_listener().await;
    let client = pylon_sdk_tests::client_for(&base_url);
    let huge = "x".repeat(70_000);
    let started = std::time::Instant::now();
    let err = client.get_tag().id(&huge).send().await.unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
    assert!(!err.is_retryable() && !err.is_outcome_unknown());
    assert!(err.to_string().contains("get_tag"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(5));

    // A cursor that long, resumed from a checkpoint: the stream ends at once
    // with the error and the checkpoint, and says resuming will not help.
    let checkpoint: Checkpoint = serde_json::from_value(json!({
        "cursor": huge, "items_yielded": 40, "window_start": null, "previous_window_ids": []
    }))
    .unwrap();
    let mut pages = client
        .paginate_list_accounts()
        .resume_from(&checkpoint)
        .items();
    let err = pages.try_next().await.unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "no patience spent"
    );
    let Error::Interrupted { source, checkpoint } = &err else {
        panic!("{err:?}")
    };
    assert!(matches!(**source, Error::InvalidRequest(_)), "{source:?}");
    assert_eq!(checkpoint.cursor.as_deref(), Some(huge.as_str()));
    assert_eq!(checkpoint.items_yielded(), 40);
    assert!(!err.can_resume() && !err.is_retryable());
    assert!(
        err.to_string()
            .contains("resuming would meet the same failure")
    );
    assert!(pages.try_next().await.unwrap().is_none());
    assert_eq!(connections.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_cursor_too_long_to_send_ends_the_stream_after_the_items_before_it() {
    let server = MockServer::start_async().await;
    let huge = "c".repeat(70_000);
    let first = server.mock(|when, then| {
        when.method(GET).path("/accounts");
        then.status(200).json_body(json!({
            "data": [pylon_sdk_tests::objects::account("acc_1", "Acme")],
            "pagination": {"cursor": huge, "has_next_page": true},
            "request_id": "r"
        }));
    });
    let client = client(&server);
    let mut items = client.paginate_list_accounts().items();
    assert_eq!(items.try_next().await.unwrap().unwrap().id, "acc_1");
    let err = items.try_next().await.unwrap_err();
    assert_eq!(err.checkpoint().unwrap().items_yielded(), 1);
    assert_eq!(
        err.checkpoint().unwrap().cursor.as_deref(),
        Some(huge.as_str())
    );
    assert!(!err.can_resume());
    first.assert_calls(1);
}

#[tokio::test]
async fn empty_successes_and_redirects_keep_their_status() {
    let server = MockServer::start_async().await;
    server.mock(|when, then| {
        when.method(GET).path("/tags/empty");
        then.status(204);
    });
    for status in [301, 302, 303, 307, 308] {
        server.mock(|when, then| {
            when.method(GET).path(format!("/tags/moved_{status}"));
            then.status(status)
                .header("location", format!("{}/tags/tag_1", server.base_url()));
        });
    }
    let client = client(&server);
    let err = client.get_tag().id("empty").send().await.unwrap_err();
    assert_eq!(err.status(), Some(204));
    assert!(err.to_string().contains("status 204"), "{err}");
    for status in [301, 302, 303, 307, 308] {
        let err = client
            .get_tag()
            .id(format!("moved_{status}"))
            .send()
            .await
            .unwrap_err();
        assert_eq!(err.status(), Some(status), "{err:?}");
        assert!(
            matches!(&err, Error::UnexpectedStatus { location: Some(l), .. } if l.ends_with("/tags/tag_1")),
            "{err:?}"
        );
        assert!(!err.is_retryable());
    }
}

#[tokio::test]
async fn a_decode_failure_inside_a_stream_cannot_be_resumed_away() {
    let server = MockServer::start_async().await;
    server.mock(|when, then| {
        when.method(GET).path("/accounts");
        then.status(200)
            .json_body(json!({"data": [{"id": "acc_1"}], "request_id": "r"}));
    });
    let err = client(&server)
        .paginate_list_accounts()
        .patience(Duration::from_secs(600))
        .items()
        .try_collect::<Vec<types::Account>>()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Interrupted { source, .. } if matches!(**source, Error::Decode { .. }))
    );
    assert!(!err.can_resume() && !err.is_retryable());
    assert_eq!(err.status(), Some(200));
    assert!(
        err.to_string()
            .contains("at data[0]: missing field `created_at`"),
        "{err}"
    );
}

#[tokio::test]
async fn calls_by_name_give_each_item_as_sent() {
    let issues: Vec<String> = (1..=3)
        .map(|n| issue_with_unknown_fields_everywhere(&format!("iss_{n}"), n))
        .collect();
    let server = MockServer::start_async().await;
    server.mock(|when, then| {
        when.method(GET).path("/accounts");
        then.status(200).body(format!(
            r#"{{"data":[{}],"request_id":"r"}}"#,
            issues.join(" , ")
        ));
    });
    let items: Vec<_> = client(&server)
        .paginate_call("list_accounts", pylon_sdk::operations::OperationCall::new())
        .unwrap()
        .items()
        .try_collect()
        .await
        .unwrap();
    let sent: Vec<&str> = items.iter().map(|item| item.json()).collect();
    assert_eq!(sent, issues);
    assert_eq!(items[0]["id"], "iss_1");
}
