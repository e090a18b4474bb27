//! Keeping path parameters inside their own segment.
//!
//! Generated operations build their URL with [`url`], which percent-encodes
//! every byte of a path parameter but RFC 3986's unreserved characters, so
//! `/`, `\`, `?`, `#` and `%` can never end or escape the segment (URL
//! parsing turns an unencoded `\` into `/`). URL parsing would still resolve
//! a parameter of `.` or `..` as a relative step, and an empty one leaves
//! `//`: `get_tag` with an ID of `..` would become `GET /`. Those three
//! values are refused before anything is sent; no other value can take
//! such a step, since `%` itself is encoded. The hand-written uploads also
//! compare their finished path with the operation's template ([`misfit`]).

use crate::error::{Error, Result};
use crate::generated_paths::OPERATION_PATHS;

/// One piece of a request's path.
pub(crate) enum Piece<'a> {
    /// Text of the path template.
    Fixed(&'static str),
    /// A path parameter's name and value.
    Param(&'static str, &'a str),
}

/// `base` followed by `pieces`, each parameter percent-encoded: a generated
/// operation's URL, built in one allocation.
///
/// # Errors
/// [`Error::InvalidRequest`] when a parameter is empty, `.` or `..`.
pub(crate) fn url(operation: &str, base: &str, pieces: &[Piece<'_>]) -> Result<String> {
    let length: usize = pieces
        .iter()
        .map(|piece| match piece {
            Piece::Fixed(text) => text.len(),
            Piece::Param(_, value) => value.len(),
        })
        .sum();
    let mut url = String::with_capacity(base.len() + length);
    url.push_str(base);
    for piece in pieces {
        match piece {
            Piece::Fixed(text) => url.push_str(text),
            Piece::Param(name, value) => push_param(&mut url, operation, name, value)?,
        }
    }
    Ok(url)
}

/// Appends path parameter `name` to `url`, percent-encoded.
///
/// # Errors
/// [`Error::InvalidRequest`] when `value` is empty, `.` or `..`, which
/// would address another path.
pub(crate) fn push_param(url: &mut String, operation: &str, name: &str, value: &str) -> Result<()> {
    if matches!(value, "" | "." | "..") {
        return Err(Error::InvalidRequest(format!(
            "{operation}: path parameter `{name}` is {value:?}; an empty, `.` or `..` \
             segment would address another path"
        )));
    }
    push_encoded(url, value);
    Ok(())
}

/// Percent-encodes one path parameter: everything but `A-Z a-z 0-9 - . _ ~`.
pub(crate) fn encode_path(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    push_encoded(&mut out, segment);
    out
}

fn push_encoded(out: &mut String, segment: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &byte in segment.as_bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte as char);
        } else {
            out.push('%');
            out.push(HEX[usize::from(byte >> 4)] as char);
            out.push(HEX[usize::from(byte & 0xF)] as char);
        }
    }
}

