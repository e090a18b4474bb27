//! Accounts and contacts: every operation's exact request and decoded response.

use httpmock::Method::{DELETE, GET, PATCH, POST};
use pylon_sdk::types;
use pylon_sdk_tests::objects::with;
use pylon_sdk_tests::{Expect, objects, roundtrip};
use serde_json::json;

fn account() -> serde_json::Value {
    with(
        objects::account("acc_1", "Acme"),
        json!({"domains": ["acme.com"], "primary_domain": "acme.com",
               "owner": {"id": "usr_1", "email": "owner@x.y"}, "external_ids": [{"external_id": "sf_1", "label": "salesforce"}],
               "tags": ["vip"], "custom_fields": {"tier": {"slug": "tier", "value": "gold"}}}),
    )
}

fn contact() -> serde_json::Value {
    with(
        objects::contact("con_1", "Ada"),
        json!({"email": "ada@acme.com", "emails": ["ada@acme.com", "a@acme.com"],
               "account": {"id": "acc_1"}, "phone_numbers": ["+1 555"],
               "custom_fields": {"role": {"slug": "role", "value": "cto"}}}),
    )
}

#[tokio::test]
async fn list_accounts_pages_by_cursor_and_limit() {
    let listed = roundtrip(
        Expect { method: GET, path: "/accounts", query: &[("cursor", "c1"), ("limit", "500")], body: None, status: 200,
                 response: json!({"data": [account()], "pagination": {"cursor": "c2", "has_next_page": true}, "request_id": "r"}) },
        |c| async move { c.list_accounts().cursor("c1").limit(500).send().await },
    )
    .await;
    let acme = &listed.data[0];
    assert_eq!(
        acme.external_ids.as_ref().unwrap()[0].label.as_deref(),
        Some("salesforce")
    );
    assert_eq!(
        acme.owner.as_ref().unwrap().email.as_deref(),
        Some("owner@x.y")
    );
    assert_eq!(listed.pagination.unwrap().cursor, "c2");
}

#[tokio::test]
async fn create_account_uses_account_type_and_custom_field_array() {
    let created = roundtrip(
        Expect {
            method: POST,
            path: "/accounts",
            query: &[],
            body: Some(
                json!({"name": "Acme", "account_type": "customer", "domains": ["acme.com"],
                                   "custom_fields": [{"slug": "tier", "value": "gold"}]}),
            ),
            status: 200,
            response: json!({"data": account(), "request_id": "r"}),
        },
        |c| async move {
            c.create_account()
                .body(
                    types::CreateAccountRequest::builder()
                        .name("Acme")
                        .account_type(types::AccountType::Customer)
                        .domains(vec!["acme.com".to_string()])
                        .custom_fields(vec![types::CustomFieldValue {
                            slug: "tier".into(),
                            value: Some("gold".into()),
                            values: vec![],
                        }]),
                )
                .send()
                .await
        },
    )
    .await;
    assert_eq!(created.data.name, "Acme");
}

#[tokio::test]
async fn get_update_and_delete_account() {
    let got = roundtrip(
        Expect {
            method: GET,
            path: "/accounts/sf_1",
            query: &[],
            body: None,
            status: 200,
            response: json!({"data": account(), "request_id": "r"}),
        },
        |c| async move { c.get_account().id("sf_1").send().await },
    )
    .await;
    assert_eq!(got.data.id, "acc_1");
    let updated = roundtrip(
        Expect {
            method: PATCH,
            path: "/accounts/acc_1",
            query: &[],
            body: Some(json!({"owner_id": "", "is_disabled": true})),
            status: 200,
            response: json!({"data": account(), "request_id": "r"}),
        },
        |c| async move {
            c.update_account()
                .id("acc_1")
                .body(types::UpdateAccountRequest {
                    owner_id: Some(String::new()),
                    is_disabled: Some(true),
                    ..Default::default()
                })
                .send()
                .await
        },
    )
    .await;
    assert_eq!(updated.data.primary_domain.as_deref(), Some("acme.com"));
    let deleted = roundtrip(
        Expect {
            method: DELETE,
            path: "/accounts/acc_1",
            query: &[],
            body: None,
            status: 200,
            response: json!({"request_id": "d"}),
        },
        |c| async move { c.delete_account().id("acc_1").send().await },
    )
    .await;
    assert_eq!(deleted.request_id, "d");
}

