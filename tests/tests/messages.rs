//! An issue's conversation: messages (list, edit, delete, redact), replies,
//! internal notes, threads, reply drafts and AI responses; each operation's
//! exact request and decoded response, and the flows of a support agent.

use httpmock::Method::{DELETE, GET, PATCH, POST};
use httpmock::MockServer;
use pylon_sdk::types;
use pylon_sdk_tests::objects::{message, with};
use pylon_sdk_tests::{Expect, client, roundtrip};
use serde_json::json;

/// A customer email with every optional part filled in.
fn customer_email() -> serde_json::Value {
    with(
        message("msg_1", "<p>I cannot sign in</p>", false),
        json!({"author": {"name": "Ada", "avatar_url": "https://a/ada.png",
                          "contact": {"id": "con_1", "email": "ada@acme.com"}},
               "file_urls": ["https://files.usepylon.com/f/screenshot.png?sig=1"],
               "email_info": {"from_email": "ada@acme.com", "to_emails": ["support@vendor.com"],
                              "cc_emails": [], "message_id": "<CA+abc@mail.gmail.com>",
                              "sender_authentication_status": "passed",
                              "opens": [{"email": "ada@acme.com", "time": "2026-03-01T11:00:00Z"}]}}),
    )
}

#[tokio::test]
async fn list_messages_sends_cursor_and_limit_and_decodes_authors_and_email_info() {
    let listed = roundtrip(
        Expect {
            method: GET,
            path: "/issues/iss_1/messages",
            query: &[("cursor", "c1"), ("limit", "2")],
            body: None,
            status: 200,
            response: json!({"data": [customer_email(),
                                      with(message("msg_2", "<p>checking</p>", true),
                                           json!({"thread_id": "thr_1",
                                                  "author": {"name": "Agent", "user": {"id": "usr_1"}}}))],
                             "pagination": {"cursor": "c2", "has_next_page": true}, "request_id": "r"}),
        },
        |c| async move {
            c.list_issue_messages()
                .id("iss_1")
                .cursor("c1")
                .limit(2)
                .send()
                .await
        },
    )
    .await;
    let email = &listed.data[0];
    assert!(!email.is_private);
    let author = email.author.as_ref().unwrap();
    assert_eq!(
        (
            author.name.as_str(),
            author.contact.as_ref().unwrap().id.as_str()
        ),
        ("Ada", "con_1")
    );
    let info = email.email_info.as_ref().unwrap();
    assert_eq!(info.message_id, "<CA+abc@mail.gmail.com>");
    assert_eq!(info.opens.as_ref().unwrap()[0].email, "ada@acme.com");
    assert_eq!(email.file_urls.as_ref().unwrap().len(), 1);
    let note = &listed.data[1];
    assert!(note.is_private);
    assert_eq!(note.thread_id.as_deref(), Some("thr_1"));
    assert_eq!(
        note.author.as_ref().unwrap().user.as_ref().unwrap().id,
        "usr_1"
    );
    assert_eq!(listed.pagination.as_ref().unwrap().cursor, "c2");
}

