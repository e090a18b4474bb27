//! `operations`: the catalogue of API operations `pylon api` can call.

use std::io::Write;

use pylon_sdk::operations::{self, BodyKind, Pagination, ParamKind, RetryClass};
use serde_json::{Value, json};

use crate::commands::print_line;
use crate::failure::{Failure, Result};

/// `pylon operations`' arguments.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print the catalogue as JSON.
    #[arg(long)]
    json: bool,
}

/// Runs `pylon operations`: a table, or the catalogue as JSON.
pub fn run(args: &Args, out: &mut impl Write) -> Result<()> {
    let all = operations::all();
    let text = if args.json {
        let entries: Vec<Value> = all.iter().map(describe).collect();
        serde_json::to_string_pretty(&entries)
            .map_err(|e| Failure::other(format!("the list could not be printed: {e}")))?
    } else {
        let mut lines = Vec::with_capacity(all.len());
        for op in all {
            let mut params: Vec<String> =
                op.path_params().iter().map(|p| format!("{p}=")).collect();
            params.extend(op.query_params().iter().map(|q| {
                if q.required() {
                    format!("{}=", q.name())
                } else {
                    format!("[{}=]", q.name())
                }
            }));
            let body = match op.body() {
                BodyKind::Json { required: true } => " --body JSON",
                BodyKind::Json { required: false } => " [--body JSON]",
                BodyKind::Multipart => " (multipart: not sent by `pylon api`)",
                _ => "",
            };
            let paged = if op.pagination() == Pagination::None {
                ""
            } else {
                " [--all]"
            };
            lines.push(format!(
                "{:<38} {:<6} {:<58} {}{body}{paged}",
                op.id(),
                op.method(),
                op.path(),
                params.join(" ")
            ));
        }
        lines.join("\n")
    };
    print_line(out, &text)
}

fn describe(op: &operations::Operation) -> Value {
    let kind = |kind: ParamKind| match kind {
        ParamKind::Integer => "integer",
        ParamKind::Number => "number",
        ParamKind::Boolean => "boolean",
        ParamKind::DateTime => "date-time",
        _ => "string",
    };
    json!({
        "id": op.id(),
        "method": op.method().as_str(),
        "path": op.path(),
        "summary": op.summary(),
        "path_params": op.path_params(),
        "query_params": op.query_params().iter().map(|q| json!({
            "name": q.name(), "required": q.required(), "kind": kind(q.kind()), "repeated": q.repeated(),
        })).collect::<Vec<_>>(),
        "body": match op.body() {
            BodyKind::Json { required: true } => "json (required)",
            BodyKind::Json { required: false } => "json (optional)",
            BodyKind::Multipart => "multipart",
            _ => "none",
        },
        "pagination": match op.pagination() {
            Pagination::QueryCursor => "query cursor",
            Pagination::BodyCursor => "body cursor",
            _ => "none",
        },
        "page_sizes": op.page_sizes().map(|sizes| json!({"min": sizes.min(), "max": sizes.max()})),
        "rate_limit_per_minute": op.rate_limit(),
        "retry": match op.retry_class() {
            RetryClass::Idempotent => "idempotent",
            _ => "at-most-once",
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_names_every_operation() {
        let mut out = Vec::new();
        run(&Args { json: false }, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.lines().count(), operations::all().len());
        assert!(text.contains("get_tag"));
        let mut out = Vec::new();
        run(&Args { json: true }, &mut out).unwrap();
        let json: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(json.as_array().unwrap().len(), operations::all().len());
        let entry = |id: &str| {
            json.as_array()
                .unwrap()
                .iter()
                .find(|op| op["id"] == id)
                .cloned()
                .unwrap()
        };
        let create_tag = entry("create_tag");
        assert_eq!(create_tag["rate_limit_per_minute"], 300);
        assert_eq!(create_tag["retry"], "at-most-once");
        assert_eq!(create_tag["page_sizes"], Value::Null);
        let list_issues = entry("list_issues");
        assert_eq!(list_issues["retry"], "idempotent");
        assert_eq!(list_issues["page_sizes"], json!({"min": 1, "max": 20_000}));
    }
}
