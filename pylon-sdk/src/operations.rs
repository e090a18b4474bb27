//! Every operation by name: a catalogue, and a call path that takes
//! parameters as text and the body as JSON.
//!
//! The typed methods (`client.get_tag().id(..).send()`) suit code written
//! against the API. Tools that take the operation from their input (a
//! command line, a script, a proxy) need the same operations by name:
//! [`all`] and [`find`] describe each one (method, path template,
//! parameters, body, pagination), and [`Client::call`] sends one. A call
//! goes through exactly what a typed call goes through: path parameters
//! are encoded into their segments, inputs Pylon refuses are refused
//! before sending, the rate limiter, pacing and retry policy apply, the
//! body is read under the size cap, and errors are the same [`Error`]s.
//!
//! ```no_run
//! use pylon_sdk::Client;
//! use pylon_sdk::operations::OperationCall;
//!
//! # async fn run(client: Client) -> pylon_sdk::Result<()> {
//! let tag = client
//!     .call("get_tag", OperationCall::new().param("id", "tag_1"))
//!     .await?;
//! println!("{}", tag["data"]["value"]);
//!
//! let created = client
//!     .call(
//!         "create_tag",
//!         OperationCall::new().body(serde_json::json!({"value": "vip", "object_type": "account"})),
//!     )
//!     .await?;
//! println!("created {}", created["data"]["id"]);
//! # Ok(()) }
//! ```
//!
//! Before anything is sent, a call is refused with
//! [`Error::InvalidRequest`] when the operation does not exist, a
//! parameter is unknown, repeated (unless it is a list) or missing, a value
//! is not of its parameter's kind (an integer, a boolean, an RFC 3339
//! time), a body is missing or not expected, or the body does not have the
//! shape of the operation's request type (not an object, a required field
//! missing, a top-level field of the wrong JSON type). Nested values are
//! left to Pylon. The body that is sent is the caller's JSON as given, so
//! fields this version of the SDK does not know still reach Pylon.
//!
//! The uploads (`POST /attachments`, `POST /accounts/{id}/files`,
//! `POST /training-data/upload`) take multipart bodies, which this call
//! path does not build: use [`UploadsExt`](crate::UploadsExt).

use futures::TryFutureExt;
use serde_json::Value;

use crate::catalogue::body_shape;
pub use crate::catalogue::{
    BodyKind, Method, Operation, PageSizes, Pagination, ParamKind, QueryParameter, RetryClass,
    TimeWindow, all, find,
};
use crate::client::Client;
use crate::error::{Error, Result};
use crate::generated::operations::OPERATIONS;
use crate::pagination::{Page, Paginator};
use crate::response::Response;

/// The parameters and body of one [`Client::call`].
///
/// ```
/// use pylon_sdk::operations::OperationCall;
///
/// let call = OperationCall::new()
///     .param("id", "acc_1")          // a path parameter
///     .param("limit", "50")          // a query parameter
///     .body(serde_json::json!({}));  // a JSON body, for operations that take one
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[must_use]
pub struct OperationCall {
    params: Vec<(String, String)>,
    body: Option<Value>,
}

impl OperationCall {
    /// No parameters and no body.
    pub fn new() -> Self {
        OperationCall::default()
    }

    /// A path or query parameter, by name; the operation's catalogue entry
    /// says which. A list-valued query parameter takes one call per value.
    pub fn param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.params.push((name.into(), value.into()));
        self
    }

    /// The JSON body.
    pub fn body(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }

    /// Replaces every value of the query parameter `name` with `value`.
    fn set(&mut self, name: &str, value: String) {
        self.params.retain(|(n, _)| n != name);
        self.params.push((name.to_string(), value));
    }
}