/// Flow: page through a 250-message conversation, 100 at a time, by hand.
#[tokio::test]
async fn page_through_a_long_conversation_with_the_cursor() {
    let server = MockServer::start_async().await;
    let page = |from: usize, to: usize| {
        (from..to)
            .map(|n| message(&format!("msg_{n:03}"), &format!("<p>{n}</p>"), n % 5 == 0))
            .collect::<Vec<_>>()
    };
    let first = server.mock(|when, then| {
        when.method(GET)
            .path("/issues/42/messages")
            .query_param("limit", "100")
            .query_param_missing("cursor");
        then.status(200).json_body(json!({"data": page(0, 100), "request_id": "p1",
                                          "pagination": {"cursor": "c100", "has_next_page": true}}));
    });
    let second = server.mock(|when, then| {
        when.method(GET)
            .path("/issues/42/messages")
            .query_param("limit", "100")
            .query_param("cursor", "c100");
        then.status(200).json_body(json!({"data": page(100, 200), "request_id": "p2",
                                          "pagination": {"cursor": "c200", "has_next_page": true}}));
    });
    let last = server.mock(|when, then| {
        when.method(GET)
            .path("/issues/42/messages")
            .query_param("limit", "100")
            .query_param("cursor", "c200");
        then.status(200)
            .json_body(json!({"data": page(200, 250), "request_id": "p3"}));
    });
    let client = client(&server);
    let mut messages = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut request = client.list_issue_messages().id("42").limit(100);
        if let Some(cursor) = &cursor {
            request = request.cursor(cursor.clone());
        }
        let response = request.send().await.unwrap().into_inner();
        pages += 1;
        messages.extend(response.data);
        // Pylon leaves `pagination` out on the last page.
        match response.pagination {
            Some(next) if !next.cursor.is_empty() => cursor = Some(next.cursor),
            _ => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(messages.len(), 250);
    assert_eq!(messages[0].id, "msg_000");
    assert_eq!(messages[249].id, "msg_249");
    assert_eq!(messages.iter().filter(|m| m.is_private).count(), 50);
    for mock in [first, second, last] {
        mock.assert_calls(1);
    }
}

#[tokio::test]
async fn edit_and_delete_a_message() {
    let edited = roundtrip(
        Expect {
            method: PATCH,
            path: "/issues/iss_1/messages/msg_2",
            query: &[],
            body: Some(json!({"body_html": "<p>checking now</p>"})),
            status: 200,
            response: json!({"data": message("msg_2", "<p>checking now</p>", true), "request_id": "r"}),
        },
        |c| async move {
            c.update_issue_message()
                .id("iss_1")
                .message_id("msg_2")
                .body(types::UpdateIssueMessageRequest {
                    body_html: "<p>checking now</p>".into(),
                })
                .send()
                .await
        },
    )
    .await;
    assert_eq!(edited.data.message_html, "<p>checking now</p>");
    let deleted = roundtrip(
        Expect {
            method: DELETE,
            path: "/issues/iss_1/messages/msg_2",
            query: &[],
            body: None,
            status: 200,
            response: json!({"request_id": "del"}),
        },
        |c| async move {
            c.delete_issue_message()
                .id("iss_1")
                .message_id("msg_2")
                .send()
                .await
        },
    )
    .await;
    assert_eq!(deleted.request_id, "del");
}

/// Flow: find the message with a leaked password and redact it, keeping its
/// attachments; a second message is redacted with Pylon's defaults.
#[tokio::test]
async fn redact_a_message() {
    let server = MockServer::start_async().await;
    let list = Expect {
        method: GET,
        path: "/issues/iss_1/messages",
        query: &[],
        body: None,
        status: 200,
        response: json!({"data": [message("msg_1", "<p>hi</p>", false),
                                  message("msg_2", "<p>my password is hunter2</p>", false)],
                         "request_id": "r"}),
    }
    .on(&server);
    let redact = Expect {
        method: POST,
        path: "/issues/iss_1/messages/msg_2/redact",
        query: &[],
        body: Some(json!({"redacted_body_message": "<p>[password removed]</p>",
                          "redact_attachments": false})),
        status: 200,
        response: json!({"data": message("msg_2", "<p>[password removed]</p>", false), "request_id": "r"}),
    }
    .on(&server);
    let redact_default = Expect {
        method: POST,
        path: "/issues/iss_1/messages/msg_1/redact",
        query: &[],
        body: Some(json!({})),
        status: 200,
        response: json!({"data": message("msg_1", "<p>This message has been redacted.</p>", false),
                         "request_id": "r"}),
    }
    .on(&server);
    let client = client(&server);
    let messages = client
        .list_issue_messages()
        .id("iss_1")
        .send()
        .await
        .unwrap()
        .into_inner()
        .data;
    let leaked = messages
        .iter()
        .find(|m| m.message_html.contains("password"))
        .unwrap();
    let redacted = client
        .redact_issue_message()
        .id("iss_1")
        .message_id(&leaked.id)
        .body(types::RedactIssueMessageRequest {
            redacted_body_message: Some("<p>[password removed]</p>".into()),
            redact_attachments: Some(false),
        })
        .send()
        .await
        .unwrap();
    assert_eq!(redacted.data.message_html, "<p>[password removed]</p>");
    let by_default = client
        .redact_issue_message()
        .id("iss_1")
        .message_id("msg_1")
        .body(types::RedactIssueMessageRequest::default())
        .send()
        .await
        .unwrap();
    assert!(by_default.data.message_html.contains("redacted"));
    for mock in [list, redact, redact_default] {
        mock.assert();
    }
}

#[tokio::test]
async fn reply_to_an_email_conversation_with_recipients() {
    let posted = roundtrip(
        Expect {
            method: POST,
            path: "/issues/iss_1/reply",
            query: &[],
            body: Some(json!({"body_html": "<p>Try again now.</p>", "message_id": "msg_1",
                              "user_id": "usr_1",
                              "email_info": {"to_emails": ["ada@acme.com"], "cc_emails": ["cto@acme.com"]}})),
            status: 200,
            response: json!({"data": {"id": "msg_3", "issue_id": "iss_1"}, "request_id": "r"}),
        },
        |c| async move {
            c.reply_to_issue()
                .id("iss_1")
                .body(
                    types::ReplyToIssueRequest::builder()
                        .body_html("<p>Try again now.</p>")
                        .message_id("msg_1")
                        .user_id(Some("usr_1".to_string()))
                        .email_info(Some(types::ReplyEmailInfo {
                            to_emails: vec!["ada@acme.com".into()],
                            cc_emails: vec!["cto@acme.com".into()],
                            bcc_emails: vec![],
                        })),
                )
                .send()
                .await
        },
    )
    .await;
    assert_eq!(posted.data.id, "msg_3");
}

#[tokio::test]
async fn a_reply_without_message_id_is_refused_before_sending() {
    let server = MockServer::start_async().await;
    let any = server.mock(|when, then| {
        when.any_request();
        then.status(200);
    });
    let err = client(&server)
        .reply_to_issue()
        .id("iss_1")
        .body(types::ReplyToIssueRequest::builder().body_html("<p>hi</p>"))
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, pylon_sdk::Error::InvalidRequest(r) if r.contains("message_id")),
        "{err}"
    );
    assert_eq!(any.calls(), 0);
}

