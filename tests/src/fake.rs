//! A stateful fake Pylon that enforces the API's rules instead of replaying a
//! script: `GET /issues` refuses windows longer than its maximum and pages by
//! cursor with `pagination` absent on the last page; tags are stored,
//! updated and deleted, and a duplicate create is a 409 with `exists_id`;
//! custom fields are stored with their select options, which can be
//! replaced as a whole (counted) or changed one at a time; accounts and
//! contacts page by cursor; `POST /issues/search` filters on `updated_at`
//! and `created_at`, and issues can be updated (bumping `updated_at`) and
//! created while it runs. Issues, accounts, contacts, users and teams carry
//! a field no SDK knows (`pylon_future_field`), so a copy can be checked for
//! keeping the JSON as sent. It
//! injects faults at a seeded rate and can enforce per-endpoint rate limits,
//! and it counts everything so tests compare the SDK's results with ground
//! truth.

use std::collections::{BTreeMap, HashMap};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use chrono::{DateTime, TimeDelta, Utc};
use http_body_util::{BodyExt, Full, StreamBody, combinators::BoxBody};
use hyper::body::Frame;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::time::Instant;

/// A fault the fake can inject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Fault {
    /// 429 with `Retry-After` (see [`FakeConfig::retry_after_secs`]) and code `rate_limited`.
    RateLimited,
    /// 500 with the error envelope.
    ServerError,
    /// 503 with an HTML body.
    Unavailable,
    /// The connection closes before any response.
    DropConnection,
    /// Headers and half the body, then the connection closes.
    DropMidBody,
    /// For creates only: the object is stored, then the answer is a 500.
    CommitThenFail,
}

/// Per-endpoint rate limiting, as Pylon does it (scaled in time for tests).
#[derive(Debug, Clone, Copy)]
pub struct RateLimit {
    /// Requests allowed per window, per endpoint.
    pub requests: u32,
    /// The window (Pylon's is one minute).
    pub window: Duration,
}

/// How the fake behaves.
#[derive(Debug, Clone)]
pub struct FakeConfig {
    /// Seed for fault injection and generated data.
    pub seed: u64,
    /// Share of requests that get a fault, 0.0 to 1.0.
    pub fault_rate: f64,
    /// The faults to draw from.
    pub faults: Vec<Fault>,
    /// The longest `GET /issues` window accepted.
    pub max_window: TimeDelta,
    /// How many issues exist, spread evenly over `issue_range`.
    pub issues: usize,
    /// The creation times of the issues span `[start, end)`.
    pub issue_range: (DateTime<Utc>, DateTime<Utc>),
    /// How many accounts `GET /accounts` lists.
    pub accounts: usize,
    /// How many contacts `GET /contacts` lists.
    pub contacts: usize,
    /// How many users `GET /users` lists.
    pub users: usize,
    /// How many teams `GET /teams` lists.
    pub teams: usize,
    /// Added before answering every list page.
    pub page_latency: Duration,
    /// Per-endpoint rate limit, if any.
    pub rate_limit: Option<RateLimit>,
    /// The `Retry-After` seconds an injected 429 carries.
    pub retry_after_secs: u64,
}

impl FakeConfig {
    /// Pylon's allowance for an endpoint on a 60-per-minute plan: a budget
    /// of 60 that refills one a second, with `Retry-After: 1` on a 429.
    pub fn sixty_per_minute() -> Self {
        FakeConfig {
            rate_limit: Some(RateLimit {
                requests: 60,
                window: Duration::from_secs(60),
            }),
            retry_after_secs: 1,
            ..FakeConfig::default()
        }
    }
}

impl Default for FakeConfig {
    fn default() -> Self {
        let start = DateTime::from_timestamp(1_767_225_600, 0).expect("2026-01-01"); // 2026-01-01
        FakeConfig {
            seed: 7,
            fault_rate: 0.0,
            faults: vec![],
            max_window: TimeDelta::days(30),
            issues: 0,
            issue_range: (start, start + TimeDelta::days(365)),
            accounts: 0,
            contacts: 0,
            users: 0,
            teams: 0,
            page_latency: Duration::ZERO,
            rate_limit: None,
            retry_after_secs: 1,
        }
    }
}

/// What the fake saw and did.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    /// Every request received, faulted or not.
    pub requests: u64,
    /// Faults injected, by kind.
    pub faults: BTreeMap<Fault, u64>,
    /// 429s sent because the rate limit was exceeded (not injected).
    pub rate_limited: u64,
    /// `POST /tags` requests received per tag value.
    pub tag_creates: BTreeMap<String, u64>,
    /// `GET /issues` requests refused for a window over the maximum.
    pub windows_refused: u64,
    /// Every `POST /tags`, in order: the value and the fault it got, if any.
    pub create_log: Vec<(String, Option<Fault>)>,
    /// Requests received per endpoint, e.g. `"PATCH /custom-fields/{id}"`.
    pub endpoints: BTreeMap<String, u64>,
    /// `PATCH /custom-fields/{id}` requests that replaced the whole option
    /// list (`select_options` in the body), which clears stored values.
    pub select_options_replaced: u64,
}

impl Stats {
    /// Requests received that could change something (not `GET`, not a search).
    pub fn writes(&self) -> u64 {
        self.endpoints
            .iter()
            .filter(|(endpoint, _)| !endpoint.starts_with("GET ") && !endpoint.ends_with("/search"))
            .map(|(_, count)| count)
            .sum()
    }
}

