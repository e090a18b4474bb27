//! A support workflow: find new issues, reply to each customer with an
//! attachment, leave an internal note for the team, and set the status.
//!
//! It runs against an in-process mock Pylon. Because it replies to
//! customers, it talks to the live API only when both `PYLON_API_TOKEN` is
//! set and `--live` is given.
//!
//! ```text
//! cargo run -p pylon-sdk --example support_workflow
//! ```

use httpmock::Method::{GET, PATCH, POST};
use httpmock::MockServer;
use pylon_sdk::filter::{IssueState, issue};
use pylon_sdk::prelude::*;
use serde_json::json;

#[tokio::main]
async fn main() -> pylon_sdk::Result<()> {
    let live = std::env::args().any(|arg| arg == "--live");
    let mock;
    let client = if live && std::env::var_os("PYLON_API_TOKEN").is_some() {
        println!("--live and PYLON_API_TOKEN: using the live API");
        Client::from_env()?
    } else {
        println!(
            "using an in-process mock Pylon (pass --live with PYLON_API_TOKEN for the live API)"
        );
        mock = mock_pylon();
        Client::builder("pylon_api_example")
            .base_url(mock.base_url())
            .build()?
    };

    // The troubleshooting guide goes out as a file, streamed from disk.
    let guide = std::env::temp_dir().join("sso-troubleshooting.txt");
    std::fs::write(
        &guide,
        "1. Sign out of every tab.\n2. Clear cookies for your SSO domain.\n3. Sign in again.\n",
    )
    .map_err(|e| Error::InvalidRequest(format!("cannot write the guide: {e}")))?;

    // 1. Find new issues.
    let new_issues = client
        .search_issues()
        .body(
            issue::state()
                .equals(IssueState::New)
                .into_search_request()?,
        )
        .send()
        .await?
        .into_inner()
        .data;
    println!("{} new issue(s)", new_issues.len());

    for found in new_issues {
        // 2. Reply to the customer's latest message, with the guide attached.
        let messages = client
            .list_issue_messages()
            .id(&found.id)
            .send()
            .await?
            .into_inner()
            .data;
        let Some(latest) = messages.iter().rev().find(|message| !message.is_private) else {
            println!("#{}: no customer message to reply to", found.number);
            continue;
        };
        let attachment = client
            .create_attachment(Upload::from_path(&guide).description("SSO troubleshooting"))
            .await?
            .into_inner()
            .data;
        let reply = client
            .reply_to_issue()
            .id(&found.id)
            .body(
                types::ReplyToIssueRequest::builder()
                    .body_html(
                        "<p>These steps fix most SSO sign-in problems; see the attached guide.</p>",
                    )
                    .message_id(latest.id.clone())
                    .attachment_urls(vec![attachment.url.clone()]),
            )
            .send()
            .await?;
        println!(
            "#{}: replied ({}) with {}",
            found.number, reply.data.id, attachment.name
        );

        // 3. Tell the team, in an internal note.
        client
            .create_issue_note()
            .id(&found.id)
            .body(
                types::CreateIssueNoteRequest::builder()
                    .body_html("<p>Sent the SSO guide; waiting on the customer.</p>")
                    .thread_name(Some("Triage".to_string())),
            )
            .send()
            .await?;

        // 4. Set the status.
        let updated = client
            .update_issue()
            .id(&found.id)
            .body(types::UpdateIssueRequest {
                state: Some("waiting_on_customer".into()),
                ..Default::default()
            })
            .send()
            .await?;
        println!("#{}: now {}", updated.data.number, updated.data.state);
    }
    std::fs::remove_file(&guide).ok();
    Ok(())
}

fn issue_json(state: &str) -> serde_json::Value {
    json!({"id": "iss_1", "number": 42, "title": "Cannot sign in with SSO", "body_html": "<p>SSO fails</p>",
           "state": state, "type": "conversation", "source": "email",
           "link": "https://app.usepylon.com/issues/42", "created_at": "2026-03-01T10:00:00Z",
           "updated_at": "2026-03-01T10:00:00Z", "customer_portal_visible": false,
           "is_issue_group": false, "number_of_touches": 1})
}

fn mock_pylon() -> MockServer {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.method(POST)
            .path("/issues/search")
            .json_body(json!({"filter": {"field": "state", "operator": "equals", "value": "new"}}));
        then.status(200)
            .json_body(json!({"data": [issue_json("new")], "request_id": "r1"}));
    });
    server.mock(|when, then| {
        when.method(GET).path("/issues/iss_1/messages");
        then.status(200).json_body(json!({"data": [
            {"id": "msg_1", "message_html": "<p>I cannot sign in with SSO.</p>", "source": "email",
             "timestamp": "2026-03-01T10:00:00Z", "is_private": false, "author_unverified": false,
             "author": {"name": "Ada", "contact": {"id": "con_1", "email": "ada@acme.com"}}},
            {"id": "msg_2", "message_html": "<p>Looking.</p>", "source": "pylon",
             "timestamp": "2026-03-01T10:02:00Z", "is_private": true, "author_unverified": false}
        ], "request_id": "r2"}));
    });
    server.mock(|when, then| {
        when.method(POST)
            .path("/attachments")
            .header_prefix("content-type", "multipart/form-data")
            .body_includes("Clear cookies for your SSO domain");
        then.status(200).json_body(json!({"data": {"id": "att_1", "name": "sso-troubleshooting.txt",
            "description": "SSO troubleshooting",
            "url": "https://files.usepylon.com/att_1/sso-troubleshooting.txt?sig=abc"}, "request_id": "r3"}));
    });
    server.mock(|when, then| {
        when.method(POST)
            .path("/issues/iss_1/reply")
            .body_includes("\"message_id\":\"msg_1\"")
            .body_includes("att_1/sso-troubleshooting.txt");
        then.status(200)
            .json_body(json!({"data": {"id": "msg_3", "issue_id": "iss_1"}, "request_id": "r4"}));
    });
    server.mock(|when, then| {
        when.method(POST).path("/issues/iss_1/note");
        then.status(200)
            .json_body(json!({"data": {"id": "msg_4", "issue_id": "iss_1"}, "request_id": "r5"}));
    });
    server.mock(|when, then| {
        when.method(PATCH)
            .path("/issues/iss_1")
            .json_body(json!({"state": "waiting_on_customer"}));
        then.status(200)
            .json_body(json!({"data": issue_json("waiting_on_customer"), "request_id": "r6"}));
    });
    server
}
