//! Opt-in client-side rate limiting that follows Pylon's per-endpoint limits.
//!
//! Pylon limits each endpoint separately, per organization, per minute, at
//! one of three tiers (30, 120 or 300 requests); the imports, which only
//! Pylon's published OpenAPI describes, at the 20 it states. With
//! [`RateLimits`] set on
//! the client builder, every clone of the client shares one limiter that
//! keeps each endpoint under its limit, so a bulk job waits instead of
//! meeting 429s.
//!
//! Each endpoint's allowance is modelled as Pylon keeps it: a budget of
//! `limit` requests that refills continuously, `limit` per window. A full
//! budget lets a burst of `limit` requests through at once; after that,
//! requests go at the refill rate, first come first served. This is
//! independent of the adaptive pacing that reacts to 429s
//! ([`crate::pacing`]), which stays on beside it.
//!
//! ```
//! use std::time::Duration;
//! use pylon_sdk::{Client, RateLimits};
//!
//! # fn run() -> pylon_sdk::Result<()> {
//! let client = Client::builder("pylon_api_…")
//!     .rate_limits(RateLimits::pylon_defaults().with_limit("create_tag", 60))
//!     .build()?;
//! assert_eq!(RateLimits::pylon_defaults().limit_for("update_tag"), 30);
//! # Ok(()) }
//! ```

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

