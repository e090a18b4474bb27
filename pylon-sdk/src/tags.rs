//! Idempotent tag creation.

use std::future::Future;

use crate::client::{CallOptions, Client};
use crate::error::{Error, Result};
use crate::types;

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
    /// anything is sent; an error that repeating cannot fix (a 400, 401, 403,
    /// ...) at once; otherwise the last error when the retry policy's
    /// deadline is near. Ambiguous and retryable failures are repeated with
    /// the policy's backoff, never waiting more than half the time left, so
    /// an outage that ends before the deadline is ridden out; the whole call,
    /// its own requests included, ends by the deadline. With
    /// [`RetryPolicy::disabled`](crate::RetryPolicy::disabled) nothing is
    /// repeated.
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
        // Repeating is safe (a repeat finds the tag), so an ambiguous or
        // retryable failure is repeated with the policy's backoff until the
        // call's deadline, not a fixed number of times; each round's own
        // calls end by that deadline too.
        let policy = self.inner.retry_policy().clone();
        let deadline = crate::runtime::clock::later(tokio::time::Instant::now(), policy.deadline());
        let mut repeats = 0;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let round = self.with_options(
                CallOptions::new().retry_policy(policy.clone().with_deadline(left)),
            )?;
            let error = match round.create_or_find(&body).await {
                Ok(tag) => return Ok(tag),
                Err(error) => error,
            };
            // `RetryPolicy::disabled()` means one attempt, here as anywhere.
            let repeatable = error.is_outcome_unknown() || error.is_retryable();
            if !repeatable || policy.max_attempts() <= 1 {
                return Err(error);
            }
            repeats += 1;
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let Some(wait) = policy.repeat_wait(repeats, left) else {
                return Err(error);
            };
            tracing::info!(value, repeats, %error, "ensure_tag: repeating after an ambiguous failure");
            tokio::time::sleep(wait).await;
        }
    }
}

impl Client {
    /// One round of [`TagsExt::ensure_tag`]: the create, or on a duplicate
    /// the existing tag.
    async fn create_or_find(&self, body: &types::CreateTagRequest) -> Result<types::Tag> {
        let error = match self.create_tag().body(body.clone()).send().await {
            Ok(created) => return Ok(created.into_inner().data),
            Err(error) if error.is_duplicate() => error,
            Err(error) => return Err(error),
        };
        match error.api().and_then(|api| api.exists_id.clone()) {
            Some(id) => Ok(self.get_tag().id(id).send().await?.into_inner().data),
            None => self.find_tag(&body.value, &body.object_type).await,
        }
    }

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
