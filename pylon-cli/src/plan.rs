//! `plan`, `apply` and `export-config`: the organization's tags and custom
//! fields compared with a file, the changes that make them match, and the
//! file that describes them as they are.

use std::fmt::Write as _;

use pylon_sdk::{Client, TagsExt, types};

use crate::config::{Config, FieldSpec, OptionSpec, TagSpec};
use crate::failure::{Failure, Result};

/// A tag as the organization has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    pub id: String,
    pub value: String,
    pub object_type: String,
    pub hex_color: Option<String>,
}

/// A custom field as the organization has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub id: String,
    pub slug: String,
    pub label: String,
    pub object_type: String,
    pub field_type: String,
    pub description: String,
    pub read_only: bool,
    /// `(slug, label, ai_description)`, in Pylon's order.
    pub options: Vec<(String, String, Option<String>)>,
}

/// What the organization has.
#[derive(Debug, Clone, Default)]
pub struct State {
    pub tags: Vec<Tag>,
    pub fields: Vec<Field>,
}

impl State {
    /// Reads every tag and the custom fields of `object_types`.
    pub async fn read(client: &Client, object_types: &[String]) -> Result<State> {
        let tags = client
            .list_tags()
            .send()
            .await?
            .into_inner()
            .data
            .into_iter()
            .map(|tag| Tag {
                id: tag.id,
                value: tag.value,
                object_type: tag.object_type,
                hex_color: tag.hex_color,
            })
            .collect();
        let mut fields = Vec::new();
        for object_type in object_types {
            let listed = client
                .list_custom_fields()
                .object_type(object_type.as_str())
                .send()
                .await?
                .into_inner();
            fields.extend(listed.data.into_iter().map(field));
        }
        Ok(State { tags, fields })
    }

    /// The file that describes this state: every tag, every custom field
    /// that is not synced from an integration (those are read-only), sorted.
    pub fn to_config(&self) -> Config {
        let mut tags: Vec<TagSpec> = self
            .tags
            .iter()
            .map(|tag| TagSpec {
                value: tag.value.clone(),
                object_type: tag.object_type.clone(),
                hex_color: tag.hex_color.clone(),
            })
            .collect();
        tags.sort_by(|a, b| (&a.object_type, &a.value).cmp(&(&b.object_type, &b.value)));
        let mut custom_fields: Vec<FieldSpec> = self
            .fields
            .iter()
            .filter(|field| !field.read_only)
            .map(|field| {
                let mut spec = FieldSpec {
                    slug: field.slug.clone(),
                    label: field.label.clone(),
                    object_type: field.object_type.clone(),
                    field_type: field.field_type.clone(),
                    description: Some(field.description.clone()).filter(|d| !d.is_empty()),
                    select_options: None,
                };
                if spec.is_select() {
                    spec.select_options = Some(
                        field
                            .options
                            .iter()
                            .map(|(slug, label, ai)| OptionSpec {
                                slug: slug.clone(),
                                label: label.clone(),
                                ai_description: ai.clone(),
                                renamed_from: None,
                            })
                            .collect(),
                    );
                }
                spec
            })
            .collect();
        custom_fields.sort_by(|a, b| (&a.object_type, &a.slug).cmp(&(&b.object_type, &b.slug)));
        Config {
            tags,
            custom_fields,
        }
    }
}

fn field(definition: types::CustomFieldDefinition) -> Field {
    let options = definition
        .select_metadata
        .and_then(|metadata| metadata.options)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|option| {
            Some((
                option.slug?,
                option.label.unwrap_or_default(),
                option.ai_description,
            ))
        })
        .collect();
    Field {
        id: definition.id,
        slug: definition.slug,
        label: definition.label,
        object_type: definition.object_type,
        field_type: definition.type_,
        description: definition.description,
        read_only: definition.is_read_only,
        options,
    }
}

/// A value before and after a change.
pub type Delta = (String, String);

/// One change, one API call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    CreateTag(TagSpec),
    UpdateTag {
        tag: Tag,
        hex_color: Delta,
    },
    DeleteTag(Tag),
    CreateField(FieldSpec),
    UpdateField {
        field: Field,
        label: Option<Delta>,
        description: Option<Delta>,
    },
    CreateOption {
        field: Field,
        option: OptionSpec,
    },
    UpdateOption {
        field: Field,
        current_slug: String,
        slug: Option<Delta>,
        label: Option<Delta>,
        ai_description: Option<Delta>,
    },
    DeleteOption {
        field: Field,
        slug: String,
        label: String,
    },
}