/// The documented per-minute tier of each operation (current API).
const TIERS: &[(&str, u32)] = &[
    // 300 per minute: most reads and the simple creates and updates.
    ("get_me", 300),
    ("list_accounts", 300),
    ("get_account", 300),
    ("create_account", 300),
    ("update_account", 300),
    ("list_contacts", 300),
    ("get_contact", 300),
    ("create_contact", 300),
    ("update_contact", 300),
    ("list_users", 300),
    ("get_user", 300),
    ("list_teams", 300),
    ("get_team", 300),
    ("list_tags", 300),
    ("get_tag", 300),
    ("create_tag", 300),
    ("list_custom_fields", 300),
    ("get_custom_field", 300),
    ("list_knowledge_bases", 300),
    ("list_tasks", 300),
    ("get_task", 300),
    ("create_task", 300),
    ("update_task", 300),
    ("create_project", 300),
    ("update_project", 300),
    ("create_milestone", 300),
    ("update_milestone", 300),
    ("get_issue", 300),
    ("list_account_activities", 300),
    ("list_account_notebook_notes", 300),
    ("list_account_relationships", 300),
    ("list_custom_objects", 300),
    ("get_custom_object", 300),
    ("get_feature_request", 300),
    ("get_call_recording", 300),
    ("list_surveys", 300),
    ("get_survey", 300),
    ("list_survey_responses", 300),
    ("list_training_data", 300),
    ("get_training_data", 300),
    ("list_task_comments", 300),
    ("get_knowledge_base", 300),
    ("get_knowledge_base_theme", 300),
    ("list_audit_logs", 300),
    ("list_user_roles", 300),
    ("create_macro", 300),
    ("delete_milestone", 300),
    ("get_article", 300),
    ("get_macro", 300),
    ("get_milestone", 300),
    ("get_project", 300),
    ("get_ticket_form", 300),
    ("list_email_suppressions", 300),
    ("list_issue_followers", 300),
    ("list_issue_survey_responses", 300),
    ("list_macro_groups", 300),
    ("list_macros", 300),
    ("list_ticket_forms", 300),
    ("update_macro", 300),
    // 120 per minute: searches, issue updates, custom-field writes.
    ("search_issues", 120),
    ("search_accounts", 120),
    ("search_contacts", 120),
    ("search_users", 120),
    ("search_tasks", 120),
    ("search_projects", 120),
    ("search_tags", 120),
    ("update_issue", 120),
    ("delete_issue", 120),
    ("snooze_issue", 120),
    ("link_external_issues", 120),
    ("create_custom_field", 120),
    ("update_custom_field", 120),
    ("update_team", 120),
    ("update_user", 120),
    ("update_accounts", 120),
    ("create_account_activity", 120),
    ("update_account_highlight", 120),
    ("delete_account_highlight", 120),
    ("create_account_notebook_note", 120),
    ("create_account_relationship", 120),
    ("delete_account_relationship", 120),
    ("create_custom_object", 120),
    ("update_custom_objects", 120),
    ("search_custom_objects", 120),
    ("update_custom_object", 120),
    ("delete_custom_object", 120),
    ("create_feature_request", 120),
    ("search_feature_requests", 120),
    ("update_feature_request", 120),
    ("delete_feature_request", 120),
    ("add_feature_request_evidence", 120),
    ("link_feature_request_external_issue", 120),
    ("set_feature_request_portal_visibility", 120),
    ("search_call_recordings", 120),
    ("update_call_recording", 120),
    ("delete_call_recording", 120),
    ("search_surveys", 120),
    ("create_task_comment", 120),
    ("update_task_comment", 120),
    ("delete_task_comment", 120),
    ("link_task_external_issue", 120),
    ("link_task_issue", 120),
    ("get_collection", 120),
    ("update_knowledge_base_theme", 120),
    ("publish_knowledge_base_theme", 120),
    ("list_article_feedback", 120),
    ("search_milestones", 120),
    ("add_issue_group_children", 120),
    ("create_issue_ai_response", 120),
    ("create_issue_thread", 120),
    ("create_select_option", 120),
    ("delete_article", 120),
    ("delete_email_suppression", 120),
    ("delete_macro", 120),
    ("delete_project", 120),
    ("delete_select_option", 120),
    ("delete_task", 120),
    ("link_external_incident", 120),
    ("list_articles", 120),
    ("list_collections", 120),
    ("list_issue_messages", 120),
    ("list_issue_threads", 120),
    ("list_issue_voice_calls", 120),
    ("redact_issue_message", 120),
    ("remove_issue_group_child", 120),
    ("update_article", 120),
    ("update_issue_followers", 120),
    ("update_select_option", 120),
    // 30 per minute.
    ("list_issues", 30),
    ("create_issue", 30),
    ("update_tag", 30),
    ("delete_tag", 30),
    ("delete_account", 30),
    ("delete_contact", 30),
    ("merge_accounts", 30),
    ("create_team", 30),
    ("create_account_highlight", 30),
    ("merge_feature_requests", 30),
    ("create_call_recording", 30),
    ("create_training_data", 30),
    ("upload_training_data_content", 30),
    ("upload_training_data_files", 30),
    ("upload_account_file", 30),
    ("delete_training_data_documents", 30),
    ("request_article_review", 30),
    ("search_audit_logs", 30),
    ("list_activity_types", 30),
    ("list_task_statuses", 30),
    ("create_article", 30),
    ("create_attachment", 30),
    ("create_collection", 30),
    ("create_issue_draft_reply", 30),
    ("create_issue_group", 30),
    ("create_issue_note", 30),
    ("create_route_redirect", 30),
    ("delete_collection", 30),
    ("delete_issue_message", 30),
    ("list_issue_statuses", 30),
    ("mark_issues_as_spam", 30),
    ("merge_issues", 30),
    ("reply_to_issue", 30),
    ("submit_ticket_form", 30),
    ("update_collection", 30),
    ("update_issue_message", 30),
    ("update_issues", 30),
    // 20 per minute: the imports, as Pylon's published OpenAPI states. The
    // current definition, which gives the tiers above, does not list them.
    ("import_contact", 20),
    ("import_issue", 20),
    ("import_issue_messages", 20),
];

/// Per-endpoint request limits for the client-side limiter.
#[derive(Debug, Clone, PartialEq)]
pub struct RateLimits {
    window: Duration,
    overrides: HashMap<String, u32>,
}

