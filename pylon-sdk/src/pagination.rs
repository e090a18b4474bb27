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

use chrono::{DateTime, Utc};
use futures::stream::{self, BoxStream, StreamExt, TryStreamExt};
use serde::{Deserialize, Serialize};

use crate::client::Client;
use crate::error::{Error, Result};
use crate::retry::later;
use crate::types;
use crate::validate::{MAX_ISSUE_PAGE_SIZE, MAX_PAGE_SIZE};
use crate::window::IssueWindow;

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
            fn item_count(&self) -> usize {
                self.data.len()
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
    AccountActivityListResponse => AccountActivity,
    AccountNotebookNoteListResponse => AccountNotebookNote,
    CustomObjectListResponse => CustomObject,
    SurveySubmissionListResponse => SurveySubmission,
    ArticleFeedbackListResponse => ArticleFeedback,
    AuditLogListResponse => AuditLog,
    MilestoneListResponse => Milestone,
    CallRecordingListResponse => CallRecording,
    MessageListResponse => Message,
    IssueSurveyResponseListResponse => IssueSurveyResponse,
    EmailSuppressionListResponse => EmailSuppression,
}

/// Where a stream stopped, to resume it with exactly the items it had not
/// yielded. Serializable, so a long job can save it and resume in another
/// process.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Checkpoint {
    /// The cursor of the page to fetch next (`None`: the first page).
    pub cursor: Option<String>,
    /// How many items the stream had yielded.
    pub items_yielded: u64,
    /// For an issue export: the start of the window to fetch next.
    pub window_start: Option<DateTime<Utc>>,
    /// For an issue export: the IDs of the last finished window, so an issue
    /// on the edge between two windows is not yielded twice.
    pub previous_window_ids: Vec<String>,
}

impl Checkpoint {
    /// How many items the stream had yielded before it stopped.
    pub fn items_yielded(&self) -> u64 {
        self.items_yielded
    }
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
    max_page_size: i64,
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
    /// Wraps `fetch(cursor, page_size)`, which sends one page request.
    pub fn new<F, Fut>(mut fetch: F) -> Self
    where
        F: FnMut(Option<String>, Option<i64>) -> Fut + Send + 'static,
        Fut: Future<Output = Result<R>> + Send + 'static,
    {
        Paginator {
            fetch: Box::new(move |cursor, limit| Box::pin(fetch(cursor, limit))),
            page_size: None,
            max_page_size: MAX_PAGE_SIZE,
            patience: DEFAULT_PATIENCE,
            max_empty_pages: DEFAULT_MAX_EMPTY_PAGES,
            resume: Checkpoint::default(),
        }
    }

