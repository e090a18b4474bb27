//! What the generated types derive, trimmed to what is used, since derives
//! are most of pylon-sdk's compile time:
//! - `schemars::JsonSchema` only with pylon-sdk's `schemars` feature: only
//!   users who want the types' JSON schemas need it, so the derive is moved
//!   into `#[cfg_attr(feature = "schemars", derive(..))]` (9 s of the
//!   release build for 165 operations);
//! - no `Deserialize` on types no response contains (request bodies,
//!   parameters, upload forms), which are only ever serialized (5 s).

use syn::punctuated::Punctuated;
use syn::{Attribute, Item, Path, Token, parse_quote};

/// The items of the generated `types` module.
pub fn types_module(file: &mut syn::File) -> Result<&mut Vec<Item>, String> {
    file.items
        .iter_mut()
        .find_map(|item| match item {
            Item::Mod(module) if module.ident == "types" => {
                module.content.as_mut().map(|(_, items)| items)
            }
            _ => None,
        })
        .ok_or_else(|| "the generated code has no `types` module".to_string())
}

/// The derive kept behind the feature.
const JSON_SCHEMA: &str = "schemars :: JsonSchema";

/// Moves the `JsonSchema` derive of every type in the `types` module behind
/// the `schemars` feature; returns how many types had it.
pub fn schemars_behind_feature(file: &mut syn::File) -> Result<usize, String> {
    let types = types_module(file)?;
    let mut moved = 0;
    for item in types.iter_mut() {
        let attrs = match item {
            Item::Struct(s) => &mut s.attrs,
            Item::Enum(e) => &mut e.attrs,
            _ => continue,
        };
        if take_derive(attrs, JSON_SCHEMA)? {
            attrs.push(parse_quote!(
                #[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
            ));
            moved += 1;
        }
    }
    Ok(moved)
}

/// Removes the derive `derive` (as tokens, e.g. `schemars :: JsonSchema`)
/// from the item's `#[derive(..)]` lists; true when it was there.
fn take_derive(attrs: &mut [Attribute], derive: &str) -> Result<bool, String> {
    let mut found = false;
    for attr in attrs
        .iter_mut()
        .filter(|attr| attr.path().is_ident("derive"))
    {
        let derives = attr
            .parse_args_with(Punctuated::<Path, Token![,]>::parse_terminated)
            .map_err(|e| format!("a derive list does not parse: {e}"))?;
        let before = derives.len();
        let kept: Punctuated<Path, Token![,]> = derives
            .into_iter()
            .filter(|path| quote::quote!(#path).to_string() != derive)
            .collect();
        if kept.len() != before {
            found = true;
            *attr = parse_quote!(#[derive(#kept)]);
        }
    }
    Ok(found)
}

/// Removes `Deserialize` from the structs and enums named in `names`
/// (types no response contains: request bodies, parameters, upload forms):
/// the SDK only serializes them, as async-stripe and aws-sdk-rust do with
/// their request types, and their deserializers were compile time no one
/// used. Returns how many types lost it.
pub fn serialize_only(
    file: &mut syn::File,
    names: &std::collections::BTreeSet<String>,
) -> Result<usize, String> {
    let types = types_module(file)?;
    let mut trimmed = 0;
    for item in types.iter_mut() {
        let (name, attrs) = match item {
            Item::Struct(s) => (s.ident.to_string(), &mut s.attrs),
            Item::Enum(e) => (e.ident.to_string(), &mut e.attrs),
            _ => continue,
        };
        if names.contains(&name) && take_derive(attrs, ":: serde :: Deserialize")? {
            trimmed += 1;
        }
    }
    Ok(trimmed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_json_schema_derive_moves_behind_the_feature_and_the_rest_stay() {
        let mut file: syn::File = parse_quote! {
            pub mod types {
                #[derive(::serde::Deserialize, Clone, schemars::JsonSchema)]
                pub struct Tag { pub id: String }
                #[derive(Clone, Debug)]
                pub enum Plain { A }
                pub mod builder {
                    #[derive(Clone, Debug)]
                    pub struct Tag;
                }
            }
        };
        assert_eq!(schemars_behind_feature(&mut file).unwrap(), 1);
        let out = prettyplease::unparse(&file);
        assert!(
            out.contains(
                "#[derive(::serde::Deserialize, Clone)]\n    \
                 #[cfg_attr(feature = \"schemars\", derive(schemars::JsonSchema))]\n    \
                 pub struct Tag"
            ),
            "{out}"
        );
        assert_eq!(out.matches("JsonSchema").count(), 1, "{out}");
    }

    #[test]
    fn only_the_named_types_lose_deserialize() {
        let mut file: syn::File = parse_quote! {
            pub mod types {
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone)]
                pub struct CreateTagRequest { pub value: String }
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone)]
                pub struct Tag { pub id: String }
            }
        };
        let names = ["CreateTagRequest".to_string()].into();
        assert_eq!(serialize_only(&mut file, &names).unwrap(), 1);
        let out = prettyplease::unparse(&file);
        assert!(
            out.contains("#[derive(::serde::Serialize, Clone)]\n    pub struct CreateTagRequest"),
            "{out}"
        );
        assert!(
            out.contains(
                "#[derive(::serde::Deserialize, ::serde::Serialize, Clone)]\n    pub struct Tag"
            ),
            "{out}"
        );
    }

    #[test]
    fn code_without_a_types_module_is_refused() {
        let mut file: syn::File = parse_quote! { pub mod other {} };
        assert!(schemars_behind_feature(&mut file).is_err());
    }
}
