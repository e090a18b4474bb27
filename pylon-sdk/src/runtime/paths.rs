//! The one URL builder: typed calls, calls by name and the uploads all
//! fill their operation's path template here.
//!
//! Every byte of a path parameter is percent-encoded but RFC 3986's
//! unreserved characters, so `/`, `\\`, `?`, `#` and `%` can never end or
//! escape the segment (URL parsing turns an unencoded `\\` into `/`). URL
//! parsing would still resolve a parameter of `.` or `..` as a relative
//! step, and an empty one leaves `//`: `get_tag` with an ID of `..` would
//! become `GET /`. Those three values are refused before anything is sent;
//! no other value can take such a step, since `%` itself is encoded.

use crate::catalogue::Operation;
use crate::error::{Error, Result};

/// `base` followed by `operation`'s path template with `values` (one per
/// path parameter, in the template's order) percent-encoded into their
/// segments, built in one allocation.
///
/// # Errors
/// [`Error::InvalidRequest`] when a value is empty, `.` or `..`.
pub(crate) fn url(operation: &Operation, base: &str, values: &[&str]) -> Result<String> {
    let template = operation.path;
    let length: usize = values.iter().map(|v| v.len()).sum();
    let mut url = String::with_capacity(base.len() + template.len() + length);
    url.push_str(base);
    let mut rest = template;
    let mut values = values.iter().zip(operation.path_params);
    while let Some(open) = rest.find('{') {
        url.push_str(&rest[..open]);
        let close = rest[open..].find('}').map_or(rest.len(), |at| open + at);
        let Some((value, name)) = values.next() else {
            return Err(Error::InvalidRequest(format!(
                "{}: a value for every path parameter is needed",
                operation.id
            )));
        };
        push_param(&mut url, operation.id, name, value)?;
        rest = rest.get(close + 1..).unwrap_or_default();
    }
    url.push_str(rest);
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
#[cfg(test)]
fn encode_path(segment: &str) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operations::find;

    fn build(operation: &str, values: &[&str]) -> Result<String> {
        url(find(operation).unwrap(), "https://h", values)
    }

    #[test]
    fn everything_but_unreserved_characters_is_encoded() {
        assert_eq!(encode_path("tag_1-a.b~"), "tag_1-a.b~");
        assert_eq!(encode_path("x\\..\\other"), "x%5C..%5Cother");
        assert_eq!(encode_path("a/b?c#d%e f"), "a%2Fb%3Fc%23d%25e%20f");
        assert_eq!(encode_path("é"), "%C3%A9");
    }

    #[test]
    fn a_url_is_the_base_then_the_template_with_parameters_encoded() {
        assert_eq!(
            url(
                find("list_account_notebook_notes").unwrap(),
                "https://h/v1",
                &["ext/42?x", "b 1"]
            )
            .unwrap(),
            "https://h/v1/accounts/ext%2F42%3Fx/notebook-blocks/b%201/notes"
        );
        assert_eq!(build("list_tags", &[]).unwrap(), "https://h/tags");
        assert_eq!(
            build("upload_account_file", &["acc 1"]).unwrap(),
            "https://h/accounts/acc%201/files"
        );
    }

    #[test]
    fn empty_and_relative_parameters_are_refused_by_name() {
        for value in ["", ".", ".."] {
            match build("get_tag", &[value]) {
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
        assert_eq!(build("get_tag", &["..."]).unwrap(), "https://h/tags/...");
    }

    #[test]
    fn every_parameter_of_a_multi_parameter_path_is_checked() {
        assert_eq!(
            build("get_custom_object", &["companies", "co_1"]).unwrap(),
            "https://h/custom-objects/companies/co_1"
        );
        for values in [["..", "co_1"], ["companies", ""], ["", "co_1"], [".", "."]] {
            assert!(
                matches!(
                    build("get_custom_object", &values),
                    Err(Error::InvalidRequest(_))
                ),
                "{values:?}"
            );
        }
        let missing = build("get_custom_object", &["companies"]).unwrap_err();
        assert!(
            missing.to_string().contains("every path parameter"),
            "{missing}"
        );
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
        /// Any two parameters: the URL, once URL parsing has resolved it,
        /// still has the template's segments, each decoding back to its value.
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
            let built = url(find("get_article").unwrap(), "https://api.usepylon.com", &[&kb, &article]);
            let relative = |p: &str| matches!(p, "" | "." | "..");
            match built {
                Err(Error::InvalidRequest(_)) => {
                    proptest::prop_assert!(relative(&kb) || relative(&article));
                }
                Err(other) => proptest::prop_assert!(false, "{other:?}"),
                Ok(raw) => {
                    proptest::prop_assert!(!relative(&kb) && !relative(&article));
                    let url = reqwest::Url::parse(&raw).unwrap();
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
