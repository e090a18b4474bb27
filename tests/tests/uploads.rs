//! The multipart uploads besides attachments: `POST /accounts/{id}/files`
//! and `POST /training-data/upload`. The exact form sent (parts, names,
//! repeated fields, order), the decoded answer, the account ID kept inside
//! its path segment, every limit Pylon enforces refused before sending, and
//! the create-style handling of a 5xx.

use httpmock::MockServer;
use pylon_sdk::upload::{MAX_TRAINING_FILE_BYTES, MAX_TRAINING_FILES};
use pylon_sdk::{Error, TrainingDataUpload, Upload, UploadsExt, types};
use pylon_sdk_tests::{ExpectUpload, FormPart, client};
use serde_json::json;

fn account_files(names: &[&str]) -> serde_json::Value {
    let data: Vec<_> = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            json!({"id": format!("att_{i}"), "name": name, "description": "",
                   "url": format!("https://files.usepylon.com/att_{i}/{name}?sig=x")})
        })
        .collect();
    json!({"data": data, "request_id": "req_files"})
}

fn training_data(name: &str, visibility: &str, documents: &[(&str, &str)]) -> serde_json::Value {
    let documents: Vec<_> = documents
        .iter()
        .enumerate()
        .map(|(i, (file_name, external_id))| {
            json!({"id": format!("doc_{i}"), "external_id": external_id, "file_name": file_name,
                   "file_size": 6, "file_type": "text/markdown",
                   "s3_key": format!("org/td_9/{file_name}")})
        })
        .collect();
    json!({"data": {"id": "td_9", "name": name, "type": "file_upload", "visibility": visibility,
                    "exclude_from_kb_search": false, "documents": documents,
                    "created_at": "2026-11-01T10:00:00Z", "updated_at": "2026-11-01T10:00:00Z"},
           "request_id": "req_td"})
}

/// A file of `len` bytes that takes no disk space, in a fresh directory.
fn sparse_file(dir: &std::path::Path, name: &str, len: u64) -> std::path::PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let path = dir.join(name);
    std::fs::File::create(&path).unwrap().set_len(len).unwrap();
    path
}

fn temp_dir(test: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("pylon-uploads-{}-{test}", std::process::id()))
}

#[tokio::test]
async fn an_account_file_goes_up_as_one_file_part_to_the_accounts_path() {
    let server = MockServer::start_async().await;
    let pdf = b"%PDF-1.7 signed".to_vec();
    let (mock, _) = ExpectUpload {
        parts: vec![FormPart::file("file", "msa.pdf", "application/pdf", &pdf)],
        status: 200,
        response: account_files(&["msa.pdf"]),
    }
    .on_path(&server, "/accounts/acc_1/files");
    let uploaded = client(&server)
        .upload_account_file("acc_1", Upload::from_bytes("msa.pdf", pdf.clone()))
        .await
        .unwrap();
    mock.assert();
    assert_eq!(uploaded.request_id, "req_files");
    let files: &[types::Attachment] = &uploaded.data;
    assert_eq!(files.len(), 1);
    assert_eq!(
        (files[0].id.as_str(), files[0].name.as_str()),
        ("att_0", "msa.pdf")
    );
}

#[tokio::test]
async fn an_account_file_from_a_url_is_sent_as_file_url_and_the_id_stays_in_its_segment() {
    let server = MockServer::start_async().await;
    let (mock, _) = ExpectUpload {
        parts: vec![FormPart::text(
            "file_url",
            "https://cdn.example.com/contracts/q4.pdf",
        )],
        status: 200,
        response: account_files(&["q4.pdf"]),
    }
    .on_path(&server, "/accounts/ext%2F42%3Fx/files");
    let uploaded = client(&server)
        .upload_account_file(
            "ext/42?x",
            Upload::from_url("https://cdn.example.com/contracts/q4.pdf"),
        )
        .await
        .unwrap();
    mock.assert();
    assert_eq!(uploaded.data[0].name, "q4.pdf");
}

#[tokio::test]
async fn files_with_external_ids_go_into_a_new_container_in_order() {
    let server = MockServer::start_async().await;
    let (mock, received) = ExpectUpload {
        parts: vec![
            FormPart::file("files", "setup.md", "text/markdown", b"# Set up\n"),
            FormPart::file("files", "billing.md", "text/markdown", b"# Bills\n"),
            FormPart::text("file_names", "setup.md"),
            FormPart::text("file_names", "billing.md"),
            FormPart::text("external_ids", "guide-setup"),
            FormPart::text("external_ids", "guide-billing"),
            FormPart::text("training_data_name", "Product guides"),
            FormPart::text("visibility", "ai_agent_only"),
        ],
        status: 200,
        response: training_data(
            "Product guides",
            "ai_agent_only",
            &[("setup.md", "guide-setup"), ("billing.md", "guide-billing")],
        ),
    }
    .on_path(&server, "/training-data/upload");
    let upload = TrainingDataUpload::into_new("Product guides")
        .file_with_external_id(Upload::from_bytes("setup.md", "# Set up\n"), "guide-setup")
        .file_with_external_id(
            Upload::from_bytes("billing.md", "# Bills\n"),
            "guide-billing",
        )
        .visibility(types::TrainingDataVisibility::AiAgentOnly);
    let uploaded = client(&server)
        .upload_training_data_files(upload)
        .await
        .unwrap();
    mock.assert();
    assert_eq!(received.lock().unwrap().len(), 1);
    let data = &uploaded.data;
    assert_eq!(
        (
            data.id.as_str(),
            data.name.as_str(),
            data.visibility.as_str()
        ),
        ("td_9", "Product guides", "ai_agent_only")
    );
    let external_ids: Vec<_> = data
        .documents
        .iter()
        .map(|document| document.external_id.as_deref())
        .collect();
    assert_eq!(external_ids, [Some("guide-setup"), Some("guide-billing")]);
}

