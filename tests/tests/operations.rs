//! Operations by name (`Client::call`, `Client::paginate_call`): the exact
//! request sent, the decoded JSON answer, pagination by query and by body
//! cursor, refusals before sending, and the same retries, error mapping and
//! path checks as the typed methods.

use futures::TryStreamExt;
use httpmock::Method::{GET, POST};
use httpmock::MockServer;
use pylon_sdk::operations::{self, OperationCall, Pagination};
use pylon_sdk::{Error, TagsExt};
use pylon_sdk_tests::fake::{FakeConfig, FakePylon, Fault};
use pylon_sdk_tests::objects::{account, issue, tag};
use pylon_sdk_tests::{Expect, TOKEN, client, client_for, roundtrip};
use serde_json::json;

#[tokio::test]
async fn a_get_with_a_path_parameter_sends_the_encoded_path_and_decodes_the_answer() {
    let answer = roundtrip(
        Expect {
            method: GET,
            path: "/tags/tag%2F1",
            query: &[],
            body: None,
            status: 200,
            response: json!({"data": tag("tag/1", "vip", "account"), "request_id": "r1"}),
        },
        |c| async move {
            c.call("get_tag", OperationCall::new().param("id", "tag/1"))
                .await
        },
    )
    .await;
    assert_eq!(
        answer,
        json!({"data": {"id": "tag/1", "value": "vip", "object_type": "account"}, "request_id": "r1"})
    );
}

#[tokio::test]
async fn a_post_sends_the_json_body_as_given() {
    // `extra` is not a field this SDK knows; it still reaches Pylon.
    let body =
        json!({"value": "vip", "object_type": "account", "hex_color": "#ff0000", "extra": 1});
    let answer = roundtrip(
        Expect {
            method: POST,
            path: "/tags",
            query: &[],
            body: Some(body.clone()),
            status: 200,
            response: json!({"data": tag("tag_9", "vip", "account"), "request_id": "r2"}),
        },
        |c| async move { c.call("create_tag", OperationCall::new().body(body)).await },
    )
    .await;
    assert_eq!(answer["data"]["id"], "tag_9");
}

#[tokio::test]
async fn query_parameters_are_sent_and_required_ones_enforced() {
    let answer = roundtrip(
        Expect {
            method: GET,
            path: "/custom-fields",
            query: &[("object_type", "issue")],
            body: None,
            status: 200,
            response: json!({"data": [], "request_id": "r3"}),
        },
        |c| async move {
            c.call(
                "list_custom_fields",
                OperationCall::new().param("object_type", "issue"),
            )
            .await
        },
    )
    .await;
    assert_eq!(answer["data"], json!([]));
}

#[tokio::test]
async fn a_query_cursor_list_streams_every_item_once() {
    let server = MockServer::start_async().await;
    let first = server.mock(|when, then| {
        when.method(GET)
            .path("/accounts")
            .header("authorization", format!("Bearer {TOKEN}"))
            .query_param("limit", "2")
            .query_param_missing("cursor");
        then.status(200)
            .json_body(json!({"data": [account("a1", "A"), account("a2", "B")],
            "pagination": {"cursor": "c2", "has_next_page": true}, "request_id": "r"}));
    });
    let last = server.mock(|when, then| {
        when.method(GET)
            .path("/accounts")
            .query_param("limit", "2")
            .query_param("cursor", "c2");
        then.status(200)
            .json_body(json!({"data": [account("a3", "C")], "request_id": "r"}));
    });
    let ids: Vec<serde_json::Value> = client(&server)
        .paginate_call("list_accounts", OperationCall::new())
        .unwrap()
        .page_size(2)
        .items()
        .map_ok(|item| item["id"].clone())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, [json!("a1"), json!("a2"), json!("a3")]);
    first.assert_calls(1);
    last.assert_calls(1);
}

#[tokio::test]
async fn a_body_cursor_search_keeps_its_filter_and_moves_the_cursor() {
    let server = MockServer::start_async().await;
    let filter = json!({"field": "state", "operator": "equals", "value": "new"});
    let first = server.mock(|when, then| {
        when.method(POST)
            .path("/issues/search")
            .json_body(json!({"filter": filter.clone(), "limit": 1}));
        then.status(200).json_body(json!({"data": [issue("i1", 1)],
            "pagination": {"cursor": "n2", "has_next_page": true}, "request_id": "r"}));
    });
    let last = server.mock(|when, then| {
        when.method(POST)
            .path("/issues/search")
            .json_body(json!({"filter": filter.clone(), "limit": 1, "cursor": "n2"}));
        then.status(200)
            .json_body(json!({"data": [issue("i2", 2)], "request_id": "r"}));
    });
    let numbers: Vec<serde_json::Value> = client(&server)
        .paginate_call(
            "search_issues",
            OperationCall::new().body(json!({"filter": filter})),
        )
        .unwrap()
        .page_size(1)
        .items()
        .map_ok(|item| item["number"].clone())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(numbers, [json!(1), json!(2)]);
    first.assert_calls(1);
    last.assert_calls(1);
}

