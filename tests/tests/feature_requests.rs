//! Feature requests: every operation's exact request and decoded response.

use httpmock::Method::{DELETE, GET, PATCH, POST};
use pylon_sdk::types;
use pylon_sdk_tests::responses::response_fixture;
use pylon_sdk_tests::{Expect, roundtrip};
use serde_json::json;

#[tokio::test]
async fn create_get_update_delete() {
    let created = roundtrip(
        Expect {
            method: POST,
            path: "/feature-requests",
            query: &[],
            body: Some(json!({"title": "SSO", "should_auto_fetch_evidence": true})),
            status: 200,
            response: response_fixture("create_feature_request.minimal"),
        },
        |c| async move {
            c.create_feature_request()
                .body(types::CreateFeatureRequestRequest {
                    title: "SSO".into(),
                    description: None,
                    should_auto_fetch_evidence: Some(true),
                })
                .send()
                .await
        },
    )
    .await;
    assert_eq!(created.data.evidence_count, 3);
    assert!(created.data.request_status.is_none() && created.data.evidence.is_empty());

    let got = roundtrip(
        Expect {
            method: GET,
            path: "/feature-requests/fr_1",
            query: &[("fetch_evidence", "true")],
            body: None,
            status: 200,
            response: response_fixture("get_feature_request.full"),
        },
        |c| async move {
            c.get_feature_request()
                .id("fr_1")
                .fetch_evidence(true)
                .send()
                .await
        },
    )
    .await;
    let request = got.data;
    assert_eq!(request.request_status.as_deref(), Some("in_progress"));
    assert_eq!(request.evidence[0].source_type, "issue");
    assert_eq!(request.evidence[0].source_id.as_deref(), Some("iss_1"));
    assert_eq!(
        serde_json::to_value(&request.external_issues[0]).unwrap()["source"],
        "linear"
    );
    assert_eq!(request.portal_visible_to_account_ids, ["acc_1"]);
    assert_eq!(
        request.custom_fields["notes"]
            .as_ref()
            .unwrap()
            .value
            .as_deref(),
        Some("Key account")
    );

    let updated = roundtrip(
        Expect {
            method: PATCH,
            path: "/feature-requests/fr_1",
            query: &[],
            body: Some(json!({"request_status": "planned",
                              "custom_fields": [{"slug": "area", "values": ["auth", "admin"]}]})),
            status: 200,
            response: response_fixture("update_feature_request.full"),
        },
        |c| async move {
            c.update_feature_request()
                .id("fr_1")
                .body(types::UpdateFeatureRequestRequest {
                    request_status: Some("planned".into()),
                    custom_fields: vec![types::CustomFieldValue {
                        slug: "area".into(),
                        value: None,
                        values: vec!["auth".into(), "admin".into()],
                    }],
                })
                .send()
                .await
        },
    )
    .await;
    assert_eq!(updated.request_id, "req_ufr");

    let deleted = roundtrip(
        Expect {
            method: DELETE,
            path: "/feature-requests/fr_1",
            query: &[],
            body: None,
            status: 200,
            response: response_fixture("delete_feature_request.full"),
        },
        |c| async move { c.delete_feature_request().id("fr_1").send().await },
    )
    .await;
    assert_eq!(
        serde_json::to_value(&deleted).unwrap(),
        json!({"request_id": "req_dfr"})
    );
}

#[tokio::test]
async fn search_and_merge() {
    let found = roundtrip(
        Expect {
            method: POST,
            path: "/feature-requests/search",
            query: &[],
            body: Some(json!({"query": "single sign-on", "account_ids": ["acc_1"],
                              "request_statuses": ["new", "in_progress"], "limit": 10})),
            status: 200,
            response: response_fixture("search_feature_requests.full"),
        },
        |c| async move {
            c.search_feature_requests()
                .body(types::SearchFeatureRequestsRequest {
                    query: Some("single sign-on".into()),
                    account_ids: vec!["acc_1".into()],
                    request_statuses: vec!["new".into(), "in_progress".into()],
                    limit: Some(10),
                })
                .send()
                .await
        },
    )
    .await;
    assert_eq!(found.data[0].account_ids, ["acc_1", "acc_2"]);
    assert_eq!(found.data[0].title, "SSO");

    let merged = roundtrip(
        Expect {
            method: POST,
            path: "/feature-requests/merge",
            query: &[],
            body: Some(json!({"merge_into_feature_request_id": "fr_1",
                              "merge_feature_request_ids": ["fr_2", "fr_3"]})),
            status: 200,
            response: response_fixture("merge_feature_requests.full"),
        },
        |c| async move {
            c.merge_feature_requests()
                .body(types::MergeFeatureRequestsRequest {
                    merge_into_feature_request_id: "fr_1".into(),
                    merge_feature_request_ids: vec!["fr_2".into(), "fr_3".into()],
                })
                .send()
                .await
        },
    )
    .await;
    assert_eq!(merged.data.id, "fr_1");
}

#[tokio::test]
async fn evidence_external_issues_and_portal_visibility() {
    let evidence = roundtrip(
        Expect {
            method: POST,
            path: "/feature-requests/fr_1/evidence",
            query: &[],
            body: Some(json!({"account_id": "acc_1", "summary": "Asked in QBR"})),
            status: 200,
            response: response_fixture("add_feature_request_evidence.full"),
        },
        |c| async move {
            c.add_feature_request_evidence()
                .id("fr_1")
                .body(types::AddFeatureRequestEvidenceRequest {
                    account_id: "acc_1".into(),
                    summary: Some("Asked in QBR".into()),
                })
                .send()
                .await
        },
    )
    .await;
    assert_eq!(evidence.data.account_id.as_deref(), Some("acc_1"));
    assert_eq!(
        evidence.data.external_url.as_deref(),
        Some("https://gong.example/call/1")
    );

    let linked = roundtrip(
        Expect {
            method: POST,
            path: "/feature-requests/fr_1/external-issues",
            query: &[],
            body: Some(
                json!({"external_issue_id": "LIN-42", "source": "linear", "operation": "unlink"}),
            ),
            status: 200,
            response: response_fixture("link_feature_request_external_issue.minimal"),
        },
        |c| async move {
            c.link_feature_request_external_issue()
                .id("fr_1")
                .body(types::LinkExternalIssueRequest {
                    external_issue_id: "LIN-42".into(),
                    source: "linear".into(),
                    operation: Some(types::ExternalIssueOperation::Unlink),
                })
                .send()
                .await
        },
    )
    .await;
    assert!(linked.data.external_issues.is_empty());

    let shown = roundtrip(
        Expect {
            method: POST,
            path: "/feature-requests/fr_1/set-portal-visibility",
            query: &[],
            body: Some(json!({"account_ids": ["acc_1"], "visible": true})),
            status: 200,
            response: response_fixture("set_feature_request_portal_visibility.full"),
        },
        |c| async move {
            c.set_feature_request_portal_visibility()
                .id("fr_1")
                .body(types::SetFeatureRequestPortalVisibilityRequest {
                    account_ids: vec!["acc_1".into()],
                    visible: true,
                })
                .send()
                .await
        },
    )
    .await;
    assert_eq!(shown.data.portal_visible_to_account_ids, ["acc_1"]);
}
