//! Me, users, teams, knowledge bases and tasks/projects/milestones: every
//! operation's exact request and decoded response.

use httpmock::Method::{DELETE, GET, PATCH, POST};
use pylon_sdk::types;
use pylon_sdk_tests::objects::with;
use pylon_sdk_tests::{Expect, objects, roundtrip};
use serde_json::json;

#[tokio::test]
async fn me_returns_the_organization() {
    let me = roundtrip(
        Expect { method: GET, path: "/me", query: &[], body: None, status: 200,
                 response: json!({"data": {"id": "org_1", "name": "Acme Support", "user": {"id": "usr_1", "email": "bot@x.y"}}, "request_id": "r"}) },
        |c| async move { c.get_me().send().await },
    )
    .await;
    let org = me.data;
    assert_eq!(
        (org.id.as_str(), org.name.as_str()),
        ("org_1", "Acme Support")
    );
    assert_eq!(org.user.email, "bot@x.y");
}

#[tokio::test]
async fn users_list_get_update_search() {
    let user = with(
        objects::user("usr_1", "g@x.y"),
        json!({"name": "Grace", "emails": ["g@x.y"], "status": "away"}),
    );
    let listed = roundtrip(
        Expect {
            method: GET,
            path: "/users",
            query: &[],
            body: None,
            status: 200,
            response: json!({"data": [user.clone()], "request_id": "r"}),
        },
        |c| async move { c.list_users().send().await },
    )
    .await;
    assert_eq!(listed.data[0].status, "away");
    let got = roundtrip(
        Expect {
            method: GET,
            path: "/users/usr_1",
            query: &[],
            body: None,
            status: 200,
            response: json!({"data": user.clone(), "request_id": "r"}),
        },
        |c| async move { c.get_user().id("usr_1").send().await },
    )
    .await;
    assert_eq!(got.data.name, "Grace");
    let updated = roundtrip(
        Expect {
            method: PATCH,
            path: "/users/usr_1",
            query: &[],
            body: Some(json!({"name": "Grace H", "status": "out_of_office"})),
            status: 200,
            response: json!({"data": user.clone(), "request_id": "r"}),
        },
        |c| async move {
            c.update_user()
                .id("usr_1")
                .body(types::UpdateUserRequest {
                    name: Some("Grace H".into()),
                    status: Some(types::UserStatus::OutOfOffice),
                    ..Default::default()
                })
                .send()
                .await
        },
    )
    .await;
    assert_eq!(updated.data.id, "usr_1");
    let found = roundtrip(
        Expect {
            method: POST,
            path: "/users/search",
            query: &[],
            body: Some(
                json!({"filter": {"field": "email", "operator": "equals", "value": "g@x.y"}}),
            ),
            status: 200,
            response: json!({"data": [user], "request_id": "r"}),
        },
        |c| async move {
            c.search_users()
                .body(types::FilterSearchRequest {
                    filter: Some(types::Filter {
                        field: Some("email".into()),
                        operator: types::FilterOperator::Equals,
                        value: Some("g@x.y".into()),
                        values: vec![],
                        subfilters: vec![],
                    }),
                    ..Default::default()
                })
                .send()
                .await
        },
    )
    .await;
    assert_eq!(found.data.len(), 1);
}

