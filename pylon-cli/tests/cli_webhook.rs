//! `webhook verify`: the body from stdin byte for byte, the secret from an
//! environment variable, exit 0 on a match and 6 with a one-line reason
//! otherwise; the secret never appears.

mod common;

use common::{bare_pylon, text};
use pylon_sdk::webhook::{self, WebhookSecret};

const SECRET: &str = "whsec_cli_test_secret";
const BODY: &[u8] =
    br#"{"event":"issue.created","issue":{"id":"iss_1","title":"SSO login fails"}}"#;

fn verify(signature: &str, body: &[u8], secret: Option<&str>) -> assert_cmd::assert::Assert {
    let mut command = assert_cmd::Command::from_std(bare_pylon());
    command.env_remove("PYLON_TEST_WEBHOOK_SECRET");
    if let Some(secret) = secret {
        command.env("PYLON_TEST_WEBHOOK_SECRET", secret);
    }
    command
        .args([
            "webhook",
            "verify",
            "--secret-env",
            "PYLON_TEST_WEBHOOK_SECRET",
        ])
        .args(["--signature", signature])
        .write_stdin(body)
        .assert()
}

#[test]
fn a_matching_signature_is_valid() {
    let signature = webhook::sign(&WebhookSecret::new(SECRET), BODY);
    verify(&signature, BODY, Some(SECRET))
        .code(0)
        .stdout("signature valid\n")
        .stderr("");
    // Uppercase hex digits are the same signature.
    verify(&signature.to_uppercase(), BODY, Some(SECRET)).code(0);
}

#[test]
fn anything_else_fails_with_a_one_line_reason() {
    let signature = webhook::sign(&WebhookSecret::new(SECRET), BODY);
    let mut with_newline = BODY.to_vec();
    with_newline.push(b'\n');
    let other_secret = webhook::sign(&WebhookSecret::new("whsec_other"), BODY);
    let cases: [(&str, &[u8], &str); 4] = [
        (&signature, &with_newline, "does not match"),
        (&other_secret, BODY, "does not match"),
        ("sha256=abc", BODY, "is malformed"),
        ("", BODY, "is malformed"),
    ];
    for (signature, body, reason) in cases {
        let failed = verify(signature, body, Some(SECRET)).code(6);
        let stderr = text(&failed.get_output().stderr);
        assert!(stderr.starts_with("error: signature invalid: "), "{stderr}");
        assert!(stderr.contains(reason), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(
            !stderr.contains(SECRET) && !stderr.contains("cli_test"),
            "{stderr}"
        );
        assert!(failed.get_output().stdout.is_empty());
    }
}

#[test]
fn a_missing_or_empty_secret_is_a_usage_error() {
    let signature = webhook::sign(&WebhookSecret::new(SECRET), BODY);
    let missing = verify(&signature, BODY, None).code(64);
    assert!(text(&missing.get_output().stderr).contains("PYLON_TEST_WEBHOOK_SECRET"));
    let empty = verify(&signature, BODY, Some("")).code(64);
    assert!(text(&empty.get_output().stderr).contains("is empty"));
}
