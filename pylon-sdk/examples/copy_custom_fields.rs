//! Copies custom-field definitions from one organization to another.
//!
//! For the account, issue and contact fields of the source organization it
//! plans, then does, what the destination lacks:
//! - a field whose slug the destination does not have is created with the
//!   same label, slug, type, description and (select and multiselect)
//!   options;
//! - a select or multiselect field both have gets the options it lacks, one
//!   at a time with `create_select_option`. (Updating the field with a full
//!   `select_options` list would delete the options left out and clear the
//!   values stored under them.)
//!
//! Nothing in the destination is changed or deleted. Read-only fields (synced
//! from an integration) and fields whose type differs between the two are
//! skipped and reported; labels, descriptions, defaults and number formats of
//! existing fields are left alone. Once done it reads the destination again
//! to check that nothing is left to copy; a run that stopped half-way can
//! simply be repeated.
//!
//! With `PYLON_SOURCE_TOKEN` and `PYLON_DESTINATION_TOKEN` set it talks to
//! the two live organizations (`--dry-run` prints the plan only); without
//! them, two in-process mock Pylons stand in.
//!
//! ```text
//! cargo run -p pylon-sdk --example copy_custom_fields -- [--dry-run]
//! ```

use std::error::Error;
use std::sync::{Arc, Mutex};

use httpmock::Method::{GET, POST};
use httpmock::{HttpMockRequest, HttpMockResponse, MockServer};
use pylon_sdk::Client;
use pylon_sdk::types::{self, CustomFieldDefinition, CustomFieldSelectOption, CustomFieldType};
use serde_json::{Value, json};

const OBJECT_TYPES: [&str; 3] = ["account", "issue", "contact"];

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let dry_run = match std::env::args().nth(1).as_deref() {
        None => false,
        Some("--dry-run") => true,
        Some(other) => return Err(format!("unknown argument {other:?}; usage: [--dry-run]").into()),
    };
    let orgs = Orgs::connect()?;
    let (source, destination) = (&orgs.source, &orgs.destination);
    let (source_id, source_name) = organization(source).await?;
    let (destination_id, destination_name) = organization(destination).await?;
    if !source_id.is_empty() && source_id == destination_id {
        return Err(format!(
            "the source and destination are the same organization ({source_name})"
        )
        .into());
    }
    println!("copying custom fields from {source_name} to {destination_name}");

    let source_fields = list_fields(source).await?;
    let steps = plan(&source_fields, &list_fields(destination).await?);
    println!("plan:");
    for step in &steps {
        println!("  {step}");
    }
    if dry_run {
        println!("--dry-run: nothing changed");
        return Ok(());
    }
    if !steps.iter().any(Step::changes_something) {
        println!("nothing to copy");
        return Ok(());
    }

    println!("applying:");
    for step in &steps {
        apply(destination, step).await?;
    }

    let left: Vec<_> = plan(&source_fields, &list_fields(destination).await?)
        .into_iter()
        .filter(Step::changes_something)
        .collect();
    if left.is_empty() {
        let skipped = steps
            .iter()
            .filter(|s| matches!(s.action, Action::Skip(_)))
            .count();
        println!("checked: nothing left to copy ({skipped} skipped, see the plan)");
    } else {
        println!(
            "checked: {} changes still missing in the destination:",
            left.len()
        );
        for step in &left {
            println!("  {step}");
        }
    }
    Ok(())
}

/// The two organizations, live or mocked.
struct Orgs {
    source: Client,
    destination: Client,
    _mocks: Option<(MockServer, MockServer)>,
}

