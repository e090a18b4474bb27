//! Custom fields: list (with the required `object_type`), get, create,
//! update, the per-option endpoints (the option named by the `current_slug`
//! query parameter), and each error.

use httpmock::Method::{DELETE, GET, PATCH, POST};
use httpmock::MockServer;
use std::time::Duration;

use pylon_sdk::{CallOptions, Error, RetryPolicy, types};
use pylon_sdk_tests::objects::with;
use pylon_sdk_tests::{Expect, client, objects, roundtrip};
use serde_json::json;

fn priority_field() -> serde_json::Value {
    json!({
        "id": "cf_1", "slug": "tier", "label": "Tier", "type": "select", "object_type": "account",
        "description": "Support tier", "default_value": "gold", "is_read_only": false, "source": "pylon",
        "created_at": "2026-01-02T03:04:05Z", "updated_at": "2026-02-03T04:05:06Z",
        "select_metadata": {"options": [{"label": "Gold", "slug": "gold"},
                                        {"label": "Silver", "slug": "silver", "ai_description": "mid tier"}]}
    })
}

#[tokio::test]
async fn list_sends_the_required_object_type_and_decodes_full_definitions() {
    let listed = roundtrip(
        Expect {
            method: GET,
            path: "/custom-fields",
            query: &[("object_type", "account")],
            body: None,
            status: 200,
            response: json!({"data": [priority_field(), with(objects::custom_field("cf_2", "arr", "number", "account"),
                json!({"number_metadata": {"format": "currency", "currency": "USD", "decimal_places": 2}}))],
                "request_id": "r"}),
        },
        |c| async move { c.list_custom_fields().object_type("account").send().await },
    )
    .await;
    assert_eq!(listed.data.len(), 2);
    let tier = &listed.data[0];
    let options = tier
        .select_metadata
        .as_ref()
        .and_then(|m| m.options.as_ref())
        .unwrap();
    assert_eq!(
        options
            .iter()
            .map(|o| o.slug.as_deref().unwrap())
            .collect::<Vec<_>>(),
        ["gold", "silver"]
    );
    assert_eq!(options[1].ai_description.as_deref(), Some("mid tier"));
    assert!(!tier.is_read_only);
    assert_eq!(tier.created_at.to_rfc3339(), "2026-01-02T03:04:05+00:00");
    let number = listed.data[1].number_metadata.as_ref().unwrap();
    assert_eq!(
        (number.format.as_deref(), number.decimal_places),
        (Some("currency"), Some(2))
    );
}

#[tokio::test]
async fn list_without_object_type_fails_before_sending() {
    let server = MockServer::start_async().await;
    let any = server.mock(|when, then| {
        when.any_request();
        then.status(200);
    });
    let err = client(&server)
        .list_custom_fields()
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidRequest(r) if r.contains("object_type")),
        "{err}"
    );
    assert_eq!(any.calls(), 0);
}

#[tokio::test]
async fn get_decodes_one_definition() {
    let got = roundtrip(
        Expect {
            method: GET,
            path: "/custom-fields/cf_1",
            query: &[],
            body: None,
            status: 200,
            response: json!({"data": priority_field(), "request_id": "r"}),
        },
        |c| async move { c.get_custom_field().id("cf_1").send().await },
    )
    .await;
    assert_eq!(got.data.default_value.as_deref(), Some("gold"));
}

#[tokio::test]
async fn create_sends_label_object_type_type_and_options() {
    let created = roundtrip(
        Expect {
            method: POST,
            path: "/custom-fields",
            query: &[],
            body: Some(json!({"label": "Tier", "object_type": "account", "type": "select",
                              "description": "Support tier",
                              "select_options": [{"label": "Gold", "slug": "gold"}, {"label": "Silver", "slug": "silver"}]})),
            status: 200,
            response: json!({"data": priority_field(), "request_id": "r"}),
        },
        |c| async move {
            c.create_custom_field()
                .body(types::CreateCustomFieldRequest {
                    label: "Tier".into(),
                    object_type: "account".into(),
                    type_: types::CustomFieldType::Select,
                    description: Some("Support tier".into()),
                    select_options: vec![
                        types::CustomFieldSelectOption { label: "Gold".into(), slug: "gold".into(), ai_description: None },
                        types::CustomFieldSelectOption { label: "Silver".into(), slug: "silver".into(), ai_description: None },
                    ],
                    default_value: None,
                    default_values: vec![],
                    slug: None,
                })
                .send()
                .await
        },
    )
    .await;
    assert_eq!(created.data.id, "cf_1");
}