#[tokio::test]
async fn teams_list_create_get_update() {
    let team =
        json!({"id": "team_1", "name": "Tier 1", "users": [{"id": "usr_1", "email": "g@x.y"}]});
    let listed = roundtrip(
        Expect {
            method: GET,
            path: "/teams",
            query: &[],
            body: None,
            status: 200,
            response: json!({"data": [team.clone()], "request_id": "r"}),
        },
        |c| async move { c.list_teams().send().await },
    )
    .await;
    assert_eq!(
        listed.data[0].users.as_ref().unwrap()[0].email.as_deref(),
        Some("g@x.y")
    );
    let created = roundtrip(
        Expect {
            method: POST,
            path: "/teams",
            query: &[],
            body: Some(json!({"name": "Tier 1", "user_ids": ["usr_1"]})),
            status: 200,
            response: json!({"data": team.clone(), "request_id": "r"}),
        },
        |c| async move {
            c.create_team()
                .body(
                    types::CreateTeamRequest::builder()
                        .name("Tier 1")
                        .user_ids(vec!["usr_1".to_string()]),
                )
                .send()
                .await
        },
    )
    .await;
    assert_eq!(created.data.id, "team_1");
    let got = roundtrip(
        Expect {
            method: GET,
            path: "/teams/team_1",
            query: &[],
            body: None,
            status: 200,
            response: json!({"data": team.clone(), "request_id": "r"}),
        },
        |c| async move { c.get_team().id("team_1").send().await },
    )
    .await;
    assert_eq!(got.data.name, "Tier 1");
    let updated = roundtrip(
        Expect {
            method: PATCH,
            path: "/teams/team_1",
            query: &[],
            body: Some(json!({"user_ids": []})),
            status: 200,
            response: json!({"data": team, "request_id": "r"}),
        },
        |c| async move {
            c.update_team()
                .id("team_1")
                .body(types::UpdateTeamRequest {
                    user_ids: Some(vec![]),
                    ..Default::default()
                })
                .send()
                .await
        },
    )
    .await;
    assert_eq!(updated.data.id, "team_1");
}