#[tokio::test]
async fn refusals_happen_before_anything_is_sent() {
    let server = MockServer::start_async().await;
    let any = server.mock(|when, then| {
        when.any_request();
        then.status(200).json_body(json!({"request_id": "r"}));
    });
    let client = client(&server);
    let refusals = [
        client.call("no_such_operation", OperationCall::new()).await,
        client.call("get_tag", OperationCall::new()).await,
        client
            .call("get_tag", OperationCall::new().param("id", ".."))
            .await,
        client
            .call(
                "create_tag",
                OperationCall::new().body(json!({"value": "x"})),
            )
            .await,
        client
            .call(
                "create_tag",
                OperationCall::new().body(json!({"value": " ", "object_type": "account"})),
            )
            .await,
        client
            .call("list_accounts", OperationCall::new().param("limit", "5000"))
            .await,
        client
            .call(
                "list_issues",
                OperationCall::new()
                    .param("start_time", "2026-02-01T00:00:00Z")
                    .param("end_time", "2026-01-01T00:00:00Z"),
            )
            .await,
    ];
    for refusal in refusals {
        assert!(
            matches!(refusal, Err(Error::InvalidRequest(_))),
            "{refusal:?}"
        );
    }
    assert!(matches!(
        client.paginate_call("get_tag", OperationCall::new().param("id", "t")),
        Err(Error::InvalidRequest(m)) if m.contains("not a cursor-paginated list")
    ));
    assert_eq!(any.calls(), 0);
}

#[tokio::test]
async fn errors_and_retries_are_those_of_the_typed_methods() {
    let fake = FakePylon::start(FakeConfig {
        fault_rate: 1.0,
        faults: vec![Fault::Unavailable],
        ..FakeConfig::default()
    })
    .await;
    let client = client_for(&fake.base_url());
    let error = client
        .call("list_tags", OperationCall::new())
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(503));
    assert_eq!(fake.stats().requests, 3, "the standard policy's 3 attempts");

    let fake = FakePylon::start(FakeConfig::default()).await;
    let client = client_for(&fake.base_url());
    let missing = client
        .call("get_tag", OperationCall::new().param("id", "tag_404"))
        .await
        .unwrap_err();
    assert!(missing.is_not_found(), "{missing}");
    let created = client.ensure_tag("vip", "account", None).await.unwrap();
    let duplicate = client
        .call(
            "create_tag",
            OperationCall::new().body(json!({"value": "vip", "object_type": "account"})),
        )
        .await
        .unwrap_err();
    assert!(duplicate.is_duplicate());
    assert_eq!(
        duplicate.api().unwrap().exists_id.as_deref(),
        Some(created.id.as_str())
    );
}

#[test]
fn every_operation_is_in_the_catalogue_with_its_pagination() {
    let paginated: Vec<&str> = operations::all()
        .iter()
        .filter(|op| op.pagination() != Pagination::None)
        .map(|op| op.id())
        .collect();
    for expected in [
        "list_accounts",
        "list_issues",
        "list_issue_messages",
        "search_issues",
        "search_tags",
    ] {
        assert!(paginated.contains(&expected), "{expected}");
    }
    assert!(!paginated.contains(&"list_tags"));
}

#[tokio::test]
async fn bodies_of_the_wrong_shape_are_refused_with_the_field_named() {
    let server = MockServer::start_async().await;
    let any = server.mock(|when, then| {
        when.any_request();
        then.status(200).json_body(json!({"request_id": "r"}));
    });
    let client = client(&server);
    for (body, expected) in [
        (json!(["vip"]), "CreateTagRequest: it must be a JSON object"),
        (json!({"value": "vip"}), "`object_type` is missing"),
        (
            json!({"value": "vip", "object_type": null}),
            "`object_type` is missing",
        ),
        (
            json!({"value": 7, "object_type": "account"}),
            "`value` must be a string",
        ),
    ] {
        match client
            .call("create_tag", OperationCall::new().body(body.clone()))
            .await
        {
            Err(Error::InvalidRequest(reason)) => {
                assert!(reason.contains(expected), "{body}: {reason}")
            }
            other => panic!("{body}: {other:?}"),
        }
    }
    let wrong_kind = client
        .call(
            "search_issues",
            OperationCall::new().body(json!({"limit": 2.5, "filter": {}})),
        )
        .await;
    assert!(
        matches!(&wrong_kind, Err(Error::InvalidRequest(r)) if r.contains("`limit` must be an integer")),
        "{wrong_kind:?}"
    );
    assert_eq!(any.calls(), 0);
}

/// A body Pylon's definition describes inline rather than as a named schema
/// (`merge_accounts`) is checked like any other before sending, and a
/// well-formed one is sent as given.
#[tokio::test]
async fn an_inline_body_is_checked_like_a_named_one() {
    let server = MockServer::start_async().await;
    let any = server.mock(|when, then| {
        when.any_request();
        then.status(200).json_body(json!({"request_id": "r"}));
    });
    let client = client(&server);
    for (body, expected) in [
        (
            json!({"merge_account_ids": ["acc_2"]}),
            "the body is not a valid MergeAccountsBody: `merge_into_account_id` is missing",
        ),
        (
            json!({"merge_into_account_id": "acc_1", "merge_account_ids": "acc_2"}),
            "`merge_account_ids` must be an array",
        ),
        (
            json!({"merge_into_account_id": 1, "merge_account_ids": ["acc_2"]}),
            "`merge_into_account_id` must be a string",
        ),
        (json!("acc_1"), "it must be a JSON object"),
    ] {
        match client
            .call("merge_accounts", OperationCall::new().body(body.clone()))
            .await
        {
            Err(Error::InvalidRequest(reason)) => {
                assert!(reason.contains(expected), "{body}: {reason}")
            }
            other => panic!("{body}: {other:?}"),
        }
    }
    assert_eq!(any.calls(), 0);

    let body = json!({"merge_into_account_id": "acc_1", "merge_account_ids": ["acc_2", "acc_3"]});
    let merged = roundtrip(
        Expect {
            method: POST,
            path: "/accounts/merge",
            query: &[],
            body: Some(body.clone()),
            status: 200,
            response: json!({"data": account("acc_1", "Acme"), "request_id": "r_merge"}),
        },
        |c| async move {
            c.call("merge_accounts", OperationCall::new().body(body))
                .await
        },
    )
    .await;
    assert_eq!(merged["data"]["id"], "acc_1");
}