#[tokio::test]
async fn a_file_from_disk_goes_into_an_existing_container_under_its_given_name() {
    let server = MockServer::start_async().await;
    let dir = temp_dir("existing");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("tmp-1234.csv");
    std::fs::write(&path, "plan,seats\npro,40\n").unwrap();
    let (mock, _) = ExpectUpload {
        parts: vec![
            FormPart::file("files", "plans.csv", "text/csv", b"plan,seats\npro,40\n"),
            FormPart::text("file_names", "plans.csv"),
            FormPart::text("training_data_id", "td_9"),
        ],
        status: 200,
        response: training_data("Pricing", "everyone", &[]),
    }
    .on_path(&server, "/training-data/upload");
    client(&server)
        .upload_training_data_files(
            TrainingDataUpload::into_existing("td_9")
                .file(Upload::from_path(&path).file_name("plans.csv")),
        )
        .await
        .unwrap();
    mock.assert();
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn inputs_pylon_refuses_are_refused_before_sending() {
    let server = MockServer::start_async().await;
    let any = server.mock(|when, then| {
        when.any_request();
        then.status(200);
    });
    let dir = temp_dir("refused");
    let over_one = sparse_file(&dir, "big.pdf", MAX_TRAINING_FILE_BYTES + 1);
    let at_limit: Vec<_> = (0..3)
        .map(|i| sparse_file(&dir, &format!("part-{i}.pdf"), 40 * 1024 * 1024))
        .collect();
    let md = |name: &str| Upload::from_bytes(name, "x");
    let client = client(&server);

    let training_cases = [
        ("no files", TrainingDataUpload::into_new("docs")),
        (
            "eleven files",
            (0..=MAX_TRAINING_FILES).fold(TrainingDataUpload::into_new("docs"), |upload, i| {
                upload.file(md(&format!("{i}.md")))
            }),
        ),
        (
            "external IDs for some files only",
            TrainingDataUpload::into_new("docs")
                .file_with_external_id(md("a.md"), "a")
                .file(md("b.md")),
        ),
        (
            "an empty external ID",
            TrainingDataUpload::into_new("docs").file_with_external_id(md("a.md"), " "),
        ),
        (
            "a URL",
            TrainingDataUpload::into_new("docs").file(Upload::from_url("https://x.example/a.md")),
        ),
        (
            "a description",
            TrainingDataUpload::into_new("docs").file(md("a.md").description("notes")),
        ),
        (
            "an empty container ID",
            TrainingDataUpload::into_existing("").file(md("a.md")),
        ),
        (
            "an empty container name",
            TrainingDataUpload::into_new("  ").file(md("a.md")),
        ),
        (
            "a file over 50 MB",
            TrainingDataUpload::into_new("docs").file(Upload::from_path(&over_one)),
        ),
        (
            "120 MB in all",
            at_limit
                .iter()
                .fold(TrainingDataUpload::into_new("docs"), |upload, path| {
                    upload.file(Upload::from_path(path))
                }),
        ),
        (
            "an empty file name",
            TrainingDataUpload::into_new("docs").file(md("")),
        ),
    ];
    for (case, upload) in training_cases {
        match client.upload_training_data_files(upload).await {
            Err(Error::InvalidRequest(reason)) => {
                assert!(!reason.is_empty(), "{case}");
            }
            other => panic!("{case}: {other:?}"),
        }
    }

    let account_cases = [
        ("an empty account ID", "", md("a.md")),
        ("an account ID of ..", "..", md("a.md")),
        ("an account ID of .", ".", md("a.md")),
        ("a description", "acc_1", md("a.md").description("notes")),
        (
            "an ftp URL",
            "acc_1",
            Upload::from_url("ftp://files.example/a.md"),
        ),
    ];
    for (case, account_id, upload) in account_cases {
        assert!(
            matches!(
                client.upload_account_file(account_id, upload).await,
                Err(Error::InvalidRequest(_))
            ),
            "{case}"
        );
    }
    any.assert_calls(0);
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn a_5xx_is_not_repeated_and_leaves_the_outcome_unknown() {
    let server = MockServer::start_async().await;
    let failing = server.mock(|when, then| {
        when.path("/training-data/upload");
        then.status(503)
            .json_body(json!({"errors": ["try later"], "request_id": "r503"}));
    });
    let err = client(&server)
        .upload_training_data_files(
            TrainingDataUpload::into_existing("td_9").file(Upload::from_bytes("a.md", "x")),
        )
        .await
        .unwrap_err();
    failing.assert_calls(1);
    assert!(err.is_outcome_unknown(), "{err}");
    assert_eq!(err.api().map(|api| api.status), Some(503));
    assert!(
        err.to_string().contains("upload_training_data_files"),
        "{err}"
    );
}
