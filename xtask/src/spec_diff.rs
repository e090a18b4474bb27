//! `cargo xtask diff-spec`: what differs between the SDK's effective
//! description ("ours") and another OpenAPI document ("theirs").
//!
//! Operations match by method and path, with path-parameter names ignored
//! (`/issues/{id}` matches `/issues/{issue_id}`). For operations in both,
//! the query parameters, the JSON request body and the 2xx JSON response
//! are flattened into fields (see `spec_fields`) and compared by path:
//! fields only in one, required-ness, type and enum values.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::spec_fields::{self, Document, Field, Fields, Location, Step, member};

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// One operation of a document, with what is compared.
pub struct Operation<'a> {
    pub method: &'static str,
    pub path: String,
    /// Where the operation object lives.
    pub location: Location,
    pub node: &'a Value,
    pub operation_id: Option<String>,
    pub summary: Option<String>,
    /// Each query parameter's schema flattened under its name.
    pub query: Fields,
    /// Each query parameter by name: where it lives and the (resolved)
    /// parameter object.
    pub query_parameters: BTreeMap<String, (Location, Value)>,
    pub body: Option<Fields>,
    pub response: Option<Fields>,
}

impl Operation<'_> {
    /// The flattened fields of one part of the operation, if it has it.
    pub fn fields(&self, place: Place) -> Option<&Fields> {
        match place {
            Place::Query => Some(&self.query),
            Place::Body => self.body.as_ref(),
            Place::Response => self.response.as_ref(),
        }
    }
}

/// The operations of a document by method and normalised path.
pub type Operations<'a> = BTreeMap<(String, &'static str), Operation<'a>>;

/// `/issues/{id}/x` and `/issues/{issue_id}/x` both become `/issues/{}/x`.
pub fn normalised(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut in_parameter = false;
    for c in path.chars() {
        match c {
            '{' => {
                in_parameter = true;
                out.push_str("{}");
            }
            '}' if in_parameter => in_parameter = false,
            _ if in_parameter => {}
            _ => out.push(c),
        }
    }
    out
}

/// Every operation of `document`.
pub fn operations<'a>(document: &Document<'a>) -> Result<Operations<'a>, String> {
    let paths = match document.root.get("paths") {
        Some(Value::Object(paths)) => paths,
        Some(_) => return Err("`paths` is not an object".into()),
        None => return Err("the document has no `paths`".into()),
    };
    let mut out = Operations::new();
    for (path, item) in paths {
        let item_location = vec![Step::Name("paths".into()), Step::Name(path.clone())];
        let (item, item_location, _) = document.resolve(item, item_location)?;
        let Value::Object(item_map) = item else {
            return Err(format!("the path item `{path}` is not an object"));
        };
        let shared = parameters(document, item, &item_location)?;
        for method in METHODS {
            let Some(node) = item_map.get(method) else {
                continue;
            };
            let location = member(&item_location, method);
            if !node.is_object() {
                return Err(format!(
                    "`{} {path}` is not an operation object",
                    method.to_uppercase()
                ));
            }
            let mut by_name = shared.clone();
            by_name.extend(parameters(document, node, &location)?);
            let mut query = Fields::default();
            let mut query_parameters = BTreeMap::new();
            for ((place, name), (parameter_location, parameter)) in by_name {
                if place != "query" {
                    continue;
                }
                let required = parameter.get("required") == Some(&Value::Bool(true));
                if let Some(schema) = parameter.get("schema") {
                    let found = document.fields(
                        schema,
                        member(&parameter_location, "schema"),
                        &name,
                        required,
                    )?;
                    query.truncated |= found.truncated;
                    query.objects.extend(found.objects);
                    query.fields.extend(found.fields);
                } else {
                    query.fields.insert(
                        name.clone(),
                        Field {
                            kind: "any".into(),
                            required,
                            enum_values: None,
                            schema: parameter_location.clone(),
                            declared: Value::Null,
                        },
                    );
                }
                query_parameters.insert(name, (parameter_location, parameter.clone()));
            }
            let text = |key: &str| node.get(key).and_then(Value::as_str).map(String::from);
            let operation = Operation {
                method,
                path: path.clone(),
                node,
                operation_id: text("operationId"),
                summary: text("summary"),
                query,
                query_parameters,
                body: request_body(document, node, &location)?,
                response: response_body(document, node, &location)?,
                location,
            };
            let key = (normalised(path), method);
            if let Some(earlier) = out.get(&key) {
                return Err(format!(
                    "`{} {path}` and `{} {}` are the same operation with different \
                     path-parameter names",
                    method.to_uppercase(),
                    method.to_uppercase(),
                    earlier.path
                ));
            }
            out.insert(key, operation);
        }
    }
    Ok(out)
}

