//! Tags: every operation's exact request and decoded response, a whole
//! create → list → get → update → search → delete flow, and each error.

use httpmock::Method::{DELETE, GET, PATCH, POST};
use httpmock::MockServer;
use pylon_sdk::{Error, types};
use pylon_sdk_tests::{Expect, client};
use serde_json::json;

fn tag_json(id: &str, value: &str, color: &str) -> serde_json::Value {
    json!({"id": id, "value": value, "object_type": "account", "hex_color": color})
}

#[tokio::test]
async fn tag_flow_sends_exact_requests_and_decodes_every_response() {
    let server = MockServer::start_async().await;
    let create = Expect {
        method: POST,
        path: "/tags",
        query: &[],
        body: Some(json!({"value": "vip", "object_type": "account", "hex_color": "#ff0000"})),
        status: 200,
        response: json!({"data": tag_json("tag_1", "vip", "#ff0000"), "request_id": "req_c"}),
    }
    .on(&server);
    let list = Expect {
        method: GET,
        path: "/tags",
        query: &[],
        body: None,
        status: 200,
        response: json!({"data": [tag_json("tag_1", "vip", "#ff0000"), tag_json("tag_2", "churn", "#000000")],
                         "request_id": "req_l"}),
    }
    .on(&server);
    let get = Expect {
        method: GET,
        path: "/tags/tag_1",
        query: &[],
        body: None,
        status: 200,
        response: json!({"data": tag_json("tag_1", "vip", "#ff0000"), "request_id": "req_g"}),
    }
    .on(&server);
    let update = Expect {
        method: PATCH,
        path: "/tags/tag_1",
        query: &[],
        body: Some(json!({"value": "very important"})),
        status: 200,
        response: json!({"data": tag_json("tag_1", "very important", "#ff0000"), "request_id": "req_u"}),
    }
    .on(&server);
    let search = Expect {
        method: POST,
        path: "/tags/search",
        query: &[],
        body: Some(json!({"search_text": "very", "object_type": "account", "limit": 50})),
        status: 200,
        response: json!({"data": [tag_json("tag_1", "very important", "#ff0000")],
                         "pagination": {"cursor": "c2", "has_next_page": true}, "request_id": "req_s"}),
    }
    .on(&server);
    let delete = Expect {
        method: DELETE,
        path: "/tags/tag_1",
        query: &[],
        body: None,
        status: 200,
        response: json!({"request_id": "req_d"}),
    }
    .on(&server);

    let client = client(&server);
    let created = client
        .create_tag()
        .body(types::CreateTagRequest {
            value: "vip".into(),
            object_type: "account".into(),
            hex_color: Some("#ff0000".into()),
        })
        .send()
        .await
        .unwrap();
    assert_eq!(created.data.id, "tag_1");
    assert_eq!(created.request_id, "req_c");

    let listed = client.list_tags().send().await.unwrap();
    let values: Vec<_> = listed.data.iter().map(|t| t.value.as_str()).collect();
    assert_eq!(values, ["vip", "churn"]);
    assert!(
        listed.pagination.is_none(),
        "pagination is absent on the last page"
    );

    let got = client.get_tag().id("tag_1").send().await.unwrap();
    assert_eq!(got.data.hex_color.as_deref(), Some("#ff0000"));

    let updated = client
        .update_tag()
        .id("tag_1")
        .body(types::UpdateTagRequest {
            value: Some("very important".into()),
            hex_color: None,
        })
        .send()
        .await
        .unwrap();
    assert_eq!(updated.data.value, "very important");

    let found = client
        .search_tags()
        .body(types::SearchTagsRequest {
            search_text: Some("very".into()),
            object_type: Some("account".into()),
            limit: Some(50),
            cursor: None,
        })
        .send()
        .await
        .unwrap();
    let page = found.pagination.as_ref().unwrap();
    assert_eq!((page.cursor.as_str(), page.has_next_page), ("c2", true));

    let deleted = client.delete_tag().id("tag_1").send().await.unwrap();
    assert_eq!(deleted.request_id, "req_d");

    for mock in [create, list, get, update, search, delete] {
        mock.assert();
    }
}

async fn get_tag_error(status: u16, body: serde_json::Value) -> (Error, usize) {
    get_tag_error_raw(status, &body.to_string()).await
}

#[tokio::test]
async fn a_400_is_an_api_error_with_messages_and_is_not_retried() {
    let (err, calls) = get_tag_error(
        400,
        json!({"errors": ["value is required"], "request_id": "req_1", "code": "invalid_request_body"}),
    )
    .await;
    assert_eq!(calls, 1);
    let api = err.api().unwrap();
    assert_eq!(api.status, 400);
    assert_eq!(api.messages, ["value is required"]);
    assert_eq!(api.code.as_deref(), Some("invalid_request_body"));
    assert!(!err.is_retryable());
    assert_eq!(
        err.to_string(),
        "get_tag: Pylon answered 400: value is required (code invalid_request_body) [request req_1]"
    );
}

