//! The documented rate-limit tier of each operation added with the second
//! part of the current API. Several differ from the fallback (300 for
//! reads, 30 for writes), so a missing entry fails here.

use pylon_sdk::RateLimits;

const TIERS: &[(&str, u32)] = &[
    ("list_activity_types", 30),
    ("list_account_activities", 300),
    ("create_account_activity", 120),
    ("create_account_highlight", 30),
    ("update_account_highlight", 120),
    ("delete_account_highlight", 120),
    ("list_account_notebook_notes", 300),
    ("create_account_notebook_note", 120),
    ("create_account_relationship", 120),
    ("list_account_relationships", 300),
    ("delete_account_relationship", 120),
    ("list_custom_objects", 300),
    ("create_custom_object", 120),
    ("update_custom_objects", 120),
    ("search_custom_objects", 120),
    ("get_custom_object", 300),
    ("update_custom_object", 120),
    ("delete_custom_object", 120),
    ("create_feature_request", 120),
    ("merge_feature_requests", 30),
    ("search_feature_requests", 120),
    ("get_feature_request", 300),
    ("update_feature_request", 120),
    ("delete_feature_request", 120),
    ("add_feature_request_evidence", 120),
    ("link_feature_request_external_issue", 120),
    ("set_feature_request_portal_visibility", 120),
    ("create_call_recording", 30),
    ("search_call_recordings", 120),
    ("get_call_recording", 300),
    ("update_call_recording", 120),
    ("delete_call_recording", 120),
    ("list_surveys", 300),
    ("search_surveys", 120),
    ("get_survey", 300),
    ("list_survey_responses", 300),
    ("list_training_data", 300),
    ("create_training_data", 30),
    ("upload_training_data_content", 30),
    ("get_training_data", 300),
    ("delete_training_data_documents", 30),
    ("list_task_statuses", 30),
    ("list_task_comments", 300),
    ("create_task_comment", 120),
    ("update_task_comment", 120),
    ("delete_task_comment", 120),
    ("link_task_external_issue", 120),
    ("link_task_issue", 120),
    ("get_knowledge_base", 300),
    ("get_collection", 120),
    ("get_knowledge_base_theme", 300),
    ("update_knowledge_base_theme", 120),
    ("publish_knowledge_base_theme", 120),
    ("request_article_review", 30),
    ("list_article_feedback", 120),
    ("list_audit_logs", 300),
    ("search_audit_logs", 30),
    ("search_milestones", 120),
    ("list_user_roles", 300),
    ("upload_account_file", 30),
    ("upload_training_data_files", 30),
];

#[test]
fn every_new_operation_has_its_documented_tier() {
    let limits = RateLimits::pylon_defaults();
    assert_eq!(TIERS.len(), 61);
    for (operation, tier) in TIERS {
        assert_eq!(limits.limit_for(operation), *tier, "{operation}");
    }
}
