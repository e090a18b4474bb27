//! A typed builder for Pylon's search filter language.
//!
//! A filter is a tree of `{field, operator, value | values, subfilters}`
//! nodes. The fields Pylon documents for each search (issues, accounts,
//! contacts, custom objects, call recordings, milestones, surveys, audit
//! logs) have typed constructors that offer only the operators Pylon
//! documents for them; any
//! other field (a custom field's slug, a field added later) goes through
//! [`Field::named`], which offers every operator. [`Filter::build`] checks
//! what Pylon would reject (a multi-value operator without values, an empty
//! `in`, a `time_range` without exactly two bounds, a tree deeper than 3)
//! before anything is sent.
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use pylon_sdk::filter::{Filter, IssueState, issue};
//!
//! let since = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
//! let filter = Filter::and([
//!     issue::state().in_([IssueState::New, IssueState::WaitingOnYou]),
//!     issue::tags().contains("vip"),
//!     issue::created_at().after(since),
//!     issue::custom_field("tier").equals("gold"),
//! ]);
//! let request = filter.into_search_request()?;
//! assert_eq!(request.filter.unwrap().subfilters.len(), 4);
//! # Ok::<(), pylon_sdk::Error>(())
//! ```

use chrono::{DateTime, SecondsFormat, Utc};

use crate::error::{Error, Result};
use crate::types::{self, FilterOperator};

/// The deepest tree Pylon accepts, counting the top node.
pub const MAX_DEPTH: usize = 3;

/// A filter node, checked by [`Filter::build`].
#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    field: Option<String>,
    operator: FilterOperator,
    value: Option<String>,
    values: Vec<String>,
    subfilters: Vec<Filter>,
}

impl Filter {
    /// Matches when every one of `filters` matches.
    pub fn and(filters: impl IntoIterator<Item = Filter>) -> Filter {
        Filter::compound(FilterOperator::And, filters)
    }

    /// Matches when any one of `filters` matches.
    pub fn or(filters: impl IntoIterator<Item = Filter>) -> Filter {
        Filter::compound(FilterOperator::Or, filters)
    }

    fn compound(operator: FilterOperator, filters: impl IntoIterator<Item = Filter>) -> Filter {
        Filter {
            field: None,
            operator,
            value: None,
            values: Vec::new(),
            subfilters: filters.into_iter().collect(),
        }
    }

    /// Any node, for shapes the typed constructors do not cover; checked by
    /// [`Filter::build`] like any other.
    pub fn raw(
        field: impl Into<String>,
        operator: FilterOperator,
        value: Option<String>,
        values: Vec<String>,
    ) -> Filter {
        Filter {
            field: Some(field.into()),
            operator,
            value,
            values,
            subfilters: Vec::new(),
        }
    }

    fn single(field: &str, operator: FilterOperator, value: impl Into<String>) -> Filter {
        Filter::raw(field, operator, Some(value.into()), Vec::new())
    }

    fn multi<V: Into<String>>(
        field: &str,
        operator: FilterOperator,
        values: impl IntoIterator<Item = V>,
    ) -> Filter {
        Filter::raw(
            field,
            operator,
            None,
            values.into_iter().map(Into::into).collect(),
        )
    }

    fn bare(field: &str, operator: FilterOperator) -> Filter {
        Filter::raw(field, operator, None, Vec::new())
    }

    /// The checked filter, as the generated search requests take it.
    ///
    /// # Errors
    /// [`Error::InvalidRequest`] naming the offending node when Pylon would
    /// reject the filter.
    pub fn build(self) -> Result<types::Filter> {
        self.check(1)?;
        Ok(self.into_generated())
    }

    /// A search request with this filter and nothing else set, for the
    /// issue, account and contact searches (those that also take
    /// `search_text`).
    ///
    /// # Errors
    /// As [`Filter::build`].
    pub fn into_search_request(self) -> Result<types::SearchRequest> {
        Ok(types::SearchRequest {
            filter: Some(self.build()?),
            ..Default::default()
        })
    }

