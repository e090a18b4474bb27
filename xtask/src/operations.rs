//! The operation catalogue behind `pylon_sdk::operations`: for every
//! operation of the corrected spec, its id, HTTP method, path template,
//! path and query parameters, request body, pagination and the fields it
//! answers with, so that the SDK
//! can send any operation by name (`Client::call`) through the same
//! transport as the generated methods. Also each JSON body's shape (its
//! top-level fields, their JSON types and which are required), so a body
//! that misses a required field or has a value of the wrong type is refused
//! before sending. A shape is data, not a decode into the request type:
//! decoding would instantiate a second deserializer for every request type
//! (5.6 s of pylon-sdk's release build).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

/// How a parameter's value must be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    String,
    Integer,
    Number,
    Boolean,
    DateTime,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryParam {
    pub name: String,
    pub required: bool,
    pub kind: Kind,
    /// A list, sent as repeated keys.
    pub repeated: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    None,
    /// A JSON body; the generated type it must decode into: the named
    /// schema's, or the one progenitor names after the operation for an
    /// object described inline.
    Json {
        required: bool,
        type_name: Option<String>,
        /// The top-level fields of an object body, sorted by name.
        fields: Vec<BodyField>,
    },
    Multipart,
}

/// The JSON type a body field must have; `Any` when the schema does not
/// pin one (a union, or no `type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonKind {
    String,
    Integer,
    Number,
    Boolean,
    Array,
    Object,
    Any,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyField {
    pub name: String,
    pub kind: JsonKind,
    pub required: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pagination {
    None,
    /// `cursor` (and `limit`) in the query.
    Query,
    /// `cursor` (and `limit`) in the JSON body.
    Body,
}

/// Whether an operation may be sent again after an attempt whose outcome
/// is unknown (`x-pylon-retry`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// Repeating it changes nothing more: reads, updates, deletes, searches.
    Idempotent,
    /// A create: sent again only when it surely never reached Pylon.
    AtMostOnce,
}

/// The facts the spec cannot say, stated on each operation by `x-pylon-…`
/// extensions in the overlays (see README, "Operation facts").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    /// `x-pylon-rate-limit`: requests per minute.
    pub rate_limit: u32,
    /// `x-pylon-retry`.
    pub retry: Retry,
    /// `x-pylon-pagination.items`: the field holding a page's items.
    pub items: Option<String>,
    /// `x-pylon-page-size`: the page sizes (`limit`) Pylon accepts.
    pub page_size: Option<(i64, i64)>,
    /// `x-pylon-non-empty`: text fields of the body, or query parameters,
    /// Pylon refuses blank.
    pub non_empty: Vec<String>,
    /// `x-pylon-time-window`: the query parameters that open and close a
    /// time window, and its longest span in days.
    pub time_window: Option<(String, String, i64)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationRow {
    pub id: String,
    pub method: String,
    pub path: String,
    pub summary: String,
    pub path_params: Vec<String>,
    pub query_params: Vec<QueryParam>,
    pub body: Body,
    pub pagination: Pagination,
    pub facts: Facts,
    /// The top-level fields of the response's `data` object, or of each of
    /// its items when it is a list, sorted.
    pub response_fields: Vec<String>,
    /// The schema those fields are read from, when it is a named one.
    pub response_type: Option<String>,
    /// The named schema of the whole answer, e.g. a page of items.
    pub page_type: Option<String>,
}

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// Every operation of `spec` (the corrected spec as JSON), sorted by id.
pub fn rows(spec: &Value) -> Result<Vec<OperationRow>, String> {
    let mut rows = Vec::new();
    for (path, item) in spec["paths"].as_object().into_iter().flatten() {
        let shared = item["parameters"].as_array().cloned().unwrap_or_default();
        for method in METHODS {
            let operation = &item[method];
            if !operation.is_object() {
                continue;
            }
            rows.push(row(spec, path, method, operation, &shared)?);
        }
        if let Some(other) = item
            .as_object()
            .into_iter()
            .flat_map(|m| m.keys())
            .find(|key| !METHODS.contains(&key.as_str()) && *key != "parameters")
        {
            return Err(format!("{path}: method `{other}` is not supported"));
        }
    }
    rows.sort_by(|a, b| a.id.cmp(&b.id));
    for pair in rows.windows(2) {
        if pair[0].id == pair[1].id {
            return Err(format!("operation id `{}` is used twice", pair[0].id));
        }
    }
    Ok(rows)
}

