//! Makes the generated client pylon-sdk's own: every operation's `send()`
//! hands its request and its catalogue entry to `crate::runtime::send` (the
//! one pipeline) and returns
//! `Result<crate::Response<T>, crate::Error>`, so no progenitor-client or
//! reqwest type appears in the generated public API.
//!
//! progenitor ends each `send()` with its hooks (`pre`, `exec`, `post`) and a
//! status match that builds `progenitor_client::Error`; those statements are
//! replaced by one call, which is handed a closure that builds the request
//! (called again only when an attempt is retried), and the `api-version`
//! header Pylon does not document is not added. Imports of
//! progenitor-client's runtime types are replaced by the crate's own, the
//! `ClientInfo`/`ClientHooks` glue is dropped, and the constructor that
//! takes a `reqwest::Client` becomes crate-private.

use quote::ToTokens;
use syn::visit_mut::{self, VisitMut};
use syn::{ImplItem, Item, Visibility, parse_quote};

/// Rewrites `file` in place; `operations` is how many `send()` methods must
/// have been rewritten (one per operation), so a progenitor upgrade that
/// changes the shape fails regeneration instead of leaking its types.
pub fn rewrite(file: &mut syn::File, operations: usize) -> Result<(), String> {
    let mut rewriter = Rewriter::default();
    // progenitor-client's runtime types give way to the crate's own.
    file.items.retain(|item| {
        !is_progenitor_glue(item)
            && !matches!(item, Item::Use(used)
                if mentions(used, "progenitor_client") && !matches!(used.vis, Visibility::Public(_)))
    });
    for item in &mut file.items {
        if let Item::Use(used) = item
            && mentions(used, "progenitor_client")
        {
            *item = parse_quote! {
                #[allow(unused_imports)]
                pub use crate::{Error, Response as ResponseValue};
            };
        }
    }
    rewriter.visit_file_mut(file);
    if let Some(why) = rewriter.misshapen.first() {
        return Err(format!(
            "{why}; progenitor's output changed shape (see xtask/src/own_send_path.rs)"
        ));
    }
    if rewriter.sends != operations {
        return Err(format!(
            "rewrote {} `send()` methods for {operations} operations; progenitor's output \
             changed shape (see xtask/src/own_send_path.rs)",
            rewriter.sends
        ));
    }
    let leftover = prettyplease::unparse(file);
    for forbidden in [
        "ClientHooks",
        "ClientInfo",
        "ByteStream",
        "RequestBuilderExt",
    ] {
        if leftover.contains(forbidden) {
            return Err(format!("generated code still mentions `{forbidden}`"));
        }
    }
    Ok(())
}

/// The value of `let name = …;` among `stmts`.
fn initial_value<'a>(stmts: &'a mut [syn::Stmt], name: &str) -> Option<&'a mut syn::Expr> {
    stmts.iter_mut().find_map(|stmt| match stmt {
        syn::Stmt::Local(syn::Local {
            pat: syn::Pat::Ident(p),
            init: Some(init),
            ..
        }) if p.ident == name => Some(&mut *init.expr),
        _ => None,
    })
}

/// `name` in progenitor's `encode_path(&name.to_string())`.
fn encoded_parameter(arg: &syn::Expr) -> Option<syn::Ident> {
    let syn::Expr::Call(call) = arg else {
        return None;
    };
    let is_encode_path =
        matches!(&*call.func, syn::Expr::Path(f) if f.path.is_ident("encode_path"));
    let [syn::Expr::Reference(borrowed)] = call.args.iter().collect::<Vec<_>>()[..] else {
        return None;
    };
    let syn::Expr::MethodCall(to_string) = &*borrowed.expr else {
        return None;
    };
    let syn::Expr::Path(name) = &*to_string.receiver else {
        return None;
    };
    (is_encode_path && to_string.method == "to_string" && to_string.args.is_empty())
        .then(|| name.path.get_ident().cloned())
        .flatten()
}

