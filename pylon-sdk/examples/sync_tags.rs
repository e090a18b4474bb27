//! Makes sure every tag in a small text file exists in the organization.
//!
//! Each line of the file is `object_type,value[,#rrggbb]`; blank lines and
//! lines starting with `#` are ignored (see `examples/data/tags.csv`, read
//! when no path is given). Every tag goes through `ensure_tag`, which creates
//! it or, when Pylon answers that it already exists, returns the existing
//! one, and is safe to repeat. The example reports which tags it created and
//! which already existed (judged against the tag list read at the start);
//! the colour in the file applies only to the tags it creates.
//!
//! With `PYLON_API_TOKEN` set it talks to the live API and creates the
//! missing tags there; without it, to an in-process mock Pylon where one of
//! the sample tags already exists.
//!
//! ```text
//! cargo run -p pylon-sdk --example sync_tags -- [TAGS_FILE]
//! ```

use std::collections::{HashMap, HashSet};
use std::error::Error;
use std::sync::atomic::{AtomicUsize, Ordering};

use httpmock::Method::{GET, POST};
use httpmock::{HttpMockRequest, HttpMockResponse, MockServer};
use pylon_sdk::{Client, TagsExt};
use serde_json::{Value, json};

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/data/tags.csv");

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let path = std::env::args().nth(1).unwrap_or_else(|| SAMPLE.into());
    let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {path}: {e}"))?;
    let wanted = parse_tags(&path, &text)?;
    println!("read {} tags from {path}", wanted.len());

    let mock;
    let client = if std::env::var_os("PYLON_API_TOKEN").is_some() {
        println!("PYLON_API_TOKEN is set: using the live API");
        Client::from_env()?
    } else {
        println!("PYLON_API_TOKEN is unset: using an in-process mock Pylon");
        mock = mock_pylon();
        Client::builder("pylon_api_example")
            .base_url(mock.base_url())
            .build()?
    };

    // What existed before, to tell created tags from existing ones.
    let before = client.list_tags().send().await?.into_inner().data;
    let existing: HashMap<String, Option<String>> = before
        .into_iter()
        .map(|tag| (tag.id, tag.hex_color))
        .collect();
    println!(
        "{} tags in the organization before the sync",
        existing.len()
    );

    let (mut created, mut found) = (0, 0);
    for spec in &wanted {
        let tag = client
            .ensure_tag(&spec.value, &spec.object_type, spec.hex_color.as_deref())
            .await?;
        let id = tag.id;
        let name = format!("{}/{}", spec.object_type, spec.value);
        match existing.get(&id) {
            None => {
                created += 1;
                println!("  created  {name} ({id})");
            }
            Some(color) => {
                found += 1;
                println!("  exists   {name} ({id}){}", color_note(spec, color));
            }
        }
    }
    println!("created {created}, already existed {found}");
    Ok(())
}

/// One line of the tags file.
struct TagSpec {
    object_type: String,
    value: String,
    hex_color: Option<String>,
}

/// Parses `object_type,value[,#rrggbb]` lines, refusing malformed lines and
/// tags listed twice.
fn parse_tags(path: &str, text: &str) -> Result<Vec<TagSpec>, Box<dyn Error>> {
    let mut tags = Vec::new();
    let mut seen = HashSet::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let at = format!("{path}:{}", number + 1);
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        let (object_type, value, color) = match fields[..] {
            [object_type, value] => (object_type, value, ""),
            [object_type, value, color] => (object_type, value, color),
            _ => return Err(format!("{at}: expected object_type,value[,#rrggbb]").into()),
        };
        if object_type.is_empty() || value.is_empty() {
            return Err(format!("{at}: the object type and value cannot be empty").into());
        }
        if !(color.is_empty() || is_hex_color(color)) {
            return Err(format!("{at}: {color:?} is not a colour like #ff0000").into());
        }
        if !seen.insert((object_type.to_string(), value.to_string())) {
            return Err(format!("{at}: {object_type}/{value} is listed twice").into());
        }
        tags.push(TagSpec {
            object_type: object_type.into(),
            value: value.into(),
            hex_color: (!color.is_empty()).then(|| color.into()),
        });
    }
    Ok(tags)
}

fn is_hex_color(color: &str) -> bool {
    color.len() == 7 && color.starts_with('#') && color[1..].chars().all(|c| c.is_ascii_hexdigit())
}

/// A note when an existing tag's colour differs from the file's (it is left
/// as it is).
fn color_note(spec: &TagSpec, existing: &Option<String>) -> String {
    match (&spec.hex_color, existing) {
        (Some(wanted), Some(actual)) if !wanted.eq_ignore_ascii_case(actual) => {
            format!(", colour {actual} kept (the file says {wanted})")
        }
        _ => String::new(),
    }
}

// ---------------------------------------------------------------------------
// The mock Pylon.

/// A mock Pylon where `account/churn-risk` already exists as `tag_x`: its
/// create is a 409 naming it, and `GET /tags/tag_x` returns it. Every other
/// create succeeds.
fn mock_pylon() -> MockServer {
    let server = MockServer::start();
    let churn_risk = json!({"id": "tag_x", "value": "churn-risk", "object_type": "account", "hex_color": "#b00020"});
    let renewal = json!({"id": "tag_r", "value": "renewal-q3", "object_type": "account", "hex_color": "#417505"});
    server.mock(|when, then| {
        when.method(GET).path("/tags");
        then.status(200)
            .json_body(json!({"data": [churn_risk, renewal], "request_id": "req_list"}));
    });
    server.mock(|when, then| {
        when.method(POST)
            .path("/tags")
            .json_body_includes(r#"{"value": "churn-risk", "object_type": "account"}"#);
        then.status(409).json_body(json!({
            "errors": ["a tag with this value already exists"],
            "request_id": "req_dup",
            "code": "duplicate_object",
            "exists_id": "tag_x",
        }));
    });
    server.mock(|when, then| {
        when.method(GET).path("/tags/tag_x");
        then.status(200)
            .json_body(json!({"data": churn_risk, "request_id": "req_get"}));
    });
    let next_id = AtomicUsize::new(1);
    server.mock(|when, then| {
        when.method(POST).path("/tags");
        then.respond_with(move |req| create_tag(req, next_id.fetch_add(1, Ordering::Relaxed)));
    });
    server
}

/// `POST /tags`: the created tag, with a new ID.
fn create_tag(req: &HttpMockRequest, n: usize) -> HttpMockResponse {
    let body: Value = serde_json::from_slice(req.body_ref()).unwrap_or_default();
    let (Some(value), Some(object_type)) = (body["value"].as_str(), body["object_type"].as_str())
    else {
        return json_response(
            400,
            json!({"errors": ["value and object_type are required"], "request_id": "req_bad",
                   "code": "invalid_request_body"}),
        );
    };
    let mut tag = json!({"id": format!("tag_{n}"), "value": value, "object_type": object_type});
    if let Some(color) = body["hex_color"].as_str() {
        tag["hex_color"] = color.into();
    }
    json_response(
        200,
        json!({"data": tag, "request_id": format!("req_create_{n}")}),
    )
}

fn json_response(status: u16, body: Value) -> HttpMockResponse {
    HttpMockResponse::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(body.to_string())
        .build()
}
