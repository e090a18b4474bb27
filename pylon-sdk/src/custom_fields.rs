//! Reading custom-field values off the objects that carry them.
//!
//! Issues, accounts, contacts, tasks and projects return their custom-field
//! values as a map keyed by the field's slug. Pylon allows the map to be
//! absent or `null` and an entry to be `null`, so the generated field is an
//! `Option<HashMap<String, Option<CustomFieldEntry>>>`; [`CustomFields`]
//! reads it without the nesting.
//!
//! ```
//! use pylon_sdk::{CustomFields, types};
//!
//! let issue: types::Issue = serde_json::from_value(serde_json::json!({
//!     "id": "iss_1", "number": 7, "title": "t", "body_html": "", "state": "new",
//!     "type": "ticket", "source": "email", "link": "", "customer_portal_visible": false,
//!     "is_issue_group": false, "number_of_touches": 0,
//!     "created_at": "2026-03-01T10:00:00Z", "updated_at": "2026-03-01T10:00:00Z",
//!     "custom_fields": {"tier": {"slug": "tier", "value": "gold"},
//!                       "areas": {"values": ["auth", "sso"]}, "old": null}
//! })).unwrap();
//! assert_eq!(issue.custom_field_value("tier"), Some("gold"));
//! assert_eq!(issue.custom_field_values("areas"), ["auth", "sso"]);
//! assert!(issue.custom_field("old").is_none());
//! ```

use crate::types;

/// Custom-field values of an object, by field slug.
pub trait CustomFields {
    /// The entry for `slug`, if the object has a non-null one.
    fn custom_field(&self, slug: &str) -> Option<&types::CustomFieldEntry>;

    /// The value of a single-valued field.
    fn custom_field_value(&self, slug: &str) -> Option<&str> {
        self.custom_field(slug)?.value.as_deref()
    }

    /// The values of a multi-valued field; empty when it has none.
    fn custom_field_values(&self, slug: &str) -> &[String] {
        self.custom_field(slug)
            .and_then(|entry| entry.values.as_deref())
            .unwrap_or_default()
    }
}

macro_rules! impl_custom_fields {
    ($($object:ident),* $(,)?) => {$(
        impl CustomFields for types::$object {
            fn custom_field(&self, slug: &str) -> Option<&types::CustomFieldEntry> {
                self.custom_fields.as_ref()?.get(slug)?.as_ref()
            }
        }
    )*};
}

impl_custom_fields!(Issue, Account, Contact, Task, Project);