    /// A filter search request (users, tasks, projects, custom objects,
    /// call recordings, milestones, audit logs) with this filter and
    /// nothing else set.
    ///
    /// # Errors
    /// As [`Filter::build`].
    pub fn into_filter_search_request(self) -> Result<types::FilterSearchRequest> {
        Ok(types::FilterSearchRequest {
            filter: Some(self.build()?),
            ..Default::default()
        })
    }

    /// A survey search request with this filter and nothing else set.
    ///
    /// # Errors
    /// As [`Filter::build`].
    pub fn into_survey_search_request(self) -> Result<types::SearchSurveysRequest> {
        Ok(types::SearchSurveysRequest {
            filter: Some(self.build()?),
            ..Default::default()
        })
    }

    fn check(&self, depth: usize) -> Result<()> {
        let invalid = |reason: &str| {
            Err(Error::InvalidRequest(format!(
                "filter {} on {:?}: {reason}",
                self.operator,
                self.field.as_deref().unwrap_or("(compound)")
            )))
        };
        if depth > MAX_DEPTH {
            return invalid(&format!(
                "the filter tree is deeper than {MAX_DEPTH} levels"
            ));
        }
        let compound = matches!(self.operator, FilterOperator::And | FilterOperator::Or);
        if compound {
            if self.subfilters.is_empty() {
                return invalid("`and`/`or` needs at least one subfilter");
            }
            if self.value.is_some() || !self.values.is_empty() {
                return invalid("`and`/`or` takes subfilters, not values");
            }
            return self.subfilters.iter().try_for_each(|f| f.check(depth + 1));
        }
        if self.field.as_deref().is_none_or(str::is_empty) {
            return invalid("a field name is required");
        }
        if !self.subfilters.is_empty() {
            return invalid("only `and`/`or` take subfilters");
        }
        match self.operator {
            FilterOperator::In | FilterOperator::NotIn | FilterOperator::IncludesAllOf => {
                if self.value.is_some() {
                    return invalid("a multi-value operator takes `values`, not `value`");
                }
                if self.values.is_empty() {
                    return invalid("needs at least one value");
                }
            }
            FilterOperator::TimeRange => {
                if self.value.is_some() || self.values.len() != 2 {
                    return invalid("`time_range` takes exactly two values: [start, end]");
                }
            }
            FilterOperator::IsSet | FilterOperator::IsUnset => {
                if self.value.is_some() || !self.values.is_empty() {
                    return invalid("takes no value");
                }
            }
            _ => {
                if self.value.is_none() || !self.values.is_empty() {
                    return invalid("a single-value operator takes exactly one `value`");
                }
            }
        }
        Ok(())
    }

    fn into_generated(self) -> types::Filter {
        types::Filter {
            field: self.field,
            operator: self.operator,
            value: self.value,
            values: self.values,
            subfilters: self
                .subfilters
                .into_iter()
                .map(Filter::into_generated)
                .collect(),
        }
    }
}

impl TryFrom<Filter> for types::Filter {
    type Error = Error;

    fn try_from(filter: Filter) -> Result<types::Filter> {
        filter.build()
    }
}