#[tokio::test]
async fn knowledge_bases_collections_articles_and_redirects() {
    let kbs = roundtrip(
        Expect { method: GET, path: "/knowledge-bases", query: &[], body: None, status: 200,
                 response: json!({"data": [{"id": "kb_1", "title": "Help", "slug": "help", "default_language": "en",
                                             "supported_languages": ["en"]}], "request_id": "r"}) },
        |c| async move { c.list_knowledge_bases().send().await },
    )
    .await;
    assert_eq!(kbs.data[0].title, "Help");

    let collection = json!({"id": "col_1", "title": "Billing", "slug": "billing", "description": "",
                            "created_at": "2026-01-01T00:00:00Z"});
    let cols = roundtrip(
        Expect {
            method: GET,
            path: "/knowledge-bases/kb_1/collections",
            query: &[],
            body: None,
            status: 200,
            response: json!({"data": [collection.clone()], "request_id": "r"}),
        },
        |c| async move { c.list_collections().id("kb_1").send().await },
    )
    .await;
    assert_eq!(cols.data[0].slug, "billing");
    let created = roundtrip(
        Expect {
            method: POST,
            path: "/knowledge-bases/kb_1/collections",
            query: &[],
            body: Some(json!({"title": "Billing"})),
            status: 200,
            response: json!({"data": collection.clone(), "request_id": "r"}),
        },
        |c| async move {
            c.create_collection()
                .id("kb_1")
                .body(types::CreateCollectionRequest::builder().title("Billing"))
                .send()
                .await
        },
    )
    .await;
    assert_eq!(created.data.id, "col_1");
    let updated = roundtrip(
        Expect {
            method: PATCH,
            path: "/knowledge-bases/kb_1/collections/col_1",
            query: &[],
            body: Some(json!({"title": "Payments"})),
            status: 200,
            response: json!({"data": collection, "request_id": "r"}),
        },
        |c| async move {
            c.update_collection()
                .id("kb_1")
                .collection_id("col_1")
                .body(types::UpdateCollectionRequest {
                    title: Some("Payments".into()),
                    ..Default::default()
                })
                .send()
                .await
        },
    )
    .await;
    assert_eq!(updated.data.id, "col_1");
    let deleted = roundtrip(
        Expect {
            method: DELETE,
            path: "/knowledge-bases/kb_1/collections/col_1",
            query: &[],
            body: None,
            status: 200,
            response: json!({"request_id": "d"}),
        },
        |c| async move {
            c.delete_collection()
                .id("kb_1")
                .collection_id("col_1")
                .send()
                .await
        },
    )
    .await;
    assert_eq!(deleted.request_id, "d");

    let article = json!({"id": "art_1", "title": "Refunds", "slug": "refunds", "identifier": "refunds",
                         "url": "https://help.acme.com/refunds", "is_published": true, "is_unlisted": false,
                         "created_at": "2026-04-01T00:00:00Z",
                         "current_published_content_html": "<p>how</p>", "last_published_at": "2026-05-01T00:00:00Z"});
    let arts = roundtrip(
        Expect {
            method: GET,
            path: "/knowledge-bases/kb_1/articles",
            query: &[("cursor", "c"), ("limit", "10")],
            body: None,
            status: 200,
            response: json!({"data": [article.clone()], "request_id": "r"}),
        },
        |c| async move {
            c.list_articles()
                .id("kb_1")
                .cursor("c")
                .limit(10)
                .send()
                .await
        },
    )
    .await;
    assert!(arts.data[0].is_published);
    let created = roundtrip(
        Expect { method: POST, path: "/knowledge-bases/kb_1/articles", query: &[],
                 body: Some(json!({"title": "Refunds", "body_html": "<p>how</p>", "author_user_id": "usr_1", "is_published": true})),
                 status: 200, response: json!({"data": article.clone(), "request_id": "r"}) },
        |c| async move {
            c.create_article()
                .id("kb_1")
                .body(types::CreateArticleRequest::builder().title("Refunds").body_html("<p>how</p>").author_user_id("usr_1").is_published(true))
                .send()
                .await
        },
    )
    .await;
    assert_eq!(created.data.id, "art_1");
    let got = roundtrip(
        Expect {
            method: GET,
            path: "/knowledge-bases/kb_1/articles/art_1",
            query: &[],
            body: None,
            status: 200,
            response: json!({"data": article.clone(), "request_id": "r"}),
        },
        |c| async move { c.get_article().id("kb_1").article_id("art_1").send().await },
    )
    .await;
    assert_eq!(got.data.slug, "refunds");
    let updated = roundtrip(
        Expect {
            method: PATCH,
            path: "/knowledge-bases/kb_1/articles/art_1",
            query: &[],
            body: Some(json!({"body_html": "<p>new</p>", "publish_updated_body_html": true})),
            status: 200,
            response: json!({"data": article, "request_id": "r"}),
        },
        |c| async move {
            c.update_article()
                .id("kb_1")
                .article_id("art_1")
                .body(types::UpdateArticleRequest {
                    body_html: Some("<p>new</p>".into()),
                    publish_updated_body_html: Some(true),
                    ..Default::default()
                })
                .send()
                .await
        },
    )
    .await;
    assert_eq!(
        updated.data.current_published_content_html.as_deref(),
        Some("<p>how</p>")
    );
    let deleted = roundtrip(
        Expect {
            method: DELETE,
            path: "/knowledge-bases/kb_1/articles/art_1",
            query: &[],
            body: None,
            status: 200,
            response: json!({"request_id": "d"}),
        },
        |c| async move {
            c.delete_article()
                .id("kb_1")
                .article_id("art_1")
                .send()
                .await
        },
    )
    .await;
    assert_eq!(deleted.request_id, "d");
    let redirect = roundtrip(
        Expect { method: POST, path: "/knowledge-bases/kb_1/route-redirects", query: &[],
                 body: Some(json!({"from_path": "/old", "object_id": "art_1", "object_type": "article"})),
                 status: 200, response: json!({"data": {"id": "rr_1", "from_path": "/old", "object_id": "art_1", "object_type": "article",
                                                        "created_at": "2026-05-02T00:00:00Z"}, "request_id": "r"}) },
        |c| async move {
            c.create_route_redirect()
                .id("kb_1")
                .body(types::CreateRouteRedirectRequest { from_path: "/old".into(), object_id: "art_1".into(), object_type: "article".into(), language: None })
                .send()
                .await
        },
    )
    .await;
    assert_eq!(redirect.data.id, "rr_1");
}

