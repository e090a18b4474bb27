//! `diff-spec --write-overlay`: drafts an Overlay 1.0 file that adds to the
//! effective spec what another document has and it lacks: whole operations
//! (with the components they use), query parameters, request-body and
//! response fields, and enum values. One action per addition, each with a
//! `TODO:` description for the maintainer to check and complete.
//!
//! Targets are chosen against the effective spec as the draft grows, and
//! every action is applied with the project's own applier as it is drafted,
//! so the file applies cleanly after the existing overlays.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use crate::overlay;
use crate::spec_diff::{Change, Operation, Place, Report, normalised};
use crate::spec_fields::{self, Document, Location, Step, member, pointer};

/// The drafted overlay as YAML, and how many actions it has.
pub fn draft(
    ours: &Value,
    theirs: &Value,
    report: &Report,
    theirs_name: &str,
) -> Result<(String, usize), String> {
    let mut drafter = Drafter {
        working: ours.clone(),
        theirs: Document::new(theirs),
        theirs_name,
        actions: Vec::new(),
        added: BTreeSet::new(),
        skipped: Vec::new(),
    };
    for operation in &report.only_theirs {
        drafter.add_operation(operation)?;
    }
    for matched in &report.matched {
        for difference in &matched.differences {
            drafter.add_difference(matched.ours, matched.theirs, difference)?;
        }
    }
    let count = drafter.actions.len();
    let yaml = drafter.into_yaml()?;
    // The file as written must apply to the spec it was drafted against.
    let parsed: Value =
        serde_yaml::from_str(&yaml).map_err(|e| format!("the draft does not parse back: {e}"))?;
    overlay::apply(&mut ours.clone(), &parsed)
        .map_err(|e| format!("the draft does not apply to the effective spec: {e}"))?;
    Ok((yaml, count))
}

struct Drafter<'a> {
    /// The effective spec with the actions drafted so far applied.
    working: Value,
    theirs: Document<'a>,
    theirs_name: &'a str,
    actions: Vec<Value>,
    /// Targets and names already added, so a schema shared by several
    /// operations gets each addition once.
    added: BTreeSet<String>,
    /// Additions that have no place to go in ours, listed in the file.
    skipped: Vec<String>,
}