type Parameters<'a> = BTreeMap<(String, String), (Location, &'a Value)>;

/// The parameters declared on an operation or path item, by place and name.
fn parameters<'a>(
    document: &Document<'a>,
    node: &'a Value,
    location: &[Step],
) -> Result<Parameters<'a>, String> {
    let mut out = Parameters::new();
    let Some(Value::Array(list)) = node.get("parameters") else {
        return Ok(out);
    };
    let list_location = member(location, "parameters");
    for (index, parameter) in list.iter().enumerate() {
        let at = spec_fields::child(&list_location, Step::Index(index));
        let (parameter, at, _) = document.resolve(parameter, at)?;
        let text = |key| parameter.get(key).and_then(Value::as_str);
        let (Some(place), Some(name)) = (text("in"), text("name")) else {
            return Err(format!(
                "the parameter at {} has no `in` or `name`",
                spec_fields::pointer(&at)
            ));
        };
        out.insert((place.to_string(), name.to_string()), (at, parameter));
    }
    Ok(out)
}

/// The schema of the JSON content (or, lacking one, the first) of a
/// request body or response.
fn content_schema<'a>(
    document: &Document<'a>,
    node: &'a Value,
    location: Location,
) -> Result<Option<Fields>, String> {
    let (node, location, _) = document.resolve(node, location)?;
    let Some(Value::Object(content)) = node.get("content") else {
        return Ok(None);
    };
    let media_type = content
        .keys()
        .find(|m| m.as_str() == "application/json")
        .or_else(|| content.keys().find(|m| m.contains("json")))
        .or_else(|| content.keys().next());
    let Some(media_type) = media_type else {
        return Ok(None);
    };
    let Some(schema) = content[media_type].get("schema") else {
        return Ok(None);
    };
    let at = member(&member(&member(&location, "content"), media_type), "schema");
    document.fields(schema, at, "", true).map(Some)
}

fn request_body<'a>(
    document: &Document<'a>,
    operation: &'a Value,
    location: &[Step],
) -> Result<Option<Fields>, String> {
    match operation.get("requestBody") {
        Some(body) => content_schema(document, body, member(location, "requestBody")),
        None => Ok(None),
    }
}

/// The fields of the `200` response or, lacking one, the first 2xx.
fn response_body<'a>(
    document: &Document<'a>,
    operation: &'a Value,
    location: &[Step],
) -> Result<Option<Fields>, String> {
    let Some(Value::Object(responses)) = operation.get("responses") else {
        return Ok(None);
    };
    let status = responses
        .keys()
        .filter(|s| s.starts_with('2'))
        .min_by_key(|s| (s.as_str() != "200", s.to_string()));
    let Some(status) = status else {
        return Ok(None);
    };
    let at = member(&member(location, "responses"), status);
    content_schema(document, &responses[status], at)
}

/// Which part of an operation a difference is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Place {
    Query,
    Body,
    Response,
}

impl Place {
    pub const ALL: [Place; 3] = [Place::Query, Place::Body, Place::Response];

    pub fn name(self) -> &'static str {
        match self {
            Place::Query => "query",
            Place::Body => "request body",
            Place::Response => "response",
        }
    }

    fn key(self) -> &'static str {
        match self {
            Place::Query => "query",
            Place::Body => "request_body",
            Place::Response => "response",
        }
    }
}

/// How a field differs.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    OnlyOurs,
    OnlyTheirs,
    Required {
        ours: bool,
        theirs: bool,
    },
    Kind {
        ours: String,
        theirs: String,
    },
    /// Enum values: `None` for an open (non-enum) schema.
    Enum {
        ours: Option<Vec<String>>,
        theirs: Option<Vec<String>>,
    },
}

impl Change {
    const KINDS: [&'static str; 5] = ["only_ours", "only_theirs", "required", "type", "enum"];

    fn key(&self) -> &'static str {
        match self {
            Change::OnlyOurs => "only_ours",
            Change::OnlyTheirs => "only_theirs",
            Change::Required { .. } => "required",
            Change::Kind { .. } => "type",
            Change::Enum { .. } => "enum",
        }
    }
}