#[tokio::test]
async fn every_documented_field_type_serialises_as_pylon_names_it() {
    let names: Vec<String> = [
        types::CustomFieldType::Text,
        types::CustomFieldType::Number,
        types::CustomFieldType::Decimal,
        types::CustomFieldType::Boolean,
        types::CustomFieldType::Date,
        types::CustomFieldType::Datetime,
        types::CustomFieldType::User,
        types::CustomFieldType::Url,
        types::CustomFieldType::Select,
        types::CustomFieldType::Multiselect,
    ]
    .iter()
    .map(|t| {
        serde_json::to_value(t)
            .unwrap()
            .as_str()
            .unwrap()
            .to_string()
    })
    .collect();
    assert_eq!(
        names,
        [
            "text",
            "number",
            "decimal",
            "boolean",
            "date",
            "datetime",
            "user",
            "url",
            "select",
            "multiselect"
        ]
    );
}

#[tokio::test]
async fn update_sends_only_the_changed_fields() {
    let updated = roundtrip(
        Expect {
            method: PATCH,
            path: "/custom-fields/cf_1",
            query: &[],
            body: Some(json!({"label": "Support tier", "default_values": ["gold", "silver"]})),
            status: 200,
            response: json!({"data": priority_field(), "request_id": "r"}),
        },
        |c| async move {
            c.update_custom_field()
                .id("cf_1")
                .body(types::UpdateCustomFieldRequest {
                    label: Some("Support tier".into()),
                    default_values: Some(vec!["gold".into(), "silver".into()]),
                    ..Default::default()
                })
                .send()
                .await
        },
    )
    .await;
    assert_eq!(updated.request_id, "r");
}

#[tokio::test]
async fn one_select_option_is_added_renamed_and_deleted() {
    let added = roundtrip(
        Expect {
            method: POST,
            path: "/custom-fields/cf_1/select-options",
            query: &[],
            body: Some(json!({"label": "Bronze", "slug": "bronze", "ai_description": "lowest"})),
            status: 200,
            response: json!({"data": {"label": "Bronze", "slug": "bronze", "ai_description": "lowest"},
                             "request_id": "r1"}),
        },
        |c| async move {
            c.create_select_option()
                .custom_field_id("cf_1")
                .body(types::CreateSelectOptionRequest {
                    label: "Bronze".into(),
                    slug: "bronze".into(),
                    ai_description: Some("lowest".into()),
                })
                .send()
                .await
        },
    )
    .await;
    assert_eq!(
        (added.data.slug.as_deref(), added.request_id.as_str()),
        (Some("bronze"), "r1")
    );

    let renamed = roundtrip(
        Expect {
            method: PATCH,
            path: "/custom-fields/cf_1/select-options",
            query: &[("current_slug", "gold")],
            body: Some(json!({"label": "Gold+"})),
            status: 200,
            response: json!({"data": {"label": "Gold+", "slug": "gold"}, "request_id": "r2"}),
        },
        |c| async move {
            c.update_select_option()
                .custom_field_id("cf_1")
                .current_slug("gold")
                .body(types::UpdateSelectOptionRequest {
                    label: Some("Gold+".into()),
                    slug: None,
                    ai_description: None,
                })
                .send()
                .await
        },
    )
    .await;
    assert_eq!(renamed.data.label.as_deref(), Some("Gold+"));

    let deleted = roundtrip(
        Expect {
            method: DELETE,
            path: "/custom-fields/cf_1/select-options",
            query: &[("current_slug", "silver")],
            body: None,
            status: 200,
            response: json!({"data": {"success": true}, "request_id": "r3"}),
        },
        |c| async move {
            c.delete_select_option()
                .custom_field_id("cf_1")
                .current_slug("silver")
                .send()
                .await
        },
    )
    .await;
    assert_eq!(
        (deleted.request_id.as_str(), deleted.data.success),
        ("r3", true)
    );
}

async fn custom_field_error(status: u16, body: &str) -> (Error, usize) {
    let server = MockServer::start_async().await;
    let mock = server.mock(|when, then| {
        when.method(POST).path("/custom-fields");
        then.status(status).body(body);
    });
    // Two attempts for failures; 429s are paced (1 s apart without a
    // Retry-After, doubling from the third in a row) until the 4.5 s
    // deadline.
    let options = CallOptions::new().retry_policy(
        RetryPolicy::standard()
            .with_max_attempts(2)
            .with_base_delay(Duration::from_millis(1))
            .with_deadline(Duration::from_millis(4500)),
    );
    let err = client(&server)
        .with_options(options)
        .unwrap()
        .create_custom_field()
        .body(
            types::CreateCustomFieldRequest::builder()
                .label("L")
                .object_type("issue")
                .type_(types::CustomFieldType::Text),
        )
        .send()
        .await
        .unwrap_err();
    (err, mock.calls())
}

