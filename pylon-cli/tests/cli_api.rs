//! `pylon api` and `pylon operations` against the fake, the token's
//! sources, the exit codes of each failure class, and that the token never
//! appears in any output.

mod common;

use common::{Fake, bare_pylon, text};
use predicates::prelude::*;
use pylon_sdk_tests::TOKEN;
use pylon_sdk_tests::fake::{FakeConfig, Fault};
use serde_json::Value;

#[test]
fn a_get_with_a_path_parameter_prints_the_response() {
    let fake = Fake::start(FakeConfig::default());
    let id = fake.pylon.add_tag("vip", "account", Some("#ff0000"));
    let output = fake
        .pylon()
        .args(["api", "get_tag", "--param", &format!("id={id}")])
        .assert()
        .success();
    let response: Value = serde_json::from_slice(&output.get_output().stdout).unwrap();
    assert_eq!(response["data"]["id"], id.as_str());
    assert_eq!(response["data"]["hex_color"], "#ff0000");
    assert_eq!(response["request_id"], "fake");
}

#[test]
fn a_post_sends_the_body_from_an_argument_a_file_or_stdin() {
    let fake = Fake::start(FakeConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tag.json");
    std::fs::write(&file, r#"{"value": "from-file", "object_type": "issue"}"#).unwrap();
    fake.pylon()
        .args(["api", "create_tag", "--body"])
        .arg(r##"{"value": "inline", "object_type": "account", "hex_color": "#00ff00"}"##)
        .assert()
        .success()
        .stdout(predicate::str::contains("\"value\": \"inline\""));
    fake.pylon()
        .args(["api", "create_tag", "--body"])
        .arg(format!("@{}", file.display()))
        .assert()
        .success();
    fake.pylon()
        .args(["api", "create_tag", "--body", "-"])
        .write_stdin(r#"{"value": "from-stdin", "object_type": "contact"}"#)
        .assert()
        .success();
    let tags: Vec<(String, String, Option<String>)> = fake
        .pylon
        .tags()
        .into_iter()
        .map(|t| (t.value, t.object_type, t.hex_color))
        .collect();
    assert_eq!(
        tags,
        [
            ("inline".into(), "account".into(), Some("#00ff00".into())),
            ("from-file".into(), "issue".into(), None),
            ("from-stdin".into(), "contact".into(), None),
        ]
    );
}

#[test]
fn all_streams_every_page_as_json_lines() {
    let fake = Fake::start(FakeConfig {
        accounts: 250,
        ..FakeConfig::default()
    });
    let output = fake
        .pylon()
        .args(["api", "list_accounts", "--all", "--page-size", "100"])
        .assert()
        .success();
    let stdout = text(&output.get_output().stdout);
    let ids: Vec<String> = stdout
        .lines()
        .map(|line| {
            let account: Value = serde_json::from_str(line).unwrap();
            account["id"].as_str().unwrap().to_string()
        })
        .collect();
    let expected: Vec<String> = (0..250).map(|n| format!("acc_{n}")).collect();
    assert_eq!(ids, expected);
    assert_eq!(
        fake.pylon.stats().endpoints.get("GET /accounts"),
        Some(&3),
        "three pages"
    );
}

#[test]
fn refusals_are_usage_errors_before_anything_is_sent() {
    let fake = Fake::start(FakeConfig::default());
    let cases: [(&[&str], &str); 7] = [
        (&["api", "no_such_op"], "unknown operation `no_such_op`"),
        (&["api", "get_tag"], "path parameter `id` is missing"),
        (
            &["api", "get_tag", "-p", "id=1", "-p", "x=2"],
            "unknown parameter `x`",
        ),
        (&["api", "get_tag", "-p", "id"], "must be NAME=VALUE"),
        (&["api", "create_tag", "--body", "{oops"], "not valid JSON"),
        (
            &["api", "get_tag", "-p", "id=t", "--all"],
            "not a cursor-paginated list",
        ),
        (
            &["api", "create_attachment"],
            "use `UploadsExt::create_attachment`",
        ),
    ];
    for (args, expected) in cases {
        let output = fake.pylon().args(args).assert().code(64);
        let stderr = text(&output.get_output().stderr);
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    }
    fake.pylon()
        .args(["api", "list_tags", "--bogus-flag"])
        .assert()
        .code(64);
    assert_eq!(fake.pylon.stats().requests, 0);
}

#[test]
fn failure_classes_have_distinct_exit_codes() {
    let fake = Fake::start(FakeConfig::default());
    fake.pylon()
        .args(["api", "get_tag", "-p", "id=tag_404"])
        .assert()
        .code(3)
        .stderr(
            "error: get_tag: Pylon answered 404: tag not found (code not_found) [request fake]\n",
        );

    // A closed port: nothing answers.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = closed.local_addr().unwrap();
    drop(closed);
    bare_pylon()
        .env("PYLON_API_TOKEN", TOKEN)
        .args([
            "--base-url",
            &format!("http://{address}"),
            "--max-attempts",
            "1",
        ])
        .args(["api", "list_tags"])
        .output()
        .map(|output| {
            assert_eq!(output.status.code(), Some(4), "{}", text(&output.stderr));
            assert!(text(&output.stderr).contains("could not connect"));
        })
        .unwrap();

    let failing = Fake::start(FakeConfig {
        fault_rate: 1.0,
        faults: vec![Fault::Unavailable],
        ..FakeConfig::default()
    });
    failing
        .pylon()
        .args(["--max-attempts", "2", "api", "list_tags"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("Pylon answered 503"));
    assert_eq!(failing.pylon.stats().requests, 2, "--max-attempts");
}

#[test]
fn the_token_comes_from_the_environment_or_a_file_and_never_shows() {
    let fake = Fake::start(FakeConfig {
        fault_rate: 1.0,
        faults: vec![Fault::ServerError],
        ..FakeConfig::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, format!("{TOKEN}\n")).unwrap();

    bare_pylon()
        .args(["--base-url", &fake.pylon.base_url(), "api", "list_tags"])
        .output()
        .map(|output| {
            assert_eq!(output.status.code(), Some(64));
            assert!(text(&output.stderr).contains("no API token"));
        })
        .unwrap();

    // -vv logs every attempt; neither the log nor the error shows the token.
    let output = bare_pylon()
        .args(["--base-url", &fake.pylon.base_url(), "-vv", "--token-file"])
        .arg(&token_file)
        .args(["api", "get_tag", "-p", "id=tag_1"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("attempt finished"), "{stderr}");
    assert!(stderr.contains("retrying"), "{stderr}");
    assert!(
        stderr
            .lines()
            .last()
            .unwrap()
            .starts_with("error: get_tag: Pylon answered 500")
    );
    for output in [&stderr, &text(&output.stdout)] {
        assert!(
            !output.contains(TOKEN) && !output.contains("test_token"),
            "{output}"
        );
    }
    // Even the HTTP stack's own tracing (-vvv) does not show it.
    let output = fake
        .std_pylon()
        .args(["-vvv", "api", "get_tag", "-p", "id=tag_1"])
        .output()
        .unwrap();
    let stderr = text(&output.stderr);
    assert!(!stderr.contains("test_token"), "{stderr}");
}

#[test]
fn operations_lists_the_whole_catalogue() {
    let output = bare_pylon()
        .args(["operations", "--json"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let catalogue: Value = serde_json::from_slice(&output.stdout).unwrap();
    let operations = catalogue.as_array().unwrap();
    assert_eq!(operations.len(), 168);
    let select = operations
        .iter()
        .find(|op| op["id"] == "update_select_option")
        .unwrap();
    assert_eq!(select["method"], "PATCH");
    assert_eq!(select["query_params"][0]["name"], "current_slug");
    let help = bare_pylon().arg("--help").output().unwrap();
    assert!(help.status.success());
    assert!(text(&help.stdout).contains("64  usage"));
}
