//! Issue operations beyond one issue's fields: bulk update, merge, mark as
//! spam, incidents, survey responses, voice calls and issue groups; each
//! operation's exact request and decoded response.

use chrono::{TimeZone, Utc};
use httpmock::Method::{DELETE, GET, PATCH, POST};
use httpmock::MockServer;
use pylon_sdk::types;
use pylon_sdk_tests::objects::{issue, with};
use pylon_sdk_tests::{Expect, client, roundtrip};
use serde_json::json;

/// Flow: put three issues on hold and tag them, seeing which were skipped.
#[tokio::test]
async fn bulk_update_three_issues() {
    let result = roundtrip(
        Expect {
            method: PATCH,
            path: "/issues",
            query: &[],
            body: Some(json!({"issue_ids": ["iss_1", "iss_2", "iss_3"], "state": "on_hold",
                              "tags": ["outage"], "tags_apply_mode": "append_only",
                              "custom_fields": [{"slug": "incident", "value": "INC-7"}]})),
            status: 200,
            response: json!({"data": {"succeeded_issue_ids": ["iss_1", "iss_2"],
                                      "skipped_issues": [{"issue_id": "iss_3", "reason": "not_found"}]},
                             "request_id": "r"}),
        },
        |c| async move {
            c.update_issues()
                .body(
                    types::UpdateIssuesRequest::builder()
                        .issue_ids(vec!["iss_1".into(), "iss_2".into(), "iss_3".into()])
                        .state(Some("on_hold".to_string()))
                        .tags(Some(vec!["outage".to_string()]))
                        .tags_apply_mode(Some(types::TagsApplyMode::AppendOnly))
                        .custom_fields(vec![types::CustomFieldValue {
                            slug: "incident".into(),
                            value: Some("INC-7".into()),
                            values: vec![],
                        }]),
                )
                .send()
                .await
        },
    )
    .await;
    assert_eq!(
        result.data.succeeded_issue_ids.as_deref(),
        Some(&["iss_1".to_string(), "iss_2".to_string()][..])
    );
    let skipped = &result.data.skipped_issues.as_ref().unwrap()[0];
    assert_eq!(
        (skipped.issue_id.as_str(), skipped.reason.as_str()),
        ("iss_3", "not_found")
    );
}

#[tokio::test]
async fn a_bulk_update_with_an_empty_tag_list_clears_the_tags() {
    let result = roundtrip(
        Expect {
            method: PATCH,
            path: "/issues",
            query: &[],
            body: Some(json!({"issue_ids": ["iss_1"], "tags": [], "tags_apply_mode": "replace"})),
            status: 200,
            response: json!({"data": {"succeeded_issue_ids": ["iss_1"]}, "request_id": "r"}),
        },
        |c| async move {
            c.update_issues()
                .body(
                    types::UpdateIssuesRequest::builder()
                        .issue_ids(vec!["iss_1".into()])
                        .tags(Some(vec![]))
                        .tags_apply_mode(Some(types::TagsApplyMode::Replace)),
                )
                .send()
                .await
        },
    )
    .await;
    assert!(result.data.skipped_issues.is_none());
}

/// Flow: find duplicates of an issue by title and merge them into it.
#[tokio::test]
async fn merge_duplicates_into_a_primary_issue() {
    let server = MockServer::start_async().await;
    let search = Expect {
        method: POST,
        path: "/issues/search",
        query: &[],
        body: Some(
            json!({"filter": {"field": "title", "operator": "string_contains",
                                     "value": "Login broken"}}),
        ),
        status: 200,
        response: json!({"data": [issue("iss_1", 1), issue("iss_2", 2), issue("iss_3", 3)],
                         "request_id": "r"}),
    }
    .on(&server);
    let merge = Expect {
        method: POST,
        path: "/issues/merge",
        query: &[],
        body: Some(
            json!({"primary_issue_id": "iss_1", "duplicate_issue_ids": ["iss_2", "iss_3"],
                          "closing_message": "Tracked in #1"}),
        ),
        status: 200,
        response: json!({"data": with(issue("iss_1", 1), json!({"number_of_touches": 7})),
                         "request_id": "r"}),
    }
    .on(&server);
    let client = client(&server);
    let found = client
        .search_issues()
        .body(types::SearchRequest {
            filter: Some(types::Filter {
                field: Some("title".into()),
                operator: types::FilterOperator::StringContains,
                value: Some("Login broken".into()),
                values: vec![],
                subfilters: vec![],
            }),
            ..Default::default()
        })
        .send()
        .await
        .unwrap()
        .into_inner()
        .data;
    let (primary, duplicates) = found.split_first().unwrap();
    let merged = client
        .merge_issues()
        .body(types::MergeIssuesRequest {
            primary_issue_id: primary.id.clone(),
            duplicate_issue_ids: duplicates.iter().map(|i| i.id.clone()).collect(),
            closing_message: Some("Tracked in #1".into()),
        })
        .send()
        .await
        .unwrap();
    search.assert();
    merge.assert();
    assert_eq!(
        (merged.data.id.as_str(), merged.data.number_of_touches),
        ("iss_1", 7)
    );
}