#[tokio::test]
async fn a_wrong_region_401_names_the_code_and_never_the_token() {
    let (err, calls) = get_tag_error(
        401,
        json!({"errors": ["This token belongs to https://api.eu.usepylon.com"], "request_id": "r",
               "code": "wrong_region_token"}),
    )
    .await;
    assert_eq!(calls, 1);
    assert_eq!(
        err.api().unwrap().code.as_deref(),
        Some("wrong_region_token")
    );
    assert!(err.to_string().contains("api.eu.usepylon.com"));
    assert!(!err.to_string().contains("test_token"));
    assert!(!format!("{err:?}").contains("test_token"));
}

#[tokio::test]
async fn a_404_is_not_found() {
    let (err, _) = get_tag_error(
        404,
        json!({"errors": ["tag not found"], "request_id": "r", "code": "not_found"}),
    )
    .await;
    assert!(err.is_not_found());
    assert_eq!(err.request_id(), Some("r"));
}

#[tokio::test]
async fn a_duplicate_create_is_a_409_carrying_the_existing_id() {
    let server = MockServer::start_async().await;
    let mock = Expect {
        method: POST,
        path: "/tags",
        query: &[],
        body: Some(json!({"value": "vip", "object_type": "issue"})),
        status: 409,
        response: json!({"errors": ["tag already exists"], "request_id": "r", "code": "duplicate_object",
                         "exists_id": "tag_9"}),
    }
    .on(&server);
    let err = create_tag(&server, "vip", "issue").await.unwrap_err();
    mock.assert();
    assert!(err.is_duplicate());
    assert_eq!(err.api().unwrap().exists_id.as_deref(), Some("tag_9"));
}

#[tokio::test]
async fn a_429_is_paced_until_the_deadline_then_reported_with_its_retry_after() {
    let server = MockServer::start_async().await;
    let mock = server.mock(|when, then| {
        when.method(GET).path("/tags");
        then.status(429).header("retry-after", "0").json_body(
            json!({"errors": ["rate limited"], "request_id": "r", "code": "rate_limited"}),
        );
    });
    let within_250_ms = pylon_sdk::CallOptions::new().retry_policy(
        pylon_sdk::RetryPolicy::standard().with_deadline(std::time::Duration::from_millis(250)),
    );
    let err = client(&server)
        .with_options(within_250_ms)
        .unwrap()
        .list_tags()
        .send()
        .await
        .unwrap_err();
    // `Retry-After: 0` still pauses 10 ms, doubling from the third 429 in a
    // row: at 0, 10, 20, 30, 50, 90 and 170 ms; the next, at 330 ms, would
    // pass the deadline.
    assert_eq!(mock.calls(), 7, "429s use none of the three attempts");
    assert!(err.is_rate_limited());
    assert!(err.is_retryable());
    assert_eq!(
        err.api().unwrap().retry_after,
        Some(std::time::Duration::ZERO)
    );
}

#[tokio::test]
async fn a_500_on_a_read_is_retried_but_a_create_is_not_and_its_outcome_is_unknown() {
    let (err, calls) = get_tag_error(
        500,
        json!({"errors": ["boom"], "request_id": "r", "code": "internal_error"}),
    )
    .await;
    assert_eq!(calls, 3);
    assert!(err.is_retryable());

    let server = MockServer::start_async().await;
    let mock = server.mock(|when, then| {
        when.method(POST).path("/tags");
        then.status(500)
            .json_body(json!({"errors": ["boom"], "request_id": "r"}));
    });
    let err = create_tag(&server, "vip", "account").await.unwrap_err();
    assert_eq!(mock.calls(), 1, "a create is never repeated after a 500");
    assert!(err.is_outcome_unknown());
}

#[tokio::test]
async fn a_success_body_that_is_not_json_is_a_decode_error_with_its_start() {
    let server = MockServer::start_async().await;
    server.mock(|when, then| {
        when.method(GET).path("/tags/tag_1");
        then.status(200).body("<html>maintenance</html>");
    });
    let err = client(&server)
        .get_tag()
        .id("tag_1")
        .send()
        .await
        .unwrap_err();
    match &err {
        Error::Decode { body_start, .. } => assert_eq!(body_start, "<html>maintenance</html>"),
        other => panic!("expected a decode error, got {other:?}"),
    }
    assert!(std::error::Error::source(&err).is_some());
    assert!(err.to_string().contains("<html>maintenance</html>"));
}