fn row(
    spec: &Value,
    path: &str,
    method: &str,
    operation: &Value,
    shared: &[Value],
) -> Result<OperationRow, String> {
    let id = crate::snake_case(
        operation["operationId"]
            .as_str()
            .ok_or_else(|| format!("{method} {path}: no operationId"))?,
    );
    let path_params: Vec<String> = path
        .split('/')
        .filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
        .map(str::to_string)
        .collect();
    let mut declared_path = Vec::new();
    let mut query_params = Vec::new();
    let parameters = shared
        .iter()
        .chain(operation["parameters"].as_array().into_iter().flatten());
    for parameter in parameters {
        let name = parameter["name"]
            .as_str()
            .ok_or_else(|| format!("{id}: a parameter without a name"))?;
        match parameter["in"].as_str() {
            Some("path") => declared_path.push(name.to_string()),
            Some("query") => {
                let schema = resolve(spec, &parameter["schema"]);
                let (kind, repeated) = if schema["type"] == "array" {
                    (kind_of(resolve(spec, &schema["items"])), true)
                } else {
                    (kind_of(schema), false)
                };
                query_params.push(QueryParam {
                    name: name.to_string(),
                    required: parameter["required"] == true,
                    kind,
                    repeated,
                });
            }
            other => return Err(format!("{id}: parameter `{name}` in {other:?}")),
        }
    }
    let mut sorted_template = path_params.clone();
    sorted_template.sort();
    declared_path.sort();
    if sorted_template != declared_path {
        return Err(format!(
            "{id}: the path {path} names {sorted_template:?} but declares {declared_path:?}"
        ));
    }
    query_params.sort_by(|a, b| a.name.cmp(&b.name));

    let content = &operation["requestBody"]["content"];
    let body = if content["multipart/form-data"].is_object() {
        Body::Multipart
    } else if content["application/json"].is_object() {
        let schema = &content["application/json"]["schema"];
        let operation_id = operation["operationId"].as_str().unwrap_or_default();
        Body::Json {
            required: operation["requestBody"]["required"] == true,
            type_name: body_type_name(operation_id, schema),
            fields: body_fields(spec, resolve(spec, schema)),
        }
    } else if operation["requestBody"].is_null() {
        Body::None
    } else {
        return Err(format!(
            "{id}: a request body that is neither JSON nor multipart"
        ));
    };

    let answer = &operation["responses"]["200"]["content"]["application/json"]["schema"];
    let page_type = answer["$ref"]
        .as_str()
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
        .map(str::to_string);
    let response = resolve(spec, answer);
    let lists = resolve(spec, &response["properties"]["data"])["type"] == "array"
        && response["properties"]["pagination"].is_object();
    let data_schema = &response["properties"]["data"];
    let item_schema = if resolve(spec, data_schema)["type"] == "array" {
        &resolve(spec, data_schema)["items"]
    } else {
        data_schema
    };
    let item = resolve(spec, item_schema);
    let response_type = item_schema["$ref"]
        .as_str()
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
        .map(str::to_string);
    let mut response_fields = property_names(spec, item);
    response_fields.sort();
    response_fields.dedup();
    let body_schema = resolve(spec, &content["application/json"]["schema"]);
    let has_query = |name: &str| query_params.iter().any(|q| q.name == name);
    let has_body_field = |name: &str| body_schema["properties"][name].is_object();
    let (pagination, facts) = facts(&id, operation, &has_query, &has_body_field)?;
    let looks_paged = lists && (has_query("cursor") || has_body_field("cursor"));
    if looks_paged && pagination == Pagination::None {
        return Err(format!(
            "{id}: its answer is a page with a cursor, but it has no `x-pylon-pagination`"
        ));
    }
    if pagination != Pagination::None && !lists {
        return Err(format!(
            "{id}: `x-pylon-pagination` on an answer without `data` and `pagination`"
        ));
    }
    Ok(OperationRow {
        id,
        method: method.to_string(),
        path: path.to_string(),
        summary: operation["summary"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        path_params,
        query_params,
        body,
        pagination,
        facts,
        response_fields,
        response_type,
        page_type,
    })
}

/// The `x-pylon-…` facts of `operation`, checked against its parameters
/// and body: a fact that names a parameter or field the operation does not
/// have is refused, as is a `limit` without page-size bounds.
fn facts(
    id: &str,
    operation: &Value,
    has_query: &dyn Fn(&str) -> bool,
    has_body_field: &dyn Fn(&str) -> bool,
) -> Result<(Pagination, Facts), String> {
    let refuse = |reason: String| format!("{id}: {reason} (see README, \"Operation facts\")");
    let rate_limit = operation["x-pylon-rate-limit"]
        .as_u64()
        .and_then(|n| u32::try_from(n).ok())
        .filter(|n| *n > 0)
        .ok_or_else(|| refuse("no `x-pylon-rate-limit` (requests per minute)".into()))?;
    let retry = match operation["x-pylon-retry"].as_str() {
        Some("idempotent") => Retry::Idempotent,
        Some("at-most-once") => Retry::AtMostOnce,
        other => {
            return Err(refuse(format!(
                "`x-pylon-retry` is {other:?}, not `idempotent` or `at-most-once`"
            )));
        }
    };
    let paged = &operation["x-pylon-pagination"];
    let (pagination, items) = if paged.is_null() {
        (Pagination::None, None)
    } else {
        let pagination = match paged["cursor"].as_str() {
            Some("query") if has_query("cursor") => Pagination::Query,
            Some("body") if has_body_field("cursor") => Pagination::Body,
            other => {
                return Err(refuse(format!(
                    "`x-pylon-pagination.cursor` is {other:?}, but the operation has no \
                     `cursor` there"
                )));
            }
        };
        let items = paged["items"]
            .as_str()
            .ok_or_else(|| refuse("`x-pylon-pagination` names no `items` field".into()))?;
        (pagination, Some(items.to_string()))
    };
    let sized = &operation["x-pylon-page-size"];
    let takes_limit = has_query("limit") || has_body_field("limit");
    let page_size = match (sized["min"].as_i64(), sized["max"].as_i64()) {
        (Some(min), Some(max)) if takes_limit && 1 <= min && min <= max => Some((min, max)),
        _ if sized.is_null() && !takes_limit => None,
        _ if sized.is_null() => {
            return Err(refuse(
                "it takes `limit` but has no `x-pylon-page-size`".into(),
            ));
        }
        _ => {
            return Err(refuse(
                "`x-pylon-page-size` needs `min` and `max` (1 <= min <= max) and a `limit`".into(),
            ));
        }
    };
    let mut non_empty = Vec::new();
    for field in operation["x-pylon-non-empty"]
        .as_array()
        .into_iter()
        .flatten()
    {
        match field.as_str() {
            Some(name) if has_body_field(name) || has_query(name) => {
                non_empty.push(name.to_string());
            }
            _ => {
                return Err(refuse(format!(
                    "`x-pylon-non-empty` names {field}, neither a body field nor a query parameter"
                )));
            }
        }
    }
    let window = &operation["x-pylon-time-window"];
    let time_window = if window.is_null() {
        None
    } else {
        match (
            window["start"].as_str(),
            window["end"].as_str(),
            window["max-days"].as_i64(),
        ) {
            (Some(start), Some(end), Some(days))
                if has_query(start) && has_query(end) && days > 0 =>
            {
                Some((start.to_string(), end.to_string(), days))
            }
            _ => {
                return Err(refuse(
                    "`x-pylon-time-window` needs `start` and `end` query parameters and `max-days`"
                        .into(),
                ));
            }
        }
    };
    Ok((
        pagination,
        Facts {
            rate_limit,
            retry,
            items,
            page_size,
            non_empty,
            time_window,
        },
    ))
}

/// The property names of an object schema, those of each `allOf` member
/// included.
fn property_names(spec: &Value, schema: &Value) -> Vec<String> {
    let own = schema["properties"]
        .as_object()
        .into_iter()
        .flat_map(|properties| properties.keys().cloned());
    let inherited = schema["allOf"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|member| property_names(spec, resolve(spec, member)));
    own.chain(inherited).collect()
}

/// The generated type a JSON body decodes into: its named schema's, or,
/// for an object described inline, `<OperationId>Body`, the name progenitor
/// gives it. Other inline schemas get no type of their own.
fn body_type_name(operation_id: &str, schema: &Value) -> Option<String> {
    if let Some(reference) = schema["$ref"].as_str() {
        return reference
            .strip_prefix("#/components/schemas/")
            .map(type_name);
    }
    let object = schema["type"] == "object" || schema["properties"].is_object();
    object.then(|| format!("{}Body", type_name(operation_id)))
}

/// A schema with a top-level `$ref` replaced by what it names.
fn resolve<'a>(spec: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"]
        .as_str()
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
    {
        Some(name) => &spec["components"]["schemas"][name],
        None => schema,
    }
}

