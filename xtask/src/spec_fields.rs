//! An OpenAPI schema seen as a flat list of fields with dotted paths
//! (`data[].account.id`, `custom_fields.*.value`), each with its type,
//! required-ness, enum values and where in the document it is declared.
//!
//! `$ref`s (local ones, `#/...`) are followed and `allOf` parts merged. A
//! schema that refers back to itself is listed once and not expanded again,
//! and a field budget and depth limit bound what an adversarial document can
//! make this expand to; a dangling or external `$ref` is an error.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

/// One step from a node of a document to a child.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Step {
    Name(String),
    Index(usize),
}

/// Where a node lives in its document, from the root.
pub type Location = Vec<Step>;

/// The location as a JSON pointer (`#/components/schemas/Tag`), for messages.
pub fn pointer(location: &[Step]) -> String {
    let mut out = String::from("#");
    for step in location {
        out.push('/');
        match step {
            Step::Name(name) => out.push_str(&name.replace('~', "~0").replace('/', "~1")),
            Step::Index(index) => out.push_str(&index.to_string()),
        }
    }
    out
}

/// `location` with `step` appended.
pub fn child(location: &[Step], step: Step) -> Location {
    let mut out = location.to_vec();
    out.push(step);
    out
}

/// `location` with a member name appended.
pub fn member(location: &[Step], name: &str) -> Location {
    child(location, Step::Name(name.to_string()))
}

/// What a document says about one field.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// `string`, `integer`, `object`, `array`, ... or `any` when untyped.
    pub kind: String,
    /// Whether the enclosing object (or the parameter) requires it; array
    /// items and map values count as required.
    pub required: bool,
    /// The closed set of values, if the schema has an `enum`.
    pub enum_values: Option<Vec<Value>>,
    /// The node holding `enum` (the field's schema after `$ref`s).
    pub schema: Location,
    /// The field's schema as written where the field is declared.
    pub declared: Value,
}

/// Every field of one schema (a request body, a response body or the query
/// parameters of an operation), keyed by dotted path.
#[derive(Debug, Default)]
pub struct Fields {
    pub fields: BTreeMap<String, Field>,
    /// For each object (by path; the root is `""`), the node that holds or
    /// would hold its `properties`.
    pub objects: BTreeMap<String, Location>,
    /// Set when the budget or depth limit stopped the expansion.
    pub truncated: bool,
}

/// How many fields one schema may expand to before it is cut short: far
/// more than any real body, few enough that a schema built to grow
/// exponentially stays cheap.
const FIELD_BUDGET: usize = 20_000;
/// How deep paths may nest.
const MAX_DEPTH: usize = 32;
/// How many `$ref`s may be followed in a row before a chain counts as a loop.
const MAX_REF_HOPS: usize = 64;

/// A document whose nodes are addressed by [`Location`].
pub struct Document<'a> {
    pub root: &'a Value,
}

