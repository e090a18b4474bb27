//! `issues export` against the fake: every issue once in JSON Lines and
//! CSV; under injected faults that exhaust the retries the export stops
//! with exit 5 and a checkpoint, and `--resume` finishes it; killed
//! part-way (SIGKILL or Ctrl-C) and resumed, the file still holds every
//! issue exactly once, compared with the fake's ground truth.
//!
//! `PYLON_CLI_EXPORT_SEEDS=N` runs the kill-and-resume scenario for seeds
//! 1..=N (default 3) and prints the figures with `--nocapture`.

mod common;

use std::collections::HashSet;
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use common::{Fake, text};
use predicates::prelude::*;
use pylon_sdk_tests::fake::{FakeConfig, Fault};
use serde_json::Value;

const RANGE: [&str; 4] = ["--from", "2026-01-01", "--to", "2027-01-01"];

const READ_FAULTS: [Fault; 5] = [
    Fault::RateLimited,
    Fault::ServerError,
    Fault::Unavailable,
    Fault::DropConnection,
    Fault::DropMidBody,
];

/// The issue IDs of a JSON Lines export, in order; panics on a line that
/// is not a whole JSON object.
fn exported_ids(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|line| {
            let issue: Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("a broken line {line:?}: {e}"));
            issue["id"].as_str().unwrap().to_string()
        })
        .collect()
}

/// The fake's issues, sorted.
fn ground_truth(fake: &Fake) -> Vec<String> {
    let mut ids: Vec<String> = fake.pylon.issues().into_iter().map(|(id, _)| id).collect();
    ids.sort();
    ids
}

/// Duplicates, and whether the export holds exactly the fake's issues.
fn compare(fake: &Fake, path: &Path) -> (usize, usize) {
    let ids = exported_ids(path);
    let unique: HashSet<&String> = ids.iter().collect();
    let duplicates = ids.len() - unique.len();
    let mut sorted: Vec<String> = unique.into_iter().cloned().collect();
    sorted.sort();
    assert_eq!(sorted, ground_truth(fake), "exactly the fake's issues");
    (ids.len(), duplicates)
}