impl Stats {
    /// Faults injected in all.
    pub fn faults_injected(&self) -> u64 {
        self.faults.values().sum()
    }
}

/// A stored tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTag {
    /// Its ID.
    pub id: String,
    /// Its text.
    pub value: String,
    /// Its object type.
    pub object_type: String,
    /// Its colour, `#rrggbb`.
    pub hex_color: Option<String>,
}

/// An option of a stored select or multiselect field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredOption {
    /// The value stored when it is chosen.
    pub slug: String,
    /// What users see.
    pub label: String,
    /// Guidance for Pylon's AI.
    pub ai_description: Option<String>,
}

impl StoredOption {
    /// An option without an AI description.
    pub fn new(slug: &str, label: &str) -> Self {
        StoredOption {
            slug: slug.into(),
            label: label.into(),
            ai_description: None,
        }
    }
}

/// A stored custom-field definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCustomField {
    /// Its ID (`cf_<n>`); set by the fake when it stores the field.
    pub id: String,
    /// Its slug, unique per object type.
    pub slug: String,
    /// Its label.
    pub label: String,
    /// `text`, `select`, `multiselect`, ...
    pub field_type: String,
    /// `account`, `issue`, `contact`, ...
    pub object_type: String,
    /// Its description.
    pub description: String,
    /// The options of a select or multiselect field.
    pub options: Vec<StoredOption>,
    /// True for fields synced from an integration.
    pub is_read_only: bool,
}

impl StoredCustomField {
    /// A field with no description and no options.
    pub fn new(slug: &str, label: &str, field_type: &str, object_type: &str) -> Self {
        StoredCustomField {
            id: String::new(),
            slug: slug.into(),
            label: label.into(),
            field_type: field_type.into(),
            object_type: object_type.into(),
            description: String::new(),
            options: Vec::new(),
            is_read_only: false,
        }
    }
}

/// A stored issue.
#[derive(Debug, Clone)]
struct StoredIssue {
    id: String,
    number: usize,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    /// How many times it was updated.
    revision: u64,
}

struct State {
    config: FakeConfig,
    rng: u64,
    stats: Stats,
    issues: Vec<StoredIssue>,
    /// Accounts, contacts, users and teams, by resource, in list order.
    objects: BTreeMap<&'static str, Vec<Value>>,
    tags: Vec<StoredTag>,
    /// Tags created so far, for IDs that are never reused.
    tags_created: usize,
    custom_fields: Vec<StoredCustomField>,
    /// Per endpoint: tokens left and when they were last refilled.
    buckets: HashMap<String, (f64, Instant)>,
    /// Until when every request fails with a dropped connection.
    outage_until: Option<Instant>,
}

impl State {
    fn next_random(&mut self) -> f64 {
        // xorshift64*: deterministic for a seed.
        self.rng ^= self.rng >> 12;
        self.rng ^= self.rng << 25;
        self.rng ^= self.rng >> 27;
        (self.rng.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }

    fn draw_fault(&mut self, is_create: bool) -> Option<Fault> {
        let candidates: Vec<Fault> = self
            .config
            .faults
            .iter()
            .copied()
            .filter(|f| is_create || *f != Fault::CommitThenFail)
            .collect();
        if candidates.is_empty() || self.next_random() >= self.config.fault_rate {
            return None;
        }
        let index = (self.next_random() * candidates.len() as f64) as usize;
        let fault = candidates[index.min(candidates.len() - 1)];
        *self.stats.faults.entry(fault).or_default() += 1;
        Some(fault)
    }

    /// Seconds until the endpoint has room again, if it has none now. Each
    /// endpoint's allowance is a budget of `requests` that refills
    /// continuously, `requests` per `window`, as Pylon's does.
    fn over_limit(&mut self, endpoint: &str) -> Option<u64> {
        let limit = self.config.rate_limit?;
        let capacity = f64::from(limit.requests);
        let per_second = capacity / limit.window.as_secs_f64();
        let now = Instant::now();
        let (tokens, refilled_at) = self
            .buckets
            .entry(endpoint.to_string())
            .or_insert((capacity, now));
        *tokens =
            (*tokens + now.duration_since(*refilled_at).as_secs_f64() * per_second).min(capacity);
        *refilled_at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            return None;
        }
        Some(((1.0 - *tokens) / per_second).ceil().max(1.0) as u64)
    }
}

/// A running fake Pylon on a loopback port.
pub struct FakePylon {
    address: SocketAddr,
    state: Arc<Mutex<State>>,
    server: tokio::task::JoinHandle<()>,
}

type Body = BoxBody<Bytes, std::io::Error>;
type Outcome = Result<Response<Body>, std::io::Error>;