/// The top-level fields of an object schema, sorted by name.
fn body_fields(spec: &Value, schema: &Value) -> Vec<BodyField> {
    let required: Vec<&str> = schema["required"]
        .as_array()
        .map(|names| names.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut fields: Vec<BodyField> = schema["properties"]
        .as_object()
        .map(|properties| {
            properties
                .iter()
                .map(|(name, property)| BodyField {
                    name: name.clone(),
                    kind: json_kind(resolve(spec, property)),
                    required: required.contains(&name.as_str()),
                })
                .collect()
        })
        .unwrap_or_default();
    fields.sort_by(|a, b| a.name.cmp(&b.name));
    fields
}

fn json_kind(schema: &Value) -> JsonKind {
    match schema["type"].as_str() {
        Some("string") => JsonKind::String,
        Some("integer") => JsonKind::Integer,
        Some("number") => JsonKind::Number,
        Some("boolean") => JsonKind::Boolean,
        Some("array") => JsonKind::Array,
        Some("object") => JsonKind::Object,
        None if schema["enum"]
            .as_array()
            .is_some_and(|values| values.iter().all(Value::is_string)) =>
        {
            JsonKind::String
        }
        None if schema["properties"].is_object() => JsonKind::Object,
        _ => JsonKind::Any,
    }
}

fn kind_of(schema: &Value) -> Kind {
    match (schema["type"].as_str(), schema["format"].as_str()) {
        (Some("integer"), _) => Kind::Integer,
        (Some("number"), _) => Kind::Number,
        (Some("boolean"), _) => Kind::Boolean,
        (Some("string"), Some("date-time")) => Kind::DateTime,
        _ => Kind::String,
    }
}

/// The Rust name progenitor gives a component schema: PascalCase words.
pub fn type_name(schema: &str) -> String {
    schema
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(|word| {
            let mut chars = word.chars();
            let first = chars.next().map(|c| c.to_ascii_uppercase());
            first.into_iter().chain(chars).collect::<String>()
        })
        .collect()
}

/// The generated `generated/operations.rs`, unformatted.
pub fn tokens(rows: &[OperationRow]) -> TokenStream {
    let entries = rows.iter().map(|row| {
        let id = &row.id;
        let method = format_ident!("{}", pascal(&row.method));
        let path = &row.path;
        let summary = &row.summary;
        let path_params = &row.path_params;
        let query_params = row.query_params.iter().map(|q| {
            let name = &q.name;
            let required = q.required;
            let repeated = q.repeated;
            let kind = format_ident!("{}", format!("{:?}", q.kind));
            quote! {
                QueryParameter { name: #name, required: #required, kind: ParamKind::#kind, repeated: #repeated }
            }
        });
        let body = match &row.body {
            Body::None => quote!(BodyKind::None),
            Body::Json { required, .. } => quote!(BodyKind::Json { required: #required }),
            Body::Multipart => quote!(BodyKind::Multipart),
        };
        let response_fields = match &row.response_type {
            Some(schema) => {
                let shared = fields_const(schema);
                quote!(#shared)
            }
            None => {
                let fields = &row.response_fields;
                quote!(&[#(#fields),*])
            }
        };
        let pagination = format_ident!(
            "{}",
            match row.pagination {
                Pagination::None => "None",
                Pagination::Query => "QueryCursor",
                Pagination::Body => "BodyCursor",
            }
        );
        let facts = &row.facts;
        let rate_limit = proc_macro2::Literal::u32_unsuffixed(facts.rate_limit);
        let retry = format_ident!("{}", format!("{:?}", facts.retry));
        let items = match &facts.items {
            Some(items) => quote!(Some(#items)),
            None => quote!(None),
        };
        let page_sizes = match facts.page_size {
            Some((min, max)) => {
                let (min, max) = (
                    proc_macro2::Literal::i64_unsuffixed(min),
                    proc_macro2::Literal::i64_unsuffixed(max),
                );
                quote!(Some(PageSizes { min: #min, max: #max }))
            }
            None => quote!(None),
        };
        let non_empty = &facts.non_empty;
        let time_window = match &facts.time_window {
            Some((start, end, max_days)) => {
                let max_days = proc_macro2::Literal::i64_unsuffixed(*max_days);
                quote! {
                    Some(TimeWindow { start: #start, end: #end, max_days: #max_days })
                }
            }
            None => quote!(None),
        };
        quote! {
            Operation {
                id: #id,
                method: Method::#method,
                path: #path,
                summary: #summary,
                path_params: &[#(#path_params),*],
                query_params: &[#(#query_params),*],
                body: #body,
                pagination: Pagination::#pagination,
                page_items: #items,
                page_sizes: #page_sizes,
                rate_limit: #rate_limit,
                retry: RetryClass::#retry,
                non_empty_fields: &[#(#non_empty),*],
                time_window: #time_window,
                response_fields: #response_fields,
            }
        }
    });
    // Each operation by name, for the code that sends it.
    let by_name = rows.iter().enumerate().map(|(index, row)| {
        let name = format_ident!("{}", row.id.to_uppercase());
        let index = proc_macro2::Literal::usize_unsuffixed(index);
        let doc = format!(" `{}`: {} {}", row.id, row.method.to_uppercase(), row.path);
        quote! {
            #[doc = #doc]
            pub(crate) const #name: &Operation = &OPERATIONS[#index];
        }
    });
    let shapes = rows.iter().filter_map(|row| {
        let Body::Json {
            type_name: Some(type_name),
            fields,
            ..
        } = &row.body
        else {
            return None;
        };
        let id = &row.id;
        let fields = fields.iter().map(|field| {
            let name = &field.name;
            let kind = format_ident!("{}", format!("{:?}", field.kind));
            let required = field.required;
            quote!(BodyField { name: #name, kind: JsonKind::#kind, required: #required })
        });
        Some(quote! {
            (#id, BodyShape { type_name: #type_name, fields: &[#(#fields),*] }),
        })
    });
    // Many operations answer with the same object (an issue, a tag …):
    // its fields are written once.
    let shared_fields: std::collections::BTreeMap<&str, &[String]> = rows
        .iter()
        .filter_map(|row| {
            Some((
                row.response_type.as_deref()?,
                row.response_fields.as_slice(),
            ))
        })
        .collect();
    let shared_fields = shared_fields.into_iter().map(|(schema, fields)| {
        let name = fields_const(schema);
        let doc = format!(" The fields of `{schema}`.");
        quote! {
            #[doc = #doc]
            const #name: &[&str] = &[#(#fields),*];
        }
    });
    let count = proc_macro2::Literal::usize_unsuffixed(rows.len());
    quote! {
        use crate::catalogue::{
            BodyField, BodyKind, BodyShape, JsonKind, Method, Operation, PageSizes, Pagination,
            ParamKind, QueryParameter, RetryClass, TimeWindow,
        };

        #(#shared_fields)*

        /// Every operation, sorted by id.
        pub(crate) const OPERATIONS: &[Operation; #count] = &[#(#entries),*];

        #(#by_name)*

        /// The shape of each JSON body, by operation id, sorted: data, not
        /// code, so it costs no compile time.
        pub(crate) static BODY_SHAPES: &[(&str, BodyShape)] = &[#(#shapes)*];
    }
}

/// `ISSUE_FIELDS` for the schema `Issue`.
fn fields_const(schema: &str) -> proc_macro2::Ident {
    let words = crate::snake_case(&type_name(schema)).to_uppercase();
    format_ident!("{words}_FIELDS")
}

fn pascal(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_ascii_uppercase())
        .into_iter()
        .chain(chars)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec() -> Value {
        json!({
            "paths": {
                "/things/{id}/parts": {
                    "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                    "get": {
                        "operationId": "listThingParts",
                        "summary": "List parts",
                        "x-pylon-rate-limit": 300,
                        "x-pylon-retry": "idempotent",
                        "x-pylon-pagination": {"cursor": "query", "items": "data"},
                        "x-pylon-page-size": {"min": 1, "max": 1000},
                        "parameters": [
                            {"name": "limit", "in": "query", "schema": {"type": "integer"}},
                            {"name": "cursor", "in": "query", "schema": {"type": "string"}},
                            {"name": "since", "in": "query", "required": true, "schema": {"type": "string", "format": "date-time"}},
                            {"name": "ids", "in": "query", "schema": {"type": "array", "items": {"type": "string"}}}
                        ],
                        "responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/PartList"}}}}}
                    },
                    "post": {
                        "operationId": "createThingPart",
                        "x-pylon-rate-limit": 30,
                        "x-pylon-retry": "at-most-once",
                        "x-pylon-non-empty": ["name"],
                        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/create_part"}}}},
                        "responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Part"}}}}}
                    }
                },
                "/parts/search": {
                    "post": {
                        "operationId": "searchParts",
                        "x-pylon-rate-limit": 120,
                        "x-pylon-retry": "idempotent",
                        "x-pylon-pagination": {"cursor": "body", "items": "data"},
                        "x-pylon-page-size": {"min": 1, "max": 500},
                        "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Search"}}}},
                        "responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/PartList"}}}}}
                    }
                },
                "/things/merge": {
                    "post": {
                        "operationId": "mergeThings",
                        "x-pylon-rate-limit": 30,
                        "x-pylon-retry": "at-most-once",
                        "requestBody": {"required": true, "content": {"application/json": {"schema": {
                            "type": "object",
                            "required": ["into"],
                            "properties": {"into": {"type": "string"}, "from": {"type": "array", "items": {"type": "string"}}}
                        }}}},
                        "responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Part"}}}}}
                    }
                },
                "/uploads": {
                    "post": {
                        "operationId": "upload",
                        "x-pylon-rate-limit": 30,
                        "x-pylon-retry": "at-most-once",
                        "requestBody": {"content": {"multipart/form-data": {"schema": {"type": "object"}}}},
                        "responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Part"}}}}}
                    }
                }
            },
            "components": {"schemas": {
                "PartList": {"properties": {"data": {"type": "array", "items": {"$ref": "#/components/schemas/PartItem"}}, "pagination": {"$ref": "#/components/schemas/Pagination"}}},
                "Part": {"properties": {"data": {"$ref": "#/components/schemas/PartItem"}}},
                "PartItem": {"allOf": [{"$ref": "#/components/schemas/Named"}], "properties": {"size": {"type": "integer"}, "id": {"type": "string"}}},
                "Named": {"properties": {"name": {"type": "string"}}},
                "Search": {"properties": {"cursor": {"type": "string"}, "limit": {"type": "integer"}}},
                "create_part": {"required": ["name"], "properties": {
                    "name": {"type": "string"},
                    "size": {"type": "integer"},
                    "kind": {"enum": ["a", "b"]},
                    "parent": {"$ref": "#/components/schemas/Part"},
                    "either": {"oneOf": [{"type": "string"}, {"type": "integer"}]}
                }},
                "Pagination": {"properties": {"cursor": {"type": "string"}}}
            }}
        })
    }

    #[test]
    fn rows_describe_parameters_bodies_and_pagination() {
        let rows = rows(&spec()).unwrap();
        let ids: Vec<_> = rows.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "create_thing_part",
                "list_thing_parts",
                "merge_things",
                "search_parts",
                "upload"
            ]
        );
        let list = &rows[1];
        assert_eq!(
            (list.method.as_str(), list.path_params.as_slice()),
            ("get", ["id".to_string()].as_slice())
        );
        assert_eq!(list.pagination, Pagination::Query);
        assert_eq!(list.body, Body::None);
        let query: Vec<_> = list
            .query_params
            .iter()
            .map(|q| (q.name.as_str(), q.required, q.kind, q.repeated))
            .collect();
        assert_eq!(
            query,
            [
                ("cursor", false, Kind::String, false),
                ("ids", false, Kind::String, true),
                ("limit", false, Kind::Integer, false),
                ("since", true, Kind::DateTime, false),
            ]
        );
        assert_eq!(
            rows[0].body,
            Body::Json {
                required: true,
                type_name: Some("CreatePart".into()),
                fields: [
                    ("either", JsonKind::Any, false),
                    ("kind", JsonKind::String, false),
                    ("name", JsonKind::String, true),
                    ("parent", JsonKind::Object, false),
                    ("size", JsonKind::Integer, false),
                ]
                .into_iter()
                .map(|(name, kind, required)| BodyField {
                    name: name.into(),
                    kind,
                    required
                })
                .collect()
            }
        );
        assert_eq!(rows[0].pagination, Pagination::None);
        // An object described inline has a shape too, under the name
        // progenitor gives its type.
        assert_eq!(
            rows[2].body,
            Body::Json {
                required: true,
                type_name: Some("MergeThingsBody".into()),
                fields: vec![
                    BodyField {
                        name: "from".into(),
                        kind: JsonKind::Array,
                        required: false
                    },
                    BodyField {
                        name: "into".into(),
                        kind: JsonKind::String,
                        required: true
                    },
                ]
            }
        );
        assert_eq!(rows[3].pagination, Pagination::Body);
        assert_eq!(
            rows[3].facts,
            Facts {
                rate_limit: 120,
                retry: Retry::Idempotent,
                items: Some("data".into()),
                page_size: Some((1, 500)),
                non_empty: vec![],
                time_window: None,
            }
        );
        assert_eq!(rows[0].facts.retry, Retry::AtMostOnce);
        assert_eq!(rows[0].facts.non_empty, ["name"]);
        assert_eq!(rows[4].body, Body::Multipart);
        // Of the list's items and of the single part alike, inherited ones too.
        for row in &rows {
            assert_eq!(row.response_fields, ["id", "name", "size"], "{}", row.id);
            assert_eq!(row.response_type.as_deref(), Some("PartItem"), "{}", row.id);
        }
        // Written once, named by every operation that answers with it.
        let generated = tokens(&rows).to_string();
        assert_eq!(generated.matches("const PART_ITEM_FIELDS").count(), 1);
        assert_eq!(
            generated
                .matches("response_fields : PART_ITEM_FIELDS")
                .count(),
            5
        );
        let shapes = generated
            .split("BODY_SHAPES")
            .nth(1)
            .expect("the body shapes are generated");
        assert!(shapes.contains("type_name : \"CreatePart\""), "{shapes}");
        assert!(
            shapes.contains("type_name : \"MergeThingsBody\""),
            "{shapes}"
        );
    }

    #[test]
    fn a_path_parameter_the_template_does_not_name_is_refused() {
        let mut spec = spec();
        spec["paths"]["/things/{id}/parts"]["parameters"][0]["name"] = json!("thing");
        let error = rows(&spec).unwrap_err();
        assert!(error.contains("list_thing_parts"), "{error}");
    }
}
