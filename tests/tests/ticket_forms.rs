//! Issue statuses and ticket forms: each operation's exact request and
//! decoded response, and a form submission that creates an issue.

use httpmock::Method::{GET, POST};
use pylon_sdk::types;
use pylon_sdk_tests::objects::{issue, with};
use pylon_sdk_tests::{Expect, roundtrip};
use serde_json::json;

fn form() -> serde_json::Value {
    json!({"id": "tf_1", "name": "Bug report", "slug": "bug-report",
    "url": "https://support.acme.com/forms/bug-report", "description_html": "<p>Tell us</p>",
    "is_public": true,
    "fields": [
        {"slug": "severity", "name": "Severity", "type": "select", "description_html": "",
         "hidden": false, "required": true},
        {"slug": "steps", "name": "Steps", "type": "text", "description_html": "<p>How?</p>",
         "hidden": true, "required": false,
         "visibility_conditions": [{"id": "vc_1",
             "filter": {"field": "severity", "operator": "matches_somehow", "values": ["high"]},
             "affected_fields": [{"slug": "steps", "type": "text", "visible": true, "required": true}]}]}
    ]})
}

#[tokio::test]
async fn list_issue_statuses() {
    let statuses = roundtrip(
        Expect {
            method: GET,
            path: "/issue-statuses",
            query: &[],
            body: None,
            status: 200,
            response: json!({"data": [
                {"slug": "new", "label": "New", "category": "new", "is_default_status": true, "is_archived": false},
                {"slug": "needs_eng", "label": "Needs engineering", "category": "on_hold",
                 "is_default_status": false, "is_archived": false}], "request_id": "r"}),
        },
        |c| async move { c.list_issue_statuses().send().await },
    )
    .await;
    let custom = &statuses.data[1];
    assert_eq!(
        (custom.slug.as_str(), custom.category.as_str()),
        ("needs_eng", "on_hold")
    );
    assert!(statuses.data[0].is_default_status);
}

#[tokio::test]
async fn list_and_get_ticket_forms_with_conditions() {
    let listed = roundtrip(
        Expect {
            method: GET,
            path: "/ticket-forms",
            query: &[],
            body: None,
            status: 200,
            response: json!({"data": [form()], "request_id": "r"}),
        },
        |c| async move { c.list_ticket_forms().send().await },
    )
    .await;
    assert_eq!(listed.data[0].slug, "bug-report");
    let got = roundtrip(
        Expect {
            method: GET,
            path: "/ticket-forms/tf_1",
            query: &[],
            body: None,
            status: 200,
            response: json!({"data": form(), "request_id": "r"}),
        },
        |c| async move { c.get_ticket_form().id("tf_1").send().await },
    )
    .await;
    let fields = got.data.fields.as_ref().unwrap();
    assert!(fields[0].required && !fields[0].hidden);
    let condition = &fields[1].visibility_conditions.as_ref().unwrap()[0];
    // An operator this SDK does not know still decodes.
    assert_eq!(
        condition.filter.as_ref().unwrap().operator,
        "matches_somehow"
    );
    assert!(condition.affected_fields.as_ref().unwrap()[0].required);
}

#[tokio::test]
async fn submitting_a_form_creates_an_issue() {
    let created = roundtrip(
        Expect {
            method: POST,
            path: "/ticket-forms/tf_1/submissions",
            query: &[],
            body: Some(
                json!({"requester_email": "ada@acme.com", "requester_name": "Ada",
                              "fields": [{"slug": "severity", "value": "high"},
                                         {"slug": "platforms", "values": ["ios", "web"]}],
                              "attachment_urls": ["https://cdn.acme.com/shot.png"]}),
            ),
            status: 200,
            response: json!({"data": with(issue("iss_77", 77), json!({"source": "form"})),
                             "request_id": "r"}),
        },
        |c| async move {
            c.submit_ticket_form()
                .id("tf_1")
                .body(types::SubmitTicketFormRequest {
                    requester_email: Some("ada@acme.com".into()),
                    requester_name: Some("Ada".into()),
                    requester_id: None,
                    fields: vec![
                        types::TicketFormFieldValue {
                            slug: "severity".into(),
                            value: Some("high".into()),
                            values: vec![],
                        },
                        types::TicketFormFieldValue {
                            slug: "platforms".into(),
                            value: None,
                            values: vec!["ios".into(), "web".into()],
                        },
                    ],
                    attachment_urls: vec!["https://cdn.acme.com/shot.png".into()],
                })
                .send()
                .await
        },
    )
    .await;
    assert_eq!(
        (created.data.number, created.data.source.as_str()),
        (77, "form")
    );
}