fn rfc3339(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

macro_rules! field_kind {
    ($(#[$doc:meta])* $name:ident { $($method:ident),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $name(String);

        impl $name {
            $(field_kind!(@method $method);)*
        }
    };
    (@method equals) => {
        /// `equals`: the field is exactly `value`.
        pub fn equals(&self, value: impl Into<String>) -> Filter { Filter::single(&self.0, FilterOperator::Equals, value) }
    };
    (@method not_equals) => {
        /// `not_equals`: the field is not `value`.
        pub fn not_equals(&self, value: impl Into<String>) -> Filter { Filter::single(&self.0, FilterOperator::NotEquals, value) }
    };
    (@method in_) => {
        /// `in`: the field is one of `values`.
        pub fn in_<V: Into<String>>(&self, values: impl IntoIterator<Item = V>) -> Filter { Filter::multi(&self.0, FilterOperator::In, values) }
    };
    (@method not_in) => {
        /// `not_in`: the field is none of `values`.
        pub fn not_in<V: Into<String>>(&self, values: impl IntoIterator<Item = V>) -> Filter { Filter::multi(&self.0, FilterOperator::NotIn, values) }
    };
    (@method includes_all_of) => {
        /// `includes_all_of`: a multi-valued field holds every one of `values`.
        pub fn includes_all_of<V: Into<String>>(&self, values: impl IntoIterator<Item = V>) -> Filter { Filter::multi(&self.0, FilterOperator::IncludesAllOf, values) }
    };
    (@method contains) => {
        /// `contains`: a multi-valued field holds `value`.
        pub fn contains(&self, value: impl Into<String>) -> Filter { Filter::single(&self.0, FilterOperator::Contains, value) }
    };
    (@method does_not_contain) => {
        /// `does_not_contain`: a multi-valued field does not hold `value`.
        pub fn does_not_contain(&self, value: impl Into<String>) -> Filter { Filter::single(&self.0, FilterOperator::DoesNotContain, value) }
    };
    (@method string_contains) => {
        /// `string_contains`: the text contains `text`.
        pub fn string_contains(&self, text: impl Into<String>) -> Filter { Filter::single(&self.0, FilterOperator::StringContains, text) }
    };
    (@method string_does_not_contain) => {
        /// `string_does_not_contain`: the text does not contain `text`.
        pub fn string_does_not_contain(&self, text: impl Into<String>) -> Filter { Filter::single(&self.0, FilterOperator::StringDoesNotContain, text) }
    };
    (@method starts_with) => {
        /// `starts_with`: the text starts with `prefix`.
        pub fn starts_with(&self, prefix: impl Into<String>) -> Filter { Filter::single(&self.0, FilterOperator::StartsWith, prefix) }
    };
    (@method ends_with) => {
        /// `ends_with`: the text ends with `suffix`.
        pub fn ends_with(&self, suffix: impl Into<String>) -> Filter { Filter::single(&self.0, FilterOperator::EndsWith, suffix) }
    };
    (@method is_set) => {
        /// `is_set`: the field has a value.
        pub fn is_set(&self) -> Filter { Filter::bare(&self.0, FilterOperator::IsSet) }
    };
    (@method is_unset) => {
        /// `is_unset`: the field has no value.
        pub fn is_unset(&self) -> Filter { Filter::bare(&self.0, FilterOperator::IsUnset) }
    };
    (@method compare) => {
        /// `greater_than`.
        pub fn greater_than(&self, value: impl Into<String>) -> Filter { Filter::single(&self.0, FilterOperator::GreaterThan, value) }
        /// `less_than`.
        pub fn less_than(&self, value: impl Into<String>) -> Filter { Filter::single(&self.0, FilterOperator::LessThan, value) }
        /// `greater_than_or_equals`.
        pub fn at_least(&self, value: impl Into<String>) -> Filter { Filter::single(&self.0, FilterOperator::GreaterThanOrEquals, value) }
        /// `less_than_or_equals`.
        pub fn at_most(&self, value: impl Into<String>) -> Filter { Filter::single(&self.0, FilterOperator::LessThanOrEquals, value) }
    };
    (@method time) => {
        /// `time_is_after`: later than `time`.
        pub fn after(&self, time: DateTime<Utc>) -> Filter { Filter::single(&self.0, FilterOperator::TimeIsAfter, rfc3339(time)) }
        /// `time_is_before`: earlier than `time`.
        pub fn before(&self, time: DateTime<Utc>) -> Filter { Filter::single(&self.0, FilterOperator::TimeIsBefore, rfc3339(time)) }
        /// `time_range`: between `start` and `end`.
        pub fn between(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> Filter {
            Filter::multi(&self.0, FilterOperator::TimeRange, [rfc3339(start), rfc3339(end)])
        }
    };
}

field_kind!(
    /// A field with every operator: custom fields and anything without a typed constructor.
    Field { equals, not_equals, in_, not_in, includes_all_of, contains, does_not_contain, string_contains,
            string_does_not_contain, starts_with, ends_with, is_set, is_unset, compare, time }
);
field_kind!(
    /// A timestamp field: `time_is_after`, `time_is_before`, `time_range`.
    TimeField { time }
);
field_kind!(
    /// A reference that may be empty: `equals`, `in`, `not_in`, `is_set`, `is_unset`.
    RefField { equals, in_, not_in, is_set, is_unset }
);
field_kind!(
    /// A value field: `equals`, `in`, `not_in`.
    ValueField { equals, in_, not_in }
);
field_kind!(
    /// A text field: `string_contains`, `string_does_not_contain`.
    TextField { string_contains, string_does_not_contain }
);
field_kind!(
    /// A multi-valued field such as tags: `contains`, `does_not_contain`, `in`, `not_in`.
    ListField { contains, does_not_contain, in_, not_in }
);
field_kind!(
    /// A text matched whole or in part: `equals`, `string_contains`.
    EqualsOrContainsField { equals, string_contains }
);
field_kind!(
    /// A value matched whole or in part: `equals`, `in`, `not_in`, `string_contains`.
    ValueOrContainsField { equals, in_, not_in, string_contains }
);
field_kind!(
    /// A value or text: `equals`, `in`, `not_in`, `string_contains`,
    /// `string_does_not_contain`.
    ValueOrTextField { equals, in_, not_in, string_contains, string_does_not_contain }
);
field_kind!(
    /// A value or text that may be empty: `equals`, `in`, `not_in`,
    /// `string_contains`, `string_does_not_contain`, `is_set`, `is_unset`.
    OptionalValueOrTextField { equals, in_, not_in, string_contains, string_does_not_contain, is_set, is_unset }
);
field_kind!(
    /// A timestamp that may be empty: `time_is_after`, `time_is_before`,
    /// `time_range`, `is_set`, `is_unset`.
    OptionalTimeField { time, is_set, is_unset }
);
field_kind!(
    /// A timestamp set once something happens: `time_is_after`,
    /// `time_is_before`, `time_range`, `is_set`.
    TimeOrSetField { time, is_set }
);

impl Field {
    /// Any field by name, e.g. a custom field's slug.
    pub fn named(name: impl Into<String>) -> Field {
        Field(name.into())
    }
}

/// An issue's state: the five built-in ones, or a custom status slug.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IssueState {
    /// `new`
    New,
    /// `waiting_on_you`
    WaitingOnYou,
    /// `waiting_on_customer`
    WaitingOnCustomer,
    /// `on_hold`
    OnHold,
    /// `closed`
    Closed,
    /// A custom status slug.
    Custom(String),
}

impl From<IssueState> for String {
    fn from(state: IssueState) -> String {
        match state {
            IssueState::New => "new".into(),
            IssueState::WaitingOnYou => "waiting_on_you".into(),
            IssueState::WaitingOnCustomer => "waiting_on_customer".into(),
            IssueState::OnHold => "on_hold".into(),
            IssueState::Closed => "closed".into(),
            IssueState::Custom(slug) => slug,
        }
    }
}

/// An issue's state field: `equals`, `in`, `not_in` over [`IssueState`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateField;

impl StateField {
    /// `equals`.
    pub fn equals(&self, state: IssueState) -> Filter {
        Filter::single("state", FilterOperator::Equals, state)
    }
    /// `in`.
    pub fn in_(&self, states: impl IntoIterator<Item = IssueState>) -> Filter {
        Filter::multi("state", FilterOperator::In, states)
    }
    /// `not_in`.
    pub fn not_in(&self, states: impl IntoIterator<Item = IssueState>) -> Filter {
        Filter::multi("state", FilterOperator::NotIn, states)
    }
}

/// A custom field of any object, by slug; every operator is available.
pub fn custom_field(slug: impl Into<String>) -> Field {
    Field::named(slug)
}

macro_rules! fields {
    ($($(#[$doc:meta])* $name:ident: $kind:ident = $field:literal;)*) => {$(
        $(#[$doc])*
        pub fn $name() -> $kind { $kind($field.to_string()) }
    )*};
}

/// Fields of `POST /issues/search`.
pub mod issue {
    use super::*;

    fields! {
        /// `created_at`.
        created_at: TimeField = "created_at";
        /// `updated_at`.
        updated_at: TimeField = "updated_at";
        /// `resolved_at`.
        resolved_at: TimeField = "resolved_at";
        /// `latest_message_activity_at`.
        latest_message_activity_at: TimeField = "latest_message_activity_at";
        /// `account_id`.
        account_id: RefField = "account_id";
        /// `ticket_form_id`.
        ticket_form_id: RefField = "ticket_form_id";
        /// `requester_id`.
        requester_id: RefField = "requester_id";
        /// `assignee_id`.
        assignee_id: RefField = "assignee_id";
        /// `issue_type`: `conversation` or `ticket`.
        issue_type: RefField = "issue_type";
        /// `workspace_email`.
        workspace_email: RefField = "workspace_email";
        /// `follower_user_id`.
        follower_user_id: ValueField = "follower_user_id";
        /// `follower_contact_id`.
        follower_contact_id: ValueField = "follower_contact_id";
        /// `team_id`.
        team_id: ValueField = "team_id";
        /// `tags` (tag names).
        tags: ListField = "tags";
        /// `title`.
        title: TextField = "title";
        /// `body_html`.
        body_html: TextField = "body_html";
    }

    /// `state`.
    pub fn state() -> StateField {
        StateField
    }

    pub use super::custom_field;
}

/// Fields of `POST /accounts/search`.
pub mod account {
    use super::*;

    fields! {
        /// `id`.
        id: ValueField = "id";
        /// `external_ids`.
        external_ids: ValueField = "external_ids";
        /// `owner_id`.
        owner_id: RefField = "owner_id";
        /// `domains`.
        domains: ListField = "domains";
        /// `tags`.
        tags: ListField = "tags";
        /// `name` (every operator, including `string_contains`).
        name: Field = "name";
    }

    pub use super::custom_field;
}

/// Fields of `POST /contacts/search`.
pub mod contact {
    use super::*;

    fields! {
        /// `id`.
        id: ValueField = "id";
        /// `account_id`.
        account_id: RefField = "account_id";
        /// `email` (every operator, including `string_contains`).
        email: Field = "email";
    }

    pub use super::custom_field;
}

/// Fields of `POST /custom-objects/{object_type}/search`, for every object
/// type except `opportunity` (see [`opportunity`]).
pub mod custom_object {
    use super::*;

    fields! {
        /// `name`.
        name: OptionalValueOrTextField = "name";
        /// `account`: the built-in Account relationship (account IDs).
        account: RefField = "account";
        /// `created_at`.
        created_at: TimeField = "created_at";
        /// `updated_at`.
        updated_at: TimeField = "updated_at";
    }

    pub use super::custom_field;
}

/// Fields of `POST /custom-objects/opportunity/search`: Pylon serves the
/// `opportunity` type from its opportunities API, with other fields.
pub mod opportunity {
    use super::*;

    fields! {
        /// `name`.
        name: ValueOrContainsField = "name";
        /// `account_id`.
        account_id: ValueField = "account_id";
        /// `source`.
        source: ValueField = "source";
        /// `created_at`.
        created_at: TimeField = "created_at";
    }
}

/// Fields of `POST /call-recordings/search`.
pub mod call_recording {
    use super::*;

    fields! {
        /// `account_id`.
        account_id: RefField = "account_id";
        /// `source`, e.g. `gong` or `custom_call_recorder`.
        source: ValueField = "source";
        /// `title`.
        title: EqualsOrContainsField = "title";
        /// `start_time`.
        start_time: TimeField = "start_time";
    }
}

/// Fields of `POST /milestones/search`.
pub mod milestone {
    use super::*;

    fields! {
        /// `project_id`.
        project_id: ValueField = "project_id";
        /// `account_id`.
        account_id: RefField = "account_id";
        /// `due_date`.
        due_date: OptionalTimeField = "due_date";
        /// `created_at`.
        created_at: TimeField = "created_at";
        /// `updated_at`.
        updated_at: TimeField = "updated_at";
        /// `started_at`.
        started_at: TimeOrSetField = "started_at";
        /// `completed_at`.
        completed_at: TimeOrSetField = "completed_at";
    }
}

/// Fields of `POST /surveys/search`.
pub mod survey {
    use super::*;

    fields! {
        /// `updated_at`.
        updated_at: TimeField = "updated_at";
    }
}

/// Fields of `POST /audit-logs/search`.
pub mod audit_log {
    use super::*;

    fields! {
        /// `action`.
        action: ValueOrTextField = "action";
        /// `action_happened_at`.
        action_happened_at: TimeField = "action_happened_at";
        /// `object_id`: the object an entry is about.
        object_id: ValueField = "object_id";
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use serde_json::json;

    fn json_of(filter: Filter) -> serde_json::Value {
        serde_json::to_value(filter.build().unwrap()).unwrap()
    }

    #[test]
    fn single_multi_and_bare_operators_serialise_as_documented() {
        assert_eq!(
            json_of(issue::title().string_contains("login")),
            json!({"field": "title", "operator": "string_contains", "value": "login"})
        );
        assert_eq!(
            json_of(issue::state().in_([IssueState::New, IssueState::Custom("triage".into())])),
            json!({"field": "state", "operator": "in", "values": ["new", "triage"]})
        );
        assert_eq!(
            json_of(issue::assignee_id().is_unset()),
            json!({"field": "assignee_id", "operator": "is_unset"})
        );
        assert_eq!(
            json_of(account::domains().contains("acme.com")),
            json!({"field": "domains", "operator": "contains", "value": "acme.com"})
        );
        assert_eq!(
            json_of(contact::email().string_contains("@acme.com")),
            json!({"field": "email", "operator": "string_contains", "value": "@acme.com"})
        );
        assert_eq!(
            json_of(issue::custom_field("areas").includes_all_of(["sso", "auth"])),
            json!({"field": "areas", "operator": "includes_all_of", "values": ["sso", "auth"]})
        );
    }

    #[test]
    fn time_range_takes_values_start_and_end() {
        let start = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let end = Utc.with_ymd_and_hms(2026, 2, 1, 12, 30, 0).unwrap();
        assert_eq!(
            json_of(issue::created_at().between(start, end)),
            json!({"field": "created_at", "operator": "time_range",
                          "values": ["2026-01-01T00:00:00Z", "2026-02-01T12:30:00Z"]})
        );
        assert_eq!(
            json_of(issue::updated_at().after(start)),
            json!({"field": "updated_at", "operator": "time_is_after", "value": "2026-01-01T00:00:00Z"})
        );
    }

    #[test]
    fn compound_filters_nest_subfilters_without_a_field() {
        let filter = Filter::and([
            issue::tags().contains("vip"),
            Filter::or([issue::team_id().equals("t1"), issue::assignee_id().is_set()]),
        ]);
        assert_eq!(
            json_of(filter),
            json!({"operator": "and", "subfilters": [
            {"field": "tags", "operator": "contains", "value": "vip"},
            {"operator": "or", "subfilters": [
                {"field": "team_id", "operator": "equals", "value": "t1"},
                {"field": "assignee_id", "operator": "is_set"}]}]})
        );
    }

    #[test]
    fn fields_of_the_other_searches_serialise_as_documented() {
        let start = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
        let end = Utc.with_ymd_and_hms(2026, 4, 1, 0, 0, 0).unwrap();
        assert_eq!(
            json_of(custom_object::name().string_does_not_contain("test")),
            json!({"field": "name", "operator": "string_does_not_contain", "value": "test"})
        );
        assert_eq!(
            json_of(custom_object::account().is_unset()),
            json!({"field": "account", "operator": "is_unset"})
        );
        assert_eq!(
            json_of(custom_object::custom_field("stage").in_(["won", "lost"])),
            json!({"field": "stage", "operator": "in", "values": ["won", "lost"]})
        );
        assert_eq!(
            json_of(opportunity::name().string_contains("renewal")),
            json!({"field": "name", "operator": "string_contains", "value": "renewal"})
        );
        assert_eq!(
            json_of(call_recording::title().equals("Kickoff")),
            json!({"field": "title", "operator": "equals", "value": "Kickoff"})
        );
        assert_eq!(
            json_of(call_recording::start_time().between(start, end)),
            json!({"field": "start_time", "operator": "time_range",
                   "values": ["2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z"]})
        );
        assert_eq!(
            json_of(milestone::due_date().is_unset()),
            json!({"field": "due_date", "operator": "is_unset"})
        );
        assert_eq!(
            json_of(milestone::completed_at().is_set()),
            json!({"field": "completed_at", "operator": "is_set"})
        );
        assert_eq!(
            json_of(survey::updated_at().before(end)),
            json!({"field": "updated_at", "operator": "time_is_before", "value": "2026-04-01T00:00:00Z"})
        );
        assert_eq!(
            json_of(audit_log::action().not_in(["login"])),
            json!({"field": "action", "operator": "not_in", "values": ["login"]})
        );
        assert_eq!(
            json_of(Filter::and([
                audit_log::object_id().equals("acc_1"),
                audit_log::action_happened_at().after(start),
            ])),
            json!({"operator": "and", "subfilters": [
                {"field": "object_id", "operator": "equals", "value": "acc_1"},
                {"field": "action_happened_at", "operator": "time_is_after", "value": "2026-03-01T00:00:00Z"}]})
        );
    }

    #[test]
    fn search_requests_carry_only_the_filter() {
        let request = milestone::project_id()
            .equals("proj_1")
            .into_filter_search_request()
            .unwrap();
        assert_eq!(
            serde_json::to_value(request).unwrap(),
            json!({"filter": {"field": "project_id", "operator": "equals", "value": "proj_1"}})
        );
        let request = survey::updated_at()
            .after(Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap())
            .into_survey_search_request()
            .unwrap();
        assert_eq!(
            serde_json::to_value(request).unwrap(),
            json!({"filter": {"field": "updated_at", "operator": "time_is_after", "value": "2026-01-01T00:00:00Z"}})
        );
        assert!(matches!(
            Filter::and([]).into_filter_search_request(),
            Err(Error::InvalidRequest(_))
        ));
    }

    #[test]
    fn filters_pylon_would_reject_are_errors() {
        let too_deep = Filter::and([Filter::or([Filter::and([issue::tags().contains("x")])])]);
        let rejected = [
            too_deep,
            issue::tags().in_(Vec::<String>::new()),
            Filter::raw("state", FilterOperator::In, Some("new".into()), vec![]),
            Filter::raw(
                "created_at",
                FilterOperator::TimeRange,
                None,
                vec!["2026-01-01T00:00:00Z".into()],
            ),
            Filter::raw(
                "title",
                FilterOperator::Equals,
                None,
                vec!["a".into(), "b".into()],
            ),
            Filter::raw("", FilterOperator::Equals, Some("x".into()), vec![]),
            Filter::raw("tags", FilterOperator::IsSet, Some("x".into()), vec![]),
            Filter::and([]),
        ];
        for filter in rejected {
            let shown = format!("{filter:?}");
            assert!(
                matches!(filter.build(), Err(Error::InvalidRequest(_))),
                "{shown}"
            );
        }
        let three_deep = Filter::and([Filter::or([issue::tags().contains("x")])]);
        assert!(three_deep.build().is_ok());
    }
}
