//! Pagination streams against httpmock: one mock per cursor, lazy fetching,
//! every stop condition, and a repeating cursor.

use futures::{StreamExt, TryStreamExt};
use httpmock::Method::{GET, POST};
use httpmock::MockServer;
use pylon_sdk::{Error, Paginate, types};
use pylon_sdk_tests::client;
use pylon_sdk_tests::objects::{account, contact, issue, tag, task};
use serde_json::json;

fn accounts(ids: &[&str]) -> serde_json::Value {
    json!(
        ids.iter()
            .map(|id| account(id, &format!("Account {id}")))
            .collect::<Vec<_>>()
    )
}

#[tokio::test]
async fn account_items_follow_cursors_until_pagination_is_absent() {
    let server = MockServer::start_async().await;
    let first = server.mock(|when, then| {
        when.method(GET)
            .path("/accounts")
            .query_param("limit", "2")
            .query_param_missing("cursor");
        then.status(200)
            .json_body(json!({"data": accounts(&["a1", "a2"]),
            "pagination": {"cursor": "c2", "has_next_page": true}, "request_id": "r1"}));
    });
    let second = server.mock(|when, then| {
        when.method(GET)
            .path("/accounts")
            .query_param("limit", "2")
            .query_param("cursor", "c2");
        then.status(200)
            .json_body(json!({"data": accounts(&["a3", "a4"]),
            "pagination": {"cursor": "c3", "has_next_page": true}, "request_id": "r2"}));
    });
    let last = server.mock(|when, then| {
        when.method(GET)
            .path("/accounts")
            .query_param("limit", "2")
            .query_param("cursor", "c3");
        then.status(200)
            .json_body(json!({"data": accounts(&["a5"]), "request_id": "r3"}));
    });
    let client = client(&server);
    let ids: Vec<String> = client
        .paginate_list_accounts()
        .page_size(2)
        .items()
        .map_ok(|a| a.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, ["a1", "a2", "a3", "a4", "a5"]);
    first.assert_calls(1);
    second.assert_calls(1);
    last.assert_calls(1);
}

#[tokio::test]
async fn pages_are_fetched_only_when_polled() {
    let server = MockServer::start_async().await;
    let first = server.mock(|when, then| {
        when.method(GET)
            .path("/contacts")
            .query_param_missing("cursor");
        then.status(200).json_body(
            json!({"data": [contact("c1", "Ann")], "pagination": {"cursor": "n", "has_next_page": true},
                   "request_id": "r"}),
        );
    });
    let second = server.mock(|when, then| {
        when.method(GET)
            .path("/contacts")
            .query_param("cursor", "n");
        then.status(200)
            .json_body(json!({"data": [contact("c2", "Bo")], "request_id": "r"}));
    });
    let client = client(&server);
    let mut pages = client.paginate_list_contacts().pages();
    first.assert_calls(0);
    let page = pages.try_next().await.unwrap().unwrap();
    assert_eq!(page.data[0].id, "c1");
    assert_eq!(page.pagination.as_ref().unwrap().cursor, "n");
    first.assert_calls(1);
    second.assert_calls(0);
    drop(pages);
    second.assert_calls(0);
}

#[tokio::test]
async fn an_empty_cursor_or_has_next_page_false_ends_the_stream() {
    for pagination in [
        json!({"cursor": "", "has_next_page": true}),
        json!({"cursor": "more", "has_next_page": false}),
    ] {
        let server = MockServer::start_async().await;
        let only = server.mock(|when, then| {
            when.method(GET).path("/tasks");
            then.status(200).json_body(
                json!({"data": [task("t1", "Onboard")], "pagination": pagination,
                                  "request_id": "r"}),
            );
        });
        let tasks: Vec<_> = client(&server)
            .paginate_list_tasks()
            .items()
            .try_collect()
            .await
            .unwrap();
        assert_eq!(tasks.len(), 1);
        only.assert_calls(1);
    }
}

