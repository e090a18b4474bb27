//! Inputs Pylon is known to refuse, refused before anything is sent.
//!
//! The generated types cannot say "a non-empty string" or "a page size from
//! 1 to 1000", so these rules are checked on the finished request: the JSON
//! body's required text fields, the page size (`limit`, in the query or the
//! body) and `GET /issues`' window.

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::error::{Error, Result};

/// Text fields that must not be empty or blank, per operation. Fields of
/// update bodies apply only when sent.
const NON_EMPTY_FIELDS: &[(&str, &[&str])] = &[
    ("create_tag", &["value", "object_type"]),
    ("update_tag", &["value"]),
    ("create_custom_field", &["label", "object_type"]),
    ("update_custom_field", &["label", "slug"]),
    ("create_select_option", &["label", "slug"]),
    ("update_select_option", &["current_slug", "label", "slug"]),
    ("delete_select_option", &["current_slug"]),
    ("create_issue", &["title"]),
    ("create_account", &["name"]),
    ("create_contact", &["name"]),
    ("create_team", &["name"]),
];

/// The largest page most lists and searches serve.
pub(crate) const MAX_PAGE_SIZE: i64 = 1000;
/// `GET /issues` serves up to this many issues a page.
pub(crate) const MAX_ISSUE_PAGE_SIZE: i64 = 20_000;

/// Refuses a request Pylon would reject, before it is sent.
pub(crate) fn check(operation: &str, request: &reqwest::Request) -> Result<()> {
    // Most reads carry neither; they are the calls where time matters most.
    if request.url().query().is_none() && request.body().is_none() {
        return Ok(());
    }
    let max_page = if operation == "list_issues" {
        MAX_ISSUE_PAGE_SIZE
    } else {
        MAX_PAGE_SIZE
    };
    for (name, value) in request.url().query_pairs() {
        if name == "limit" {
            let size = value.parse::<i64>().unwrap_or(i64::MIN);
            check_page_size(operation, size, max_page)?;
        }
    }
    if operation == "list_issues" {
        check_issue_window(request)?;
    }
    let rules = NON_EMPTY_FIELDS
        .iter()
        .find(|(name, _)| *name == operation)
        .map(|(_, fields)| *fields);
    let has_body_limit = operation.starts_with("search_");
    if rules.is_none() && !has_body_limit {
        return Ok(());
    }
    let Some(body) = request
        .body()
        .and_then(|b| b.as_bytes())
        .and_then(|b| serde_json::from_slice::<Value>(b).ok())
    else {
        return Ok(());
    };
    for field in rules.unwrap_or_default() {
        if let Some(Value::String(text)) = body.get(field)
            && text.trim().is_empty()
        {
            return Err(Error::InvalidRequest(format!(
                "{operation}: `{field}` cannot be empty"
            )));
        }
    }
    if let Some(limit) = body.get("limit").filter(|l| !l.is_null()) {
        check_page_size(operation, limit.as_i64().unwrap_or(i64::MIN), max_page)?;
    }
    Ok(())
}

fn check_page_size(operation: &str, size: i64, max: i64) -> Result<()> {
    if (1..=max).contains(&size) {
        Ok(())
    } else {
        Err(Error::InvalidRequest(format!(
            "{operation}: a page size must be from 1 to {max}"
        )))
    }
}

fn check_issue_window(request: &reqwest::Request) -> Result<()> {
    let time = |wanted: &str| {
        request
            .url()
            .query_pairs()
            .find(|(name, _)| name == wanted)
            .and_then(|(_, value)| DateTime::parse_from_rfc3339(&value).ok())
            .map(|t| t.with_timezone(&Utc))
    };
    match (time("start_time"), time("end_time")) {
        (Some(start), Some(end)) if end <= start => Err(Error::InvalidRequest(format!(
            "list_issues: the window ends ({end}) at or before it starts ({start})"
        ))),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(json: Value) -> reqwest::Request {
        reqwest::Client::new()
            .post("https://api.usepylon.com/x")
            .json(&json)
            .build()
            .unwrap()
    }

    fn get(query: &str) -> reqwest::Request {
        reqwest::Client::new()
            .get(format!("https://api.usepylon.com/x?{query}"))
            .build()
            .unwrap()
    }

    #[test]
    fn empty_required_text_is_refused() {
        let empty = post(serde_json::json!({"value": " ", "object_type": "account"}));
        assert!(matches!(
            check("create_tag", &empty),
            Err(Error::InvalidRequest(m)) if m == "create_tag: `value` cannot be empty"
        ));
        let fine = post(serde_json::json!({"value": "vip", "object_type": "account"}));
        assert!(check("create_tag", &fine).is_ok());
        let label = post(serde_json::json!({"label": "", "object_type": "issue", "type": "text"}));
        assert!(check("create_custom_field", &label).is_err());
        // An update that leaves the value out changes only the colour.
        assert!(
            check(
                "update_tag",
                &post(serde_json::json!({"hex_color": "#fff"}))
            )
            .is_ok()
        );
    }

    #[test]
    fn page_sizes_outside_the_range_are_refused() {
        for bad in ["limit=0", "limit=1001", "limit=-3", "limit=x"] {
            assert!(check("list_accounts", &get(bad)).is_err(), "{bad}");
        }
        assert!(check("list_accounts", &get("limit=1000")).is_ok());
        assert!(check("list_issues", &get("limit=5000")).is_ok());
        assert!(check("list_issues", &get("limit=20001")).is_err());
        let search = post(serde_json::json!({"limit": 0, "filter": {}}));
        assert!(check("search_issues", &search).is_err());
        let unset = post(serde_json::json!({"limit": null}));
        assert!(check("search_issues", &unset).is_ok());
    }

    #[test]
    fn reversed_or_empty_issue_windows_are_refused() {
        let reversed = get("start_time=2026-02-01T00:00:00Z&end_time=2026-01-01T00:00:00Z");
        assert!(check("list_issues", &reversed).is_err());
        let empty = get("start_time=2026-01-01T00:00:00Z&end_time=2026-01-01T00:00:00Z");
        assert!(check("list_issues", &empty).is_err());
        let fine = get("start_time=2026-01-01T00:00:00Z&end_time=2026-01-02T00:00:00Z");
        assert!(check("list_issues", &fine).is_ok());
    }
}