/// Turns `let mut request = client.client.get(url)….build()?;` into
/// `let build_request = || Ok(client.client.get(&url)….build()?);`, so the
/// transport builds the request for each attempt instead of keeping a copy
/// of it in case of a retry. progenitor's empty `header_map` (no operation
/// has header parameters) is dropped rather than cloned per attempt. False
/// when the statements do not have that shape.
fn build_per_attempt(stmts: &mut Vec<syn::Stmt>) -> bool {
    let header_map_used = stmts
        .iter()
        .filter(|stmt| mentions(*stmt, "header_map"))
        .count()
        > 2;
    if !header_map_used {
        stmts.retain(|stmt| !mentions(stmt, "let mut header_map"));
    }
    let Some(at) = stmts.iter().position(|stmt| {
        matches!(stmt, syn::Stmt::Local(local)
            if matches!(&local.pat, syn::Pat::Ident(p) if p.ident == "request"))
    }) else {
        return false;
    };
    let syn::Stmt::Local(syn::Local {
        init: Some(init), ..
    }) = &stmts[at]
    else {
        return false;
    };
    let mut chain = (*init.expr).clone();
    let mut fix = BorrowPerAttempt {
        drop_headers: !header_map_used,
    };
    fix.visit_expr_mut(&mut chain);
    stmts[at] = parse_quote! {
        let build_request = || -> ::std::result::Result<::reqwest::Request, Error> {
            Ok(#chain)
        };
    };
    true
}

/// Inside the per-attempt closure: the URL is borrowed, not moved, and the
/// empty header map is not passed.
struct BorrowPerAttempt {
    drop_headers: bool,
}

impl VisitMut for BorrowPerAttempt {
    fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
        visit_mut::visit_expr_mut(self, expr);
        let syn::Expr::MethodCall(call) = expr else {
            return;
        };
        let only_arg = |name: &str| {
            call.args.len() == 1
                && matches!(&call.args[0], syn::Expr::Path(p) if p.path.is_ident(name))
        };
        if self.drop_headers && call.method == "headers" && only_arg("header_map") {
            *expr = (*call.receiver).clone();
        } else if ["get", "post", "put", "patch", "delete"].contains(&&*call.method.to_string())
            && only_arg("url")
        {
            call.args[0] = parse_quote!(&url);
        }
    }
}

#[derive(Default)]
struct Rewriter {
    sends: usize,
    misshapen: Vec<String>,
}

