//! `sync`: a local SQLite copy of an organization, kept current
//! incrementally.
//!
//! Every object is stored as the JSON Pylon sent (`data`), with the columns
//! people filter on beside it. Issues are read in full once (by creation
//! windows), then only those updated since the high-water mark of the last
//! finished run. Accounts, contacts, users, teams, tags and custom fields
//! have no "changed since" filter, so they are re-read whole; each re-read
//! is a new generation, and rows of older generations are removed only once
//! a re-read has finished.
//!
//! Each page or window is written in one transaction together with where
//! the run stands (`sync_state.checkpoint`), so a run killed at any point
//! leaves a consistent database, and the next run continues from the last
//! committed page instead of reading it again.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};
use futures::TryStreamExt;
use pylon_sdk::AsSent;
use pylon_sdk::changes::{IssueChanges, IssueScan, RawIssue};
use pylon_sdk::operations::OperationCall;
use pylon_sdk::pagination::Page;
use pylon_sdk::{Checkpoint, Client};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::failure::{Failure, Result, code};
use crate::when;

/// Where the first issue run starts without `--since`: Pylon holds nothing older.
const EARLIEST_ISSUE: &str = "2020-01-01T00:00:00Z";

/// The database layout this version writes (`PRAGMA user_version`).
const SCHEMA_VERSION: i64 = 1;

/// The object types whose custom fields are copied.
const CUSTOM_FIELD_OBJECT_TYPES: [&str; 3] = ["account", "issue", "contact"];

/// How often a progress line is written.
const PROGRESS_EVERY: Duration = Duration::from_secs(2);

/// The target of this command's log events: the one `-v` has always shown
/// for them, whatever module the code lives in.
const LOG_TARGET: &str = "pylon::sync";

/// `pylon sync`'s arguments.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Tables: issues, accounts, contacts, users, teams, tags, custom_fields (id, data = the JSON \
as Pylon sent it, and indexed columns), sync_state (per resource: last completed run, \
high-water mark, checkpoint of an unfinished run). See the README for example queries.")]
pub struct Args {
    /// The SQLite database (created with owner-only permissions).
    #[arg(long, value_name = "PATH", default_value = "pylon.db")]
    db: PathBuf,
    /// Re-read everything: issues by creation windows again, and any
    /// unfinished run started over.
    #[arg(long)]
    full: bool,
    /// The resources to sync, comma-separated.
    #[arg(
        long,
        value_delimiter = ',',
        value_enum,
        default_value = "issues,accounts,contacts,users,teams,tags,custom_fields"
    )]
    resources: Vec<Resource>,
    /// Where the first issue run starts (a DURATION such as 90d, or a date);
    /// default 2020-01-01. Later runs start from the high-water mark.
    #[arg(long, value_name = "DURATION|DATE")]
    since: Option<String>,
    /// How many issue windows are fetched at once.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=32))]
    concurrency: u16,
    /// Items per page (1 to 1000).
    #[arg(long, value_name = "N", default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..=1000))]
    page_size: u32,
    /// The longest window sent to Pylon, in days.
    #[arg(long, value_name = "DAYS", default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=365))]
    max_window_days: u32,
    /// How long a page that keeps failing is retried before the run stops
    /// (its progress saved; run again to continue).
    #[arg(long, value_name = "DURATION", default_value = "10m", value_parser = when::parse_duration)]
    patience: Duration,
    /// No progress on stderr.
    #[arg(long, short)]
    quiet: bool,
}

/// A resource the database mirrors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
#[value(rename_all = "snake_case")]
pub enum Resource {
    /// Issues: incremental by `updated_at`.
    Issues,
    /// Accounts.
    Accounts,
    /// Contacts.
    Contacts,
    /// Users.
    Users,
    /// Teams.
    Teams,
    /// Tags.
    Tags,
    /// Custom-field definitions.
    CustomFields,
}

