//! `pylon api` (any operation by name) and `pylon operations` (the list).

use std::io::{Read, Write};

use futures::TryStreamExt;
use pylon_sdk::Client;
use pylon_sdk::operations::{self, BodyKind, OperationCall, Pagination, ParamKind};
use serde_json::{Value, json};

use crate::failure::{Failure, Result};

/// What `pylon api` was asked to do.
#[derive(Debug, Clone)]
pub struct ApiArgs {
    pub operation: String,
    pub params: Vec<String>,
    pub body: Option<String>,
    pub all: bool,
    pub page_size: Option<u32>,
}

/// The call the arguments describe.
fn call(args: &ApiArgs) -> Result<OperationCall> {
    let mut call = OperationCall::new();
    for param in &args.params {
        let Some((name, value)) = param.split_once('=') else {
            return Err(Failure::usage(format!(
                "--param {param:?} must be NAME=VALUE"
            )));
        };
        call = call.param(name.trim(), value);
    }
    if let Some(body) = &args.body {
        call = call.body(read_body(body)?);
    }
    Ok(call)
}

/// `--body`: JSON text, `@FILE`, or `-` for stdin.
fn read_body(argument: &str) -> Result<Value> {
    let (text, source) = if argument == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| Failure::usage(format!("--body -: stdin: {e}")))?;
        (text, "stdin".to_string())
    } else if let Some(path) = argument.strip_prefix('@') {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Failure::usage(format!("--body @{path}: {e}")))?;
        (text, path.to_string())
    } else {
        (argument.to_string(), "--body".to_string())
    };
    serde_json::from_str(&text)
        .map_err(|e| Failure::usage(format!("{source} is not valid JSON: {e}")))
}

/// Runs `pylon api`: the response as pretty JSON, or with `--all` every
/// item of every page as one JSON line each.
pub async fn run(client: &Client, args: ApiArgs, out: &mut impl Write) -> Result<()> {
    let call = call(&args)?;
    if !args.all {
        if args.page_size.is_some() {
            return Err(Failure::usage("--page-size goes with --all"));
        }
        let response = client.call(&args.operation, call).await?.into_inner();
        let text = serde_json::to_string_pretty(&response)
            .map_err(|e| Failure::other(format!("the response could not be printed: {e}")))?;
        return write_line(out, &text);
    }
    let mut pages = client.paginate_call(&args.operation, call)?;
    if let Some(size) = args.page_size {
        pages = pages.page_size(size);
    }
    let mut items = pages.items();
    while let Some(item) = items.try_next().await? {
        write_line(out, &(*item).to_string())?;
    }
    Ok(())
}

fn write_line(out: &mut impl Write, line: &str) -> Result<()> {
    writeln!(out, "{line}")
        .and_then(|()| out.flush())
        .map_err(|e| Failure::io("stdout", e))
}

/// Runs `pylon operations`: a table, or the catalogue as JSON.
pub fn list(as_json: bool, out: &mut impl Write) -> Result<()> {
    let all = operations::all();
    let text = if as_json {
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
    write_line(out, &text)
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
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(params: &[&str], body: Option<&str>) -> ApiArgs {
        ApiArgs {
            operation: "get_tag".into(),
            params: params.iter().map(|p| p.to_string()).collect(),
            body: body.map(str::to_string),
            all: false,
            page_size: None,
        }
    }

    #[test]
    fn params_are_name_value_pairs_and_bodies_json() {
        assert!(call(&args(&["id=tag_1", "x=a=b"], None)).is_ok());
        let error = call(&args(&["id"], None)).unwrap_err();
        assert_eq!(error.code(), crate::failure::code::USAGE);
        let bad_json = call(&args(&[], Some("{nope"))).unwrap_err();
        assert!(
            bad_json.to_string().contains("not valid JSON"),
            "{bad_json}"
        );
        let missing = call(&args(&[], Some("@/no/such/file.json"))).unwrap_err();
        assert!(missing.to_string().contains("/no/such/file.json"));
    }

    #[test]
    fn the_list_names_every_operation() {
        let mut out = Vec::new();
        list(false, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.lines().count(), operations::all().len());
        assert!(text.contains("get_tag"));
        let mut out = Vec::new();
        list(true, &mut out).unwrap();
        let json: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(json.as_array().unwrap().len(), operations::all().len());
    }
}
