//! `plan`, `apply` and `export-config` against the fake: the plan names the
//! right changes, apply makes exactly them (select options one at a time,
//! never the whole list), a second apply changes nothing, `--prune`
//! deletes, and an exported file plans to no changes.

mod common;

use common::{Fake, text};
use predicates::prelude::*;
use pylon_sdk_tests::fake::{FakeConfig, StoredCustomField, StoredOption};

const CONFIG: &str = "\
tags:
  - value: vip
    object_type: account
    hex_color: '#ff0000'
  - value: churn-risk
    object_type: account
    hex_color: '#00ff00'
  - value: bug
    object_type: issue
custom_fields:
  - slug: tier
    label: Support tier
    object_type: account
    type: select
    description: Which plan the account is on
    select_options:
      - slug: gold
        label: Gold
      - slug: silver
        label: Silver
        renamed_from: silvr
      - slug: platinum
        label: Platinum
        ai_description: The top plan
  - slug: area
    label: Product area
    object_type: issue
    type: text
";

/// An organization with some of the config already, some of it different,
/// and some things the config does not declare.
fn organization() -> Fake {
    let fake = Fake::start(FakeConfig::default());
    fake.pylon.add_tag("vip", "account", Some("#FF0000"));
    fake.pylon.add_tag("churn-risk", "account", Some("#123456"));
    fake.pylon.add_tag("legacy", "account", None);
    let mut tier = StoredCustomField::new("tier", "Tier", "select", "account");
    tier.options = vec![
        StoredOption::new("gold", "Gold"),
        StoredOption::new("silvr", "Silver"),
        StoredOption::new("bronze", "Bronze"),
    ];
    fake.pylon.add_custom_field(tier);
    fake.pylon
        .add_custom_field(StoredCustomField::new("owner", "Owner", "user", "account"));
    fake
}

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn plan_shows_the_changes_and_apply_makes_exactly_them() {
    let fake = organization();
    let dir = tempfile::tempdir().unwrap();
    let file = write(&dir, "pylon.yaml", CONFIG);

    let plan = fake
        .pylon()
        .args(["plan", "--detailed-exitcode"])
        .arg(&file)
        .assert()
        .code(2);
    let shown = text(&plan.get_output().stdout);
    for expected in [
        "  ~ tag account/churn-risk (tag_2)\n      hex_color: \"#123456\" -> \"#00ff00\"\n",
        "  + tag issue/bug\n",
        "  ~ custom field account/tier (cf_1)\n      label: \"Tier\" -> \"Support tier\"\n      description: \"\" -> \"Which plan the account is on\"\n",
        "      ~ option silvr -> silver (renamed; stored values follow)\n",
        "      + option platinum: \"Platinum\"\n",
        "  + custom field issue/area (text)\n      label: \"Product area\"\n",
        "Plan: 3 to create, 3 to update, 0 to delete.\n",
    ] {
        assert!(shown.contains(expected), "missing {expected:?} in\n{shown}");
    }
    assert!(
        !shown.contains("vip"),
        "vip matches (colours compare without case)"
    );
    assert!(
        !shown.contains("bronze") && !shown.contains("legacy"),
        "{shown}"
    );
    let notes = text(&plan.get_output().stderr);
    assert!(
        notes.contains("1 tag(s) in Pylon are not in the file"),
        "{notes}"
    );
    assert!(
        notes.contains("1 option(s) of custom field account/tier"),
        "{notes}"
    );
    assert_eq!(fake.pylon.stats().writes(), 0, "plan changes nothing");

    let applied = fake.pylon().arg("apply").arg(&file).assert().success();
    let shown = text(&applied.get_output().stdout);
    assert!(
        shown.ends_with("Apply complete: 3 created, 3 updated, 0 deleted.\n"),
        "{shown}"
    );

    let tags = fake.pylon.tags();
    let color = |value: &str| {
        tags.iter()
            .find(|t| t.value == value)
            .and_then(|t| t.hex_color.clone())
    };
    assert_eq!(color("churn-risk").as_deref(), Some("#00ff00"));
    assert!(
        tags.iter()
            .any(|t| t.value == "bug" && t.object_type == "issue")
    );
    assert!(tags.iter().any(|t| t.value == "legacy"), "not pruned");
    let fields = fake.pylon.custom_fields();
    let tier = fields.iter().find(|f| f.slug == "tier").unwrap();
    assert_eq!(tier.label, "Support tier");
    assert_eq!(tier.description, "Which plan the account is on");
    let slugs: Vec<&str> = tier.options.iter().map(|o| o.slug.as_str()).collect();
    assert_eq!(slugs, ["gold", "silver", "bronze", "platinum"]);
    assert_eq!(
        tier.options[3].ai_description.as_deref(),
        Some("The top plan")
    );
    let area = fields.iter().find(|f| f.slug == "area").unwrap();
    assert_eq!(
        (area.field_type.as_str(), area.object_type.as_str()),
        ("text", "issue")
    );

    let stats = fake.pylon.stats();
    assert_eq!(
        stats.select_options_replaced, 0,
        "never the whole option list"
    );
    assert_eq!(
        stats
            .endpoints
            .get("PATCH /custom-fields/{id}/select-options"),
        Some(&1),
        "the rename"
    );
    assert_eq!(
        stats
            .endpoints
            .get("POST /custom-fields/{id}/select-options"),
        Some(&1)
    );

    // A second apply finds nothing to do and sends no write.
    let writes = stats.writes();
    fake.pylon()
        .arg("apply")
        .arg(&file)
        .assert()
        .success()
        .stdout(format!(
            "No changes. The organization matches {}.\n",
            file.display()
        ));
    fake.pylon()
        .args(["plan", "--detailed-exitcode"])
        .arg(&file)
        .assert()
        .code(0);
    assert_eq!(fake.pylon.stats().writes(), writes);
}