impl RateLimits {
    /// Pylon's documented limits per minute. Operations Pylon's table does not
    /// list get 300 for reads (`get_*`, `list_*`) and 30 for everything else.
    pub fn pylon_defaults() -> Self {
        RateLimits {
            window: Duration::from_secs(60),
            overrides: HashMap::new(),
        }
    }

    /// Sets one operation's limit per window (e.g. after Pylon support has
    /// raised it). `operation` is the method name, e.g. `"create_tag"`.
    pub fn with_limit(mut self, operation: &str, requests: u32) -> Self {
        self.overrides
            .insert(operation.to_string(), requests.max(1));
        self
    }

    /// The window the limits apply to. Default is one minute.
    pub fn with_window(mut self, window: Duration) -> Self {
        self.window = window;
        self
    }

    /// The limit that applies to `operation`.
    pub fn limit_for(&self, operation: &str) -> u32 {
        if let Some(limit) = self.overrides.get(operation) {
            return *limit;
        }
        match TIERS.iter().find(|(name, _)| *name == operation) {
            Some((_, limit)) => *limit,
            None if operation.starts_with("get_") || operation.starts_with("list_") => 300,
            None => 30,
        }
    }
}

/// The limiter shared by every clone of a client.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    limits: RateLimits,
    endpoints: Mutex<HashMap<&'static str, Arc<Endpoint>>>,
}

#[derive(Debug)]
struct Endpoint {
    bucket: Mutex<Bucket>,
    /// Waiters take turns in arrival order (tokio's mutex is fair).
    queue: tokio::sync::Mutex<()>,
}

/// The share of the documented budget and refill rate the limiter uses.
const REFILL_MARGIN: f64 = 0.98;

/// A refilling budget: `capacity` tokens, `per_second` back each second.
#[derive(Debug)]
struct Bucket {
    capacity: f64,
    per_second: f64,
    tokens: f64,
    refilled_at: Instant,
}

impl Bucket {
    fn new(limit: u32, window: Duration, now: Instant) -> Self {
        let capacity = f64::from(limit.max(1));
        let seconds = window.as_secs_f64();
        Bucket {
            capacity,
            // A little under Pylon's rate, so that network jitter between the
            // two clocks does not turn into 429s.
            per_second: if seconds > 0.0 {
                capacity / seconds * REFILL_MARGIN
            } else {
                f64::INFINITY
            },
            // The server's budget starts refilling only when the first request
            // arrives, a little after this one's: start a little under full.
            tokens: capacity * REFILL_MARGIN,
            refilled_at: now,
        }
    }

    /// Takes a token, or says how long until one is back.
    fn take(&mut self, now: Instant) -> Result<(), Duration> {
        let elapsed = now
            .saturating_duration_since(self.refilled_at)
            .as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.per_second).min(self.capacity);
        self.refilled_at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            return Ok(());
        }
        let seconds = (1.0 - self.tokens) / self.per_second;
        Err(Duration::try_from_secs_f64(seconds)
            .unwrap_or(crate::retry::MAX_DURATION)
            .clamp(Duration::from_millis(1), crate::retry::MAX_DURATION))
    }
}

impl RateLimiter {
    pub(crate) fn new(limits: RateLimits) -> Self {
        RateLimiter {
            limits,
            endpoints: Mutex::new(HashMap::new()),
        }
    }

