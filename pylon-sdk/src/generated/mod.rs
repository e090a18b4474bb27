//! Everything `cargo xtask regen` writes from the spec and its overlays;
//! nothing here is edited by hand.

/// The typed client: one builder per operation, and the types.
#[allow(missing_docs, unused_imports, unused_mut, rustdoc::all, clippy::all, clippy::pedantic)]
#[rustfmt::skip]
pub(crate) mod client;

/// The operation catalogue, one entry per operation with its facts.
#[allow(clippy::all, clippy::pedantic)]
#[rustfmt::skip]
pub(crate) mod operations;

/// A paginator for every cursor-paginated operation.
#[rustfmt::skip]
pub(crate) mod paginators;

/// httpmock helpers for every generated operation.
#[cfg(feature = "mock")]
#[allow(missing_docs, rustdoc::all, clippy::all, clippy::pedantic)]
#[rustfmt::skip]
pub mod mock;

pub use client::{Client, builder, types};