impl Resource {
    /// Its table and `sync_state` key.
    fn table(self) -> &'static str {
        match self {
            Resource::Issues => "issues",
            Resource::Accounts => "accounts",
            Resource::Contacts => "contacts",
            Resource::Users => "users",
            Resource::Teams => "teams",
            Resource::Tags => "tags",
            Resource::CustomFields => "custom_fields",
        }
    }

    /// The indexed columns besides `id` and `data`, each read from the
    /// object by the paths listed (the first one present wins).
    fn columns(self) -> &'static [(&'static str, &'static [&'static str])] {
        match self {
            Resource::Issues => &[
                ("number", &["number"]),
                ("state", &["state"]),
                ("created_at", &["created_at"]),
                ("updated_at", &["updated_at"]),
                ("account_id", &["account.id", "account_id"]),
                ("assignee_id", &["assignee.id", "assignee_id"]),
                ("requester_id", &["requester.id", "requester_id"]),
            ],
            Resource::Accounts => &[("name", &["name"]), ("domain", &["domain", "domains.0"])],
            Resource::Contacts => &[
                ("email", &["email"]),
                ("account_id", &["account.id", "account_id"]),
            ],
            Resource::Users => &[("email", &["email"]), ("name", &["name"])],
            Resource::Teams => &[("name", &["name"])],
            Resource::Tags => &[("value", &["value"]), ("object_type", &["object_type"])],
            Resource::CustomFields => &[("slug", &["slug"]), ("object_type", &["object_type"])],
        }
    }

    /// The calls that list it whole, in order: the operation and its call.
    fn listings(self) -> Vec<(&'static str, OperationCall)> {
        match self {
            Resource::Issues => vec![],
            Resource::Accounts => vec![("list_accounts", OperationCall::new())],
            Resource::Contacts => vec![("list_contacts", OperationCall::new())],
            Resource::Users => vec![(
                "list_users",
                OperationCall::new().param("include_deactivated", "true"),
            )],
            Resource::Teams => vec![("list_teams", OperationCall::new())],
            Resource::Tags => vec![("list_tags", OperationCall::new())],
            Resource::CustomFields => CUSTOM_FIELD_OBJECT_TYPES
                .iter()
                .map(|kind| {
                    (
                        "list_custom_fields",
                        OperationCall::new().param("object_type", *kind),
                    )
                })
                .collect(),
        }
    }
}

/// The tables, as created.
fn schema() -> String {
    let mut sql = String::from(
        "CREATE TABLE IF NOT EXISTS sync_state (
            resource TEXT PRIMARY KEY,
            last_completed_at TEXT,
            high_water_mark TEXT,
            generation INTEGER NOT NULL DEFAULT 0,
            checkpoint TEXT
        );\n",
    );
    for resource in [
        Resource::Issues,
        Resource::Accounts,
        Resource::Contacts,
        Resource::Users,
        Resource::Teams,
        Resource::Tags,
        Resource::CustomFields,
    ] {
        let table = resource.table();
        let columns: String = resource
            .columns()
            .iter()
            .map(|(name, _)| {
                let kind = if *name == "number" { "INTEGER" } else { "TEXT" };
                format!("    {name} {kind},\n")
            })
            .collect();
        sql.push_str(&format!(
            "CREATE TABLE IF NOT EXISTS {table} (
    id TEXT PRIMARY KEY,
    data TEXT NOT NULL,
{columns}    generation INTEGER NOT NULL DEFAULT 0,
    synced_at TEXT NOT NULL
);\n"
        ));
        for (name, _) in resource.columns() {
            sql.push_str(&format!(
                "CREATE INDEX IF NOT EXISTS {table}_{name} ON {table} ({name});\n"
            ));
        }
    }
    sql
}

/// What one resource's run did.
#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    inserted: u64,
    updated: u64,
    unchanged: u64,
    removed: u64,
}

/// The run's totals, for the summary.
struct Run {
    counts: BTreeMap<Resource, Counts>,
    requests: u64,
    started: Instant,
    progress: Reporter,
}

/// Progress lines on stderr, at most every few seconds.
struct Reporter {
    quiet: bool,
    last: Option<Instant>,
}

