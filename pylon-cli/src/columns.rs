//! `--columns`: which values of an issue an export writes, and CSV quoting.

use serde_json::Value;

/// The columns a CSV export writes when none are named.
pub const DEFAULT_CSV_COLUMNS: &str = "id,number,title,state,type,source,created_at,updated_at,account.id,requester.email,assignee.email,team.id,tags";

/// One column: a dotted path into the issue's JSON (`account.id`), or the
/// value of a custom field (`custom_fields.<slug>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    name: String,
    path: Vec<String>,
    custom_field: Option<String>,
}

impl Column {
    /// The column's name, as written in the CSV header or JSON key.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The column's value in `issue` (Pylon's JSON for it); `Null` when
    /// the issue has none.
    pub fn value<'a>(&self, issue: &'a Value) -> &'a Value {
        if let Some(slug) = &self.custom_field {
            let entry = &issue["custom_fields"][slug.as_str()];
            return if entry["value"].is_null() {
                &entry["values"]
            } else {
                &entry["value"]
            };
        }
        self.path.iter().fold(issue, |value, key| match value {
            Value::Array(items) => key
                .parse::<usize>()
                .ok()
                .and_then(|i| items.get(i))
                .unwrap_or(&Value::Null),
            _ => &value[key.as_str()],
        })
    }
}

/// Parses `--columns` (comma-separated). A column may name any field,
/// those this version does not model too: they are read from the issue as
/// Pylon sent it.
pub fn parse(spec: &str) -> Result<Vec<Column>, String> {
    let mut columns = Vec::new();
    for name in spec.split(',').map(str::trim) {
        if name.is_empty() {
            return Err(format!("--columns {spec:?} has an empty column name"));
        }
        let path: Vec<String> = name.split('.').map(str::to_string).collect();
        if path.iter().any(String::is_empty) {
            return Err(format!("column {name:?} has an empty part"));
        }
        let custom_field = match path.as_slice() {
            [first, slug] if first == "custom_fields" => Some(slug.clone()),
            [first, _, _, ..] if first == "custom_fields" => {
                return Err(format!(
                    "column {name:?}: name a custom field as custom_fields.<slug>"
                ));
            }
            _ => None,
        };
        if columns.iter().any(|c: &Column| c.name == name) {
            return Err(format!("column {name:?} is named twice"));
        }
        columns.push(Column {
            name: name.to_string(),
            path,
            custom_field,
        });
    }
    Ok(columns)
}

/// The columns whose first name is not a field of the issue object this
/// version models (a misspelling, or a field Pylon added since), for a note.
pub fn unmodelled(columns: &[Column]) -> Vec<&str> {
    let fields = pylon_sdk::operations::find("list_issues")
        .map(|list| list.response_fields())
        .unwrap_or_default();
    columns
        .iter()
        .filter(|column| !fields.contains(&column.path[0].as_str()))
        .map(Column::name)
        .collect()
}

/// A value as CSV text: strings as they are, numbers and booleans as
/// written in JSON, nothing for null, lists and objects as compact JSON.
pub fn text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(_) | Value::Number(_) => value.to_string(),
        Value::Array(_) | Value::Object(_) => value.to_string(),
    }
}

/// One CSV record (RFC 4180): a field with a comma, quote, CR or LF is
/// quoted, quotes inside doubled; lines end in CRLF.
pub fn csv_record<'a>(fields: impl IntoIterator<Item = &'a str>, out: &mut Vec<u8>) {
    for (n, field) in fields.into_iter().enumerate() {
        if n > 0 {
            out.push(b',');
        }
        if field.contains([',', '"', '\r', '\n']) {
            out.push(b'"');
            out.extend_from_slice(field.replace('"', "\"\"").as_bytes());
            out.push(b'"');
        } else {
            out.extend_from_slice(field.as_bytes());
        }
    }
    out.extend_from_slice(b"\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn columns_read_paths_and_custom_fields() {
        let issue = json!({
            "id": "i1", "number": 7, "account": {"id": "a1"}, "tags": ["x", "y"],
            "custom_fields": {"tier": {"slug": "tier", "value": "gold"},
                              "areas": {"slug": "areas", "values": ["auth", "sso"]}}
        });
        let columns = parse(
            "id,number,account.id,tags,custom_fields.tier,custom_fields.areas,team.id,tags.1",
        )
        .unwrap();
        let values: Vec<String> = columns.iter().map(|c| text(c.value(&issue))).collect();
        assert_eq!(
            values,
            [
                "i1",
                "7",
                "a1",
                r#"["x","y"]"#,
                "gold",
                r#"["auth","sso"]"#,
                "",
                "y"
            ]
        );
        assert_eq!(columns[4].name(), "custom_fields.tier");
    }

    #[test]
    fn any_field_is_a_column_and_the_unmodelled_ones_are_named() {
        let columns = parse("id,titel,sla_tier.name,custom_fields.tier").unwrap();
        assert_eq!(unmodelled(&columns), ["titel", "sla_tier.name"]);
        let issue = json!({"id": "i1", "sla_tier": {"name": "gold"}});
        assert_eq!(text(columns[2].value(&issue)), "gold");
        assert_eq!(text(columns[1].value(&issue)), "");
        assert!(unmodelled(&parse(DEFAULT_CSV_COLUMNS).unwrap()).is_empty());
    }

    #[test]
    fn malformed_columns_are_refused() {
        assert!(parse("id,").is_err());
        assert!(parse("account..id").is_err());
        assert!(parse("custom_fields").is_ok(), "the whole map, as JSON");
        assert!(parse("custom_fields.a.b").is_err());
        assert!(parse("id,id").is_err());
        parse(DEFAULT_CSV_COLUMNS).unwrap();
    }

    #[test]
    fn csv_quotes_only_what_needs_it() {
        let mut out = Vec::new();
        csv_record(["plain", "a,b", "say \"hi\"", "two\nlines", ""], &mut out);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\r\n"
        );
    }
}
