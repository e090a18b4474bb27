//! Nothing Pylon sends is lost by the generated types.
//!
//! Every struct a success response reaches gets:
//! - an `extra` map, `#[serde(flatten)]`, holding the fields this version
//!   does not model, as Pylon sent them; serializing the value writes them
//!   back. Pylon adds fields often, and a typed copy of an object (an export,
//!   a cache) must not drop them until the next regeneration models them;
//! - `null` accepted wherever a field may be absent: typify makes an optional
//!   list or map a plain collection with `#[serde(default)]`, which refuses
//!   the `null` Pylon (written in Go) sends for an empty one, so such fields
//!   decode `null` as empty too.
//!
//! The builders and `Default` impls typify writes construct these structs
//! field by field; they get `extra: Default::default()`.

use std::collections::BTreeSet;

use syn::visit_mut::VisitMut;
use syn::{Expr, Fields, Item, ItemImpl, Type, parse_quote};

/// The name of the field that holds what this version does not model.
pub const EXTRA: &str = "extra";

/// The function (in pylon-sdk) that decodes `null` as a collection's default.
const NULL_AS_DEFAULT: &str = "crate::runtime::decode::null_as_default";

/// What [`keep_everything`] changed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Kept {
    /// Structs that got an `extra` map.
    pub structs: usize,
    /// Collection fields that now accept `null`.
    pub nullable_collections: usize,
}

/// Adds the `extra` map to every struct of the `types` module named in
/// `response_types` (the schemas a success response reaches), lets their
/// defaulted collections accept `null`, and completes the struct
/// expressions that build them.
pub fn keep_everything(
    file: &mut syn::File,
    response_types: &BTreeSet<String>,
) -> Result<Kept, String> {
    let types = crate::optional_derives::types_module(file)?;
    let mut kept = Kept::default();
    let mut widened = BTreeSet::new();
    for item in types.iter_mut() {
        let Item::Struct(s) = item else { continue };
        let name = s.ident.to_string();
        if !response_types.contains(&name) {
            continue;
        }
        let Fields::Named(fields) = &mut s.fields else {
            continue;
        };
        if fields
            .named
            .iter()
            .any(|f| f.ident.as_ref().is_some_and(|i| i == EXTRA))
        {
            return Err(format!(
                "`{name}` has a field named `{EXTRA}`, the name reserved for the fields \
                 the SDK does not model: rename it in the overlay"
            ));
        }
        for field in fields.named.iter_mut() {
            if has_serde_default(&field.attrs) && !is_option(&field.ty) {
                field
                    .attrs
                    .push(parse_quote!(#[serde(deserialize_with = #NULL_AS_DEFAULT)]));
                kept.nullable_collections += 1;
            }
        }
        fields.named.push(parse_quote! {
            /// The fields Pylon sent that this version of the SDK does not
            /// model, by name, as sent; serializing the value writes them back.
            #[serde(flatten)]
            pub extra: ::serde_json::Map<::std::string::String, ::serde_json::Value>
        });
        widened.insert(name);
        kept.structs += 1;
    }
    let mut completer = Completer {
        widened: &widened,
        in_builder: false,
        self_type: None,
    };
    for item in types.iter_mut() {
        match item {
            Item::Mod(module) if module.ident == "builder" => {
                completer.in_builder = true;
                completer.visit_item_mod_mut(module);
                completer.in_builder = false;
            }
            other => completer.visit_item_mut(other),
        }
    }
    Ok(kept)
}

fn has_serde_default(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|attr| {
        if !attr.path().is_ident("serde") {
            return false;
        }
        let mut found = false;
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("default") {
                found = true;
            }
            // Skip the value of `key = "..."` pairs.
            if meta.input.peek(syn::Token![=]) {
                meta.value()?.parse::<syn::Expr>()?;
            }
            Ok(())
        });
        found
    })
}

fn is_option(ty: &Type) -> bool {
    matches!(ty, Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "Option"))
}

/// Adds `extra: Default::default()` to the struct expressions that build a
/// widened struct: `Self { .. }` in its impls and `X { .. }` (`super::X` in
/// the builder module) elsewhere.
struct Completer<'a> {
    widened: &'a BTreeSet<String>,
    in_builder: bool,
    /// The widened struct the current impl is for, if any.
    self_type: Option<String>,
}

