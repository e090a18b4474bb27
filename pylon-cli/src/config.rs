//! The tags-and-custom-fields file: its model, reading (YAML or TOML, by
//! extension), checking and writing.

use std::collections::HashSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::failure::{Failure, Result};

/// The custom-field kinds Pylon documents.
pub const FIELD_TYPES: [&str; 10] = [
    "text",
    "number",
    "decimal",
    "boolean",
    "date",
    "datetime",
    "user",
    "url",
    "select",
    "multiselect",
];

/// What an organization should have. A field left out of an entry is not
/// managed: `hex_color`, `description`, `ai_description` and
/// `select_options` are compared only when given.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Tags, identified by object type and value.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<TagSpec>,
    /// Custom-field definitions, identified by object type and slug.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub custom_fields: Vec<FieldSpec>,
}

/// One tag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TagSpec {
    /// The tag's text.
    pub value: String,
    /// `account`, `issue`, `contact`, ...
    pub object_type: String,
    /// `#rrggbb`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hex_color: Option<String>,
}

/// One custom-field definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldSpec {
    /// The key values are stored under.
    pub slug: String,
    /// What users see.
    pub label: String,
    /// `account`, `issue`, `contact`, ...
    pub object_type: String,
    /// One of [`FIELD_TYPES`]; it cannot change once created.
    #[serde(rename = "type")]
    pub field_type: String,
    /// The field's description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The options of a select or multiselect field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub select_options: Option<Vec<OptionSpec>>,
}

/// One option of a select or multiselect field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptionSpec {
    /// The value stored when the option is chosen.
    pub slug: String,
    /// What users see.
    pub label: String,
    /// Guidance for Pylon's AI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ai_description: Option<String>,
    /// The option's slug before a rename: the option is re-slugged in
    /// place, keeping the values stored with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<String>,
}

/// The file formats, chosen by extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// YAML (`.yaml`, `.yml`).
    Yaml,
    /// TOML (`.toml`).
    Toml,
}

impl Format {
    /// The format a file's extension names.
    pub fn of(path: &Path) -> Result<Format> {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("yaml" | "yml") => Ok(Format::Yaml),
            Some("toml") => Ok(Format::Toml),
            _ => Err(Failure::usage(format!(
                "{}: the file must end in .yaml, .yml or .toml",
                path.display()
            ))),
        }
    }
}

impl Config {
    /// Reads and checks a file.
    pub fn load(path: &Path) -> Result<Config> {
        let format = Format::of(path)?;
        let text = std::fs::read_to_string(path)
            .map_err(|e| Failure::usage(format!("{}: {e}", path.display())))?;
        let config = Config::parse(&text, format)
            .map_err(|e| Failure::usage(format!("{}: {e}", path.display())))?;
        config
            .check()
            .map_err(|e| Failure::usage(format!("{}: {e}", path.display())))?;
        Ok(config)
    }

    /// Parses text in `format`.
    pub fn parse(text: &str, format: Format) -> std::result::Result<Config, String> {
        match format {
            Format::Yaml => {
                if text.trim().is_empty() {
                    return Ok(Config::default());
                }
                serde_norway::from_str(text).map_err(|e| format!("not a valid config: {e}"))
            }
            Format::Toml => toml::from_str(text).map_err(|e| {
                let message = e.to_string();
                format!("not a valid config: {}", message.trim().replace('\n', " "))
            }),
        }
    }

    /// Writes the config in `format`.
    pub fn render(&self, format: Format) -> std::result::Result<String, String> {
        match format {
            Format::Yaml => serde_norway::to_string(self).map_err(|e| e.to_string()),
            Format::Toml => toml::to_string_pretty(self).map_err(|e| e.to_string()),
        }
    }

    /// Refuses what Pylon would refuse or what is ambiguous.
    pub fn check(&self) -> std::result::Result<(), String> {
        let mut tags = HashSet::new();
        for (n, tag) in self.tags.iter().enumerate() {
            let at = format!("tags[{n}]");
            non_empty(&at, "value", &tag.value)?;
            non_empty(&at, "object_type", &tag.object_type)?;
            if let Some(color) = &tag.hex_color
                && !is_hex_color(color)
            {
                return Err(format!(
                    "{at}: hex_color {color:?} is not a colour like #ff0000"
                ));
            }
            if !tags.insert((tag.object_type.as_str(), tag.value.as_str())) {
                return Err(format!(
                    "{at}: tag {}/{} is declared twice",
                    tag.object_type, tag.value
                ));
            }
        }
        let mut fields = HashSet::new();
        for (n, field) in self.custom_fields.iter().enumerate() {
            let at = format!("custom_fields[{n}]");
            non_empty(&at, "slug", &field.slug)?;
            non_empty(&at, "label", &field.label)?;
            non_empty(&at, "object_type", &field.object_type)?;
            if !FIELD_TYPES.contains(&field.field_type.as_str()) {
                return Err(format!(
                    "{at}: type {:?} is not one of {}",
                    field.field_type,
                    FIELD_TYPES.join(", ")
                ));
            }
            if !fields.insert((field.object_type.as_str(), field.slug.as_str())) {
                return Err(format!(
                    "{at}: custom field {}/{} is declared twice",
                    field.object_type, field.slug
                ));
            }
            let Some(options) = &field.select_options else {
                continue;
            };
            if !field.is_select() {
                return Err(format!(
                    "{at}: only select and multiselect fields have select_options"
                ));
            }
            let mut slugs = HashSet::new();
            let mut renamed = HashSet::new();
            for (m, option) in options.iter().enumerate() {
                let at = format!("{at}.select_options[{m}]");
                non_empty(&at, "slug", &option.slug)?;
                non_empty(&at, "label", &option.label)?;
                if !slugs.insert(option.slug.as_str()) {
                    return Err(format!("{at}: option {} is declared twice", option.slug));
                }
                if let Some(old) = &option.renamed_from {
                    non_empty(&at, "renamed_from", old)?;
                    if !renamed.insert(old.as_str()) || old == &option.slug {
                        return Err(format!(
                            "{at}: renamed_from {old:?} must name another, single option"
                        ));
                    }
                }
            }
            if let Some(clash) = renamed.iter().find(|old| slugs.contains(*old)) {
                return Err(format!(
                    "{at}: option {clash} is both declared and renamed from"
                ));
            }
        }
        Ok(())
    }