#[tokio::test]
async fn tasks_list_create_get_update_delete_search() {
    let task = with(
        objects::task("task_1", "Call back"),
        json!({"status": "in_progress", "account": {"id": "acc_1"}, "project": {"id": "prj_1"},
               "due_date": "2026-06-01T00:00:00Z", "subtask_ids": ["task_2"]}),
    );
    let listed = roundtrip(
        Expect { method: GET, path: "/tasks", query: &[("cursor", "c"), ("limit", "5")], body: None, status: 200,
                 response: json!({"data": [task.clone()], "pagination": {"cursor": "d", "has_next_page": true}, "request_id": "r"}) },
        |c| async move { c.list_tasks().cursor("c").limit(5).send().await },
    )
    .await;
    assert_eq!(
        listed.data[0].subtask_ids.as_deref(),
        Some(&["task_2".to_string()][..])
    );
    let created = roundtrip(
        Expect {
            method: POST,
            path: "/tasks",
            query: &[],
            body: Some(json!({"title": "Call back", "account_id": "acc_1"})),
            status: 200,
            response: json!({"data": task.clone(), "request_id": "r"}),
        },
        |c| async move {
            c.create_task()
                .body(
                    types::CreateTaskRequest::builder()
                        .title("Call back")
                        .account_id(String::from("acc_1")),
                )
                .send()
                .await
        },
    )
    .await;
    assert_eq!(created.data.id, "task_1");
    let got = roundtrip(
        Expect {
            method: GET,
            path: "/tasks/task_1",
            query: &[],
            body: None,
            status: 200,
            response: json!({"data": task.clone(), "request_id": "r"}),
        },
        |c| async move { c.get_task().id("task_1").send().await },
    )
    .await;
    assert_eq!(got.data.status, "in_progress");
    let updated = roundtrip(
        Expect {
            method: PATCH,
            path: "/tasks/task_1",
            query: &[],
            body: Some(json!({"status": "completed"})),
            status: 200,
            response: json!({"data": task.clone(), "request_id": "r"}),
        },
        |c| async move {
            c.update_task()
                .id("task_1")
                .body(types::UpdateTaskRequest {
                    status: Some("completed".into()),
                    ..Default::default()
                })
                .send()
                .await
        },
    )
    .await;
    assert_eq!(updated.data.project.as_ref().unwrap().id, "prj_1");
    let deleted = roundtrip(
        Expect {
            method: DELETE,
            path: "/tasks/task_1",
            query: &[],
            body: None,
            status: 200,
            response: json!({"request_id": "d"}),
        },
        |c| async move { c.delete_task().id("task_1").send().await },
    )
    .await;
    assert_eq!(deleted.request_id, "d");
    let found = roundtrip(
        Expect {
            method: POST,
            path: "/tasks/search",
            query: &[],
            body: Some(
                json!({"filter": {"field": "status", "operator": "equals", "value": "in_progress"},
                              "cursor": "cur_1", "limit": 50}),
            ),
            status: 200,
            response: json!({"data": [task], "request_id": "r"}),
        },
        |c| async move {
            c.search_tasks()
                .body(types::FilterSearchRequest {
                    filter: Some(types::Filter {
                        field: Some("status".into()),
                        operator: types::FilterOperator::Equals,
                        value: Some("in_progress".into()),
                        values: vec![],
                        subfilters: vec![],
                    }),
                    cursor: Some("cur_1".into()),
                    limit: Some(50),
                })
                .send()
                .await
        },
    )
    .await;
    assert_eq!(found.data.len(), 1);
}

