//! An OpenAPI Overlay 1.0 applier for the JSONPath subset the project's
//! overlay uses: `$`, `.name`, `.*`, `['name']`, `['a','b']`, `[*]` and
//! array indices `[0]` (which drafted overlays use for parameters).
//!
//! `update` merges recursively into objects (values of the same name are
//! replaced unless both are objects) and appends to arrays; `remove: true`
//! deletes the selected nodes. A target that selects nothing is an error, so
//! an upstream spec change cannot silently drop a correction.

use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq)]
enum Segment {
    /// One or more member names (`.name`, `['a','b']`).
    Names(Vec<String>),
    /// Every member of an object or element of an array.
    Wildcard,
    /// One element of an array (`[2]`).
    Index(usize),
}

fn parse_path(path: &str) -> Result<Vec<Segment>, String> {
    let rest = path
        .strip_prefix('$')
        .ok_or_else(|| format!("JSONPath `{path}` must start with `$`"))?;
    let mut segments = Vec::new();
    let mut chars = rest.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '.' => {
                let mut name = String::new();
                while let Some(&c) = chars.peek() {
                    if c == '.' || c == '[' {
                        break;
                    }
                    name.push(c);
                    chars.next();
                }
                match name.as_str() {
                    "" => return Err(format!("JSONPath `{path}` has an empty member name")),
                    "*" => segments.push(Segment::Wildcard),
                    _ => segments.push(Segment::Names(vec![name])),
                }
            }
            '[' => {
                let mut inner = String::new();
                let mut quote = None;
                loop {
                    let c = chars
                        .next()
                        .ok_or_else(|| format!("JSONPath `{path}` has an unclosed `[`"))?;
                    match (quote, c) {
                        (None, ']') => break,
                        (None, '\'' | '"') => quote = Some(c),
                        (Some(q), c) if c == q => quote = None,
                        _ => {}
                    }
                    inner.push(c);
                }
                if inner.trim() == "*" {
                    segments.push(Segment::Wildcard);
                } else if let Ok(index) = inner.trim().parse::<usize>() {
                    segments.push(Segment::Index(index));
                } else {
                    segments.push(Segment::Names(parse_names(&inner, path)?));
                }
            }
            _ => return Err(format!("JSONPath `{path}`: unexpected `{c}`")),
        }
    }
    Ok(segments)
}

/// Parses `'a'`, `'a','b'` or `"a"` inside brackets.
fn parse_names(inner: &str, path: &str) -> Result<Vec<String>, String> {
    let mut names = Vec::new();
    for part in split_outside_quotes(inner) {
        let part = part.trim();
        let unquoted = part
            .strip_prefix('\'')
            .and_then(|p| p.strip_suffix('\''))
            .or_else(|| part.strip_prefix('"').and_then(|p| p.strip_suffix('"')))
            .ok_or_else(|| {
                format!("JSONPath `{path}`: `[{inner}]` is not a quoted name or a list of them")
            })?;
        names.push(unquoted.to_string());
    }
    Ok(names)
}

fn split_outside_quotes(s: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut quote = None;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, ',') => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&s[start..]);
    parts
}

/// The addresses (lists of keys/indices) of every node the path selects.
fn select(doc: &Value, segments: &[Segment]) -> Vec<Vec<Key>> {
    let mut found = vec![(Vec::new(), doc)];
    for segment in segments {
        let mut next = Vec::new();
        for (address, node) in found {
            match (segment, node) {
                (Segment::Names(names), Value::Object(map)) => {
                    for name in names {
                        if let Some(child) = map.get(name) {
                            next.push((with(&address, Key::Name(name.clone())), child));
                        }
                    }
                }
                (Segment::Wildcard, Value::Object(map)) => {
                    for (name, child) in map {
                        next.push((with(&address, Key::Name(name.clone())), child));
                    }
                }
                (Segment::Wildcard, Value::Array(items)) => {
                    for (index, child) in items.iter().enumerate() {
                        next.push((with(&address, Key::Index(index)), child));
                    }
                }
                (Segment::Index(index), Value::Array(items)) => {
                    if let Some(child) = items.get(*index) {
                        next.push((with(&address, Key::Index(*index)), child));
                    }
                }
                _ => {}
            }
        }
        found = next;
    }
    found.into_iter().map(|(address, _)| address).collect()
}

