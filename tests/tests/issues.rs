//! Issues: every operation's exact request and decoded response, RFC 3339
//! date-times in queries, and path parameters that cannot escape their segment.

use chrono::{TimeZone, Utc};
use httpmock::Method::{DELETE, GET, PATCH, POST};
use httpmock::MockServer;
use pylon_sdk::mock::MockServerExt;
use pylon_sdk::types;
use pylon_sdk_tests::{Expect, client, roundtrip};
use serde_json::json;

fn issue() -> serde_json::Value {
    json!({"id": "iss_1", "number": 42, "title": "Login broken", "body_html": "<p>help</p>",
           "state": "waiting_on_you", "type": "ticket", "source": "slack", "link": "https://app/issues/42",
           "created_at": "2026-03-01T10:00:00Z", "updated_at": "2026-03-01T11:00:00Z",
           "customer_portal_visible": true, "is_issue_group": false, "number_of_touches": 3, "account": {"id": "acc_1", "external_ids": [{"external_id": "sf_1", "label": "salesforce"}]},
           "requester": {"id": "con_1", "email": "a@b.c"}, "assignee": {"id": "usr_1", "email": "agent@x.y"},
           "team": {"id": "team_1"}, "tags": ["vip"], "first_response_seconds": 30,
           "custom_fields": {"tier": {"slug": "tier", "value": "gold"}, "areas": {"slug": "areas", "values": ["auth", "sso"]}},
           "time_in_status_seconds": {"new": 10}, "csat_responses": [{"score": 5, "comment": "great"}]})
}

/// An empty issue list, decoded from JSON like every response.
fn empty_list(request_id: &str) -> types::IssueListResponse {
    serde_json::from_value(json!({"data": [], "request_id": request_id})).unwrap()
}

#[tokio::test]
async fn list_issues_sends_rfc3339_times_and_pages() {
    let listed = roundtrip(
        Expect {
            method: GET,
            path: "/issues",
            query: &[("start_time", "2026-03-01T00:00:00Z"), ("end_time", "2026-03-31T00:00:00Z"), ("cursor", "c1"), ("limit", "100")],
            body: None,
            status: 200,
            response: json!({"data": [issue()], "pagination": {"cursor": "c2", "has_next_page": true}, "request_id": "r"}),
        },
        |c| async move {
            c.list_issues()
                .start_time(Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap())
                .end_time(Utc.with_ymd_and_hms(2026, 3, 31, 0, 0, 0).unwrap())
                .cursor("c1")
                .limit(100)
                .send()
                .await
        },
    )
    .await;
    let first = &listed.data[0];
    assert_eq!(first.number, 42);
    let fields = first.custom_fields.as_ref().unwrap();
    let tier = fields["tier"].as_ref().unwrap();
    assert_eq!(tier.value.as_deref(), Some("gold"));
    let areas = fields["areas"].as_ref().unwrap();
    assert_eq!(
        areas.values.as_deref(),
        Some(&["auth".to_string(), "sso".to_string()][..])
    );
    assert_eq!(
        first
            .account
            .as_ref()
            .unwrap()
            .external_ids
            .as_ref()
            .unwrap()[0]
            .external_id
            .as_deref(),
        Some("sf_1")
    );
    assert_eq!(
        first.requester.as_ref().unwrap().email.as_deref(),
        Some("a@b.c")
    );
    assert_eq!(listed.pagination.unwrap().cursor, "c2");
}

/// The generated `list_issues` mock matcher renders date-times with
/// `to_string()` (`2026-03-01 00:00:00 UTC`) while the client sends RFC 3339;
/// matching the raw query through `into_inner()` is the workaround.
#[tokio::test]
async fn generated_mocks_match_date_times_through_the_raw_query() {
    let server = MockServer::start_async().await;
    let start = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
    let end = Utc.with_ymd_and_hms(2026, 3, 2, 0, 0, 0).unwrap();
    let typed = server.list_issues(|when, then| {
        when.start_time(&start).end_time(&end);
        then.ok(&empty_list("typed"));
    });
    let raw = server.list_issues(|when, then| {
        when.into_inner()
            .query_param(
                "start_time",
                start.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            )
            .query_param(
                "end_time",
                end.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            );
        then.ok(&empty_list("raw"));
    });
    let response = client(&server)
        .list_issues()
        .start_time(start)
        .end_time(end)
        .send()
        .await
        .unwrap();
    assert_eq!(response.request_id, "raw");
    assert_eq!(
        (typed.calls(), raw.calls()),
        (0, 1),
        "the typed matcher never matches RFC 3339"
    );
}