#[tokio::test]
async fn mark_issues_as_spam() {
    let result = roundtrip(
        Expect {
            method: POST,
            path: "/issues/mark-spam",
            query: &[],
            body: Some(json!({"issue_ids": ["iss_8", "iss_9"]})),
            status: 200,
            response: json!({"data": {"succeeded_issue_ids": ["iss_8"],
                                      "skipped_issues": [{"issue_id": "iss_9", "reason": "unsupported_source"}]},
                             "request_id": "r"}),
        },
        |c| async move {
            c.mark_issues_as_spam()
                .body(types::MarkIssuesAsSpamRequest {
                    issue_ids: vec!["iss_8".into(), "iss_9".into()],
                })
                .send()
                .await
        },
    )
    .await;
    assert_eq!(
        result.data.skipped_issues.unwrap()[0].reason,
        "unsupported_source"
    );
}

#[tokio::test]
async fn link_and_unlink_an_incident() {
    let linked = roundtrip(
        Expect {
            method: POST,
            path: "/issues/42/external-incidents",
            query: &[],
            body: Some(json!({"incident_id": "INC-123", "source": "incident_io"})),
            status: 200,
            response: json!({"data": with(issue("iss_42", 42), json!({"external_incidents": [
                {"reference": "INC-123", "source": "incident_io", "external_id": "01HX",
                 "link": "https://app.incident.io/incidents/123"}]})), "request_id": "r"}),
        },
        |c| async move {
            c.link_external_incident()
                .id("42")
                .body(types::LinkExternalIncidentRequest {
                    incident_id: "INC-123".into(),
                    source: types::IncidentSource::IncidentIo,
                    operation: None,
                })
                .send()
                .await
        },
    )
    .await;
    let incidents = linked.data.external_incidents.unwrap();
    assert_eq!(incidents[0].reference, "INC-123");
    let unlinked = roundtrip(
        Expect {
            method: POST,
            path: "/issues/42/external-incidents",
            query: &[],
            body: Some(json!({"incident_id": "ROOT-9", "source": "rootly", "operation": "unlink"})),
            status: 200,
            response: json!({"data": issue("iss_42", 42), "request_id": "r"}),
        },
        |c| async move {
            c.link_external_incident()
                .id("42")
                .body(types::LinkExternalIncidentRequest {
                    incident_id: "ROOT-9".into(),
                    source: types::IncidentSource::Rootly,
                    operation: Some(types::ExternalIssueOperation::Unlink),
                })
                .send()
                .await
        },
    )
    .await;
    assert!(unlinked.data.external_incidents.is_none());
}

