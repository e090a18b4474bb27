//! A tags and custom-fields walkthrough.
//!
//! With `PYLON_API_TOKEN` set it talks to the live API (creating, then
//! deleting, a tag named `pylon-sdk-quickstart`); without it, to an
//! in-process mock Pylon.
//!
//! ```text
//! cargo run -p pylon-sdk --example quickstart
//! ```

use httpmock::Method::{DELETE, GET, PATCH, POST};
use httpmock::MockServer;
use pylon_sdk::{Client, types};
use serde_json::json;

#[tokio::main]
async fn main() -> pylon_sdk::Result<()> {
    let mock;
    let client = if std::env::var_os("PYLON_API_TOKEN").is_some() {
        println!("PYLON_API_TOKEN is set: using the live API");
        Client::from_env()?
    } else {
        println!("PYLON_API_TOKEN is unset: using an in-process mock Pylon");
        mock = mock_pylon();
        Client::builder("pylon_api_example")
            .base_url(mock.base_url())
            .build()?
    };

    let me = client.get_me().send().await?;
    println!("organization: {}", me.data.name);

    let created = client
        .create_tag()
        .body(types::CreateTagRequest {
            value: "pylon-sdk-quickstart".into(),
            object_type: "account".into(),
            hex_color: Some("#3366ff".into()),
        })
        .send()
        .await?;
    let tag_id = created.data.id.clone();
    println!("created tag {tag_id}");

    client
        .update_tag()
        .id(&tag_id)
        .body(types::UpdateTagRequest {
            hex_color: Some("#ff6633".into()),
            value: None,
        })
        .send()
        .await?;
    let tags = client.list_tags().send().await?;
    println!("{} tags in the organization", tags.data.len());

    let fields = client
        .list_custom_fields()
        .object_type("account")
        .send()
        .await?;
    for field in &fields.data {
        let options: Vec<_> = field
            .select_metadata
            .iter()
            .flat_map(|m| m.options.iter().flatten())
            .filter_map(|o| o.slug.as_deref())
            .collect();
        println!(
            "custom field {} ({}) options {options:?}",
            field.slug, field.type_
        );
    }

    client.delete_tag().id(&tag_id).send().await?;
    println!("deleted tag {tag_id}");
    Ok(())
}

fn mock_pylon() -> MockServer {
    let server = MockServer::start();
    let tag = json!({"id": "tag_1", "value": "pylon-sdk-quickstart", "object_type": "account", "hex_color": "#3366ff"});
    server.mock(|when, then| {
        when.method(GET).path("/me");
        then.status(200)
            .json_body(json!({"data": {"id": "org_1", "name": "Mock Org",
                "user": {"id": "usr_1", "email": "bot@mock.example"}}, "request_id": "r"}));
    });
    server.mock(|when, then| {
        when.method(POST).path("/tags");
        then.status(200)
            .json_body(json!({"data": tag, "request_id": "r"}));
    });
    server.mock(|when, then| {
        when.method(PATCH).path("/tags/tag_1");
        then.status(200)
            .json_body(json!({"data": tag, "request_id": "r"}));
    });
    server.mock(|when, then| {
        when.method(GET).path("/tags");
        then.status(200)
            .json_body(json!({"data": [tag], "request_id": "r"}));
    });
    server.mock(|when, then| {
        when.method(GET).path("/custom-fields").query_param("object_type", "account");
        then.status(200).json_body(json!({"data": [{"id": "cf_1", "slug": "tier", "label": "Tier", "type": "select",
            "object_type": "account", "description": "Support tier", "source": "pylon", "is_read_only": false,
            "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z",
            "select_metadata": {"options": [{"label": "Gold", "slug": "gold"}]}}],
            "request_id": "r"}));
    });
    server.mock(|when, then| {
        when.method(DELETE).path("/tags/tag_1");
        then.status(200).json_body(json!({"request_id": "r"}));
    });
    server
}
