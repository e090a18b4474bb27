//! Read-side types accept everything Pylon's definition allows: custom-field
//! entries without `slug` (or `null`), select options without `label` or
//! `slug`, a task assigned to a contact or a user, and `null` for optional
//! lists and maps. Write-side bodies stay strict.

use httpmock::Method::GET;
use pylon_sdk::{CustomFields, types};
use pylon_sdk_tests::objects::{self, with};
use pylon_sdk_tests::{Expect, roundtrip};
use serde_json::json;

/// Entries as Pylon may send them: one without `slug`, one `null`.
fn loose_custom_fields() -> serde_json::Value {
    json!({
        "tier": {"slug": "tier", "value": "gold"},
        "region": {"value": "emea"},
        "areas": {"values": ["auth", "sso"]},
        "retired": null,
    })
}

fn get(path: &str, object: serde_json::Value) -> Expect<'_> {
    Expect {
        method: GET,
        path,
        query: &[],
        body: None,
        status: 200,
        response: json!({"data": object, "request_id": "r"}),
    }
}

/// Reads the four entries back through the `CustomFields` helpers.
fn assert_loose_entries(object: &impl CustomFields) {
    assert_eq!(object.custom_field_value("tier"), Some("gold"));
    assert_eq!(object.custom_field_value("region"), Some("emea"));
    assert_eq!(object.custom_field("region").unwrap().slug, None);
    assert_eq!(object.custom_field_values("areas"), ["auth", "sso"]);
    assert!(object.custom_field("retired").is_none());
    assert!(object.custom_field("never-set").is_none());
}

#[tokio::test]
async fn custom_field_entries_without_slug_decode_on_every_object() {
    let fields = json!({"custom_fields": loose_custom_fields()});
    let account = roundtrip(
        get(
            "/accounts/acc_1",
            with(objects::account("acc_1", "Acme"), fields.clone()),
        ),
        |c| async move { c.get_account().id("acc_1").send().await },
    )
    .await;
    assert_loose_entries(&account.data);

    let contact = roundtrip(
        get(
            "/contacts/con_1",
            with(objects::contact("con_1", "Ada"), fields.clone()),
        ),
        |c| async move { c.get_contact().id("con_1").send().await },
    )
    .await;
    assert_loose_entries(&contact.data);

    let issue = roundtrip(
        get(
            "/issues/7",
            with(objects::issue("iss_7", 7), fields.clone()),
        ),
        |c| async move { c.get_issue().id("7").send().await },
    )
    .await;
    assert_loose_entries(&issue.data);
    let raw = issue.data.custom_fields.as_ref().unwrap();
    assert_eq!(raw.len(), 4, "every entry is kept, the null one too");
    assert!(raw["retired"].is_none());

    let task = roundtrip(
        get(
            "/tasks/task_1",
            with(objects::task("task_1", "Call"), fields),
        ),
        |c| async move { c.get_task().id("task_1").send().await },
    )
    .await;
    assert_loose_entries(&task.data);
}

#[test]
fn custom_field_values_written_still_need_a_slug() {
    let missing: Result<types::CustomFieldValue, _> = types::CustomFieldValue::builder()
        .value(Some("gold".to_string()))
        .try_into();
    assert!(missing.is_err(), "a write without slug addresses no field");
    let entry: types::CustomFieldEntry = serde_json::from_value(json!({"value": "gold"})).unwrap();
    assert_eq!(entry.value.as_deref(), Some("gold"));
}

