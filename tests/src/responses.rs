//! Response bodies recorded under `tests/fixtures/responses/`: for each
//! operation, `<method>.full.json` carries every field Pylon documents and
//! `<method>.minimal.json` only the required ones.

use std::path::PathBuf;

use serde_json::Value;

/// The directory holding the response fixtures.
pub fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/responses")
}

/// The fixture `<name>.json`, e.g. `response_fixture("get_survey.full")`.
///
/// # Panics
/// When the file is missing or is not JSON.
pub fn response_fixture(name: &str) -> Value {
    let path = fixture_dir().join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}
