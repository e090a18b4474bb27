//! Task comments, task links and task statuses: every operation's exact
//! request and decoded response.

use httpmock::Method::{DELETE, GET, PATCH, POST};
use pylon_sdk::types;
use pylon_sdk_tests::responses::response_fixture;
use pylon_sdk_tests::{Expect, roundtrip};
use serde_json::json;

#[tokio::test]
async fn task_statuses_are_listed() {
    let listed = roundtrip(
        Expect {
            method: GET,
            path: "/task-statuses",
            query: &[],
            body: None,
            status: 200,
            response: response_fixture("list_task_statuses.full"),
        },
        |c| async move { c.list_task_statuses().send().await },
    )
    .await;
    let status = &listed.data[0];
    assert_eq!(
        (status.slug.as_str(), status.category.as_str()),
        ("in_review", "in_progress")
    );
    assert!(!status.is_default_status && !status.is_archived);
}

#[tokio::test]
async fn comments_list_create_update_delete() {
    let listed = roundtrip(
        Expect {
            method: GET,
            path: "/tasks/task_1/comments",
            query: &[],
            body: None,
            status: 200,
            response: response_fixture("list_task_comments.full"),
        },
        |c| async move { c.list_task_comments().id("task_1").send().await },
    )
    .await;
    let comment = &listed.data[0];
    let author = comment.author.as_ref().unwrap();
    assert_eq!(serde_json::to_value(author).unwrap()["user"]["id"], "usr_1");
    assert!(comment.is_internal);
    assert!(comment.last_edited_at.is_some());

    let created = roundtrip(
        Expect {
            method: POST,
            path: "/tasks/task_1/comments",
            query: &[],
            body: Some(json!({"body_html": "<p>Done?</p>", "is_internal": true})),
            status: 200,
            response: response_fixture("create_task_comment.minimal"),
        },
        |c| async move {
            c.create_task_comment()
                .id("task_1")
                .body(types::CreateTaskCommentRequest {
                    body_html: "<p>Done?</p>".into(),
                    is_internal: Some(true),
                })
                .send()
                .await
        },
    )
    .await;
    assert!(created.data.author.is_none());
    assert_eq!(created.data.task_id, "task_1");

    let updated = roundtrip(
        Expect {
            method: PATCH,
            path: "/tasks/task_1/comments/cmt_1",
            query: &[],
            body: Some(json!({"body_html": "<p>Done.</p>"})),
            status: 200,
            response: response_fixture("update_task_comment.full"),
        },
        |c| async move {
            c.update_task_comment()
                .id("task_1")
                .comment_id("cmt_1")
                .body(types::UpdateTaskCommentRequest {
                    body_html: "<p>Done.</p>".into(),
                })
                .send()
                .await
        },
    )
    .await;
    assert_eq!(updated.request_id, "req_utc");

    let deleted = roundtrip(
        Expect {
            method: DELETE,
            path: "/tasks/task_1/comments/cmt_1",
            query: &[],
            body: None,
            status: 200,
            response: response_fixture("delete_task_comment.full"),
        },
        |c| async move {
            c.delete_task_comment()
                .id("task_1")
                .comment_id("cmt_1")
                .send()
                .await
        },
    )
    .await;
    assert_eq!(
        serde_json::to_value(&deleted).unwrap(),
        json!({"request_id": "req_dtc"})
    );
}

#[tokio::test]
async fn external_issues_and_pylon_issues_are_linked_and_read_back() {
    let linked = roundtrip(
        Expect {
            method: POST,
            path: "/tasks/task_1/external-issues",
            query: &[],
            body: Some(json!({"external_issue_id": "LIN-42", "source": "linear"})),
            status: 200,
            response: response_fixture("link_task_external_issue.full"),
        },
        |c| async move {
            c.link_task_external_issue()
                .id("task_1")
                .body(types::LinkExternalIssueRequest {
                    external_issue_id: "LIN-42".into(),
                    source: "linear".into(),
                    operation: None,
                })
                .send()
                .await
        },
    )
    .await;
    let task = serde_json::to_value(&linked).unwrap();
    assert_eq!(task["data"]["external_issues"][0]["external_id"], "LIN-42");
    assert_eq!(task["data"]["completed_at"], "2026-05-06T11:15:00Z");

    let issue_linked = roundtrip(
        Expect {
            method: POST,
            path: "/tasks/task_1/issues",
            query: &[],
            body: Some(json!({"issue_id": "iss_1", "operation": "link"})),
            status: 200,
            response: response_fixture("link_task_issue.full"),
        },
        |c| async move {
            c.link_task_issue()
                .id("task_1")
                .body(types::LinkTaskIssueRequest {
                    issue_id: "iss_1".into(),
                    operation: Some(types::LinkOperation::Link),
                })
                .send()
                .await
        },
    )
    .await;
    let task = serde_json::to_value(&issue_linked).unwrap();
    assert_eq!(
        task["data"]["linked_issues"],
        json!([{"id": "iss_1", "number": 1042, "title": "Login fails"}])
    );
}
