//! The paginators: for every operation whose facts say it is
//! cursor-paginated (`x-pylon-pagination`), a `paginate_<id>` method on the
//! `Paginate` trait, and `Page` for the answer it pages through. The
//! machinery (streams, checkpoints, guards) is hand-written in
//! `pylon-sdk/src/pagination.rs`; this writes only what differs per
//! operation: its arguments, its builder calls and where its cursor goes.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::operations::{Body, OperationRow, Pagination};

/// The generated `generated/paginators.rs`, unformatted.
pub fn tokens(rows: &[OperationRow]) -> Result<TokenStream, String> {
    let mut declarations = Vec::new();
    let mut definitions = Vec::new();
    let mut pages = std::collections::BTreeMap::new();
    for row in rows.iter().filter(|r| r.pagination != Pagination::None) {
        let paginator = Paginator::of(row)?;
        pages.insert(
            paginator.page.clone(),
            (paginator.item.clone(), paginator.items_field.clone()),
        );
        declarations.push(paginator.declaration());
        definitions.push(paginator.definition());
    }
    let pages = pages.iter().map(|(page, (item, field))| {
        let page = format_ident!("{page}");
        let item = format_ident!("{item}");
        let field = format_ident!("{field}");
        quote!(impl_page!(#page => #item in #field);)
    });
    Ok(quote! {
        use crate::client::Client;
        use crate::generated::operations;
        use crate::pagination::{Paginator, impl_page, query_paginator, search_paginator};
        use crate::types;
        #[allow(unused_imports)]
        use crate::window::IssueWindow;

        #(#pages)*

        /// A `paginate_*` method for every cursor-paginated operation.
        ///
        /// Search requests keep their filter and other fields on every
        /// page; only `cursor` (and `limit`, when a page size is set)
        /// change.
        pub trait Paginate {
            #(#declarations)*
        }

        impl Paginate for Client {
            #(#definitions)*
        }
    })
}

/// One operation's paginator.
struct Paginator<'a> {
    row: &'a OperationRow,
    /// The answer's type, e.g. `AccountListResponse`.
    page: String,
    /// The type of its items, e.g. `Account`.
    item: String,
    items_field: String,
    /// The search's request type, for a cursor in the body.
    request: Option<String>,
}

impl<'a> Paginator<'a> {
    fn of(row: &'a OperationRow) -> Result<Self, String> {
        let missing = |what: &str| format!("{}: a paginated operation without {what}", row.id);
        let page = row
            .page_type
            .clone()
            .ok_or_else(|| missing("a named answer"))?;
        let item = row
            .response_type
            .clone()
            .ok_or_else(|| missing("named items"))?;
        let items_field = row
            .facts
            .items
            .clone()
            .ok_or_else(|| missing("an items field"))?;
        let request = match (&row.pagination, &row.body) {
            (
                Pagination::Body,
                Body::Json {
                    type_name: Some(name),
                    ..
                },
            ) => Some(name.clone()),
            (Pagination::Body, _) => return Err(missing("a named request body")),
            _ => None,
        };
        Ok(Paginator {
            row,
            page: crate::operations::type_name(&page),
            item: crate::operations::type_name(&item),
            items_field,
            request,
        })
    }

    fn method(&self) -> syn::Ident {
        format_ident!("paginate_{}", self.row.id)
    }

    fn page_type(&self) -> TokenStream {
        let page = format_ident!("{}", self.page);
        quote!(types::#page)
    }

    /// The path parameters as arguments, each named after what it
    /// identifies: `/accounts/{id}/activities` takes `account_id`.
    fn path_arguments(&self) -> Vec<(syn::Ident, syn::Ident)> {
        let segments: Vec<&str> = self.row.path.split('/').collect();
        self.row
            .path_params
            .iter()
            .map(|param| {
                let at = segments
                    .iter()
                    .position(|s| *s == format!("{{{param}}}"))
                    .unwrap_or(0);
                let argument = if param == "id" && at > 0 {
                    format!("{}_id", singular(&segments[at - 1].replace('-', "_")))
                } else {
                    param.clone()
                };
                (format_ident!("{argument}"), format_ident!("{param}"))
            })
            .collect()
    }

    fn arguments(&self) -> Vec<TokenStream> {
        let mut arguments: Vec<TokenStream> = self
            .path_arguments()
            .into_iter()
            .map(|(argument, _)| quote!(#argument: &str))
            .collect();
        if self.row.facts.time_window.is_some() {
            arguments.push(quote!(window: IssueWindow));
        }
        if let Some(request) = &self.request {
            let request = format_ident!("{request}");
            arguments.push(quote!(request: types::#request));
        }
        arguments
    }

    fn declaration(&self) -> TokenStream {
        let method = self.method();
        let arguments = self.arguments();
        let page = self.page_type();
        let mut doc = format!(
            " `{} {}`: {}.",
            self.row.method.to_uppercase(),
            self.row.path,
            self.row.summary.trim_end_matches('.')
        );
        if self.row.facts.time_window.is_some() {
            doc.push_str(" One window at a time; see [`crate::window`] for any range.");
        }
        quote! {
            #[doc = #doc]
            fn #method(&self, #(#arguments),*) -> Paginator<#page>;
        }
    }

    fn definition(&self) -> TokenStream {
        let method = self.method();
        let arguments = self.arguments();
        let page = self.page_type();
        let entry = format_ident!("{}", self.row.id.to_uppercase());
        let operation = format_ident!("{}", self.row.id);
        let path = self.path_arguments();
        let owned = path
            .iter()
            .map(|(argument, _)| quote!(let #argument = #argument.to_string();));
        let captures: Vec<&syn::Ident> = path.iter().map(|(argument, _)| argument).collect();
        let setters = path
            .iter()
            .map(|(argument, param)| quote!(.#param(#argument)));
        let window = self.row.facts.time_window.as_ref().map(|(start, end, _)| {
            let (start, end) = (format_ident!("{start}"), format_ident!("{end}"));
            quote!(.#start(window.start).#end(window.end))
        });
        let call = quote!(client.#operation() #(#setters)* #window);
        let body = if self.request.is_some() {
            quote!(
                search_paginator!(self, operations::#entry, [#(#captures),*], request, |client| #call)
            )
        } else {
            quote!(query_paginator!(self, operations::#entry, [#(#captures),*], |client| #call))
        };
        quote! {
            fn #method(&self, #(#arguments),*) -> Paginator<#page> {
                #(#owned)*
                #body
            }
        }
    }
}

/// `knowledge_bases` -> `knowledge_base`, `entries` -> `entry`.
fn singular(plural: &str) -> String {
    if let Some(stem) = plural.strip_suffix("ies") {
        format!("{stem}y")
    } else {
        plural.strip_suffix('s').unwrap_or(plural).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::singular;

    #[test]
    fn path_arguments_are_named_in_the_singular() {
        assert_eq!(singular("knowledge_bases"), "knowledge_base");
        assert_eq!(singular("surveys"), "survey");
        assert_eq!(singular("issue_copies"), "issue_copy");
        assert_eq!(singular("data"), "data");
    }
}