/// One difference in one field of one operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Difference {
    pub place: Place,
    /// The field's dotted path; `""` for the whole body.
    pub field: String,
    pub change: Change,
}

/// An operation in both documents and how it differs.
pub struct Matched<'a, 'b> {
    pub ours: &'b Operation<'a>,
    pub theirs: &'b Operation<'a>,
    pub differences: Vec<Difference>,
}

/// Everything `diff-spec` found.
pub struct Report<'a, 'b> {
    pub only_ours: Vec<&'b Operation<'a>>,
    pub only_theirs: Vec<&'b Operation<'a>>,
    pub matched: Vec<Matched<'a, 'b>>,
}

/// Compares two documents' operations.
pub fn compare<'a, 'b>(ours: &'b Operations<'a>, theirs: &'b Operations<'a>) -> Report<'a, 'b> {
    let mut report = Report {
        only_ours: Vec::new(),
        only_theirs: Vec::new(),
        matched: Vec::new(),
    };
    for (key, operation) in ours {
        match theirs.get(key) {
            Some(other) => report.matched.push(Matched {
                ours: operation,
                theirs: other,
                differences: differences(operation, other),
            }),
            None => report.only_ours.push(operation),
        }
    }
    report.only_theirs = theirs
        .iter()
        .filter(|(key, _)| !ours.contains_key(*key))
        .map(|(_, operation)| operation)
        .collect();
    report
}

fn differences(ours: &Operation, theirs: &Operation) -> Vec<Difference> {
    let mut out = Vec::new();
    let empty = Fields::default();
    for place in Place::ALL {
        let (our_fields, their_fields) = (ours.fields(place), theirs.fields(place));
        let change = match (our_fields, their_fields) {
            (None, None) => continue,
            (Some(_), None) => Some(Change::OnlyOurs),
            (None, Some(_)) => Some(Change::OnlyTheirs),
            (Some(_), Some(_)) => None,
        };
        if let Some(change) = change {
            out.push(Difference {
                place,
                field: String::new(),
                change,
            });
            continue;
        }
        let our_fields = our_fields.unwrap_or(&empty);
        let their_fields = their_fields.unwrap_or(&empty);
        for (field, change) in field_differences(our_fields, their_fields) {
            out.push(Difference {
                place,
                field,
                change,
            });
        }
    }
    out
}

/// The differences between two flattened schemas; a field only in one is
/// reported once, not again for each field below it.
pub fn field_differences(ours: &Fields, theirs: &Fields) -> Vec<(String, Change)> {
    let paths: BTreeSet<&String> = ours.fields.keys().chain(theirs.fields.keys()).collect();
    let mut out = Vec::new();
    for path in paths {
        match (ours.fields.get(path), theirs.fields.get(path)) {
            (Some(_), None) => {
                let below_missing = spec_fields::ancestors(path)
                    .iter()
                    .any(|a| ours.fields.contains_key(*a) && !theirs.fields.contains_key(*a));
                if !below_missing {
                    out.push((path.clone(), Change::OnlyOurs));
                }
            }
            (None, Some(_)) => {
                let below_missing = spec_fields::ancestors(path)
                    .iter()
                    .any(|a| theirs.fields.contains_key(*a) && !ours.fields.contains_key(*a));
                if !below_missing {
                    out.push((path.clone(), Change::OnlyTheirs));
                }
            }
            (Some(our), Some(their)) => {
                if our.required != their.required {
                    out.push((
                        path.clone(),
                        Change::Required {
                            ours: our.required,
                            theirs: their.required,
                        },
                    ));
                }
                if our.kind != their.kind {
                    out.push((
                        path.clone(),
                        Change::Kind {
                            ours: our.kind.clone(),
                            theirs: their.kind.clone(),
                        },
                    ));
                }
                let values = |field: &Field| {
                    field.enum_values.as_ref().map(|values| {
                        let set: BTreeSet<String> =
                            values.iter().map(spec_fields::enum_text).collect();
                        set.into_iter().collect::<Vec<_>>()
                    })
                };
                let (our_values, their_values) = (values(our), values(their));
                if our_values != their_values {
                    out.push((
                        path.clone(),
                        Change::Enum {
                            ours: our_values,
                            theirs: their_values,
                        },
                    ));
                }
            }
            (None, None) => {}
        }
    }
    out
}

