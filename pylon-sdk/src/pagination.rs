//! Cursor pagination as lazy `futures::Stream`s.
//!
//! Every cursor-paginated operation has a `paginate_*` method on
//! [`Paginate`] that returns a [`Paginator`]: set a page size, then take a
//! stream of [`pages`](Paginator::pages) or of [`items`](Paginator::items).
//! Nothing is sent until the stream is polled, and each page is fetched only
//! when the previous one has been consumed.
//!
//! A stream ends when a page has no `pagination`, an empty cursor, or
//! `has_next_page: false`. Streams own a clone of the client, so they are
//! `Send + 'static` and can be moved into `tokio::spawn`.
//!
//! Long streams survive faults: each page already goes through the client's
//! retry policy, and a page that still fails with a retryable error (429,
//! 5xx, a lost connection) is fetched again with backoff until the
//! paginator's [`patience`](Paginator::patience) runs out (10 minutes by
//! default), so a burst of faults or a short outage does not end a long
//! export. When a stream does give up, its last item is
//! [`Error::Interrupted`] with a [`Checkpoint`]; [`Paginator::resume_from`]
//! continues from it with exactly the items not yet yielded.
//!
//! A stream always ends: a cursor handed back twice ends it with
//! [`Error::RepeatedCursor`] (cursors are remembered as hashes, in bounded
//! memory), and a run of empty pages that still promise more ends it with
//! [`Error::EmptyPages`] ([`Paginator::max_empty_pages`], 10 by default).
//!
//! ```no_run
//! use futures::TryStreamExt;
//! use pylon_sdk::{Client, Paginate};
//!
//! # async fn run(client: Client) -> pylon_sdk::Result<()> {
//! let mut accounts = client.paginate_list_accounts().page_size(500).items();
//! while let Some(account) = accounts.try_next().await? {
//!     println!("{:?}", account.name);
//! }
//! # Ok(()) }
//! ```

use std::collections::{HashSet, VecDeque};
use std::future::Future;
use std::hash::BuildHasher;
use std::pin::Pin;
use std::time::Duration;

use futures::stream::{self, BoxStream, StreamExt, TryStreamExt};

use crate::catalogue::{Operation, PageSizes};
pub use crate::error::Checkpoint;
use crate::error::{Error, Result};
pub use crate::generated::paginators::Paginate;
use crate::runtime::clock::later;

/// A list response that may continue on another page.
pub trait Page {
    /// The kind of item on the page.
    type Item;
    /// The cursor of the next page, unless this page is the last: Pylon
    /// omits `pagination` on the last page; an empty cursor or
    /// `has_next_page: false` also ends the list.
    fn next_cursor(&self) -> Option<&str>;
    /// How many items the page holds.
    fn item_count(&self) -> usize;
    /// The page's items.
    fn into_items(self) -> Vec<Self::Item>;
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;
type FetchPage<R> = Box<dyn FnMut(Option<String>, Option<i64>) -> BoxFuture<Result<R>> + Send>;

/// A stream of pages.
pub type PageStream<R> = BoxStream<'static, Result<R>>;

/// A stream of items across pages.
pub type ItemStream<T> = BoxStream<'static, Result<T>>;

/// The default [`Paginator::patience`].
pub const DEFAULT_PATIENCE: Duration = Duration::from_secs(600);
/// The default [`Paginator::max_empty_pages`].
pub const DEFAULT_MAX_EMPTY_PAGES: u32 = 10;
/// How many cursors a stream remembers (as hashes) to detect a cycle.
const REMEMBERED_CURSORS: usize = 65_536;
/// Backoff between fetches of a page that keeps failing.
const PAGE_RETRY_BASE: Duration = Duration::from_secs(1);
const PAGE_RETRY_MAX: Duration = Duration::from_secs(30);

/// A paginated operation, ready to stream.
#[must_use = "a paginator does nothing until its stream is polled"]
pub struct Paginator<R> {
    fetch: FetchPage<R>,
    page_size: Option<i64>,
    page_sizes: PageSizes,
    patience: Duration,
    max_empty_pages: u32,
    resume: Checkpoint,
}

impl<R> std::fmt::Debug for Paginator<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Paginator")
            .field("page_size", &self.page_size)
            .field("patience", &self.patience)
            .field("max_empty_pages", &self.max_empty_pages)
            .field("resume", &self.resume)
            .finish_non_exhaustive()
    }
}