impl Reporter {
    fn report(&mut self, resource: Resource, what: impl FnOnce() -> String, last: bool) {
        if self.quiet {
            return;
        }
        if last || self.last.is_none_or(|at| at.elapsed() >= PROGRESS_EVERY) {
            eprintln!("sync: {}: {}", resource.table(), what());
            self.last = Some(Instant::now());
        }
    }
}

/// Where an unfinished issue run stands.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct IssueRun {
    /// By creation (a first or `--full` run) or by update time.
    by_creation: bool,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
    checkpoint: Checkpoint,
}

/// Where an unfinished re-read stands.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct ListRun {
    generation: i64,
    /// The listing being read (an index into [`Resource::listings`]).
    listing: usize,
    /// Its next page, when it has more.
    cursor: Option<String>,
}

/// Runs `pylon sync`.
pub async fn run(client: &Client, args: Args, out: &mut impl std::io::Write) -> Result<()> {
    let mut resources = args.resources.clone();
    resources.sort();
    resources.dedup();
    let first_since = args
        .since
        .as_deref()
        .map(|since| when::parse_since(since, Utc::now()))
        .transpose()
        .map_err(|e| Failure::usage(format!("--since: {e}")))?;
    let mut db = open(&args.db)?;
    let mut run = Run {
        counts: BTreeMap::new(),
        requests: 0,
        started: Instant::now(),
        progress: Reporter {
            quiet: args.quiet,
            last: None,
        },
    };
    // The smaller resources first: issues refer to them.
    let order = resources.iter().copied().filter(|r| *r != Resource::Issues);
    for resource in order {
        let counts = sync_listed(client, &mut db, resource, &args, &mut run).await?;
        run.counts.insert(resource, counts);
    }
    if resources.contains(&Resource::Issues) {
        let counts = sync_issues(client, &mut db, &args, first_since, &mut run).await?;
        run.counts.insert(Resource::Issues, counts);
    }
    summary(&run, out)
}

/// Opens (creating, owner-only) the database and its tables.
fn open(path: &Path) -> Result<Connection> {
    let fail = |e: rusqlite::Error| Failure::other(format!("database {}: {e}", path.display()));
    create_private(path).map_err(|e| Failure::io(path.display(), e))?;
    let db = Connection::open(path).map_err(fail)?;
    let version: i64 = db
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .map_err(fail)?;
    if version > SCHEMA_VERSION {
        return Err(Failure::usage(format!(
            "database {} was written by a newer pylon (layout {version})",
            path.display()
        )));
    }
    db.execute_batch(&schema()).map_err(fail)?;
    db.pragma_update(None, "user_version", SCHEMA_VERSION)
        .map_err(fail)?;
    Ok(db)
}

