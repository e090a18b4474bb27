//! Call recordings: every operation's exact request and decoded response.

use chrono::{TimeZone, Utc};
use httpmock::Method::{DELETE, GET, PATCH, POST};
use pylon_sdk::filter::{Filter, call_recording};
use pylon_sdk::types;
use pylon_sdk_tests::responses::response_fixture;
use pylon_sdk_tests::{Expect, roundtrip};
use serde_json::json;

#[tokio::test]
async fn create_sends_the_transcript_and_returns_the_recording() {
    let created = roundtrip(
        Expect {
            method: POST,
            path: "/call-recordings",
            query: &[],
            body: Some(json!({
                "app_type": "custom_call_recorder",
                "start_time": "2026-05-04T09:30:00Z",
                "end_time": "2026-05-04T10:00:00Z",
                "call_recording_messages": [
                    {"message_content": "Hello", "speaker_email": "ada@customer.example", "message_at_ms": 0},
                    {"message_content": "Hi Ada", "speaker_name": "Grace", "message_at_ms": 1500}],
                "title": "Kickoff",
                "participant_emails": "ada@customer.example,grace@acme.example",
                "recording_id": "rec-77",
                "custom_fields": [{"slug": "stage", "value": "discovery"}]})),
            status: 200,
            response: response_fixture("create_call_recording.full"),
        },
        |c| async move {
            c.create_call_recording()
                .body(types::CreateCallRecordingRequest {
                    app_type: types::CallRecordingAppType::CustomCallRecorder,
                    start_time: Utc.with_ymd_and_hms(2026, 5, 4, 9, 30, 0).unwrap(),
                    end_time: Utc.with_ymd_and_hms(2026, 5, 4, 10, 0, 0).unwrap(),
                    call_recording_messages: vec![
                        types::CallRecordingMessage {
                            message_content: "Hello".into(),
                            speaker_email: Some("ada@customer.example".into()),
                            speaker_name: None,
                            message_at_ms: Some(0),
                        },
                        types::CallRecordingMessage {
                            message_content: "Hi Ada".into(),
                            speaker_email: None,
                            speaker_name: Some("Grace".into()),
                            message_at_ms: Some(1500),
                        },
                    ],
                    title: Some("Kickoff".into()),
                    participant_emails: Some("ada@customer.example,grace@acme.example".into()),
                    recording_id: Some("rec-77".into()),
                    custom_fields: vec![types::CustomFieldValue {
                        slug: "stage".into(),
                        value: Some("discovery".into()),
                        values: vec![],
                    }],
                    account_id: None,
                    primary_user_email: None,
                    recording_url: None,
                })
                .send()
                .await
        },
    )
    .await;
    let recording = created.data;
    assert_eq!(recording.duration_ms, 1_800_000);
    assert_eq!(recording.source, "gong");
    assert_eq!(recording.participant_emails.len(), 2);
    assert_eq!(
        recording.custom_fields["tier"]
            .as_ref()
            .unwrap()
            .slug
            .as_deref(),
        Some("tier")
    );
}

#[tokio::test]
async fn search_get_update_delete() {
    let found = roundtrip(
        Expect {
            method: POST,
            path: "/call-recordings/search",
            query: &[],
            body: Some(json!({"filter": {"operator": "and", "subfilters": [
                                {"field": "title", "operator": "string_contains", "value": "Kickoff"},
                                {"field": "start_time", "operator": "time_is_after", "value": "2026-05-01T00:00:00Z"}]},
                              "cursor": "cur_1"})),
            status: 200,
            response: response_fixture("search_call_recordings.full"),
        },
        |c| async move {
            let mut request = Filter::and([
                call_recording::title().string_contains("Kickoff"),
                call_recording::start_time().after(Utc.with_ymd_and_hms(2026, 5, 1, 0, 0, 0).unwrap()),
            ])
            .into_filter_search_request()
            .unwrap();
            request.cursor = Some("cur_1".into());
            c.search_call_recordings().body(request).send().await
        },
    )
    .await;
    assert_eq!(found.data[0].external_id, "gong-77");
    assert_eq!(found.pagination.as_ref().unwrap().cursor, "cur_2");

    let got = roundtrip(
        Expect {
            method: GET,
            path: "/call-recordings/rec_1",
            query: &[],
            body: None,
            status: 200,
            response: response_fixture("get_call_recording.minimal"),
        },
        |c| async move { c.get_call_recording().id("rec_1").send().await },
    )
    .await;
    assert!(got.data.account_id.is_none() && got.data.custom_fields.is_empty());

    let updated = roundtrip(
        Expect {
            method: PATCH,
            path: "/call-recordings/rec_1",
            query: &[],
            body: Some(json!({"account_id": ""})),
            status: 200,
            response: response_fixture("update_call_recording.minimal"),
        },
        |c| async move {
            c.update_call_recording()
                .id("rec_1")
                .body(types::UpdateCallRecordingRequest {
                    account_id: Some(String::new()),
                    custom_fields: vec![],
                })
                .send()
                .await
        },
    )
    .await;
    assert_eq!(updated.request_id, "req_ucr");

    let deleted = roundtrip(
        Expect {
            method: DELETE,
            path: "/call-recordings/rec_1",
            query: &[],
            body: None,
            status: 200,
            response: response_fixture("delete_call_recording.full"),
        },
        |c| async move { c.delete_call_recording().id("rec_1").send().await },
    )
    .await;
    assert_eq!(
        serde_json::to_value(&deleted).unwrap(),
        json!({"request_id": "req_dcr"})
    );
}
