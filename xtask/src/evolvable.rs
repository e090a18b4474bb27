//! Response types that Pylon may extend are not exhaustive for users.
//!
//! A schema reachable from a success response and from no request body or
//! parameter is response-only: its generated struct gets `#[non_exhaustive]`,
//! so a regeneration that adds an optional field is not a breaking change
//! (users still build values with `Default`, the builders, or from JSON). A
//! response-only *enum* would break decoding when Pylon adds a value, so
//! regeneration refuses one: such values stay strings in the overlay (Pylon
//! calls these enums "not exhaustive"). The remaining enums, which requests
//! use, are `#[non_exhaustive]` too, so adding a value is not breaking.

use std::collections::{BTreeSet, VecDeque};

use serde_json::Value;
use syn::{Item, parse_quote};

/// Schema names reachable from responses and not from requests.
pub fn response_only(spec: &Value) -> BTreeSet<String> {
    let (responses, requests) = reached(spec);
    responses.difference(&requests).cloned().collect()
}

/// Schema names a success response reaches, directly or through others.
pub fn in_responses(spec: &Value) -> BTreeSet<String> {
    reached(spec).0
}

/// Schema names no success response reaches: request bodies and parameters,
/// and the multipart forms sent by hand. Whatever such a type contains is
/// not reached from a response either, since reaching is transitive.
pub fn outside_responses(spec: &Value) -> BTreeSet<String> {
    let (responses, _) = reached(spec);
    spec["components"]["schemas"]
        .as_object()
        .into_iter()
        .flat_map(|schemas| schemas.keys())
        .filter(|name| !responses.contains(*name))
        .cloned()
        .collect()
}

/// The schema names reachable from success responses, and those reachable
/// from requests.
fn reached(spec: &Value) -> (BTreeSet<String>, BTreeSet<String>) {
    let mut response_roots = Vec::new();
    let mut request_roots = Vec::new();
    for item in spec["paths"]
        .as_object()
        .into_iter()
        .flat_map(|p| p.values())
    {
        for (method, operation) in item.as_object().into_iter().flatten() {
            if method == "parameters" {
                collect_refs(operation, &mut request_roots);
                continue;
            }
            collect_refs(&operation["requestBody"], &mut request_roots);
            collect_refs(&operation["parameters"], &mut request_roots);
            for (status, response) in operation["responses"].as_object().into_iter().flatten() {
                if status.starts_with('2') {
                    collect_refs(response, &mut response_roots);
                }
            }
        }
    }
    (
        reachable(spec, response_roots),
        reachable(spec, request_roots),
    )
}

fn collect_refs(node: &Value, out: &mut Vec<String>) {
    match node {
        Value::Object(map) => {
            if let Some(Value::String(reference)) = map.get("$ref")
                && let Some(name) = reference.strip_prefix("#/components/schemas/")
            {
                out.push(name.to_string());
            }
            map.values().for_each(|v| collect_refs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

fn reachable(spec: &Value, roots: Vec<String>) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut queue: VecDeque<String> = roots.into();
    while let Some(name) = queue.pop_front() {
        if seen.insert(name.clone()) {
            let mut refs = Vec::new();
            collect_refs(&spec["components"]["schemas"][&name], &mut refs);
            queue.extend(refs);
        }
    }
    seen
}

/// Marks the response-only structs and the enums of the generated `types`
/// module `#[non_exhaustive]`; fails on a response-only enum.
pub fn mark(file: &mut syn::File, response_only: &BTreeSet<String>) -> Result<usize, String> {
    let types = crate::optional_derives::types_module(file)?;
    let mut marked = 0;
    for item in types.iter_mut() {
        match item {
            Item::Struct(s) if response_only.contains(&s.ident.to_string()) => {
                s.attrs.push(parse_quote!(#[non_exhaustive]));
                marked += 1;
            }
            Item::Enum(e) if response_only.contains(&e.ident.to_string()) => {
                return Err(format!(
                    "`{}` is an enum only responses use: Pylon may add values, so keep it \
                     a string in the overlay",
                    e.ident
                ));
            }
            // Request enums: users pick a value; a new one is not breaking.
            Item::Enum(e) => {
                e.attrs.push(parse_quote!(#[non_exhaustive]));
                marked += 1;
            }
            _ => {}
        }
    }
    Ok(marked)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_schemas_no_request_reaches_are_response_only() {
        let spec = serde_json::json!({
            "paths": {"/tags": {"post": {
                "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/CreateTag"}}}},
                "responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/TagResponse"}}}},
                              "4XX": {"$ref": "#/components/responses/Error"}}
            }}},
            "components": {"schemas": {
                "CreateTag": {"properties": {"color": {"$ref": "#/components/schemas/Color"}}},
                "TagResponse": {"properties": {"data": {"$ref": "#/components/schemas/Tag"}}},
                "Tag": {"properties": {"color": {"$ref": "#/components/schemas/Color"}}},
                "Color": {"type": "string"}
            }}
        });
        assert_eq!(
            response_only(&spec).into_iter().collect::<Vec<_>>(),
            ["Tag", "TagResponse"]
        );
    }
}
