//! `issues export` writes each issue exactly as Pylon sent it, fields the
//! SDK does not model included, `--columns` reads any field, and a body
//! that does not decode is reported with where and why.

mod common;

use common::{bare_pylon, text};
use httpmock::Method::GET;
use httpmock::MockServer;
use pylon_sdk_tests::TOKEN;
use pylon_sdk_tests::unmodelled::issue_with_unknown_fields_everywhere;
use serde_json::{Value, json};

fn pylon(server: &MockServer) -> std::process::Command {
    let mut command = bare_pylon();
    command
        .env("PYLON_API_TOKEN", TOKEN)
        .args(["--base-url", &server.base_url()]);
    command
}

const RANGE: [&str; 4] = ["--from", "2026-02-20", "--to", "2026-03-10"];

#[test]
fn an_export_holds_every_issue_byte_for_byte_and_any_field_is_a_column() {
    let issues: Vec<String> = (1..=4)
        .map(|n| issue_with_unknown_fields_everywhere(&format!("iss_{n}"), n))
        .collect();
    let server = MockServer::start();
    server.mock(|when, then| {
        when.method(GET).path("/issues");
        then.status(200).body(format!(
            r#"{{"data":[{}],"request_id":"r"}}"#,
            issues.join(",")
        ));
    });
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("issues.jsonl");
    let run = pylon(&server)
        .args(["issues", "export", "-q"])
        .args(RANGE)
        .arg("-o")
        .arg(&output)
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", text(&run.stderr));
    let written = std::fs::read_to_string(&output).unwrap();
    let lines: Vec<&str> = written.lines().collect();
    assert_eq!(lines, issues, "each line is the issue as sent");

    let run = pylon(&server)
        .args(["issues", "export", "-q"])
        .args(RANGE)
        .args([
            "--columns",
            "id,x_unmodelled.n,account.x_unmodelled.s,title",
        ])
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", text(&run.stderr));
    let stderr = text(&run.stderr);
    assert!(
        stderr.contains("--columns x_unmodelled.n names no field"),
        "{stderr}"
    );
    let first: Value = serde_json::from_str(text(&run.stdout).lines().next().unwrap()).unwrap();
    assert_eq!(
        first,
        json!({"id": "iss_1", "x_unmodelled.n": 1.5, "account.x_unmodelled.s": "caf\u{e9} \u{1F600}",
               "title": first["title"].clone()})
    );
    assert!(first["title"].is_string());
}

#[test]
fn a_body_that_does_not_decode_is_reported_with_its_path_reason_and_status() {
    let mut issues: Vec<Value> = (1..=5)
        .map(|n| pylon_sdk_tests::objects::issue(&format!("iss_{n}"), n))
        .collect();
    issues[3].as_object_mut().unwrap().remove("created_at");
    let server = MockServer::start();
    server.mock(|when, then| {
        when.method(GET).path("/issues");
        then.status(200)
            .json_body(json!({"data": issues, "request_id": "req_bad"}));
    });
    let run = pylon(&server)
        .args(["issues", "export", "-q", "--patience", "0s"])
        .args(RANGE)
        .output()
        .unwrap();
    assert!(!run.status.success());
    let stderr = text(&run.stderr);
    for expected in [
        "list_issues",
        "status 200",
        "request req_bad",
        "at data[3]: missing field `created_at`",
        "resuming would meet the same failure",
    ] {
        assert!(stderr.contains(expected), "{expected:?} not in {stderr}");
    }
    assert!(!stderr.contains(TOKEN));
}
