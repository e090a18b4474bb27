//! Exports the issues created over a range to a JSON Lines file.
//!
//! The issues created in the last `--since-days` days (default 90) are read
//! with `export_issues`, which splits the range into the 30-day windows
//! `GET /issues` accepts and fetches four windows at a time, and are written
//! one JSON object per line. If the export gives up (a page kept failing for
//! longer than its patience), it resumes from the checkpoint carried by the
//! error, so every issue is still written exactly once. Each line holds the
//! issue fields this SDK models (`pylon_sdk::types::Issue`).
//!
//! With `PYLON_API_TOKEN` set it reads the live API; without it, an
//! in-process mock Pylon that serves any window, pages with a cursor and has
//! one short outage, so the resume path runs too.
//!
//! ```text
//! cargo run -p pylon-sdk --example export_issues_jsonl -- [--since-days N] [--output FILE]
//! ```
//!
//! The output defaults to `pylon-issues.jsonl` in the temporary directory;
//! `--output -` writes to stdout. Progress and the summary go to stderr.

use std::collections::BTreeMap;
use std::error::Error;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, SubsecRound, TimeDelta, TimeZone, Utc};
use futures::TryStreamExt;
use httpmock::Method::GET;
use httpmock::{HttpMockRequest, HttpMockResponse, MockServer};
use pylon_sdk::window::{DEFAULT_MAX_WINDOW, IssueExport, IssueWindows};
use pylon_sdk::{Client, ExportIssues};
use serde_json::{Value, json};

/// How many times an interrupted export is resumed before giving up.
const MAX_RESUMES: u32 = 3;

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let args = Args::parse(std::env::args().skip(1))?;
    let end = Utc::now().trunc_subsecs(0);
    let start = end - TimeDelta::days(args.since_days);

    let mock;
    let export = if std::env::var_os("PYLON_API_TOKEN").is_some() {
        eprintln!("PYLON_API_TOKEN is set: using the live API");
        Client::from_env()?.export_issues(start, end)
    } else {
        eprintln!("PYLON_API_TOKEN is unset: using an in-process mock Pylon");
        mock = mock_pylon(start, end)?;
        let client = Client::builder("pylon_api_example")
            .base_url(mock.base_url())
            .build()?;
        // The mock's outage lasts only as long as the client's own retries:
        // give up on the failing page at once (instead of trying it again
        // for 10 minutes) so that the export is interrupted and resumed.
        client.export_issues(start, end).patience(Duration::ZERO)
    }
    .concurrency(4);

    eprintln!("exporting the issues created from {start} to {end}");
    let mut out = BufWriter::new(args.open_output()?);
    let summary = write_jsonl(&export, &mut out).await?;
    out.flush()?;

    eprintln!(
        "wrote {} issues to {} (export resumed {})",
        summary.issues,
        args.output_name(),
        match summary.resumes {
            0 => "never".to_string(),
            1 => "once".to_string(),
            n => format!("{n} times"),
        },
    );
    for (state, count) in &summary.by_state {
        eprintln!("  {state}: {count}");
    }
    Ok(())
}

/// Command-line options.
struct Args {
    since_days: i64,
    output: PathBuf,
}

impl Args {
    fn parse(mut args: impl Iterator<Item = String>) -> Result<Args, Box<dyn Error>> {
        let mut parsed = Args {
            since_days: 90,
            output: std::env::temp_dir().join("pylon-issues.jsonl"),
        };
        while let Some(arg) = args.next() {
            let mut value = || args.next().ok_or(format!("{arg} needs a value"));
            match arg.as_str() {
                "--since-days" => parsed.since_days = value()?.parse()?,
                "--output" => parsed.output = value()?.into(),
                _ => {
                    return Err(format!(
                        "unknown argument {arg:?}; usage: [--since-days N] [--output FILE|-]"
                    )
                    .into());
                }
            }
        }
        if !(1..=3650).contains(&parsed.since_days) {
            return Err("--since-days must be from 1 to 3650".into());
        }
        Ok(parsed)
    }

    fn to_stdout(&self) -> bool {
        self.output.as_os_str() == "-"
    }

    fn output_name(&self) -> String {
        if self.to_stdout() {
            "stdout".into()
        } else {
            self.output.display().to_string()
        }
    }

    /// Where the lines go: a file, or stdout for `-`.
    fn open_output(&self) -> io::Result<Box<dyn Write>> {
        if self.to_stdout() {
            Ok(Box::new(io::stdout().lock()))
        } else {
            Ok(Box::new(File::create(&self.output)?))
        }
    }
}

#[derive(Default)]
struct Summary {
    issues: u64,
    resumes: u32,
    by_state: BTreeMap<String, u64>,
}

/// Writes every issue of the export as one line of JSON, resuming after an
/// interruption.
async fn write_jsonl(
    export: &IssueExport,
    out: &mut impl Write,
) -> Result<Summary, Box<dyn Error>> {
    let mut summary = Summary::default();
    let mut issues = export.clone().items()?;
    loop {
        match issues.try_next().await {
            Ok(Some(issue)) => {
                serde_json::to_writer(&mut *out, &issue)?;
                out.write_all(b"\n")?;
                summary.issues += 1;
                let state = issue.state.clone();
                *summary.by_state.entry(state).or_default() += 1;
            }
            Ok(None) => return Ok(summary),
            Err(error) => match error.checkpoint() {
                Some(checkpoint) if summary.resumes < MAX_RESUMES => {
                    let window = checkpoint.window_start.unwrap_or_default();
                    eprintln!("{error}; resuming at the window starting {window}");
                    summary.resumes += 1;
                    issues = export.clone().resume_from(checkpoint).items()?;
                }
                _ => return Err(error.into()),
            },
        }
    }
}

