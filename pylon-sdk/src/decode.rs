//! Reading Pylon's success bodies into the generated types.
//!
//! A body decodes in one pass; only when that fails is it decoded again
//! with its JSON path tracked, so an error can say where (`data[3]`) and
//! what (`missing field `created_at``) without a successful decode paying
//! for the bookkeeping.

use reqwest::header::HeaderMap;
use serde::de::{Deserialize, DeserializeOwned, Deserializer};

use crate::error::{Error, body_start};

/// Decodes a `null` as the type's default: typify makes an optional list or
/// map a plain collection, and Pylon (written in Go) sends `null` for an
/// empty one. The generated types name this function.
pub(crate) fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// The answer a body came with, for errors.
pub(crate) struct Answer<'a> {
    pub(crate) operation: &'static str,
    pub(crate) status: u16,
    pub(crate) headers: &'a HeaderMap,
    pub(crate) body: &'a [u8],
}

/// Decodes `answer`'s body, or says where and why it does not decode.
pub(crate) fn body<T: DeserializeOwned>(answer: &Answer<'_>) -> Result<T, Error> {
    serde_json::from_slice(answer.body).map_err(|_| failure::<T>(answer))
}

/// The error for a body that did not decode into `T`, found by decoding it
/// again with its path tracked.
#[cold]
fn failure<T: DeserializeOwned>(answer: &Answer<'_>) -> Error {
    let mut reader = serde_json::Deserializer::from_slice(answer.body);
    let (path, source) = match serde_path_to_error::deserialize::<_, T>(&mut reader) {
        Err(e) => (path_text(e.path()), e.into_inner()),
        // The value decoded; what failed is after it, or nothing did and the
        // error must still say something true.
        Ok(_) => match reader.end() {
            Err(e) => (String::new(), e),
            Ok(()) => (
                String::new(),
                serde::de::Error::custom("the body decoded only on a second attempt"),
            ),
        },
    };
    Error::Decode {
        operation: answer.operation,
        status: answer.status,
        path,
        request_id: request_id(answer.headers, answer.body),
        body_start: body_start(answer.body),
        source,
    }
}

/// `data[3].created_at`, or empty for the body itself.
fn path_text(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut text = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => text.push_str(&format!("[{index}]")),
            Segment::Map { key } | Segment::Enum { variant: key } => {
                if !text.is_empty() {
                    text.push('.');
                }
                text.push_str(key);
            }
            Segment::Unknown => {
                if !text.is_empty() {
                    text.push('.');
                }
                text.push('?');
            }
        }
    }
    text
}

/// The request ID of a failed decode: the body's `request_id` when it can
/// be read, else the `x-request-id` header.
fn request_id(headers: &HeaderMap, body: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct WithRequestId {
        request_id: Option<String>,
    }
    serde_json::from_slice::<WithRequestId>(body)
        .ok()
        .and_then(|b| b.request_id)
        .or_else(|| {
            headers
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    struct Page {
        #[allow(dead_code)]
        data: Vec<Item>,
    }

    #[derive(Debug, serde::Deserialize)]
    struct Item {
        #[allow(dead_code)]
        id: String,
        #[allow(dead_code)]
        count: Option<u32>,
        #[serde(default, deserialize_with = "null_as_default")]
        tags: Vec<String>,
    }

    fn decode(body: &str) -> Result<Page, Error> {
        let headers = HeaderMap::new();
        body_of(&Answer {
            operation: "list_things",
            status: 200,
            headers: &headers,
            body: body.as_bytes(),
        })
    }

    fn body_of<T: DeserializeOwned>(answer: &Answer<'_>) -> Result<T, Error> {
        body(answer)
    }

    #[test]
    fn a_failure_names_the_path_the_reason_the_status_and_the_request() {
        let err =
            decode(r#"{"data":[{"id":"a"},{"id":"b","count":"three"}],"request_id":"req_9"}"#)
                .unwrap_err();
        let shown = err.to_string();
        assert!(shown.starts_with("list_things: "), "{shown}");
        assert!(shown.contains("status 200"), "{shown}");
        assert!(shown.contains("data[1].count"), "{shown}");
        assert!(shown.contains("invalid type: string \"three\""), "{shown}");
        assert!(shown.contains("req_9"), "{shown}");
        assert_eq!(err.status(), Some(200));
        assert_eq!(err.request_id(), Some("req_9"));

        let missing = decode(r#"{"data":[{"id":"a"},{"count":1}]}"#).unwrap_err();
        let shown = missing.to_string();
        assert!(shown.contains("at data[1]: missing field `id`"), "{shown}");
    }

    #[test]
    fn null_collections_decode_as_empty_and_absent_ones_too() {
        let page = decode(r#"{"data":[{"id":"a","tags":null},{"id":"b"}]}"#).unwrap();
        assert!(page.data.iter().all(|item| item.tags.is_empty()));
        let page = decode(r#"{"data":[{"id":"a","tags":["x"]}]}"#).unwrap();
        assert_eq!(page.data[0].tags, ["x"]);
    }

    #[test]
    fn trailing_garbage_and_empty_bodies_say_so_at_the_top_level() {
        let err = decode(r#"{"data":[]} x"#).unwrap_err();
        assert!(err.to_string().contains("trailing characters"), "{err}");
        let empty = decode("").unwrap_err();
        assert!(empty.to_string().contains("EOF"), "{empty}");
    }
}