impl<R: Page + Send + 'static> Paginator<R>
where
    R::Item: Send + 'static,
{
    /// Wraps `fetch(cursor, page_size)`, which sends one page request, for
    /// a list whose page sizes run from 1 to 1000.
    pub fn new<F, Fut>(mut fetch: F) -> Self
    where
        F: FnMut(Option<String>, Option<i64>) -> Fut + Send + 'static,
        Fut: Future<Output = Result<R>> + Send + 'static,
    {
        Paginator {
            fetch: Box::new(move |cursor, limit| Box::pin(fetch(cursor, limit))),
            page_size: None,
            page_sizes: PageSizes { min: 1, max: 1000 },
            patience: DEFAULT_PATIENCE,
            max_empty_pages: DEFAULT_MAX_EMPTY_PAGES,
            resume: Checkpoint::default(),
        }
    }

    /// Takes `operation`'s page sizes.
    pub(crate) fn for_operation(mut self, operation: &Operation) -> Self {
        if let Some(sizes) = operation.page_sizes {
            self.page_sizes = sizes;
        }
        self
    }

    /// Items per page, from 1 to 1000 (20,000 for `GET /issues`); the
    /// stream fails before any request otherwise. Default is the server's
    /// (100 for most lists, 20,000 for `GET /issues`).
    pub fn page_size(mut self, page_size: u32) -> Self {
        self.page_size = Some(i64::from(page_size));
        self
    }

    /// How long a page that keeps failing with a retryable error (429, 5xx,
    /// a lost connection) is fetched again, with backoff, before the stream
    /// gives up with a [`Checkpoint`]. Default is [`DEFAULT_PATIENCE`]
    /// (10 minutes); `Duration::ZERO` gives up after the client's own retries.
    pub fn patience(mut self, patience: Duration) -> Self {
        self.patience = patience;
        self
    }

    /// How many empty pages in a row that still promise more end the stream
    /// with [`Error::EmptyPages`]. Default is [`DEFAULT_MAX_EMPTY_PAGES`].
    pub fn max_empty_pages(mut self, pages: u32) -> Self {
        self.max_empty_pages = pages.max(1);
        self
    }

    /// Continues a stream that stopped with [`Error::Interrupted`]: the first
    /// page fetched is the one it could not fetch, so the items are exactly
    /// those it had not yielded.
    pub fn resume_from(mut self, checkpoint: &Checkpoint) -> Self {
        self.resume = checkpoint.clone();
        self
    }

    /// The pages, fetched one at a time as the stream is polled.
    pub fn pages(self) -> PageStream<R> {
        if let Some(size) = self.page_size
            && !self.page_sizes.contains(size)
        {
            let error = Error::InvalidRequest(format!(
                "a page size must be from {} to {}, not {size}",
                self.page_sizes.min, self.page_sizes.max
            ));
            return stream::once(async move { Err(error) }).boxed();
        }
        let state = PagesState {
            fetch: self.fetch,
            page_size: self.page_size,
            patience: self.patience,
            max_empty_pages: self.max_empty_pages,
            cursor: self.resume.cursor.clone(),
            items_yielded: self.resume.items_yielded,
            seen: CursorMemory::default(),
            empty_run: 0,
            done: false,
            pending: None,
        };
        stream::try_unfold(state, |mut state| async move {
            if let Some(error) = state.pending.take() {
                return Err(error);
            }
            if state.done {
                return Ok(None);
            }
            let page = fetch_patiently(
                &mut state.fetch,
                state.cursor.clone(),
                state.page_size,
                state.patience,
            )
            .await
            .map_err(|source| match source {
                // Refused before sending, and nothing fetched yet: there is
                // nothing to resume.
                Error::InvalidRequest(_) if state.cursor.is_none() && state.items_yielded == 0 => {
                    source
                }
                source => Error::Interrupted {
                    checkpoint: Box::new(Checkpoint {
                        cursor: state.cursor.clone(),
                        items_yielded: state.items_yielded,
                        ..Checkpoint::default()
                    }),
                    source: Box::new(source),
                },
            })?;
            state.items_yielded += page.item_count() as u64;
            match page.next_cursor() {
                None => state.done = true,
                // Hand out this page, then fail instead of fetching it again.
                Some(cursor) if !state.seen.insert(cursor) => {
                    state.pending = Some(Error::RepeatedCursor(cursor.to_string()));
                }
                Some(cursor) => {
                    state.cursor = Some(cursor.to_string());
                    state.empty_run = if page.item_count() == 0 {
                        state.empty_run + 1
                    } else {
                        0
                    };
                    if state.empty_run >= state.max_empty_pages {
                        state.pending = Some(Error::EmptyPages(state.empty_run));
                    }
                }
            }
            Ok(Some((page, state)))
        })
        .boxed()
    }

    /// The items of every page, in order.
    pub fn items(self) -> ItemStream<R::Item> {
        self.pages()
            .map_ok(|page| stream::iter(page.into_items().into_iter().map(Ok)))
            .try_flatten()
            .boxed()
    }
}

