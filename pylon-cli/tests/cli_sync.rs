//! `pylon sync` against the stateful fake: the database equals the fake's
//! objects (JSON equal, unknown fields included) after a first run, after
//! changes, and after runs killed part-way under injected faults; a run
//! after changes reads only the changed issues, and a run without changes
//! reads no issue page beyond the search for changes.
//!
//! The figures print with `--nocapture`. `PYLON_CLI_SYNC_SEEDS=N` runs the
//! killed-under-faults scenario for seeds 1..=N (default 2).

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{Fake, text};
use pylon_sdk_tests::TOKEN;
use pylon_sdk_tests::fake::{FakeConfig, Fault, Stats, StoredCustomField};
use rusqlite::Connection;
use serde_json::{Value, json};

const READ_FAULTS: [Fault; 5] = [
    Fault::RateLimited,
    Fault::ServerError,
    Fault::Unavailable,
    Fault::DropConnection,
    Fault::DropMidBody,
];

const RESOURCES: [&str; 7] = [
    "issues",
    "accounts",
    "contacts",
    "users",
    "teams",
    "tags",
    "custom_fields",
];

fn at(text: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&chrono::Utc)
}

/// A fake organization: issues created over 2025, and every other resource.
fn organization(config: FakeConfig) -> Fake {
    let fake = Fake::start(FakeConfig {
        issue_range: (at("2025-01-01T00:00:00Z"), at("2025-12-01T00:00:00Z")),
        users: 6,
        teams: 3,
        ..config
    });
    for (value, object_type) in [
        ("vip", "account"),
        ("bug", "issue"),
        ("champion", "contact"),
    ] {
        fake.pylon.add_tag(value, object_type, Some("#ff0000"));
    }
    for (slug, object_type) in [("tier", "account"), ("area", "issue"), ("role", "contact")] {
        fake.pylon
            .add_custom_field(StoredCustomField::new(slug, slug, "text", object_type));
    }
    fake
}

/// Every row of a table, by ID, as JSON.
fn table(db: &Connection, name: &str) -> BTreeMap<String, Value> {
    let mut rows = db.prepare(&format!("SELECT id, data FROM {name}")).unwrap();
    rows.query_map([], |row| {
        Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
    })
    .unwrap()
    .map(|row| {
        let (id, data) = row.unwrap();
        (id, serde_json::from_str(&data).unwrap())
    })
    .collect()
}

fn open(path: &Path) -> Connection {
    let db = Connection::open(path).unwrap();
    db.busy_timeout(Duration::from_secs(5)).unwrap();
    db
}

/// The database holds exactly the fake's objects, each as the fake sends it.
fn assert_mirrors(fake: &Fake, path: &Path) {
    for resource in RESOURCES {
        assert_mirrors_resource(fake, path, resource);
    }
}

fn assert_mirrors_resource(fake: &Fake, path: &Path, resource: &str) {
    let rows = table(&open(path), resource);
    let truth = fake.pylon.objects(resource);
    assert_eq!(
        rows.keys().collect::<Vec<_>>(),
        truth.keys().collect::<Vec<_>>(),
        "{resource}: the same IDs"
    );
    for (id, object) in &truth {
        assert_eq!(&rows[id], object, "{resource} {id} as the fake sent it");
    }
}

/// Requests the fake received for issue lists and searches.
fn issue_requests(stats: &Stats) -> (u64, u64) {
    let count = |endpoint: &str| stats.endpoints.get(endpoint).copied().unwrap_or(0);
    (count("GET /issues"), count("POST /issues/search"))
}

/// Runs a sync that must succeed: its stdout (the summary), stderr and time.
fn sync_with_progress(fake: &Fake, db: &Path, extra: &[&str]) -> (String, String, Duration) {
    let started = Instant::now();
    let run = fake
        .pylon()
        .arg("sync")
        .arg("--db")
        .arg(db)
        .args(extra)
        .output()
        .unwrap();
    let (stdout, stderr) = (text(&run.stdout), text(&run.stderr));
    assert!(run.status.success(), "{stdout}\n{stderr}");
    assert!(!stdout.contains(TOKEN) && !stderr.contains(TOKEN));
    (stdout, stderr, started.elapsed())
}

fn sync(fake: &Fake, db: &Path, extra: &[&str]) -> (String, Duration) {
    let (stdout, _, time) = sync_with_progress(fake, db, extra);
    (stdout, time)
}

