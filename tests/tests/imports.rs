//! The imports (contacts, issues and their messages brought over from
//! another tool): each operation's exact request and decoded response, the
//! body check of a call by name, the retry class of a create and the rate
//! limit Pylon states for them.

use chrono::{TimeZone, Utc};
use httpmock::Method::POST;
use httpmock::MockServer;
use pylon_sdk::mock::MockServerExt;
use pylon_sdk::operations::OperationCall;
use pylon_sdk::{Error, RateLimits, types};
use pylon_sdk_tests::responses::response_fixture;
use pylon_sdk_tests::{Expect, client, roundtrip};
use serde_json::json;

fn tier_field(value: &str) -> types::CustomFieldValue {
    types::CustomFieldValue {
        slug: "tier".into(),
        value: Some(value.into()),
        values: vec![],
    }
}

/// Who wrote an imported message.
enum Author {
    User(&'static str),
    Contact(&'static str),
}

/// A public message by `author`, with nothing else set.
fn message(body_html: &str, author: Author) -> types::ImportMessage {
    let (user_id, contact_id) = match author {
        Author::User(id) => (Some(id.to_string()), None),
        Author::Contact(id) => (None, Some(id.to_string())),
    };
    types::ImportMessage {
        body_html: body_html.into(),
        is_private: false,
        user_id,
        contact_id,
        created_at: None,
        attachment_urls: vec![],
    }
}

#[tokio::test]
async fn import_contact_sends_the_contact_and_decodes_the_answer() {
    let imported = roundtrip(
        Expect {
            method: POST,
            path: "/import/contacts",
            query: &[],
            body: Some(json!({
                "email": "grace@acme.com",
                "name": "Grace Hopper",
                "account_id": "acc_1",
                "avatar_url": "https://cdn.example/grace.png",
                "custom_fields": [{"slug": "tier", "value": "gold"}],
                "portal_role": "admin"
            })),
            status: 200,
            response: response_fixture("import_contact.full"),
        },
        |c| async move {
            c.import_contact()
                .body(
                    types::ImportContactRequest::builder()
                        .email("grace@acme.com")
                        .name("Grace Hopper")
                        .account_id(String::from("acc_1"))
                        .avatar_url(String::from("https://cdn.example/grace.png"))
                        .custom_fields(vec![tier_field("gold")])
                        .portal_role(String::from("admin")),
                )
                .send()
                .await
        },
    )
    .await;
    assert_eq!(imported.request_id, "req_import_contact");
    assert_eq!(imported.data.id, "con_2");
    assert_eq!(imported.data.name, "Grace Hopper");
}

#[tokio::test]
async fn import_issue_sends_the_issue_with_its_history() {
    let opened = Utc.with_ymd_and_hms(2025, 11, 3, 9, 0, 0).unwrap();
    let answered = Utc.with_ymd_and_hms(2025, 11, 3, 9, 42, 0).unwrap();
    let resolved = Utc.with_ymd_and_hms(2025, 11, 4, 16, 5, 0).unwrap();
    let imported = roundtrip(
        Expect {
            method: POST,
            path: "/import/issues",
            query: &[],
            body: Some(json!({
                "title": "Invoice shows the wrong currency",
                "state": "closed",
                "messages": [
                    {"body_html": "<p>Our invoice is in USD, not EUR.</p>", "is_private": false,
                     "contact_id": "con_2", "created_at": "2025-11-03T09:00:00Z"},
                    {"body_html": "<p>Billing confirmed the bug.</p>", "is_private": true,
                     "user_id": "usr_1", "created_at": "2025-11-03T09:42:00Z",
                     "attachment_urls": ["https://files.example/trace.txt"]}
                ],
                "account_id": "acc_1",
                "requester_id": "con_2",
                "assignee_id": "usr_1",
                "tags": ["billing"],
                "custom_fields": [{"slug": "tier", "value": "gold"}],
                "external_issues": [{"external_issue_id": "BIL-17", "source": "linear"}],
                "external_refs": {"zendesk_ticket_id": "88123"},
                "created_at": "2025-11-03T09:00:00Z",
                "first_response_time": "2025-11-03T09:42:00Z",
                "resolution_time": "2025-11-04T16:05:00Z"
            })),
            status: 200,
            response: response_fixture("import_issue.full"),
        },
        |c| async move {
            c.import_issue()
                .body(
                    types::ImportIssueRequest::builder()
                        .title("Invoice shows the wrong currency")
                        .state("closed")
                        .messages(vec![
                            types::ImportMessage {
                                created_at: Some(opened),
                                ..message(
                                    "<p>Our invoice is in USD, not EUR.</p>",
                                    Author::Contact("con_2"),
                                )
                            },
                            types::ImportMessage {
                                is_private: true,
                                created_at: Some(answered),
                                attachment_urls: vec!["https://files.example/trace.txt".into()],
                                ..message(
                                    "<p>Billing confirmed the bug.</p>",
                                    Author::User("usr_1"),
                                )
                            },
                        ])
                        .account_id(String::from("acc_1"))
                        .requester_id(String::from("con_2"))
                        .assignee_id(String::from("usr_1"))
                        .tags(vec!["billing".into()])
                        .custom_fields(vec![tier_field("gold")])
                        .external_issues(vec![types::ImportExternalIssue {
                            external_issue_id: "BIL-17".into(),
                            source: "linear".into(),
                        }])
                        .external_refs(types::ImportExternalRefs {
                            zendesk_ticket_id: Some("88123".into()),
                            intercom_conversation_id: None,
                        })
                        .created_at(opened)
                        .first_response_time(answered)
                        .resolution_time(resolved),
                )
                .send()
                .await
        },
    )
    .await;
    assert_eq!(imported.request_id, "req_import_issue");
    assert_eq!(imported.data.id, "iss_1");
    assert_eq!(imported.data.state, "closed");
}

#[tokio::test]
async fn import_issue_messages_adds_messages_to_an_existing_issue() {
    let imported = roundtrip(
        Expect {
            method: POST,
            path: "/import/issues/iss%201/messages",
            query: &[],
            body: Some(json!({"messages": [
                {"body_html": "<p>Any update?</p>", "is_private": false, "contact_id": "con_2"}
            ]})),
            status: 200,
            response: response_fixture("import_issue_messages.minimal"),
        },
        |c| async move {
            c.import_issue_messages()
                .id("iss 1")
                .body(types::ImportIssueMessagesRequest {
                    messages: vec![message("<p>Any update?</p>", Author::Contact("con_2"))],
                })
                .send()
                .await
        },
    )
    .await;
    assert_eq!(imported.request_id, "req_import_issue_messages");
    assert_eq!(imported.data.id, "iss_1");
}

/// The generated mock helper matches the typed body it is given.
#[tokio::test]
async fn the_mock_helper_matches_an_import() {
    let server = MockServer::start_async().await;
    let request = types::ImportIssueMessagesRequest {
        messages: vec![types::ImportMessage {
            is_private: true,
            ..message("<p>Closing this out.</p>", Author::User("usr_1"))
        }],
    };
    let answer: types::IssueResponse =
        serde_json::from_value(response_fixture("import_issue_messages.full")).unwrap();
    let mock = server.import_issue_messages(|when, then| {
        when.id("iss_1").body(&request);
        then.ok(&answer);
    });
    let imported = client(&server)
        .import_issue_messages()
        .id("iss_1")
        .body(request.clone())
        .send()
        .await
        .unwrap();
    mock.assert();
    assert_eq!(imported.request_id, "req_import_issue_messages");
}

/// By name, a body that misses a required field or has one of the wrong
/// type is refused before anything is sent.
#[tokio::test]
async fn an_import_by_name_checks_its_body_first() {
    let server = MockServer::start_async().await;
    let any = server.mock(|when, then| {
        when.any_request();
        then.status(200).json_body(json!({"request_id": "r"}));
    });
    let client = client(&server);
    for (operation, body, expected) in [
        (
            "import_issue",
            json!({"title": "t", "state": "new"}),
            "the body is not a valid ImportIssueRequest: `messages` is missing",
        ),
        (
            "import_issue",
            json!({"title": "t", "state": "new", "messages": {"body_html": "b"}}),
            "`messages` must be an array",
        ),
        (
            "import_contact",
            json!({"name": "Grace Hopper"}),
            "the body is not a valid ImportContactRequest: `email` is missing",
        ),
    ] {
        let call = OperationCall::new().body(body.clone());
        match client.call(operation, call).await {
            Err(Error::InvalidRequest(reason)) => {
                assert!(reason.contains(expected), "{body}: {reason}")
            }
            other => panic!("{operation} {body}: {other:?}"),
        }
    }
    assert_eq!(any.calls(), 0);
}

/// An import creates: after a 503 it is not sent again, since Pylon may
/// have applied it.
#[tokio::test]
async fn an_import_is_not_repeated_after_a_server_error() {
    let server = MockServer::start_async().await;
    let unavailable = server.mock(|when, then| {
        when.method(POST).path("/import/contacts");
        then.status(503)
            .json_body(json!({"errors": ["unavailable"], "request_id": "r"}));
    });
    let error = client(&server)
        .import_contact()
        .body(
            types::ImportContactRequest::builder()
                .email("grace@acme.com")
                .name("Grace Hopper"),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(503));
    assert_eq!(unavailable.calls(), 1);
}

#[test]
fn imports_are_limited_to_the_twenty_per_minute_pylon_states() {
    let limits = RateLimits::pylon_defaults();
    for operation in ["import_contact", "import_issue", "import_issue_messages"] {
        assert_eq!(limits.limit_for(operation), 20, "{operation}");
    }
}