impl FakePylon {
    /// Starts the fake on `127.0.0.1` with `config`.
    pub async fn start(config: FakeConfig) -> FakePylon {
        let (start, end) = config.issue_range;
        let span = (end - start).num_milliseconds().max(1);
        let issues = (0..config.issues)
            .map(|n| {
                let offset = span * n as i64 / config.issues.max(1) as i64;
                let created_at = start + TimeDelta::milliseconds(offset);
                StoredIssue {
                    id: format!("iss_{n:06}"),
                    number: n + 1,
                    created_at,
                    updated_at: created_at + TimeDelta::minutes(5),
                    revision: 0,
                }
            })
            .collect();
        let objects = BTreeMap::from([
            ("accounts", (0..config.accounts).map(account_json).collect()),
            (
                "contacts",
                (0..config.contacts)
                    .map(|n| contact_json(n, config.accounts))
                    .collect(),
            ),
            ("users", (0..config.users).map(user_json).collect()),
            ("teams", (0..config.teams).map(team_json).collect()),
        ]);
        let state = Arc::new(Mutex::new(State {
            rng: config.seed.max(1),
            config,
            stats: Stats::default(),
            issues,
            objects,
            tags: Vec::new(),
            tags_created: 0,
            custom_fields: Vec::new(),
            buckets: HashMap::new(),
            outage_until: None,
        }));
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port");
        let address = listener.local_addr().expect("a bound address");
        let shared = state.clone();
        let server = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let state = shared.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |request| handle(state.clone(), request));
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        FakePylon {
            address,
            state,
            server,
        }
    }

    /// The base URL to point a client at.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// A snapshot of the counters.
    pub fn stats(&self) -> Stats {
        self.lock().stats.clone()
    }

    /// Every issue, as `(id, created_at)`, oldest first.
    pub fn issues(&self) -> Vec<(String, DateTime<Utc>)> {
        self.lock()
            .issues
            .iter()
            .map(|issue| (issue.id.clone(), issue.created_at))
            .collect()
    }

    /// Every issue's `(id, updated_at)`.
    pub fn issue_update_times(&self) -> Vec<(String, DateTime<Utc>)> {
        self.lock()
            .issues
            .iter()
            .map(|issue| (issue.id.clone(), issue.updated_at))
            .collect()
    }

    /// Updates an issue as an agent would: its state and `updated_at`
    /// (now, and always later than before) change. False if there is no
    /// such issue.
    pub fn update_issue(&self, id: &str) -> bool {
        let mut state = self.lock();
        let Some(issue) = state.issues.iter_mut().find(|issue| issue.id == id) else {
            return false;
        };
        issue.revision += 1;
        issue.updated_at = Utc::now().max(issue.updated_at + TimeDelta::milliseconds(1));
        true
    }

    /// Creates an issue now, returning its ID.
    pub fn create_issue(&self) -> String {
        let mut state = self.lock();
        let n = state.issues.len();
        let now = Utc::now();
        let issue = StoredIssue {
            id: format!("iss_{n:06}"),
            number: n + 1,
            created_at: now,
            updated_at: now,
            revision: 0,
        };
        state.issues.push(issue.clone());
        issue.id
    }

    /// Every object of a resource as the fake serves it, by ID: `issues`,
    /// `accounts`, `contacts`, `users`, `teams`, `tags` or `custom_fields`.
    pub fn objects(&self, resource: &str) -> BTreeMap<String, Value> {
        let state = self.lock();
        let listed: Vec<Value> = match resource {
            "issues" => state
                .issues
                .iter()
                .map(|i| issue_json(i, &state.config))
                .collect(),
            "tags" => state.tags.iter().map(tag_json).collect(),
            "custom_fields" => state.custom_fields.iter().map(custom_field_json).collect(),
            other => state.objects.get(other).cloned().unwrap_or_default(),
        };
        listed
            .into_iter()
            .map(|object| {
                (
                    object["id"].as_str().unwrap_or_default().to_string(),
                    object,
                )
            })
            .collect()
    }

    /// Sets one field of an account, contact, user or team (`resource` as
    /// for [`objects`](FakePylon::objects)). False if there is no such object.
    pub fn set_field(&self, resource: &str, id: &str, field: &str, value: Value) -> bool {
        let mut state = self.lock();
        let Some(object) = state
            .objects
            .get_mut(resource)
            .and_then(|objects| objects.iter_mut().find(|o| o["id"] == id))
        else {
            return false;
        };
        object[field] = value;
        true
    }

    /// Deletes an account, contact, user or team. False if there is no such object.
    pub fn remove(&self, resource: &str, id: &str) -> bool {
        let mut state = self.lock();
        let Some(objects) = state.objects.get_mut(resource) else {
            return false;
        };
        let before = objects.len();
        objects.retain(|o| o["id"] != id);
        objects.len() < before
    }

    /// The issue IDs of `config`'s range in the order an export promises
    /// them: windows oldest first (of `config.max_window`), newest first
    /// within a window.
    pub fn export_order(&self, config: &FakeConfig) -> Vec<String> {
        let issues = self.issues();
        let (start, end) = config.issue_range;
        pylon_sdk::window::IssueWindows::new(start, end, config.max_window)
            .expect("the fake's range splits into windows")
            .flat_map(|w| {
                let mut in_window: Vec<_> = issues
                    .iter()
                    .filter(|(_, at)| *at >= w.start && *at < w.end)
                    .collect();
                in_window.sort_by_key(|issue| std::cmp::Reverse(issue.1));
                in_window
                    .into_iter()
                    .map(|(id, _)| id.clone())
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    /// Drops every connection for `duration` from now: an outage.
    pub fn outage(&self, duration: Duration) {
        self.lock().outage_until = Some(Instant::now() + duration);
    }

    /// Every stored tag.
    pub fn tags(&self) -> Vec<StoredTag> {
        self.lock().tags.clone()
    }

    /// Stores a tag as if it had been created, returning its ID.
    pub fn add_tag(&self, value: &str, object_type: &str, hex_color: Option<&str>) -> String {
        let mut state = self.lock();
        state.store_tag(value, object_type, hex_color).id
    }

    /// Every stored custom field, in creation order.
    pub fn custom_fields(&self) -> Vec<StoredCustomField> {
        self.lock().custom_fields.clone()
    }

    /// Stores a custom field as if it had been created (its `id` is
    /// replaced), returning its ID.
    pub fn add_custom_field(&self, mut field: StoredCustomField) -> String {
        let mut state = self.lock();
        field.id = format!("cf_{}", state.custom_fields.len() + 1);
        state.custom_fields.push(field.clone());
        field.id
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Drop for FakePylon {
    fn drop(&mut self) {
        self.server.abort();
    }
}

fn full(status: StatusCode, body: Value) -> Outcome {
    Ok(Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(
            Full::new(Bytes::from(body.to_string()))
                .map_err(|e: Infallible| match e {})
                .boxed(),
        )
        .expect("a valid response"))
}

fn error(status: StatusCode, message: &str, code: &str) -> Outcome {
    full(
        status,
        json!({"errors": [message], "request_id": "fake", "code": code}),
    )
}

fn query(request: &Request<hyper::body::Incoming>) -> HashMap<String, String> {
    request
        .uri()
        .query()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        })
        .unwrap_or_default()
}

/// The endpoint a path belongs to, with its ID segments as `{id}`.
fn endpoint_template(path: &str) -> String {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match segments.as_slice() {
        ["tags", "search"] => path.to_string(),
        ["tags", _] => "/tags/{id}".into(),
        ["custom-fields", _] => "/custom-fields/{id}".into(),
        ["custom-fields", _, "select-options"] => "/custom-fields/{id}/select-options".into(),
        _ => path.to_string(),
    }
}

/// An offset cursor: `o<offset>`.
fn page_bounds(
    params: &HashMap<String, String>,
    body: &Value,
    default_limit: usize,
) -> (usize, usize) {
    let cursor = params
        .get("cursor")
        .cloned()
        .or_else(|| body["cursor"].as_str().map(str::to_string));
    let offset = cursor
        .and_then(|c| c.strip_prefix('o').and_then(|o| o.parse().ok()))
        .unwrap_or(0);
    let limit = params
        .get("limit")
        .and_then(|l| l.parse().ok())
        .or_else(|| body["limit"].as_u64().map(|l| l as usize))
        .filter(|l| *l > 0)
        .unwrap_or(default_limit);
    (offset, limit)
}

fn page(items: Vec<Value>, offset: usize, total: usize) -> Value {
    let mut body = json!({"data": items, "request_id": "fake"});
    let end = offset + body["data"].as_array().map_or(0, Vec::len);
    if end < total {
        body["pagination"] = json!({"cursor": format!("o{end}"), "has_next_page": true});
    }
    body
}

async fn handle(state: Arc<Mutex<State>>, request: Request<hyper::body::Incoming>) -> Outcome {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let params = query(&request);
    let raw = request
        .into_body()
        .collect()
        .await
        .map_err(std::io::Error::other)?
        .to_bytes();
    let body: Value = serde_json::from_slice(&raw).unwrap_or(Value::Null);
    let is_create = method == hyper::Method::POST && path == "/tags";
    let endpoint = format!("{method} {}", endpoint_template(&path));

    let (fault, wait, latency, retry_after) = {
        let mut state = state.lock().unwrap_or_else(|e| e.into_inner());
        state.stats.requests += 1;
        *state.stats.endpoints.entry(endpoint.clone()).or_default() += 1;
        if is_create {
            let value = body["value"].as_str().unwrap_or_default().to_string();
            *state.stats.tag_creates.entry(value).or_default() += 1;
        }
        if state
            .outage_until
            .is_some_and(|until| Instant::now() < until)
        {
            *state.stats.faults.entry(Fault::DropConnection).or_default() += 1;
            return Err(std::io::Error::other("outage"));
        }
        let wait = state.over_limit(&endpoint);
        if wait.is_some() {
            state.stats.rate_limited += 1;
        }
        let fault = if wait.is_none() {
            state.draw_fault(is_create)
        } else {
            None
        };
        if is_create {
            let value = body["value"].as_str().unwrap_or_default().to_string();
            let logged = if wait.is_some() {
                Some(Fault::RateLimited)
            } else {
                fault
            };
            state.stats.create_log.push((value, logged));
        }
        (
            fault,
            wait,
            state.config.page_latency,
            state.config.retry_after_secs,
        )
    };
    if let Some(seconds) = wait {
        let mut response = error(
            StatusCode::TOO_MANY_REQUESTS,
            "rate limit exceeded",
            "rate_limited",
        )?;
        response.headers_mut().insert("retry-after", seconds.into());
        return Ok(response);
    }
    match fault {
        Some(Fault::RateLimited) => {
            let mut response = error(
                StatusCode::TOO_MANY_REQUESTS,
                "rate limit exceeded",
                "rate_limited",
            )?;
            response
                .headers_mut()
                .insert("retry-after", retry_after.into());
            return Ok(response);
        }
        Some(Fault::ServerError) => {
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal error",
                "internal_error",
            );
        }
        Some(Fault::Unavailable) => {
            return Ok(Response::builder()
                .status(StatusCode::SERVICE_UNAVAILABLE)
                .header("content-type", "text/html")
                .body(
                    Full::new(Bytes::from_static(b"<html>upstream unavailable</html>"))
                        .map_err(|e: Infallible| match e {})
                        .boxed(),
                )
                .expect("a valid response"));
        }
        Some(Fault::DropConnection) => {
            return Err(std::io::Error::other("connection dropped by the fake"));
        }
        Some(Fault::DropMidBody) => {
            let frames = futures::stream::iter([
                Ok(Frame::data(Bytes::from_static(b"{\"data\": ["))),
                Err(std::io::Error::other(
                    "connection dropped mid-body by the fake",
                )),
            ]);
            return Ok(Response::builder()
                .status(StatusCode::OK)
                .header("content-type", "application/json")
                .header("content-length", "4096")
                .body(BodyExt::boxed(StreamBody::new(frames)))
                .expect("a valid response"));
        }
        Some(Fault::CommitThenFail) | None => {}
    }
    let is_page = matches!(
        (method.as_str(), path.as_str()),
        ("GET", "/issues" | "/accounts" | "/contacts") | ("POST", "/issues/search")
    );
    if is_page && !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let outcome = route(&state, &method, &path, &params, &body);
    if fault == Some(Fault::CommitThenFail) {
        return error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal error after commit",
            "internal_error",
        );
    }
    outcome
}