struct PagesState<R> {
    fetch: FetchPage<R>,
    page_size: Option<i64>,
    patience: Duration,
    max_empty_pages: u32,
    cursor: Option<String>,
    items_yielded: u64,
    seen: CursorMemory,
    empty_run: u32,
    done: bool,
    pending: Option<Error>,
}

/// The cursors a stream has followed, as hashes, the oldest forgotten
/// first once there are [`REMEMBERED_CURSORS`].
#[derive(Default)]
struct CursorMemory {
    hashes: HashSet<u64>,
    order: VecDeque<u64>,
    hasher: std::collections::hash_map::RandomState,
}

impl CursorMemory {
    /// Remembers `cursor`; false when it was already remembered.
    fn insert(&mut self, cursor: &str) -> bool {
        let hash = self.hasher.hash_one(cursor);
        if !self.hashes.insert(hash) {
            return false;
        }
        self.order.push_back(hash);
        if self.order.len() > REMEMBERED_CURSORS
            && let Some(oldest) = self.order.pop_front()
        {
            self.hashes.remove(&oldest);
        }
        true
    }
}

/// Fetches one page, again with backoff after retryable errors while
/// `patience` lasts.
async fn fetch_patiently<R>(
    fetch: &mut FetchPage<R>,
    cursor: Option<String>,
    page_size: Option<i64>,
    patience: Duration,
) -> Result<R> {
    let give_up_at = later(tokio::time::Instant::now(), patience);
    let mut delay = PAGE_RETRY_BASE;
    loop {
        match fetch(cursor.clone(), page_size).await {
            Ok(page) => return Ok(page),
            Err(e)
                if e.is_retryable() && later(tokio::time::Instant::now(), delay) < give_up_at =>
            {
                tracing::warn!(error = %e, wait_ms = delay.as_millis() as u64, "page failed; fetching it again");
                tokio::time::sleep(delay).await;
                delay = delay.saturating_mul(2).min(PAGE_RETRY_MAX);
            }
            Err(e) => return Err(e),
        }
    }
}