#[tokio::test]
async fn create_issue_writes_custom_fields_as_an_array() {
    let created = roundtrip(
        Expect {
            method: POST,
            path: "/issues",
            query: &[],
            body: Some(json!({"title": "Login broken", "body_html": "<p>help</p>", "account_id": "acc_1",
                              "priority": "high", "tags": ["vip"],
                              "custom_fields": [{"slug": "tier", "value": "gold"}, {"slug": "areas", "values": ["auth"]}]})),
            status: 200,
            response: json!({"data": issue(), "request_id": "r"}),
        },
        |c| async move {
            c.create_issue()
                .body(
                    types::CreateIssueRequest::builder()
                        .title("Login broken")
                        .body_html("<p>help</p>")
                        .account_id(String::from("acc_1"))
                        .priority(types::IssuePriority::High)
                        .tags(vec!["vip".to_string()])
                        .custom_fields(vec![
                            types::CustomFieldValue { slug: "tier".into(), value: Some("gold".into()), values: vec![] },
                            types::CustomFieldValue { slug: "areas".into(), value: None, values: vec!["auth".into()] },
                        ]),
                )
                .send()
                .await
        },
    )
    .await;
    assert_eq!(created.data.id, "iss_1");
}

#[tokio::test]
async fn get_update_and_delete_issue() {
    let got = roundtrip(
        Expect {
            method: GET,
            path: "/issues/42",
            query: &[],
            body: None,
            status: 200,
            response: json!({"data": issue(), "request_id": "r"}),
        },
        |c| async move { c.get_issue().id("42").send().await },
    )
    .await;
    assert_eq!(got.data.state, "waiting_on_you");

    let updated = roundtrip(
        Expect {
            method: PATCH,
            path: "/issues/iss_1",
            query: &[],
            body: Some(json!({"state": "closed", "assignee_id": "", "type": "ticket", "tags": []})),
            status: 200,
            response: json!({"data": issue(), "request_id": "r"}),
        },
        |c| async move {
            c.update_issue()
                .id("iss_1")
                .body(types::UpdateIssueRequest {
                    state: Some("closed".into()),
                    assignee_id: Some(String::new()),
                    type_: Some(types::IssueType::Ticket),
                    tags: Some(vec![]),
                    ..Default::default()
                })
                .send()
                .await
        },
    )
    .await;
    assert_eq!(updated.data.type_, "ticket");

    // The older spelling Pylon still accepts is sent as given.
    let moved = roundtrip(
        Expect {
            method: PATCH,
            path: "/issues/iss_1",
            query: &[],
            body: Some(json!({"requestor_id": "con_2"})),
            status: 200,
            response: json!({"data": issue(), "request_id": "r_requestor"}),
        },
        |c| async move {
            c.update_issue()
                .id("iss_1")
                .body(types::UpdateIssueRequest {
                    requestor_id: Some("con_2".into()),
                    ..Default::default()
                })
                .send()
                .await
        },
    )
    .await;
    assert_eq!(moved.request_id, "r_requestor");

    let deleted = roundtrip(
        Expect {
            method: DELETE,
            path: "/issues/iss_1",
            query: &[],
            body: None,
            status: 200,
            response: json!({"request_id": "del"}),
        },
        |c| async move { c.delete_issue().id("iss_1").send().await },
    )
    .await;
    assert_eq!(deleted.request_id, "del");
}

#[tokio::test]
async fn search_issues_sends_a_typed_filter() {
    let found = roundtrip(
        Expect { method: POST, path: "/issues/search", query: &[],
                 body: Some(json!({"filter": {"field": "state", "operator": "in", "values": ["new", "on_hold"]}, "limit": 10})),
                 status: 200,
                 response: json!({"data": [issue()], "request_id": "r"}) },
        |c| async move {
            c.search_issues()
                .body(types::SearchRequest {
                    filter: Some(types::Filter {
                    field: Some("state".into()),
                        operator: types::FilterOperator::In,
                        values: vec!["new".into(), "on_hold".into()],
                        value: None,
                        subfilters: vec![],
                    }),
                    limit: Some(10),
                    ..Default::default()
                })
                .send()
                .await
        },
    )
    .await;
    assert_eq!(found.data.len(), 1);
}

#[tokio::test]
async fn snooze_sends_snooze_until() {
    let snoozed = roundtrip(
        Expect {
            method: POST,
            path: "/issues/iss_1/snooze",
            query: &[],
            body: Some(json!({"snooze_until": "2026-04-01T09:30:00Z"})),
            status: 200,
            response: json!({"data": issue(), "request_id": "r"}),
        },
        |c| async move {
            c.snooze_issue()
                .id("iss_1")
                .body(types::SnoozeIssueRequest {
                    snooze_until: Utc.with_ymd_and_hms(2026, 4, 1, 9, 30, 0).unwrap(),
                })
                .send()
                .await
        },
    )
    .await;
    assert_eq!(snoozed.data.number, 42);
}