fn route(
    state: &Mutex<State>,
    method: &hyper::Method,
    path: &str,
    params: &HashMap<String, String>,
    body: &Value,
) -> Outcome {
    let mut state = state.lock().unwrap_or_else(|e| e.into_inner());
    match (method.as_str(), path) {
        ("GET", "/issues") => {
            let time = |name: &str| {
                params
                    .get(name)
                    .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                    .map(|t| t.with_timezone(&Utc))
            };
            let (Some(start), Some(end)) = (time("start_time"), time("end_time")) else {
                return error(
                    StatusCode::BAD_REQUEST,
                    "start_time and end_time must be RFC 3339",
                    "invalid_request_body",
                );
            };
            if end <= start || end - start > state.config.max_window {
                state.stats.windows_refused += 1;
                return error(
                    StatusCode::BAD_REQUEST,
                    "the window must be positive and at most the maximum",
                    "invalid_request_body",
                );
            }
            let mut matching: Vec<_> = state
                .issues
                .iter()
                .filter(|issue| issue.created_at >= start && issue.created_at < end)
                .collect();
            matching.sort_by_key(|issue| std::cmp::Reverse(issue.created_at));
            let (offset, limit) = page_bounds(params, body, 20_000);
            let items = matching
                .iter()
                .skip(offset)
                .take(limit)
                .map(|issue| issue_json(issue, &state.config))
                .collect();
            full(StatusCode::OK, page(items, offset, matching.len()))
        }
        ("POST", "/issues/search") => search_issues(&mut state, params, body),
        ("GET", "/accounts" | "/contacts") => {
            let resource = &path[1..];
            let known_cursor = |cursor: &String| {
                cursor
                    .strip_prefix('o')
                    .is_some_and(|offset| offset.parse::<usize>().is_ok())
            };
            if params
                .get("cursor")
                .is_some_and(|cursor| !known_cursor(cursor))
            {
                return bad_request("invalid or expired cursor");
            }
            // Only the page is copied: a list of 100,000 is paged in linear time.
            let objects = state.objects.get(resource).map_or(&[][..], Vec::as_slice);
            let (offset, limit) = page_bounds(params, body, 100);
            let items = objects.iter().skip(offset).take(limit).cloned().collect();
            full(StatusCode::OK, page(items, offset, objects.len()))
        }
        ("GET", "/users" | "/teams") => full(
            StatusCode::OK,
            json!({"data": state.objects.get(&path[1..]).cloned().unwrap_or_default(),
                   "request_id": "fake"}),
        ),
        ("POST", "/tags") => {
            let (Some(value), Some(object_type)) =
                (body["value"].as_str(), body["object_type"].as_str())
            else {
                return error(
                    StatusCode::BAD_REQUEST,
                    "value and object_type are required",
                    "invalid_request_body",
                );
            };
            if let Some(existing) = state
                .tags
                .iter()
                .find(|t| t.value == value && t.object_type == object_type)
            {
                let id = existing.id.clone();
                return full(
                    StatusCode::CONFLICT,
                    json!({"errors": ["tag already exists"], "request_id": "fake",
                                                         "code": "duplicate_object", "exists_id": id}),
                );
            }
            let hex_color = body["hex_color"].as_str();
            let tag = state.store_tag(value, object_type, hex_color);
            full(
                StatusCode::OK,
                json!({"data": tag_json(&tag), "request_id": "fake"}),
            )
        }
        ("GET", "/tags") => full(
            StatusCode::OK,
            json!({"data": state.tags.iter().map(tag_json).collect::<Vec<_>>(), "request_id": "fake"}),
        ),
        ("POST", "/tags/search") => {
            let text = body["search_text"].as_str().unwrap_or_default();
            let object_type = body["object_type"].as_str();
            let matching: Vec<_> = state
                .tags
                .iter()
                .rev()
                .filter(|t| {
                    t.value.contains(text) && object_type.is_none_or(|o| o == t.object_type)
                })
                .map(tag_json)
                .collect();
            let (offset, limit) = page_bounds(params, body, 100);
            let items = matching.iter().skip(offset).take(limit).cloned().collect();
            full(StatusCode::OK, page(items, offset, matching.len()))
        }
        ("GET", tag_path) if tag_path.starts_with("/tags/") => {
            let id = &tag_path["/tags/".len()..];
            match state.tags.iter().find(|t| t.id == id) {
                Some(tag) => full(
                    StatusCode::OK,
                    json!({"data": tag_json(tag), "request_id": "fake"}),
                ),
                None => error(StatusCode::NOT_FOUND, "tag not found", "not_found"),
            }
        }
        ("PATCH", tag_path) if tag_path.starts_with("/tags/") => {
            let id = &tag_path["/tags/".len()..];
            let Some(index) = state.tags.iter().position(|t| t.id == id) else {
                return error(StatusCode::NOT_FOUND, "tag not found", "not_found");
            };
            if let Some(value) = body["value"].as_str() {
                let object_type = state.tags[index].object_type.clone();
                if let Some(other) = state
                    .tags
                    .iter()
                    .find(|t| t.id != id && t.value == value && t.object_type == object_type)
                {
                    return duplicate("tag already exists", &other.id);
                }
                state.tags[index].value = value.into();
            }
            if let Some(color) = body["hex_color"].as_str() {
                state.tags[index].hex_color = Some(color.into());
            }
            full(
                StatusCode::OK,
                json!({"data": tag_json(&state.tags[index]), "request_id": "fake"}),
            )
        }
        ("DELETE", tag_path) if tag_path.starts_with("/tags/") => {
            let id = &tag_path["/tags/".len()..];
            let before = state.tags.len();
            state.tags.retain(|t| t.id != id);
            if state.tags.len() == before {
                return error(StatusCode::NOT_FOUND, "tag not found", "not_found");
            }
            full(StatusCode::OK, json!({"request_id": "fake"}))
        }
        (_, custom) if custom == "/custom-fields" || custom.starts_with("/custom-fields/") => {
            custom_fields(&mut state, method.as_str(), custom, params, body)
        }
        _ => error(StatusCode::NOT_FOUND, "no such endpoint", "not_found"),
    }
}

