//! Inputs Pylon is known to refuse, refused before anything is sent.
//!
//! The generated types cannot say "a non-empty string" or "a page size from
//! 1 to 1000", so the operation's facts (see [`crate::operations`]) are
//! checked on the finished request: the JSON body's text fields Pylon
//! refuses blank, the page size (`limit`, in the query or the body) and the
//! time window's order.

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::catalogue::{Operation, PageSizes, TimeWindow};
use crate::error::{Error, Result};

/// Refuses a request Pylon would reject, before it is sent. A field that
/// must not be empty may be a query parameter (`current_slug`) or a field
/// of the JSON body.
pub(crate) fn check(operation: &Operation, request: &reqwest::Request) -> Result<()> {
    // Most reads carry neither; they are the calls where time matters most.
    if request.url().query().is_none() && request.body().is_none() {
        return Ok(());
    }
    let id = operation.id;
    if operation.page_sizes.is_some() || !operation.non_empty_fields.is_empty() {
        for (name, value) in request.url().query_pairs() {
            if let Some(sizes) = operation.page_sizes
                && name == "limit"
            {
                check_page_size(id, value.parse::<i64>().unwrap_or(i64::MIN), sizes)?;
            }
            if value.trim().is_empty() && operation.non_empty_fields.contains(&&*name) {
                return Err(Error::InvalidRequest(format!(
                    "{id}: `{name}` cannot be empty"
                )));
            }
        }
    }
    if let Some(window) = operation.time_window {
        check_window(id, window, request)?;
    }
    if operation.non_empty_fields.is_empty() && operation.page_sizes.is_none() {
        return Ok(());
    }
    let Some(body) = request
        .body()
        .and_then(|b| b.as_bytes())
        .and_then(|b| serde_json::from_slice::<Value>(b).ok())
    else {
        return Ok(());
    };
    for field in operation.non_empty_fields {
        if let Some(Value::String(text)) = body.get(field)
            && text.trim().is_empty()
        {
            return Err(Error::InvalidRequest(format!(
                "{id}: `{field}` cannot be empty"
            )));
        }
    }
    if let (Some(sizes), Some(limit)) = (operation.page_sizes, body.get("limit"))
        && !limit.is_null()
    {
        check_page_size(id, limit.as_i64().unwrap_or(i64::MIN), sizes)?;
    }
    Ok(())
}

fn check_page_size(operation: &str, size: i64, sizes: PageSizes) -> Result<()> {
    if sizes.contains(size) {
        Ok(())
    } else {
        Err(Error::InvalidRequest(format!(
            "{operation}: a page size must be from {} to {}",
            sizes.min, sizes.max
        )))
    }
}

fn check_window(operation: &str, window: TimeWindow, request: &reqwest::Request) -> Result<()> {
    let time = |wanted: &str| {
        request
            .url()
            .query_pairs()
            .find(|(name, _)| name == wanted)
            .and_then(|(_, value)| DateTime::parse_from_rfc3339(&value).ok())
            .map(|t| t.with_timezone(&Utc))
    };
    match (time(window.start), time(window.end)) {
        (Some(start), Some(end)) if end <= start => Err(Error::InvalidRequest(format!(
            "{operation}: the window ends ({end}) at or before it starts ({start})"
        ))),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(operation: &str, request: &reqwest::Request) -> Result<()> {
        super::check(crate::operations::find(operation).unwrap(), request)
    }

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
    fn blank_query_parameters_that_must_not_be_empty_are_refused() {
        for blank in ["current_slug=", "current_slug=%20%20"] {
            assert!(
                matches!(
                    check("delete_select_option", &get(blank)),
                    Err(Error::InvalidRequest(m))
                        if m == "delete_select_option: `current_slug` cannot be empty"
                ),
                "{blank}"
            );
        }
        assert!(check("delete_select_option", &get("current_slug=tier-1")).is_ok());
        // Other operations' query parameters may be blank.
        assert!(check("list_accounts", &get("cursor=")).is_ok());
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