    /// Waits until `operation` may send, and takes one request's allowance;
    /// false, at once, when that would be after `deadline`.
    pub(crate) async fn acquire(&self, operation: &'static str, deadline: Instant) -> bool {
        let endpoint = {
            let mut endpoints = self.endpoints.lock().unwrap_or_else(|e| e.into_inner());
            endpoints
                .entry(operation)
                .or_insert_with(|| {
                    Arc::new(Endpoint {
                        bucket: Mutex::new(Bucket::new(
                            self.limits.limit_for(operation),
                            self.limits.window,
                            Instant::now(),
                        )),
                        queue: tokio::sync::Mutex::new(()),
                    })
                })
                .clone()
        };
        let _turn = endpoint.queue.lock().await;
        loop {
            let taken = endpoint
                .bucket
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .take(Instant::now());
            match taken {
                Ok(()) => return true,
                Err(wait) if crate::retry::later(Instant::now(), wait) > deadline => return false,
                Err(wait) => {
                    tracing::debug!(
                        operation,
                        wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                        "rate limit: waiting"
                    );
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn far() -> Instant {
        Instant::now() + Duration::from_secs(10 * 365 * 86_400)
    }

    #[test]
    fn documented_tiers_defaults_and_overrides() {
        let limits = RateLimits::pylon_defaults();
        assert_eq!(limits.limit_for("create_tag"), 300);
        assert_eq!(limits.limit_for("search_issues"), 120);
        assert_eq!(limits.limit_for("list_issues"), 30);
        assert_eq!(limits.limit_for("get_article"), 300);
        assert_eq!(limits.limit_for("create_select_option"), 120);
        assert_eq!(limits.limit_for("not_an_operation"), 30);
        assert_eq!(
            limits
                .with_limit("list_issues", 90)
                .limit_for("list_issues"),
            90
        );
    }

    /// Every operation of the client (generated or hand-written) has its
    /// documented tier in `TIERS`, and every `TIERS` entry names one of them,
    /// so a new operation cannot silently fall back to a guessed limit.
    #[test]
    fn every_operation_has_an_explicit_tier() {
        let operations: std::collections::BTreeSet<&str> = crate::generated_paths::OPERATION_PATHS
            .iter()
            .map(|(operation, _)| *operation)
            .collect();
        let tiered: std::collections::BTreeSet<&str> =
            TIERS.iter().map(|(operation, _)| *operation).collect();
        assert_eq!(tiered.len(), TIERS.len(), "an operation is listed twice");
        let untiered: Vec<_> = operations.difference(&tiered).collect();
        assert!(untiered.is_empty(), "no tier for {untiered:?}");
        let unknown: Vec<_> = tiered.difference(&operations).collect();
        assert!(
            unknown.is_empty(),
            "tiers for unknown operations {unknown:?}"
        );
        for (operation, limit) in TIERS {
            let tiers: &[u32] = if operation.starts_with("import_") {
                &[20]
            } else {
                &[30, 120, 300]
            };
            assert!(tiers.contains(limit), "{operation}: {limit}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_burst_of_the_limit_then_the_refill_rate() {
        let limiter = RateLimiter::new(
            RateLimits::pylon_defaults()
                .with_limit("get_tag", 2)
                .with_window(Duration::from_secs(10)),
        );
        let start = Instant::now();
        let mut admitted = Vec::new();
        for _ in 0..5 {
            limiter.acquire("get_tag", far()).await;
            admitted.push(start.elapsed().as_millis());
        }
        // A burst of (almost) two, then one every 5 s (2 per 10 s), with a
        // 2% margin on both.
        assert_eq!(admitted, [0, 205, 5307, 10409, 15511]);
        // Another endpoint is not held up.
        let other = Instant::now();
        limiter.acquire("list_tags", far()).await;
        assert_eq!(other.elapsed(), Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn extreme_settings_neither_panic_nor_overflow() {
        for window in [Duration::MAX, Duration::ZERO, Duration::from_nanos(1)] {
            let limiter = RateLimiter::new(
                RateLimits::pylon_defaults()
                    .with_limit("get_tag", u32::MAX)
                    .with_window(window),
            );
            limiter.acquire("get_tag", far()).await;
        }
        let slow = RateLimiter::new(
            RateLimits::pylon_defaults()
                .with_limit("get_tag", 1)
                .with_window(Duration::MAX),
        );
        slow.acquire("get_tag", far()).await;
        let second =
            tokio::time::timeout(Duration::from_secs(3600), slow.acquire("get_tag", far())).await;
        assert!(second.is_err(), "a second request waits a very long window");
        let soon = Instant::now() + Duration::from_secs(60);
        assert!(
            !slow.acquire("get_tag", soon).await,
            "refused at once past the deadline"
        );
    }
}