impl State {
    fn store_tag(&mut self, value: &str, object_type: &str, hex_color: Option<&str>) -> StoredTag {
        self.tags_created += 1;
        let tag = StoredTag {
            id: format!("tag_{}", self.tags_created),
            value: value.into(),
            object_type: object_type.into(),
            hex_color: hex_color.map(str::to_string),
        };
        self.tags.push(tag.clone());
        tag
    }
}

fn duplicate(message: &str, exists_id: &str) -> Outcome {
    full(
        StatusCode::CONFLICT,
        json!({"errors": [message], "request_id": "fake", "code": "duplicate_object",
               "exists_id": exists_id}),
    )
}

fn bad_request(message: &str) -> Outcome {
    error(StatusCode::BAD_REQUEST, message, "invalid_request_body")
}

/// `/custom-fields`, `/custom-fields/{id}` and
/// `/custom-fields/{id}/select-options`.
fn custom_fields(
    state: &mut State,
    method: &str,
    path: &str,
    params: &HashMap<String, String>,
    body: &Value,
) -> Outcome {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match (method, segments.as_slice()) {
        ("GET", ["custom-fields"]) => {
            let Some(object_type) = params.get("object_type") else {
                return bad_request("object_type is required");
            };
            let data: Vec<Value> = state
                .custom_fields
                .iter()
                .filter(|f| &f.object_type == object_type)
                .map(custom_field_json)
                .collect();
            full(StatusCode::OK, json!({"data": data, "request_id": "fake"}))
        }
        ("POST", ["custom-fields"]) => {
            let (Some(label), Some(object_type), Some(kind)) = (
                body["label"].as_str(),
                body["object_type"].as_str(),
                body["type"].as_str(),
            ) else {
                return bad_request("label, object_type and type are required");
            };
            let slug = body["slug"]
                .as_str()
                .map_or_else(|| slugify(label), str::to_string);
            if let Some(existing) = state
                .custom_fields
                .iter()
                .find(|f| f.slug == slug && f.object_type == object_type)
            {
                return duplicate("a custom field with this slug exists", &existing.id);
            }
            let options = match body.get("select_options") {
                Some(options) => match parse_options(options) {
                    Ok(options) => options,
                    Err(message) => return bad_request(&message),
                },
                None => Vec::new(),
            };
            if !options.is_empty() && !is_select(kind) {
                return bad_request("only select and multiselect fields have options");
            }
            let field = StoredCustomField {
                id: format!("cf_{}", state.custom_fields.len() + 1),
                slug,
                label: label.into(),
                field_type: kind.into(),
                object_type: object_type.into(),
                description: body["description"].as_str().unwrap_or_default().into(),
                options,
                is_read_only: false,
            };
            state.custom_fields.push(field.clone());
            full(
                StatusCode::OK,
                json!({"data": custom_field_json(&field), "request_id": "fake"}),
            )
        }
        (_, ["custom-fields", id, rest @ ..]) => {
            let Some(index) = state.custom_fields.iter().position(|f| f.id == *id) else {
                return error(StatusCode::NOT_FOUND, "custom field not found", "not_found");
            };
            match (method, rest) {
                ("GET", []) => full(
                    StatusCode::OK,
                    json!({"data": custom_field_json(&state.custom_fields[index]), "request_id": "fake"}),
                ),
                ("PATCH", []) => update_custom_field(state, index, body),
                (_, ["select-options"]) => select_option(state, index, method, params, body),
                _ => error(StatusCode::NOT_FOUND, "no such endpoint", "not_found"),
            }
        }
        _ => error(StatusCode::NOT_FOUND, "no such endpoint", "not_found"),
    }
}