/// Creates the file readable and writable by its owner only, unless it
/// exists; SQLite gives its journal the same permissions.
fn create_private(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

fn db_error(e: rusqlite::Error) -> Failure {
    Failure::other(format!("database: {e}"))
}

/// The saved state of a resource: (generation, high-water mark, checkpoint).
fn state(db: &Connection, resource: Resource) -> Result<(i64, Option<String>, Option<String>)> {
    db.query_row(
        "SELECT generation, high_water_mark, checkpoint FROM sync_state WHERE resource = ?1",
        [resource.table()],
        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
    )
    .optional()
    .map_err(db_error)
    .map(|found| found.unwrap_or((0, None, None)))
}

fn save_checkpoint(tx: &Transaction<'_>, resource: Resource, checkpoint: &str) -> Result<()> {
    tx.execute(
        "INSERT INTO sync_state (resource, checkpoint) VALUES (?1, ?2)
         ON CONFLICT (resource) DO UPDATE SET checkpoint = excluded.checkpoint",
        params![resource.table(), checkpoint],
    )
    .map_err(db_error)?;
    Ok(())
}

/// Inserts or replaces `objects`, counting what changed.
fn upsert(
    tx: &Transaction<'_>,
    resource: Resource,
    objects: &[AsSent<Value>],
    generation: i64,
    counts: &mut Counts,
) -> Result<()> {
    let table = resource.table();
    let columns = resource.columns();
    let names: Vec<&str> = columns.iter().map(|(name, _)| *name).collect();
    let placeholders: Vec<String> = (0..names.len()).map(|i| format!("?{}", i + 5)).collect();
    let updates: String = names
        .iter()
        .map(|name| format!(", {name} = excluded.{name}"))
        .collect();
    let sql = format!(
        "INSERT INTO {table} (id, data, generation, synced_at, {}) VALUES (?1, ?2, ?3, ?4, {})
         ON CONFLICT (id) DO UPDATE SET data = excluded.data, generation = excluded.generation,
         synced_at = excluded.synced_at{updates}",
        names.join(", "),
        placeholders.join(", ")
    );
    let mut insert = tx.prepare_cached(&sql).map_err(db_error)?;
    let mut existing = tx
        .prepare_cached(&format!("SELECT data FROM {table} WHERE id = ?1"))
        .map_err(db_error)?;
    let now = Utc::now().to_rfc3339();
    for object in objects {
        let Some(id) = object
            .get("id")
            .and_then(Value::as_str)
            .filter(|id| !id.is_empty())
        else {
            return Err(Failure::with_code(
                code::FAILURE,
                format!("Pylon sent {table} without a string id"),
            ));
        };
        // Stored exactly as Pylon sent it.
        let data = object.json().to_string();
        let before: Option<String> = existing
            .query_row([id], |row| row.get(0))
            .optional()
            .map_err(db_error)?;
        match before {
            None => counts.inserted += 1,
            Some(before) if before == data => counts.unchanged += 1,
            Some(_) => counts.updated += 1,
        }
        let mut values: Vec<rusqlite::types::Value> = vec![
            id.to_string().into(),
            data.into(),
            generation.into(),
            now.clone().into(),
        ];
        values.extend(columns.iter().map(|(_, paths)| column_value(object, paths)));
        insert
            .execute(rusqlite::params_from_iter(values))
            .map_err(db_error)?;
    }
    Ok(())
}

/// The first of `paths` (dotted, with list indices) present in `object`.
fn column_value(object: &Value, paths: &[&str]) -> rusqlite::types::Value {
    use rusqlite::types::Value as Sql;
    for path in paths {
        let found = path
            .split('.')
            .try_fold(object, |value, step| match step.parse::<usize>() {
                Ok(index) => value.get(index),
                Err(_) => value.get(step),
            });
        match found {
            Some(Value::String(text)) => return Sql::Text(text.clone()),
            Some(Value::Number(number)) => {
                return number
                    .as_i64()
                    .map_or_else(|| Sql::Text(number.to_string()), Sql::Integer);
            }
            Some(Value::Bool(flag)) => return Sql::Integer(i64::from(*flag)),
            _ => {}
        }
    }
    Sql::Null
}

/// Re-reads a resource whole, page by page, then removes what it no longer has.
async fn sync_listed(
    client: &Client,
    db: &mut Connection,
    resource: Resource,
    args: &Args,
    run: &mut Run,
) -> Result<Counts> {
    let (generation, _, saved) = state(db, resource)?;
    let resumed = saved
        .filter(|_| !args.full)
        .and_then(|text| serde_json::from_str::<ListRun>(&text).ok())
        .filter(|saved| saved.generation > generation);
    let mut position = resumed.unwrap_or(ListRun {
        generation: generation + 1,
        listing: 0,
        cursor: None,
    });
    let listings = resource.listings();
    let mut counts = Counts::default();
    let mut cursors_seen = HashSet::new();
    let mut restarted = false;
    while let Some((operation, call)) = listings.get(position.listing).cloned() {
        let paginated = pylon_sdk::operations::find(operation)
            .is_some_and(|op| op.pagination() != pylon_sdk::operations::Pagination::None);
        let (objects, next) = if paginated {
            let call = match &position.cursor {
                Some(cursor) => call.param("cursor", cursor.clone()),
                None => call,
            };
            let mut pages = client
                .paginate_call(operation, call)?
                .page_size(args.page_size)
                .patience(args.patience)
                .pages();
            // One page at a time: each is committed before the next is asked for.
            let page = match pages.try_next().await {
                Ok(Some(page)) => page,
                Ok(None) => return Err(Failure::other(format!("{operation}: no page"))),
                // A cursor saved by an earlier run may have expired: read
                // this listing again from its start, in the same generation.
                Err(error)
                    if position.cursor.is_some()
                        && !restarted
                        && error
                            .status()
                            .is_some_and(|status| (400..500).contains(&status))
                        && error.status() != Some(429) =>
                {
                    tracing::warn!(target: LOG_TARGET, error = %error, "a saved cursor was refused; reading the list again");
                    restarted = true;
                    position.cursor = None;
                    continue;
                }
                Err(error) => return Err(stopped(error)),
            };
            let next = page.next_cursor().map(str::to_string);
            if let Some(cursor) = &next
                && !cursors_seen.insert(cursor.clone())
            {
                return Err(pylon_sdk::Error::RepeatedCursor(cursor.clone()).into());
            }
            (page.into_items(), next)
        } else {
            let answer = call_patiently(client, operation, call, args.patience).await?;
            (data_as_sent(operation, answer.json())?, None)
        };
        run.requests += 1;
        match next {
            Some(cursor) => position.cursor = Some(cursor),
            None => {
                position.listing += 1;
                position.cursor = None;
            }
        }
        let tx = db.transaction().map_err(db_error)?;
        upsert(&tx, resource, &objects, position.generation, &mut counts)?;
        let saved = serde_json::to_string(&position).map_err(|e| Failure::other(e.to_string()))?;
        save_checkpoint(&tx, resource, &saved)?;
        tx.commit().map_err(db_error)?;
        let read = counts.inserted + counts.updated + counts.unchanged;
        run.progress
            .report(resource, || format!("{read} read"), false);
    }
    // The re-read is complete: what it did not see is gone from Pylon.
    let tx = db.transaction().map_err(db_error)?;
    counts.removed = tx
        .execute(
            &format!("DELETE FROM {} WHERE generation < ?1", resource.table()),
            [position.generation],
        )
        .map_err(db_error)? as u64;
    tx.execute(
        "INSERT INTO sync_state (resource, last_completed_at, generation, checkpoint)
         VALUES (?1, ?2, ?3, NULL)
         ON CONFLICT (resource) DO UPDATE SET last_completed_at = excluded.last_completed_at,
         generation = excluded.generation, checkpoint = NULL",
        params![
            resource.table(),
            Utc::now().to_rfc3339(),
            position.generation
        ],
    )
    .map_err(db_error)?;
    tx.commit().map_err(db_error)?;
    let read = counts.inserted + counts.updated + counts.unchanged;
    run.progress.report(
        resource,
        || format!("{read} read, {} removed", counts.removed),
        true,
    );
    Ok(counts)
}

/// Issues: by creation windows on a first (or `--full`) run, else those
/// updated since the high-water mark; each window committed with the run's
/// checkpoint.
async fn sync_issues(
    client: &Client,
    db: &mut Connection,
    args: &Args,
    first_since: Option<DateTime<Utc>>,
    run: &mut Run,
) -> Result<Counts> {
    let (_, high_water_mark, saved) = state(db, Resource::Issues)?;
    let resumed = saved
        .filter(|_| !args.full)
        .and_then(|text| serde_json::from_str::<IssueRun>(&text).ok());
    let high_water_mark = high_water_mark
        .filter(|_| !args.full)
        .and_then(|at| DateTime::parse_from_rfc3339(&at).ok())
        .map(|at| at.with_timezone(&Utc));
    let position = match resumed {
        Some(position) => position,
        None => {
            let until = Utc::now();
            match high_water_mark {
                Some(since) => IssueRun {
                    by_creation: false,
                    since: since.min(until - TimeDelta::seconds(1)),
                    until,
                    checkpoint: Checkpoint::default(),
                },
                None => IssueRun {
                    by_creation: true,
                    since: first_since.unwrap_or_else(|| {
                        DateTime::parse_from_rfc3339(EARLIEST_ISSUE)
                            .map(|at| at.with_timezone(&Utc))
                            .unwrap_or_default()
                    }),
                    until,
                    checkpoint: Checkpoint::default(),
                },
            }
        }
    };
    let scan: IssueScan = if position.by_creation {
        client.issues_created_since(position.since)
    } else {
        client.issues_updated_since(position.since)
    };
    let next_since = position.until - pylon_sdk::changes::DEFAULT_OVERLAP;
    let mut counts = Counts::default();
    if position.since < position.until {
        let mut windows = scan
            .until(position.until)
            .resume_from(&position.checkpoint)
            .max_window(TimeDelta::days(i64::from(args.max_window_days)))
            .page_size(args.page_size)
            .concurrency(usize::from(args.concurrency))
            .patience(args.patience)
            .windows()?;
        let mut windows_done = 0u64;
        while let Some(window) = windows.try_next().await.map_err(stopped)? {
            windows_done += 1;
            run.requests += window.pages_read;
            let objects: Vec<AsSent<Value>> = window
                .issues
                .into_iter()
                .map(|i: RawIssue| i.json)
                .collect();
            let saved = IssueRun {
                checkpoint: window.checkpoint,
                ..position.clone()
            };
            let saved = serde_json::to_string(&saved).map_err(|e| Failure::other(e.to_string()))?;
            let tx = db.transaction().map_err(db_error)?;
            upsert(&tx, Resource::Issues, &objects, 0, &mut counts)?;
            save_checkpoint(&tx, Resource::Issues, &saved)?;
            tx.commit().map_err(db_error)?;
            let changed = counts.inserted + counts.updated + counts.unchanged;
            let how = if position.by_creation {
                "by creation"
            } else {
                "changed"
            };
            run.progress.report(
                Resource::Issues,
                || format!("{windows_done} windows, {changed} issues ({how})"),
                false,
            );
        }
    }
    let tx = db.transaction().map_err(db_error)?;
    tx.execute(
        "INSERT INTO sync_state (resource, last_completed_at, high_water_mark, checkpoint)
         VALUES (?1, ?2, ?3, NULL)
         ON CONFLICT (resource) DO UPDATE SET last_completed_at = excluded.last_completed_at,
         high_water_mark = excluded.high_water_mark, checkpoint = NULL",
        params![
            Resource::Issues.table(),
            Utc::now().to_rfc3339(),
            next_since.to_rfc3339()
        ],
    )
    .map_err(db_error)?;
    tx.commit().map_err(db_error)?;
    run.progress.report(
        Resource::Issues,
        || {
            format!(
                "done: {} new, {} updated; next run from {}",
                counts.inserted,
                counts.updated,
                next_since.to_rfc3339()
            )
        },
        true,
    );
    Ok(counts)
}

/// The items of a list answer's `data`, each exactly as Pylon sent it.
fn data_as_sent(operation: &str, body: &str) -> Result<Vec<AsSent<Value>>> {
    #[derive(serde::Deserialize)]
    struct Data<'a> {
        #[serde(borrow)]
        data: Vec<&'a serde_json::value::RawValue>,
    }
    let page: Data<'_> = serde_json::from_str(body)
        .map_err(|e| Failure::other(format!("{operation}: no `data` list: {e}")))?;
    page.data
        .into_iter()
        .map(|item| {
            AsSent::from_json(item.get().to_string())
                .map_err(|e| Failure::other(format!("{operation}: an item is not JSON: {e}")))
        })
        .collect()
}

