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
    serde_json::from_slice(answer.body).map_err(|source| failure(answer, source))
}

/// The error for a body that did not decode: where in it serde_json
/// stopped, as a JSON path. The path is read off the body's text at the
/// error's position, so no second deserializer per type is compiled.
#[cold]
fn failure(answer: &Answer<'_>, source: serde_json::Error) -> Error {
    let offset = byte_offset(answer.body, source.line(), source.column());
    Error::Decode {
        operation: answer.operation,
        status: answer.status,
        path: path_at(answer.body, offset),
        request_id: request_id(answer.headers, answer.body),
        body_start: body_start(answer.body),
        source,
    }
}

/// The byte offset of serde_json's one-based `line` and `column` (a
/// column counts bytes); the body's length when past it.
fn byte_offset(body: &[u8], line: usize, column: usize) -> usize {
    let line_start = if line <= 1 {
        0
    } else {
        body.iter()
            .enumerate()
            .filter(|(_, b)| **b == b'\n')
            .nth(line - 2)
            .map_or(body.len(), |(i, _)| i + 1)
    };
    (line_start + column).min(body.len())
}

/// One open object or array on the way to a position in a JSON text.
enum Level {
    /// The key of the member being read, once its name has been read.
    Object {
        key: Option<String>,
        expect_key: bool,
    },
    Array {
        index: usize,
    },
}

/// The JSON path (`data[3].created_at`) of what the text holds at byte
/// `offset`: the member or element being read there, or just read (a
/// missing field is reported at the end of its object, which is then the
/// element just read). Empty for the top level.
fn path_at(body: &[u8], offset: usize) -> String {
    let mut levels: Vec<Level> = Vec::new();
    let mut i = 0;
    while i < offset.min(body.len()) {
        match body[i] {
            b'{' => levels.push(Level::Object {
                key: None,
                expect_key: true,
            }),
            b'[' => levels.push(Level::Array { index: 0 }),
            // A missing field is reported just past its object's `}`: the
            // path is then the element that `}` closed.
            b'}' | b']' => {
                levels.pop();
            }
            b',' => match levels.last_mut() {
                Some(Level::Array { index }) => *index += 1,
                Some(Level::Object { key, expect_key }) => {
                    *key = None;
                    *expect_key = true;
                }
                None => {}
            },
            b'"' => {
                let start = i + 1;
                i = start;
                while i < body.len() && body[i] != b'"' {
                    i += if body[i] == b'\\' { 2 } else { 1 };
                }
                if let Some(Level::Object { key, expect_key }) = levels.last_mut()
                    && *expect_key
                {
                    let name = &body[start..i.min(body.len())];
                    *key = Some(String::from_utf8_lossy(name).into_owned());
                    *expect_key = false;
                }
            }
            _ => {}
        }
        i += 1;
    }
    let mut path = String::new();
    for level in &levels {
        match level {
            Level::Array { index } => path.push_str(&format!("[{index}]")),
            Level::Object { key: Some(key), .. } => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
            }
            Level::Object { key: None, .. } => {}
        }
    }
    path
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
    fn paths_are_read_off_the_text_at_the_error() {
        let at = |body: &str| {
            let err = decode(body).unwrap_err();
            match err {
                Error::Decode { path, .. } => path,
                other => panic!("{other:?}"),
            }
        };
        assert_eq!(at(r#"{"data":[{"id":"a"},{"id":7}]}"#), "data[1].id");
        assert_eq!(
            at(
                "{\n  \"data\": [\n    {\"id\": \"a\"},\n    {\"id\": \"b\", \"count\": -1}\n  ]\n}"
            ),
            "data[1].count"
        );
        assert_eq!(at(r#"{"data":[{"id":"a\"]}"},{}]}"#), "data[1]");
        assert_eq!(at(r#"{"data":{"id":"a"}}"#), "data");
        assert_eq!(
            at(r#"{"data":[{"id":"a","tags":{"x":1}}]}"#),
            "data[0].tags"
        );
        assert_eq!(at(r#"{}"#), "");
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
