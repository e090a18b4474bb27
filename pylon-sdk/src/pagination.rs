//! Cursor pagination as lazy `futures::Stream`s.
//!
//! Every cursor-paginated operation has a `paginate_*` method on
//! [`Paginate`] that returns a [`Paginator`]: set a page size, then take a
//! stream of [`pages`](Paginator::pages) or of [`items`](Paginator::items).
//! Nothing is sent until the stream is polled, and each page is fetched only
//! when the previous one has been consumed.
//!
//! A stream ends when a page has no `pagination`, an empty cursor, or
//! `has_next_page: false`. A server that hands back a cursor it already gave
//! ends the stream, after that page, with [`Error::RepeatedCursor`] instead
//! of looping. After
//! an error the stream ends. Each page goes through the client's retry
//! policy, so a 429 on page 40 neither loses the stream nor repeats items.
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

use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;

use futures::stream::{self, BoxStream, StreamExt, TryStreamExt};

use crate::client::Client;
use crate::error::{Error, Result};
use crate::types;
use crate::window::IssueWindow;

/// A list response that may continue on another page.
pub trait Page {
    /// The kind of item on the page.
    type Item;
    /// The cursor of the next page, unless this page is the last: Pylon
    /// omits `pagination` on the last page; an empty cursor or
    /// `has_next_page: false` also ends the list.
    fn next_cursor(&self) -> Option<&str>;
    /// The page's items.
    fn into_items(self) -> Vec<Self::Item>;
}

macro_rules! impl_page {
    ($($response:ident => $item:ident),* $(,)?) => {$(
        impl Page for types::$response {
            type Item = types::$item;
            fn next_cursor(&self) -> Option<&str> {
                self.pagination
                    .as_ref()
                    .filter(|p| p.has_next_page && !p.cursor.is_empty())
                    .map(|p| p.cursor.as_str())
            }
            fn into_items(self) -> Vec<types::$item> {
                self.data
            }
        }
    )*};
}

impl_page! {
    AccountListResponse => Account,
    ContactListResponse => Contact,
    IssueListResponse => Issue,
    ArticleListResponse => Article,
    TagListResponse => Tag,
    UserListResponse => User,
    TaskListResponse => Task,
    ProjectListResponse => Project,
}

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;
type FetchPage<'a, R> =
    Box<dyn FnMut(Option<String>, Option<i64>) -> BoxFuture<'a, Result<R>> + Send + 'a>;

/// A stream of pages.
pub type PageStream<'a, R> = BoxStream<'a, Result<R>>;

/// A stream of items across pages.
pub type ItemStream<'a, T> = BoxStream<'a, Result<T>>;

/// A paginated operation, ready to stream.
#[must_use = "a paginator does nothing until its stream is polled"]
pub struct Paginator<'a, R> {
    fetch: FetchPage<'a, R>,
    page_size: Option<i64>,
}

impl<'a, R: Page + Send + 'a> Paginator<'a, R>
where
    R::Item: Send + 'a,
{
    /// Wraps `fetch(cursor, page_size)`, which sends one page request.
    pub fn new<F, Fut>(mut fetch: F) -> Self
    where
        F: FnMut(Option<String>, Option<i64>) -> Fut + Send + 'a,
        Fut: Future<Output = Result<R>> + Send + 'a,
    {
        Paginator {
            fetch: Box::new(move |cursor, limit| Box::pin(fetch(cursor, limit))),
            page_size: None,
        }
    }

    /// Items per page. Default is the server's (100 for most lists, 20000
    /// for `GET /issues`).
    pub fn page_size(mut self, page_size: u32) -> Self {
        self.page_size = Some(i64::from(page_size));
        self
    }

    /// The pages, fetched one at a time as the stream is polled.
    pub fn pages(self) -> PageStream<'a, R> {
        struct State<'a, R> {
            fetch: FetchPage<'a, R>,
            page_size: Option<i64>,
            cursor: Option<String>,
            seen: HashSet<String>,
            done: bool,
            repeated: Option<String>,
        }
        let state = State {
            fetch: self.fetch,
            page_size: self.page_size,
            cursor: None,
            seen: HashSet::new(),
            done: false,
            repeated: None,
        };
        stream::try_unfold(state, |mut state| async move {
            if let Some(cursor) = state.repeated.take() {
                return Err(Error::RepeatedCursor(cursor));
            }
            if state.done {
                return Ok(None);
            }
            let page = (state.fetch)(state.cursor.take(), state.page_size).await?;
            match page.next_cursor() {
                // Hand out this page, then fail instead of fetching it again.
                Some(cursor) if state.seen.contains(cursor) => {
                    state.repeated = Some(cursor.to_string());
                }
                Some(cursor) => {
                    state.seen.insert(cursor.to_string());
                    state.cursor = Some(cursor.to_string());
                }
                None => state.done = true,
            }
            Ok(Some((page, state)))
        })
        .boxed()
    }

    /// The items of every page, in order.
    pub fn items(self) -> ItemStream<'a, R::Item> {
        self.pages()
            .map_ok(|page| stream::iter(page.into_items().into_iter().map(Ok)))
            .try_flatten()
            .boxed()
    }
}