/// Counts per place and kind of change, plus operation counts.
pub struct Summary {
    pub in_both: usize,
    pub only_ours: usize,
    pub only_theirs: usize,
    pub other_ids: usize,
    /// `counts[place][kind]`, kinds in `Change::KINDS` order.
    pub counts: BTreeMap<Place, [usize; 5]>,
}

impl Report<'_, '_> {
    pub fn summary(&self) -> Summary {
        let mut counts: BTreeMap<Place, [usize; 5]> =
            Place::ALL.iter().map(|place| (*place, [0; 5])).collect();
        for matched in &self.matched {
            for difference in &matched.differences {
                let kind = Change::KINDS
                    .iter()
                    .position(|k| *k == difference.change.key())
                    .expect("every change has a kind");
                counts.entry(difference.place).or_default()[kind] += 1;
            }
        }
        Summary {
            in_both: self.matched.len(),
            only_ours: self.only_ours.len(),
            only_theirs: self.only_theirs.len(),
            other_ids: self.matched.iter().filter(|m| ids_differ(m)).count(),
            counts,
        }
    }

    /// The readable report: operations only in one, then each operation in
    /// both that differs, then the summary.
    pub fn text(&self, theirs_name: &str) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "ours: the effective spec (pylon-openapi.yml with overlay/ applied)\ntheirs: {theirs_name}\n"
        );
        for (title, list) in [
            ("Operations only in ours", &self.only_ours),
            ("Operations only in theirs", &self.only_theirs),
        ] {
            let _ = writeln!(out, "{title} ({}):", list.len());
            for operation in list {
                let _ = writeln!(
                    out,
                    "  {:<7}{}  {}{}",
                    operation.method.to_uppercase(),
                    operation.path,
                    operation
                        .operation_id
                        .as_deref()
                        .unwrap_or("(no operationId)"),
                    operation
                        .summary
                        .as_deref()
                        .map(|s| format!(": {s}"))
                        .unwrap_or_default()
                );
            }
            out.push('\n');
        }
        for matched in &self.matched {
            if matched.differences.is_empty() && !ids_differ(matched) {
                continue;
            }
            let (ours, theirs) = (matched.ours, matched.theirs);
            let _ = write!(out, "{} {}", ours.method.to_uppercase(), ours.path);
            if theirs.path != ours.path {
                let _ = write!(out, " (theirs: {})", theirs.path);
            }
            out.push('\n');
            if ids_differ(matched) {
                let _ = writeln!(
                    out,
                    "  operationId: ours {}, theirs {}",
                    ours.operation_id.as_deref().unwrap_or("(none)"),
                    theirs.operation_id.as_deref().unwrap_or("(none)")
                );
            }
            for difference in &matched.differences {
                let _ = writeln!(out, "  {}", describe(difference, ours, theirs));
            }
        }
        out.push('\n');
        out.push_str(&self.summary().text());
        out
    }

    /// The same findings as structured JSON.
    pub fn json(&self, theirs_name: &str) -> Value {
        let listed = |operation: &Operation| {
            json!({
                "method": operation.method.to_uppercase(),
                "path": operation.path,
                "operation_id": operation.operation_id,
                "summary": operation.summary,
            })
        };
        let matched: Vec<Value> = self
            .matched
            .iter()
            .filter(|m| !m.differences.is_empty() || ids_differ(m))
            .map(|m| {
                let differences: Vec<Value> = m
                    .differences
                    .iter()
                    .map(|d| {
                        let mut value = json!({
                            "in": d.place.key(),
                            "field": d.field,
                            "change": d.change.key(),
                        });
                        match &d.change {
                            Change::Required { ours, theirs } => {
                                value["ours"] = json!(ours);
                                value["theirs"] = json!(theirs);
                            }
                            Change::Kind { ours, theirs } => {
                                value["ours"] = json!(ours);
                                value["theirs"] = json!(theirs);
                            }
                            Change::Enum { ours, theirs } => {
                                value["ours"] = json!(ours);
                                value["theirs"] = json!(theirs);
                            }
                            Change::OnlyOurs | Change::OnlyTheirs => {
                                let side = if d.change == Change::OnlyOurs {
                                    m.ours
                                } else {
                                    m.theirs
                                };
                                if let Some(field) = side
                                    .fields(d.place)
                                    .and_then(|fields| fields.fields.get(&d.field))
                                {
                                    value["type"] = json!(field.kind);
                                    value["required"] = json!(field.required);
                                }
                            }
                        }
                        value
                    })
                    .collect();
                json!({
                    "method": m.ours.method.to_uppercase(),
                    "path": m.ours.path,
                    "their_path": m.theirs.path,
                    "operation_id": m.ours.operation_id,
                    "their_operation_id": m.theirs.operation_id,
                    "differences": differences,
                })
            })
            .collect();
        let summary = self.summary();
        let mut counts = serde_json::Map::new();
        for (place, row) in &summary.counts {
            let row: serde_json::Map<String, Value> = Change::KINDS
                .iter()
                .zip(row)
                .map(|(kind, count)| (kind.to_string(), json!(count)))
                .collect();
            counts.insert(place.key().to_string(), Value::Object(row));
        }
        json!({
            "ours": "the effective spec (pylon-openapi.yml with overlay/ applied)",
            "theirs": theirs_name,
            "summary": {
                "operations": {
                    "in_both": summary.in_both,
                    "only_ours": summary.only_ours,
                    "only_theirs": summary.only_theirs,
                    "other_operation_ids": summary.other_ids,
                },
                "fields": counts,
            },
            "operations_only_in_ours": self.only_ours.iter().map(|o| listed(o)).collect::<Vec<_>>(),
            "operations_only_in_theirs": self.only_theirs.iter().map(|o| listed(o)).collect::<Vec<_>>(),
            "operations": matched,
        })
    }
}

