//! Account activities, activity types, highlights, notebook notes and
//! relationships: every operation's exact request and decoded response.

use chrono::{TimeZone, Utc};
use httpmock::Method::{DELETE, GET, PATCH, POST};
use pylon_sdk::types;
use pylon_sdk_tests::responses::response_fixture;
use pylon_sdk_tests::{Expect, roundtrip};
use serde_json::json;

#[tokio::test]
async fn activity_types_and_account_activities() {
    let types_listed = roundtrip(
        Expect {
            method: GET,
            path: "/activity-types",
            query: &[],
            body: None,
            status: 200,
            response: response_fixture("list_activity_types.full"),
        },
        |c| async move { c.list_activity_types().send().await },
    )
    .await;
    assert_eq!(types_listed.data[0].slug, "renewal_call");
    assert_eq!(types_listed.request_id, "req_at");

    let listed = roundtrip(
        Expect {
            method: GET,
            path: "/accounts/acc%201/activities",
            query: &[
                ("activity_type", "renewal_call"),
                ("start_time", "2026-05-01T00:00:00Z"),
                ("end_time", "2026-06-01T00:00:00Z"),
                ("cursor", "cur_1"),
                ("limit", "50"),
            ],
            body: None,
            status: 200,
            response: response_fixture("list_account_activities.full"),
        },
        |c| async move {
            c.list_account_activities()
                .id("acc 1")
                .activity_type("renewal_call".to_string())
                .start_time(Utc.with_ymd_and_hms(2026, 5, 1, 0, 0, 0).unwrap())
                .end_time(Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap())
                .cursor("cur_1".to_string())
                .limit(50)
                .send()
                .await
        },
    )
    .await;
    let activity = &listed.data[0];
    assert_eq!(
        activity.happened_at,
        Utc.with_ymd_and_hms(2026, 5, 4, 9, 30, 0).unwrap()
    );
    assert_eq!(
        activity.activity_type.as_ref().unwrap().label,
        "Renewal call"
    );
    assert_eq!(activity.link_text.as_deref(), Some("Open call"));
    assert_eq!(listed.pagination.as_ref().unwrap().cursor, "cur_2");

    let created = roundtrip(
        Expect {
            method: POST,
            path: "/accounts/acc_1/activities",
            query: &[],
            body: Some(json!({"slug": "renewal_call", "body_html": "<p>Called</p>",
                              "happened_at": "2026-05-04T09:30:00Z", "user_id": "usr_1"})),
            status: 200,
            response: response_fixture("create_account_activity.full"),
        },
        |c| async move {
            c.create_account_activity()
                .id("acc_1")
                .body(types::CreateAccountActivityRequest {
                    slug: "renewal_call".into(),
                    body_html: Some("<p>Called</p>".into()),
                    happened_at: Some(Utc.with_ymd_and_hms(2026, 5, 4, 9, 30, 0).unwrap()),
                    user_id: Some("usr_1".into()),
                    contact_id: None,
                    link: None,
                    link_text: None,
                })
                .send()
                .await
        },
    )
    .await;
    assert!(created.data.success);
    assert_eq!(created.request_id, "req_ca");
}

#[tokio::test]
async fn highlights_create_update_delete() {
    let created = roundtrip(
        Expect {
            method: POST,
            path: "/accounts/acc_1/highlights",
            query: &[],
            body: Some(json!({"content_html": "<p>Renewal at risk</p>",
                              "expires_at": "2026-05-06T11:15:00Z"})),
            status: 200,
            response: response_fixture("create_account_highlight.full"),
        },
        |c| async move {
            c.create_account_highlight()
                .id("acc_1")
                .body(types::CreateAccountHighlightRequest {
                    content_html: "<p>Renewal at risk</p>".into(),
                    contact_id: None,
                    expires_at: Some(Utc.with_ymd_and_hms(2026, 5, 6, 11, 15, 0).unwrap()),
                })
                .send()
                .await
        },
    )
    .await;
    assert_eq!(created.data.id, "hl_1");
    assert!(created.data.expires_at.is_some());

    let updated = roundtrip(
        Expect {
            method: PATCH,
            path: "/accounts/acc_1/highlights/hl_1",
            query: &[],
            body: Some(json!({"expires_at": ""})),
            status: 200,
            response: response_fixture("update_account_highlight.minimal"),
        },
        |c| async move {
            c.update_account_highlight()
                .id("acc_1")
                .highlight_id("hl_1")
                .body(types::UpdateAccountHighlightRequest {
                    expires_at: Some(String::new()),
                    ..Default::default()
                })
                .send()
                .await
        },
    )
    .await;
    assert!(
        updated.data.expires_at.is_none(),
        "the minimal highlight has no expiry"
    );

    let deleted = roundtrip(
        Expect {
            method: DELETE,
            path: "/accounts/acc_1/highlights/hl_1",
            query: &[],
            body: None,
            status: 200,
            response: response_fixture("delete_account_highlight.full"),
        },
        |c| async move {
            c.delete_account_highlight()
                .id("acc_1")
                .highlight_id("hl_1")
                .send()
                .await
        },
    )
    .await;
    assert!(deleted.data.success);
}