#[test]
fn every_issue_once_as_json_lines_csv_or_on_stdout() {
    let fake = Fake::start(FakeConfig {
        issues: 300,
        ..FakeConfig::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let jsonl = dir.path().join("issues.jsonl");
    let run = fake
        .pylon()
        .args([
            "issues",
            "export",
            "--concurrency",
            "3",
            "--page-size",
            "50",
        ])
        .args(RANGE)
        .arg("--output")
        .arg(&jsonl)
        .assert()
        .success();
    let stderr = text(&run.get_output().stderr);
    assert!(
        stderr.contains("export: 13/13 windows, 300 issues"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "exported 300 issues created in [2026-01-01T00:00:00+00:00, 2027-01-01T00:00:00+00:00)"
        ),
        "{stderr}"
    );
    assert_eq!(compare(&fake, &jsonl), (300, 0));
    assert!(
        !dir.path().join("issues.jsonl.checkpoint.json").exists(),
        "a finished export leaves no checkpoint"
    );

    let csv = dir.path().join("issues.csv");
    fake.pylon()
        .args(["issues", "export", "--format", "csv", "-q"])
        .args(["--columns", "id,title,state,account.id,custom_fields.tier"])
        .args(RANGE)
        .arg("-o")
        .arg(&csv)
        .assert()
        .success()
        .stderr("");
    let written = std::fs::read_to_string(&csv).unwrap();
    let mut lines = written.split("\r\n");
    assert_eq!(
        lines.next(),
        Some("id,title,state,account.id,custom_fields.tier")
    );
    let rows: Vec<&str> = lines.filter(|l| !l.is_empty()).collect();
    assert_eq!(rows.len(), 300);
    assert!(
        rows.iter()
            .all(|row| row.starts_with("iss_") && row.ends_with(",new,,")),
        "{}",
        rows[0]
    );

    let stdout = fake
        .pylon()
        .args(["issues", "export", "-q", "--since", "2026-12-01"])
        .args(["--to", "2027-01-01", "--columns", "id,number"])
        .assert()
        .success();
    let lines = text(&stdout.get_output().stdout);
    let first: Value = serde_json::from_str(lines.lines().next().unwrap()).unwrap();
    assert_eq!(first.as_object().unwrap().len(), 2, "{first}");
    assert!(lines.lines().count() > 10);
}

#[test]
fn arguments_that_cannot_work_are_refused() {
    let fake = Fake::start(FakeConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("out.jsonl");
    let refuse = |args: &[&str], expected: &str| {
        fake.pylon()
            .args(["issues", "export"])
            .args(args)
            .assert()
            .code(64)
            .stderr(predicate::str::contains(expected));
    };
    refuse(&["--to", "2026-01-01"], "--from TIME");
    refuse(
        &["--from", "2026-02-01", "--to", "2026-01-01"],
        "the range is empty",
    );
    refuse(&["--since", "soon"], "neither a duration");
    refuse(
        &["--from", "2026-01-01", "--columns", "id,,title"],
        "has an empty column name",
    );
    refuse(&["--resume"], "--resume needs --output");
    let out = output.to_str().unwrap();
    refuse(&["--resume", "-o", out], "nothing to resume");
    std::fs::write(dir.path().join("out.jsonl.checkpoint.json"), "{}").unwrap();
    refuse(
        &["--from", "2026-01-01", "-o", out],
        "add --resume to continue it",
    );
    refuse(&["--resume", "-o", out], "is not a checkpoint");
    assert_eq!(fake.pylon.stats().requests, 0);
}

/// Runs `pylon issues export --resume` until it succeeds; every stop must
/// be an interruption (exit 5). Returns how many resumed runs stopped.
fn resume_until_done(fake: &Fake, output: &Path, extra: &[&str]) -> u32 {
    let mut stops = 0;
    loop {
        let run = fake
            .std_pylon()
            .args(["issues", "export", "--resume", "-q"])
            .args(extra)
            .arg("-o")
            .arg(output)
            .output()
            .unwrap();
        match run.status.code() {
            Some(0) => return stops,
            Some(5) => {
                let stderr = text(&run.stderr);
                assert!(
                    stderr.contains("run the same command with --resume"),
                    "{stderr}"
                );
                stops += 1;
                assert!(stops < 500, "no progress: {stderr}");
            }
            other => panic!("exit {other:?}: {}", text(&run.stderr)),
        }
    }
}

/// How many issues the saved checkpoint says are written.
fn written(checkpoint: &Path) -> u64 {
    std::fs::read_to_string(checkpoint)
        .ok()
        .and_then(|text| serde_json::from_str::<Value>(&text).ok())
        .and_then(|saved| saved["checkpoint"]["items_yielded"].as_u64())
        .unwrap_or(0)
}

/// Polls the checkpoint until the export has written more issues than
/// `before` (or ended), then waits `extra` so the kill lands anywhere in a
/// window, and kills it (SIGKILL: no chance to save anything). Whether it
/// was still running, and how many bytes the output holds past the length
/// its checkpoint recorded (a window written but not yet recorded, which
/// `--resume` cuts off).
fn kill_part_way(
    mut child: Child,
    output: &Path,
    checkpoint: &Path,
    before: u64,
    extra: Duration,
) -> (bool, u64) {
    let started = Instant::now();
    while written(checkpoint) <= before {
        if child.try_wait().unwrap().is_some() {
            return (false, 0);
        }
        assert!(started.elapsed() < Duration::from_secs(30), "no progress");
        std::thread::sleep(Duration::from_millis(5));
    }
    std::thread::sleep(extra);
    let killed = child.try_wait().unwrap().is_none();
    let _ = child.kill();
    let _ = child.wait();
    let recorded = std::fs::read_to_string(checkpoint)
        .ok()
        .and_then(|text| serde_json::from_str::<Value>(&text).ok())
        .and_then(|saved| saved["output_bytes"].as_u64())
        .unwrap_or(0);
    let length = std::fs::metadata(output).map_or(0, |m| m.len());
    (killed, length.saturating_sub(recorded))
}

/// One seed: an export under 8% injected faults, killed part-way twice
/// (the first run, with the default retries, and the first resumed run),
/// then resumed with no retries and no patience, so that faults stop runs,
/// until it finishes. Returns the lines written, the duplicates, the runs
/// stopped by faults, the runs killed and the bytes past a checkpoint that
/// resuming cut off.
fn killed_and_resumed(seed: u64) -> (usize, usize, u32, u32, u64) {
    let fake = Fake::start(FakeConfig {
        seed,
        issues: 400,
        fault_rate: 0.08,
        faults: READ_FAULTS.to_vec(),
        retry_after_secs: 0,
        page_latency: Duration::from_millis(10),
        ..FakeConfig::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("issues.jsonl");
    let checkpoint = dir.path().join("issues.jsonl.checkpoint.json");
    let paging = ["--page-size", "10", "--concurrency", "2"];
    let (mut kills, mut cut) = (0, 0);
    for run in 0..2u64 {
        let mut command = fake.std_pylon();
        command.args(["issues", "export", "-q"]).args(paging);
        if run == 0 {
            command.args(RANGE);
        } else {
            command.arg("--resume");
        }
        let child = command
            .arg("-o")
            .arg(&output)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let extra = Duration::from_millis((seed * 37 + run * 53) % 120);
        let before = written(&checkpoint);
        let (killed, trailing) = kill_part_way(child, &output, &checkpoint, before, extra);
        kills += u32::from(killed);
        cut += trailing;
    }
    let no_retries = ["--max-attempts", "1", "--patience", "0s"];
    let stops = resume_until_done(&fake, &output, &[&paging[..], &no_retries[..]].concat());
    let (lines, duplicates) = compare(&fake, &output);
    (lines, duplicates, stops, kills, cut)
}

#[test]
fn killed_and_interrupted_exports_resume_to_every_issue_exactly_once() {
    let seeds: u64 = std::env::var("PYLON_CLI_EXPORT_SEEDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(3);
    let (mut kills, mut stops, mut runs) = (0, 0, 0);
    for seed in 1..=seeds {
        let (lines, duplicates, stopped, killed, cut) = killed_and_resumed(seed);
        println!(
            "seed {seed}: {lines} issues written of 400, {duplicates} duplicates; \
             {killed} runs killed part-way ({cut} bytes past a checkpoint cut on resume), \
             {stopped} runs stopped by faults (exit 5), {} runs in all",
            stopped + 3
        );
        assert_eq!((lines, duplicates), (400, 0), "seed {seed}");
        kills += killed;
        stops += stopped;
        runs += stopped + 3;
    }
    println!(
        "{seeds} seeds: {runs} runs, {kills} killed part-way, {stops} stopped by faults, \
         every issue exactly once"
    );
    assert!(kills > 0, "at least one run was killed mid-export");
    assert!(stops > 0, "at least one fault stopped a run");
}

#[test]
fn ctrl_c_saves_the_checkpoint_and_exits_5() {
    let fake = Fake::start(FakeConfig {
        issues: 300,
        page_latency: Duration::from_millis(20),
        ..FakeConfig::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("issues.jsonl");
    let settings = ["--page-size", "5", "--concurrency", "1"];
    let child = fake
        .std_pylon()
        .args(["issues", "export", "-q"])
        .args(settings)
        .args(RANGE)
        .arg("-o")
        .arg(&output)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let checkpoint = dir.path().join("issues.jsonl.checkpoint.json");
    let started = Instant::now();
    while !std::fs::read_to_string(&checkpoint).is_ok_and(|t| !t.contains("\"items_yielded\": 0")) {
        assert!(started.elapsed() < Duration::from_secs(30), "no progress");
        std::thread::sleep(Duration::from_millis(5));
    }
    let interrupted = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupted.success());
    let stopped = child.wait_with_output().unwrap();
    let stderr = text(&stopped.stderr);
    assert_eq!(stopped.status.code(), Some(5), "{stderr}");
    assert!(stderr.contains("interrupted (Ctrl-C)"), "{stderr}");
    assert!(checkpoint.exists());
    assert!(exported_ids(&output).len() < 300, "stopped part-way");
    // What a kill between writing a window and recording it leaves: bytes
    // past the recorded length, here half an issue. Resuming cuts them off.
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&output)
        .unwrap();
    std::io::Write::write_all(&mut file, b"{\"id\":\"iss_000001\",\"title\":\"half").unwrap();
    drop(file);

    // Resuming with other settings than the first run's is refused.
    fake.pylon()
        .args(["issues", "export", "--resume", "--format", "csv", "-o"])
        .arg(&output)
        .assert()
        .code(64)
        .stderr(predicate::str::contains("--format was jsonl"));
    assert_eq!(resume_until_done(&fake, &output, &settings), 0);
    assert_eq!(compare(&fake, &output), (300, 0));
    assert!(!checkpoint.exists());
}

#[test]
fn a_long_outage_stops_the_export_after_its_patience() {
    let fake = Fake::start(FakeConfig {
        issues: 100,
        ..FakeConfig::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("issues.jsonl");
    fake.pylon.outage(Duration::from_secs(3600));
    let stopped = fake
        .pylon()
        .args([
            "issues",
            "export",
            "--max-attempts",
            "1",
            "--patience",
            "3s",
        ])
        .args(RANGE)
        .arg("-o")
        .arg(&output)
        .assert()
        .code(5);
    let stderr = text(&stopped.get_output().stderr);
    assert!(stderr.contains("export stopped after 0 issues"), "{stderr}");
    assert!(stderr.contains("the connection failed"), "{stderr}");
    assert!(
        fake.pylon.stats().requests >= 2,
        "fetched again within the patience"
    );
}