fn update_custom_field(state: &mut State, index: usize, body: &Value) -> Outcome {
    if state.custom_fields[index].is_read_only {
        return error(
            StatusCode::FORBIDDEN,
            "the field is read-only",
            "permission_denied",
        );
    }
    if let Some(slug) = body["slug"].as_str() {
        let field = &state.custom_fields[index];
        if let Some(other) = state
            .custom_fields
            .iter()
            .find(|f| f.id != field.id && f.slug == slug && f.object_type == field.object_type)
        {
            return duplicate("a custom field with this slug exists", &other.id);
        }
    }
    if let Some(options) = body.get("select_options").filter(|o| !o.is_null()) {
        match parse_options(options) {
            Ok(options) => {
                state.stats.select_options_replaced += 1;
                state.custom_fields[index].options = options;
            }
            Err(message) => return bad_request(&message),
        }
    }
    let field = &mut state.custom_fields[index];
    if let Some(label) = body["label"].as_str() {
        field.label = label.into();
    }
    if let Some(slug) = body["slug"].as_str() {
        field.slug = slug.into();
    }
    if let Some(description) = body["description"].as_str() {
        field.description = description.into();
    }
    full(
        StatusCode::OK,
        json!({"data": custom_field_json(field), "request_id": "fake"}),
    )
}