#[tokio::test]
async fn list_survey_responses_with_filters_and_a_cursor() {
    let responses = roundtrip(
        Expect {
            method: GET,
            path: "/issues/42/survey-responses",
            query: &[("survey_id", "srv_1"), ("submitted_after", "2026-03-01T00:00:00Z"),
                     ("cursor", "c1"), ("limit", "50")],
            body: None,
            status: 200,
            response: json!({"data": [{"id": "sr_1", "survey_id": "srv_1", "survey_instance_id": "si_1",
                                       "survey_type": "csat", "issue_id": "iss_42", "contact_id": "con_1",
                                       "submitted_at": "2026-03-02T10:00:00Z",
                                       "answers": [{"question_id": "q1", "prompt": "How did we do?",
                                                    "question_type": "rating", "value": "5"}]}],
                             "issue_id": "iss_42", "pagination": {"cursor": "c2", "has_next_page": true},
                             "request_id": "r"}),
        },
        |c| async move {
            c.list_issue_survey_responses()
                .id("42")
                .survey_id("srv_1")
                .submitted_after(Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap())
                .cursor("c1")
                .limit(50)
                .send()
                .await
        },
    )
    .await;
    assert_eq!(responses.issue_id, "iss_42");
    let answer = &responses.data[0].answers.as_ref().unwrap()[0];
    assert_eq!(
        (answer.prompt.as_str(), answer.value.as_str()),
        ("How did we do?", "5")
    );
    assert_eq!(responses.pagination.unwrap().cursor, "c2");
}

#[tokio::test]
async fn list_voice_calls_with_recordings_and_transcripts() {
    let calls = roundtrip(
        Expect {
            method: GET,
            path: "/issues/iss_5/voice-calls",
            query: &[],
            body: None,
            status: 200,
            response: json!({"data": [{"id": "call_1", "created_at": "2026-03-01T09:00:00Z",
                                       "from_phone_number": "+15550001", "to_phone_number": "+15550002",
                                       "duration_sec": 95,
                                       "recordings": [{"id": "rec_1", "download_url": "https://rec/1.mp3?sig=x",
                                                       "transcript_segments": [
                                                           {"speaker": "customer", "text": "Hi, my invoice is wrong."},
                                                           {"speaker": "agent", "text": "Let me check."}]}]}],
                             "request_id": "r"}),
        },
        |c| async move { c.list_issue_voice_calls().id("iss_5").send().await },
    )
    .await;
    let call = &calls.data[0];
    assert_eq!(call.duration_sec, Some(95));
    let segments = call.recordings.as_ref().unwrap()[0]
        .transcript_segments
        .as_ref()
        .unwrap();
    assert_eq!(segments[1].speaker, "agent");
}

#[tokio::test]
async fn issue_groups_are_created_extended_and_trimmed() {
    let group = roundtrip(
        Expect {
            method: POST,
            path: "/issue-groups",
            query: &[],
            body: Some(json!({"title": "SSO outage", "child_issue_ids": ["iss_1", "iss_2"]})),
            status: 200,
            response: json!({"data": with(issue("iss_90", 90), json!({
                "title": "SSO outage", "is_issue_group": true,
                "child_issues": [{"id": "iss_1", "number": 1, "title": "Issue 1"},
                                 {"id": "iss_2", "number": 2, "title": "Issue 2"}]})),
                             "request_id": "r"}),
        },
        |c| async move {
            c.create_issue_group()
                .body(types::CreateIssueGroupRequest {
                    title: "SSO outage".into(),
                    child_issue_ids: vec!["iss_1".into(), "iss_2".into()],
                })
                .send()
                .await
        },
    )
    .await;
    assert!(group.data.is_issue_group);
    assert_eq!(group.data.child_issues.as_ref().unwrap()[1].number, 2);
    let added = roundtrip(
        Expect {
            method: POST,
            path: "/issue-groups/iss_90/children",
            query: &[],
            body: Some(json!({"child_issue_ids": ["iss_3"]})),
            status: 200,
            response: json!({"success": true, "request_id": "r"}),
        },
        |c| async move {
            c.add_issue_group_children()
                .id("iss_90")
                .body(types::AddIssueGroupChildrenRequest {
                    child_issue_ids: vec!["iss_3".into()],
                })
                .send()
                .await
        },
    )
    .await;
    assert!(added.success);
    let removed = roundtrip(
        Expect {
            method: DELETE,
            path: "/issue-groups/iss_90/children/iss_1",
            query: &[],
            body: None,
            status: 200,
            response: json!({"success": true, "request_id": "r2"}),
        },
        |c| async move {
            c.remove_issue_group_child()
                .id("iss_90")
                .child_issue_id("iss_1")
                .send()
                .await
        },
    )
    .await;
    assert_eq!((removed.success, removed.request_id.as_str()), (true, "r2"));
}