#[tokio::test]
async fn bulk_update_merge_and_search_accounts() {
    let bulk = roundtrip(
        Expect { method: PATCH, path: "/accounts", query: &[],
                 body: Some(json!({"account_ids": ["acc_1", "acc_2"], "tags": ["vip"], "tags_apply_mode": "append_only"})),
                 status: 200, response: json!({"success": true, "request_id": "r"}) },
        |c| async move {
            c.update_accounts()
                .body(types::UpdateAccountsRequest {
                    account_ids: vec!["acc_1".into(), "acc_2".into()],
                    tags: Some(vec!["vip".into()]),
                    tags_apply_mode: Some(types::TagsApplyMode::AppendOnly),
                    account_type: None,
                    custom_fields: vec![],
                    is_disabled: None,
                    owner_id: None,
                })
                .send()
                .await
        },
    )
    .await;
    assert!(bulk.success);
    let merged = roundtrip(
        Expect {
            method: POST,
            path: "/accounts/merge",
            query: &[],
            body: Some(json!({"merge_into_account_id": "acc_1", "merge_account_ids": ["acc_2"]})),
            status: 200,
            response: json!({"data": account(), "request_id": "m"}),
        },
        |c| async move {
            c.merge_accounts()
                .body(types::MergeAccountsBody {
                    merge_into_account_id: "acc_1".into(),
                    merge_account_ids: vec!["acc_2".into()],
                })
                .send()
                .await
        },
    )
    .await;
    assert_eq!(
        (merged.data.id.as_str(), merged.request_id.as_str()),
        ("acc_1", "m")
    );
    let found = roundtrip(
        Expect { method: POST, path: "/accounts/search", query: &[],
                 body: Some(json!({"filter": {"field": "domains", "operator": "contains", "value": "acme.com"}, "cursor": "c1"})),
                 status: 200, response: json!({"data": [account()], "request_id": "r"}) },
        |c| async move {
            c.search_accounts()
                .body(types::SearchRequest {
                    filter: Some(types::Filter {
                    field: Some("domains".into()), operator: types::FilterOperator::Contains,
                                                 value: Some("acme.com".into()), values: vec![], subfilters: vec![] }),
                    cursor: Some("c1".into()),
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
async fn contacts_list_create_get_update_delete_search() {
    let listed = roundtrip(
        Expect {
            method: GET,
            path: "/contacts",
            query: &[("limit", "2")],
            body: None,
            status: 200,
            response: json!({"data": [contact()], "request_id": "r"}),
        },
        |c| async move { c.list_contacts().limit(2).send().await },
    )
    .await;
    assert_eq!(listed.data[0].account.as_ref().unwrap().id, "acc_1");
    assert_eq!(listed.data[0].emails.as_ref().unwrap().len(), 2);

    let created = roundtrip(
        Expect {
            method: POST,
            path: "/contacts",
            query: &[],
            body: Some(json!({"name": "Ada", "account_id": "acc_1", "portal_role": "member"})),
            status: 200,
            response: json!({"data": contact(), "request_id": "r"}),
        },
        |c| async move {
            c.create_contact()
                .body(
                    types::CreateContactRequest::builder()
                        .name("Ada")
                        .account_id(String::from("acc_1"))
                        .portal_role(String::from("member")),
                )
                .send()
                .await
        },
    )
    .await;
    assert_eq!(created.data.portal_role, "member");

    let got = roundtrip(
        Expect {
            method: GET,
            path: "/contacts/con_1",
            query: &[],
            body: None,
            status: 200,
            response: json!({"data": contact(), "request_id": "r"}),
        },
        |c| async move { c.get_contact().id("con_1").send().await },
    )
    .await;
    assert_eq!(got.data.email.as_deref(), Some("ada@acme.com"));

    let updated = roundtrip(
        Expect {
            method: PATCH,
            path: "/contacts/con_1",
            query: &[],
            body: Some(json!({"email": "new@acme.com"})),
            status: 200,
            response: json!({"data": contact(), "request_id": "r"}),
        },
        |c| async move {
            c.update_contact()
                .id("con_1")
                .body(types::UpdateContactRequest {
                    email: Some("new@acme.com".into()),
                    ..Default::default()
                })
                .send()
                .await
        },
    )
    .await;
    assert_eq!(updated.data.id, "con_1");

    let deleted = roundtrip(
        Expect {
            method: DELETE,
            path: "/contacts/con_1",
            query: &[],
            body: None,
            status: 200,
            response: json!({"request_id": "d"}),
        },
        |c| async move { c.delete_contact().id("con_1").send().await },
    )
    .await;
    assert_eq!(deleted.request_id, "d");

    let found = roundtrip(
        Expect { method: POST, path: "/contacts/search", query: &[],
                 body: Some(json!({"filter": {"field": "email", "operator": "string_contains", "value": "@acme.com"}, "limit": 100})),
                 status: 200, response: json!({"data": [contact()], "request_id": "r"}) },
        |c| async move {
            c.search_contacts()
                .body(types::SearchRequest {
                    filter: Some(types::Filter {
                    field: Some("email".into()), operator: types::FilterOperator::StringContains,
                                                 value: Some("@acme.com".into()), values: vec![], subfilters: vec![] }),
                    limit: Some(100),
                    ..Default::default()
                })
                .send()
                .await
        },
    )
    .await;
    assert_eq!(found.data.len(), 1);
}
