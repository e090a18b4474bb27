//! Issues carrying fields no version of the SDK models, at every level,
//! written with bytes a re-encoding would change: for checking that what
//! Pylon sends is kept exactly.

use serde_json::{Value, json};

/// Unknown fields, written with bytes a re-encoding would change (a
/// trailing zero, escapes, spacing, a number past `i64`).
pub const UNMODELLED: &str = r#"{"n":1.50,"s":"caf\u00e9 \ud83d\ude00","big":123456789012345678901234,"l":[ 1 , {"deep":null} ]}"#;

/// The full list_issues fixture's issue, with `UNMODELLED` added under a
/// new key to every object of a modelled type, as raw JSON text.
pub fn issue_with_unknown_fields_everywhere(id: &str, number: i64) -> String {
    let fixture: Value =
        serde_json::from_str(include_str!("../fixtures/responses/list_issues.full.json")).unwrap();
    let mut issue = fixture["data"][0].clone();
    issue["id"] = json!(id);
    issue["number"] = json!(number);
    let mut marked = 0;
    mark_objects(&mut issue, &mut marked);
    assert!(marked > 10, "only {marked} objects marked");
    serde_json::to_string(&issue)
        .unwrap()
        .replace("\"__unmodelled__\"", UNMODELLED)
}

/// Adds a placeholder field to every object that is not a map keyed by
/// data (custom-field values, time maps).
fn mark_objects(value: &mut Value, marked: &mut usize) {
    match value {
        Value::Object(fields) => {
            // Maps keyed by data: custom fields by slug, times by status.
            let is_keyed_map = fields.keys().any(|k| k == "tier" || k == "waiting_on_you");
            for (_, field) in fields.iter_mut() {
                mark_objects(field, marked);
            }
            if !is_keyed_map {
                fields.insert("x_unmodelled".into(), json!("__unmodelled__"));
                *marked += 1;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| mark_objects(item, marked)),
        _ => {}
    }
}
