//! Response fixtures for every operation of the SDK: for each, one response
//! with every documented field (`<operation>.full.json`) and one with only
//! the fields Pylon always sends (`<operation>.minimal.json`), in
//! `tests/fixtures/responses/`.
//!
//! Each fixture must decode into the operation's response type, encode back
//! to the same JSON (nothing dropped or reshaped), contain no `null`, and
//! cover the type's JSON schema (from `schemars`): the full fixture uses
//! every property of every object type it reaches at least once, and every
//! object in the minimal fixture has exactly its required properties. The
//! operations listed here must be exactly the SDK's operations, and the
//! directory must hold exactly their two fixtures each.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use pylon_sdk::types;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Full,
    Minimal,
}

impl Kind {
    fn suffix(self) -> &'static str {
        match self {
            Kind::Full => "full",
            Kind::Minimal => "minimal",
        }
    }
}

fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/responses")
}

/// Reads, decodes and checks one fixture; returns the decoded response.
fn checked_fixture<T>(operation: &str, kind: Kind) -> T
where
    T: DeserializeOwned + Serialize + schemars::JsonSchema,
{
    let path = fixture_dir().join(format!("{operation}.{}.json", kind.suffix()));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let json: Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: not JSON: {e}", path.display()));
    let decoded: T = serde_json::from_value(json.clone())
        .unwrap_or_else(|e| panic!("{}: does not decode: {e}", path.display()));
    assert_eq!(
        serde_json::to_value(&decoded).unwrap(),
        json,
        "{}: decoding and encoding again changes it",
        path.display()
    );
    let schema = serde_json::to_value(schemars::schema_for!(T)).unwrap();
    let mut coverage = Coverage::default();
    walk(&json, &schema, &schema, "$", kind, &mut coverage)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    if kind == Kind::Full {
        let missing = coverage.missing();
        assert!(
            missing.is_empty(),
            "{}: never uses {missing:?}",
            path.display()
        );
    }
    every_optional_value_may_be_null::<T>(&json, &schema, &path);
    unknown_fields_are_kept_at_every_level::<T>(&json, &schema, &path);
    decoded
}

/// Where in a fixture a test may change it: the optional properties it has
/// and the objects of a modelled type, as JSON pointers.
#[derive(Default)]
struct Positions {
    optional: Vec<String>,
    typed_objects: Vec<String>,
}

fn pointer_token(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// Collects the [`Positions`] of `value`, read against `schema`.
fn positions(value: &Value, schema: &Value, root: &Value, at: &str, out: &mut Positions) {
    let (_, schema) = resolve(schema, root);
    if let Some(alternatives) = schema["anyOf"].as_array() {
        if let Some(present) = alternatives.iter().find(|a| a["type"] != "null") {
            positions(value, present, root, at, out);
        }
        return;
    }
    match value {
        Value::Object(fields) if schema["properties"].is_object() => {
            out.typed_objects.push(at.to_string());
            let required: BTreeSet<&str> = schema["required"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            for (field, field_value) in fields {
                let here = format!("{at}/{}", pointer_token(field));
                if !required.contains(field.as_str()) {
                    out.optional.push(here.clone());
                }
                positions(field_value, &schema["properties"][field], root, &here, out);
            }
        }
        Value::Object(entries) => {
            for (key, entry) in entries {
                let here = format!("{at}/{}", pointer_token(key));
                positions(entry, &schema["additionalProperties"], root, &here, out);
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                positions(item, &schema["items"], root, &format!("{at}/{index}"), out);
            }
        }
        _ => {}
    }
}

/// Pylon (written in Go) sends `null` for an absent list, map or object:
/// the fixture with any one optional value set to `null` still decodes.
fn every_optional_value_may_be_null<T: DeserializeOwned>(
    json: &Value,
    schema: &Value,
    path: &std::path::Path,
) {
    let mut found = Positions::default();
    positions(json, schema, schema, "", &mut found);
    for pointer in &found.optional {
        let mut with_null = json.clone();
        *with_null.pointer_mut(pointer).unwrap() = Value::Null;
        if let Err(e) = serde_json::from_str::<T>(&with_null.to_string()) {
            panic!("{}: null at {pointer} does not decode: {e}", path.display());
        }
    }
}

/// Fields this version does not model, added to every object of a modelled
/// type, are decoded, kept and written back exactly.
fn unknown_fields_are_kept_at_every_level<T: DeserializeOwned + Serialize>(
    json: &Value,
    schema: &Value,
    path: &std::path::Path,
) {
    let mut found = Positions::default();
    positions(json, schema, schema, "", &mut found);
    let mut extended = json.clone();
    for (depth, pointer) in found.typed_objects.iter().enumerate() {
        let object = extended
            .pointer_mut(pointer)
            .unwrap()
            .as_object_mut()
            .unwrap();
        object.insert(
            format!("unmodelled_{depth}"),
            serde_json::json!({"nested": [1.5, "\u{e9}", null, {"deep": true}], "n": depth}),
        );
        object.insert("extra".into(), Value::from(depth));
    }
    let text = extended.to_string();
    let decoded: T = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{}: unknown fields break decoding: {e}", path.display()));
    assert_eq!(
        serde_json::to_value(&decoded).unwrap(),
        extended,
        "{}: unknown fields are lost or changed",
        path.display()
    );
}

/// For every object type a fixture reaches: its properties, and the ones
/// the fixture used.
#[derive(Default)]
struct Coverage {
    types: BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)>,
}

impl Coverage {
    fn missing(&self) -> Vec<String> {
        self.types
            .iter()
            .flat_map(|(name, (properties, used))| {
                properties
                    .difference(used)
                    .map(move |property| format!("{name}.{property}"))
            })
            .collect()
    }
}

/// The schema a `$ref` points to, and the definition's name.
fn resolve<'a>(schema: &'a Value, root: &'a Value) -> (Option<&'a str>, &'a Value) {
    match schema["$ref"].as_str() {
        Some(reference) => {
            let name = reference.trim_start_matches("#/$defs/");
            (Some(name), &root["$defs"][name])
        }
        None => (None, schema),
    }
}