/// The summary's counts for a resource: inserted, updated, removed, unchanged.
fn summary_row(summary: &str, resource: &str) -> [u64; 4] {
    let line = summary
        .lines()
        .find(|line| line.split_whitespace().next() == Some(resource))
        .unwrap_or_else(|| panic!("no {resource} in {summary}"));
    let numbers: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .map(|n| n.parse().unwrap())
        .collect();
    numbers.try_into().unwrap()
}

/// Updates 25 issues and creates 5.
fn change_issues(fake: &Fake) {
    let ids: Vec<String> = fake.pylon.issues().into_iter().map(|(id, _)| id).collect();
    for id in ids.iter().step_by(ids.len() / 25).take(25) {
        assert!(fake.pylon.update_issue(id));
    }
    for _ in 0..5 {
        fake.pylon.create_issue();
    }
}

#[test]
fn a_first_sync_then_one_after_changes_reads_only_what_changed() {
    let fake = organization(FakeConfig {
        issues: 5_000,
        accounts: 1_000,
        contacts: 300,
        ..FakeConfig::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pylon.db");

    let (first, progress, first_time) = sync_with_progress(&fake, &db, &["--since", "2025-01-01"]);
    for resource in RESOURCES {
        assert!(
            progress.contains(&format!("sync: {resource}: ")),
            "{progress}"
        );
    }
    assert!(
        progress.contains("5000 new, 0 updated; next run from"),
        "{progress}"
    );
    let after_first = fake.pylon.stats();
    assert_mirrors(&fake, &db);
    assert_eq!(summary_row(&first, "issues"), [5_000, 0, 0, 0]);
    assert_eq!(summary_row(&first, "accounts"), [1_000, 0, 0, 0]);
    assert_eq!(summary_row(&first, "contacts"), [300, 0, 0, 0]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&db).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "owner-only");
    }
    let bytes = std::fs::read(&db).unwrap();
    assert!(!bytes.windows(TOKEN.len()).any(|w| w == TOKEN.as_bytes()));

    change_issues(&fake);
    assert!(fake.pylon.remove("accounts", "acc_7"));
    assert!(fake.pylon.remove("contacts", "con_3"));
    assert!(
        fake.pylon
            .set_field("accounts", "acc_9", "name", json!("Renamed"))
    );
    let (second, second_time) = sync(&fake, &db, &[]);
    let after_second = fake.pylon.stats();
    assert_mirrors(&fake, &db);
    let (lists, searches) = issue_requests(&after_second);
    let (lists_before, searches_before) = issue_requests(&after_first);
    let second_issue_requests = lists + searches - lists_before - searches_before;
    assert!(
        second_issue_requests <= 5,
        "{second_issue_requests} issue requests"
    );
    assert_eq!(lists, lists_before, "no creation window is read again");
    assert_eq!(summary_row(&second, "issues"), [5, 25, 0, 0]);
    assert_eq!(summary_row(&second, "accounts"), [0, 1, 1, 998]);
    assert_eq!(summary_row(&second, "contacts"), [0, 0, 1, 299]);

    // Nothing changed: one search for changes, no issue page beyond it.
    let (third, _) = sync(&fake, &db, &["--resources", "issues"]);
    let (lists_third, searches_third) = issue_requests(&fake.pylon.stats());
    assert_eq!((lists_third, searches_third), (lists, searches + 1));
    let [inserted, updated, removed, _] = summary_row(&third, "issues");
    assert_eq!((inserted, updated, removed), (0, 0, 0));
    assert_mirrors(&fake, &db);

    println!(
        "sync: first run {} issues, 1000 accounts, 300 contacts: {} requests, {:.2}s; \
         after 25 updated and 5 created issues: {} requests ({second_issue_requests} for issues), {:.2}s",
        5_000,
        after_first.requests,
        first_time.as_secs_f64(),
        after_second.requests - after_first.requests,
        second_time.as_secs_f64()
    );
}

