//! Every attempt is visible in `tracing`; the token never is.

use std::io::Write;
use std::sync::{Arc, Mutex};

use pylon_sdk_tests::fake::{FakeConfig, FakePylon, Fault};
use pylon_sdk_tests::{TOKEN, client_for};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn attempts_and_waits_are_logged_without_the_token() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let fake = FakePylon::start(FakeConfig {
        fault_rate: 1.0,
        faults: vec![Fault::Unavailable],
        ..FakeConfig::default()
    })
    .await;
    let client = client_for(&fake.base_url());
    client.list_tags().send().await.unwrap_err();

    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert_eq!(log.matches("attempt finished").count(), 3, "{log}");
    assert_eq!(log.matches("retrying").count(), 2, "{log}");
    assert!(log.contains("operation=\"list_tags\""), "{log}");
    assert!(log.contains("attempt=2"), "{log}");
    assert!(log.contains("wait_ms="), "{log}");
    assert!(log.contains("Status(503)"), "{log}");
    assert!(!log.contains(TOKEN) && !log.contains("test_token"), "{log}");
}

/// At TRACE, for every crate (the HTTP stack's own logs included), each
/// request is logged with its headers, the authorization among them, and
/// the token still never appears.
#[tokio::test]
async fn the_trace_log_shows_the_headers_sent_but_not_the_token() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let fake = FakePylon::start(FakeConfig::default()).await;
    let client = client_for(&fake.base_url())
        .with_options(pylon_sdk::CallOptions::new().header("x-trace-check", "visible"))
        .unwrap();
    client.list_tags().send().await.unwrap();

    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let sending = log
        .lines()
        .find(|line| line.contains("sending"))
        .unwrap_or_else(|| panic!("no request logged: {log}"));
    assert!(sending.contains("operation=\"list_tags\""), "{sending}");
    assert!(
        sending.contains("\"authorization\": Sensitive"),
        "{sending}"
    );
    assert!(
        sending.contains("\"x-trace-check\": \"visible\""),
        "{sending}"
    );
    assert!(!log.contains(TOKEN) && !log.contains("test_token"), "{log}");
}

#[tokio::test]
async fn a_create_that_never_left_is_retried_and_reported_as_not_sent() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    // A port nothing listens on: the connection is refused.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base_url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let err = client_for(&base_url)
        .create_tag()
        .body(pylon_sdk::types::CreateTagRequest {
            value: "v".into(),
            object_type: "account".into(),
            hex_color: None,
        })
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            pylon_sdk::Error::Transport {
                outcome_unknown: false,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.is_retryable() && !err.is_outcome_unknown());
    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert_eq!(
        log.matches("attempt finished").count(),
        3,
        "a create that never left is retried: {log}"
    );
    assert!(log.contains("NotSent"), "{log}");
}
