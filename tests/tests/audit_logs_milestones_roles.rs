//! Audit logs, milestone search and user roles: every operation's exact
//! request and decoded response.

use chrono::{TimeZone, Utc};
use httpmock::Method::{GET, POST};
use pylon_sdk::filter::{Filter, audit_log, milestone};
use pylon_sdk_tests::responses::response_fixture;
use pylon_sdk_tests::{Expect, roundtrip};
use serde_json::json;

#[tokio::test]
async fn audit_logs_list_and_search() {
    let listed = roundtrip(
        Expect {
            method: GET,
            path: "/audit-logs",
            query: &[("cursor", "cur_1"), ("limit", "500")],
            body: None,
            status: 200,
            response: response_fixture("list_audit_logs.full"),
        },
        |c| async move {
            c.list_audit_logs()
                .cursor("cur_1".to_string())
                .limit(500)
                .send()
                .await
        },
    )
    .await;
    let entry = &listed.data[0];
    assert_eq!(entry.action, "account.updated");
    assert_eq!(entry.attributes["field"], "owner_id");
    assert_eq!(entry.metadata["after"], "usr_1");
    assert_eq!(listed.pagination.as_ref().unwrap().cursor, "cur_2");

    let found = roundtrip(
        Expect {
            method: POST,
            path: "/audit-logs/search",
            query: &[],
            body: Some(json!({"filter": {"operator": "and", "subfilters": [
                                {"field": "action", "operator": "string_contains", "value": "account."},
                                {"field": "object_id", "operator": "in", "values": ["acc_1", "acc_2"]}]},
                              "limit": 100})),
            status: 200,
            response: response_fixture("search_audit_logs.minimal"),
        },
        |c| async move {
            let mut request = Filter::and([
                audit_log::action().string_contains("account."),
                audit_log::object_id().in_(["acc_1", "acc_2"]),
            ])
            .into_filter_search_request()
            .unwrap();
            request.limit = Some(100);
            c.search_audit_logs().body(request).send().await
        },
    )
    .await;
    assert!(
        found.pagination.is_none(),
        "the last page has no pagination"
    );
    assert!(found.data[0].metadata.is_empty() && found.data[0].actor_user_id.is_none());
}

#[tokio::test]
async fn milestones_search_by_project_and_due_date() {
    let found = roundtrip(
        Expect {
            method: POST,
            path: "/milestones/search",
            query: &[],
            body: Some(json!({"filter": {"operator": "and", "subfilters": [
                                {"field": "project_id", "operator": "equals", "value": "proj_1"},
                                {"field": "due_date", "operator": "time_is_before", "value": "2026-07-01T00:00:00Z"}]},
                              "cursor": "cur_1", "limit": 50})),
            status: 200,
            response: response_fixture("search_milestones.full"),
        },
        |c| async move {
            let mut request = Filter::and([
                milestone::project_id().equals("proj_1"),
                milestone::due_date().before(Utc.with_ymd_and_hms(2026, 7, 1, 0, 0, 0).unwrap()),
            ])
            .into_filter_search_request()
            .unwrap();
            request.cursor = Some("cur_1".into());
            request.limit = Some(50);
            c.search_milestones().body(request).send().await
        },
    )
    .await;
    assert_eq!(found.request_id, "req_sms");
    let milestone = serde_json::to_value(&found.data[0]).unwrap();
    assert_eq!(milestone["name"], "Go live");
    assert_eq!(milestone["project"]["id"], "proj_1");
}

#[tokio::test]
async fn user_roles_are_listed() {
    let listed = roundtrip(
        Expect {
            method: GET,
            path: "/user-roles",
            query: &[],
            body: None,
            status: 200,
            response: response_fixture("list_user_roles.full"),
        },
        |c| async move { c.list_user_roles().send().await },
    )
    .await;
    let role = &listed.data[0];
    assert_eq!((role.id.as_str(), role.slug.as_str()), ("role_1", "admin"));
}