impl Drafter<'_> {
    fn at(&self, location: &[Step]) -> Option<&Value> {
        Document::new(&self.working).at(location)
    }

    /// Records the action and applies it to the working spec.
    fn act(&mut self, target: &[Step], description: String, update: Value) -> Result<(), String> {
        let Some(target) = jsonpath(target) else {
            self.skipped.push(format!(
                "{description} (no JSONPath can name {})",
                pointer(target)
            ));
            return Ok(());
        };
        let action = json!({
            "target": target,
            "description": format!("TODO: {description}"),
            "update": update,
        });
        let overlay = json!({"overlay": "1.0.0", "actions": [action.clone()]});
        overlay::apply(&mut self.working, &overlay)
            .map_err(|e| format!("drafting `{target}`: {e}"))?;
        self.actions.push(action);
        Ok(())
    }

    /// Adds `name: value` as a member of the object at `parent`, or of a new
    /// `key` object there.
    fn add_member(
        &mut self,
        parent: &[Step],
        key: &str,
        name: &str,
        value: Value,
        description: String,
    ) -> Result<(), String> {
        let holder = member(parent, key);
        if self.at(&holder).is_some_and(Value::is_object) {
            self.act(&holder, description, json!({ name: value }))
        } else {
            self.act(parent, description, json!({ key: { name: value } }))
        }
    }

    /// Appends `value` to the array `key` of the object at `parent`,
    /// creating the array if needed.
    fn append(
        &mut self,
        parent: &[Step],
        key: &str,
        value: Value,
        description: String,
    ) -> Result<(), String> {
        let holder = member(parent, key);
        if self.at(&holder).is_some_and(Value::is_array) {
            self.act(&holder, description, json!([value]))
        } else {
            self.act(parent, description, json!({ key: [value] }))
        }
    }

    /// Copies the components `value` refers to (and those they refer to)
    /// from theirs where ours has none of that name.
    fn bring_components(&mut self, value: &Value, user: &str) -> Result<(), String> {
        let mut pending = Vec::new();
        collect_refs(value, &mut pending);
        while let Some(reference) = pending.pop() {
            let Some((kind, name)) = component_name(&reference) else {
                continue;
            };
            let location = member(&member(&member(&[], "components"), &kind), &name);
            if self.at(&location).is_some() || !self.added.insert(reference.clone()) {
                continue;
            }
            let Some(node) = self.theirs.at(&location) else {
                self.skipped.push(format!(
                    "`{reference}`, which {user} uses, is not in theirs"
                ));
                continue;
            };
            let node = node.clone();
            collect_refs(&node, &mut pending);
            let description = format!(
                "adds `{reference}` from {}, which {user} uses; check its fields, \
                 required-ness and nullable lists against the API",
                self.theirs_name
            );
            let components = member(&[], "components");
            if self.at(&components).is_some() {
                self.add_member(&components, &kind, &name, node, description)?;
            } else {
                self.act(
                    &[],
                    description,
                    json!({"components": {kind: {name: node}}}),
                )?;
            }
        }
        Ok(())
    }

    fn add_operation(&mut self, operation: &Operation) -> Result<(), String> {
        let verb = operation.method.to_uppercase();
        let mut node = operation.node.clone();
        let their_item = member(&member(&[], "paths"), &operation.path);
        let our_path = self
            .at(&member(&[], "paths"))
            .and_then(Value::as_object)
            .and_then(|paths| {
                paths
                    .keys()
                    .find(|p| normalised(p) == normalised(&operation.path))
                    .cloned()
            })
            .unwrap_or_else(|| operation.path.clone());
        let renames: BTreeMap<String, String> = parameter_names(&operation.path)
            .into_iter()
            .zip(parameter_names(&our_path))
            .collect();
        let parameters = self.parameters_of(operation, &their_item, &renames)?;
        if let Some(map) = node.as_object_mut() {
            map.remove("parameters");
            if !parameters.is_empty() {
                map.insert("parameters".into(), Value::Array(parameters));
            }
        }
        if let Some(Value::Object(responses)) = node.get_mut("responses") {
            // Error responses come from the shared envelope (99-errors.yml).
            responses.retain(|status, _| status.starts_with('2'));
        }
        let user = format!("{verb} {our_path}");
        self.bring_components(&node, &user)?;
        let description = format!(
            "adds `{user}` from {} (their operationId `{}`{}); check its parameters, body, \
             response and rate limit against the API",
            self.theirs_name,
            operation.operation_id.as_deref().unwrap_or("none"),
            operation
                .summary
                .as_deref()
                .map(|s| format!(": {s}"))
                .unwrap_or_default()
        );
        let paths = member(&[], "paths");
        self.add_member(&paths, &our_path, operation.method, node, description)
    }

    /// The operation's parameters with the path item's shared ones folded in
    /// and path parameters named as in our path template.
    fn parameters_of(
        &self,
        operation: &Operation,
        their_item: &[Step],
        renames: &BTreeMap<String, String>,
    ) -> Result<Vec<Value>, String> {
        let declared = |location: Location| -> Vec<(Location, Value)> {
            let list = member(&location, "parameters");
            match self.theirs.at(&list) {
                Some(Value::Array(items)) => items
                    .iter()
                    .enumerate()
                    .map(|(i, p)| (spec_fields::child(&list, Step::Index(i)), p.clone()))
                    .collect(),
                _ => Vec::new(),
            }
        };
        let mut out: Vec<(String, String, Value)> = Vec::new();
        for (location, parameter) in declared(operation.location.clone())
            .into_iter()
            .chain(declared(their_item.to_vec()))
        {
            let (resolved, _, _) = self.theirs.resolve(&parameter, location)?;
            let text = |key| {
                resolved
                    .get(key)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string()
            };
            let (place, name) = (text("in"), text("name"));
            if out.iter().any(|(p, n, _)| *p == place && *n == name) {
                continue;
            }
            let value = match renames.get(&name) {
                Some(ours) if place == "path" && *ours != name => {
                    let mut renamed = resolved.clone();
                    renamed["name"] = json!(ours);
                    renamed
                }
                _ => parameter,
            };
            out.push((place, name, value));
        }
        Ok(out.into_iter().map(|(_, _, value)| value).collect())
    }

    fn add_difference(
        &mut self,
        ours: &Operation,
        theirs: &Operation,
        difference: &crate::spec_diff::Difference,
    ) -> Result<(), String> {
        let user = format!(
            "the {} of {} {}",
            difference.place.name(),
            ours.method.to_uppercase(),
            ours.path
        );
        let (Some(our_fields), Some(their_fields)) = (
            ours.fields(difference.place),
            theirs.fields(difference.place),
        ) else {
            if difference.change == Change::OnlyTheirs {
                self.skipped.push(format!(
                    "{user}: only theirs has one; add it with the operation's other changes"
                ));
            }
            return Ok(());
        };
        let path = &difference.field;
        match &difference.change {
            Change::OnlyTheirs
                if difference.place == Place::Query && !path.contains(['.', '[']) =>
            {
                let Some((_, parameter)) = theirs.query_parameters.get(path) else {
                    return Ok(());
                };
                let parameter = parameter.clone();
                self.bring_components(&parameter, &user)?;
                let field = &their_fields.fields[path];
                let description = format!(
                    "adds query parameter `{path}` ({}, {}) to {} {}, as {} has it",
                    field.kind,
                    required_text(field.required),
                    ours.method.to_uppercase(),
                    ours.path,
                    self.theirs_name
                );
                self.append(&ours.location, "parameters", parameter, description)
            }
            Change::OnlyTheirs => {
                let Some((parent, name)) = spec_fields::split_last(path) else {
                    self.skipped.push(format!(
                        "{user}: `{path}` (items or map values only in theirs)"
                    ));
                    return Ok(());
                };
                let Some(owner) = our_fields.objects.get(parent).cloned() else {
                    self.skipped.push(format!(
                        "{user}: `{path}` (`{parent}` is not an object in ours)"
                    ));
                    return Ok(());
                };
                let field = their_fields.fields[path].clone();
                if !self.added.insert(format!("{} {name}", pointer(&owner))) {
                    return Ok(());
                }
                self.bring_components(&field.declared, &user)?;
                let description = format!(
                    "adds `{name}` ({}, {}) to {} for {user} (`{path}` in {})",
                    field.kind,
                    required_text(field.required),
                    pointer(&owner),
                    self.theirs_name
                );
                self.add_member(&owner, "properties", name, field.declared, description)?;
                if field.required && !path.ends_with("[]") {
                    let description = format!(
                        "marks `{name}` of {} required, as {} does for {user}; drop this action \
                         if Pylon does not always send it",
                        pointer(&owner),
                        self.theirs_name
                    );
                    self.append(&owner, "required", json!(name), description)?;
                }
                Ok(())
            }
            Change::Enum {
                ours: Some(our_values),
                theirs: Some(_),
            } => {
                let our_field = &our_fields.fields[path];
                let their_field = &their_fields.fields[path];
                let missing: Vec<Value> = their_field
                    .enum_values
                    .iter()
                    .flatten()
                    .filter(|v| !our_values.contains(&spec_fields::enum_text(v)))
                    .cloned()
                    .collect();
                let location = our_field.schema.clone();
                if missing.is_empty() || !self.added.insert(format!("{} enum", pointer(&location)))
                {
                    return Ok(());
                }
                let shown: Vec<String> = missing.iter().map(spec_fields::enum_text).collect();
                let description = format!(
                    "adds the enum values {} of `{path}` in {user}, as {} lists them",
                    shown.join(", "),
                    self.theirs_name
                );
                let target = member(&location, "enum");
                self.act(&target, description, Value::Array(missing))
            }
            _ => Ok(()),
        }
    }

    fn into_yaml(self) -> Result<String, String> {
        let mut root = serde_yaml::Mapping::new();
        root.insert("overlay".into(), "1.0.0".into());
        let mut info = serde_yaml::Mapping::new();
        info.insert(
            "title".into(),
            format!(
                "Draft: what {} has and the effective spec lacks",
                self.theirs_name
            )
            .into(),
        );
        info.insert("version".into(), "1.0.0".into());
        root.insert("info".into(), info.into());
        let mut actions = Vec::new();
        for action in &self.actions {
            let mut ordered = serde_yaml::Mapping::new();
            for key in ["target", "description", "update"] {
                let value = serde_yaml::to_value(&action[key])
                    .map_err(|e| format!("the draft does not serialise: {e}"))?;
                ordered.insert(key.into(), value);
            }
            actions.push(serde_yaml::Value::Mapping(ordered));
        }
        root.insert("actions".into(), serde_yaml::Value::Sequence(actions));
        let body = serde_yaml::to_string(&root)
            .map_err(|e| format!("the draft does not serialise: {e}"))?;
        let mut header = format!(
            "# Drafted by `cargo xtask diff-spec --write-overlay` from\n# {}:\n\
             # what that document has and the effective spec lacks, one action per addition.\n\
             # Check each TODO against the API, complete or drop it, then move the actions\n\
             # into their area's file.\n",
            self.theirs_name
        );
        for skipped in &self.skipped {
            header.push_str(&format!("# Not drafted: {skipped}\n"));
        }
        Ok(format!("{header}{body}"))
    }
}

