//! A Rust SDK for the [Pylon](https://usepylon.com) REST API.
//!
//! Every operation of the API is a method on [`Client`], generated from
//! Pylon's OpenAPI description (with its corrections to the live API
//! applied), with a builder per call; the three multipart uploads
//! (attachments, account files, training data) are [`UploadsExt`]'s:
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
//! println!("created {id} (request {:?})", created.request_id);
//! let fields = client.list_custom_fields().object_type("account").send().await?;
//! println!("{} custom fields", fields.data.len());
//! # Ok(()) }
//! ```
//!
//! # Results and errors
//! Every call returns [`Result<Response<T>>`](Result): a [`Response`]
//! dereferences to the decoded body and also gives the status and headers;
//! an [`Error`] says which operation failed and what happened (Pylon's
//! messages, `code`, status and request ID, or the transport failure) and
//! whether it is worth retrying. No type of the HTTP client stack (reqwest,
//! hyper) appears in the public API, so its upgrades are not breaking
//! changes for users; the one HTTP type named is `http::HeaderMap` (the
//! `http` 1.x interface crate), taken by
//! [`webhook::signature_from_headers`].
//!
//! Nothing Pylon sends is lost: every response object keeps the fields this
//! version does not model in its `extra` map (written back when the value
//! is serialized), [`Response::json`] is the body as sent, and the exports
//! and calls by name yield [`AsSent`] items, which dereference to the
//! decoded value and serialize as the exact bytes Pylon sent. A body that
//! does not decode fails with [`Error::Decode`], naming the JSON path, the
//! reason, the status and the request ID.
//!
//! # Retries, pacing and limits
//! Every request goes through the client's [`RetryPolicy`] (see [`retry`]):
//! bounded attempts for failures, a deadline for the whole call, and 429s
//! treated as pacing: every clone of the client slows down on an endpoint
//! that answers 429 ([`pacing`]). [`Client::with_options`] overrides the
//! timeout, retry policy and headers per call. Response bodies are capped
//! ([`ClientBuilder::max_response_bytes`]); path parameters are encoded so
//! they can never address another resource; inputs Pylon refuses are
//! refused before sending.
//!
//! # How a call runs
//! The generated code (`src/generated/`, written by `cargo xtask regen`
//! from the spec and its overlays) gives every operation a typed builder
//! and a catalogue entry, [`operations::Operation`], that holds its facts:
//! its rate limit, whether it may be repeated, how it is paged, the page
//! sizes and blank fields Pylon refuses. Typed calls, calls by name and the
//! uploads all enter one pipeline (`src/runtime/`), which reads those facts
//! and runs forward only: check the request, admit it (limiter, then
//! pacing), attempt it, record the attempt, decide (return, or wait and
//! repeat), decode the answer. No rule in the hand-written code is keyed by
//! an operation's name.
//!
//! # Extensions
//! - [`pagination`]: a lazy stream of items or pages for every
//!   cursor-paginated operation ([`Paginate`]), owned (`Send + 'static`),
//!   patient with faults and resumable from a [`Checkpoint`].
//! - [`window`]: issue exports over any range, split into the windows
//!   `GET /issues` accepts, each issue once, optionally several windows at
//!   once, resumable ([`ExportIssues`]), item by item or window by window
//!   with a checkpoint after each ([`ExportedWindow`]).
//! - [`changes`]: issues updated (or created) since a time, as Pylon sent
//!   them, window by window with a checkpoint after each and the time the
//!   next run starts from ([`IssueChanges`]).
//! - [`operations`]: every operation by name, with its parameters, body,
//!   pagination and facts described, sent through the same pipeline as the
//!   typed methods ([`Client::call`], [`Client::paginate_call`]).
//! - [`TagsExt::ensure_tag`]: idempotent tag creation, safe to repeat.
//! - [`upload`]: multipart uploads from bytes, files or URLs: attachments,
//!   account files and training data ([`UploadsExt`]).
//! - [`filter`]: typed search filters, checked before sending.
//! - [`CustomFields`]: custom-field values of issues, accounts, contacts,
//!   tasks and projects by slug.
//! - [`rate_limit`]: an opt-in per-endpoint limiter ([`RateLimits`]) that
//!   models Pylon's refilling budget.
//! - [`webhook`]: checks that a webhook delivery or a custom-app request
//!   came from Pylon, by its `X-Pylon-Signature` ([`webhook::verify`],
//!   [`webhook::verify_json`], [`webhook::verify_query`]).
//!
//! `use pylon_sdk::prelude::*;` brings the client and the extension traits
//! into scope.
//!
//! # Features
//! - `rustls` *(default)*: HTTPS through rustls with aws-lc-rs.
//! - `rustls-ring`: HTTPS through rustls with ring instead.
//! - `mock`: `mock::MockServerExt`, a typed `httpmock` helper per
//!   operation, for testing code that uses this crate.
//! - `schemars`: `schemars::JsonSchema` for every type in [`types`], to
//!   produce JSON schemas of Pylon's objects. Off by default: it is a large
//!   share of the crate's compile time.
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(not(any(feature = "rustls", feature = "rustls-ring")))]
compile_error!(
    "pylon-sdk needs a TLS backend: enable the `rustls` (default) or `rustls-ring` feature"
);

mod catalogue;
pub mod changes;
mod client;
mod custom_fields;
mod error;
pub mod filter;
mod generated;
pub mod operations;
pub mod pagination;
mod response;
mod runtime;
mod tags;
pub mod upload;
pub mod webhook;
pub mod window;

#[cfg(feature = "mock")]
#[cfg_attr(docsrs, doc(cfg(feature = "mock")))]
pub use generated::mock;
pub use runtime::{pacing, rate_limit, retry};

pub use changes::IssueChanges;
pub use client::{CallOptions, Client, ClientBuilder, DEFAULT_MAX_RESPONSE_BYTES, Region};
pub use custom_fields::CustomFields;
pub use error::Checkpoint;
pub use error::{ApiError, Error, Result, TransportError};
pub use generated::paginators::Paginate;
pub use generated::{Client as Operations, builder, types};
pub use pagination::Paginator;
pub use rate_limit::RateLimits;
pub use response::{AsSent, Response};
pub use retry::RetryPolicy;
pub use tags::TagsExt;
pub use upload::{TrainingDataUpload, Upload, UploadsExt};
pub use window::{ExportIssues, ExportedWindow};

/// The client, its error type, every extension trait, and the stream
/// traits that iterate the SDK's streams (`try_next`, `try_collect`, …).
pub mod prelude {
    pub use crate::{
        Client, CustomFields, Error, ExportIssues, IssueChanges, Paginate, Result, TagsExt,
        TrainingDataUpload, Upload, UploadsExt, types,
    };
    pub use futures::{Stream, StreamExt, TryStreamExt};
}

/// Compiles the README's examples as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