/// Checks `value` against `schema`, recording which properties are used.
fn walk(
    value: &Value,
    schema: &Value,
    root: &Value,
    at: &str,
    kind: Kind,
    coverage: &mut Coverage,
) -> Result<(), String> {
    if value.is_null() {
        return Err(format!("{at} is null; fixtures give every field a value"));
    }
    let (name, schema) = resolve(schema, root);
    // An optional reference is `anyOf: [{$ref}, {type: null}]`.
    if let Some(alternatives) = schema["anyOf"].as_array() {
        let present: Vec<_> = alternatives
            .iter()
            .filter(|alternative| alternative["type"] != "null")
            .collect();
        return match present.as_slice() {
            [only] => walk(value, only, root, at, kind, coverage),
            _ => Err(format!("{at}: unexpected schema {schema}")),
        };
    }
    match value {
        Value::Object(fields) if schema["properties"].is_object() => {
            let properties = schema["properties"].as_object().unwrap();
            let required: BTreeSet<String> = schema["required"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|name| name.as_str().map(str::to_string))
                .collect();
            let key = name.map_or_else(|| at.to_string(), str::to_string);
            let entry = coverage
                .types
                .entry(key)
                .or_insert_with(|| (properties.keys().cloned().collect(), BTreeSet::new()));
            entry.1.extend(fields.keys().cloned());
            let present: BTreeSet<String> = fields.keys().cloned().collect();
            let absent: Vec<_> = required.difference(&present).collect();
            if !absent.is_empty() {
                return Err(format!("{at} lacks required {absent:?}"));
            }
            if kind == Kind::Minimal && present != required {
                let optional: Vec<_> = present.difference(&required).collect();
                return Err(format!(
                    "{at} has optional {optional:?} in a minimal fixture"
                ));
            }
            for (field, field_value) in fields {
                let Some(field_schema) = properties.get(field) else {
                    return Err(format!("{at}.{field} is not in the schema"));
                };
                walk(
                    field_value,
                    field_schema,
                    root,
                    &format!("{at}.{field}"),
                    kind,
                    coverage,
                )?;
            }
            Ok(())
        }
        Value::Object(entries) => {
            let Some(entry_schema) = schema.get("additionalProperties") else {
                return Err(format!("{at}: an object where the schema has {schema}"));
            };
            for (key, entry) in entries {
                walk(
                    entry,
                    entry_schema,
                    root,
                    &format!("{at}[{key:?}]"),
                    kind,
                    coverage,
                )?;
            }
            Ok(())
        }
        Value::Array(items) => {
            let item_schema = &schema["items"];
            for (index, item) in items.iter().enumerate() {
                walk(
                    item,
                    item_schema,
                    root,
                    &format!("{at}[{index}]"),
                    kind,
                    coverage,
                )?;
            }
            Ok(())
        }
        // Scalars: the round trip through the Rust type has checked them.
        _ => Ok(()),
    }
}

