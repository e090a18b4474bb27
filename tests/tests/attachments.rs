//! `POST /attachments`: the exact multipart form for uploads from bytes, a
//! file and a URL; the 100 MB limit and bad uploads refused before sending;
//! errors mapped like every operation; a create-style retry policy (a 429 is
//! retried, the file read again for each attempt; a 500 is not); the rate
//! limiter; and replying to an issue with a file attached.

use std::time::{Duration, Instant};

use httpmock::Method::POST;
use httpmock::MockServer;
use pylon_sdk::upload::MAX_ATTACHMENT_BYTES;
use pylon_sdk::{Client, Error, RateLimits, Upload, UploadsExt, types};
use pylon_sdk_tests::{Expect, ExpectUpload, FormPart, TOKEN, client};
use serde_json::json;

fn attachment(name: &str, description: &str) -> serde_json::Value {
    json!({"data": {"id": "att_1", "name": name, "description": description,
                    "url": format!("https://files.usepylon.com/att_1/{name}?sig=abc")},
           "request_id": "req_up"})
}

/// A file with `content` in a fresh directory under the system temp dir.
fn temp_file(name: &str, content: &[u8]) -> (std::path::PathBuf, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("pylon-attachments-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    (dir, path)
}

#[tokio::test]
async fn bytes_go_up_as_one_file_part_with_name_type_and_description() {
    let server = MockServer::start_async().await;
    let png = [0x89, b'P', b'N', b'G', 0, 1, 2, 3];
    let (mock, _) = ExpectUpload {
        parts: vec![
            FormPart::file("file", "screenshot.png", "image/png", &png),
            FormPart::text("description", "login page"),
        ],
        status: 200,
        response: attachment("screenshot.png", "login page"),
    }
    .on(&server);
    let uploaded = client(&server)
        .create_attachment(
            Upload::from_bytes("screenshot.png", png.to_vec()).description("login page"),
        )
        .await
        .unwrap();
    mock.assert();
    assert_eq!(uploaded.request_id, "req_up");
    let data: &types::Attachment = &uploaded.data;
    assert_eq!(
        (
            data.id.as_str(),
            data.name.as_str(),
            data.description.as_str()
        ),
        ("att_1", "screenshot.png", "login page")
    );
    assert!(data.url.starts_with("https://files.usepylon.com/att_1/"));
}

#[tokio::test]
async fn a_file_is_streamed_under_its_own_name_with_the_type_given() {
    let server = MockServer::start_async().await;
    let content = b"2026-03-01 panic at the disco\n".repeat(5_000);
    let (dir, path) = temp_file("crash.log", &content);
    let (mock, _) = ExpectUpload {
        parts: vec![FormPart::file("file", "crash.log", "text/x-log", &content)],
        status: 200,
        response: attachment("crash.log", ""),
    }
    .on(&server);
    let uploaded = client(&server)
        .create_attachment(Upload::from_path(&path).content_type("text/x-log"))
        .await
        .unwrap();
    mock.assert();
    assert_eq!(uploaded.data.name, "crash.log");
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn the_content_type_is_inferred_and_the_name_can_be_overridden() {
    let server = MockServer::start_async().await;
    let (dir, path) = temp_file("tmp-8731.bin", b"%PDF-1.7 ...");
    let (mock, _) = ExpectUpload {
        parts: vec![FormPart::file(
            "file",
            "invoice.pdf",
            "application/pdf",
            b"%PDF-1.7 ...",
        )],
        status: 200,
        response: attachment("invoice.pdf", ""),
    }
    .on(&server);
    client(&server)
        .create_attachment(Upload::from_path(&path).file_name("invoice.pdf"))
        .await
        .unwrap();
    mock.assert();
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn a_url_is_sent_as_file_url_for_pylon_to_fetch() {
    let server = MockServer::start_async().await;
    let (mock, _) = ExpectUpload {
        parts: vec![
            FormPart::text("file_url", "https://cdn.example.com/report.csv"),
            FormPart::text("description", "weekly report"),
        ],
        status: 200,
        response: attachment("report.csv", "weekly report"),
    }
    .on(&server);
    let uploaded = client(&server)
        .create_attachment(
            Upload::from_url("https://cdn.example.com/report.csv").description("weekly report"),
        )
        .await
        .unwrap();
    mock.assert();
    assert_eq!(uploaded.data.name, "report.csv");
}

#[tokio::test]
async fn files_over_100_mb_and_bad_uploads_are_refused_before_sending() {
    let server = MockServer::start_async().await;
    let any = server.mock(|when, then| {
        when.any_request();
        then.status(200);
    });
    let (dir, path) = temp_file("huge.bin", b"");
    // A sparse file: its length is over the limit without using the disk.
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(MAX_ATTACHMENT_BYTES + 1)
        .unwrap();
    let client = client(&server);
    let too_big = client
        .create_attachment(Upload::from_path(&path))
        .await
        .unwrap_err();
    assert!(
        matches!(&too_big, Error::InvalidRequest(reason) if reason.contains("104857600")),
        "{too_big}"
    );
    for upload in [
        Upload::from_path(dir.join("missing.txt")),
        Upload::from_bytes("a.txt", &b"x"[..]).content_type("not a content type"),
        Upload::from_url("file:///etc/passwd"),
    ] {
        let err = client.create_attachment(upload).await.unwrap_err();
        assert!(matches!(err, Error::InvalidRequest(_)), "{err}");
    }
    assert_eq!(any.calls(), 0);
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn a_429_is_retried_and_the_file_is_read_again_for_every_attempt() {
    let server = MockServer::start_async().await;
    let content = b"line\n".repeat(20_000);
    let (dir, path) = temp_file("retry.txt", &content);
    let (mock, received) = ExpectUpload {
        parts: vec![FormPart::file("file", "retry.txt", "text/plain", &content)],
        status: 429,
        response: json!({"errors": ["slow down"], "request_id": "r", "code": "rate_limited"}),
    }
    .on(&server);
    // 429s are paced until the deadline: with no Retry-After, at 0, 1, 2
    // and 3 s; the next, at 5 s (the third refusal in a row doubles the
    // spacing), would pass the 4.5 s deadline.
    let within = pylon_sdk::CallOptions::new().retry_policy(
        pylon_sdk::RetryPolicy::standard().with_deadline(std::time::Duration::from_millis(4500)),
    );
    let err = client(&server)
        .with_options(within)
        .unwrap()
        .create_attachment(Upload::from_path(&path))
        .await
        .unwrap_err();
    assert_eq!(mock.calls(), 4, "the first attempt and three paced retries");
    assert!(err.is_rate_limited());
    assert_eq!(err.request_id(), Some("r"));
    let received = received.lock().unwrap();
    assert_eq!(received.len(), 4);
    assert!(
        received.iter().all(|parts| parts[0].data == content),
        "every attempt carried the whole file"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn an_ambiguous_failure_is_not_repeated() {
    let server = MockServer::start_async().await;
    let mock = server.mock(|when, then| {
        when.method(POST).path("/attachments");
        then.status(500)
            .json_body(json!({"errors": ["boom"], "request_id": "r5", "code": "internal_error"}));
    });
    let err = client(&server)
        .create_attachment(Upload::from_bytes("a.txt", &b"hello"[..]))
        .await
        .unwrap_err();
    assert_eq!(mock.calls(), 1, "an upload may exist after a 500");
    assert!(err.is_outcome_unknown());
    assert_eq!(err.api().unwrap().code.as_deref(), Some("internal_error"));
}

#[tokio::test]
async fn errors_map_like_every_operation_and_never_show_the_token() {
    let server = MockServer::start_async().await;
    server.mock(|when, then| {
        when.method(POST).path("/attachments");
        then.status(413)
            .json_body(json!({"errors": ["file too large"], "request_id": "r413",
                                          "code": "payload_too_large"}));
    });
    let err = client(&server)
        .create_attachment(Upload::from_bytes("a.txt", &b"x"[..]))
        .await
        .unwrap_err();
    let api = err.api().unwrap();
    assert_eq!(
        (api.status, api.code.as_deref(), api.messages.clone()),
        (
            413,
            Some("payload_too_large"),
            vec!["file too large".to_string()]
        )
    );
    assert!(!err.to_string().contains(TOKEN) && !format!("{err:?}").contains(TOKEN));
}

#[tokio::test]
async fn uploads_wait_for_the_rate_limiter() {
    let server = MockServer::start_async().await;
    let (mock, _) = ExpectUpload {
        parts: vec![FormPart::file("file", "a.txt", "text/plain", b"x")],
        status: 200,
        response: attachment("a.txt", ""),
    }
    .on(&server);
    let window = Duration::from_millis(400);
    let client = Client::builder(TOKEN)
        .base_url(server.base_url())
        .rate_limits(
            RateLimits::pylon_defaults()
                .with_limit("create_attachment", 1)
                .with_window(window),
        )
        .build()
        .unwrap();
    let started = Instant::now();
    for _ in 0..2 {
        client
            .create_attachment(Upload::from_bytes("a.txt", &b"x"[..]))
            .await
            .unwrap();
    }
    assert!(started.elapsed() >= window, "{:?}", started.elapsed());
    mock.assert_calls(2);
}

/// Flow: upload a log file, then reply to the customer with it attached.
#[tokio::test]
async fn reply_to_an_issue_with_an_attachment_uploaded_from_a_file() {
    let server = MockServer::start_async().await;
    let content = b"step 1: clear the cache\nstep 2: sign in again\n";
    let (dir, path) = temp_file("fix-steps.txt", content);
    let (upload, _) = ExpectUpload {
        parts: vec![
            FormPart::file("file", "fix-steps.txt", "text/plain", content),
            FormPart::text("description", "workaround"),
        ],
        status: 200,
        response: attachment("fix-steps.txt", "workaround"),
    }
    .on(&server);
    let url = "https://files.usepylon.com/att_1/fix-steps.txt?sig=abc";
    let reply = Expect {
        method: POST,
        path: "/issues/iss_1/reply",
        query: &[],
        body: Some(
            json!({"body_html": "<p>These steps fix it.</p>", "message_id": "msg_1",
                          "attachment_urls": [url]}),
        ),
        status: 200,
        response: json!({"data": {"id": "msg_2", "issue_id": "iss_1"}, "request_id": "r"}),
    }
    .on(&server);

    let client = client(&server);
    let attachment = client
        .create_attachment(Upload::from_path(&path).description("workaround"))
        .await
        .unwrap()
        .into_inner()
        .data;
    let posted = client
        .reply_to_issue()
        .id("iss_1")
        .body(
            types::ReplyToIssueRequest::builder()
                .body_html("<p>These steps fix it.</p>")
                .message_id("msg_1")
                .attachment_urls(vec![attachment.url]),
        )
        .send()
        .await
        .unwrap();
    upload.assert();
    reply.assert();
    assert_eq!(
        (posted.data.id.as_str(), posted.data.issue_id.as_str()),
        ("msg_2", "iss_1")
    );
    std::fs::remove_dir_all(dir).unwrap();
}