impl Orgs {
    fn connect() -> Result<Orgs, Box<dyn Error>> {
        let token = |name| std::env::var(name).ok();
        match (
            token("PYLON_SOURCE_TOKEN"),
            token("PYLON_DESTINATION_TOKEN"),
        ) {
            (Some(source), Some(destination)) => {
                println!(
                    "PYLON_SOURCE_TOKEN and PYLON_DESTINATION_TOKEN are set: using the live API"
                );
                Ok(Orgs {
                    source: Client::builder(source).build()?,
                    destination: Client::builder(destination).build()?,
                    _mocks: None,
                })
            }
            (None, None) => {
                println!(
                    "PYLON_SOURCE_TOKEN and PYLON_DESTINATION_TOKEN are unset: using two in-process mock Pylons"
                );
                let (source, destination) = (mock_source(), mock_destination());
                Ok(Orgs {
                    source: Client::builder("pylon_api_source")
                        .base_url(source.base_url())
                        .build()?,
                    destination: Client::builder("pylon_api_destination")
                        .base_url(destination.base_url())
                        .build()?,
                    _mocks: Some((source, destination)),
                })
            }
            _ => Err("set both PYLON_SOURCE_TOKEN and PYLON_DESTINATION_TOKEN, or neither".into()),
        }
    }
}

/// The organization's ID and name.
async fn organization(client: &Client) -> pylon_sdk::Result<(String, String)> {
    let org = client.get_me().send().await?.into_inner().data;
    Ok((org.id, org.name))
}

/// The custom fields of each object type.
async fn list_fields(
    client: &Client,
) -> pylon_sdk::Result<Vec<(&'static str, Vec<CustomFieldDefinition>)>> {
    let mut fields = Vec::new();
    for object_type in OBJECT_TYPES {
        let listed = client
            .list_custom_fields()
            .object_type(object_type)
            .send()
            .await?;
        fields.push((object_type, listed.into_inner().data));
    }
    Ok(fields)
}

/// What to do about one source field.
struct Step {
    object_type: &'static str,
    slug: String,
    type_name: String,
    action: Action,
}

enum Action {
    Create(types::CreateCustomFieldRequest),
    AddOptions {
        field_id: String,
        options: Vec<CustomFieldSelectOption>,
    },
    Present,
    Skip(String),
}

impl Step {
    fn changes_something(&self) -> bool {
        matches!(self.action, Action::Create(_) | Action::AddOptions { .. })
    }
}

impl std::fmt::Display for Step {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let field = format!("{}/{}", self.object_type, self.slug);
        write!(f, "{field:<24} {:<12} ", self.type_name)?;
        match &self.action {
            Action::Create(request) if request.select_options.is_empty() => write!(f, "create"),
            Action::Create(request) => {
                write!(f, "create with options {}", slugs(&request.select_options))
            }
            Action::AddOptions { options, .. } => write!(f, "add options {}", slugs(options)),
            Action::Present => write!(f, "already there"),
            Action::Skip(reason) => write!(f, "skip: {reason}"),
        }
    }
}

fn slugs(options: &[CustomFieldSelectOption]) -> String {
    let slugs: Vec<_> = options.iter().map(|o| o.slug.as_str()).collect();
    slugs.join(", ")
}

