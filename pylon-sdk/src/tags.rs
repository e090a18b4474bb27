//! Idempotent tag creation.

use std::future::Future;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::types;

/// How many times [`TagsExt::ensure_tag`] tries after an ambiguous failure.
const ENSURE_ATTEMPTS: u32 = 5;

/// Tag helpers beyond the generated operations.
pub trait TagsExt {
    /// Returns the tag with this value and object type, creating it if it
    /// does not exist.
    ///
    /// A duplicate create (409 with `exists_id`) returns the existing tag.
    /// Because the call is idempotent it is safe to repeat after an
    /// ambiguous failure (a 5xx or a connection lost after sending), which
    /// a plain create never is; so a sync under faults ends with exactly one
    /// tag per value. `hex_color` applies only when the tag is created.
    ///
    /// # Errors
    /// [`Error::InvalidRequest`] for an empty value or object type, before
    /// anything is sent; otherwise the last error once the attempts are spent.
    ///
    /// ```no_run
    /// use pylon_sdk::{Client, TagsExt};
    ///
    /// # async fn run(client: Client) -> pylon_sdk::Result<()> {
    /// let vip = client.ensure_tag("vip", "account", Some("#ff0000")).await?;
    /// println!("{}", vip.id);
    /// # Ok(()) }
    /// ```
    fn ensure_tag(
        &self,
        value: &str,
        object_type: &str,
        hex_color: Option<&str>,
    ) -> impl Future<Output = Result<types::Tag>> + Send;
}

impl TagsExt for Client {
    async fn ensure_tag(
        &self,
        value: &str,
        object_type: &str,
        hex_color: Option<&str>,
    ) -> Result<types::Tag> {
        if value.trim().is_empty() {
            return Err(Error::InvalidRequest("a tag value cannot be empty".into()));
        }
        if object_type.trim().is_empty() {
            return Err(Error::InvalidRequest(
                "a tag object type cannot be empty".into(),
            ));
        }
        let body = types::CreateTagRequest {
            value: value.to_string(),
            object_type: object_type.to_string(),
            hex_color: hex_color.map(str::to_string),
        };
        let mut attempt = 1;
        loop {
            let outcome = self.create_tag().body(body.clone()).send().await;
            let error = match outcome {
                Ok(created) => return Ok(created.into_inner().data),
                Err(error) => error,
            };
            if error.is_duplicate() {
                return match error.api().and_then(|api| api.exists_id.clone()) {
                    Some(id) => Ok(self.get_tag().id(id).send().await?.into_inner().data),
                    None => self.find_tag(value, object_type).await,
                };
            }
            if !(error.is_outcome_unknown() || error.is_retryable()) || attempt >= ENSURE_ATTEMPTS {
                return Err(error);
            }
            tracing::info!(value, attempt, %error, "ensure_tag: repeating the create after an ambiguous failure");
            attempt += 1;
        }
    }
}

impl Client {
    /// The tag with exactly this value and object type, found through the list.
    async fn find_tag(&self, value: &str, object_type: &str) -> Result<types::Tag> {
        let tags = self.list_tags().send().await?.into_inner();
        tags.data
            .into_iter()
            .find(|tag| tag.value == value && tag.object_type == object_type)
            .ok_or_else(|| {
                Error::UnexpectedResponse(format!(
                    "tag {value:?} is reported as existing but is not listed"
                ))
            })
    }
}
