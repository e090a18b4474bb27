//! Checks that path parameters stayed inside their own segment.
//!
//! Generated operations percent-encode path parameters, which keeps `/`, `?`
//! and `#` inside the segment; but URL parsing still resolves a parameter of
//! `.` or `..` (or their `%2e` spellings) as a relative step, so `get_tag`
//! with an ID of `..` would become `GET /`. Every request's path is compared
//! with its operation's template before it is sent.

use crate::generated_paths::OPERATION_PATHS;

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
}