#[tokio::test]
async fn search_pages_keep_the_filter_and_move_the_cursor_in_the_body() {
    let server = MockServer::start_async().await;
    let filter = json!({"field": "state", "operator": "equals", "value": "new"});
    let first = server.mock(|when, then| {
        when.method(POST)
            .path("/issues/search")
            .json_body(json!({"filter": filter, "limit": 1}));
        then.status(200).json_body(
            json!({"data": [issue("i1", 1)], "pagination": {"cursor": "p2", "has_next_page": true},
                   "request_id": "r"}),
        );
    });
    let second = server.mock(|when, then| {
        when.method(POST)
            .path("/issues/search")
            .json_body(json!({"filter": filter, "limit": 1, "cursor": "p2"}));
        then.status(200)
            .json_body(json!({"data": [issue("i2", 2)], "request_id": "r"}));
    });
    let request = types::SearchRequest {
        filter: Some(types::Filter {
            field: Some("state".into()),
            operator: types::FilterOperator::Equals,
            value: Some("new".into()),
            values: vec![],
            subfilters: vec![],
        }),
        ..Default::default()
    };
    let issues: Vec<_> = client(&server)
        .paginate_search_issues(request)
        .page_size(1)
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(issues.len(), 2);
    first.assert_calls(1);
    second.assert_calls(1);
}

#[tokio::test]
async fn a_repeated_cursor_ends_the_stream_with_an_error() {
    let server = MockServer::start_async().await;
    server.mock(|when, then| {
        when.method(POST).path("/tags/search").json_body(json!({}));
        then.status(200).json_body(json!({"data": [tag("t1", "a", "issue")], "request_id": "r",
                                          "pagination": {"cursor": "same", "has_next_page": true}}));
    });
    let again = server.mock(|when, then| {
        when.method(POST).path("/tags/search").json_body(json!({"cursor": "same"}));
        then.status(200).json_body(json!({"data": [tag("t2", "b", "issue")], "request_id": "r",
                                          "pagination": {"cursor": "same", "has_next_page": true}}));
    });
    let client = client(&server);
    let results: Vec<_> = client
        .paginate_search_tags(types::SearchTagsRequest::default())
        .items()
        .collect()
        .await;
    assert_eq!(
        results.len(),
        3,
        "two items, then the error, then the end: {results:?}"
    );
    assert!(matches!(results[2], Err(Error::RepeatedCursor(ref c)) if c == "same"));
    again.assert_calls(1);
}

#[tokio::test]
async fn an_error_is_the_last_item() {
    let server = MockServer::start_async().await;
    server.mock(|when, then| {
        when.method(GET)
            .path("/knowledge-bases/kb/articles")
            .query_param_missing("cursor");
        then.status(200).json_body(
            json!({"data": [{"id": "a1", "title": "Reset a password", "slug": "reset", "identifier": "reset",
                             "url": "https://help/reset", "is_published": true, "is_unlisted": false,
                             "created_at": "2026-01-01T00:00:00Z"}],
                   "pagination": {"cursor": "x", "has_next_page": true}, "request_id": "r"}),
        );
    });
    server.mock(|when, then| {
        when.method(GET)
            .path("/knowledge-bases/kb/articles")
            .query_param("cursor", "x");
        then.status(404)
            .json_body(json!({"errors": ["knowledge base gone"], "request_id": "r"}));
    });
    let results: Vec<_> = client(&server)
        .paginate_list_articles("kb")
        .items()
        .collect()
        .await;
    assert_eq!(results.len(), 2);
    assert!(results[0].is_ok());
    assert!(results[1].as_ref().unwrap_err().is_not_found());
}

