//! What regeneration promises a maintainer: an operation added in one
//! overlay edit comes out complete, and an operation's facts travel with
//! its path item.

use serde_json::{Value, json};

use super::*;

fn fixture(name: &str) -> PathBuf {
    workspace_root().join("xtask/fixtures").join(name)
}

/// The lines `after` has that `before` lacks, and the lines it lost.
fn added_and_removed(before: &str, after: &str) -> (Vec<String>, Vec<String>) {
    let diff = similar::TextDiff::from_lines(before, after);
    let mut added = Vec::new();
    let mut removed = Vec::new();
    for change in diff.iter_all_changes() {
        match change.tag() {
            similar::ChangeTag::Insert => added.push(change.value().to_string()),
            similar::ChangeTag::Delete => removed.push(change.value().to_string()),
            similar::ChangeTag::Equal => {}
        }
    }
    (added, removed)
}

/// The catalogue entry of `id` in a generated catalogue, as text.
fn catalogue_entry<'a>(catalogue: &'a str, id: &str) -> &'a str {
    let start = catalogue
        .find(&format!("id: \"{id}\","))
        .unwrap_or_else(|| panic!("no catalogue entry for {id}"));
    let end = catalogue[start..]
        .find("response_fields")
        .map_or(catalogue.len(), |at| start + at);
    &catalogue[start..end]
}

/// `overlay/74-widgets.yml` (here a fixture) adds `GET /widgets` with its
/// facts: regeneration gives it a typed method sent through the pipeline, a
/// paginator, a catalogue entry with its rate limit, retry class and page
/// sizes, and a mock helper, and changes nothing that was there.
#[test]
fn an_operation_added_in_one_overlay_edit_comes_out_complete() {
    let root = workspace_root();
    let generate_all = |spec: &openapiv3::OpenAPI| {
        let (generated, _) = without_hand_written(spec);
        let (client, mock) = generate(&generated, spec).unwrap();
        let (catalogue, paginators) = catalogue_and_paginators(spec).unwrap();
        [client, mock, catalogue, paginators]
    };
    let (before, _) = corrected_spec(&root).unwrap();
    let (after, _) = corrected_spec_with(&root, &[fixture("74-widgets.yml")]).unwrap();
    let before = generate_all(&before);
    let [client, mock, catalogue, paginators] = generate_all(&after);

    assert!(client.contains("pub fn list_widgets(&self) -> builder::ListWidgets<'_> {"));
    assert!(client.contains("pub struct WidgetListResponse {"));
    let widgets_send = client
        .split("pub async fn send(")
        .find(|send| send.contains("operations::LIST_WIDGETS"))
        .expect("a send() for list_widgets");
    assert!(
        widgets_send.contains("crate::runtime::url("),
        "{widgets_send}"
    );
    assert!(
        widgets_send.contains("crate::runtime::send("),
        "{widgets_send}"
    );
    assert!(mock.contains("fn list_widgets<F>(&self, config_fn: F) -> ::httpmock::Mock<'_>"));
    let entry: String = catalogue_entry(&catalogue, "list_widgets")
        .split_whitespace()
        .collect();
    for fact in [
        "method: Method::Get,",
        "path: \"/widgets\",",
        "pagination: Pagination::QueryCursor,",
        "page_items: Some(\"data\"),",
        "page_sizes: Some(PageSizes { min: 1, max: 500 }),",
        "rate_limit: 45,",
        "retry: RetryClass::Idempotent,",
        "time_window: None,",
    ] {
        let fact: String = fact.split_whitespace().collect();
        assert!(entry.contains(&fact), "{fact} is not in {entry}");
    }
    assert!(catalogue.contains("pub(crate) const LIST_WIDGETS: &Operation"));
    assert!(
        paginators
            .contains("fn paginate_list_widgets(&self) -> Paginator<types::WidgetListResponse>;")
    );
    assert!(paginators.contains("impl_page!(WidgetListResponse => Widget in data);"));

    // Only additions, apart from the catalogue's size and the positions of
    // the entries after the new one.
    let after = [client, mock, catalogue, paginators];
    for (before, after) in before.iter().zip(&after) {
        let (_, removed) = added_and_removed(before, after);
        let unexpected: Vec<&String> = removed
            .iter()
            .filter(|line| !line.contains("OPERATIONS"))
            .collect();
        assert!(unexpected.is_empty(), "lines changed: {unexpected:?}");
    }
}