/// One step per source field, object type by object type.
fn plan(
    source: &[(&'static str, Vec<CustomFieldDefinition>)],
    destination: &[(&'static str, Vec<CustomFieldDefinition>)],
) -> Vec<Step> {
    let mut steps = Vec::new();
    for (object_type, fields) in source {
        let existing = destination
            .iter()
            .find(|(t, _)| t == object_type)
            .map_or(&[][..], |(_, fields)| fields);
        for field in fields {
            steps.push(plan_field(object_type, field, existing));
        }
    }
    steps
}

fn plan_field(
    object_type: &'static str,
    field: &CustomFieldDefinition,
    destination: &[CustomFieldDefinition],
) -> Step {
    let slug = field.slug.clone();
    let type_name = field.type_.clone();
    let action = if slug.is_empty() {
        Action::Skip(format!("no slug (label {:?})", field.label))
    } else if field.is_read_only {
        let source = match field.source.as_str() {
            "" => "an integration",
            source => source,
        };
        Action::Skip(format!("read-only, synced from {source}"))
    } else if let Ok(kind) = type_name.parse::<CustomFieldType>() {
        match destination.iter().find(|d| d.slug == slug) {
            None => Action::Create(create_request(object_type, &slug, kind, field)),
            Some(existing) => compare(field, existing),
        }
    } else {
        Action::Skip(format!("type {type_name:?} is not one this SDK knows"))
    };
    Step {
        object_type,
        slug,
        type_name,
        action,
    }
}

/// A source field the destination also has: add the options it lacks.
fn compare(field: &CustomFieldDefinition, existing: &CustomFieldDefinition) -> Action {
    if existing.type_ != field.type_ {
        return Action::Skip(format!("the destination's field is {}", existing.type_));
    }
    let present = options(existing);
    let missing: Vec<_> = options(field)
        .into_iter()
        .filter(|option| !present.iter().any(|o| o.slug == option.slug))
        .collect();
    if missing.is_empty() {
        Action::Present
    } else {
        Action::AddOptions {
            field_id: existing.id.clone(),
            options: missing,
        }
    }
}

/// A field's select options that carry both a label and a slug (Pylon may
/// leave either out when reading; both are needed to create one).
fn options(field: &CustomFieldDefinition) -> Vec<CustomFieldSelectOption> {
    let read = field
        .select_metadata
        .as_ref()
        .and_then(|m| m.options.as_deref())
        .unwrap_or_default();
    read.iter()
        .filter_map(|option| {
            Some(CustomFieldSelectOption {
                label: option.label.clone()?,
                slug: option.slug.clone()?,
                ai_description: option.ai_description.clone(),
            })
        })
        .collect()
}

fn create_request(
    object_type: &str,
    slug: &str,
    kind: CustomFieldType,
    field: &CustomFieldDefinition,
) -> types::CreateCustomFieldRequest {
    let has_options = matches!(kind, CustomFieldType::Select | CustomFieldType::Multiselect);
    types::CreateCustomFieldRequest {
        label: if field.label.is_empty() {
            slug.into()
        } else {
            field.label.clone()
        },
        object_type: object_type.into(),
        type_: kind,
        slug: Some(slug.into()),
        description: Some(field.description.clone()).filter(|d| !d.is_empty()),
        select_options: if has_options {
            options(field)
        } else {
            Vec::new()
        },
        default_value: None,
        default_values: Vec::new(),
    }
}

async fn apply(destination: &Client, step: &Step) -> pylon_sdk::Result<()> {
    let field = format!("{}/{}", step.object_type, step.slug);
    match &step.action {
        Action::Create(request) => {
            let created = destination
                .create_custom_field()
                .body(request.clone())
                .send()
                .await?
                .into_inner();
            let id = created.data.id;
            println!("  created {field} ({id})");
        }
        Action::AddOptions { field_id, options } => {
            for option in options {
                destination
                    .create_select_option()
                    .custom_field_id(field_id)
                    .body(types::CreateSelectOptionRequest {
                        label: option.label.clone(),
                        slug: option.slug.clone(),
                        ai_description: option.ai_description.clone(),
                    })
                    .send()
                    .await?;
                println!("  added option {} to {field}", option.slug);
            }
        }
        Action::Present | Action::Skip(_) => {}
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// The mock Pylons.

/// A field definition with the fields Pylon always sends that a mock left out.
fn with_defaults(mut field: Value) -> Value {
    for (name, default) in [
        ("created_at", json!("2026-01-05T09:00:00Z")),
        ("updated_at", json!("2026-01-05T09:00:00Z")),
        ("description", json!("")),
        ("is_read_only", json!(false)),
        ("source", json!("pylon")),
    ] {
        if field.get(name).is_none() {
            field[name] = default;
        }
    }
    field
}

fn mock_source() -> MockServer {
    mock_org(
        ("org_acme", "Acme Support"),
        vec![
            select(
                "account",
                "cf_s1",
                "tier",
                "Tier",
                &["enterprise", "growth", "starter"],
            ),
            json!({"id": "cf_s2", "object_type": "account", "slug": "arr", "label": "ARR", "type": "number",
                   "number_metadata": {"format": "currency", "currency": "USD", "decimal_places": 0}}),
            json!({"id": "cf_s3", "object_type": "account", "slug": "csm_notes", "label": "CSM notes",
                   "type": "text", "description": "Notes from the customer success manager"}),
            json!({"id": "cf_s4", "object_type": "account", "slug": "salesforce_id", "label": "Salesforce ID",
                   "type": "text", "is_read_only": true, "source": "salesforce"}),
            select(
                "issue",
                "cf_s5",
                "severity",
                "Severity",
                &["sev1", "sev2", "sev3"],
            ),
            json!({"id": "cf_s6", "object_type": "issue", "slug": "product_area", "label": "Product area",
                   "type": "multiselect", "select_metadata": {"options": [
                       {"label": "Billing", "slug": "billing"}, {"label": "API", "slug": "api"},
                       {"label": "Dashboard", "slug": "dashboard", "ai_description": "the web dashboard"}]}}),
            json!({"id": "cf_s7", "object_type": "issue", "slug": "root_cause", "label": "Root cause", "type": "text"}),
            select(
                "contact",
                "cf_s8",
                "role",
                "Role",
                &["champion", "decision_maker", "end_user"],
            ),
            json!({"id": "cf_s9", "object_type": "contact", "slug": "linkedin", "label": "LinkedIn", "type": "url"}),
        ],
    )
}

fn mock_destination() -> MockServer {
    mock_org(
        ("org_sandbox", "Acme Support (sandbox)"),
        vec![
            select(
                "account",
                "cf_d1",
                "tier",
                "Tier",
                &["enterprise", "growth"],
            ),
            json!({"id": "cf_d2", "object_type": "account", "slug": "arr", "label": "ARR", "type": "number"}),
            json!({"id": "cf_d3", "object_type": "issue", "slug": "product_area", "label": "Product area",
                   "type": "multiselect", "select_metadata": {"options": [{"label": "Billing", "slug": "billing"}]}}),
            select(
                "issue",
                "cf_d4",
                "root_cause",
                "Root cause",
                &["bug", "configuration"],
            ),
        ],
    )
}

/// A select field as Pylon returns it, with options labelled after their slugs.
fn select(object_type: &str, id: &str, slug: &str, label: &str, options: &[&str]) -> Value {
    let options: Vec<Value> = options
        .iter()
        .map(|slug| json!({"label": slug.replace('_', " "), "slug": slug}))
        .collect();
    json!({"id": id, "object_type": object_type, "slug": slug, "label": label, "type": "select",
           "source": "pylon", "is_read_only": false, "select_metadata": {"options": options}})
}

type Fields = Arc<Mutex<Vec<Value>>>;

/// A mock Pylon that keeps its custom fields: `GET /me`, `GET` and
/// `POST /custom-fields`, and `POST /custom-fields/{id}/select-options`.
fn mock_org((id, name): (&str, &str), fields: Vec<Value>) -> MockServer {
    let fields = fields.into_iter().map(with_defaults).collect();
    let server = MockServer::start();
    let fields: Fields = Arc::new(Mutex::new(fields));
    server.mock(|when, then| {
        when.method(GET).path("/me");
        then.status(200)
            .json_body(json!({"data": {"id": id, "name": name,
                                        "user": {"id": "usr_api", "email": "api@acme.example"}},
                              "request_id": "req_me"}));
    });
    let listed = fields.clone();
    server.mock(|when, then| {
        when.method(GET).path("/custom-fields");
        then.respond_with(move |req| list_custom_fields(&listed, req));
    });
    let created = fields.clone();
    server.mock(|when, then| {
        when.method(POST).path("/custom-fields");
        then.respond_with(move |req| create_custom_field(&created, req));
    });
    server.mock(|when, then| {
        when.method(POST)
            .path_matches(r"^/custom-fields/[^/]+/select-options$");
        then.respond_with(move |req| create_select_option(&fields, req));
    });
    server
}

fn list_custom_fields(fields: &Fields, req: &HttpMockRequest) -> HttpMockResponse {
    let Some(object_type) = req
        .query_params()
        .into_iter()
        .find(|(k, _)| k == "object_type")
    else {
        return error(400, "object_type is required", "invalid_request_body");
    };
    let fields = fields.lock().unwrap_or_else(|e| e.into_inner());
    let matching: Vec<_> = fields
        .iter()
        .filter(|f| f["object_type"] == object_type.1.as_str())
        .collect();
    json_response(200, json!({"data": matching, "request_id": "req_list"}))
}

fn create_custom_field(fields: &Fields, req: &HttpMockRequest) -> HttpMockResponse {
    let body: Value = serde_json::from_slice(req.body_ref()).unwrap_or_default();
    let (Some(label), Some(object_type), Some(kind)) = (
        body["label"].as_str(),
        body["object_type"].as_str(),
        body["type"].as_str(),
    ) else {
        return error(
            400,
            "label, object_type and type are required",
            "invalid_request_body",
        );
    };
    let slug = body["slug"]
        .as_str()
        .map_or_else(|| label.to_lowercase().replace(' ', "_"), str::to_string);
    let mut fields = fields.lock().unwrap_or_else(|e| e.into_inner());
    if fields
        .iter()
        .any(|f| f["object_type"] == object_type && f["slug"] == slug.as_str())
    {
        return error(
            409,
            "a custom field with this slug already exists",
            "duplicate_object",
        );
    }
    let mut field = json!({"id": format!("cf_new_{}", fields.len() + 1), "object_type": object_type, "slug": slug,
                           "label": label, "type": kind, "source": "pylon", "is_read_only": false,
                           "created_at": "2026-05-04T10:00:00Z"});
    if let Some(description) = body["description"].as_str() {
        field["description"] = description.into();
    }
    if let Some(options) = body["select_options"].as_array() {
        field["select_metadata"] = json!({"options": options});
    }
    let field = with_defaults(field);
    fields.push(field.clone());
    json_response(200, json!({"data": field, "request_id": "req_create"}))
}

fn create_select_option(fields: &Fields, req: &HttpMockRequest) -> HttpMockResponse {
    let id = req
        .uri()
        .path()
        .split('/')
        .nth(2)
        .unwrap_or_default()
        .to_string();
    let option: Value = serde_json::from_slice(req.body_ref()).unwrap_or_default();
    if option["label"].as_str().is_none() || option["slug"].as_str().is_none() {
        return error(400, "label and slug are required", "invalid_request_body");
    }
    let mut fields = fields.lock().unwrap_or_else(|e| e.into_inner());
    let Some(field) = fields.iter_mut().find(|f| f["id"] == id.as_str()) else {
        return error(404, "custom field not found", "not_found");
    };
    let Some(options) = field["select_metadata"]["options"].as_array_mut() else {
        return error(
            400,
            "the custom field is not a select field",
            "invalid_request_body",
        );
    };
    if options.iter().any(|o| o["slug"] == option["slug"]) {
        return error(
            409,
            "an option with this slug already exists",
            "duplicate_object",
        );
    }
    options.push(option);
    json_response(200, json!({"data": field, "request_id": "req_option"}))
}

fn error(status: u16, message: &str, code: &str) -> HttpMockResponse {
    json_response(
        status,
        json!({"errors": [message], "request_id": "req_error", "code": code}),
    )
}

fn json_response(status: u16, body: Value) -> HttpMockResponse {
    HttpMockResponse::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(body.to_string())
        .build()
}
