//! Surveys, survey responses and training data: every operation's exact
//! request and decoded response.

use chrono::{TimeZone, Utc};
use httpmock::Method::{DELETE, GET, POST};
use httpmock::MockServer;
use pylon_sdk::filter::survey;
use pylon_sdk::types;
use pylon_sdk_tests::responses::response_fixture;
use pylon_sdk_tests::{Expect, TOKEN, client, roundtrip};
use serde_json::json;

#[tokio::test]
async fn surveys_list_search_get() {
    let listed = roundtrip(
        Expect {
            method: GET,
            path: "/surveys",
            query: &[],
            body: None,
            status: 200,
            response: response_fixture("list_surveys.full"),
        },
        |c| async move { c.list_surveys().send().await },
    )
    .await;
    assert_eq!(listed.data[0].type_, "nps");

    let found = roundtrip(
        Expect {
            method: POST,
            path: "/surveys/search",
            query: &[],
            body: Some(json!({"filter": {"field": "updated_at", "operator": "time_range",
                                         "values": ["2026-01-01T00:00:00Z", "2026-06-01T00:00:00Z"]},
                              "limit": 5})),
            status: 200,
            response: response_fixture("search_surveys.full"),
        },
        |c| async move {
            let mut request = survey::updated_at()
                .between(
                    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
                    Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap(),
                )
                .into_survey_search_request()
                .unwrap();
            request.limit = Some(5);
            c.search_surveys().body(request).send().await
        },
    )
    .await;
    assert_eq!(found.data[0].name, "Quarterly NPS");

    let got = roundtrip(
        Expect {
            method: GET,
            path: "/surveys/srv_1",
            query: &[],
            body: None,
            status: 200,
            response: response_fixture("get_survey.full"),
        },
        |c| async move { c.get_survey().id("srv_1").send().await },
    )
    .await;
    assert_eq!(
        got.data.updated_at,
        Utc.with_ymd_and_hms(2026, 5, 4, 9, 30, 0).unwrap()
    );
}

#[tokio::test]
async fn survey_responses_filter_by_time_account_and_contact() {
    let listed = roundtrip(
        Expect {
            method: GET,
            path: "/surveys/srv_1/responses",
            query: &[
                ("submitted_after", "2026-04-01T00:00:00Z"),
                ("submitted_before", "2026-05-01T00:00:00Z"),
                ("account_id", "acc_1"),
                ("contact_id", "con_1"),
                ("cursor", "cur_1"),
                ("limit", "200"),
            ],
            body: None,
            status: 200,
            response: response_fixture("list_survey_responses.full"),
        },
        |c| async move {
            c.list_survey_responses()
                .id("srv_1")
                .submitted_after(Utc.with_ymd_and_hms(2026, 4, 1, 0, 0, 0).unwrap())
                .submitted_before(Utc.with_ymd_and_hms(2026, 5, 1, 0, 0, 0).unwrap())
                .account_id("acc_1".to_string())
                .contact_id("con_1".to_string())
                .cursor("cur_1".to_string())
                .limit(200)
                .send()
                .await
        },
    )
    .await;
    let response = &listed.data[0];
    assert_eq!(response.survey_instance_id, "si_1");
    assert_eq!(response.answers[0].value, "9");
    assert_eq!(response.answers[1].question_type, "comment");
    assert!(response.excluded_at.is_some());
    assert!(listed.pagination.as_ref().unwrap().has_next_page);
}

#[tokio::test]
async fn training_data_list_create_upload_get() {
    let listed = roundtrip(
        Expect {
            method: GET,
            path: "/training-data",
            query: &[],
            body: None,
            status: 200,
            response: response_fixture("list_training_data.full"),
        },
        |c| async move { c.list_training_data().send().await },
    )
    .await;
    let data = &listed.data[0];
    assert_eq!(data.documents[0].s3_key, "org/td_1/guide.md");
    assert_eq!(data.documents[0].file_size, 2048);
    assert_eq!(data.scrape_status.as_ref().unwrap().pages_scraped, 12);

    let created = roundtrip(
        Expect {
            method: POST,
            path: "/training-data",
            query: &[],
            body: Some(
                json!({"training_data_name": "Product docs", "visibility": "ai_agent_only"}),
            ),
            status: 200,
            response: response_fixture("create_training_data.minimal"),
        },
        |c| async move {
            c.create_training_data()
                .body(types::CreateTrainingDataRequest {
                    training_data_name: Some("Product docs".into()),
                    visibility: Some(types::TrainingDataVisibility::AiAgentOnly),
                })
                .send()
                .await
        },
    )
    .await;
    assert!(created.data.documents.is_empty() && created.data.scrape_status.is_none());
    assert_eq!(created.data.visibility, "everyone");

    let uploaded = roundtrip(
        Expect {
            method: POST,
            path: "/training-data/upload-content",
            query: &[],
            body: Some(
                json!({"content": "Reset a password from Settings.", "file_name": "faq.txt",
                              "external_id": "faq-1", "training_data_id": "td_1"}),
            ),
            status: 200,
            response: response_fixture("upload_training_data_content.full"),
        },
        |c| async move {
            c.upload_training_data_content()
                .body(types::UploadTrainingDataContentRequest {
                    content: Some("Reset a password from Settings.".into()),
                    file_name: Some("faq.txt".into()),
                    external_id: Some("faq-1".into()),
                    training_data_id: Some("td_1".into()),
                    ..Default::default()
                })
                .send()
                .await
        },
    )
    .await;
    assert_eq!(uploaded.request_id, "req_utd");

    let got = roundtrip(
        Expect {
            method: GET,
            path: "/training-data/td_1",
            query: &[],
            body: None,
            status: 200,
            response: response_fixture("get_training_data.full"),
        },
        |c| async move { c.get_training_data().id("td_1").send().await },
    )
    .await;
    assert!(!got.data.exclude_from_kb_search);
}

#[tokio::test]
async fn training_documents_are_deleted_by_repeated_query_parameters() {
    let server = MockServer::start_async().await;
    let mock = server.mock(|when, then| {
        when.method(DELETE)
            .path("/training-data/td_1/documents")
            .query_param("document_ids", "doc_1")
            .query_param("document_ids", "doc_2")
            .query_param_count("document_ids", ".*", 2)
            .query_param("external_ids", "ext-1")
            .header("authorization", format!("Bearer {TOKEN}"))
            .header_missing("content-type");
        then.status(200)
            .header("content-type", "application/json")
            .json_body(response_fixture("delete_training_data_documents.full"));
    });
    let deleted = client(&server)
        .delete_training_data_documents()
        .id("td_1")
        .document_ids(vec!["doc_1".to_string(), "doc_2".to_string()])
        .external_ids(vec!["ext-1".to_string()])
        .send()
        .await
        .unwrap()
        .into_inner();
    mock.assert();
    assert_eq!(deleted.deleted_count, 2);
    assert_eq!(deleted.request_id, "req_dtd");
}