/// `POST`, `PATCH` and `DELETE /custom-fields/{id}/select-options`; the
/// option to change or delete is named by `current_slug` in the query.
fn select_option(
    state: &mut State,
    index: usize,
    method: &str,
    params: &HashMap<String, String>,
    body: &Value,
) -> Outcome {
    let field = &mut state.custom_fields[index];
    if !is_select(&field.field_type) {
        return bad_request("only select and multiselect fields have options");
    }
    if field.is_read_only {
        return error(
            StatusCode::FORBIDDEN,
            "the field is read-only",
            "permission_denied",
        );
    }
    let ok = |option: &StoredOption| {
        full(
            StatusCode::OK,
            json!({"data": option_json(option), "request_id": "fake"}),
        )
    };
    if method == "POST" {
        let (Some(label), Some(slug)) = (body["label"].as_str(), body["slug"].as_str()) else {
            return bad_request("label and slug are required");
        };
        if field.options.iter().any(|o| o.slug == slug) {
            return duplicate("an option with this slug exists", slug);
        }
        let option = StoredOption {
            slug: slug.into(),
            label: label.into(),
            ai_description: body["ai_description"].as_str().map(str::to_string),
        };
        field.options.push(option.clone());
        return ok(&option);
    }
    let Some(current) = params.get("current_slug") else {
        return bad_request("current_slug is required");
    };
    let Some(position) = field.options.iter().position(|o| &o.slug == current) else {
        return error(StatusCode::NOT_FOUND, "option not found", "not_found");
    };
    match method {
        "PATCH" => {
            if let Some(slug) = body["slug"].as_str()
                && slug != current
                && field.options.iter().any(|o| o.slug == slug)
            {
                return duplicate("an option with this slug exists", slug);
            }
            let option = &mut field.options[position];
            if let Some(label) = body["label"].as_str() {
                option.label = label.into();
            }
            if let Some(slug) = body["slug"].as_str() {
                option.slug = slug.into();
            }
            if let Some(ai) = body["ai_description"].as_str() {
                option.ai_description = Some(ai.into());
            }
            ok(&field.options[position])
        }
        "DELETE" => {
            field.options.remove(position);
            full(
                StatusCode::OK,
                json!({"data": {"success": true}, "request_id": "fake"}),
            )
        }
        _ => error(StatusCode::NOT_FOUND, "no such endpoint", "not_found"),
    }
}

fn is_select(kind: &str) -> bool {
    matches!(kind, "select" | "multiselect")
}

fn slugify(label: &str) -> String {
    label
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("_")
}

fn parse_options(options: &Value) -> Result<Vec<StoredOption>, String> {
    let mut parsed: Vec<StoredOption> = Vec::new();
    for option in options.as_array().ok_or("select_options must be a list")? {
        let (Some(label), Some(slug)) = (option["label"].as_str(), option["slug"].as_str()) else {
            return Err("every option needs a label and a slug".into());
        };
        if parsed.iter().any(|o| o.slug == slug) {
            return Err(format!("option slug {slug} is used twice"));
        }
        parsed.push(StoredOption {
            slug: slug.into(),
            label: label.into(),
            ai_description: option["ai_description"].as_str().map(str::to_string),
        });
    }
    Ok(parsed)
}

fn option_json(option: &StoredOption) -> Value {
    let mut json = json!({"slug": option.slug, "label": option.label});
    if let Some(ai) = &option.ai_description {
        json["ai_description"] = json!(ai);
    }
    json
}

fn custom_field_json(field: &StoredCustomField) -> Value {
    let mut json = crate::objects::with(
        crate::objects::custom_field(
            &field.id,
            &field.slug,
            &field.field_type,
            &field.object_type,
        ),
        json!({"label": field.label, "description": field.description,
               "is_read_only": field.is_read_only}),
    );
    if is_select(&field.field_type) {
        json["select_metadata"] =
            json!({"options": field.options.iter().map(option_json).collect::<Vec<_>>()});
    }
    json
}

/// The field no SDK knows, which a lossless copy keeps.
fn future_field(revision: u64) -> Value {
    json!({"revision": revision, "nested": {"flags": ["a", "b"], "score": 0.5}})
}

