//! Macros and macro groups: each operation's exact request and decoded
//! response.

use httpmock::Method::{DELETE, GET, PATCH, POST};
use pylon_sdk::types;
use pylon_sdk_tests::{Expect, roundtrip};
use serde_json::json;

fn refund_macro() -> serde_json::Value {
    json!({"id": "mac_1", "name": "Refund issued", "macro_group_id": "mg_1",
           "text_html": "<p>Your refund is on its way.</p>", "text_type": "reply", "has_actions": true,
           "actions": [{"type": "set_state"}],
           "visibility": {"type": "users_and_teams", "user_ids": ["usr_1"], "team_ids": ["team_1"]},
           "edit_visibility": {"type": "user", "user_ids": ["usr_1"]},
           "created_at": "2026-01-05T00:00:00Z", "updated_at": "2026-02-05T00:00:00Z"})
}

#[tokio::test]
async fn list_macros_of_one_group_and_the_groups() {
    let macros = roundtrip(
        Expect {
            method: GET,
            path: "/macros",
            query: &[("macro_group_id", "mg_1")],
            body: None,
            status: 200,
            response: json!({"data": [refund_macro()], "request_id": "r"}),
        },
        |c| async move { c.list_macros().macro_group_id("mg_1").send().await },
    )
    .await;
    let refund = &macros.data[0];
    assert_eq!(refund.visibility.as_ref().unwrap().type_, "users_and_teams");
    assert_eq!(refund.actions.as_ref().unwrap()[0].type_, "set_state");
    let groups = roundtrip(
        Expect {
            method: GET,
            path: "/macro-groups",
            query: &[],
            body: None,
            status: 200,
            response: json!({"data": [{"id": "mg_1", "title": "Billing",
                                       "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-02T00:00:00Z"}],
                             "request_id": "r"}),
        },
        |c| async move { c.list_macro_groups().send().await },
    )
    .await;
    assert_eq!(groups.data[0].title, "Billing");
}

#[tokio::test]
async fn create_get_update_and_delete_a_macro() {
    let created = roundtrip(
        Expect {
            method: POST,
            path: "/macros",
            query: &[],
            body: Some(json!({"macro_group_id": "mg_1", "name": "Refund issued",
                              "text_html": "<p>Your refund is on its way.</p>", "text_type": "reply",
                              "conditions": {"field": "tags", "operator": "contains", "value": "billing"},
                              "visibility": {"type": "users_and_teams", "user_ids": ["usr_1"], "team_ids": ["team_1"]}})),
            status: 200,
            response: json!({"data": refund_macro(), "request_id": "r"}),
        },
        |c| async move {
            c.create_macro()
                .body(
                    types::CreateMacroRequest::builder()
                        .macro_group_id("mg_1")
                        .name("Refund issued")
                        .text_html("<p>Your refund is on its way.</p>")
                        .text_type(Some(types::MacroTextType::Reply))
                        .conditions(Some(types::Filter {
                            field: Some("tags".into()),
                            operator: types::FilterOperator::Contains,
                            value: Some("billing".into()),
                            values: vec![],
                            subfilters: vec![],
                        }))
                        .visibility(Some(types::VisibilityInput {
                            type_: types::VisibilityType::UsersAndTeams,
                            user_ids: vec!["usr_1".into()],
                            team_ids: vec!["team_1".into()],
                        })),
                )
                .send()
                .await
        },
    )
    .await;
    assert!(created.data.has_actions);
    let got = roundtrip(
        Expect {
            method: GET,
            path: "/macros/mac_1",
            query: &[],
            body: None,
            status: 200,
            response: json!({"data": refund_macro(), "request_id": "r"}),
        },
        |c| async move { c.get_macro().id("mac_1").send().await },
    )
    .await;
    assert_eq!(got.data.macro_group_id, "mg_1");
    let updated = roundtrip(
        Expect {
            method: PATCH,
            path: "/macros/mac_1",
            query: &[],
            body: Some(json!({"name": "Refund sent", "text_type": "email"})),
            status: 200,
            response: json!({"data": refund_macro(), "request_id": "r"}),
        },
        |c| async move {
            c.update_macro()
                .id("mac_1")
                .body(types::UpdateMacroRequest {
                    name: Some("Refund sent".into()),
                    text_type: Some(types::MacroTextType::Email),
                    ..Default::default()
                })
                .send()
                .await
        },
    )
    .await;
    assert_eq!(updated.data.id, "mac_1");
    let deleted = roundtrip(
        Expect {
            method: DELETE,
            path: "/macros/mac_1",
            query: &[],
            body: None,
            status: 200,
            response: json!({"request_id": "del"}),
        },
        |c| async move { c.delete_macro().id("mac_1").send().await },
    )
    .await;
    assert_eq!(deleted.request_id, "del");
}
