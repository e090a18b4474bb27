//! Email suppressions: each operation's exact request and decoded response.

use httpmock::Method::{DELETE, GET};
use pylon_sdk_tests::{Expect, roundtrip};
use serde_json::json;

#[tokio::test]
async fn check_one_address_and_page_through_the_list() {
    let one = roundtrip(
        Expect {
            method: GET,
            path: "/email-suppressions",
            query: &[("email", "ada@acme.com")],
            body: None,
            status: 200,
            response: json!({"data": [{"id": "sup_1", "email": "ada@acme.com", "reason": "bounce",
                                       "bounce_details": "550 mailbox unavailable",
                                       "created_at": "2026-02-10T08:00:00Z"}], "request_id": "r"}),
        },
        |c| async move {
            c.list_email_suppressions()
                .email("ada@acme.com")
                .send()
                .await
        },
    )
    .await;
    assert_eq!(
        one.data[0].bounce_details.as_deref(),
        Some("550 mailbox unavailable")
    );
    let page = roundtrip(
        Expect {
            method: GET,
            path: "/email-suppressions",
            query: &[("cursor", "c1"), ("limit", "1000")],
            body: None,
            status: 200,
            response: json!({"data": [], "request_id": "r"}),
        },
        |c| async move {
            c.list_email_suppressions()
                .cursor("c1")
                .limit(1000)
                .send()
                .await
        },
    )
    .await;
    assert!(page.data.is_empty() && page.pagination.is_none());
}

#[tokio::test]
async fn delete_a_suppression() {
    let deleted = roundtrip(
        Expect {
            method: DELETE,
            path: "/email-suppressions/sup_1",
            query: &[],
            body: None,
            status: 200,
            response: json!({"request_id": "del"}),
        },
        |c| async move { c.delete_email_suppression().id("sup_1").send().await },
    )
    .await;
    assert_eq!(deleted.request_id, "del");
}