#[derive(Debug, Clone)]
enum Key {
    Name(String),
    Index(usize),
}

fn with(address: &[Key], key: Key) -> Vec<Key> {
    let mut address = address.to_vec();
    address.push(key);
    address
}

fn node_mut<'a>(doc: &'a mut Value, address: &[Key]) -> &'a mut Value {
    address.iter().fold(doc, |node, key| match key {
        Key::Name(name) => &mut node[name.as_str()],
        Key::Index(index) => &mut node[*index],
    })
}

fn merge(target: &mut Value, update: &Value) {
    match (target, update) {
        (Value::Object(target), Value::Object(update)) => merge_objects(target, update),
        (Value::Array(target), Value::Array(update)) => target.extend(update.iter().cloned()),
        (Value::Array(target), update) => target.push(update.clone()),
        (target, update) => *target = update.clone(),
    }
}

fn merge_objects(target: &mut Map<String, Value>, update: &Map<String, Value>) {
    for (name, value) in update {
        match (target.get_mut(name), value) {
            (Some(existing @ Value::Object(_)), Value::Object(_)) => merge(existing, value),
            _ => {
                target.insert(name.clone(), value.clone());
            }
        }
    }
}

/// Applies every action of `overlay` to `doc`, in order.
pub fn apply(doc: &mut Value, overlay: &Value) -> Result<usize, String> {
    let version = overlay.get("overlay").and_then(Value::as_str);
    if !version.is_some_and(|v| v.starts_with("1.")) {
        return Err(format!(
            "`overlay` must be a 1.x version, found {}",
            version.unwrap_or("nothing")
        ));
    }
    let actions = overlay
        .get("actions")
        .and_then(Value::as_array)
        .ok_or("the overlay has no `actions` list")?;
    for (number, action) in actions.iter().enumerate() {
        let target = action
            .get("target")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("action {} has no `target`", number + 1))?;
        let context = |reason: String| format!("action {} (`{target}`): {reason}", number + 1);
        if action.get("description").and_then(Value::as_str).is_none() {
            return Err(context("every action needs a `description`".into()));
        }
        let segments = parse_path(target).map_err(context)?;
        let addresses = select(doc, &segments);
        if addresses.is_empty() {
            return Err(context("the target matches nothing in the spec".into()));
        }
        if action.get("remove").and_then(Value::as_bool) == Some(true) {
            // Remove from the back so earlier array indices stay valid.
            for address in addresses.iter().rev() {
                let Some((last, parent)) = address.split_last() else {
                    return Err(context("the document root cannot be removed".into()));
                };
                match (node_mut(doc, parent), last) {
                    (Value::Object(map), Key::Name(name)) => {
                        map.remove(name);
                    }
                    (Value::Array(items), Key::Index(index)) => {
                        items.remove(*index);
                    }
                    _ => unreachable!("addresses come from select()"),
                }
            }
        } else if let Some(update) = action.get("update") {
            for address in &addresses {
                merge(node_mut(doc, address), update);
            }
        } else {
            return Err(context(
                "the action has neither `update` nor `remove: true`".into(),
            ));
        }
    }
    Ok(actions.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn overlay(actions: Value) -> Value {
        json!({"overlay": "1.0.0", "info": {"title": "t", "version": "1"}, "actions": actions})
    }

    #[test]
    fn parses_dots_brackets_unions_and_wildcards() {
        assert_eq!(
            parse_path("$.paths['/tags/{id}'].*['a','b.c'][*]").unwrap(),
            vec![
                Segment::Names(vec!["paths".into()]),
                Segment::Names(vec!["/tags/{id}".into()]),
                Segment::Wildcard,
                Segment::Names(vec!["a".into(), "b.c".into()]),
                Segment::Wildcard,
            ]
        );
        assert_eq!(
            parse_path("$.parameters[1].schema").unwrap()[1],
            Segment::Index(1)
        );
        assert!(parse_path("paths").is_err());
        assert!(parse_path("$.a[").is_err());
        assert!(parse_path("$.a[b]").is_err());
    }

    #[test]
    fn update_merges_objects_replaces_values_and_appends_to_arrays() {
        let mut doc =
            json!({"a": {"x": 1, "y": {"k": "old", "keep": true}, "list": [1]}, "arr": [1]});
        apply(
            &mut doc,
            &overlay(json!([
                {"target": "$.a", "description": "d", "update": {"y": {"k": "new"}, "list": [2], "z": 3}},
                {"target": "$.arr", "description": "d", "update": 2},
            ])),
        )
        .unwrap();
        assert_eq!(
            doc,
            json!({"a": {"x": 1, "y": {"k": "new", "keep": true}, "list": [2], "z": 3}, "arr": [1, 2]})
        );
    }

    #[test]
    fn remove_deletes_every_selected_node() {
        let mut doc = json!({"s": {"A": 1, "B": 2, "C": 3}, "l": [1, 2, 3]});
        apply(
            &mut doc,
            &overlay(json!([
                {"target": "$.s['A','C']", "description": "d", "remove": true},
                {"target": "$.l[*]", "description": "d", "remove": true},
            ])),
        )
        .unwrap();
        assert_eq!(doc, json!({"s": {"B": 2}, "l": []}));
    }

    #[test]
    fn wildcard_updates_every_match_and_skips_non_matching_branches() {
        let mut doc = json!({"paths": {"/a": {"parameters": [], "get": {"responses": {}}},
                                        "/b": {"post": {"responses": {"200": {}}}}}});
        apply(
            &mut doc,
            &overlay(
                json!([{"target": "$.paths.*.*.responses", "description": "d",
                             "update": {"4XX": {"$ref": "#/e"}}}]),
            ),
        )
        .unwrap();
        assert_eq!(doc["paths"]["/a"]["get"]["responses"]["4XX"]["$ref"], "#/e");
        assert_eq!(
            doc["paths"]["/b"]["post"]["responses"]["4XX"]["$ref"],
            "#/e"
        );
        assert_eq!(doc["paths"]["/a"]["parameters"], json!([]));
    }

    #[test]
    fn an_index_selects_one_element_and_a_missing_one_nothing() {
        let mut doc = json!({"p": [{"n": "a"}, {"n": "b"}]});
        apply(
            &mut doc,
            &overlay(json!([{"target": "$.p[1]", "description": "d", "update": {"x": 1}}])),
        )
        .unwrap();
        assert_eq!(doc, json!({"p": [{"n": "a"}, {"n": "b", "x": 1}]}));
        let err = apply(
            &mut doc,
            &overlay(json!([{"target": "$.p[2]", "description": "d", "remove": true}])),
        )
        .unwrap_err();
        assert!(err.contains("matches nothing"), "{err}");
    }

    #[test]
    fn a_target_that_matches_nothing_is_an_error() {
        let mut doc = json!({"a": 1});
        let err = apply(
            &mut doc,
            &overlay(json!([{"target": "$.missing", "description": "d", "remove": true}])),
        )
        .unwrap_err();
        assert!(err.contains("action 1 (`$.missing`)"), "{err}");
        assert!(err.contains("matches nothing"), "{err}");
    }

    #[test]
    fn actions_without_description_or_effect_and_bad_versions_are_errors() {
        let mut doc = json!({"a": 1});
        assert!(
            apply(
                &mut doc,
                &overlay(json!([{"target": "$.a", "remove": true}]))
            )
            .unwrap_err()
            .contains("description")
        );
        assert!(
            apply(
                &mut doc,
                &overlay(json!([{"target": "$.a", "description": "d"}]))
            )
            .unwrap_err()
            .contains("neither")
        );
        assert!(
            apply(&mut doc, &json!({"overlay": "2.0", "actions": []}))
                .unwrap_err()
                .contains("1.x")
        );
    }
}