impl Change {
    fn kind(&self) -> Kind {
        match self {
            Change::CreateTag(_) | Change::CreateField(_) | Change::CreateOption { .. } => {
                Kind::Create
            }
            Change::UpdateTag { .. } | Change::UpdateField { .. } | Change::UpdateOption { .. } => {
                Kind::Update
            }
            Change::DeleteTag(_) | Change::DeleteOption { .. } => Kind::Delete,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Create,
    Update,
    Delete,
}

/// The changes that make the organization match a file, in the order they
/// are applied, and what is worth knowing but changes nothing.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub changes: Vec<Change>,
    pub notes: Vec<String>,
}

/// Compares the organization with the file.
///
/// # Errors
/// A usage failure when the file asks for what Pylon cannot do: change a
/// field's type, or change a read-only field.
pub fn plan(config: &Config, state: &State, prune: bool) -> Result<Plan> {
    let mut plan = Plan::default();
    plan_tags(config, state, prune, &mut plan);
    plan_fields(config, state, prune, &mut plan)?;
    Ok(plan)
}

fn same_color(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

fn plan_tags(config: &Config, state: &State, prune: bool, plan: &mut Plan) {
    for spec in &config.tags {
        let existing = state
            .tags
            .iter()
            .find(|tag| tag.object_type == spec.object_type && tag.value == spec.value);
        match (existing, &spec.hex_color) {
            (None, _) => plan.changes.push(Change::CreateTag(spec.clone())),
            (Some(tag), Some(wanted))
                if !tag
                    .hex_color
                    .as_deref()
                    .is_some_and(|now| same_color(now, wanted)) =>
            {
                plan.changes.push(Change::UpdateTag {
                    tag: tag.clone(),
                    hex_color: (tag.hex_color.clone().unwrap_or_default(), wanted.clone()),
                });
            }
            _ => {}
        }
    }
    let undeclared: Vec<&Tag> = state
        .tags
        .iter()
        .filter(|tag| {
            !config
                .tags
                .iter()
                .any(|spec| spec.object_type == tag.object_type && spec.value == tag.value)
        })
        .collect();
    if prune {
        plan.changes
            .extend(undeclared.into_iter().cloned().map(Change::DeleteTag));
    } else if !undeclared.is_empty() {
        plan.notes.push(format!(
            "{} tag(s) in Pylon are not in the file; --prune would delete them",
            undeclared.len()
        ));
    }
}

fn plan_fields(config: &Config, state: &State, prune: bool, plan: &mut Plan) -> Result<()> {
    for spec in &config.custom_fields {
        let name = format!("custom field {}/{}", spec.object_type, spec.slug);
        let Some(field) = state
            .fields
            .iter()
            .find(|f| f.object_type == spec.object_type && f.slug == spec.slug)
        else {
            plan.changes.push(Change::CreateField(spec.clone()));
            continue;
        };
        if field.field_type != spec.field_type {
            return Err(Failure::usage(format!(
                "{name} is of type {} in Pylon, not {}; Pylon cannot change a field's type",
                field.field_type, spec.field_type
            )));
        }
        let mut changes = Vec::new();
        let label = (field.label != spec.label).then(|| (field.label.clone(), spec.label.clone()));
        let description = spec
            .description
            .as_ref()
            .filter(|wanted| **wanted != field.description)
            .map(|wanted| (field.description.clone(), wanted.clone()));
        if label.is_some() || description.is_some() {
            changes.push(Change::UpdateField {
                field: field.clone(),
                label,
                description,
            });
        }
        if let Some(options) = &spec.select_options {
            plan_options(field, options, prune, &mut changes, &mut plan.notes);
        }
        if field.read_only && !changes.is_empty() {
            return Err(Failure::usage(format!(
                "{name} is read-only (synced from an integration) and differs from the file"
            )));
        }
        plan.changes.extend(changes);
    }
    let undeclared: Vec<&Field> = state
        .fields
        .iter()
        .filter(|field| {
            !field.read_only
                && !config
                    .custom_fields
                    .iter()
                    .any(|spec| spec.object_type == field.object_type && spec.slug == field.slug)
        })
        .collect();
    if prune && !undeclared.is_empty() {
        let names: Vec<String> = undeclared
            .iter()
            .map(|f| format!("{}/{}", f.object_type, f.slug))
            .collect();
        plan.notes.push(format!(
            "custom field(s) {} are not in the file; Pylon's API cannot delete custom fields, \
             so they are left as they are",
            names.join(", ")
        ));
    }
    Ok(())
}

/// Option changes in the order they are applied: renames (so a new slug is
/// free before anything uses it), other updates, creates, then deletes.
fn plan_options(
    field: &Field,
    wanted: &[OptionSpec],
    prune: bool,
    changes: &mut Vec<Change>,
    notes: &mut Vec<String>,
) {
    let current = |slug: &str| field.options.iter().find(|(s, _, _)| s == slug);
    let mut renames = Vec::new();
    let mut updates = Vec::new();
    let mut creates = Vec::new();
    let mut matched: Vec<&str> = Vec::new();
    for option in wanted {
        let (existing, rename_from) = match current(&option.slug) {
            Some(existing) => (Some(existing), None),
            None => match option.renamed_from.as_deref().and_then(current) {
                Some(old) => (Some(old), Some(old.0.clone())),
                None => (None, None),
            },
        };
        let Some((slug, label, ai)) = existing else {
            creates.push(Change::CreateOption {
                field: field.clone(),
                option: option.clone(),
            });
            continue;
        };
        matched.push(slug);
        let label = (*label != option.label).then(|| (label.clone(), option.label.clone()));
        let ai_description = option
            .ai_description
            .as_ref()
            .filter(|wanted| Some(*wanted) != ai.as_ref())
            .map(|wanted| (ai.clone().unwrap_or_default(), wanted.clone()));
        let change = Change::UpdateOption {
            field: field.clone(),
            current_slug: slug.clone(),
            slug: rename_from.map(|old| (old, option.slug.clone())),
            label,
            ai_description,
        };
        match &change {
            Change::UpdateOption { slug: Some(_), .. } => renames.push(change),
            Change::UpdateOption {
                label: None,
                ai_description: None,
                ..
            } => {}
            _ => updates.push(change),
        }
    }
    changes.extend(renames);
    changes.extend(updates);
    changes.extend(creates);
    let undeclared: Vec<&(String, String, Option<String>)> = field
        .options
        .iter()
        .filter(|(slug, _, _)| !matched.contains(&slug.as_str()))
        .collect();
    if prune {
        changes.extend(
            undeclared
                .into_iter()
                .map(|(slug, label, _)| Change::DeleteOption {
                    field: field.clone(),
                    slug: slug.clone(),
                    label: label.clone(),
                }),
        );
    } else if !undeclared.is_empty() {
        notes.push(format!(
            "{} option(s) of custom field {}/{} are not in the file; --prune would delete them \
             (and clear their stored values)",
            undeclared.len(),
            field.object_type,
            field.slug
        ));
    }
}

impl Plan {
    /// Whether anything would change.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    fn count(&self, kind: Kind) -> usize {
        self.changes.iter().filter(|c| c.kind() == kind).count()
    }

    /// The plan as `plan` prints it.
    pub fn render(&self, file: &str) -> String {
        if self.is_empty() {
            return format!("No changes. The organization matches {file}.\n");
        }
        let mut out = String::from("Pylon will make these changes:\n");
        let mut last_field: Option<&str> = None;
        for change in &self.changes {
            let option_of = match change {
                Change::CreateOption { field, .. }
                | Change::UpdateOption { field, .. }
                | Change::DeleteOption { field, .. } => Some(field),
                _ => None,
            };
            match option_of {
                // Option changes sit under their field's heading.
                Some(field) if last_field != Some(field.id.as_str()) => {
                    let _ = writeln!(
                        out,
                        "\n  ~ custom field {}/{} ({}) options",
                        field.object_type, field.slug, field.id
                    );
                }
                Some(_) => {}
                None => out.push('\n'),
            }
            last_field = match change {
                Change::UpdateField { field, .. } => Some(field.id.as_str()),
                _ => option_of.map(|field| field.id.as_str()),
            };
            render_change(change, &mut out);
        }
        let _ = writeln!(
            out,
            "\nPlan: {} to create, {} to update, {} to delete.",
            self.count(Kind::Create),
            self.count(Kind::Update),
            self.count(Kind::Delete)
        );
        out
    }
}

fn render_change(change: &Change, out: &mut String) {
    let delta = |out: &mut String, name: &str, (old, new): &Delta| {
        let _ = writeln!(out, "      {name}: {old:?} -> {new:?}");
    };
    match change {
        Change::CreateTag(tag) => {
            let _ = writeln!(out, "  + tag {}/{}", tag.object_type, tag.value);
            if let Some(color) = &tag.hex_color {
                let _ = writeln!(out, "      hex_color: {color:?}");
            }
        }
        Change::UpdateTag { tag, hex_color } => {
            let _ = writeln!(
                out,
                "  ~ tag {}/{} ({})",
                tag.object_type, tag.value, tag.id
            );
            delta(out, "hex_color", hex_color);
        }
        Change::DeleteTag(tag) => {
            let _ = writeln!(
                out,
                "  - tag {}/{} ({})",
                tag.object_type, tag.value, tag.id
            );
        }
        Change::CreateField(field) => {
            let _ = writeln!(
                out,
                "  + custom field {}/{} ({})",
                field.object_type, field.slug, field.field_type
            );
            let _ = writeln!(out, "      label: {:?}", field.label);
            if let Some(description) = &field.description {
                let _ = writeln!(out, "      description: {description:?}");
            }
            for option in field.select_options.iter().flatten() {
                let _ = writeln!(out, "      option {}: {:?}", option.slug, option.label);
            }
        }
        Change::UpdateField {
            field,
            label,
            description,
        } => {
            let _ = writeln!(
                out,
                "  ~ custom field {}/{} ({})",
                field.object_type, field.slug, field.id
            );
            if let Some(label) = label {
                delta(out, "label", label);
            }
            if let Some(description) = description {
                delta(out, "description", description);
            }
        }
        Change::CreateOption { option, .. } => {
            let _ = writeln!(out, "      + option {}: {:?}", option.slug, option.label);
        }
        Change::UpdateOption {
            current_slug,
            slug,
            label,
            ai_description,
            ..
        } => {
            match slug {
                Some((old, new)) => {
                    let _ = writeln!(
                        out,
                        "      ~ option {old} -> {new} (renamed; stored values follow)"
                    );
                }
                None => {
                    let _ = writeln!(out, "      ~ option {current_slug}");
                }
            }
            if let Some((old, new)) = label {
                let _ = writeln!(out, "          label: {old:?} -> {new:?}");
            }
            if let Some((old, new)) = ai_description {
                let _ = writeln!(out, "          ai_description: {old:?} -> {new:?}");
            }
        }
        Change::DeleteOption { slug, label, .. } => {
            let _ = writeln!(
                out,
                "      - option {slug}: {label:?} (its stored values are cleared)"
            );
        }
    }
}

/// Makes the changes, one API call each, printing a line per change made.
/// Stops at the first failure; running it again continues, since the plan
/// is made afresh.
pub async fn apply(
    client: &Client,
    plan: &Plan,
    out: &mut impl std::io::Write,
) -> Result<(usize, usize, usize)> {
    let mut done = (0, 0, 0);
    for change in &plan.changes {
        let line = apply_one(client, change).await?;
        writeln!(out, "{line}").map_err(|e| Failure::io("stdout", e))?;
        out.flush().map_err(|e| Failure::io("stdout", e))?;
        match change.kind() {
            Kind::Create => done.0 += 1,
            Kind::Update => done.1 += 1,
            Kind::Delete => done.2 += 1,
        }
    }
    Ok(done)
}

async fn apply_one(client: &Client, change: &Change) -> Result<String> {
    Ok(match change {
        Change::CreateTag(tag) => {
            let created = client
                .ensure_tag(&tag.value, &tag.object_type, tag.hex_color.as_deref())
                .await?;
            format!(
                "+ created tag {}/{} ({})",
                tag.object_type, tag.value, created.id
            )
        }
        Change::UpdateTag { tag, hex_color } => {
            client
                .update_tag()
                .id(&tag.id)
                .body(types::UpdateTagRequest {
                    value: None,
                    hex_color: Some(hex_color.1.clone()),
                })
                .send()
                .await?;
            format!(
                "~ updated tag {}/{} ({})",
                tag.object_type, tag.value, tag.id
            )
        }
        Change::DeleteTag(tag) => {
            client.delete_tag().id(&tag.id).send().await?;
            format!(
                "- deleted tag {}/{} ({})",
                tag.object_type, tag.value, tag.id
            )
        }
        Change::CreateField(field) => {
            let kind: types::CustomFieldType = field.field_type.parse().map_err(|_| {
                Failure::usage(format!("{} is not a custom field type", field.field_type))
            })?;
            // A new field has no stored values, so its options go with it.
            let options = field
                .select_options
                .iter()
                .flatten()
                .map(|option| types::CustomFieldSelectOption {
                    label: option.label.clone(),
                    slug: option.slug.clone(),
                    ai_description: option.ai_description.clone(),
                })
                .collect::<Vec<_>>();
            let mut body = types::CreateCustomFieldRequest::builder()
                .label(field.label.clone())
                .object_type(field.object_type.clone())
                .type_(kind)
                .slug(Some(field.slug.clone()))
                .select_options(options);
            if let Some(description) = &field.description {
                body = body.description(Some(description.clone()));
            }
            let created = client.create_custom_field().body(body).send().await?;
            format!(
                "+ created custom field {}/{} ({})",
                field.object_type, field.slug, created.data.id
            )
        }
        Change::UpdateField {
            field,
            label,
            description,
        } => {
            // Never `select_options`: that would replace the whole list.
            client
                .update_custom_field()
                .id(&field.id)
                .body(
                    types::UpdateCustomFieldRequest::builder()
                        .label(label.as_ref().map(|(_, new)| new.clone()))
                        .description(description.as_ref().map(|(_, new)| new.clone())),
                )
                .send()
                .await?;
            format!(
                "~ updated custom field {}/{} ({})",
                field.object_type, field.slug, field.id
            )
        }
        Change::CreateOption { field, option } => {
            client
                .create_select_option()
                .custom_field_id(&field.id)
                .body(types::CreateSelectOptionRequest {
                    label: option.label.clone(),
                    slug: option.slug.clone(),
                    ai_description: option.ai_description.clone(),
                })
                .send()
                .await?;
            format!(
                "+ added option {} to custom field {}/{}",
                option.slug, field.object_type, field.slug
            )
        }
        Change::UpdateOption {
            field,
            current_slug,
            slug,
            label,
            ai_description,
        } => {
            client
                .update_select_option()
                .custom_field_id(&field.id)
                .current_slug(current_slug.as_str())
                .body(types::UpdateSelectOptionRequest {
                    label: label.as_ref().map(|(_, new)| new.clone()),
                    slug: slug.as_ref().map(|(_, new)| new.clone()),
                    ai_description: ai_description.as_ref().map(|(_, new)| new.clone()),
                })
                .send()
                .await?;
            let name = match slug {
                Some((old, new)) => format!("{old} -> {new}"),
                None => current_slug.clone(),
            };
            format!(
                "~ updated option {name} of custom field {}/{}",
                field.object_type, field.slug
            )
        }
        Change::DeleteOption { field, slug, .. } => {
            client
                .delete_select_option()
                .custom_field_id(&field.id)
                .current_slug(slug.as_str())
                .send()
                .await?;
            format!(
                "- deleted option {slug} of custom field {}/{}",
                field.object_type, field.slug
            )
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(id: &str, value: &str, color: Option<&str>) -> Tag {
        Tag {
            id: id.into(),
            value: value.into(),
            object_type: "account".into(),
            hex_color: color.map(str::to_string),
        }
    }

    fn tier(options: &[(&str, &str)]) -> Field {
        Field {
            id: "cf_1".into(),
            slug: "tier".into(),
            label: "Tier".into(),
            object_type: "account".into(),
            field_type: "select".into(),
            description: String::new(),
            read_only: false,
            options: options
                .iter()
                .map(|(s, l)| (s.to_string(), l.to_string(), None))
                .collect(),
        }
    }

    fn option(slug: &str, label: &str) -> OptionSpec {
        OptionSpec {
            slug: slug.into(),
            label: label.into(),
            ai_description: None,
            renamed_from: None,
        }
    }

    fn tier_spec(options: Vec<OptionSpec>) -> FieldSpec {
        FieldSpec {
            slug: "tier".into(),
            label: "Tier".into(),
            object_type: "account".into(),
            field_type: "select".into(),
            description: None,
            select_options: Some(options),
        }
    }

    #[test]
    fn tags_are_created_recoloured_and_pruned_only_with_prune() {
        let config = Config {
            tags: vec![
                TagSpec {
                    value: "vip".into(),
                    object_type: "account".into(),
                    hex_color: Some("#FF0000".into()),
                },
                TagSpec {
                    value: "new".into(),
                    object_type: "account".into(),
                    hex_color: None,
                },
                TagSpec {
                    value: "beta".into(),
                    object_type: "account".into(),
                    hex_color: Some("#00ff00".into()),
                },
            ],
            custom_fields: vec![],
        };
        let state = State {
            tags: vec![
                tag("t1", "vip", Some("#ff0000")),
                tag("t2", "beta", None),
                tag("t3", "old", None),
            ],
            fields: vec![],
        };
        let plan = plan(&config, &state, false).unwrap();
        assert_eq!(plan.changes.len(), 2);
        assert!(matches!(&plan.changes[0], Change::CreateTag(t) if t.value == "new"));
        assert!(
            matches!(&plan.changes[1], Change::UpdateTag { tag, hex_color } if tag.id == "t2" && hex_color.1 == "#00ff00")
        );
        assert_eq!(plan.notes.len(), 1);
        let pruned = super::plan(&config, &state, true).unwrap();
        assert!(matches!(pruned.changes.last(), Some(Change::DeleteTag(t)) if t.id == "t3"));
        let shown = pruned.render("tags.yaml");
        assert!(shown.contains("  + tag account/new\n"), "{shown}");
        assert!(shown.contains("  - tag account/old (t3)\n"), "{shown}");
        assert!(
            shown.ends_with("Plan: 1 to create, 1 to update, 1 to delete.\n"),
            "{shown}"
        );
    }

    #[test]
    fn options_change_one_at_a_time_in_a_safe_order() {
        let state = State {
            tags: vec![],
            fields: vec![tier(&[
                ("gold", "Gold"),
                ("silvr", "Silver"),
                ("bronze", "Bronze"),
            ])],
        };
        let mut silver = option("silver", "Silver");
        silver.renamed_from = Some("silvr".into());
        let config = Config {
            tags: vec![],
            custom_fields: vec![tier_spec(vec![
                option("platinum", "Platinum"),
                option("gold", "Gold tier"),
                silver,
            ])],
        };
        let planned = plan(&config, &state, true).unwrap();
        let order: Vec<String> = planned
            .changes
            .iter()
            .map(|c| match c {
                Change::UpdateOption {
                    current_slug, slug, ..
                } => format!("update {current_slug} {}", slug.is_some()),
                Change::CreateOption { option, .. } => format!("create {}", option.slug),
                Change::DeleteOption { slug, .. } => format!("delete {slug}"),
                other => format!("{other:?}"),
            })
            .collect();
        assert_eq!(
            order,
            [
                "update silvr true",
                "update gold false",
                "create platinum",
                "delete bronze"
            ]
        );
        let shown = planned.render("f.yaml");
        assert!(
            shown.contains("~ option silvr -> silver (renamed"),
            "{shown}"
        );
        assert!(shown.contains("Plan: 1 to create, 2 to update, 1 to delete."));
        // Applied, the state matches: a second plan is empty.
        let after = State {
            tags: vec![],
            fields: vec![tier(&[
                ("gold", "Gold tier"),
                ("silver", "Silver"),
                ("platinum", "Platinum"),
            ])],
        };
        assert!(plan(&config, &after, true).unwrap().is_empty());
    }

    #[test]
    fn impossible_changes_are_refused() {
        let state = State {
            tags: vec![],
            fields: vec![tier(&[])],
        };
        let mut text = tier_spec(vec![]);
        text.field_type = "text".into();
        text.select_options = None;
        let config = Config {
            tags: vec![],
            custom_fields: vec![text],
        };
        let error = plan(&config, &state, false).unwrap_err();
        assert!(error.to_string().contains("cannot change a field's type"));

        let mut read_only = tier(&[]);
        read_only.read_only = true;
        let state = State {
            tags: vec![],
            fields: vec![read_only],
        };
        let mut relabelled = tier_spec(vec![]);
        relabelled.label = "Level".into();
        let config = Config {
            tags: vec![],
            custom_fields: vec![relabelled],
        };
        assert!(plan(&config, &state, false).is_err());
    }

    #[test]
    fn export_round_trips_to_an_empty_plan() {
        let mut field = tier(&[("gold", "Gold")]);
        field.description = "Support tier".into();
        let mut synced = tier(&[]);
        synced.slug = "synced".into();
        synced.read_only = true;
        let state = State {
            tags: vec![tag("t1", "vip", Some("#ff0000")), tag("t2", "a", None)],
            fields: vec![field, synced],
        };
        let config = state.to_config();
        assert_eq!(config.tags[0].value, "a", "sorted");
        assert_eq!(
            config.custom_fields.len(),
            1,
            "read-only fields are left out"
        );
        assert!(plan(&config, &state, true).unwrap().is_empty());
        assert_eq!(
            plan(&config, &state, false).unwrap().render("x.yaml"),
            "No changes. The organization matches x.yaml.\n"
        );
    }
}