#[tokio::test]
async fn select_options_without_label_or_slug_decode() {
    let field = with(
        objects::custom_field("cf_1", "tier", "select", "account"),
        json!({"select_metadata": {"options": [
            {"label": "Gold", "slug": "gold"},
            {"slug": "silver"},
            {"label": "Unnamed"},
            {"ai_description": "only a hint"}
        ]}}),
    );
    let listed = roundtrip(
        Expect {
            method: GET,
            path: "/custom-fields",
            query: &[("object_type", "account")],
            body: None,
            status: 200,
            response: json!({"data": [field], "request_id": "r"}),
        },
        |c| async move { c.list_custom_fields().object_type("account").send().await },
    )
    .await;
    let options = listed.data[0]
        .select_metadata
        .as_ref()
        .and_then(|m| m.options.as_ref())
        .unwrap();
    let labels: Vec<_> = options.iter().map(|o| o.label.as_deref()).collect();
    let slugs: Vec<_> = options.iter().map(|o| o.slug.as_deref()).collect();
    assert_eq!(labels, [Some("Gold"), None, Some("Unnamed"), None]);
    assert_eq!(slugs, [Some("gold"), Some("silver"), None, None]);
    assert_eq!(options[3].ai_description.as_deref(), Some("only a hint"));
}

#[test]
fn select_options_written_still_need_label_and_slug() {
    for incomplete in [
        types::CustomFieldSelectOption::builder().label("Gold"),
        types::CustomFieldSelectOption::builder().slug("gold"),
    ] {
        let described = format!("{incomplete:?}");
        let parsed: Result<types::CustomFieldSelectOption, _> = incomplete.try_into();
        assert!(parsed.is_err(), "{described}");
    }
    let option = types::CustomFieldSelectOption::builder().label("Gold");
    let built: Result<types::CustomFieldSelectOption, _> = option.try_into();
    assert!(built.is_err(), "the builder refuses an option without slug");
}

#[tokio::test]
async fn a_task_assignee_is_a_contact_or_a_user() {
    let to_contact = with(
        objects::task("task_1", "Send the contract"),
        json!({"assignee": {"contact": {"id": "con_1", "email": "ada@acme.com"}}}),
    );
    let to_user = with(
        objects::task("task_2", "Review"),
        json!({"assignee": {"user": {"id": "usr_1", "email": "agent@pylon.example"}}}),
    );
    let listed = roundtrip(
        Expect {
            method: GET,
            path: "/tasks",
            query: &[],
            body: None,
            status: 200,
            response: json!({"data": [to_contact, to_user], "request_id": "r"}),
        },
        |c| async move { c.list_tasks().send().await },
    )
    .await;
    let contact = listed.data[0].assignee.as_ref().unwrap();
    assert_eq!(contact.contact.as_ref().unwrap().id, "con_1");
    assert!(contact.user.is_none());
    let user = listed.data[1].assignee.as_ref().unwrap();
    assert_eq!(
        user.user.as_ref().unwrap().email.as_deref(),
        Some("agent@pylon.example")
    );
    assert!(user.contact.is_none());
}

#[test]
fn optional_lists_and_maps_accept_null() {
    let issue: types::Issue = serde_json::from_value(with(
        objects::issue("iss_1", 1),
        json!({"tags": null, "custom_fields": null, "attachment_urls": null,
               "time_in_status_seconds": null, "csat_responses": null}),
    ))
    .unwrap();
    assert!(issue.tags.is_none() && issue.custom_fields.is_none());
    let account: types::Account = serde_json::from_value(with(
        objects::account("acc_1", "Acme"),
        json!({"domains": null, "external_ids": null, "channels": null}),
    ))
    .unwrap();
    assert!(account.domains.is_none());
}

#[test]
fn required_response_fields_are_plain_values_and_must_be_present() {
    let tag: types::Tag = serde_json::from_value(objects::tag("tag_1", "vip", "issue")).unwrap();
    let (id, value, object_type): (&String, &String, &String) =
        (&tag.id, &tag.value, &tag.object_type);
    assert_eq!(
        (id.as_str(), value.as_str(), object_type.as_str()),
        ("tag_1", "vip", "issue")
    );
    let without_value: Result<types::Tag, _> =
        serde_json::from_value(json!({"id": "tag_1", "object_type": "issue"}));
    assert!(without_value.is_err());
}
