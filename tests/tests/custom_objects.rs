//! Custom objects: every operation's exact request and decoded response,
//! custom-field maps on both sides, and path parameters that must stay in
//! their own segment of `/custom-objects/{object_type}/{id}`.

use std::collections::HashMap;

use httpmock::Method::{DELETE, GET, PATCH, POST};
use httpmock::MockServer;
use pylon_sdk::filter::{Filter, custom_object};
use pylon_sdk::types;
use pylon_sdk_tests::responses::response_fixture;
use pylon_sdk_tests::{Expect, client, roundtrip};
use serde_json::json;

fn account_link() -> HashMap<String, types::CustomObjectFieldValue> {
    HashMap::from([(
        "account".to_string(),
        types::CustomObjectFieldValue {
            value: Some("acc_1".into()),
            values: vec![],
        },
    )])
}

#[tokio::test]
async fn list_and_get_read_custom_fields_and_relations() {
    let listed = roundtrip(
        Expect {
            method: GET,
            path: "/custom-objects/companies",
            query: &[("cursor", "cur_1"), ("limit", "100")],
            body: None,
            status: 200,
            response: response_fixture("list_custom_objects.full"),
        },
        |c| async move {
            c.list_custom_objects()
                .object_type("companies")
                .cursor("cur_1".to_string())
                .limit(100)
                .send()
                .await
        },
    )
    .await;
    let company = &listed.data[0];
    assert_eq!(
        (company.type_.as_str(), company.name.as_str()),
        ("companies", "Acme GmbH")
    );
    let tier = company.custom_fields["tier"].as_ref().unwrap();
    assert_eq!(tier.value.as_deref(), Some("gold"));
    let regions = company.custom_fields["regions"].as_ref().unwrap();
    assert_eq!(regions.slug, None, "an entry may leave out its slug");
    assert_eq!(regions.values.as_deref().unwrap(), ["emea", "apac"]);
    assert_eq!(
        company.custom_fields["notes"]
            .as_ref()
            .unwrap()
            .value
            .as_deref(),
        Some("Key account")
    );
    assert_eq!(company.relations[0].object_type, "account");
    assert_eq!(listed.pagination.as_ref().unwrap().cursor, "cur_2");

    let got = roundtrip(
        Expect {
            method: GET,
            path: "/custom-objects/companies/co_1",
            query: &[],
            body: None,
            status: 200,
            response: response_fixture("get_custom_object.minimal"),
        },
        |c| async move {
            c.get_custom_object()
                .object_type("companies")
                .id("co_1")
                .send()
                .await
        },
    )
    .await;
    assert!(got.data.custom_fields.is_empty() && got.data.relations.is_empty());
    assert_eq!(got.request_id, "req_gco");
}

#[tokio::test]
async fn create_update_and_bulk_update_write_custom_fields_keyed_by_slug() {
    let created = roundtrip(
        Expect {
            method: POST,
            path: "/custom-objects/companies",
            query: &[],
            body: Some(
                json!({"name": "Acme GmbH", "custom_fields": {"account": {"value": "acc_1"}}}),
            ),
            status: 200,
            response: response_fixture("create_custom_object.full"),
        },
        |c| async move {
            c.create_custom_object()
                .object_type("companies")
                .body(types::CreateCustomObjectRequest {
                    name: "Acme GmbH".into(),
                    custom_fields: account_link(),
                })
                .send()
                .await
        },
    )
    .await;
    assert_eq!(created.data.id, "co_1");

    let updated = roundtrip(
        Expect {
            method: PATCH,
            path: "/custom-objects/companies/co_1",
            query: &[],
            body: Some(json!({"custom_fields": {"regions": {"values": ["emea"]}}})),
            status: 200,
            response: response_fixture("update_custom_object.full"),
        },
        |c| async move {
            c.update_custom_object()
                .object_type("companies")
                .id("co_1")
                .body(types::UpdateCustomObjectRequest {
                    name: None,
                    custom_fields: HashMap::from([(
                        "regions".to_string(),
                        types::CustomObjectFieldValue {
                            value: None,
                            values: vec!["emea".into()],
                        },
                    )]),
                })
                .send()
                .await
        },
    )
    .await;
    assert_eq!(updated.request_id, "req_uco");

    let bulk = roundtrip(
        Expect {
            method: PATCH,
            path: "/custom-objects/companies",
            query: &[],
            body: Some(
                json!({"ids": ["co_1", "co_2"], "custom_fields": {"account": {"value": "acc_1"}}}),
            ),
            status: 200,
            response: response_fixture("update_custom_objects.full"),
        },
        |c| async move {
            c.update_custom_objects()
                .object_type("companies")
                .body(types::UpdateCustomObjectsRequest {
                    ids: vec!["co_1".into(), "co_2".into()],
                    custom_fields: account_link(),
                })
                .send()
                .await
        },
    )
    .await;
    assert!(bulk.success);
    assert_eq!(bulk.updated_ids, ["co_1", "co_2"]);
}