impl Client {
    /// Sends the operation named `operation_id` (see [`operations`](crate::operations)),
    /// returning its JSON response.
    ///
    /// # Errors
    /// [`Error::InvalidRequest`] before anything is sent for an unknown
    /// operation, unknown, repeated, missing or malformed parameters, a
    /// missing or unexpected body, a body that does not decode into the
    /// operation's request type, or a multipart operation; otherwise the
    /// errors of any call.
    ///
    /// ```no_run
    /// use pylon_sdk::{Client, operations::OperationCall};
    ///
    /// # async fn run(client: Client) -> pylon_sdk::Result<()> {
    /// let accounts = client
    ///     .call("list_accounts", OperationCall::new().param("limit", "10"))
    ///     .await?;
    /// for account in accounts["data"].as_array().into_iter().flatten() {
    ///     println!("{}", account["name"]);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn call(&self, operation_id: &str, call: OperationCall) -> Result<Response<Value>> {
        let operation = find(operation_id).ok_or_else(|| unknown(operation_id))?;
        crate::runtime::send(self, || self.build_request(operation, &call), operation).await
    }

    /// Every item of a cursor-paginated operation (its `data` arrays, page
    /// after page), as a [`Paginator`]: lazy, patient with faults and
    /// resumable like the typed `paginate_*` methods. The call's own
    /// `cursor` starts the list there; [`Paginator::page_size`] sets
    /// `limit`.
    ///
    /// # Errors
    /// What [`Client::call`] refuses, and [`Error::InvalidRequest`] when
    /// the operation is not a cursor-paginated list; a page whose `data` is
    /// not a list ends the stream with [`Error::UnexpectedResponse`].
    ///
    /// ```no_run
    /// use futures::TryStreamExt;
    /// use pylon_sdk::{Client, operations::OperationCall};
    ///
    /// # async fn run(client: Client) -> pylon_sdk::Result<()> {
    /// let mut contacts = client
    ///     .paginate_call("list_contacts", OperationCall::new())?
    ///     .page_size(500)
    ///     .items();
    /// while let Some(contact) = contacts.try_next().await? {
    ///     println!("{}: {}", contact["name"], contact.json()); // the JSON as sent
    /// }
    /// # Ok(()) }
    /// ```
    pub fn paginate_call(
        &self,
        operation_id: &str,
        call: OperationCall,
    ) -> Result<Paginator<Response<JsonPage>>> {
        let operation = find(operation_id).ok_or_else(|| unknown(operation_id))?;
        self.paginate_operation(operation, call)
    }

    /// [`Client::paginate_call`] for an operation of the catalogue.
    pub(crate) fn paginate_operation(
        &self,
        operation: &'static Operation,
        call: OperationCall,
    ) -> Result<Paginator<Response<JsonPage>>> {
        if operation.pagination == Pagination::None {
            return Err(Error::InvalidRequest(format!(
                "`{}` is not a cursor-paginated list",
                operation.id
            )));
        }
        // Refuse a bad call now rather than on the first poll.
        self.build_request(operation, &call)?;
        let client = self.clone();
        let paginator = Paginator::new(move |cursor: Option<String>, limit: Option<i64>| {
            let client = client.clone();
            let mut call = call.clone();
            match operation.pagination {
                Pagination::BodyCursor => {
                    let body = call
                        .body
                        .get_or_insert_with(|| Value::Object(Default::default()));
                    if let Value::Object(fields) = body {
                        if let Some(cursor) = cursor {
                            fields.insert("cursor".into(), Value::String(cursor));
                        }
                        if let Some(limit) = limit {
                            fields.insert("limit".into(), Value::from(limit));
                        }
                    }
                }
                _ => {
                    if let Some(cursor) = cursor {
                        call.set("cursor", cursor);
                    }
                    if let Some(limit) = limit {
                        call.set("limit", limit.to_string());
                    }
                }
            }
            let items = operation.page_items.unwrap_or("data");
            async move {
                crate::runtime::send(
                    &client,
                    || client.build_request(operation, &call),
                    operation,
                )
                .await
            }
            .and_then(move |response: Response<Value>| {
                futures::future::ready(if response[items].is_array() {
                    Ok(response.map_body(|body| JsonPage { body, items }))
                } else {
                    Err(Error::UnexpectedResponse(format!(
                        "{}: a page without a `{items}` list",
                        operation.id
                    )))
                })
            })
        });
        Ok(paginator.for_operation(operation))
    }

    /// The request for `call`, or why it cannot be sent.
    fn build_request(
        &self,
        operation: &Operation,
        call: &OperationCall,
    ) -> Result<reqwest::Request> {
        let id = operation.id;
        let refuse = |reason: String| Error::InvalidRequest(format!("{id}: {reason}"));
        if operation.body == BodyKind::Multipart {
            return Err(refuse(format!(
                "the body is multipart/form-data, which `Client::call` does not send; \
                 use `UploadsExt::{id}`"
            )));
        }
        let mut path_values: Vec<Option<&str>> = vec![None; operation.path_params.len()];
        let mut query: Vec<(&str, &str)> = Vec::new();
        for (name, value) in &call.params {
            if let Some(index) = operation.path_params.iter().position(|p| p == name) {
                if path_values[index].replace(value).is_some() {
                    return Err(refuse(format!("path parameter `{name}` is given twice")));
                }
            } else if let Some(param) = operation.query_params.iter().find(|q| q.name == name) {
                if !param.repeated && query.iter().any(|(n, _)| n == name) {
                    return Err(refuse(format!("query parameter `{name}` is given twice")));
                }
                if !param.kind.accepts(value) {
                    return Err(refuse(format!(
                        "`{name}` must be {}, not {value:?}",
                        param.kind.describe()
                    )));
                }
                query.push((param.name, value));
            } else {
                return Err(refuse(format!(
                    "unknown parameter `{name}`; it takes {}",
                    parameter_list(operation)
                )));
            }
        }
        let path_values = path_values
            .iter()
            .zip(operation.path_params)
            .map(|(value, name)| {
                value.ok_or_else(|| refuse(format!("path parameter `{name}` is missing")))
            })
            .collect::<Result<Vec<&str>>>()?;
        let path = crate::runtime::paths::url(operation, self.base_url(), &path_values)?;
        if let Some(missing) = operation
            .query_params
            .iter()
            .find(|q| q.required && !query.iter().any(|(n, _)| *n == q.name))
        {
            return Err(refuse(format!(
                "query parameter `{}` is missing",
                missing.name
            )));
        }
        match (operation.body, &call.body) {
            (BodyKind::None, Some(_)) => return Err(refuse("it takes no body".into())),
            (BodyKind::Json { required: true }, None) => {
                return Err(refuse("it needs a JSON body".into()));
            }
            (BodyKind::Json { .. }, Some(body)) => {
                if let Some(shape) = body_shape(id)
                    && let Err(reason) = shape.check(body)
                {
                    return Err(refuse(format!(
                        "the body is not a valid {}: {reason}",
                        shape.type_name
                    )));
                }
            }
            _ => {}
        }
        let mut url = reqwest::Url::parse(&path)
            .map_err(|e| refuse(format!("the URL could not be built: {e}")))?;
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        let mut request = self.client.request(operation.method.to_http(), url).header(
            reqwest::header::ACCEPT,
            reqwest::header::HeaderValue::from_static("application/json"),
        );
        if let Some(body) = &call.body {
            request = request.json(body);
        }
        request.build().map_err(Error::request_not_built)
    }
}