fn issue_json(issue: &StoredIssue, config: &FakeConfig) -> Value {
    let n = issue.number;
    let state = if issue.revision % 2 == 1 {
        "waiting_on_customer"
    } else {
        "new"
    };
    let mut json = crate::objects::with(
        crate::objects::issue(&issue.id, n as i64),
        json!({"title": format!("Issue {}", issue.id),
               "created_at": issue.created_at.to_rfc3339(),
               "updated_at": issue.updated_at.to_rfc3339(),
               "state": state,
               "pylon_future_field": future_field(issue.revision)}),
    );
    if config.accounts > 0 {
        json["account"] = json!({"id": format!("acc_{}", n % config.accounts)});
    }
    if config.contacts > 0 {
        json["requester"] = json!({"id": format!("con_{}", n % config.contacts)});
    }
    if config.users > 0 && !n.is_multiple_of(3) {
        json["assignee"] = json!({"id": format!("usr_{}", n % config.users)});
    }
    json
}

fn account_json(n: usize) -> Value {
    crate::objects::with(
        crate::objects::account(&format!("acc_{n}"), &format!("Account {n}")),
        json!({"domains": [format!("a{n}.example")], "domain": format!("a{n}.example"),
               "tags": ["customer"], "created_at": "2026-01-01T00:00:00Z",
               "pylon_future_field": future_field(0)}),
    )
}

fn contact_json(n: usize, accounts: usize) -> Value {
    let mut json = crate::objects::with(
        crate::objects::contact(&format!("con_{n}"), &format!("Contact {n}")),
        json!({"email": format!("c{n}@example.com"), "pylon_future_field": future_field(0)}),
    );
    if accounts > 0 {
        json["account"] = json!({"id": format!("acc_{}", n % accounts)});
    }
    json
}

fn user_json(n: usize) -> Value {
    crate::objects::with(
        crate::objects::user(&format!("usr_{n}"), &format!("u{n}@example.com")),
        json!({"pylon_future_field": future_field(0)}),
    )
}

fn team_json(n: usize) -> Value {
    crate::objects::with(
        crate::objects::team(&format!("team_{n}"), &format!("Team {n}")),
        json!({"pylon_future_field": future_field(0)}),
    )
}

/// `POST /issues/search`, for filters on `updated_at` and `created_at`
/// (`time_range`, `time_is_after`, `time_is_before`, joined by `and`);
/// other filters are refused rather than ignored. Like the `updated_at`
/// limit reported of Pylon, a time range longer than the maximum window
/// is refused. Results are oldest update first.
fn search_issues(state: &mut State, params: &HashMap<String, String>, body: &Value) -> Outcome {
    let mut bounds = Vec::new();
    if let Err(message) = time_bounds(&body["filter"], state.config.max_window, &mut bounds) {
        return bad_request(&message);
    }
    let limit = &body["limit"];
    if !limit.is_null() && !limit.as_u64().is_some_and(|l| (1..=1000).contains(&l)) {
        return bad_request("limit must be from 1 to 1000");
    }
    let mut matching: Vec<&StoredIssue> = state
        .issues
        .iter()
        .filter(|issue| {
            bounds.iter().all(|(field, after, before)| {
                let at = if *field == "updated_at" {
                    issue.updated_at
                } else {
                    issue.created_at
                };
                after.is_none_or(|after| at >= after) && before.is_none_or(|before| at < before)
            })
        })
        .collect();
    matching.sort_by(|a, b| a.updated_at.cmp(&b.updated_at).then(a.id.cmp(&b.id)));
    let (offset, limit) = page_bounds(params, body, 100);
    let items = matching
        .iter()
        .skip(offset)
        .take(limit)
        .map(|issue| issue_json(issue, &state.config))
        .collect();
    full(StatusCode::OK, page(items, offset, matching.len()))
}

type TimeBound = (String, Option<DateTime<Utc>>, Option<DateTime<Utc>>);

fn time_bounds(
    filter: &Value,
    max_window: TimeDelta,
    out: &mut Vec<TimeBound>,
) -> Result<(), String> {
    if filter.is_null() {
        return Ok(());
    }
    let time = |value: &Value| {
        value
            .as_str()
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&Utc))
            .ok_or_else(|| format!("not an RFC 3339 time: {value}"))
    };
    let field = filter["field"].as_str().unwrap_or_default();
    if filter["operator"] != "and" && field != "updated_at" && field != "created_at" {
        return Err(format!(
            "the fake searches issues by time only, not {filter}"
        ));
    }
    match filter["operator"].as_str().unwrap_or_default() {
        "and" => {
            for sub in filter["subfilters"].as_array().into_iter().flatten() {
                time_bounds(sub, max_window, out)?;
            }
        }
        "time_range" => {
            let values = filter["values"].as_array().cloned().unwrap_or_default();
            let [start, end] = values.as_slice() else {
                return Err("time_range takes values: [start, end]".into());
            };
            let (start, end) = (time(start)?, time(end)?);
            if end - start > max_window {
                return Err("the time range is longer than the maximum".into());
            }
            out.push((field.into(), Some(start), Some(end)));
        }
        "time_is_after" => out.push((field.into(), Some(time(&filter["value"])?), None)),
        "time_is_before" => out.push((field.into(), None, Some(time(&filter["value"])?))),
        other => return Err(format!("the fake does not search with `{other}`")),
    }
    Ok(())
}

fn tag_json(tag: &StoredTag) -> Value {
    let mut json = json!({"id": tag.id, "value": tag.value, "object_type": tag.object_type});
    if let Some(color) = &tag.hex_color {
        json["hex_color"] = json!(color);
    }
    json
}