/// Turns `let url = format!("{}/tags/{}", client.baseurl,
/// encode_path(&id.to_string()));` into
/// `let url = crate::paths::url(GET_TAG, &client.baseurl, &[&id])?;`, the
/// URL builder every way in shares: it fills the operation's path template
/// in one allocation and refuses a path parameter that is empty, `.` or
/// `..` (which URL parsing would turn into another path) before encoding
/// it. Every path parameter Pylon has is a string, so it is borrowed rather
/// than copied with `to_string()`. Also drops `let info = OperationInfo
/// { operation_id }`, whose id names the catalogue entry returned.
fn build_url_in_place(stmts: &mut Vec<syn::Stmt>) -> Result<syn::Path, String> {
    let operation = match initial_value(stmts, "info") {
        Some(syn::Expr::Struct(info)) => {
            info.fields
                .iter()
                .find_map(|field| match (&field.member, &field.expr) {
                    (
                        syn::Member::Named(name),
                        syn::Expr::Lit(syn::ExprLit {
                            lit: syn::Lit::Str(id),
                            ..
                        }),
                    ) if name == "operation_id" => Some(id.value()),
                    _ => None,
                })
        }
        _ => None,
    }
    .ok_or("a send() without `let info = OperationInfo { operation_id: \"…\" }`")?;
    stmts.retain(|stmt| !mentions(stmt, "let info"));
    let misshapen = |what: &str| format!("{operation}: {what}");
    let entry = quote::format_ident!("{}", operation.to_uppercase());
    let entry: syn::Path = parse_quote!(crate::generated::operations::#entry);
    let url = initial_value(stmts, "url").ok_or_else(|| misshapen("no `let url = …`"))?;
    let syn::Expr::Macro(built) = &*url else {
        return Err(misshapen("the URL is not built with format!"));
    };
    let args = built
        .mac
        .parse_body_with(syn::punctuated::Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated)
        .map_err(|e| misshapen(&format!("format! arguments: {e}")))?;
    let args: Vec<syn::Expr> = args.into_iter().collect();
    let Some(syn::Expr::Lit(syn::ExprLit {
        lit: syn::Lit::Str(template),
        ..
    })) = args.first()
    else {
        return Err(misshapen("format! without a literal template"));
    };
    let template = template.value();
    let starts_with_base = args
        .get(1)
        .is_some_and(|base| base.to_token_stream().to_string() == "client . baseurl");
    if !template.starts_with("{}") || !starts_with_base {
        return Err(misshapen("the URL does not start with client.baseurl"));
    }
    // The values, in the order the template names them.
    let mut values: Vec<syn::Ident> = Vec::new();
    for arg in &args[2..] {
        values.push(encoded_parameter(arg).ok_or_else(|| {
            misshapen("a path argument other than encode_path(&name.to_string())")
        })?);
    }
    if template.matches("{}").count() != values.len() + 1 {
        return Err(misshapen("a URL template with braces of its own"));
    }
    *url = parse_quote!(crate::runtime::url(#entry, &client.baseurl, &[#(&#values),*])?);
    Ok(entry)
}

fn mentions(item: &impl quote::ToTokens, name: &str) -> bool {
    item.to_token_stream().to_string().contains(name)
}

/// `impl ClientInfo for Client` and the `ClientHooks` assertion.
fn is_progenitor_glue(item: &Item) -> bool {
    match item {
        Item::Impl(imp) => imp
            .trait_
            .as_ref()
            .is_some_and(|(_, path, _)| mentions(path, "ClientInfo")),
        Item::Const(constant) => mentions(constant, "ClientHooks"),
        _ => false,
    }
}

impl VisitMut for Rewriter {
    fn visit_item_mod_mut(&mut self, module: &mut syn::ItemMod) {
        if let Some((_, items)) = &mut module.content {
            for item in items.iter_mut() {
                if let Item::Use(used) = item
                    && mentions(used, "ClientHooks")
                {
                    *item = parse_quote! {
                        #[allow(unused_imports)]
                        use super::{Error, ResponseValue};
                    };
                }
            }
        }
        visit_mut::visit_item_mod_mut(self, module);
    }

    fn visit_item_impl_mut(&mut self, imp: &mut syn::ItemImpl) {
        // The constructors take or build a `reqwest::Client`: the SDK's
        // `ClientBuilder` is the public way in.
        let is_client = imp.trait_.is_none()
            && matches!(&*imp.self_ty, syn::Type::Path(p) if p.path.is_ident("Client"));
        if !is_client {
            return visit_mut::visit_item_impl_mut(self, imp);
        }
        imp.items
            .retain(|item| !matches!(item, ImplItem::Fn(f) if f.sig.ident == "new"));
        for item in &mut imp.items {
            if let ImplItem::Fn(f) = item
                && f.sig.ident == "new_with_client"
            {
                f.vis = parse_quote!(pub(crate));
            }
        }
        visit_mut::visit_item_impl_mut(self, imp);
    }

    fn visit_impl_item_fn_mut(&mut self, f: &mut syn::ImplItemFn) {
        if f.sig.ident == "send" {
            // Pylon documents no version header; progenitor adds one.
            f.block.stmts.retain(|stmt| !mentions(stmt, "api_version"));
            let hooks = f
                .block
                .stmts
                .iter()
                .position(|stmt| mentions(stmt, "client . pre"));
            if let Some(at) = hooks {
                f.block.stmts.truncate(at);
                match build_url_in_place(&mut f.block.stmts) {
                    Err(why) => self.misshapen.push(why),
                    Ok(entry) if build_per_attempt(&mut f.block.stmts) => {
                        f.block.stmts.push(syn::Stmt::Expr(
                            parse_quote!(crate::runtime::send(client, build_request, #entry).await),
                            None,
                        ));
                        self.sends += 1;
                    }
                    Ok(_) => {}
                }
            }
        }
        visit_mut::visit_impl_item_fn_mut(self, f);
    }

    fn visit_path_mut(&mut self, path: &mut syn::Path) {
        // `Error<types::ErrorResponse>` becomes the crate's own `Error`.
        if let Some(last) = path.segments.last_mut()
            && last.ident == "Error"
        {
            last.arguments = syn::PathArguments::None;
        }
        visit_mut::visit_path_mut(self, path);
    }

    fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
        // `builder.build()?` relied on `From<reqwest::Error>`.
        if let syn::Expr::Try(tried) = expr
            && let syn::Expr::MethodCall(call) = &*tried.expr
            && call.method == "build"
            && call.args.is_empty()
        {
            let inner = &call.receiver;
            *expr = parse_quote!(#inner.build().map_err(Error::request_not_built)?);
            return;
        }
        visit_mut::visit_expr_mut(self, expr);
    }
}