fn unknown(operation_id: &str) -> Error {
    let close: Vec<&str> = OPERATIONS
        .iter()
        .map(|op| op.id)
        .filter(|id| {
            id.contains(operation_id) || (operation_id.len() > 3 && operation_id.contains(id))
        })
        .take(5)
        .collect();
    let hint = if close.is_empty() {
        String::new()
    } else {
        format!(" (did you mean {}?)", close.join(", "))
    };
    Error::InvalidRequest(format!("unknown operation `{operation_id}`{hint}"))
}

fn parameter_list(operation: &Operation) -> String {
    let names: Vec<&str> = operation
        .path_params
        .iter()
        .copied()
        .chain(operation.query_params.iter().map(|q| q.name))
        .collect();
    if names.is_empty() {
        "no parameters".into()
    } else {
        names.join(", ")
    }
}

/// A page of any cursor-paginated operation, as JSON: what
/// [`Client::paginate_call`] streams. Its items are the elements of the
/// operation's items list (`data`).
#[derive(Debug, Clone, PartialEq)]
pub struct JsonPage {
    body: Value,
    items: &'static str,
}

impl JsonPage {
    /// The whole response body.
    pub fn into_inner(self) -> Value {
        self.body
    }
}

impl Page for JsonPage {
    type Item = Value;

    fn next_cursor(&self) -> Option<&str> {
        let pagination = &self.body["pagination"];
        if pagination["has_next_page"] == false {
            return None;
        }
        pagination["cursor"].as_str().filter(|c| !c.is_empty())
    }

    fn item_count(&self) -> usize {
        self.body[self.items].as_array().map_or(0, Vec::len)
    }