/// A schema after `$ref`s and `allOf`, as far as its own level goes.
struct View<'a> {
    kind: String,
    properties: Vec<(String, &'a Value, Location)>,
    required: BTreeSet<String>,
    items: Option<(&'a Value, Location)>,
    values: Option<(&'a Value, Location)>,
    enum_values: Option<(Vec<Value>, Location)>,
    owner: Location,
    /// The nodes this view was built from (the schema, the targets of its
    /// `$ref`s, its `allOf` parts): expanding one of them again is a cycle.
    entered: Vec<Location>,
}

impl<'a> Document<'a> {
    pub fn new(root: &'a Value) -> Self {
        Document { root }
    }

    /// The node at `location`, if there is one.
    pub fn at(&self, location: &[Step]) -> Option<&'a Value> {
        location
            .iter()
            .try_fold(self.root, |node, step| match (step, node) {
                (Step::Name(name), Value::Object(map)) => map.get(name),
                (Step::Index(index), Value::Array(items)) => items.get(*index),
                _ => None,
            })
    }

    /// Where a local `$ref` points, checked to exist.
    pub fn target(&self, reference: &str, from: &[Step]) -> Result<Location, String> {
        let fail = |why: &str| format!("`$ref: {reference}` at {}: {why}", pointer(from));
        let rest = reference
            .strip_prefix('#')
            .ok_or_else(|| fail("only references inside the document are supported"))?;
        let mut location = Vec::new();
        if !rest.is_empty() {
            let rest = rest
                .strip_prefix('/')
                .ok_or_else(|| fail("not a JSON pointer"))?;
            let mut node = self.root;
            for token in rest.split('/') {
                let token = token.replace("~1", "/").replace("~0", "~");
                let (step, next) = match node {
                    Value::Object(map) => {
                        let next = map.get(&token);
                        (Step::Name(token), next)
                    }
                    Value::Array(items) => {
                        let index = token.parse::<usize>().ok();
                        (
                            Step::Index(index.unwrap_or(usize::MAX)),
                            index.and_then(|i| items.get(i)),
                        )
                    }
                    _ => (Step::Name(token), None),
                };
                node = next.ok_or_else(|| fail("points at nothing"))?;
                location.push(step);
            }
        }
        Ok(location)
    }

    /// Follows `$ref`s from `node` to a node that is not one, returning it,
    /// its location and the targets passed through.
    pub fn resolve(
        &self,
        mut node: &'a Value,
        mut location: Location,
    ) -> Result<(&'a Value, Location, Vec<Location>), String> {
        let mut targets = Vec::new();
        while let Some(reference) = node.get("$ref") {
            let reference = reference
                .as_str()
                .ok_or_else(|| format!("`$ref` at {} is not a string", pointer(&location)))?;
            if targets.len() >= MAX_REF_HOPS {
                return Err(format!(
                    "`$ref: {reference}` at {}: a chain of references that never reaches a schema",
                    pointer(&location)
                ));
            }
            let target = self.target(reference, &location)?;
            if targets.contains(&target) {
                return Err(format!(
                    "`$ref: {reference}` at {}: the references form a loop",
                    pointer(&location)
                ));
            }
            node = self.at(&target).expect("target() checked it exists");
            location = target.clone();
            targets.push(target);
        }
        Ok((node, location, targets))
    }

    /// The fields of the schema at `location` (`schema` is the node there).
    pub fn fields(
        &self,
        schema: &'a Value,
        location: Location,
        prefix: &str,
        required: bool,
    ) -> Result<Fields, String> {
        let mut out = Fields::default();
        let mut ancestors = Vec::new();
        self.walk(prefix, schema, location, required, &mut ancestors, &mut out)?;
        Ok(out)
    }

    /// Records the field at `path` (unless it is the root, `""`) and the
    /// fields below it.
    fn walk(
        &self,
        path: &str,
        schema: &'a Value,
        location: Location,
        required: bool,
        ancestors: &mut Vec<Location>,
        out: &mut Fields,
    ) -> Result<(), String> {
        let view = self.view(schema, location)?;
        if !path.is_empty() {
            if out.fields.len() >= FIELD_BUDGET {
                out.truncated = true;
                return Ok(());
            }
            out.fields.insert(
                path.to_string(),
                Field {
                    kind: view.kind.clone(),
                    required,
                    enum_values: view.enum_values.as_ref().map(|(values, _)| values.clone()),
                    schema: view
                        .enum_values
                        .as_ref()
                        .map_or_else(|| view.owner.clone(), |(_, at)| at.clone()),
                    declared: schema.clone(),
                },
            );
        }
        // A schema already being expanded above is recursive: listed, not
        // expanded again.
        if view.entered.iter().any(|r| ancestors.contains(r)) {
            return Ok(());
        }
        if depth(path) >= MAX_DEPTH {
            out.truncated = true;
            return Ok(());
        }
        if view.kind == "object" || !view.properties.is_empty() {
            out.objects.insert(path.to_string(), view.owner.clone());
        }
        let pushed = view.entered.len();
        ancestors.extend(view.entered.iter().cloned());
        let mut result = Ok(());
        for (name, child_schema, child_location) in &view.properties {
            let child_path = join(path, name);
            let child_required = view.required.contains(name);
            result = self.walk(
                &child_path,
                child_schema,
                child_location.clone(),
                child_required,
                ancestors,
                out,
            );
            if result.is_err() {
                break;
            }
        }
        if result.is_ok()
            && let Some((items, items_location)) = &view.items
        {
            result = self.walk(
                &format!("{path}[]"),
                items,
                items_location.clone(),
                true,
                ancestors,
                out,
            );
        }
        if result.is_ok()
            && let Some((values, values_location)) = &view.values
        {
            result = self.walk(
                &join(path, "*"),
                values,
                values_location.clone(),
                true,
                ancestors,
                out,
            );
        }
        ancestors.truncate(ancestors.len() - pushed);
        result
    }

    /// The schema at `location` with its `$ref`s followed and its `allOf`
    /// parts merged (`oneOf`/`anyOf` parts contribute optional fields).
    fn view(&self, schema: &'a Value, location: Location) -> Result<View<'a>, String> {
        let (node, location, mut entered) = self.resolve(schema, location.clone())?;
        entered.push(location.clone());
        let mut view = View {
            kind: String::new(),
            properties: Vec::new(),
            required: BTreeSet::new(),
            items: None,
            values: None,
            enum_values: None,
            owner: location.clone(),
            entered,
        };
        let mut seen = vec![location.clone()];
        self.merge_into(&mut view, node, &location, true, &mut seen)?;
        if view.kind.is_empty() {
            view.kind = if !view.properties.is_empty() {
                "object".into()
            } else if view.items.is_some() {
                "array".into()
            } else if let Some((values, _)) = &view.enum_values {
                values.first().map_or("any", json_kind).into()
            } else if ["oneOf", "anyOf"].iter().any(|k| node.get(*k).is_some()) {
                "oneOf".into()
            } else {
                "any".into()
            };
        }
        Ok(view)
    }

    fn merge_into(
        &self,
        view: &mut View<'a>,
        node: &'a Value,
        location: &[Step],
        required: bool,
        seen: &mut Vec<Location>,
    ) -> Result<(), String> {
        if view.kind.is_empty() {
            view.kind = match node.get("type") {
                Some(Value::String(kind)) => kind.clone(),
                Some(Value::Array(kinds)) => kinds
                    .iter()
                    .filter_map(Value::as_str)
                    .filter(|k| *k != "null")
                    .collect::<Vec<_>>()
                    .join("|"),
                _ => String::new(),
            };
        }
        if let Some(Value::Object(properties)) = node.get("properties") {
            let at = member(location, "properties");
            for (name, schema) in properties {
                if !view.properties.iter().any(|(n, _, _)| n == name) {
                    view.properties
                        .push((name.clone(), schema, member(&at, name)));
                }
            }
            if !view.owner_has_properties(self) {
                view.owner = location.to_vec();
            }
        }
        if required && let Some(Value::Array(names)) = node.get("required") {
            view.required
                .extend(names.iter().filter_map(Value::as_str).map(String::from));
        }
        if view.items.is_none()
            && let Some(items) = node.get("items").filter(|i| i.is_object())
        {
            view.items = Some((items, member(location, "items")));
        }
        if view.values.is_none()
            && let Some(values) = node.get("additionalProperties").filter(|v| v.is_object())
        {
            view.values = Some((values, member(location, "additionalProperties")));
        }
        if view.enum_values.is_none()
            && let Some(Value::Array(values)) = node.get("enum")
        {
            view.enum_values = Some((values.clone(), location.to_vec()));
        }
        for (keyword, parts_required) in [("allOf", required), ("oneOf", false), ("anyOf", false)] {
            let Some(Value::Array(parts)) = node.get(keyword) else {
                continue;
            };
            for (index, part) in parts.iter().enumerate() {
                let part_location = child(&member(location, keyword), Step::Index(index));
                let (part, part_location, refs) = self.resolve(part, part_location)?;
                if seen.contains(&part_location) {
                    continue;
                }
                seen.push(part_location.clone());
                view.entered.extend(refs);
                view.entered.push(part_location.clone());
                self.merge_into(view, part, &part_location, parts_required, seen)?;
            }
        }
        Ok(())
    }
}

impl View<'_> {
    fn owner_has_properties(&self, document: &Document) -> bool {
        document
            .at(&self.owner)
            .is_some_and(|node| node.get("properties").is_some())
    }
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_f64() => "number",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// `parent.name`, or `name` at the root.
pub fn join(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_string()
    } else {
        format!("{parent}.{name}")
    }
}

fn depth(path: &str) -> usize {
    path.matches(['.', '[']).count()
}

/// The paths of the fields enclosing `path`, nearest last (`a`, `a.b`,
/// `a.b[]` for `a.b[].c`).
pub fn ancestors(path: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for (index, c) in path.char_indices() {
        match c {
            '.' => out.push(&path[..index]),
            '[' if path[index..].starts_with("[]") && index > 0 => out.push(&path[..index]),
            _ => {}
        }
    }
    for (index, _) in path.match_indices("[]") {
        let end = index + 2;
        if end < path.len() && !out.contains(&&path[..end]) {
            out.push(&path[..end]);
        }
    }
    out.sort_by_key(|p| p.len());
    out.dedup();
    out
}

/// The parent path of `path` and the last member name, if `path` ends in
/// one (not in `[]` or `*`).
pub fn split_last(path: &str) -> Option<(&str, &str)> {
    let (parent, name) = match path.rfind(['.', ']']) {
        Some(index) if path.as_bytes()[index] == b'.' => (&path[..index], &path[index + 1..]),
        Some(index) => (&path[..=index], &path[index + 1..]),
        None => ("", path),
    };
    (!name.is_empty() && name != "*").then_some((parent, name))
}

/// The values of an enum as plain text, strings without quotes.
pub fn enum_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fields_of(doc: &Value, schema: &str) -> Fields {
        let document = Document::new(doc);
        let location = document.target(schema, &[]).unwrap();
        let node = document.at(&location).unwrap();
        document.fields(node, location, "", true).unwrap()
    }

    #[test]
    fn refs_all_of_items_and_maps_become_dotted_paths() {
        let doc = json!({"components": {"schemas": {
            "List": {"type": "object", "required": ["data"], "properties": {
                "data": {"type": "array", "items": {"$ref": "#/components/schemas/Item"}}}},
            "Item": {"allOf": [
                {"$ref": "#/components/schemas/Base"},
                {"type": "object", "properties": {
                    "state": {"type": "string", "enum": ["open", "closed"]},
                    "extra": {"type": "object", "additionalProperties": {"type": "integer"}}}}]},
            "Base": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}}
        }}});
        let fields = fields_of(&doc, "#/components/schemas/List");
        let paths: Vec<&str> = fields.fields.keys().map(String::as_str).collect();
        assert_eq!(
            paths,
            [
                "data",
                "data[]",
                "data[].extra",
                "data[].extra.*",
                "data[].id",
                "data[].state"
            ]
        );
        assert!(fields.fields["data"].required);
        assert!(fields.fields["data[].id"].required);
        assert!(!fields.fields["data[].state"].required);
        assert_eq!(fields.fields["data[]"].kind, "object");
        assert_eq!(fields.fields["data[].extra.*"].kind, "integer");
        assert_eq!(
            fields.fields["data[].state"].enum_values,
            Some(vec![json!("open"), json!("closed")])
        );
        assert_eq!(
            pointer(&fields.fields["data[].state"].schema),
            "#/components/schemas/Item/allOf/1/properties/state"
        );
        // New fields of an item go beside the item's first own properties.
        assert_eq!(
            pointer(&fields.objects["data[]"]),
            "#/components/schemas/Base"
        );
    }

    #[test]
    fn recursive_schemas_are_listed_once_and_not_expanded_again() {
        let doc = json!({"components": {"schemas": {
            "Node": {"type": "object", "properties": {
                "name": {"type": "string"},
                "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}},
                "wrapped": {"allOf": [{"$ref": "#/components/schemas/Node"}]}}},
            "Loop": {"allOf": [{"$ref": "#/components/schemas/Loop"}],
                     "properties": {"again": {"allOf": [{"$ref": "#/components/schemas/Loop"}]}}}
        }}});
        let fields = fields_of(&doc, "#/components/schemas/Node");
        let paths: Vec<&str> = fields.fields.keys().map(String::as_str).collect();
        assert_eq!(paths, ["children", "children[]", "name", "wrapped"]);
        assert_eq!(fields.fields["children[]"].kind, "object");
        let fields = fields_of(&doc, "#/components/schemas/Loop");
        assert_eq!(fields.fields.keys().collect::<Vec<_>>(), ["again"]);
    }

    #[test]
    fn a_schema_that_grows_exponentially_is_cut_short() {
        let mut schemas = serde_json::Map::new();
        for level in 0..40 {
            let next = json!({"$ref": format!("#/components/schemas/L{}", level + 1)});
            schemas.insert(
                format!("L{level}"),
                json!({"type": "object", "properties": {"a": next, "b": next}}),
            );
        }
        schemas.insert("L40".into(), json!({"type": "string"}));
        let doc = json!({"components": {"schemas": schemas}});
        let fields = fields_of(&doc, "#/components/schemas/L0");
        assert!(fields.truncated);
        assert!(fields.fields.len() <= FIELD_BUDGET);
    }

    #[test]
    fn dangling_external_and_looping_refs_are_errors() {
        let doc = json!({"components": {"schemas": {
            "A": {"properties": {"x": {"$ref": "#/components/schemas/Missing"}}},
            "B": {"properties": {"x": {"$ref": "other.yml#/B"}}},
            "C": {"$ref": "#/components/schemas/D"},
            "D": {"$ref": "#/components/schemas/C"},
            "E": {"properties": {"x": {"$ref": 7}}}
        }}});
        let document = Document::new(&doc);
        let error = |name: &str| {
            let location = vec![
                Step::Name("components".into()),
                Step::Name("schemas".into()),
                Step::Name(name.into()),
            ];
            let node = document.at(&location).unwrap();
            document.fields(node, location, "", true).unwrap_err()
        };
        assert!(error("A").contains("points at nothing"), "{}", error("A"));
        assert!(error("A").contains("#/components/schemas/A/properties/x"));
        assert!(error("B").contains("inside the document"), "{}", error("B"));
        assert!(error("C").contains("loop"), "{}", error("C"));
        assert!(error("E").contains("not a string"), "{}", error("E"));
    }

    #[test]
    fn paths_split_into_ancestors_and_last_names() {
        assert_eq!(ancestors("a.b[].c"), ["a", "a.b", "a.b[]"]);
        assert_eq!(ancestors("data[]"), ["data"]);
        assert_eq!(ancestors("x"), Vec::<&str>::new());
        assert_eq!(split_last("a.b[].c"), Some(("a.b[]", "c")));
        assert_eq!(split_last("a"), Some(("", "a")));
        assert_eq!(split_last("a.b"), Some(("a", "b")));
        assert_eq!(split_last("a[]"), None);
        assert_eq!(split_last("a.*"), None);
    }
}
