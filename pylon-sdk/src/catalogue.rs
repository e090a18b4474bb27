//! What the SDK knows about each operation: its method, path, parameters,
//! body and pagination from the spec, and from the overlays' `x-pylon-…`
//! extensions the facts the spec cannot say: its rate limit, whether it
//! may be repeated, its page sizes, the fields Pylon refuses blank and its
//! time window. `cargo xtask regen` writes one [`Operation`] per operation
//! into `generated/operations.rs`; the runtime reads its rules from there,
//! so no rule is keyed by an operation's name.

use serde_json::Value;

use crate::generated::operations::{BODY_SHAPES, OPERATIONS};

/// An operation's HTTP method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `PATCH`
    Patch,
    /// `DELETE`
    Delete,
}

impl Method {
    /// The method's name, e.g. `"GET"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }

    pub(crate) fn to_http(self) -> reqwest::Method {
        match self {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Put => reqwest::Method::PUT,
            Method::Patch => reqwest::Method::PATCH,
            Method::Delete => reqwest::Method::DELETE,
        }
    }
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a query parameter's value is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ParamKind {
    /// Any text.
    String,
    /// A whole number, e.g. `100`.
    Integer,
    /// A number, e.g. `2.5`.
    Number,
    /// `true` or `false`.
    Boolean,
    /// An RFC 3339 time, e.g. `2026-03-01T00:00:00Z`.
    DateTime,
}

impl ParamKind {
    /// Whether `value` is written as this kind requires.
    pub(crate) fn accepts(self, value: &str) -> bool {
        match self {
            ParamKind::String => true,
            ParamKind::Integer => value.parse::<i64>().is_ok(),
            ParamKind::Number => value.parse::<f64>().is_ok_and(f64::is_finite),
            ParamKind::Boolean => matches!(value, "true" | "false"),
            ParamKind::DateTime => chrono::DateTime::parse_from_rfc3339(value).is_ok(),
        }
    }

    pub(crate) fn describe(self) -> &'static str {
        match self {
            ParamKind::String => "text",
            ParamKind::Integer => "an integer",
            ParamKind::Number => "a number",
            ParamKind::Boolean => "`true` or `false`",
            ParamKind::DateTime => "an RFC 3339 time such as 2026-03-01T00:00:00Z",
        }
    }
}

/// One query parameter of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueryParameter {
    pub(crate) name: &'static str,
    pub(crate) required: bool,
    pub(crate) kind: ParamKind,
    pub(crate) repeated: bool,
}

impl QueryParameter {
    /// Its name, e.g. `"limit"`.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Whether the operation needs it.
    pub fn required(&self) -> bool {
        self.required
    }

    /// How its value is written.
    pub fn kind(&self) -> ParamKind {
        self.kind
    }

    /// Whether it is a list, sent as the key repeated once per value.
    pub fn repeated(&self) -> bool {
        self.repeated
    }
}

/// What request body an operation takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum BodyKind {
    /// None.
    None,
    /// A JSON document.
    Json {
        /// Whether the operation needs one.
        required: bool,
    },
    /// A `multipart/form-data` upload, which [`Client::call`](crate::Client::call) does not
    /// send (see [`UploadsExt`](crate::UploadsExt)).
    Multipart,
}

/// The shape of an operation's JSON body: its top-level fields, their JSON
/// types and which are required.
pub(crate) struct BodyShape {
    pub(crate) type_name: &'static str,
    pub(crate) fields: &'static [BodyField],
}

pub(crate) struct BodyField {
    pub(crate) name: &'static str,
    pub(crate) kind: JsonKind,
    pub(crate) required: bool,
}

/// The JSON type a body field must have.
#[derive(Debug, Clone, Copy)]
#[allow(
    dead_code,
    reason = "the catalogue uses the kinds the current spec has; a regeneration may use the rest"
)]
pub(crate) enum JsonKind {
    String,
    Integer,
    Number,
    Boolean,
    Array,
    Object,
    /// The schema allows more than one type.
    Any,
}

impl JsonKind {
    fn accepts(self, value: &Value) -> bool {
        match self {
            JsonKind::String => value.is_string(),
            JsonKind::Integer => value.is_i64() || value.is_u64(),
            JsonKind::Number => value.is_number(),
            JsonKind::Boolean => value.is_boolean(),
            JsonKind::Array => value.is_array(),
            JsonKind::Object => value.is_object(),
            JsonKind::Any => true,
        }
    }

    fn name(self) -> &'static str {
        match self {
            JsonKind::String => "a string",
            JsonKind::Integer => "an integer",
            JsonKind::Number => "a number",
            JsonKind::Boolean => "true or false",
            JsonKind::Array => "an array",
            JsonKind::Object => "an object",
            JsonKind::Any => "any value",
        }
    }
}