#[tokio::test]
async fn search_sends_the_typed_filter_and_delete_acknowledges() {
    let found = roundtrip(
        Expect {
            method: POST,
            path: "/custom-objects/companies/search",
            query: &[],
            body: Some(json!({"filter": {"operator": "and", "subfilters": [
                                {"field": "name", "operator": "string_contains", "value": "Acme"},
                                {"field": "account", "operator": "equals", "value": "acc_1"}]},
                              "limit": 25})),
            status: 200,
            response: response_fixture("search_custom_objects.full"),
        },
        |c| async move {
            let mut request = Filter::and([
                custom_object::name().string_contains("Acme"),
                custom_object::account().equals("acc_1"),
            ])
            .into_filter_search_request()
            .unwrap();
            request.limit = Some(25);
            c.search_custom_objects()
                .object_type("companies")
                .body(request)
                .send()
                .await
        },
    )
    .await;
    assert_eq!(found.data.len(), 1);
    assert!(found.pagination.as_ref().unwrap().has_next_page);

    let deleted = roundtrip(
        Expect {
            method: DELETE,
            path: "/custom-objects/companies/co_1",
            query: &[],
            body: None,
            status: 200,
            response: response_fixture("delete_custom_object.full"),
        },
        |c| async move {
            c.delete_custom_object()
                .object_type("companies")
                .id("co_1")
                .send()
                .await
        },
    )
    .await;
    assert_eq!(
        serde_json::to_value(&deleted).unwrap(),
        json!({"request_id": "req_dco"})
    );
}

#[tokio::test]
async fn both_path_parameters_stay_in_their_segments() {
    let server = MockServer::start_async().await;
    let anywhere = server.mock(|when, then| {
        when.path_prefix("/");
        then.status(500);
    });
    let client = client(&server);
    let cases = [
        ("..", "co_1"),
        ("companies", ".."),
        ("..", ".."),
        (".", "co_1"),
        ("companies", "."),
        ("", "co_1"),
        ("companies", ""),
        ("", ""),
    ];
    for (object_type, id) in cases {
        let err = client
            .get_custom_object()
            .object_type(object_type)
            .id(id)
            .send()
            .await
            .unwrap_err();
        let err = err;
        assert!(
            matches!(err, pylon_sdk::Error::InvalidRequest(_)),
            "{object_type:?}/{id:?}: {err}"
        );
        let err = client
            .delete_account_highlight()
            .id(object_type)
            .highlight_id(id)
            .send()
            .await
            .unwrap_err();
        assert!(
            matches!(err, pylon_sdk::Error::InvalidRequest(_)),
            "{object_type:?}/{id:?}"
        );
    }
    assert_eq!(anywhere.calls(), 0, "nothing was sent");
    anywhere.delete_async().await;

    let encoded = server.mock(|when, then| {
        when.method(GET).path("/custom-objects/a%2Fb/..%3F");
        then.status(200)
            .header("content-type", "application/json")
            .json_body(response_fixture("get_custom_object.minimal"));
    });
    client
        .get_custom_object()
        .object_type("a/b")
        .id("..?")
        .send()
        .await
        .unwrap();
    encoded.assert();
}