/// Flow: add an internal note to the thread of an earlier note, then one that
/// starts a new named thread.
#[tokio::test]
async fn add_a_note() {
    let in_thread = roundtrip(
        Expect {
            method: POST,
            path: "/issues/iss_1/note",
            query: &[],
            body: Some(json!({"body_html": "<p>Escalated to eng.</p>", "thread_id": "thr_1"})),
            status: 200,
            response: json!({"data": {"id": "msg_4", "issue_id": "iss_1"}, "request_id": "r"}),
        },
        |c| async move {
            c.create_issue_note()
                .id("iss_1")
                .body(
                    types::CreateIssueNoteRequest::builder()
                        .body_html("<p>Escalated to eng.</p>")
                        .thread_id(Some("thr_1".to_string())),
                )
                .send()
                .await
        },
    )
    .await;
    assert_eq!(in_thread.data.id, "msg_4");
    let new_thread = roundtrip(
        Expect {
            method: POST,
            path: "/issues/iss_1/note",
            query: &[],
            body: Some(
                json!({"body_html": "<p>Logs attached.</p>", "thread_name": "Debugging",
                              "attachment_urls": ["https://files/x.log"]}),
            ),
            status: 200,
            response: json!({"data": {"id": "msg_5", "issue_id": "iss_1"}, "request_id": "r"}),
        },
        |c| async move {
            c.create_issue_note()
                .id("iss_1")
                .body(
                    types::CreateIssueNoteRequest::builder()
                        .body_html("<p>Logs attached.</p>")
                        .thread_name(Some("Debugging".to_string()))
                        .attachment_urls(vec!["https://files/x.log".to_string()]),
                )
                .send()
                .await
        },
    )
    .await;
    assert_eq!(new_thread.data.issue_id, "iss_1");
}