/// The shape of `operation_id`'s JSON body, when it has a named request
/// type.
pub(crate) fn body_shape(operation_id: &str) -> Option<&'static BodyShape> {
    BODY_SHAPES
        .binary_search_by(|(id, _)| id.cmp(&operation_id))
        .ok()
        .map(|index| &BODY_SHAPES[index].1)
}

impl BodyShape {
    /// Why `body` cannot be this shape, if it cannot: not an object, a
    /// required field missing or null, or a field of the wrong JSON type.
    /// Fields the shape does not name pass, so fields Pylon added since
    /// still reach it.
    pub(crate) fn check(&self, body: &Value) -> std::result::Result<(), String> {
        let Value::Object(fields) = body else {
            return Err("it must be a JSON object".into());
        };
        for field in self.fields {
            match fields.get(field.name) {
                None | Some(Value::Null) if field.required => {
                    return Err(format!("`{}` is missing", field.name));
                }
                None | Some(Value::Null) => {}
                Some(value) if !field.kind.accepts(value) => {
                    return Err(format!("`{}` must be {}", field.name, field.kind.name()));
                }
                Some(_) => {}
            }
        }
        Ok(())
    }
}

/// How an operation's list continues on further pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Pagination {
    /// It is not a cursor-paginated list.
    None,
    /// `cursor` (and `limit`) are query parameters.
    QueryCursor,
    /// `cursor` (and `limit`) are fields of the JSON body (the searches).
    BodyCursor,
}

/// One operation of the API, as [`Client::call`](crate::Client::call) sends it.
///
/// ```
/// let get_tag = pylon_sdk::operations::find("get_tag").unwrap();
/// assert_eq!(get_tag.method().as_str(), "GET");
/// assert_eq!(get_tag.path(), "/tags/{id}");
/// assert_eq!(get_tag.path_params(), ["id"]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operation {
    pub(crate) id: &'static str,
    pub(crate) method: Method,
    pub(crate) path: &'static str,
    pub(crate) summary: &'static str,
    pub(crate) path_params: &'static [&'static str],
    pub(crate) query_params: &'static [QueryParameter],
    pub(crate) body: BodyKind,
    pub(crate) pagination: Pagination,
    pub(crate) page_items: Option<&'static str>,
    pub(crate) page_sizes: Option<PageSizes>,
    pub(crate) rate_limit: u32,
    pub(crate) retry: RetryClass,
    pub(crate) non_empty_fields: &'static [&'static str],
    pub(crate) time_window: Option<TimeWindow>,
    pub(crate) response_fields: &'static [&'static str],
}

impl Operation {
    /// The operation id, e.g. `"create_tag"`: also the name of the
    /// client's typed method for it.
    pub fn id(&self) -> &'static str {
        self.id
    }

    /// The HTTP method.
    pub fn method(&self) -> Method {
        self.method
    }

    /// The path template, e.g. `"/tags/{id}"`.
    pub fn path(&self) -> &'static str {
        self.path
    }

    /// A one-line description (may be empty).
    pub fn summary(&self) -> &'static str {
        self.summary
    }

    /// The path parameters, in the order the template names them.
    pub fn path_params(&self) -> &'static [&'static str] {
        self.path_params
    }

    /// The query parameters, sorted by name.
    pub fn query_params(&self) -> &'static [QueryParameter] {
        self.query_params
    }

    /// The request body it takes.
    pub fn body(&self) -> BodyKind {
        self.body
    }

    /// How its list is paged, if it is one: where the cursor goes.
    pub fn pagination(&self) -> Pagination {
        self.pagination
    }

    /// The field of a page that holds its items (`data`), for a
    /// cursor-paginated list.
    pub fn page_items(&self) -> Option<&'static str> {
        self.page_items
    }

    /// The page sizes (`limit`) Pylon accepts, for an operation that takes
    /// one; a size outside them is refused before sending.
    ///
    /// ```
    /// use pylon_sdk::operations::find;
    /// assert_eq!(find("list_accounts").unwrap().page_sizes().unwrap().max(), 1000);
    /// assert_eq!(find("list_issues").unwrap().page_sizes().unwrap().max(), 20_000);
    /// assert!(find("get_tag").unwrap().page_sizes().is_none());
    /// ```
    pub fn page_sizes(&self) -> Option<PageSizes> {
        self.page_sizes
    }

    /// Pylon's limit for it, in requests per minute per organization: what
    /// the client-side limiter ([`RateLimits`](crate::RateLimits)) keeps it
    /// under unless told otherwise.
    ///
    /// ```
    /// use pylon_sdk::operations::find;
    /// assert_eq!(find("get_tag").unwrap().rate_limit(), 300);
    /// assert_eq!(find("search_issues").unwrap().rate_limit(), 120);
    /// assert_eq!(find("update_tag").unwrap().rate_limit(), 30);
    /// ```
    pub fn rate_limit(&self) -> u32 {
        self.rate_limit
    }

    /// Whether it may be sent again after an attempt whose outcome is
    /// unknown (see [`retry`](crate::retry)).
    pub fn retry_class(&self) -> RetryClass {
        self.retry
    }

    /// Whether repeating it changes nothing more than sending it once:
    /// reads, updates, deletes and the read-only searches.
    ///
    /// ```
    /// use pylon_sdk::operations::find;
    /// assert!(find("search_issues").unwrap().idempotent());
    /// assert!(!find("create_tag").unwrap().idempotent());
    /// ```
    pub fn idempotent(&self) -> bool {
        self.retry == RetryClass::Idempotent
    }

    /// Text fields of its JSON body that Pylon refuses empty or blank; a
    /// call that sends one so is refused before sending.
    pub fn non_empty_fields(&self) -> &'static [&'static str] {
        self.non_empty_fields
    }

    /// The time window its query must describe, for an operation that reads
    /// one window at a time (`list_issues`).
    pub fn time_window(&self) -> Option<TimeWindow> {
        self.time_window
    }

    /// The fields it answers with: the top-level fields of the response's
    /// `data` object, or of each item when `data` is a list, sorted; empty
    /// when the answer has no `data` object. A tool can check a field name
    /// against it before asking for anything.
    ///
    /// ```
    /// let list_issues = pylon_sdk::operations::find("list_issues").unwrap();
    /// assert!(list_issues.response_fields().contains(&"custom_fields"));
    /// ```
    pub fn response_fields(&self) -> &'static [&'static str] {
        self.response_fields
    }
}