/// One call of an unpaginated list, sent again with backoff after
/// retryable failures while `patience` lasts, as pages are.
async fn call_patiently(
    client: &Client,
    operation: &str,
    call: OperationCall,
    patience: Duration,
) -> Result<pylon_sdk::Response<Value>> {
    let started = Instant::now();
    let mut delay = Duration::from_secs(1);
    loop {
        match client.call(operation, call.clone()).await {
            Ok(answer) => return Ok(answer),
            Err(error) if error.is_retryable() => {
                if started.elapsed() + delay >= patience {
                    return Err(interrupted(error));
                }
                tracing::warn!(target: LOG_TARGET, error = %error, wait_ms = delay.as_millis() as u64, "list failed; asking again");
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(30));
            }
            Err(error) => return Err(error.into()),
        }
    }
}

/// An SDK error that ends the run: an interruption keeps what was committed.
fn stopped(error: pylon_sdk::Error) -> Failure {
    match error {
        pylon_sdk::Error::Interrupted { source, .. } => interrupted(source),
        other => Failure::from(other),
    }
}

/// The run stopped on failures that may pass; what it committed stays.
fn interrupted(cause: impl std::fmt::Display) -> Failure {
    Failure::with_code(
        code::INTERRUPTED,
        format!("sync stopped, its progress saved (run it again to continue): {cause}"),
    )
}