impl Completer<'_> {
    /// The widened struct a path names: in `types`, `X`; in `types::builder`,
    /// `super::X` (a bare `X` there is the builder).
    fn widened_by_path(&self, path: &syn::Path) -> Option<String> {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        let name = match (self.in_builder, segments.as_slice()) {
            (false, [name]) => name,
            (true, [parent, name]) if parent == "super" => name,
            _ => return None,
        };
        self.widened.contains(name).then(|| name.clone())
    }
}

impl VisitMut for Completer<'_> {
    fn visit_item_impl_mut(&mut self, item: &mut ItemImpl) {
        let outer = self.self_type.take();
        if let Type::Path(ty) = &*item.self_ty {
            self.self_type = self.widened_by_path(&ty.path);
        }
        syn::visit_mut::visit_item_impl_mut(self, item);
        self.self_type = outer;
    }

    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        syn::visit_mut::visit_expr_mut(self, expr);
        let Expr::Struct(built) = expr else { return };
        let builds_widened = if built.path.is_ident("Self") {
            self.self_type.is_some()
        } else {
            self.widened_by_path(&built.path).is_some()
        };
        let names_extra = built
            .fields
            .iter()
            .any(|f| matches!(&f.member, syn::Member::Named(ident) if ident == EXTRA));
        if builds_widened && built.rest.is_none() && !names_extra {
            built
                .fields
                .push(parse_quote!(extra: ::std::default::Default::default()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn generated() -> syn::File {
        parse_quote! {
            pub mod types {
                #[derive(::serde::Deserialize, ::serde::Serialize)]
                pub struct Tag {
                    pub id: String,
                    #[serde(default, skip_serializing_if = "::std::vec::Vec::is_empty")]
                    pub aliases: ::std::vec::Vec<String>,
                    #[serde(default, skip_serializing_if = "::std::option::Option::is_none")]
                    pub color: ::std::option::Option<String>,
                }
                impl ::std::default::Default for Tag {
                    fn default() -> Self {
                        Self { id: Default::default(), aliases: Default::default(), color: None }
                    }
                }
                #[derive(::serde::Serialize)]
                pub struct CreateTag {
                    #[serde(default, skip_serializing_if = "::std::vec::Vec::is_empty")]
                    pub aliases: ::std::vec::Vec<String>,
                }
                pub mod builder {
                    pub struct Tag { id: Result<String, String> }
                    impl ::std::convert::TryFrom<Tag> for super::Tag {
                        type Error = String;
                        fn try_from(value: Tag) -> Result<Self, String> {
                            Ok(Self { id: value.id?, aliases: vec![], color: None })
                        }
                    }
                    impl ::std::convert::From<super::Tag> for Tag {
                        fn from(value: super::Tag) -> Self {
                            Self { id: Ok(value.id) }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn response_structs_keep_unknown_fields_and_accept_null_collections() {
        let mut file = generated();
        let kept = keep_everything(&mut file, &["Tag".to_string()].into()).unwrap();
        assert_eq!(
            kept,
            Kept {
                structs: 1,
                nullable_collections: 1
            }
        );
        let out = prettyplease::unparse(&file);
        assert!(
            out.contains(
                "#[serde(deserialize_with = \"crate::runtime::decode::null_as_default\")]\n        \
                 pub aliases"
            ),
            "{out}"
        );
        assert!(
            out.contains("#[serde(flatten)]\n        pub extra"),
            "{out}"
        );
        // The request type is untouched.
        assert_eq!(out.matches("pub extra").count(), 1, "{out}");
        assert_eq!(out.matches("deserialize_with").count(), 1, "{out}");
        // The Default impl and the builder's conversion into `Tag` build the
        // field; the conversion into the builder does not.
        assert_eq!(
            out.matches("extra: ::std::default::Default::default()")
                .count(),
            2,
            "{out}"
        );
        assert!(out.contains("Self { id: Ok(value.id) }"), "{out}");
    }

    #[test]
    fn a_modelled_field_named_extra_is_refused() {
        let mut file: syn::File = parse_quote! {
            pub mod types {
                pub struct Tag { pub extra: String }
            }
        };
        let err = keep_everything(&mut file, &["Tag".to_string()].into()).unwrap_err();
        assert!(err.contains("`Tag` has a field named `extra`"), "{err}");
    }
}