/// Why a request's path does not fit its operation's template, if it doesn't.
pub(crate) fn misfit(operation_id: &str, base_path: &str, request_path: &str) -> Option<String> {
    let index = OPERATION_PATHS
        .binary_search_by(|(operation, _)| operation.cmp(&operation_id))
        .ok()?;
    let template = OPERATION_PATHS[index].1;
    let relative = request_path
        .strip_prefix(base_path.trim_end_matches('/'))
        .unwrap_or(request_path);
    let fits = relative.split('/').count() == template.split('/').count()
        && relative
            .split('/')
            .zip(template.split('/'))
            .all(|(actual, expected)| {
                if expected.starts_with('{') {
                    !actual.is_empty()
                } else {
                    actual == expected
                }
            });
    (!fits).then(|| {
        format!(
            "a path parameter of `{operation_id}` is empty or a relative step (`.`/`..`) \
             and would not address {template}"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn everything_but_unreserved_characters_is_encoded() {
        assert_eq!(encode_path("tag_1-a.b~"), "tag_1-a.b~");
        assert_eq!(encode_path("x\\..\\other"), "x%5C..%5Cother");
        assert_eq!(encode_path("a/b?c#d%e f"), "a%2Fb%3Fc%23d%25e%20f");
        assert_eq!(encode_path("é"), "%C3%A9");
    }

    #[test]
    fn a_url_is_the_base_then_its_pieces_with_parameters_encoded() {
        let pieces = [
            Piece::Fixed("/accounts/"),
            Piece::Param("id", "ext/42?x"),
            Piece::Fixed("/notebook-blocks/"),
            Piece::Param("block_id", "b 1"),
            Piece::Fixed("/notes"),
        ];
        assert_eq!(
            url("list_account_notebook_notes", "https://h/v1", &pieces).unwrap(),
            "https://h/v1/accounts/ext%2F42%3Fx/notebook-blocks/b%201/notes"
        );
        assert_eq!(
            url("list_tags", "https://h", &[Piece::Fixed("/tags")]).unwrap(),
            "https://h/tags"
        );
    }

    #[test]
    fn empty_and_relative_parameters_are_refused_by_name() {
        for value in ["", ".", ".."] {
            let pieces = [Piece::Fixed("/tags/"), Piece::Param("id", value)];
            match url("get_tag", "https://h", &pieces) {
                Err(Error::InvalidRequest(message)) => assert_eq!(
                    message,
                    format!(
                        "get_tag: path parameter `id` is {value:?}; an empty, `.` or `..` \
                         segment would address another path"
                    )
                ),
                other => panic!("{value:?}: {other:?}"),
            }
        }
        // Dots inside a longer value are an ordinary name.
        let pieces = [Piece::Fixed("/tags/"), Piece::Param("id", "...")];
        assert_eq!(
            url("get_tag", "https://h", &pieces).unwrap(),
            "https://h/tags/..."
        );
    }

    #[test]
    fn paths_that_match_their_template_pass() {
        assert_eq!(misfit("get_tag", "", "/tags/a%2Fb"), None);
        assert_eq!(misfit("get_tag", "/pylon/", "/pylon/tags/x"), None);
        assert_eq!(misfit("list_tags", "", "/tags"), None);
        assert_eq!(
            misfit("get_article", "", "/knowledge-bases/kb/articles/a"),
            None
        );
    }

    #[test]
    fn empty_or_resolved_parameters_are_caught() {
        assert!(misfit("get_tag", "", "/").is_some());
        assert!(misfit("get_tag", "", "/tags/").is_some());
        assert!(misfit("get_article", "", "/knowledge-bases/articles/a").is_some());
        assert!(misfit("get_article", "", "/knowledge-bases/kb/articles/").is_some());
    }

    #[test]
    fn every_parameter_of_a_multi_parameter_path_is_checked() {
        assert_eq!(
            misfit("get_custom_object", "", "/custom-objects/companies/co_1"),
            None
        );
        assert_eq!(
            misfit(
                "list_account_notebook_notes",
                "",
                "/accounts/a/notebook-blocks/b/notes"
            ),
            None
        );
        // `..` as the type resolves away a segment; as the ID, the type too.
        assert!(misfit("get_custom_object", "", "/co_1").is_some());
        assert!(misfit("get_custom_object", "", "/custom-objects/co_1").is_some());
        assert!(misfit("get_custom_object", "", "/custom-objects/companies/").is_some());
        assert!(misfit("get_custom_object", "", "/custom-objects//co_1").is_some());
        assert!(
            misfit(
                "list_account_notebook_notes",
                "",
                "/accounts/a/notebook-blocks//notes"
            )
            .is_some()
        );
        assert!(misfit("list_account_notebook_notes", "", "/accounts/a/notes").is_some());
    }

    fn percent_decode(segment: &str) -> Vec<u8> {
        let bytes = segment.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%' && i + 2 < bytes.len() {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
                out.push(u8::from_str_radix(hex, 16).unwrap());
                i += 3;
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        out
    }

    proptest::proptest! {
        /// What the generated code does with two parameters: build the
        /// URL, let URL parsing resolve it, compare it with the template.
        #[test]
        fn parameters_stay_in_their_segments_and_decode_back(
            kb in "\\PC*",
            article in proptest::prop_oneof![
                "\\PC*",
                proptest::strategy::Just("..".to_string()),
                proptest::strategy::Just(".".to_string()),
                "[./\\\\?#%]{0,6}",
            ],
        ) {
            let built = url(
                "get_article",
                "https://api.usepylon.com",
                &[
                    Piece::Fixed("/knowledge-bases/"),
                    Piece::Param("id", &kb),
                    Piece::Fixed("/articles/"),
                    Piece::Param("article_id", &article),
                ],
            );
            let relative = |p: &str| matches!(p, "" | "." | "..");
            match built {
                Err(Error::InvalidRequest(_)) => {
                    proptest::prop_assert!(relative(&kb) || relative(&article));
                }
                Err(other) => proptest::prop_assert!(false, "{other:?}"),
                Ok(raw) => {
                    proptest::prop_assert!(!relative(&kb) && !relative(&article));
                    let url = reqwest::Url::parse(&raw).unwrap();
                    proptest::prop_assert_eq!(misfit("get_article", "", url.path()), None);
                    let segments: Vec<&str> = url.path().split('/').collect();
                    proptest::prop_assert_eq!(segments.len(), 5);
                    proptest::prop_assert_eq!(segments[1], "knowledge-bases");
                    proptest::prop_assert_eq!(segments[3], "articles");
                    proptest::prop_assert_eq!(percent_decode(segments[2]), kb.as_bytes());
                    proptest::prop_assert_eq!(percent_decode(segments[4]), article.as_bytes());
                }
            }
        }
    }
}