#[tokio::test]
async fn typed_filters_drive_search_streams() {
    use pylon_sdk::filter::{Filter, account};
    let server = MockServer::start_async().await;
    let expected = json!({"operator": "or", "subfilters": [
        {"field": "domains", "operator": "contains", "value": "acme.com"},
        {"field": "name", "operator": "string_contains", "value": "Acme"}]});
    let first = server.mock(|when, then| {
        when.method(POST)
            .path("/accounts/search")
            .json_body(json!({"filter": expected, "limit": 2}));
        then.status(200)
            .json_body(json!({"data": accounts(&["a1", "a2"]), "request_id": "r",
                                          "pagination": {"cursor": "k", "has_next_page": true}}));
    });
    let second = server.mock(|when, then| {
        when.method(POST)
            .path("/accounts/search")
            .json_body(json!({"filter": expected, "limit": 2, "cursor": "k"}));
        then.status(200)
            .json_body(json!({"data": accounts(&["a3"]), "request_id": "r"}));
    });
    let request = Filter::or([
        account::domains().contains("acme.com"),
        account::name().string_contains("Acme"),
    ])
    .into_search_request()
    .unwrap();
    let found: Vec<_> = client(&server)
        .paginate_search_accounts(request)
        .page_size(2)
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(found.len(), 3);
    first.assert_calls(1);
    second.assert_calls(1);
}

/// A page built from an operation's minimal response fixture, continuing to
/// `next` when given.
fn fixture_page(operation: &str, next: Option<&str>) -> serde_json::Value {
    let mut page = pylon_sdk_tests::responses::response_fixture(&format!("{operation}.minimal"));
    if let Some(cursor) = next {
        page["pagination"] = json!({"cursor": cursor, "has_next_page": true});
    }
    page
}

#[tokio::test]
async fn custom_objects_page_by_query_cursor_under_their_object_type() {
    let server = MockServer::start_async().await;
    let first = server.mock(|when, then| {
        when.method(GET)
            .path("/custom-objects/companies")
            .query_param("limit", "1")
            .query_param_missing("cursor");
        then.status(200)
            .json_body(fixture_page("list_custom_objects", Some("c2")));
    });
    let second = server.mock(|when, then| {
        when.method(GET)
            .path("/custom-objects/companies")
            .query_param("limit", "1")
            .query_param("cursor", "c2");
        then.status(200)
            .json_body(fixture_page("list_custom_objects", None));
    });
    let objects: Vec<_> = client(&server)
        .paginate_list_custom_objects("companies")
        .page_size(1)
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(objects.len(), 2);
    first.assert_calls(1);
    second.assert_calls(1);
}

#[tokio::test]
async fn audit_log_searches_keep_their_filter_and_page_by_body_cursor() {
    let server = MockServer::start_async().await;
    let filter = json!({"field": "object_type", "operator": "equals", "value": "account"});
    let first = server.mock(|when, then| {
        when.method(POST)
            .path("/audit-logs/search")
            .json_body(json!({"filter": filter, "limit": 50}));
        then.status(200)
            .json_body(fixture_page("search_audit_logs", Some("n2")));
    });
    let second = server.mock(|when, then| {
        when.method(POST)
            .path("/audit-logs/search")
            .json_body(json!({"filter": filter, "limit": 50, "cursor": "n2"}));
        then.status(200)
            .json_body(fixture_page("search_audit_logs", None));
    });
    let request = pylon_sdk::filter::Filter::raw(
        "object_type",
        types::FilterOperator::Equals,
        Some("account".into()),
        Vec::new(),
    )
    .into_filter_search_request()
    .expect("a search request");
    let logs: Vec<_> = client(&server)
        .paginate_search_audit_logs(request)
        .page_size(50)
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(logs.len(), 2);
    first.assert_calls(1);
    second.assert_calls(1);
}

#[tokio::test]
async fn a_long_conversation_pages_by_query_cursor() {
    let server = MockServer::start_async().await;
    let first = server.mock(|when, then| {
        when.method(GET)
            .path("/issues/iss_1/messages")
            .query_param("limit", "1")
            .query_param_missing("cursor");
        then.status(200)
            .json_body(fixture_page("list_issue_messages", Some("m2")));
    });
    let second = server.mock(|when, then| {
        when.method(GET)
            .path("/issues/iss_1/messages")
            .query_param("limit", "1")
            .query_param("cursor", "m2");
        then.status(200)
            .json_body(fixture_page("list_issue_messages", None));
    });
    let messages: Vec<_> = client(&server)
        .paginate_list_issue_messages("iss_1")
        .page_size(1)
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(messages.len(), 2);
    first.assert_calls(1);
    second.assert_calls(1);
}