macro_rules! fixtures {
    ($($operation:ident => $response:ident |$r:ident| $check:expr;)*) => {
        $(
            #[test]
            fn $operation() {
                for kind in [Kind::Full, Kind::Minimal] {
                    let decoded: types::$response = checked_fixture(stringify!($operation), kind);
                    let $r = &decoded;
                    $check;
                }
            }
        )*

        /// Every operation listed above.
        const LISTED: &[&str] = &[$(stringify!($operation)),*];
    };
}

fixtures! {
    add_feature_request_evidence => FeatureRequestEvidenceResponse |r| assert!(r.request_id.starts_with("req"));
    add_issue_group_children => SuccessResponse |r| assert!(r.success);
    create_account => AccountResponse |r| assert_eq!(r.data.id, "acc_1");
    create_account_activity => SuccessDataResponse |r| assert!(r.request_id.starts_with("req"));
    create_account_highlight => AccountHighlightResponse |r| assert!(r.request_id.starts_with("req"));
    create_account_notebook_note => AccountNotebookNoteResponse |r| assert!(r.request_id.starts_with("req"));
    create_account_relationship => AccountRelationshipResponse |r| assert!(r.request_id.starts_with("req"));
    create_article => ArticleResponse |r| assert_eq!(r.data.id, "art_1");
    create_attachment => AttachmentResponse |r| assert_eq!(r.data.id, "att_1");
    create_call_recording => CallRecordingResponse |r| assert!(r.request_id.starts_with("req"));
    create_collection => CollectionResponse |r| assert_eq!(r.data.id, "col_1");
    create_contact => ContactResponse |r| assert_eq!(r.data.id, "con_1");
    create_custom_field => CustomFieldResponse |r| assert_eq!(r.data.id, "cf_1");
    create_custom_object => CustomObjectResponse |r| assert!(r.request_id.starts_with("req"));
    create_feature_request => FeatureRequestResponse |r| assert!(r.request_id.starts_with("req"));
    create_issue => IssueResponse |r| assert_eq!(r.data.id, "iss_1");
    create_issue_ai_response => AiResponseResult |r| assert!(r.response_valid);
    create_issue_draft_reply => DraftReplyResponse |r| assert_eq!(r.data.id, "drf_1");
    create_issue_group => IssueResponse |r| assert!(r.data.is_issue_group);
    create_issue_note => PostedMessageResponse |r| assert_eq!(r.data.id, "msg_10");
    create_issue_thread => IssueThreadResponse |r| assert_eq!(r.data.id, "thr_1");
    create_macro => MacroResponse |r| assert_eq!(r.data.id, "mac_1");
    create_milestone => MilestoneResponse |r| assert_eq!(r.data.id, "ms_1");
    create_project => ProjectResponse |r| assert_eq!(r.data.id, "prj_1");
    create_route_redirect => RouteRedirectResponse |r| assert_eq!(r.data.id, "rr_1");
    create_select_option => CustomFieldOptionResponse |r| assert_eq!(r.request_id, "req_create_select_option");
    create_tag => TagResponse |r| assert_eq!(r.data.id, "tag_1");
    create_task => TaskResponse |r| assert_eq!(r.data.id, "task_1");
    create_task_comment => TaskCommentResponse |r| assert!(r.request_id.starts_with("req"));
    create_team => TeamResponse |r| assert_eq!(r.data.id, "team_1");
    create_training_data => TrainingDataResponse |r| assert!(r.request_id.starts_with("req"));
    delete_account => AckResponse |r| assert_eq!(r.request_id, "req_delete_account");
    delete_account_highlight => SuccessDataResponse |r| assert!(r.request_id.starts_with("req"));
    delete_account_relationship => AccountRelationshipResponse |r| assert!(r.request_id.starts_with("req"));
    delete_article => AckResponse |r| assert_eq!(r.request_id, "req_delete_article");
    delete_call_recording => AckResponse |r| assert!(r.request_id.starts_with("req"));
    delete_collection => AckResponse |r| assert_eq!(r.request_id, "req_delete_collection");
    delete_contact => AckResponse |r| assert_eq!(r.request_id, "req_delete_contact");
    delete_custom_object => AckResponse |r| assert!(r.request_id.starts_with("req"));
    delete_email_suppression => AckResponse |r| assert_eq!(r.request_id, "req_delete_email_suppression");
    delete_feature_request => AckResponse |r| assert!(r.request_id.starts_with("req"));
    delete_issue => AckResponse |r| assert_eq!(r.request_id, "req_delete_issue");
    delete_issue_message => AckResponse |r| assert_eq!(r.request_id, "req_delete_issue_message");
    delete_macro => AckResponse |r| assert_eq!(r.request_id, "req_delete_macro");
    delete_milestone => AckResponse |r| assert_eq!(r.request_id, "req_delete_milestone");
    delete_project => AckResponse |r| assert_eq!(r.request_id, "req_delete_project");
    delete_select_option => DeleteSelectOptionResponse |r| assert!(r.data.success);
    delete_tag => AckResponse |r| assert_eq!(r.request_id, "req_delete_tag");
    delete_task => AckResponse |r| assert_eq!(r.request_id, "req_delete_task");
    delete_task_comment => AckResponse |r| assert!(r.request_id.starts_with("req"));
    delete_training_data_documents => DeleteTrainingDataDocumentsResponse |r| assert!(r.request_id.starts_with("req"));
    get_account => AccountResponse |r| assert_eq!(r.data.id, "acc_1");
    get_article => ArticleResponse |r| assert_eq!(r.data.id, "art_1");
    get_call_recording => CallRecordingResponse |r| assert!(r.request_id.starts_with("req"));
    get_collection => CollectionResponse |r| assert!(r.request_id.starts_with("req"));
    get_contact => ContactResponse |r| assert_eq!(r.data.id, "con_1");
    get_custom_field => CustomFieldResponse |r| assert_eq!(r.data.id, "cf_1");
    get_custom_object => CustomObjectResponse |r| assert!(r.request_id.starts_with("req"));
    get_feature_request => FeatureRequestResponse |r| assert!(r.request_id.starts_with("req"));
    get_issue => IssueResponse |r| assert_eq!(r.data.id, "iss_1");
    get_knowledge_base => KnowledgeBaseResponse |r| assert!(r.request_id.starts_with("req"));
    get_knowledge_base_theme => KnowledgeBaseThemeResponse |r| assert!(r.request_id.starts_with("req"));
    get_macro => MacroResponse |r| assert_eq!(r.data.id, "mac_1");
    get_me => MeResponse |r| assert_eq!(r.data.user.email, "bot@vendor.example");
    get_milestone => MilestoneResponse |r| assert_eq!(r.data.id, "ms_1");
    get_project => ProjectResponse |r| assert_eq!(r.data.id, "prj_1");
    get_survey => SurveyResponse |r| assert!(r.request_id.starts_with("req"));
    get_tag => TagResponse |r| assert_eq!(r.data.id, "tag_1");
    get_task => TaskResponse |r| assert_eq!(r.data.id, "task_1");
    get_team => TeamResponse |r| assert_eq!(r.data.id, "team_1");
    get_ticket_form => TicketFormResponse |r| assert_eq!(r.data.id, "tf_1");
    get_training_data => TrainingDataResponse |r| assert!(r.request_id.starts_with("req"));
    get_user => UserResponse |r| assert_eq!(r.data.id, "usr_1");
    import_contact => ContactResponse |r| assert_eq!((r.data.id.as_str(), r.data.name.as_str()), ("con_2", "Grace Hopper"));
    import_issue => IssueResponse |r| assert_eq!((r.data.id.as_str(), r.data.state.as_str()), ("iss_1", "closed"));
    import_issue_messages => IssueResponse |r| assert_eq!(r.request_id, "req_import_issue_messages");
    link_external_incident => IssueResponse |r| assert_eq!(r.data.id, "iss_1");
    link_external_issues => IssueResponse |r| assert_eq!(r.data.id, "iss_1");
    link_feature_request_external_issue => FeatureRequestResponse |r| assert!(r.request_id.starts_with("req"));
    link_task_external_issue => TaskResponse |r| assert!(r.request_id.starts_with("req"));
    link_task_issue => TaskResponse |r| assert!(r.request_id.starts_with("req"));
    list_account_activities => AccountActivityListResponse |r| assert!(r.request_id.starts_with("req"));
    list_account_notebook_notes => AccountNotebookNoteListResponse |r| assert!(r.request_id.starts_with("req"));
    list_account_relationships => AccountRelationshipListResponse |r| assert!(r.request_id.starts_with("req"));
    list_accounts => AccountListResponse |r| assert_eq!(r.data[0].id, "acc_1");
    list_activity_types => ActivityTypeListResponse |r| assert!(r.request_id.starts_with("req"));
    list_article_feedback => ArticleFeedbackListResponse |r| assert!(r.request_id.starts_with("req"));
    list_articles => ArticleListResponse |r| assert_eq!(r.data[0].id, "art_1");
    list_audit_logs => AuditLogListResponse |r| assert!(r.request_id.starts_with("req"));
    list_collections => CollectionListResponse |r| assert_eq!(r.data[0].id, "col_1");
    list_contacts => ContactListResponse |r| assert_eq!(r.data[0].id, "con_1");
    list_custom_fields => CustomFieldListResponse |r| assert_eq!(r.data[0].id, "cf_1");
    list_custom_objects => CustomObjectListResponse |r| assert!(r.request_id.starts_with("req"));
    list_email_suppressions => EmailSuppressionListResponse |r| assert_eq!(r.data[0].id, "sup_1");
    list_issue_followers => FollowerListResponse |r| assert_eq!(r.data[0].id, "usr_2");
    list_issue_messages => MessageListResponse |r| assert_eq!(r.data[0].id, "msg_1");
    list_issue_statuses => IssueStatusListResponse |r| assert_eq!(r.data[0].slug, "needs_engineering");
    list_issue_survey_responses => IssueSurveyResponseListResponse |r| assert_eq!((r.issue_id.as_str(), r.data[0].survey_type.as_str()), ("iss_1", "csat"));
    list_issue_threads => IssueThreadListResponse |r| assert_eq!(r.data[0].id, "thr_1");
    list_issue_voice_calls => VoiceCallListResponse |r| assert_eq!(r.data[0].id, "call_1");
    list_issues => IssueListResponse |r| assert_eq!(r.data[0].id, "iss_1");
    list_knowledge_bases => KnowledgeBaseListResponse |r| assert_eq!(r.data[0].id, "kb_1");
    list_macro_groups => MacroGroupListResponse |r| assert_eq!(r.data[0].id, "mg_1");
    list_macros => MacroListResponse |r| assert_eq!(r.data[0].id, "mac_1");
    list_survey_responses => SurveySubmissionListResponse |r| assert!(r.request_id.starts_with("req"));
    list_surveys => SurveyListResponse |r| assert!(r.request_id.starts_with("req"));
    list_tags => TagListResponse |r| assert_eq!(r.data[0].id, "tag_1");
    list_task_comments => TaskCommentListResponse |r| assert!(r.request_id.starts_with("req"));
    list_task_statuses => TaskStatusListResponse |r| assert!(r.request_id.starts_with("req"));
    list_tasks => TaskListResponse |r| assert_eq!(r.data[0].id, "task_1");
    list_teams => TeamListResponse |r| assert_eq!(r.data[0].id, "team_1");
    list_ticket_forms => TicketFormListResponse |r| assert_eq!(r.data[0].id, "tf_1");
    list_training_data => TrainingDataListResponse |r| assert!(r.request_id.starts_with("req"));
    list_user_roles => UserRoleListResponse |r| assert!(r.request_id.starts_with("req"));
    list_users => UserListResponse |r| assert_eq!(r.data[0].id, "usr_1");
    mark_issues_as_spam => BulkIssueResponse |r| assert_eq!(r.request_id, "req_mark_issues_as_spam");
    merge_accounts => AccountResponse |r| assert_eq!(r.data.id, "acc_1");
    merge_feature_requests => FeatureRequestResponse |r| assert!(r.request_id.starts_with("req"));
    merge_issues => IssueResponse |r| assert_eq!(r.data.id, "iss_1");
    publish_knowledge_base_theme => KnowledgeBaseThemeResponse |r| assert!(r.request_id.starts_with("req"));
    redact_issue_message => MessageResponse |r| assert_eq!(r.data.message_html, "<p>This message has been redacted.</p>");
    remove_issue_group_child => SuccessResponse |r| assert!(r.success);
    reply_to_issue => PostedMessageResponse |r| assert_eq!(r.data.id, "msg_9");
    request_article_review => ArticleReviewResponse |r| assert!(r.request_id.starts_with("req"));
    search_accounts => AccountListResponse |r| assert_eq!(r.data[0].id, "acc_1");
    search_audit_logs => AuditLogListResponse |r| assert!(r.request_id.starts_with("req"));
    search_call_recordings => CallRecordingListResponse |r| assert!(r.request_id.starts_with("req"));
    search_contacts => ContactListResponse |r| assert_eq!(r.data[0].id, "con_1");
    search_custom_objects => CustomObjectListResponse |r| assert!(r.request_id.starts_with("req"));
    search_feature_requests => FeatureRequestSearchResponse |r| assert!(r.request_id.starts_with("req"));
    search_issues => IssueListResponse |r| assert_eq!(r.data[0].id, "iss_1");
    search_milestones => MilestoneListResponse |r| assert!(r.request_id.starts_with("req"));
    search_projects => ProjectListResponse |r| assert_eq!(r.data[0].id, "prj_1");
    search_surveys => SurveyListResponse |r| assert!(r.request_id.starts_with("req"));
    search_tags => TagListResponse |r| assert_eq!(r.data[0].id, "tag_1");
    search_tasks => TaskListResponse |r| assert_eq!(r.data[0].id, "task_1");
    search_users => UserListResponse |r| assert_eq!(r.data[0].id, "usr_1");
    set_feature_request_portal_visibility => FeatureRequestResponse |r| assert!(r.request_id.starts_with("req"));
    snooze_issue => IssueResponse |r| assert_eq!(r.data.id, "iss_1");
    submit_ticket_form => IssueResponse |r| assert_eq!(r.data.source, "form");
    update_account => AccountResponse |r| assert_eq!(r.data.id, "acc_1");
    update_account_highlight => AccountHighlightResponse |r| assert!(r.request_id.starts_with("req"));
    update_accounts => UpdateAccountsResponse |r| assert!(r.success);
    update_article => ArticleResponse |r| assert_eq!(r.data.id, "art_1");
    update_call_recording => CallRecordingResponse |r| assert!(r.request_id.starts_with("req"));
    update_collection => CollectionResponse |r| assert_eq!(r.data.id, "col_1");
    update_contact => ContactResponse |r| assert_eq!(r.data.id, "con_1");
    update_custom_field => CustomFieldResponse |r| assert_eq!(r.data.id, "cf_1");
    update_custom_object => CustomObjectResponse |r| assert!(r.request_id.starts_with("req"));
    update_custom_objects => UpdateCustomObjectsResponse |r| assert!(r.request_id.starts_with("req"));
    update_feature_request => FeatureRequestResponse |r| assert!(r.request_id.starts_with("req"));
    update_issue => IssueResponse |r| assert_eq!(r.data.id, "iss_1");
    update_issue_followers => FollowerListResponse |r| assert_eq!(r.data[0].id, "usr_2");
    update_issue_message => MessageResponse |r| assert_eq!(r.data.message_html, "<p>Edited: try signing in again.</p>");
    update_issues => BulkIssueResponse |r| assert_eq!(r.request_id, "req_update_issues");
    update_knowledge_base_theme => KnowledgeBaseThemeResponse |r| assert!(r.request_id.starts_with("req"));
    update_macro => MacroResponse |r| assert_eq!(r.data.id, "mac_1");
    update_milestone => MilestoneResponse |r| assert_eq!(r.data.id, "ms_1");
    update_project => ProjectResponse |r| assert_eq!(r.data.id, "prj_1");
    update_select_option => CustomFieldOptionResponse |r| assert_eq!(r.request_id, "req_update_select_option");
    update_tag => TagResponse |r| assert_eq!(r.data.id, "tag_1");
    update_task => TaskResponse |r| assert_eq!(r.data.id, "task_1");
    update_task_comment => TaskCommentResponse |r| assert!(r.request_id.starts_with("req"));
    update_team => TeamResponse |r| assert_eq!(r.data.id, "team_1");
    update_user => UserResponse |r| assert_eq!(r.data.id, "usr_1");
    upload_account_file => AccountFilesResponse |r| assert_eq!(r.request_id, "req_uaf");
    upload_training_data_content => TrainingDataResponse |r| assert!(r.request_id.starts_with("req"));
    upload_training_data_files => TrainingDataResponse |r| assert_eq!(r.request_id, "req_utdf");
}

