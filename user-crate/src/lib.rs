//! Helpers a pylon-sdk user writes, depending on pylon-sdk alone.
//!
//! It calls operations, returns their results from its own functions,
//! matches errors, streams pages and sets per-call options, all without
//! naming a type of the HTTP stack (reqwest, hyper, progenitor-client): if
//! the SDK's public API leaked one, this crate could not be written with
//! pylon-sdk as its only dependency.

use std::time::Duration;

use pylon_sdk::pagination::ItemStream;
use pylon_sdk::prelude::*;
use pylon_sdk::{ApiError, CallOptions, Checkpoint, Response, RetryPolicy};

/// A call's result passed on unchanged.
pub async fn list_tags(client: &Client) -> Result<Response<types::TagListResponse>> {
    client.list_tags().send().await
}

/// A missing tag is `None`, not an error.
pub async fn tag_if_any(client: &Client, id: &str) -> Result<Option<types::TagResponse>> {
    match client.get_tag().id(id).send().await {
        Ok(tag) => Ok(Some(tag.into_inner())),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e),
    }
}

/// One line per kind of failure, for an operator.
pub fn describe(error: &Error) -> String {
    match error {
        Error::Api(api) => describe_api(api),
        Error::Transport {
            operation,
            outcome_unknown: true,
            ..
        } => format!("{operation} may or may not have been applied: check before repeating"),
        Error::Transport {
            operation, source, ..
        } if source.is_timeout() => {
            format!("{operation} timed out")
        }
        Error::Interrupted { checkpoint, .. } => format!(
            "stopped after {} items; resumable",
            checkpoint.items_yielded()
        ),
        other => other.to_string(),
    }
}

fn describe_api(api: &ApiError) -> String {
    match (api.status, api.retry_after) {
        (429, Some(wait)) => format!("{} rate limited; retry in {wait:?}", api.operation),
        (status, _) => format!(
            "{} failed with {status}: {}",
            api.operation,
            api.messages.join("; ")
        ),
    }
}

/// Streams every account name, resuming after a stream gives up.
pub async fn account_names(client: &Client) -> Result<Vec<String>> {
    let mut names = Vec::new();
    let mut resume: Option<Checkpoint> = None;
    loop {
        let mut pages = client.paginate_list_accounts().page_size(500);
        if let Some(checkpoint) = &resume {
            pages = pages.resume_from(checkpoint);
        }
        let mut accounts = pages.items();
        loop {
            match accounts.try_next().await {
                Ok(Some(account)) => names.push(account.name),
                Ok(None) => return Ok(names),
                Err(e) => match e.checkpoint() {
                    Some(checkpoint) => {
                        resume = Some(checkpoint.clone());
                        break;
                    }
                    None => return Err(e),
                },
            }
        }
    }
}

/// A handle for slow reports: a longer timeout and deadline, a trace header.
pub fn for_reports(client: &Client, trace_id: &str) -> Result<Client> {
    client.with_options(
        CallOptions::new()
            .timeout(Duration::from_secs(120))
            .retry_policy(RetryPolicy::standard().with_deadline(Duration::from_secs(600)))
            .header("x-trace-id", trace_id),
    )
}

/// A stream that owns its client can be stored, returned and moved freely.
pub fn owned_tag_stream(client: &Client, object_type: &str) -> ItemStream<types::Tag> {
    client
        .paginate_search_tags(types::SearchTagsRequest {
            object_type: Some(object_type.to_string()),
            ..Default::default()
        })
        .items()
}

/// Streams handed out by the SDK are `Send + 'static`.
pub fn assert_spawnable<S: Stream + Send + 'static>(stream: S) -> S {
    stream
}

/// Matching an enum of the SDK: a wildcard arm keeps this compiling when
/// Pylon adds a value.
pub fn priority_label(priority: &types::IssuePriority) -> &'static str {
    match priority {
        types::IssuePriority::Urgent => "page someone",
        types::IssuePriority::High => "today",
        _ => "this week",
    }
}

/// Reading response fields by name (response structs are not exhaustive, so
/// new fields can arrive without breaking this).
pub fn tag_summary(tag: &types::Tag) -> String {
    format!("{} ({}, {:?})", tag.value, tag.object_type, tag.hex_color)
}

/// A response value for a test, built with its builder.
pub fn sample_tag() -> types::Tag {
    types::Tag::builder()
        .id("tag_1")
        .value("vip")
        .object_type("account")
        .hex_color(Some("#ff0000".to_string()))
        .try_into()
        .expect("every required field is set")
}