impl Summary {
    /// The summary block: one line for operations, one per place.
    pub fn text(&self) -> String {
        let mut out = format!(
            "Summary: operations: {} in both, {} only in ours, {} only in theirs, {} with other operationIds\n",
            self.in_both, self.only_ours, self.only_theirs, self.other_ids
        );
        for (place, [only_ours, only_theirs, required, kind, enums]) in &self.counts {
            let _ = writeln!(
                out,
                "Summary: {} fields: {only_ours} only in ours, {only_theirs} only in theirs, \
                 {required} required-ness, {kind} type, {enums} enum differences",
                place.name()
            );
        }
        out
    }
}

/// Whether the operation ids differ beyond letter case (`getTag` and
/// `GetTag` name the same method).
fn ids_differ(matched: &Matched) -> bool {
    let id = |o: &Operation| o.operation_id.as_deref().map(str::to_lowercase);
    id(matched.ours) != id(matched.theirs)
}

fn describe(difference: &Difference, ours: &Operation, theirs: &Operation) -> String {
    let fields = |operation: &Operation| {
        operation
            .fields(difference.place)
            .and_then(|fields| fields.fields.get(&difference.field))
            .map(|field| {
                format!(
                    " ({}, {})",
                    field.kind,
                    if field.required {
                        "required"
                    } else {
                        "optional"
                    }
                )
            })
            .unwrap_or_default()
    };
    let what = if difference.field.is_empty() {
        difference.place.name().to_string()
    } else if difference.place == Place::Query {
        format!("query `{}`", difference.field)
    } else {
        format!("{} `{}`", difference.place.name(), difference.field)
    };
    let list = |values: &Option<Vec<String>>| match values {
        Some(values) => format!("[{}]", values.join(", ")),
        None => "open".to_string(),
    };
    match &difference.change {
        Change::OnlyOurs => format!("{what}: only in ours{}", fields(ours)),
        Change::OnlyTheirs => format!("{what}: only in theirs{}", fields(theirs)),
        Change::Required { ours, .. } => format!(
            "{what}: {}",
            if *ours {
                "required in ours, optional in theirs"
            } else {
                "optional in ours, required in theirs"
            }
        ),
        Change::Kind { ours, theirs } => format!("{what}: type {ours} in ours, {theirs} in theirs"),
        Change::Enum {
            ours: Some(ours),
            theirs: Some(theirs),
        } => {
            let missing = |a: &[String], b: &[String]| {
                a.iter()
                    .filter(|v| !b.contains(v))
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let mut parts = Vec::new();
            let only_theirs = missing(theirs, ours);
            if !only_theirs.is_empty() {
                parts.push(format!("values only in theirs: {only_theirs}"));
            }
            let only_ours = missing(ours, theirs);
            if !only_ours.is_empty() {
                parts.push(format!("values only in ours: {only_ours}"));
            }
            format!("{what}: enum {}", parts.join("; "))
        }
        Change::Enum { ours, theirs } => {
            format!(
                "{what}: enum {} in ours, {} in theirs",
                list(ours),
                list(theirs)
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report_text(ours: &Value, theirs: &Value) -> String {
        let (ours, theirs) = (Document::new(ours), Document::new(theirs));
        let (ours, theirs) = (operations(&ours).unwrap(), operations(&theirs).unwrap());
        compare(&ours, &theirs).text("theirs.json")
    }

    fn op(parameters: Value, body: Value, response: Value) -> Value {
        let mut operation = json!({"operationId": "getThing", "parameters": parameters,
            "responses": {"200": {"content": {"application/json": {"schema": response}}}}});
        if !body.is_null() {
            operation["requestBody"] = json!({"content": {"application/json": {"schema": body}}});
        }
        operation
    }

    #[test]
    fn operations_match_by_method_and_path_whatever_the_parameter_names() {
        assert_eq!(normalised("/issues/{issue_id}/x/{y}"), "/issues/{}/x/{}");
        let ours = json!({"paths": {
            "/issues/{issue_id}": {"get": op(json!([]), Value::Null, json!({}))},
            "/tags": {"get": op(json!([]), Value::Null, json!({}))}}});
        let theirs = json!({"paths": {
            "/issues/{id}": {"get": op(json!([]), Value::Null, json!({}))},
            "/teams": {"post": {"operationId": "CreateTeam", "summary": "Create a team",
                                "responses": {}}}}});
        let text = report_text(&ours, &theirs);
        assert!(
            text.contains("Operations only in ours (1):\n  GET    /tags  getThing\n"),
            "{text}"
        );
        assert!(
            text.contains(
                "Operations only in theirs (1):\n  POST   /teams  CreateTeam: Create a team\n"
            ),
            "{text}"
        );
        assert!(text.contains(
            "Summary: operations: 1 in both, 1 only in ours, 1 only in theirs, 0 with other operationIds"
        ));
        assert!(!text.contains("GET /issues"), "{text}");
    }

    #[test]
    fn query_parameters_differ_in_presence_required_ness_type_and_enum() {
        let ours = json!({"paths": {"/x": {"get": op(json!([
            {"name": "limit", "in": "query", "schema": {"type": "integer"}},
            {"name": "sort", "in": "query", "schema": {"type": "string", "enum": ["asc"]}},
            {"name": "gone", "in": "query", "schema": {"type": "string"}},
            {"name": "since", "in": "query", "schema": {"type": "string"}}
        ]), Value::Null, json!({}))}}});
        let theirs = json!({
            "components": {"parameters": {"Limit": {"name": "limit", "in": "query",
                "required": true, "schema": {"type": "integer"}}}},
            "paths": {"/x": {
                "parameters": [{"$ref": "#/components/parameters/Limit"}],
                "get": op(json!([
                    {"name": "sort", "in": "query", "schema": {"type": "string", "enum": ["asc", "desc"]}},
                    {"name": "cursor", "in": "query", "schema": {"type": "string"}},
                    {"name": "since", "in": "query", "schema": {"type": "integer"}},
                    {"name": "x", "in": "header", "schema": {"type": "string"}}
                ]), Value::Null, json!({}))}}});
        let text = report_text(&ours, &theirs);
        for expected in [
            "GET /x\n",
            "  query `cursor`: only in theirs (string, optional)\n",
            "  query `gone`: only in ours (string, optional)\n",
            "  query `limit`: optional in ours, required in theirs\n",
            "  query `since`: type string in ours, integer in theirs\n",
            "  query `sort`: enum values only in theirs: desc\n",
            "Summary: query fields: 1 only in ours, 1 only in theirs, 1 required-ness, 1 type, 1 enum differences",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in\n{text}");
        }
    }

    #[test]
    fn body_and_response_fields_are_compared_through_refs_and_arrays() {
        let ours = json!({
            "components": {"schemas": {"Account": {"type": "object", "required": ["id"],
                "properties": {"id": {"type": "string"}, "kind": {"type": "string"}}}}},
            "paths": {"/x": {"post": op(json!([]),
                json!({"type": "object", "properties": {"name": {"type": "string"}}}),
                json!({"type": "object", "properties": {"data": {"type": "array",
                    "items": {"type": "object", "properties": {
                        "account": {"$ref": "#/components/schemas/Account"}}}}}}))}}});
        let theirs = json!({
            "components": {"schemas": {"Account": {"type": "object", "required": ["id", "kind"],
                "properties": {"id": {"type": "integer"}, "kind": {"type": "string", "enum": ["a", "b"]},
                    "owner": {"type": "object", "properties": {"id": {"type": "string"}}}}}}},
            "paths": {"/x": {"post": op(json!([]),
                json!({"type": "object", "required": ["name"], "properties": {
                    "name": {"type": "string"}, "tags": {"type": "array", "items": {"type": "string"}}}}),
                json!({"type": "object", "properties": {"data": {"type": "array",
                    "items": {"type": "object", "properties": {
                        "account": {"$ref": "#/components/schemas/Account"}}}}}}))}}});
        let text = report_text(&ours, &theirs);
        for expected in [
            "  request body `name`: optional in ours, required in theirs\n",
            "  request body `tags`: only in theirs (array, optional)\n",
            "  response `data[].account.id`: type string in ours, integer in theirs\n",
            "  response `data[].account.kind`: optional in ours, required in theirs\n",
            "  response `data[].account.kind`: enum open in ours, [a, b] in theirs\n",
            "  response `data[].account.owner`: only in theirs (object, optional)\n",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in\n{text}");
        }
        // The fields below a field only in theirs are not listed again.
        assert!(!text.contains("tags[]"), "{text}");
        assert!(!text.contains("owner.id"), "{text}");
    }

    #[test]
    fn a_body_on_one_side_only_and_differing_ids_are_reported() {
        let ours =
            json!({"paths": {"/x": {"post": op(json!([]), json!({"type": "object"}), json!({}))}}});
        let mut their_op = op(json!([]), Value::Null, json!({}));
        their_op["operationId"] = json!("MakeThing");
        let theirs = json!({"paths": {"/x": {"post": their_op}}});
        let text = report_text(&ours, &theirs);
        assert!(
            text.contains("  operationId: ours getThing, theirs MakeThing\n"),
            "{text}"
        );
        assert!(text.contains("  request body: only in ours\n"), "{text}");
    }

    #[test]
    fn the_json_report_carries_the_same_findings() {
        let ours = json!({"paths": {"/x": {"get": op(json!([]), Value::Null, json!({}))}}});
        let theirs = json!({"paths": {"/x": {"get": op(json!([
            {"name": "limit", "in": "query", "required": true, "schema": {"type": "integer"}}
        ]), Value::Null, json!({}))}}});
        let (ours, theirs) = (Document::new(&ours), Document::new(&theirs));
        let (ours, theirs) = (operations(&ours).unwrap(), operations(&theirs).unwrap());
        let report = compare(&ours, &theirs).json("t.json");
        assert_eq!(report["summary"]["operations"]["in_both"], 1);
        assert_eq!(report["summary"]["fields"]["query"]["only_theirs"], 1);
        assert_eq!(
            report["operations"][0]["differences"][0],
            json!({"in": "query", "field": "limit", "change": "only_theirs",
                   "type": "integer", "required": true})
        );
    }

    #[test]
    fn malformed_documents_are_errors_not_panics() {
        for (doc, reason) in [
            (json!([]), "no `paths`"),
            (json!({"paths": 3}), "not an object"),
            (
                json!({"paths": {"/x": 1}}),
                "path item `/x` is not an object",
            ),
            (
                json!({"paths": {"/x": {"get": []}}}),
                "`GET /x` is not an operation",
            ),
            (
                json!({"paths": {"/x": {"get": {"parameters": [{"name": "a"}]}}}}),
                "no `in`",
            ),
            (
                json!({"paths": {"/x": {"get": {"responses": {"200": {"$ref": "#/nope"}}}}}}),
                "points at nothing",
            ),
            (
                json!({"paths": {"/{a}": {"get": {}}, "/{b}": {"get": {}}}}),
                "same operation",
            ),
        ] {
            let document = Document::new(&doc);
            let error = operations(&document).err().unwrap_or_default();
            assert!(error.contains(reason), "{doc}: {error}");
        }
    }
}