#[test]
fn every_operation_is_listed_and_every_fixture_belongs_to_one() {
    let listed: BTreeSet<&str> = LISTED.iter().copied().collect();
    assert_eq!(listed.len(), LISTED.len(), "an operation is listed twice");
    let operations: BTreeSet<&str> = pylon_sdk::operations::all()
        .iter()
        .map(|op| op.id())
        .collect();
    assert_eq!(
        listed, operations,
        "the fixtures must cover exactly the SDK's operations"
    );
    let files: BTreeSet<String> = std::fs::read_dir(fixture_dir())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let expected: BTreeSet<String> = listed
        .iter()
        .flat_map(|operation| {
            [Kind::Full, Kind::Minimal].map(|kind| format!("{operation}.{}.json", kind.suffix()))
        })
        .collect();
    assert_eq!(files, expected);
}

#[test]
fn an_incomplete_full_fixture_or_a_padded_minimal_one_is_caught() {
    let schema = serde_json::to_value(schemars::schema_for!(types::TagResponse)).unwrap();
    let full = serde_json::json!({"data": {"id": "t", "value": "v", "object_type": "issue",
                                           "hex_color": "#fff"}, "request_id": "r"});
    let check = |json: &Value, kind: Kind| {
        let mut coverage = Coverage::default();
        walk(json, &schema, &schema, "$", kind, &mut coverage).map(|()| coverage.missing())
    };
    assert_eq!(check(&full, Kind::Full), Ok(vec![]));
    let mut without_color = full.clone();
    without_color["data"]
        .as_object_mut()
        .unwrap()
        .remove("hex_color");
    assert_eq!(
        check(&without_color, Kind::Full),
        Ok(vec!["Tag.hex_color".to_string()])
    );
    assert!(
        check(&full, Kind::Minimal).is_err(),
        "hex_color is optional"
    );
    assert_eq!(
        check(&without_color, Kind::Minimal),
        Ok(vec!["Tag.hex_color".to_string()])
    );
    let mut without_id = without_color.clone();
    without_id["data"].as_object_mut().unwrap().remove("id");
    assert!(check(&without_id, Kind::Minimal).is_err(), "id is required");
    let mut with_null = full.clone();
    with_null["data"]["hex_color"] = Value::Null;
    assert!(check(&with_null, Kind::Full).is_err());
}

/// Each full fixture uses every field of what it returns, so the fields of
/// its `data` are exactly what the catalogue says the operation answers with.
#[test]
fn the_catalogue_names_the_fields_each_operation_answers_with() {
    let mut compared = 0;
    for operation in pylon_sdk::operations::all() {
        let path = fixture_dir().join(format!("{}.full.json", operation.id()));
        let text = std::fs::read_to_string(&path).unwrap();
        let json: Value = serde_json::from_str(&text).unwrap();
        let items: Vec<&Value> = match &json["data"] {
            Value::Array(items) => items.iter().collect(),
            Value::Object(_) => vec![&json["data"]],
            _ => vec![],
        };
        let used: BTreeSet<&str> = items
            .iter()
            .filter_map(|item| item.as_object())
            .flat_map(|item| item.keys().map(String::as_str))
            .collect();
        let described: BTreeSet<&str> = operation.response_fields().iter().copied().collect();
        if described.is_empty() && used.is_empty() {
            continue;
        }
        assert_eq!(described, used, "{}", operation.id());
        compared += 1;
    }
    assert!(compared > 140, "only {compared} operations compared");
}