fn required_text(required: bool) -> &'static str {
    if required { "required" } else { "optional" }
}

/// The names of a path template's parameters, in order.
fn parameter_names(path: &str) -> Vec<String> {
    path.split('{')
        .skip(1)
        .filter_map(|part| part.split_once('}').map(|(name, _)| name.to_string()))
        .collect()
}

fn collect_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                match (key.as_str(), child) {
                    ("$ref", Value::String(reference)) => out.push(reference.clone()),
                    _ => collect_refs(child, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect_refs(item, out)),
        _ => {}
    }
}

/// `#/components/schemas/Tag` as `("schemas", "Tag")`.
fn component_name(reference: &str) -> Option<(String, String)> {
    let rest = reference.strip_prefix("#/components/")?;
    let (kind, name) = rest.split_once('/')?;
    let unescape = |s: &str| s.replace("~1", "/").replace("~0", "~");
    (!name.contains('/')).then(|| (unescape(kind), unescape(name)))
}

/// The location as a JSONPath the overlay applier reads, if one can name it.
pub fn jsonpath(location: &[Step]) -> Option<String> {
    let mut out = String::from("$");
    for step in location {
        match step {
            Step::Index(index) => out.push_str(&format!("[{index}]")),
            Step::Name(name) => {
                let plain = name
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                    && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                if plain {
                    out.push('.');
                    out.push_str(name);
                } else if !name.contains('\'') {
                    out.push_str(&format!("['{name}']"));
                } else if !name.contains('"') {
                    out.push_str(&format!("[\"{name}\"]"));
                } else {
                    return None;
                }
            }
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec_diff::{compare, operations};

    fn drafted(ours: &Value, theirs: &Value) -> (Value, Value, usize, usize) {
        let (our_doc, their_doc) = (Document::new(ours), Document::new(theirs));
        let (our_ops, their_ops) = (
            operations(&our_doc).unwrap(),
            operations(&their_doc).unwrap(),
        );
        let report = compare(&our_ops, &their_ops);
        let before = differences(&report);
        let (yaml, _) = draft(ours, theirs, &report, "theirs.json").unwrap();
        let overlay: Value = serde_yaml::from_str(&yaml).unwrap();
        let mut patched = ours.clone();
        overlay::apply(&mut patched, &overlay).unwrap();
        let patched_doc = Document::new(&patched);
        let after_ops = operations(&patched_doc).unwrap();
        let after = differences(&compare(&after_ops, &their_ops));
        (overlay, patched, before, after)
    }

    fn differences(report: &Report) -> usize {
        report.only_theirs.len()
            + report
                .matched
                .iter()
                .map(|m| m.differences.len())
                .sum::<usize>()
    }

    #[test]
    fn jsonpaths_quote_what_needs_quoting_and_index_arrays() {
        let location = vec![
            Step::Name("paths".into()),
            Step::Name("/tags/{id}".into()),
            Step::Name("get".into()),
            Step::Name("parameters".into()),
            Step::Index(2),
            Step::Name("it's".into()),
        ];
        assert_eq!(
            jsonpath(&location).unwrap(),
            "$.paths['/tags/{id}'].get.parameters[2][\"it's\"]"
        );
        assert_eq!(jsonpath(&[Step::Name("a'\"".into())]), None);
    }

    #[test]
    fn an_operation_only_in_theirs_is_added_with_the_schemas_it_uses() {
        let ours = json!({"paths": {"/teams/{team_id}": {"get": {"operationId": "getTeam",
            "responses": {"200": {"description": ""}}}}},
            "components": {"schemas": {"Shared": {"type": "string"}}}});
        let theirs = json!({
            "paths": {"/teams/{id}": {
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                "get": {"operationId": "GetTeam", "responses": {"200": {"description": ""}}},
                "delete": {"operationId": "DeleteTeam", "summary": "Delete a team",
                    "responses": {
                        "200": {"description": "", "content": {"application/json": {"schema":
                            {"$ref": "#/components/schemas/Deleted"}}}},
                        "404": {"$ref": "#/components/responses/NotFound"}}}}},
            "components": {"schemas": {
                "Deleted": {"type": "object", "properties": {"ok": {"$ref": "#/components/schemas/Flag"},
                                                            "s": {"$ref": "#/components/schemas/Shared"}}},
                "Flag": {"type": "boolean"},
                "Shared": {"type": "integer"}}}});
        let (overlay, patched, before, after) = drafted(&ours, &theirs);
        let delete = &patched["paths"]["/teams/{team_id}"]["delete"];
        assert_eq!(delete["operationId"], "DeleteTeam");
        assert_eq!(delete["parameters"][0]["name"], "team_id");
        assert!(delete["responses"].get("404").is_none());
        assert_eq!(patched["components"]["schemas"]["Flag"]["type"], "boolean");
        assert!(patched["components"]["schemas"]["Deleted"].is_object());
        // Ours keeps its own schema of the same name.
        assert_eq!(patched["components"]["schemas"]["Shared"]["type"], "string");
        let descriptions: Vec<&str> = overlay["actions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["description"].as_str().unwrap())
            .collect();
        assert_eq!(descriptions.len(), 3, "{descriptions:?}");
        assert!(descriptions.iter().all(|d| d.starts_with("TODO: ")));
        assert!(
            descriptions.iter().any(|d| d
                .contains("adds `DELETE /teams/{team_id}` from theirs.json")
                && d.contains("`DeleteTeam`: Delete a team")),
            "{descriptions:?}"
        );
        // What is left is the type of `s`: the added operation uses ours'
        // `Shared`, a string, where theirs has an integer.
        assert_eq!((before, after), (1, 1));
    }

    #[test]
    fn parameters_fields_and_enum_values_only_in_theirs_are_added() {
        let ours = json!({
            "components": {"schemas": {"Item": {"type": "object", "required": ["id"], "properties": {
                "id": {"type": "string"},
                "state": {"type": "string", "enum": ["open"]}}}}},
            "paths": {"/items": {"get": {"operationId": "listItems",
                "parameters": [{"name": "sort", "in": "query", "schema": {"type": "string", "enum": ["asc"]}}],
                "responses": {"200": {"content": {"application/json": {"schema": {
                    "type": "object", "properties": {"data": {"type": "array",
                        "items": {"$ref": "#/components/schemas/Item"}}}}}}}}},
                "post": {"operationId": "createItem",
                    "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
                    "responses": {"200": {"description": ""}}}}}});
        let theirs = json!({
            "paths": {"/items": {"get": {"operationId": "ListItems",
                "parameters": [
                    {"name": "sort", "in": "query", "schema": {"type": "string", "enum": ["asc", "desc"]}},
                    {"name": "limit", "in": "query", "required": true, "schema": {"type": "integer"}}],
                "responses": {"200": {"content": {"application/json": {"schema": {
                    "type": "object", "properties": {"data": {"type": "array", "items": {
                        "type": "object", "required": ["id", "title"], "properties": {
                            "id": {"type": "string"},
                            "title": {"type": "string"},
                            "state": {"type": "string", "enum": ["open", "closed"]}}}}}}}}}}},
                "post": {"operationId": "CreateItem",
                    "requestBody": {"content": {"application/json": {"schema": {"type": "object",
                        "properties": {"name": {"type": "string"}}}}}},
                    "responses": {"200": {"description": ""}}}}}});
        let (_, patched, before, after) = drafted(&ours, &theirs);
        let item = &patched["components"]["schemas"]["Item"];
        assert_eq!(item["properties"]["title"], json!({"type": "string"}));
        assert_eq!(item["required"], json!(["id", "title"]));
        assert_eq!(
            item["properties"]["state"]["enum"],
            json!(["open", "closed"])
        );
        let get = &patched["paths"]["/items"]["get"];
        assert_eq!(
            get["parameters"][0]["schema"]["enum"],
            json!(["asc", "desc"])
        );
        assert_eq!(get["parameters"][1]["name"], "limit");
        assert_eq!(get["parameters"][1]["required"], true);
        let body =
            &patched["paths"]["/items"]["post"]["requestBody"]["content"]["application/json"];
        assert_eq!(body["schema"]["properties"]["name"]["type"], "string");
        // What remains is what a draft does not add: operation ids differ
        // only in case and nothing else is left.
        assert_eq!((before, after), (5, 0));
    }
}