#[tokio::test]
async fn an_error_body_that_is_not_json_keeps_its_status() {
    let (err, _) = get_tag_error_raw(502, "<html>Bad gateway</html>").await;
    assert_eq!(err.status(), Some(502));
    assert_eq!(
        err.api().unwrap().messages,
        ["(unrecognised error body) <html>Bad gateway</html>"]
    );
}

async fn get_tag_error_raw(status: u16, body: &str) -> (Error, usize) {
    let server = MockServer::start_async().await;
    let mock = server.mock(|when, then| {
        when.method(GET)
            .path("/tags/tag_1")
            .header(
                "authorization",
                format!("Bearer {}", pylon_sdk_tests::TOKEN),
            )
            .header_missing("api-version");
        then.status(status)
            .header("content-type", "application/json")
            .body(body);
    });
    let err = client(&server)
        .get_tag()
        .id("tag_1")
        .send()
        .await
        .unwrap_err();
    (err, mock.calls())
}

#[tokio::test]
async fn unknown_fields_and_odd_statuses_do_not_break_decoding() {
    let server = MockServer::start_async().await;
    server.mock(|when, then| {
        when.method(GET).path("/tags/tag_1");
        then.status(200).json_body(
            json!({"data": {"id": "tag_1", "value": "x", "object_type": "issue", "brand_new": [1, 2]},
                                          "request_id": "r", "extra": true}),
        );
    });
    server.mock(|when, then| {
        when.method(GET).path("/tags/tag_2");
        then.status(302).header("location", "/elsewhere").body("");
    });
    let client = client(&server);
    let tag = client.get_tag().id("tag_1").send().await.unwrap();
    assert_eq!(tag.data.value, "x");
    let err = client.get_tag().id("tag_2").send().await.unwrap_err();
    assert!(
        matches!(&err, Error::UnexpectedStatus { operation: "get_tag", status: 302, location: Some(l) } if l == "/elsewhere"),
        "a redirect is reported, not followed: {err:?}"
    );
}

#[tokio::test]
async fn a_create_missing_its_required_fields_fails_before_sending() {
    let server = MockServer::start_async().await;
    let any = server.mock(|when, then| {
        when.any_request();
        then.status(200);
    });
    let err = client(&server)
        .create_tag()
        .body(types::CreateTagRequest::builder().value("vip"))
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidRequest(reason) if reason.contains("object_type")),
        "{err}"
    );
    assert_eq!(any.calls(), 0);
}

#[tokio::test]
async fn ensure_tag_returns_the_existing_tag_on_a_duplicate() {
    use pylon_sdk::TagsExt;
    let server = MockServer::start_async().await;
    let create = Expect {
        method: POST,
        path: "/tags",
        query: &[],
        body: Some(json!({"value": "vip", "object_type": "account", "hex_color": "#ff0000"})),
        status: 409,
        response: json!({"errors": ["exists"], "request_id": "r", "code": "duplicate_object", "exists_id": "tag_7"}),
    }
    .on(&server);
    let get = Expect {
        method: GET,
        path: "/tags/tag_7",
        query: &[],
        body: None,
        status: 200,
        response: json!({"data": tag_json("tag_7", "vip", "#00ff00"), "request_id": "r"}),
    }
    .on(&server);
    let tag = client(&server)
        .ensure_tag("vip", "account", Some("#ff0000"))
        .await
        .unwrap();
    assert_eq!(tag.id, "tag_7");
    create.assert();
    get.assert();
}

#[tokio::test]
async fn ensure_tag_without_exists_id_finds_the_tag_in_the_list() {
    use pylon_sdk::TagsExt;
    let server = MockServer::start_async().await;
    server.mock(|when, then| {
        when.method(POST).path("/tags");
        then.status(409)
            .json_body(json!({"errors": ["exists"], "request_id": "r"}));
    });
    let list = server.mock(|when, then| {
        when.method(GET).path("/tags");
        then.status(200)
            .json_body(json!({"data": [tag_json("tag_1", "vip", "#000000"),
            {"id": "tag_2", "value": "vip", "object_type": "issue"}], "request_id": "r"}));
    });
    let tag = client(&server)
        .ensure_tag("vip", "issue", None)
        .await
        .unwrap();
    assert_eq!(tag.id, "tag_2");
    list.assert();
}

/// Creates a tag without a colour on the mock server.
async fn create_tag(
    server: &MockServer,
    value: &str,
    object_type: &str,
) -> Result<types::TagResponse, Error> {
    client(server)
        .create_tag()
        .body(types::CreateTagRequest {
            value: value.into(),
            object_type: object_type.into(),
            hex_color: None,
        })
        .send()
        .await
        .map(|response| response.into_inner())
}