#[tokio::test]
async fn create_errors_are_typed_and_only_429_is_retried() {
    let (err, calls) = custom_field_error(
        400,
        r#"{"errors":["slug taken"],"request_id":"r","code":"invalid_request_body"}"#,
    )
    .await;
    assert_eq!(
        (calls, err.api().unwrap().messages.clone()),
        (1, vec!["slug taken".to_string()])
    );
    let (err, calls) = custom_field_error(
        401,
        r#"{"errors":["wrong region"],"request_id":"r","code":"wrong_region_token"}"#,
    )
    .await;
    assert_eq!(
        (calls, err.api().unwrap().code.as_deref()),
        (1, Some("wrong_region_token"))
    );
    let (err, calls) = custom_field_error(404, r#"{"errors":["no"],"request_id":"r"}"#).await;
    assert!(err.is_not_found() && calls == 1);
    let (err, calls) = custom_field_error(
        409,
        r#"{"errors":["exists"],"request_id":"r","exists_id":"cf_9"}"#,
    )
    .await;
    assert_eq!(
        (calls, err.api().unwrap().exists_id.as_deref()),
        (1, Some("cf_9"))
    );
    let (err, calls) = custom_field_error(
        429,
        r#"{"errors":["slow down"],"request_id":"r","code":"rate_limited"}"#,
    )
    .await;
    // 0, 1, 2 and 3 s (then 5 s would pass the deadline): more than the two
    // attempts failures get.
    assert!(err.is_rate_limited() && calls == 4, "{calls} calls");
    let (err, calls) = custom_field_error(500, r#"{"errors":["boom"],"request_id":"r"}"#).await;
    assert!(err.is_outcome_unknown() && calls == 1);
    let (err, calls) = custom_field_error(503, "upstream connect error").await;
    assert_eq!((calls, err.status().unwrap()), (1, 503));
    assert!(err.to_string().contains("upstream connect error"));
}

/// The stateful fake keeps definitions and changes one option at a time;
/// the typed operations decode what it answers.
#[tokio::test]
async fn the_fake_stores_fields_and_changes_options_one_at_a_time() {
    use pylon_sdk_tests::fake::{FakeConfig, FakePylon};
    let fake = FakePylon::start(FakeConfig::default()).await;
    let client = pylon_sdk_tests::client_for(&fake.base_url());
    let created = client
        .create_custom_field()
        .body(
            types::CreateCustomFieldRequest::builder()
                .label("Tier")
                .slug("tier".to_string())
                .object_type("account")
                .type_(types::CustomFieldType::Select)
                .select_options(vec![types::CustomFieldSelectOption {
                    label: "Gold".into(),
                    slug: "gold".into(),
                    ai_description: None,
                }]),
        )
        .send()
        .await
        .unwrap();
    let id = created.data.id.clone();
    client
        .create_select_option()
        .custom_field_id(&id)
        .body(
            types::CreateSelectOptionRequest::builder()
                .label("Silver")
                .slug("silver"),
        )
        .send()
        .await
        .unwrap();
    client
        .update_select_option()
        .custom_field_id(&id)
        .current_slug("gold")
        .body(types::UpdateSelectOptionRequest::builder().label("Gold tier".to_string()))
        .send()
        .await
        .unwrap();
    client
        .delete_select_option()
        .custom_field_id(&id)
        .current_slug("silver")
        .send()
        .await
        .unwrap();
    let listed = client
        .list_custom_fields()
        .object_type("account")
        .send()
        .await
        .unwrap();
    let options = listed.data[0]
        .select_metadata
        .as_ref()
        .and_then(|m| m.options.as_ref())
        .unwrap();
    assert_eq!(options.len(), 1);
    assert_eq!(options[0].label.as_deref(), Some("Gold tier"));
    assert_eq!(fake.custom_fields()[0].options[0].slug, "gold");
    assert_eq!(fake.stats().select_options_replaced, 0);
    let missing = client
        .delete_select_option()
        .custom_field_id(&id)
        .current_slug("silver")
        .send()
        .await
        .unwrap_err();
    assert!(missing.is_not_found());
}