// ---------------------------------------------------------------------------
// The mock Pylon.

/// How often the mock's customers open an issue.
const ISSUE_EVERY: TimeDelta = TimeDelta::hours(6 * 24 + 5);
/// The mock's largest page, so that every window pages with a cursor.
const MOCK_PAGE_SIZE: usize = 2;

/// A mock Pylon whose `GET /issues` answers any `[start_time, end_time)`
/// window with the issues created in it, newest first, a few per page.
/// The first page of the export's second window fails with 503 three times
/// (every attempt the client makes), as in a short outage.
fn mock_pylon(start: DateTime<Utc>, end: DateTime<Utc>) -> pylon_sdk::Result<MockServer> {
    let server = MockServer::start();
    let outage_at = IssueWindows::new(start, end, DEFAULT_MAX_WINDOW)?
        .nth(1)
        .map_or(start, |window| window.start);
    server.mock(|when, then| {
        when.method(GET)
            .path("/issues")
            .is_true(move |req| query_time(req, "start_time") == Some(outage_at))
            .query_param_missing("cursor");
        then.status(503)
            .json_body(json!({"errors": ["service unavailable"], "request_id": "req_outage"}))
            .up_to_n_times(3);
    });
    server.mock(|when, then| {
        when.method(GET).path("/issues");
        then.respond_with(list_issues);
    });
    Ok(server)
}

/// One page of `GET /issues`.
fn list_issues(req: &HttpMockRequest) -> HttpMockResponse {
    let (Some(start), Some(end)) = (query_time(req, "start_time"), query_time(req, "end_time"))
    else {
        return json_response(
            400,
            json!({"errors": ["start_time and end_time are required (RFC 3339)"],
                   "request_id": "req_bad", "code": "invalid_request_body"}),
        );
    };
    let anchor = first_issue_at();
    // Issue n was created at anchor + n × ISSUE_EVERY; keep those in the window.
    let index = |at: DateTime<Utc>| {
        let elapsed = (at - anchor).num_seconds().max(0);
        (elapsed + ISSUE_EVERY.num_seconds() - 1) / ISSUE_EVERY.num_seconds()
    };
    let newest_first: Vec<i64> = (index(start)..index(end)).rev().collect();

    let offset: usize = query(req, "cursor")
        .and_then(|cursor| cursor.strip_prefix("cur_")?.parse().ok())
        .unwrap_or(0);
    let limit = query(req, "limit")
        .and_then(|limit| limit.parse().ok())
        .filter(|&limit| limit > 0)
        .unwrap_or(MOCK_PAGE_SIZE)
        .min(MOCK_PAGE_SIZE);
    let page: Vec<Value> = newest_first
        .iter()
        .skip(offset)
        .take(limit)
        .map(|&n| issue_json(n, anchor + ISSUE_EVERY * n as i32))
        .collect();
    let next = offset + page.len();
    let mut body = json!({"data": page, "request_id": format!("req_{offset}")});
    if next < newest_first.len() {
        body["pagination"] = json!({"cursor": format!("cur_{next}"), "has_next_page": true});
    }
    json_response(200, body)
}

/// When the mock's first issue was created.
fn first_issue_at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 1, 1, 9, 0, 0)
        .single()
        .expect("a valid date")
}

/// An issue as `GET /issues` returns it.
fn issue_json(n: i64, created_at: DateTime<Utc>) -> Value {
    const TITLES: [&str; 5] = [
        "SSO login fails for new users",
        "Invoice shows the wrong currency",
        "Webhook deliveries stopped",
        "CSV export times out",
        "Question about API rate limits",
    ];
    const STATES: [&str; 4] = ["closed", "closed", "waiting_on_customer", "new"];
    let i = n as usize;
    let number = 1000 + n;
    json!({
        "id": format!("iss_{number}"),
        "number": number,
        "title": TITLES[i % TITLES.len()],
        "body_html": "<p>Reported in the shared Slack channel.</p>",
        "state": STATES[i % STATES.len()],
        "type": "conversation",
        "source": if i.is_multiple_of(3) { "email" } else { "slack" },
        "link": format!("https://app.usepylon.com/issues/views/all-issues?issueNumber={number}"),
        "created_at": created_at.to_rfc3339(),
        "updated_at": created_at.to_rfc3339(),
        "customer_portal_visible": false,
        "is_issue_group": false,
        "number_of_touches": i % 5,
        "account": {"id": format!("acc_{}", i % 4 + 1)},
        "requester": {"id": format!("con_{}", i % 7 + 1), "email": format!("user{}@customer.example", i % 7 + 1)},
        "assignee": {"id": "usr_1", "email": "agent@support.example"},
        "team": {"id": "team_1"},
        "tags": if i.is_multiple_of(2) { json!(["billing"]) } else { json!([]) },
        "custom_fields": {"severity": {"slug": "severity", "value": format!("sev{}", i % 3 + 1)}},
        "first_response_seconds": 300 + 60 * (i as i64 % 10),
    })
}

fn query(req: &HttpMockRequest, name: &str) -> Option<String> {
    req.query_params()
        .into_iter()
        .find_map(|(key, value)| (key == name).then_some(value))
}

fn query_time(req: &HttpMockRequest, name: &str) -> Option<DateTime<Utc>> {
    let value = query(req, name)?;
    Some(
        DateTime::parse_from_rfc3339(&value)
            .ok()?
            .with_timezone(&Utc),
    )
}

fn json_response(status: u16, body: Value) -> HttpMockResponse {
    HttpMockResponse::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(body.to_string())
        .build()
}