/// Flow: start an internal thread backed by Slack, then list the threads.
#[tokio::test]
async fn create_and_list_threads() {
    let server = MockServer::start_async().await;
    let thread = json!({"id": "thr_2", "issue_id": "iss_1", "name": "Billing question",
                        "source": "slack", "channel_id": "C024BE91L", "thread_id": "1700000000.000100"});
    let create = Expect {
        method: POST,
        path: "/issues/iss_1/threads",
        query: &[],
        body: Some(json!({"name": "Billing question", "slack_channel_id": "C024BE91L"})),
        status: 200,
        response: json!({"data": thread, "request_id": "r"}),
    }
    .on(&server);
    let list = Expect {
        method: GET,
        path: "/issues/iss_1/threads",
        query: &[],
        body: None,
        status: 200,
        response: json!({"data": [{"id": "thr_1", "issue_id": "iss_1", "name": "Internal"}, thread],
                         "request_id": "r"}),
    }
    .on(&server);
    let client = client(&server);
    let created = client
        .create_issue_thread()
        .id("iss_1")
        .body(types::CreateIssueThreadRequest {
            name: Some("Billing question".into()),
            slack_channel_id: Some("C024BE91L".into()),
            slack_thread_ts: None,
        })
        .send()
        .await
        .unwrap()
        .into_inner()
        .data;
    let threads = client
        .list_issue_threads()
        .id("iss_1")
        .send()
        .await
        .unwrap()
        .into_inner()
        .data;
    create.assert();
    list.assert();
    assert_eq!(threads.len(), 2);
    assert_eq!(threads[1].id, created.id);
    assert_eq!(threads[1].source.as_deref(), Some("slack"));
    assert_eq!(threads[0].source, None);
}

#[tokio::test]
async fn save_a_reply_draft() {
    let draft = roundtrip(
        Expect {
            method: POST,
            path: "/issues/iss_1/draft-reply",
            query: &[],
            body: Some(json!({"body_html": "<p>Draft</p>", "user_id": "usr_1"})),
            status: 200,
            response: json!({"data": {"id": "drf_1", "issue_id": "iss_1", "user_id": "usr_1",
                                      "status": "draft", "updated_at": "2026-03-01T12:00:00Z"},
                             "request_id": "r"}),
        },
        |c| async move {
            c.create_issue_draft_reply()
                .id("iss_1")
                .body(types::CreateIssueDraftReplyRequest {
                    body_html: "<p>Draft</p>".into(),
                    user_id: Some("usr_1".into()),
                })
                .send()
                .await
        },
    )
    .await;
    assert_eq!(
        (draft.data.id.as_str(), draft.data.updated_at.to_rfc3339()),
        ("drf_1", "2026-03-01T12:00:00+00:00".to_string())
    );
}

#[tokio::test]
async fn an_ai_agent_answers_without_a_data_envelope() {
    let answer = roundtrip(
        Expect {
            method: POST,
            path: "/issues/42/ai-response",
            query: &[],
            body: Some(json!({"ai_agent_id": "agent_1", "post_as_internal_note": true})),
            status: 200,
            response: json!({"response_html": "<p>Reset the password.</p>", "response_valid": true,
                             "request_id": "r"}),
        },
        |c| async move {
            c.create_issue_ai_response()
                .id("42")
                .body(types::CreateIssueAiResponseRequest {
                    ai_agent_id: "agent_1".into(),
                    post_as_internal_note: Some(true),
                })
                .send()
                .await
        },
    )
    .await;
    assert!(answer.response_valid);
    assert_eq!(answer.response_html, "<p>Reset the password.</p>");
}