#[tokio::test]
async fn followers_are_listed_and_changed_with_user_and_contact_ids() {
    let followers = json!({"data": [{"id": "usr_1", "type": "user"}, {"id": "con_1", "type": "contact"}], "request_id": "r"});
    let listed = roundtrip(
        Expect {
            method: GET,
            path: "/issues/iss_1/followers",
            query: &[],
            body: None,
            status: 200,
            response: followers.clone(),
        },
        |c| async move { c.list_issue_followers().id("iss_1").send().await },
    )
    .await;
    assert_eq!(listed.data[1].type_, "contact");
    let changed = roundtrip(
        Expect {
            method: POST,
            path: "/issues/iss_1/followers",
            query: &[],
            body: Some(
                json!({"user_ids": ["usr_1"], "contact_ids": ["con_1"], "operation": "remove"}),
            ),
            status: 200,
            response: followers,
        },
        |c| async move {
            c.update_issue_followers()
                .id("iss_1")
                .body(types::UpdateIssueFollowersRequest {
                    user_ids: vec!["usr_1".into()],
                    contact_ids: vec!["con_1".into()],
                    operation: Some(types::FollowerOperation::Remove),
                })
                .send()
                .await
        },
    )
    .await;
    assert_eq!(changed.data.len(), 2);
}

#[tokio::test]
async fn one_external_issue_is_linked_per_call() {
    let linked = roundtrip(
        Expect {
            method: POST,
            path: "/issues/iss_1/external-issues",
            query: &[],
            body: Some(
                json!({"external_issue_id": "LIN-7", "source": "linear", "operation": "link"}),
            ),
            status: 200,
            response: json!({"data": issue(), "request_id": "r"}),
        },
        |c| async move {
            c.link_external_issues()
                .id("iss_1")
                .body(types::LinkExternalIssueRequest {
                    external_issue_id: "LIN-7".into(),
                    source: "linear".into(),
                    operation: Some(types::ExternalIssueOperation::Link),
                })
                .send()
                .await
        },
    )
    .await;
    assert_eq!(linked.data.id, "iss_1");
}

#[tokio::test]
async fn path_parameters_are_percent_encoded_and_stay_in_their_segment() {
    let server = MockServer::start_async().await;
    let cases = [
        ("a/b", "/tags/a%2Fb"),
        ("a?b=c", "/tags/a%3Fb%3Dc"),
        ("x#frag", "/tags/x%23frag"),
        ("100%", "/tags/100%25"),
        ("%2e%2e", "/tags/%252e%252e"),
        ("two words", "/tags/two%20words"),
        ("café-標籤", "/tags/caf%C3%A9-%E6%A8%99%E7%B1%A4"),
    ];
    let catch_all = server.mock(|when, then| {
        when.method(GET).path_prefix("/tags/");
        then.status(200).json_body(
            json!({"data": {"id": "t", "value": "v", "object_type": "issue"}, "request_id": "r"}),
        );
    });
    let client = client(&server);
    for (raw, _) in &cases {
        client.get_tag().id(*raw).send().await.unwrap();
    }
    assert_eq!(
        catch_all.calls(),
        cases.len(),
        "every request stayed under /tags/ with one segment"
    );
    let escaped = server.mock(|when, then| {
        when.method(GET).path_prefix("/").path_prefix_not("/tags/");
        then.status(500);
    });
    for (raw, _) in &cases {
        client.get_tag().id(*raw).send().await.unwrap();
    }
    assert_eq!(escaped.calls(), 0, "no request left the /tags/ prefix");
    // The raw paths as they arrived, percent-encoding included.
    let recorder = pylon_sdk_tests::hostile::Hostile::start(|_, _| async {
        Some(pylon_sdk_tests::hostile::json(
            200,
            json!({"data": {"id": "t", "value": "v", "object_type": "account"}, "request_id": "r"}),
        ))
    })
    .await;
    let recorded = pylon_sdk_tests::client_for(&recorder.base_url());
    for (raw, _) in &cases {
        recorded.get_tag().id(*raw).send().await.unwrap();
    }
    let expected: Vec<&str> = cases.iter().map(|(_, path)| *path).collect();
    assert_eq!(recorder.paths(), expected);
    for relative in ["..", ".", ""] {
        let err = client.get_tag().id(relative).send().await.unwrap_err();
        assert!(
            matches!(err, pylon_sdk::Error::InvalidRequest(_)),
            "{relative:?}: {err}"
        );
    }
    assert_eq!(
        escaped.calls(),
        0,
        "relative steps were refused before sending"
    );
}