/// Every path item copied to a new path (its operations renamed) gives
/// operations whose facts, parameters, bodies and answers equal the
/// original's; each paginated one gets its own paginator.
#[test]
fn an_operation_copied_to_a_new_path_keeps_every_fact() {
    let (spec, _) = corrected_spec(&workspace_root()).unwrap();
    let mut doc = serde_json::to_value(&spec).unwrap();
    let mut copies = serde_json::Map::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        let mut item = item.clone();
        for (method, operation) in item.as_object_mut().unwrap() {
            if method == "parameters" {
                continue;
            }
            let id = operation["operationId"].as_str().unwrap().to_string();
            operation["operationId"] = json!(format!("{id}Copy"));
            operation["summary"] = json!("A copy");
        }
        copies.insert(format!("/copy-of{path}"), item);
    }
    let overlay = json!({
        "overlay": "1.0.0",
        "info": {"title": "copies", "version": "1.0.0"},
        "actions": [{
            "target": "$.paths",
            "description": "Every path item again, under /copy-of.",
            "update": Value::Object(copies),
        }],
    });
    overlay::apply(&mut doc, &overlay).unwrap();
    let rows = operations::rows(&doc).unwrap();
    let catalogue = format_rust(&parse_rust(operations::tokens(&rows)).unwrap());
    let paginators = format_rust(&parse_rust(paginators::tokens(&rows).unwrap()).unwrap());
    let originals: Vec<&operations::OperationRow> =
        rows.iter().filter(|r| !r.id.ends_with("_copy")).collect();
    assert_eq!(originals.len(), 168);
    for original in originals {
        let copy = rows
            .iter()
            .find(|r| r.id == format!("{}_copy", original.id))
            .unwrap_or_else(|| panic!("no copy of {}", original.id));
        assert_eq!(copy.path, format!("/copy-of{}", original.path));
        // An inline body's type is named after its operation.
        let pascal = operations::type_name(&original.id);
        let normalised = |row: &operations::OperationRow| {
            let mut row = row.clone();
            row.id = String::new();
            row.path = String::new();
            row.summary = String::new();
            format!("{row:?}").replace(&format!("{pascal}Copy"), &pascal)
        };
        assert_eq!(normalised(copy), normalised(original));
        // The catalogue entries say the same apart from id, path and summary.
        let entry = |row: &operations::OperationRow| {
            let text = catalogue_entry(&catalogue, &row.id);
            text.replacen(&format!("{:?}", row.path), "PATH", 1)
                .replacen(&format!("{:?}", row.summary), "SUMMARY", 1)
                .replacen(&format!("{:?}", row.id), "ID", 1)
                .replace(&format!("{pascal}Copy"), &pascal)
        };
        assert_eq!(entry(copy), entry(original), "{}", original.id);
        if original.pagination != operations::Pagination::None {
            assert!(
                paginators.contains(&format!("fn paginate_{}(", copy.id)),
                "no paginator for {}",
                copy.id
            );
        }
    }
}

/// An operation without its facts, or with facts its parameters
/// contradict, stops regeneration with the operation's name.
#[test]
fn missing_or_contradicted_facts_stop_regeneration() {
    let (spec, _) = corrected_spec(&workspace_root()).unwrap();
    let doc = serde_json::to_value(&spec).unwrap();
    let broken = |path: &str, method: &str, change: &dyn Fn(&mut Value)| {
        let mut doc = doc.clone();
        change(&mut doc["paths"][path][method]);
        operations::rows(&doc).unwrap_err()
    };
    let error = broken("/tags/{id}", "get", &|op| {
        op.as_object_mut().unwrap().remove("x-pylon-rate-limit");
    });
    assert!(
        error.starts_with("get_tag: no `x-pylon-rate-limit`"),
        "{error}"
    );
    let error = broken("/tags", "post", &|op| op["x-pylon-retry"] = json!("maybe"));
    assert!(
        error.starts_with("create_tag: `x-pylon-retry` is"),
        "{error}"
    );
    let error = broken("/accounts", "get", &|op| {
        op.as_object_mut().unwrap().remove("x-pylon-pagination");
    });
    assert!(
        error.starts_with("list_accounts: its answer is a page with a cursor"),
        "{error}"
    );
    let error = broken("/accounts", "get", &|op| {
        op["x-pylon-pagination"]["cursor"] = json!("body");
    });
    assert!(
        error.contains("list_accounts: `x-pylon-pagination.cursor`"),
        "{error}"
    );
    let error = broken("/accounts", "get", &|op| {
        op.as_object_mut().unwrap().remove("x-pylon-page-size");
    });
    assert!(
        error.contains("takes `limit` but has no `x-pylon-page-size`"),
        "{error}"
    );
    let error = broken("/tags", "post", &|op| {
        op["x-pylon-non-empty"] = json!(["colour"])
    });
    assert!(
        error.contains("create_tag: `x-pylon-non-empty` names \"colour\""),
        "{error}"
    );
    let error = broken("/issues", "get", &|op| {
        op["x-pylon-time-window"]["start"] = json!("since");
    });
    assert!(
        error.contains("list_issues: `x-pylon-time-window`"),
        "{error}"
    );
}