#[tokio::test]
async fn projects_and_milestones() {
    let project = json!({"id": "prj_1", "name": "Onboarding", "account": {"id": "acc_1"}, "is_archived": false,
                         "status": "in_progress", "progress": 0.25, "customer_portal_visible": true,
                         "created_at": "2026-02-01T00:00:00Z", "updated_at": "2026-02-02T00:00:00Z"});
    let created = roundtrip(
        Expect {
            method: POST,
            path: "/projects",
            query: &[],
            body: Some(json!({"name": "Onboarding", "account_id": "acc_1"})),
            status: 200,
            response: json!({"data": project.clone(), "request_id": "r"}),
        },
        |c| async move {
            c.create_project()
                .body(
                    types::CreateProjectRequest::builder()
                        .name(Some("Onboarding".to_string()))
                        .account_id("acc_1"),
                )
                .send()
                .await
        },
    )
    .await;
    assert_eq!(created.data.name, "Onboarding");
    let got = roundtrip(
        Expect {
            method: GET,
            path: "/projects/prj_1",
            query: &[],
            body: None,
            status: 200,
            response: json!({"data": project.clone(), "request_id": "r"}),
        },
        |c| async move { c.get_project().id("prj_1").send().await },
    )
    .await;
    assert!(!got.data.is_archived);
    assert_eq!(got.data.progress, 0.25);
    let updated = roundtrip(
        Expect {
            method: PATCH,
            path: "/projects/prj_1",
            query: &[],
            body: Some(json!({"is_archived": true})),
            status: 200,
            response: json!({"data": project.clone(), "request_id": "r"}),
        },
        |c| async move {
            c.update_project()
                .id("prj_1")
                .body(types::UpdateProjectRequest {
                    is_archived: Some(true),
                    ..Default::default()
                })
                .send()
                .await
        },
    )
    .await;
    assert_eq!(updated.data.status, "in_progress");
    let deleted = roundtrip(
        Expect {
            method: DELETE,
            path: "/projects/prj_1",
            query: &[],
            body: None,
            status: 200,
            response: json!({"request_id": "d"}),
        },
        |c| async move { c.delete_project().id("prj_1").send().await },
    )
    .await;
    assert_eq!(deleted.request_id, "d");
    let found = roundtrip(
        Expect {
            method: POST,
            path: "/projects/search",
            query: &[],
            body: Some(json!({"limit": 999})),
            status: 200,
            response: json!({"data": [project], "request_id": "r"}),
        },
        |c| async move {
            c.search_projects()
                .body(types::FilterSearchRequest {
                    limit: Some(999),
                    ..Default::default()
                })
                .send()
                .await
        },
    )
    .await;
    assert_eq!(found.data.len(), 1);

    let milestone = json!({"id": "ms_1", "name": "Kickoff", "project": {"id": "prj_1"}, "due_date": "2026-07-01T00:00:00Z",
                           "created_at": "2026-02-01T00:00:00Z", "updated_at": "2026-02-01T00:00:00Z"});
    let created = roundtrip(
        Expect {
            method: POST,
            path: "/milestones",
            query: &[],
            body: Some(json!({"name": "Kickoff", "project_id": "prj_1"})),
            status: 200,
            response: json!({"data": milestone.clone(), "request_id": "r"}),
        },
        |c| async move {
            c.create_milestone()
                .body(
                    types::CreateMilestoneRequest::builder()
                        .name("Kickoff")
                        .project_id("prj_1"),
                )
                .send()
                .await
        },
    )
    .await;
    assert_eq!(
        created.data.due_date.unwrap().to_rfc3339(),
        "2026-07-01T00:00:00+00:00"
    );
    let got = roundtrip(
        Expect {
            method: GET,
            path: "/milestones/ms_1",
            query: &[],
            body: None,
            status: 200,
            response: json!({"data": milestone.clone(), "request_id": "r"}),
        },
        |c| async move { c.get_milestone().id("ms_1").send().await },
    )
    .await;
    assert_eq!(got.data.project.as_ref().unwrap().id, "prj_1");
    let updated = roundtrip(
        Expect {
            method: PATCH,
            path: "/milestones/ms_1",
            query: &[],
            body: Some(json!({"due_date": "2026-08-01"})),
            status: 200,
            response: json!({"data": milestone, "request_id": "r"}),
        },
        |c| async move {
            c.update_milestone()
                .id("ms_1")
                .body(types::UpdateMilestoneRequest {
                    due_date: Some("2026-08-01".into()),
                    name: None,
                })
                .send()
                .await
        },
    )
    .await;
    assert_eq!(updated.data.name, "Kickoff");
    let deleted = roundtrip(
        Expect {
            method: DELETE,
            path: "/milestones/ms_1",
            query: &[],
            body: None,
            status: 200,
            response: json!({"request_id": "d"}),
        },
        |c| async move { c.delete_milestone().id("ms_1").send().await },
    )
    .await;
    assert_eq!(deleted.request_id, "d");
}