    fn into_items(self) -> Vec<Value> {
        match self.body {
            Value::Object(mut fields) => match fields.remove(self.items) {
                Some(Value::Array(items)) => items,
                _ => Vec::new(),
            },
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client() -> Client {
        Client::builder("pylon_api_x")
            .base_url("http://127.0.0.1:9")
            .build()
            .unwrap()
    }

    fn refused(operation: &str, call: OperationCall) -> String {
        let operation = find(operation).unwrap();
        match client().build_request(operation, &call) {
            Err(Error::InvalidRequest(reason)) => reason,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn the_catalogue_is_sorted_so_operations_are_found_by_name() {
        assert!(OPERATIONS.windows(2).all(|w| w[0].id < w[1].id));
        for operation in all() {
            assert_eq!(find(operation.id), Some(operation));
        }
        assert_eq!(
            find("create_attachment").unwrap().body(),
            BodyKind::Multipart
        );
        assert!(find("nope").is_none());
    }

    #[test]
    fn requests_carry_encoded_path_parameters_and_the_query() {
        let operation = find("list_account_activities").unwrap();
        let call = OperationCall::new()
            .param("id", "a/b c")
            .param("limit", "5")
            .param("cursor", "x y");
        let request = client().build_request(operation, &call).unwrap();
        assert_eq!(request.method(), reqwest::Method::GET);
        assert_eq!(
            request.url().as_str(),
            "http://127.0.0.1:9/accounts/a%2Fb%20c/activities?limit=5&cursor=x+y"
        );
        assert!(request.body().is_none());
    }

    #[test]
    fn list_valued_query_parameters_repeat() {
        let operation = find("delete_training_data_documents").unwrap();
        let call = OperationCall::new()
            .param("id", "td_1")
            .param("document_ids", "d1")
            .param("document_ids", "d2");
        let request = client().build_request(operation, &call).unwrap();
        assert_eq!(
            request.url().query(),
            Some("document_ids=d1&document_ids=d2")
        );
    }

    #[test]
    fn bad_calls_are_refused_with_the_reason() {
        assert!(refused("get_tag", OperationCall::new()).contains("`id` is missing"));
        assert!(
            refused(
                "get_tag",
                OperationCall::new().param("id", "a").param("id", "b")
            )
            .contains("given twice")
        );
        let unknown = refused("get_tag", OperationCall::new().param("idd", "a"));
        assert!(
            unknown.contains("unknown parameter `idd`; it takes id"),
            "{unknown}"
        );
        assert!(
            refused("list_accounts", OperationCall::new().param("limit", "ten"))
                .contains("must be an integer")
        );
        assert!(
            refused("list_custom_fields", OperationCall::new())
                .contains("`object_type` is missing")
        );
        assert!(
            refused(
                "list_tags",
                OperationCall::new().body(serde_json::json!({}))
            )
            .contains("takes no body")
        );
        assert!(refused("create_tag", OperationCall::new()).contains("needs a JSON body"));
        let wrong = refused(
            "create_tag",
            OperationCall::new().body(serde_json::json!({"value": "vip"})),
        );
        assert!(
            wrong.contains("not a valid CreateTagRequest") && wrong.contains("object_type"),
            "{wrong}"
        );
        assert!(
            refused("upload_account_file", OperationCall::new())
                .contains("use `UploadsExt::upload_account_file`")
        );
        assert!(
            refused(
                "list_issues",
                OperationCall::new().param("start_time", "yesterday")
            )
            .contains("RFC 3339")
        );
    }

    #[test]
    fn unknown_operations_suggest_close_names() {
        let Error::InvalidRequest(reason) = unknown("tag") else {
            unreachable!()
        };
        assert!(
            reason.starts_with("unknown operation `tag` (did you mean "),
            "{reason}"
        );
        let Error::InvalidRequest(reason) = unknown("zzz") else {
            unreachable!()
        };
        assert_eq!(reason, "unknown operation `zzz`");
    }

    #[test]
    fn json_pages_follow_the_cursor_until_it_ends() {
        let page = |body: Value| JsonPage {
            body,
            items: "data",
        };
        let more = page(
            serde_json::json!({"data": [1, 2], "pagination": {"cursor": "c", "has_next_page": true}}),
        );
        assert_eq!(more.next_cursor(), Some("c"));
        assert_eq!(more.item_count(), 2);
        assert_eq!(more.into_items(), [Value::from(1), Value::from(2)]);
        for last in [
            serde_json::json!({"data": []}),
            serde_json::json!({"data": [], "pagination": {"cursor": "", "has_next_page": true}}),
            serde_json::json!({"data": [], "pagination": {"cursor": "c", "has_next_page": false}}),
        ] {
            assert_eq!(page(last).next_cursor(), None);
        }
    }
}