#[test]
fn resources_and_since_bound_what_is_read() {
    let fake = organization(FakeConfig {
        issues: 120,
        accounts: 10,
        ..FakeConfig::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("some.db");
    let (summary, _) = sync(
        &fake,
        &db,
        &["--resources", "issues,tags", "--since", "2025-07-01", "-q"],
    );
    let stats = fake.pylon.stats();
    assert_eq!(stats.endpoints.get("GET /accounts"), None);
    assert!(!summary.contains("accounts"));
    let rows = table(&open(&db), "issues");
    let expected: Vec<String> = fake
        .pylon
        .issues()
        .into_iter()
        .filter(|(_, created)| *created >= at("2025-07-01T00:00:00Z"))
        .map(|(id, _)| id)
        .collect();
    assert_eq!(rows.keys().cloned().collect::<Vec<_>>(), expected);
    assert_eq!(table(&open(&db), "tags").len(), 3);

    // --full reads every creation window again, from --since.
    let (_, searches_before) = issue_requests(&fake.pylon.stats());
    sync(
        &fake,
        &db,
        &[
            "--resources",
            "issues",
            "--full",
            "--since",
            "2025-01-01",
            "-q",
        ],
    );
    let (_, searches_after) = issue_requests(&fake.pylon.stats());
    assert_eq!(searches_after, searches_before);
    assert_eq!(table(&open(&db), "issues").len(), 120);

    let refused = fake
        .pylon()
        .args(["sync", "--resources", "issues,nothing"])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(64));
}

#[test]
fn pylon_out_of_reach_stops_the_sync_with_exit_5_and_nothing_lost() {
    let fake = organization(FakeConfig {
        accounts: 30,
        ..FakeConfig::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pylon.db");
    sync(&fake, &db, &["--resources", "accounts", "-q"]);
    let unreachable = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = unreachable.local_addr().unwrap();
    drop(unreachable);
    let run = common::bare_pylon()
        .env("PYLON_API_TOKEN", TOKEN)
        .args([
            "--base-url",
            &format!("http://{address}"),
            "--max-attempts",
            "1",
        ])
        .args([
            "sync",
            "--resources",
            "accounts",
            "--patience",
            "0s",
            "--db",
        ])
        .arg(&db)
        .output()
        .unwrap();
    let stderr = text(&run.stderr);
    assert_eq!(run.status.code(), Some(5), "{stderr}");
    assert!(stderr.contains("run it again to continue"), "{stderr}");
    assert!(!stderr.contains(TOKEN));
    assert_eq!(table(&open(&db), "accounts").len(), 30, "nothing removed");
}

#[test]
fn a_saved_cursor_pylon_refuses_restarts_that_list_without_removing_anything() {
    let fake = organization(FakeConfig {
        accounts: 120,
        ..FakeConfig::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pylon.db");
    sync(
        &fake,
        &db,
        &["--resources", "accounts", "-q", "--page-size", "50"],
    );
    // What a run killed after its first page of generation 2 leaves, with a
    // cursor that has since expired.
    open(&db)
        .execute(
            "UPDATE sync_state SET checkpoint = ?1 WHERE resource = 'accounts'",
            [r#"{"generation": 2, "listing": 0, "cursor": "expired"}"#],
        )
        .unwrap();
    assert!(fake.pylon.remove("accounts", "acc_100"));
    let (summary, _) = sync(
        &fake,
        &db,
        &["--resources", "accounts", "-q", "--page-size", "50"],
    );
    assert_eq!(summary_row(&summary, "accounts"), [0, 0, 1, 119]);
    assert_mirrors_resource(&fake, &db, "accounts");
    let saved: Option<String> = open(&db)
        .query_row(
            "SELECT checkpoint FROM sync_state WHERE resource = 'accounts'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(saved, None, "the re-read finished");
}

#[test]
fn a_database_of_a_newer_layout_is_refused_before_any_request() {
    let fake = organization(FakeConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("newer.db");
    Connection::open(&db)
        .unwrap()
        .pragma_update(None, "user_version", 99)
        .unwrap();
    let run = fake
        .pylon()
        .arg("sync")
        .arg("--db")
        .arg(&db)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(64), "{}", text(&run.stderr));
    assert_eq!(fake.pylon.stats().requests, 0);
}

/// A number that grows with every committed page: rows written, and rows
/// rewritten by a re-read (each moves to a newer generation).
fn rows_committed(path: &Path) -> u64 {
    let Ok(db) = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
    else {
        return 0;
    };
    let _ = db.busy_timeout(Duration::from_secs(5));
    RESOURCES
        .iter()
        .map(|table| {
            db.query_row(
                &format!("SELECT count(*) + coalesce(sum(generation), 0) FROM {table}"),
                [],
                |row| row.get::<_, i64>(0),
            )
            .map_or(0, |rows| rows.unsigned_abs())
        })
        .sum()
}

/// The resources whose run is unfinished (a checkpoint is saved).
fn unfinished(path: &Path) -> Vec<String> {
    let db = open(path);
    let mut rows = db
        .prepare("SELECT resource FROM sync_state WHERE checkpoint IS NOT NULL ORDER BY resource")
        .unwrap();
    rows.query_map([], |row| row.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// Starts a sync (of `resources`) and kills it (SIGKILL) once it has
/// committed a page, plus `extra`. Whether it was still running.
fn kill_part_way(fake: &Fake, db: &Path, resources: &str, extra: Duration) -> bool {
    let before = rows_committed(db);
    let mut child = fake
        .std_pylon()
        .args(["sync", "-q", "--page-size", "50", "--concurrency", "2"])
        .args(["--resources", resources, "--db"])
        .arg(db)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while rows_committed(db) <= before {
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "no progress");
        std::thread::sleep(Duration::from_millis(5));
    }
    std::thread::sleep(extra);
    let killed = child.try_wait().unwrap().is_none();
    let _ = child.kill();
    let _ = child.wait();
    if killed {
        println!("  killed while unfinished: {:?}", unfinished(db));
    }
    killed
}

/// Runs sync until it succeeds; every failure must be an interruption (5).
fn sync_until_done(fake: &Fake, db: &Path) -> u32 {
    let mut stops = 0;
    loop {
        let run = fake
            .std_pylon()
            .args([
                "sync",
                "-q",
                "--page-size",
                "50",
                "--patience",
                "0s",
                "--db",
            ])
            .arg(db)
            .output()
            .unwrap();
        match run.status.code() {
            Some(0) => return stops,
            Some(5) => {
                stops += 1;
                assert!(stops < 200, "no progress: {}", text(&run.stderr));
            }
            other => panic!("exit {other:?}: {}", text(&run.stderr)),
        }
    }
}

/// One seed: a first sync under 20% faults killed twice part-way (once
/// among the re-read resources, once among the issue windows), then
/// finished; then 25 issues updated, 5 created and an account removed, and
/// a second sync under the same faults, killed once and finished.
fn killed_under_faults(seed: u64) -> (u32, u32, u64, u64) {
    let fake = organization(FakeConfig {
        seed,
        issues: 1_500,
        accounts: 400,
        contacts: 150,
        fault_rate: 0.2,
        faults: READ_FAULTS.to_vec(),
        retry_after_secs: 0,
        page_latency: Duration::from_millis(3),
        ..FakeConfig::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pylon.db");
    let mut kills = 0;
    let all = RESOURCES.join(",");
    for (run, resources) in [all.as_str(), "issues"].into_iter().enumerate() {
        let extra = Duration::from_millis((seed * 37 + run as u64 * 53) % 200);
        kills += u32::from(kill_part_way(&fake, &db, resources, extra));
    }
    let mut stops = sync_until_done(&fake, &db);
    assert_mirrors(&fake, &db);
    let (lists, searches) = issue_requests(&fake.pylon.stats());

    change_issues(&fake);
    assert!(fake.pylon.remove("accounts", "acc_11"));
    let extra = Duration::from_millis(seed % 20);
    kills += u32::from(kill_part_way(&fake, &db, &all, extra));
    stops += sync_until_done(&fake, &db);
    assert_mirrors(&fake, &db);
    let (lists_after, searches_after) = issue_requests(&fake.pylon.stats());
    assert_eq!(
        lists_after, lists,
        "the second sync reads no creation window"
    );
    (
        kills,
        stops,
        searches_after - searches,
        fake.pylon.stats().faults_injected(),
    )
}

#[test]
fn killed_and_faulted_syncs_still_mirror_the_fake() {
    let seeds: u64 = std::env::var("PYLON_CLI_SYNC_SEEDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(2);
    let mut all_kills = 0;
    for seed in 1..=seeds {
        let (kills, stops, searches, faults) = killed_under_faults(seed);
        println!(
            "sync seed {seed}: {kills} runs killed part-way, {stops} stopped by faults, \
             {searches} issue searches for the changes (faulted attempts included), \
             {faults} faults injected; database equals the fake"
        );
        all_kills += kills;
    }
    assert!(all_kills > 0, "at least one run was killed part-way");
}
