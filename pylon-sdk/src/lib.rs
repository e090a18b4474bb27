//! A Rust SDK for the [Pylon](https://usepylon.com) REST API.
//!
//! Every operation of the API is a method on [`Client`], generated from
//! Pylon's OpenAPI description (with its corrections to the live API
//! applied), with a builder per call; the one multipart upload,
//! `POST /attachments`, is [`AttachmentsExt::create_attachment`]:
//!
//! ```no_run
//! use pylon_sdk::{Client, types};
//!
//! # async fn run() -> pylon_sdk::Result<()> {
//! let client = Client::from_env()?; // PYLON_API_TOKEN, optional PYLON_BASE_URL
//! let created = client
//!     .create_tag()
//!     .body(types::CreateTagRequest::builder().value("vip").object_type("account"))
//!     .send()
//!     .await?;
//! let id = created.data.id.clone();
//! client
//!     .update_tag()
//!     .id(&id)
//!     .body(types::UpdateTagRequest::builder().hex_color(Some("#ff0000".to_string())))
//!     .send()
//!     .await?;
//! let fields = client.list_custom_fields().object_type("account").send().await?;
//! println!("{} custom fields", fields.data.len());
//! # Ok(()) }
//! ```
//!
//! # Errors
//! Generated operations return `progenitor_client::Error`; the `?` operator
//! turns it into [`Error`], which says what happened (Pylon's messages,
//! `code`, status and request ID) and whether it is worth retrying.
//!
//! # Retries
//! Every request goes through the client's [`RetryPolicy`]: see [`retry`].
//!
//! # Extensions
//! - [`pagination`]: a lazy stream of items or pages for every
//!   cursor-paginated operation ([`Paginate`]).
//! - [`window`]: issue exports over any range, split into the windows
//!   `GET /issues` accepts, each issue once, optionally several windows at
//!   once ([`ExportIssues`]).
//! - [`TagsExt::ensure_tag`]: idempotent tag creation, safe to repeat.
//! - [`upload`]: attachment uploads from bytes, files or URLs
//!   ([`AttachmentsExt::create_attachment`]).
//! - [`filter`]: typed search filters, checked before sending.
//! - [`CustomFields`]: custom-field values of issues, accounts, contacts,
//!   tasks and projects by slug.
//! - [`rate_limit`]: an opt-in per-endpoint limiter ([`RateLimits`]).
//!
//! `use pylon_sdk::prelude::*;` brings the client and the extension traits
//! into scope.
//!
//! # Testing code that uses this crate
//! The `mock` feature adds [`mock::MockServerExt`], a typed `httpmock` helper
//! per operation.
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod client;
mod custom_fields;
mod error;
pub mod filter;
pub mod pagination;
mod paths;
pub mod rate_limit;
pub mod retry;
mod tags;
mod transport;
pub mod upload;
pub mod window;

#[allow(missing_docs, unused_imports, rustdoc::all, clippy::all, clippy::pedantic)]
#[rustfmt::skip]
mod generated;

// `HAND_WRITTEN_OPERATIONS` is only read by tests.
#[cfg_attr(not(test), allow(dead_code))]
#[rustfmt::skip]
mod generated_paths;

#[cfg(feature = "mock")]
#[allow(missing_docs, rustdoc::all, clippy::all, clippy::pedantic)]
#[path = "generated_mock.rs"]
#[rustfmt::skip]
pub mod mock;

pub use client::{Client, ClientBuilder, ClientState, Region};
pub use custom_fields::CustomFields;
pub use error::{ApiError, Error, Result};
pub use generated::{Client as Operations, ResponseValue, builder, types};
pub use pagination::{Paginate, Paginator};
pub use rate_limit::RateLimits;
pub use retry::RetryPolicy;
pub use tags::TagsExt;
pub use upload::{AttachmentsExt, Upload};
pub use window::ExportIssues;

/// The snake_case id of every operation this crate implements (generated and
/// hand-written), sorted; the names of the client's methods. For tests that
/// must cover every operation.
#[doc(hidden)]
pub fn operation_ids() -> impl Iterator<Item = &'static str> {
    generated_paths::OPERATION_PATHS.iter().map(|(id, _)| *id)
}

/// The client, its error type and every extension trait.
pub mod prelude {
    pub use crate::{
        AttachmentsExt, Client, CustomFields, Error, ExportIssues, Paginate, Result, TagsExt,
        Upload, types,
    };
}

/// Compiles the README's examples as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