fn summary(run: &Run, out: &mut impl std::io::Write) -> Result<()> {
    let mut text = format!(
        "{:<14} {:>9} {:>9} {:>9} {:>9}\n",
        "resource", "inserted", "updated", "removed", "unchanged"
    );
    for (resource, counts) in &run.counts {
        text.push_str(&format!(
            "{:<14} {:>9} {:>9} {:>9} {:>9}\n",
            resource.table(),
            counts.inserted,
            counts.updated,
            counts.removed,
            counts.unchanged
        ));
    }
    text.push_str(&format!(
        "{} requests answered (retried attempts not counted), {}\n",
        run.requests,
        when::human(run.started.elapsed())
    ));
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| Failure::io("stdout", e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn columns_read_nested_ids_and_the_first_domain() {
        let issue = json!({"number": 7, "account": {"id": "acc_1"}, "assignee_id": "usr_2"});
        assert_eq!(
            column_value(&issue, &["number"]),
            rusqlite::types::Value::Integer(7)
        );
        assert_eq!(
            column_value(&issue, &["account.id", "account_id"]),
            rusqlite::types::Value::Text("acc_1".into())
        );
        assert_eq!(
            column_value(&issue, &["assignee.id", "assignee_id"]),
            rusqlite::types::Value::Text("usr_2".into())
        );
        assert_eq!(
            column_value(&issue, &["requester.id"]),
            rusqlite::types::Value::Null
        );
        let account = json!({"domains": ["a.example", "b.example"]});
        assert_eq!(
            column_value(&account, &["domain", "domains.0"]),
            rusqlite::types::Value::Text("a.example".into())
        );
    }

    fn sent(json: Value) -> AsSent<Value> {
        AsSent::from_json(json.to_string()).unwrap()
    }

    #[test]
    fn upserts_count_inserted_updated_and_unchanged_rows() {
        let mut db = Connection::open_in_memory().unwrap();
        db.execute_batch(&schema()).unwrap();
        let mut counts = Counts::default();
        let tx = db.transaction().unwrap();
        let first = [
            sent(json!({"id": "a", "name": "A"})),
            sent(json!({"id": "b", "name": "B"})),
        ];
        upsert(&tx, Resource::Teams, &first, 1, &mut counts).unwrap();
        let second = [
            sent(json!({"id": "a", "name": "A"})),
            sent(json!({"id": "b", "name": "Bee"})),
        ];
        upsert(&tx, Resource::Teams, &second, 2, &mut counts).unwrap();
        tx.commit().unwrap();
        assert_eq!(
            (counts.inserted, counts.updated, counts.unchanged),
            (2, 1, 1)
        );
        let name: String = db
            .query_row("SELECT name FROM teams WHERE id = 'b'", [], |row| {
                row.get(0)
            })
            .unwrap();
        assert_eq!(name, "Bee");
    }

    #[test]
    fn objects_without_an_id_are_refused() {
        let mut db = Connection::open_in_memory().unwrap();
        db.execute_batch(&schema()).unwrap();
        let tx = db.transaction().unwrap();
        let result = upsert(
            &tx,
            Resource::Tags,
            &[sent(json!({"value": "x"}))],
            1,
            &mut Counts::default(),
        );
        assert!(result.is_err());
    }
}