#[tokio::test]
async fn notebook_notes_list_and_create() {
    let listed = roundtrip(
        Expect {
            method: GET,
            path: "/accounts/ext-42/notebook-blocks/blk_1/notes",
            query: &[("limit", "20")],
            body: None,
            status: 200,
            response: response_fixture("list_account_notebook_notes.full"),
        },
        |c| async move {
            c.list_account_notebook_notes()
                .id("ext-42")
                .block_id("blk_1")
                .limit(20)
                .send()
                .await
        },
    )
    .await;
    assert_eq!(listed.data[0].title.as_deref(), Some("QBR"));
    assert_eq!(listed.data[0].block_id, "blk_1");

    let created = roundtrip(
        Expect {
            method: POST,
            path: "/accounts/acc_1/notebook-blocks/blk_1/notes",
            query: &[],
            body: Some(json!({"content_html": "<p>Agenda</p>", "title": "QBR"})),
            status: 200,
            response: response_fixture("create_account_notebook_note.minimal"),
        },
        |c| async move {
            c.create_account_notebook_note()
                .id("acc_1")
                .block_id("blk_1")
                .body(types::CreateAccountNotebookNoteRequest {
                    content_html: "<p>Agenda</p>".into(),
                    title: Some("QBR".into()),
                })
                .send()
                .await
        },
    )
    .await;
    assert_eq!(created.data.content_html, "<p>Agenda</p>");
    assert!(created.data.created_by_user_id.is_none());
}

#[tokio::test]
async fn relationships_create_list_delete() {
    let created = roundtrip(
        Expect {
            method: POST,
            path: "/accounts/acc_1/relationship",
            query: &[],
            body: Some(
                json!({"related_object_id": "acc_9", "relationship_type": "parent_account"}),
            ),
            status: 200,
            response: response_fixture("create_account_relationship.full"),
        },
        |c| async move {
            c.create_account_relationship()
                .id("acc_1")
                .body(types::CreateAccountRelationshipRequest {
                    related_object_id: "acc_9".into(),
                    relationship_type: types::AccountRelationshipType::ParentAccount,
                })
                .send()
                .await
        },
    )
    .await;
    assert_eq!(created.data.parent_account_id, "acc_9");
    assert_eq!(created.data.relationship_type, "parent_account");

    let listed = roundtrip(
        Expect {
            method: GET,
            path: "/accounts/acc_1/relationships",
            query: &[],
            body: None,
            status: 200,
            response: response_fixture("list_account_relationships.full"),
        },
        |c| async move { c.list_account_relationships().id("acc_1").send().await },
    )
    .await;
    assert_eq!(listed.data[0].child_account_id, "acc_1");

    let deleted = roundtrip(
        Expect {
            method: DELETE,
            path: "/accounts/acc_1/relationships/rel_1",
            query: &[],
            body: None,
            status: 200,
            response: response_fixture("delete_account_relationship.full"),
        },
        |c| async move {
            c.delete_account_relationship()
                .id("acc_1")
                .relationship_id("rel_1")
                .send()
                .await
        },
    )
    .await;
    assert_eq!(deleted.data.id, "rel_1");
    assert_eq!(deleted.request_id, "req_dr");
}

#[test]
fn relationship_types_are_a_closed_set_on_writes() {
    let unknown: Result<types::AccountRelationshipType, _> = "sibling_account".parse();
    assert!(unknown.is_err());
    assert_eq!(
        serde_json::to_value(types::AccountRelationshipType::PartnerAccount).unwrap(),
        json!("partner_account")
    );
}