/// A `paginate_*` method for every cursor-paginated operation.
///
/// Search requests keep their filter and other fields on every page; only
/// `cursor` (and `limit`, when a page size is set) change.
pub trait Paginate {
    /// `GET /accounts`.
    fn paginate_list_accounts(&self) -> Paginator<'_, types::AccountListResponse>;
    /// `GET /contacts`.
    fn paginate_list_contacts(&self) -> Paginator<'_, types::ContactListResponse>;
    /// `GET /tasks`.
    fn paginate_list_tasks(&self) -> Paginator<'_, types::TaskListResponse>;
    /// `GET /knowledge-bases/{id}/articles`.
    fn paginate_list_articles(
        &self,
        knowledge_base_id: &str,
    ) -> Paginator<'_, types::ArticleListResponse>;
    /// `GET /issues` within one window (see [`crate::window`] for any range).
    fn paginate_list_issues(&self, window: IssueWindow) -> Paginator<'_, types::IssueListResponse>;
    /// `POST /issues/search`.
    fn paginate_search_issues(
        &self,
        request: types::SearchRequest,
    ) -> Paginator<'_, types::IssueListResponse>;
    /// `POST /accounts/search`.
    fn paginate_search_accounts(
        &self,
        request: types::SearchRequest,
    ) -> Paginator<'_, types::AccountListResponse>;
    /// `POST /contacts/search`.
    fn paginate_search_contacts(
        &self,
        request: types::SearchRequest,
    ) -> Paginator<'_, types::ContactListResponse>;
    /// `POST /users/search`.
    fn paginate_search_users(
        &self,
        request: types::SearchRequest,
    ) -> Paginator<'_, types::UserListResponse>;
    /// `POST /tasks/search`.
    fn paginate_search_tasks(
        &self,
        request: types::SearchRequest,
    ) -> Paginator<'_, types::TaskListResponse>;
    /// `POST /projects/search`.
    fn paginate_search_projects(
        &self,
        request: types::SearchRequest,
    ) -> Paginator<'_, types::ProjectListResponse>;
    /// `POST /tags/search`.
    fn paginate_search_tags(
        &self,
        request: types::SearchTagsRequest,
    ) -> Paginator<'_, types::TagListResponse>;
}

/// One page of a `GET` list that takes `cursor` and `limit` query parameters.
macro_rules! query_page {
    ($builder:expr, $cursor:expr, $limit:expr) => {{
        let mut builder = $builder;
        if let Some(cursor) = $cursor {
            builder = builder.cursor(cursor);
        }
        if let Some(limit) = $limit {
            builder = builder.limit(limit);
        }
        builder
            .send()
            .await
            .map(|r| r.into_inner())
            .map_err(Error::from)
    }};
}

/// One page of a `POST …/search` whose body carries `cursor` and `limit`.
macro_rules! search_page {
    ($client:expr, $operation:ident, $request:expr, $cursor:expr, $limit:expr) => {{
        let mut body = $request.clone();
        body.cursor = $cursor;
        if $limit.is_some() {
            body.limit = $limit;
        }
        $client
            .$operation()
            .body(body)
            .send()
            .await
            .map(|r| r.into_inner())
            .map_err(Error::from)
    }};
}

macro_rules! search_paginator {
    ($self:ident, $operation:ident, $request:ident) => {{
        let client = $self;
        Paginator::new(move |cursor, limit| {
            let request = $request.clone();
            async move { search_page!(client, $operation, request, cursor, limit) }
        })
    }};
}

impl Paginate for Client {
    fn paginate_list_accounts(&self) -> Paginator<'_, types::AccountListResponse> {
        Paginator::new(move |cursor, limit| async move {
            query_page!(self.list_accounts(), cursor, limit)
        })
    }

    fn paginate_list_contacts(&self) -> Paginator<'_, types::ContactListResponse> {
        Paginator::new(move |cursor, limit| async move {
            query_page!(self.list_contacts(), cursor, limit)
        })
    }

    fn paginate_list_tasks(&self) -> Paginator<'_, types::TaskListResponse> {
        Paginator::new(
            move |cursor, limit| async move { query_page!(self.list_tasks(), cursor, limit) },
        )
    }

    fn paginate_list_articles(
        &self,
        knowledge_base_id: &str,
    ) -> Paginator<'_, types::ArticleListResponse> {
        let id = knowledge_base_id.to_string();
        Paginator::new(move |cursor, limit| {
            let id = id.clone();
            async move { query_page!(self.list_articles().id(id), cursor, limit) }
        })
    }

    fn paginate_list_issues(&self, window: IssueWindow) -> Paginator<'_, types::IssueListResponse> {
        Paginator::new(move |cursor, limit| async move {
            query_page!(
                self.list_issues()
                    .start_time(window.start)
                    .end_time(window.end),
                cursor,
                limit
            )
        })
    }

    fn paginate_search_issues(
        &self,
        request: types::SearchRequest,
    ) -> Paginator<'_, types::IssueListResponse> {
        search_paginator!(self, search_issues, request)
    }

    fn paginate_search_accounts(
        &self,
        request: types::SearchRequest,
    ) -> Paginator<'_, types::AccountListResponse> {
        search_paginator!(self, search_accounts, request)
    }

    fn paginate_search_contacts(
        &self,
        request: types::SearchRequest,
    ) -> Paginator<'_, types::ContactListResponse> {
        search_paginator!(self, search_contacts, request)
    }

    fn paginate_search_users(
        &self,
        request: types::SearchRequest,
    ) -> Paginator<'_, types::UserListResponse> {
        search_paginator!(self, search_users, request)
    }

    fn paginate_search_tasks(
        &self,
        request: types::SearchRequest,
    ) -> Paginator<'_, types::TaskListResponse> {
        search_paginator!(self, search_tasks, request)
    }

    fn paginate_search_projects(
        &self,
        request: types::SearchRequest,
    ) -> Paginator<'_, types::ProjectListResponse> {
        search_paginator!(self, search_projects, request)
    }

    fn paginate_search_tags(
        &self,
        request: types::SearchTagsRequest,
    ) -> Paginator<'_, types::TagListResponse> {
        search_paginator!(self, search_tags, request)
    }
}