    pub(crate) fn with_max_page_size(mut self, max: i64) -> Self {
        self.max_page_size = max;
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
            && !(1..=self.max_page_size).contains(&size)
        {
            let error = Error::InvalidRequest(format!(
                "a page size must be from 1 to {}, not {size}",
                self.max_page_size
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

/// A `paginate_*` method for every cursor-paginated operation.
///
/// Search requests keep their filter and other fields on every page; only
/// `cursor` (and `limit`, when a page size is set) change.
pub trait Paginate {
    /// `GET /accounts`.
    fn paginate_list_accounts(&self) -> Paginator<types::AccountListResponse>;
    /// `GET /contacts`.
    fn paginate_list_contacts(&self) -> Paginator<types::ContactListResponse>;
    /// `GET /tasks`.
    fn paginate_list_tasks(&self) -> Paginator<types::TaskListResponse>;
    /// `GET /knowledge-bases/{id}/articles`.
    fn paginate_list_articles(
        &self,
        knowledge_base_id: &str,
    ) -> Paginator<types::ArticleListResponse>;
    /// `GET /issues` within one window (see [`crate::window`] for any range).
    fn paginate_list_issues(&self, window: IssueWindow) -> Paginator<types::IssueListResponse>;
    /// `POST /issues/search`.
    fn paginate_search_issues(
        &self,
        request: types::SearchRequest,
    ) -> Paginator<types::IssueListResponse>;
    /// `POST /accounts/search`.
    fn paginate_search_accounts(
        &self,
        request: types::SearchRequest,
    ) -> Paginator<types::AccountListResponse>;
    /// `POST /contacts/search`.
    fn paginate_search_contacts(
        &self,
        request: types::SearchRequest,
    ) -> Paginator<types::ContactListResponse>;
    /// `POST /users/search`.
    fn paginate_search_users(
        &self,
        request: types::FilterSearchRequest,
    ) -> Paginator<types::UserListResponse>;
    /// `POST /tasks/search`.
    fn paginate_search_tasks(
        &self,
        request: types::FilterSearchRequest,
    ) -> Paginator<types::TaskListResponse>;
    /// `POST /projects/search`.
    fn paginate_search_projects(
        &self,
        request: types::FilterSearchRequest,
    ) -> Paginator<types::ProjectListResponse>;
    /// `POST /tags/search`.
    fn paginate_search_tags(
        &self,
        request: types::SearchTagsRequest,
    ) -> Paginator<types::TagListResponse>;
    /// `GET /accounts/{id}/activities`.
    fn paginate_list_account_activities(
        &self,
        account_id: &str,
    ) -> Paginator<types::AccountActivityListResponse>;
    /// `GET /accounts/{id}/notebook-blocks/{block_id}/notes`.
    fn paginate_list_account_notebook_notes(
        &self,
        account_id: &str,
        block_id: &str,
    ) -> Paginator<types::AccountNotebookNoteListResponse>;
    /// `GET /custom-objects/{object_type}`.
    fn paginate_list_custom_objects(
        &self,
        object_type: &str,
    ) -> Paginator<types::CustomObjectListResponse>;
    /// `GET /surveys/{id}/responses`.
    fn paginate_list_survey_responses(
        &self,
        survey_id: &str,
    ) -> Paginator<types::SurveySubmissionListResponse>;
    /// `GET /article-feedback`.
    fn paginate_list_article_feedback(&self) -> Paginator<types::ArticleFeedbackListResponse>;
    /// `GET /audit-logs`.
    fn paginate_list_audit_logs(&self) -> Paginator<types::AuditLogListResponse>;
    /// `POST /custom-objects/{object_type}/search`.
    fn paginate_search_custom_objects(
        &self,
        object_type: &str,
        request: types::FilterSearchRequest,
    ) -> Paginator<types::CustomObjectListResponse>;
    /// `POST /call-recordings/search`.
    fn paginate_search_call_recordings(
        &self,
        request: types::FilterSearchRequest,
    ) -> Paginator<types::CallRecordingListResponse>;
    /// `POST /audit-logs/search`.
    fn paginate_search_audit_logs(
        &self,
        request: types::FilterSearchRequest,
    ) -> Paginator<types::AuditLogListResponse>;
    /// `POST /milestones/search`.
    fn paginate_search_milestones(
        &self,
        request: types::FilterSearchRequest,
    ) -> Paginator<types::MilestoneListResponse>;
    /// `GET /issues/{id}/messages`: an issue's conversation, oldest first.
    fn paginate_list_issue_messages(&self, issue_id: &str)
    -> Paginator<types::MessageListResponse>;
    /// `GET /issues/{id}/survey-responses`.
    fn paginate_list_issue_survey_responses(
        &self,
        issue_id: &str,
    ) -> Paginator<types::IssueSurveyResponseListResponse>;
    /// `GET /email-suppressions`.
    fn paginate_list_email_suppressions(&self) -> Paginator<types::EmailSuppressionListResponse>;
}

/// A paginator over a `GET` list that takes `cursor` and `limit` query
/// parameters; `$call` builds the request from `client`.
macro_rules! query_paginator {
    ($self:ident, [$($capture:ident),*], |$client:ident| $call:expr) => {
        query_paginator!($self, [$($capture),*], |$client| $call, crate::Response::into_inner)
    };
    ($self:ident, [$($capture:ident),*], |$client:ident| $call:expr, $finish:expr) => {{
        let owned = $self.clone();
        Paginator::new(move |cursor: Option<String>, limit: Option<i64>| {
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
    }};
}

/// A paginator over a `POST …/search` whose body carries `cursor` and `limit`.
macro_rules! search_paginator {
    ($self:ident, $operation:ident, $request:ident) => {
        search_paginator!($self, [], $request, |client| client.$operation())
    };
    ($self:ident, [$($capture:ident),*], $request:ident, |$client:ident| $call:expr) => {{
        let owned = $self.clone();
        Paginator::new(move |cursor, limit| {
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
                    .map(crate::Response::into_inner)
            }
        })
    }};
}

impl Paginate for Client {
    fn paginate_list_accounts(&self) -> Paginator<types::AccountListResponse> {
        query_paginator!(self, [], |client| client.list_accounts())
    }

    fn paginate_list_contacts(&self) -> Paginator<types::ContactListResponse> {
        query_paginator!(self, [], |client| client.list_contacts())
    }

    fn paginate_list_tasks(&self) -> Paginator<types::TaskListResponse> {
        query_paginator!(self, [], |client| client.list_tasks())
    }

    fn paginate_list_articles(
        &self,
        knowledge_base_id: &str,
    ) -> Paginator<types::ArticleListResponse> {
        let id = knowledge_base_id.to_string();
        query_paginator!(self, [id], |client| client.list_articles().id(id))
    }

    fn paginate_list_issues(&self, window: IssueWindow) -> Paginator<types::IssueListResponse> {
        query_paginator!(self, [], |client| client
            .list_issues()
            .start_time(window.start)
            .end_time(window.end))
        .with_max_page_size(MAX_ISSUE_PAGE_SIZE)
    }

    fn paginate_search_issues(
        &self,
        request: types::SearchRequest,
    ) -> Paginator<types::IssueListResponse> {
        search_paginator!(self, search_issues, request)
    }

    fn paginate_search_accounts(
        &self,
        request: types::SearchRequest,
    ) -> Paginator<types::AccountListResponse> {
        search_paginator!(self, search_accounts, request)
    }

    fn paginate_search_contacts(
        &self,
        request: types::SearchRequest,
    ) -> Paginator<types::ContactListResponse> {
        search_paginator!(self, search_contacts, request)
    }

    fn paginate_search_users(
        &self,
        request: types::FilterSearchRequest,
    ) -> Paginator<types::UserListResponse> {
        search_paginator!(self, search_users, request)
    }

    fn paginate_search_tasks(
        &self,
        request: types::FilterSearchRequest,
    ) -> Paginator<types::TaskListResponse> {
        search_paginator!(self, search_tasks, request)
    }

    fn paginate_search_projects(
        &self,
        request: types::FilterSearchRequest,
    ) -> Paginator<types::ProjectListResponse> {
        search_paginator!(self, search_projects, request)
    }

    fn paginate_search_tags(
        &self,
        request: types::SearchTagsRequest,
    ) -> Paginator<types::TagListResponse> {
        search_paginator!(self, search_tags, request)
    }

    fn paginate_list_account_activities(
        &self,
        account_id: &str,
    ) -> Paginator<types::AccountActivityListResponse> {
        let id = account_id.to_string();
        query_paginator!(self, [id], |client| client.list_account_activities().id(id))
    }

    fn paginate_list_account_notebook_notes(
        &self,
        account_id: &str,
        block_id: &str,
    ) -> Paginator<types::AccountNotebookNoteListResponse> {
        let (id, block) = (account_id.to_string(), block_id.to_string());
        query_paginator!(self, [id, block], |client| client
            .list_account_notebook_notes()
            .id(id)
            .block_id(block))
    }

    fn paginate_list_custom_objects(
        &self,
        object_type: &str,
    ) -> Paginator<types::CustomObjectListResponse> {
        let kind = object_type.to_string();
        query_paginator!(self, [kind], |client| client
            .list_custom_objects()
            .object_type(kind))
    }

    fn paginate_list_survey_responses(
        &self,
        survey_id: &str,
    ) -> Paginator<types::SurveySubmissionListResponse> {
        let id = survey_id.to_string();
        query_paginator!(self, [id], |client| client.list_survey_responses().id(id))
    }

    fn paginate_list_article_feedback(&self) -> Paginator<types::ArticleFeedbackListResponse> {
        query_paginator!(self, [], |client| client.list_article_feedback())
    }

    fn paginate_list_audit_logs(&self) -> Paginator<types::AuditLogListResponse> {
        query_paginator!(self, [], |client| client.list_audit_logs())
    }

    fn paginate_search_custom_objects(
        &self,
        object_type: &str,
        request: types::FilterSearchRequest,
    ) -> Paginator<types::CustomObjectListResponse> {
        let kind = object_type.to_string();
        search_paginator!(self, [kind], request, |client| client
            .search_custom_objects()
            .object_type(kind))
    }

    fn paginate_search_call_recordings(
        &self,
        request: types::FilterSearchRequest,
    ) -> Paginator<types::CallRecordingListResponse> {
        search_paginator!(self, search_call_recordings, request)
    }

    fn paginate_search_audit_logs(
        &self,
        request: types::FilterSearchRequest,
    ) -> Paginator<types::AuditLogListResponse> {
        search_paginator!(self, search_audit_logs, request)
    }

    fn paginate_search_milestones(
        &self,
        request: types::FilterSearchRequest,
    ) -> Paginator<types::MilestoneListResponse> {
        search_paginator!(self, search_milestones, request)
    }

    fn paginate_list_issue_messages(
        &self,
        issue_id: &str,
    ) -> Paginator<types::MessageListResponse> {
        let id = issue_id.to_string();
        query_paginator!(self, [id], |client| client.list_issue_messages().id(id))
    }

    fn paginate_list_issue_survey_responses(
        &self,
        issue_id: &str,
    ) -> Paginator<types::IssueSurveyResponseListResponse> {
        let id = issue_id.to_string();
        query_paginator!(self, [id], |client| client
            .list_issue_survey_responses()
            .id(id))
    }

    fn paginate_list_email_suppressions(&self) -> Paginator<types::EmailSuppressionListResponse> {
        query_paginator!(self, [], |client| client.list_email_suppressions())
    }
}

impl Client {
    /// `GET /issues` within one window, each issue with its JSON as sent.
    pub(crate) fn list_issues_as_sent(
        &self,
        window: IssueWindow,
    ) -> Paginator<crate::Response<types::IssueListResponse>> {
        query_paginator!(
            self,
            [],
            |client| client
                .list_issues()
                .start_time(window.start)
                .end_time(window.end),
            std::convert::identity
        )
        .with_max_page_size(MAX_ISSUE_PAGE_SIZE)
    }
}
