//! Opt-in client-side rate limiting that follows Pylon's per-endpoint limits.
//!
//! Pylon limits each endpoint separately, per organization, per minute, at
//! one of three tiers (30, 120 or 300 requests). With [`RateLimits`] set on
//! the client builder, every clone of the client shares one limiter that
//! keeps each endpoint under its limit, so a bulk job waits instead of
//! meeting 429s.
//!
//! Each endpoint has as many slots as its limit; a request takes a slot and
//! the slot frees one window after the response has arrived. Counting from
//! arrival of the response (not from sending) means that at most `limit`
//! requests can reach Pylon in any window, whatever the network delay.
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

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
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
    slots: Arc<Semaphore>,
    /// When each free slot may be used again, earliest first.
    free_at: Mutex<BinaryHeap<Reverse<Instant>>>,
}

/// A taken slot; it frees one window after it is dropped.
pub(crate) struct Slot {
    endpoint: Arc<Endpoint>,
    window: Duration,
    _permit: OwnedSemaphorePermit,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut free_at = self
            .endpoint
            .free_at
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        free_at.push(Reverse(Instant::now() + self.window));
    }
}

impl RateLimiter {
    pub(crate) fn new(limits: RateLimits) -> Self {
        RateLimiter {
            limits,
            endpoints: Mutex::new(HashMap::new()),
        }
    }

    /// Waits until `operation` may send, and takes a slot for the attempt.
    pub(crate) async fn acquire(&self, operation: &'static str) -> Slot {
        let endpoint = {
            let mut endpoints = self.endpoints.lock().unwrap_or_else(|e| e.into_inner());
            endpoints
                .entry(operation)
                .or_insert_with(|| {
                    let limit = self.limits.limit_for(operation) as usize;
                    let now = Instant::now();
                    Arc::new(Endpoint {
                        slots: Arc::new(Semaphore::new(limit)),
                        free_at: Mutex::new((0..limit).map(|_| Reverse(now)).collect()),
                    })
                })
                .clone()
        };
        let permit = endpoint
            .slots
            .clone()
            .acquire_owned()
            .await
            .expect("the semaphore is never closed");
        // Holding a permit guarantees a free slot in the heap.
        let ready_at = {
            let mut free_at = endpoint.free_at.lock().unwrap_or_else(|e| e.into_inner());
            free_at.pop().map_or_else(Instant::now, |Reverse(at)| at)
        };
        if ready_at > Instant::now() {
            tracing::debug!(
                operation,
                wait_ms = (ready_at - Instant::now()).as_millis() as u64,
                "rate limit: waiting"
            );
            tokio::time::sleep_until(ready_at).await;
        }
        Slot {
            endpoint,
            window: self.limits.window,
            _permit: permit,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
            assert!([30, 120, 300].contains(limit), "{operation}: {limit}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_full_endpoint_waits_one_window_from_the_earliest_completion() {
        let limiter = RateLimiter::new(
            RateLimits::pylon_defaults()
                .with_limit("get_tag", 2)
                .with_window(Duration::from_secs(10)),
        );
        let start = Instant::now();
        drop(limiter.acquire("get_tag").await);
        tokio::time::advance(Duration::from_secs(1)).await;
        drop(limiter.acquire("get_tag").await);
        let _third = limiter.acquire("get_tag").await;
        assert_eq!(start.elapsed(), Duration::from_secs(10));
        // Another endpoint is not held up.
        let other = Instant::now();
        drop(limiter.acquire("list_tags").await);
        assert_eq!(other.elapsed(), Duration::ZERO);
    }
}
