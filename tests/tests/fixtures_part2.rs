//! The response fixtures of the operations added with the second part of the
//! current API: `<method>.full.json` (every field Pylon documents) and
//! `<method>.minimal.json` (only the required ones) both decode into the
//! operation's response type, keep their `request_id`, and come back
//! unchanged when the decoded value is serialised again, so no documented
//! field is dropped.

use pylon_sdk::types;
use pylon_sdk_tests::responses::response_fixture;
use serde_json::Value;

/// Fixtures whose object is one of the older types that does not model every
/// field Pylon documents yet, with the reason.
const NOT_LOSSLESS: &[(&str, &str)] = &[
    (
        "link_task_external_issue.full",
        "Task.assignee is read as a user, Pylon sends an actor {user, contact}",
    ),
    (
        "link_task_issue.full",
        "Task.assignee is read as a user, Pylon sends an actor {user, contact}",
    ),
];

/// Decodes both fixtures of `operation` with `decode_again` (decode into the
/// response type, then serialise) and compares.
fn check(operation: &str, decode_again: impl Fn(Value) -> Result<Value, serde_json::Error>) {
    for kind in ["full", "minimal"] {
        let name = format!("{operation}.{kind}");
        let fixture = response_fixture(&name);
        let again =
            decode_again(fixture.clone()).unwrap_or_else(|e| panic!("{name} does not decode: {e}"));
        assert!(fixture["request_id"].is_string(), "{name} has a request_id");
        assert_eq!(again["request_id"], fixture["request_id"], "{name}");
        if !NOT_LOSSLESS.iter().any(|(lossy, _)| *lossy == name) {
            assert_eq!(
                again, fixture,
                "{name} changed when decoded and serialised again"
            );
        }
    }
}

macro_rules! fixtures {
    ($($operation:ident => $response:ident),* $(,)?) => {
        $(
            #[test]
            fn $operation() {
                // Never called: ties the listed type to what the operation returns.
                let _returns = |client: pylon_sdk::Client| async move {
                    let value: pylon_sdk::Response<types::$response> =
                        client.$operation().send().await.unwrap();
                    value
                };
                check(stringify!($operation), |fixture| {
                    serde_json::from_value::<types::$response>(fixture)
                        .and_then(|decoded| serde_json::to_value(&decoded))
                });
            }
        )*

        #[test]
        fn every_listed_operation_has_two_fixtures() {
            let operations = [$(stringify!($operation)),*];
            assert_eq!(operations.len(), 59);
            let dir = pylon_sdk_tests::responses::fixture_dir();
            for operation in operations {
                for kind in ["full", "minimal"] {
                    assert!(dir.join(format!("{operation}.{kind}.json")).is_file(), "{operation}.{kind}");
                }
            }
        }
    };
}

fixtures! {
    list_activity_types => ActivityTypeListResponse,
    list_account_activities => AccountActivityListResponse,
    create_account_activity => SuccessResponse,
    create_account_highlight => AccountHighlightResponse,
    update_account_highlight => AccountHighlightResponse,
    delete_account_highlight => SuccessResponse,
    list_account_notebook_notes => AccountNotebookNoteListResponse,
    create_account_notebook_note => AccountNotebookNoteResponse,
    create_account_relationship => AccountRelationshipResponse,
    list_account_relationships => AccountRelationshipListResponse,
    delete_account_relationship => AccountRelationshipResponse,
    list_custom_objects => CustomObjectListResponse,
    create_custom_object => CustomObjectResponse,
    update_custom_objects => UpdateCustomObjectsResponse,
    search_custom_objects => CustomObjectListResponse,
    get_custom_object => CustomObjectResponse,
    update_custom_object => CustomObjectResponse,
    delete_custom_object => AckResponse,
    create_feature_request => FeatureRequestResponse,
    merge_feature_requests => FeatureRequestResponse,
    search_feature_requests => FeatureRequestSearchResponse,
    get_feature_request => FeatureRequestResponse,
    update_feature_request => FeatureRequestResponse,
    delete_feature_request => AckResponse,
    add_feature_request_evidence => FeatureRequestEvidenceResponse,
    link_feature_request_external_issue => FeatureRequestResponse,
    set_feature_request_portal_visibility => FeatureRequestResponse,
    create_call_recording => CallRecordingResponse,
    search_call_recordings => CallRecordingListResponse,
    get_call_recording => CallRecordingResponse,
    update_call_recording => CallRecordingResponse,
    delete_call_recording => AckResponse,
    list_surveys => SurveyListResponse,
    search_surveys => SurveyListResponse,
    get_survey => SurveyResponse,
    list_survey_responses => SurveySubmissionListResponse,
    list_training_data => TrainingDataListResponse,
    create_training_data => TrainingDataResponse,
    upload_training_data_content => TrainingDataResponse,
    get_training_data => TrainingDataResponse,
    delete_training_data_documents => DeleteTrainingDataDocumentsResponse,
    list_task_statuses => TaskStatusListResponse,
    list_task_comments => TaskCommentListResponse,
    create_task_comment => TaskCommentResponse,
    update_task_comment => TaskCommentResponse,
    delete_task_comment => AckResponse,
    link_task_external_issue => TaskResponse,
    link_task_issue => TaskResponse,
    get_knowledge_base => KnowledgeBaseResponse,
    get_collection => CollectionResponse,
    get_knowledge_base_theme => KnowledgeBaseThemeResponse,
    update_knowledge_base_theme => KnowledgeBaseThemeResponse,
    publish_knowledge_base_theme => KnowledgeBaseThemeResponse,
    request_article_review => ArticleReviewResponse,
    list_article_feedback => ArticleFeedbackListResponse,
    list_audit_logs => AuditLogListResponse,
    search_audit_logs => AuditLogListResponse,
    search_milestones => MilestoneListResponse,
    list_user_roles => UserRoleListResponse,
}