/// Every operation of the API, sorted by id.
///
/// ```
/// let operations = pylon_sdk::operations::all();
/// assert!(operations.iter().any(|op| op.id() == "list_accounts"));
/// ```
pub fn all() -> &'static [Operation] {
    OPERATIONS
}

/// The operation with this id, if there is one.
pub fn find(operation_id: &str) -> Option<&'static Operation> {
    OPERATIONS
        .binary_search_by(|op| op.id.cmp(operation_id))
        .ok()
        .map(|index| &OPERATIONS[index])
}

/// Whether an operation may be sent again after an attempt whose outcome
/// is unknown (a 5xx, a timeout, a connection dropped mid-answer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RetryClass {
    /// Repeating it changes nothing more: reads, updates, deletes and the
    /// read-only searches. Retried after any transient failure.
    Idempotent,
    /// A create or another action that must not happen twice: sent again
    /// only when it surely never reached Pylon (the connection was refused)
    /// or Pylon refused it (429); otherwise its error says the outcome is
    /// unknown.
    AtMostOnce,
}

/// The page sizes an operation accepts for `limit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PageSizes {
    pub(crate) min: i64,
    pub(crate) max: i64,
}

impl PageSizes {
    /// The smallest page size.
    pub fn min(&self) -> i64 {
        self.min
    }

    /// The largest page size.
    pub fn max(&self) -> i64 {
        self.max
    }

    /// Whether `size` is one of them.
    pub fn contains(&self, size: i64) -> bool {
        (self.min..=self.max).contains(&size)
    }
}

/// The time window an operation's query describes: the parameters that
/// open and close it (it must close after it opens) and its longest span.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TimeWindow {
    pub(crate) start: &'static str,
    pub(crate) end: &'static str,
    pub(crate) max_days: i64,
}

impl TimeWindow {
    /// The query parameter that opens the window, e.g. `start_time`.
    pub fn start_param(&self) -> &'static str {
        self.start
    }

    /// The query parameter that closes it, e.g. `end_time`.
    pub fn end_param(&self) -> &'static str {
        self.end
    }

    /// The longest window the spec allows, in days.
    pub fn max_days(&self) -> i64 {
        self.max_days
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An operation's `Debug` shows its facts, so two entries can be
    /// compared, or one inspected, without knowing which accessors exist.
    #[test]
    fn debug_shows_every_fact() {
        let list_issues = format!("{:?}", find("list_issues").unwrap());
        for fact in [
            "rate_limit: 30",
            "retry: Idempotent",
            "pagination: QueryCursor",
            "page_items: Some(\"data\")",
            "page_sizes: Some(PageSizes { min: 1, max: 20000 })",
            "time_window: Some(TimeWindow { start: \"start_time\", end: \"end_time\", max_days: 30 })",
        ] {
            assert!(list_issues.contains(fact), "{fact} is not in {list_issues}");
        }
        let create_tag = format!("{:?}", find("create_tag").unwrap());
        assert!(create_tag.contains("retry: AtMostOnce"), "{create_tag}");
        assert!(
            create_tag.contains("non_empty_fields: [\"value\", \"object_type\"]"),
            "{create_tag}"
        );
    }
}