#[test]
fn prune_deletes_tags_and_options_the_file_does_not_declare() {
    let fake = organization();
    let dir = tempfile::tempdir().unwrap();
    let file = write(&dir, "pylon.yml", CONFIG);
    fake.pylon().arg("apply").arg(&file).assert().success();

    let plan = fake
        .pylon()
        .args(["plan", "--prune"])
        .arg(&file)
        .assert()
        .success();
    let shown = text(&plan.get_output().stdout);
    assert!(
        shown.contains("  - tag account/legacy (tag_3)\n"),
        "{shown}"
    );
    assert!(
        shown.contains("  ~ custom field account/tier (cf_1) options\n      - option bronze: \"Bronze\" (its stored values are cleared)\n"),
        "{shown}"
    );
    assert!(
        shown.contains("Plan: 0 to create, 0 to update, 2 to delete."),
        "{shown}"
    );
    let notes = text(&plan.get_output().stderr);
    assert!(
        notes.contains(
            "custom field(s) account/owner are not in the file; Pylon's API cannot delete"
        ),
        "{notes}"
    );

    fake.pylon()
        .args(["apply", "--prune"])
        .arg(&file)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "- deleted tag account/legacy (tag_3)",
        ))
        .stdout(predicate::str::contains(
            "- deleted option bronze of custom field account/tier",
        ));
    assert!(!fake.pylon.tags().iter().any(|t| t.value == "legacy"));
    let tier = &fake.pylon.custom_fields()[0];
    assert!(!tier.options.iter().any(|o| o.slug == "bronze"));
    assert_eq!(fake.pylon.stats().select_options_replaced, 0);
    fake.pylon()
        .args(["plan", "--prune", "--detailed-exitcode"])
        .arg(&file)
        .assert()
        .code(0);
}

#[test]
fn exported_config_round_trips_in_yaml_and_toml() {
    let fake = organization();
    let dir = tempfile::tempdir().unwrap();
    for name in ["org.yaml", "org.toml"] {
        let file = dir.path().join(name);
        fake.pylon()
            .args(["export-config", "--object-types", "account,issue", "-o"])
            .arg(&file)
            .assert()
            .success();
        let written = std::fs::read_to_string(&file).unwrap();
        assert!(
            written.contains("legacy") && written.contains("bronze"),
            "{written}"
        );
        fake.pylon()
            .args(["plan", "--prune", "--detailed-exitcode"])
            .arg(&file)
            .assert()
            .code(0)
            .stdout(predicate::str::starts_with("No changes."));
    }
    let yaml = fake
        .pylon()
        .args(["export-config", "--format", "toml"])
        .assert()
        .success();
    assert!(text(&yaml.get_output().stdout).contains("[[custom_fields.select_options]]"));
}

#[test]
fn files_pylon_cannot_apply_are_usage_errors() {
    let fake = organization();
    let dir = tempfile::tempdir().unwrap();
    let retyped = write(
        &dir,
        "retyped.toml",
        "[[custom_fields]]\nslug = \"tier\"\nlabel = \"Tier\"\nobject_type = \"account\"\ntype = \"text\"\n",
    );
    fake.pylon()
        .arg("plan")
        .arg(&retyped)
        .assert()
        .code(64)
        .stderr(predicate::str::contains("cannot change a field's type"));
    // terraform's convention: with --detailed-exitcode every failure is 1.
    fake.pylon()
        .args(["plan", "--detailed-exitcode"])
        .arg(&retyped)
        .assert()
        .code(1);
    assert_eq!(fake.pylon.stats().writes(), 0);
    let reads = fake.pylon.stats().requests;
    let typo = write(
        &dir,
        "typo.yaml",
        "tags:\n  - value: x\n    objecttype: account\n",
    );
    fake.pylon()
        .arg("apply")
        .arg(&typo)
        .assert()
        .code(64)
        .stderr(predicate::str::contains("objecttype"));
    let json = write(&dir, "config.json", "{}");
    fake.pylon()
        .arg("plan")
        .arg(&json)
        .assert()
        .code(64)
        .stderr(predicate::str::contains(".yaml, .yml or .toml"));
    assert_eq!(
        fake.pylon.stats().requests,
        reads,
        "refused before any request"
    );
}