/// [`Page`] for a generated list answer: `Response => Item in field`, the
/// field holding the page's items.
macro_rules! impl_page {
    ($response:ident => $item:ident in $field:ident) => {
        impl $crate::pagination::Page for $crate::types::$response {
            type Item = $crate::types::$item;
            fn next_cursor(&self) -> Option<&str> {
                self.pagination
                    .as_ref()
                    .filter(|p| p.has_next_page && !p.cursor.is_empty())
                    .map(|p| p.cursor.as_str())
            }
            fn item_count(&self) -> usize {
                self.$field.len()
            }
            fn into_items(self) -> Vec<$crate::types::$item> {
                self.$field
            }
        }
    };
}
pub(crate) use impl_page;

/// A paginator over `$operation`, a `GET` list that takes `cursor` and
/// `limit` query parameters; `$call` builds the request from `client`, and
/// `$finish` makes the page of its answer (by default, its body).
macro_rules! query_paginator {
    ($self:ident, $operation:expr, [$($capture:ident),*], |$client:ident| $call:expr) => {
        $crate::pagination::query_paginator!(
            $self, $operation, [$($capture),*], |$client| $call, $crate::Response::into_inner
        )
    };
    ($self:ident, $operation:expr, [$($capture:ident),*], |$client:ident| $call:expr, $finish:expr) => {{
        let owned = $self.clone();
        $crate::Paginator::new(move |cursor: Option<String>, limit: Option<i64>| {
            let $client = owned.clone();
            $(let $capture = $capture.clone();)*
            async move {
                let mut builder = $call;
                if let Some(cursor) = cursor {
                    builder = builder.cursor(cursor);
                }
                if let Some(limit) = limit {
                    builder = builder.limit(limit);
                }
                builder.send().await.map($finish)
            }
        })
        .for_operation($operation)
    }};
}
pub(crate) use query_paginator;

/// A paginator over `$operation`, a `POST …/search` whose body carries
/// `cursor` and `limit`; every page sends `$request` with the page's cursor.
macro_rules! search_paginator {
    ($self:ident, $operation:expr, [$($capture:ident),*], $request:ident, |$client:ident| $call:expr) => {{
        let owned = $self.clone();
        $crate::Paginator::new(move |cursor, limit| {
            let $client = owned.clone();
            $(let $capture = $capture.clone();)*
            let mut body = $request.clone();
            body.cursor = cursor;
            if limit.is_some() {
                body.limit = limit;
            }
            async move {
                $call
                    .body(body)
                    .send()
                    .await
                    .map($crate::Response::into_inner)
            }
        })
        .for_operation($operation)
    }};
}
pub(crate) use search_paginator;

/// A page whose items keep their JSON: the page's `data` list as sent.
impl<R> Page for crate::response::Response<R>
where
    R: Page,
    R::Item: serde::Serialize,
{
    type Item = crate::response::AsSent<R::Item>;

    fn next_cursor(&self) -> Option<&str> {
        self.body.next_cursor()
    }

    fn item_count(&self) -> usize {
        self.body.item_count()
    }

    fn into_items(self) -> Vec<crate::response::AsSent<R::Item>> {
        #[derive(serde::Deserialize)]
        struct Data<'a> {
            #[serde(borrow)]
            data: Vec<&'a serde_json::value::RawValue>,
        }
        let sent = serde_json::from_slice::<Data<'_>>(&self.json)
            .map(|page| page.data)
            .unwrap_or_default();
        let items = self.body.into_items();
        if sent.len() == items.len() {
            items
                .into_iter()
                .zip(sent)
                .map(|(value, json)| crate::response::AsSent {
                    value,
                    json: json.to_owned(),
                })
                .collect()
        } else {
            // Not reached for a body that decoded (the same bytes hold the
            // same list); the decoded values, with their `extra` fields,
            // are then the best copy there is.
            items
                .into_iter()
                .filter_map(|value| {
                    let json = serde_json::value::to_raw_value(&value).ok()?;
                    Some(crate::response::AsSent { value, json })
                })
                .collect()
        }
    }
}