    /// The object types the file's custom fields belong to, sorted.
    pub fn field_object_types(&self) -> Vec<String> {
        let mut types: Vec<String> = self
            .custom_fields
            .iter()
            .map(|f| f.object_type.clone())
            .collect();
        types.sort();
        types.dedup();
        types
    }
}

impl FieldSpec {
    /// Whether the field has options.
    pub fn is_select(&self) -> bool {
        matches!(self.field_type.as_str(), "select" | "multiselect")
    }
}

fn non_empty(at: &str, field: &str, value: &str) -> std::result::Result<(), String> {
    if value.trim().is_empty() {
        Err(format!("{at}: {field} cannot be empty"))
    } else {
        Ok(())
    }
}

fn is_hex_color(color: &str) -> bool {
    color
        .strip_prefix('#')
        .is_some_and(|hex| matches!(hex.len(), 3 | 6) && hex.chars().all(|c| c.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const YAML: &str = "
tags:
  - value: vip
    object_type: account
    hex_color: '#ff0000'
custom_fields:
  - slug: tier
    label: Tier
    object_type: account
    type: select
    description: Support tier
    select_options:
      - slug: gold
        label: Gold
      - slug: silver
        label: Silver
        ai_description: The middle tier
";

    #[test]
    fn yaml_and_toml_read_the_same_config_and_round_trip() {
        let yaml = Config::parse(YAML, Format::Yaml).unwrap();
        yaml.check().unwrap();
        assert_eq!(yaml.tags[0].hex_color.as_deref(), Some("#ff0000"));
        let options = yaml.custom_fields[0].select_options.as_ref().unwrap();
        assert_eq!(
            options[1].ai_description.as_deref(),
            Some("The middle tier")
        );
        let toml = yaml.render(Format::Toml).unwrap();
        assert!(toml.contains("[[custom_fields.select_options]]"), "{toml}");
        assert_eq!(Config::parse(&toml, Format::Toml).unwrap(), yaml);
        let again = yaml.render(Format::Yaml).unwrap();
        assert_eq!(Config::parse(&again, Format::Yaml).unwrap(), yaml);
    }

    #[test]
    fn unknown_fields_and_mistakes_are_refused_with_their_place() {
        let typo = Config::parse(
            "tags:\n  - value: x\n    object_typ: account\n",
            Format::Yaml,
        );
        assert!(typo.unwrap_err().contains("object_typ"));
        let cases = [
            (
                "tags:\n  - {value: ' ', object_type: account}\n",
                "tags[0]: value cannot be empty",
            ),
            (
                "tags:\n  - {value: a, object_type: account, hex_color: red}\n",
                "not a colour",
            ),
            (
                "tags:\n  - {value: a, object_type: account}\n  - {value: a, object_type: account}\n",
                "declared twice",
            ),
            (
                "custom_fields:\n  - {slug: s, label: L, object_type: issue, type: colour}\n",
                "is not one of",
            ),
            (
                "custom_fields:\n  - {slug: s, label: L, object_type: issue, type: text, select_options: []}\n",
                "only select",
            ),
            (
                "custom_fields:\n  - slug: s\n    label: L\n    object_type: issue\n    type: select\n    select_options:\n      - {slug: a, label: A}\n      - {slug: a, label: B}\n",
                "option a is declared twice",
            ),
            (
                "custom_fields:\n  - slug: s\n    label: L\n    object_type: issue\n    type: select\n    select_options:\n      - {slug: a, label: A}\n      - {slug: b, label: B, renamed_from: a}\n",
                "both declared and renamed",
            ),
        ];
        for (text, expected) in cases {
            let config = Config::parse(text, Format::Yaml).unwrap();
            let error = config.check().unwrap_err();
            assert!(error.contains(expected), "{text}: {error}");
        }
    }

    #[test]
    fn the_extension_picks_the_format() {
        assert_eq!(Format::of(Path::new("a.YML")).unwrap(), Format::Yaml);
        assert_eq!(Format::of(Path::new("a.toml")).unwrap(), Format::Toml);
        assert!(Format::of(Path::new("a.json")).is_err());
        assert!(Format::of(Path::new("a")).is_err());
    }

    #[test]
    fn the_example_file_is_valid() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/pylon.yaml");
        let config = Config::load(&path).unwrap();
        assert_eq!((config.tags.len(), config.custom_fields.len()), (3, 2));
    }

    #[test]
    fn an_empty_file_declares_nothing() {
        assert_eq!(Config::parse("", Format::Yaml).unwrap(), Config::default());
        assert_eq!(Config::parse("", Format::Toml).unwrap(), Config::default());
    }
}
