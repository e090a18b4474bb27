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
        faults: vec![Fault::RateLimited],
        retry_after_secs: 0,
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
    assert!(log.contains("429"), "{log}");
    assert!(!log.contains(TOKEN) && !log.contains("test_token"), "{log}");
}
