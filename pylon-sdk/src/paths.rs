//! Keeping path parameters inside their own segment.
//!
//! Generated operations encode each path parameter with [`encode_path`],
//! which percent-encodes every byte but RFC 3986's unreserved characters,
//! so `/`, `\`, `?`, `#` and `%` can never end or escape the segment (URL
//! parsing turns an unencoded `\` into `/`). URL parsing still resolves a
//! parameter of `.` or `..` (or `%2e` spellings) as a relative step, so
//! `get_tag` with an ID of `..` would become `GET /`: every request's path is
//! also compared with its operation's template before it is sent.

use crate::generated_paths::OPERATION_PATHS;

/// Percent-encodes one path parameter: everything but `A-Z a-z 0-9 - . _ ~`.
pub(crate) fn encode_path(segment: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(segment.len());
    for &byte in segment.as_bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte as char);
        } else {
            out.push('%');
            out.push(HEX[usize::from(byte >> 4)] as char);
            out.push(HEX[usize::from(byte & 0xF)] as char);
        }
    }
    out
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
        /// What the generated code does with two parameters: format the
        /// path, let URL parsing resolve it, check it against the template.
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
            let raw = format!(
                "https://api.usepylon.com/knowledge-bases/{}/articles/{}",
                encode_path(&kb),
                encode_path(&article)
            );
            let url = reqwest::Url::parse(&raw).unwrap();
            let relative = |p: &str| matches!(p, "" | "." | "..");
            match misfit("get_article", "", url.path()) {
                Some(_) => proptest::prop_assert!(relative(&kb) || relative(&article)),
                None => {
                    proptest::prop_assert!(!relative(&kb) && !relative(&article));
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
