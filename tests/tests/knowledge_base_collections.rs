//! Knowledge bases, collections, themes, article reviews and article
//! feedback: every operation's exact request and decoded response.

use httpmock::Method::{GET, PATCH, POST};
use pylon_sdk::types;
use pylon_sdk_tests::responses::response_fixture;
use pylon_sdk_tests::{Expect, roundtrip};
use serde_json::json;

#[tokio::test]
async fn knowledge_base_and_collection_are_read_one_at_a_time() {
    let kb = roundtrip(
        Expect {
            method: GET,
            path: "/knowledge-bases/kb_1",
            query: &[],
            body: None,
            status: 200,
            response: response_fixture("get_knowledge_base.full"),
        },
        |c| async move { c.get_knowledge_base().id("kb_1").send().await },
    )
    .await;
    assert_eq!(kb.request_id, "req_gkb");
    let kb = serde_json::to_value(&kb.data).unwrap();
    assert_eq!(kb["active_theme_id"], "theme_1");
    assert_eq!(kb["supported_languages"], json!(["en", "de"]));

    let collection = roundtrip(
        Expect {
            method: GET,
            path: "/knowledge-bases/kb_1/collections/col_1",
            query: &[],
            body: None,
            status: 200,
            response: response_fixture("get_collection.full"),
        },
        |c| async move {
            c.get_collection()
                .id("kb_1")
                .collection_id("col_1")
                .send()
                .await
        },
    )
    .await;
    let collection = serde_json::to_value(&collection).unwrap();
    assert_eq!(collection["data"]["icon"], "rocket");
    assert_eq!(
        collection["data"]["visibility_config"],
        json!({"visibility": "customer", "ai_agent_access": "specific_agents", "allowed_agent_ids": ["agent_1"]})
    );
}

#[tokio::test]
async fn themes_get_update_publish() {
    let theme = roundtrip(
        Expect {
            method: GET,
            path: "/knowledge-bases/kb_1/themes/theme_1",
            query: &[],
            body: None,
            status: 200,
            response: response_fixture("get_knowledge_base_theme.full"),
        },
        |c| async move {
            c.get_knowledge_base_theme()
                .id("kb_1")
                .theme_id("theme_1")
                .send()
                .await
        },
    )
    .await;
    let css = &theme.data.assets[0];
    assert_eq!(css.asset_type, "css");
    assert_eq!(
        css.published_content.as_deref(),
        Some("body { color: #000; }")
    );
    assert!(theme.data.has_unpublished_changes);

    let updated = roundtrip(
        Expect {
            method: PATCH,
            path: "/knowledge-bases/kb_1/themes/theme_1",
            query: &[],
            body: Some(json!({"assets": [{"asset_type": "css", "content": "body { color: #222; }"},
                                         {"asset_type": "not_found", "content": "<h1>Lost?</h1>"}]})),
            status: 200,
            response: response_fixture("update_knowledge_base_theme.full"),
        },
        |c| async move {
            c.update_knowledge_base_theme()
                .id("kb_1")
                .theme_id("theme_1")
                .body(types::UpdateKnowledgeBaseThemeRequest {
                    assets: vec![
                        types::KnowledgeBaseThemeAssetUpdate {
                            asset_type: "css".into(),
                            content: "body { color: #222; }".into(),
                        },
                        types::KnowledgeBaseThemeAssetUpdate {
                            asset_type: "not_found".into(),
                            content: "<h1>Lost?</h1>".into(),
                        },
                    ],
                })
                .send()
                .await
        },
    )
    .await;
    assert_eq!(updated.data.knowledge_base_id, "kb_1");

    let published = roundtrip(
        Expect {
            method: POST,
            path: "/knowledge-bases/kb_1/themes/theme_1/publish",
            query: &[],
            body: None,
            status: 200,
            response: response_fixture("publish_knowledge_base_theme.minimal"),
        },
        |c| async move {
            c.publish_knowledge_base_theme()
                .id("kb_1")
                .theme_id("theme_1")
                .send()
                .await
        },
    )
    .await;
    assert!(published.data.assets.is_empty());
    assert_eq!(published.data.name, "Brand");
}

#[tokio::test]
async fn article_review_requests_and_feedback() {
    let review = roundtrip(
        Expect {
            method: POST,
            path: "/knowledge-bases/kb_1/articles/art_1/request-review",
            query: &[],
            body: Some(json!({"reviewer_user_ids": ["usr_2"], "request_ai_review": true})),
            status: 200,
            response: response_fixture("request_article_review.full"),
        },
        |c| async move {
            c.request_article_review()
                .id("kb_1")
                .article_id("art_1")
                .body(types::RequestArticleReviewRequest {
                    reviewer_user_ids: vec!["usr_2".into()],
                    request_ai_review: Some(true),
                })
                .send()
                .await
        },
    )
    .await;
    assert_eq!(review.data.article_version_id, "artv_3");
    assert_eq!(review.data.approval_status, "pending_review");

    let feedback = roundtrip(
        Expect {
            method: GET,
            path: "/article-feedback",
            query: &[
                ("knowledge_base_id", "kb_1"),
                ("article_id", "art_1"),
                ("cursor", "cur_1"),
                ("limit", "10"),
            ],
            body: None,
            status: 200,
            response: response_fixture("list_article_feedback.full"),
        },
        |c| async move {
            c.list_article_feedback()
                .knowledge_base_id("kb_1".to_string())
                .article_id("art_1".to_string())
                .cursor("cur_1".to_string())
                .limit(10)
                .send()
                .await
        },
    )
    .await;
    let rating = &feedback.data[0];
    assert_eq!(rating.score, 4);
    assert_eq!(rating.comment.as_deref(), Some("Clear, thanks"));
    let submitter = serde_json::to_value(rating.submitter.as_ref().unwrap()).unwrap();
    assert_eq!(submitter["contact"]["email"], "ada@customer.example");
}
