//! Parsing `#[image_processor(...)]` into a [`Declaration`]: every `key = value` and `key(...)` with
//! its span, before any check.

use crate::ctxt::Ctxt;
use darling::ast::NestedMeta;
use proc_macro2::TokenStream;
use syn::{Expr, Ident, Lit, Meta};

/// One `key = value`, `key(...)` or bare `key` of the declaration.
pub struct Entry {
    pub key: Ident,
    pub value: EntryValue,
}

/// The value forms a key can take.
pub enum EntryValue {
    /// `key = expr`
    Expr(Expr),
    /// `key(name = value, ...)`
    List(Vec<(Ident, Expr)>),
    /// `key` alone: `true` for flags.
    Flag,
}

/// The declaration: its entries in source order.
pub struct Declaration {
    pub entries: Vec<Entry>,
}

/// Parses the attribute's arguments; malformed entries are recorded in `cx` and skipped.
pub fn parse(cx: &Ctxt, args: TokenStream) -> Declaration {
    let metas = match NestedMeta::parse_meta_list(args) {
        Ok(metas) => metas,
        Err(e) => {
            cx.syn_error(e);
            return Declaration {
                entries: Vec::new(),
            };
        }
    };
    let mut entries = Vec::new();
    for meta in metas {
        let meta = match meta {
            NestedMeta::Meta(meta) => meta,
            NestedMeta::Lit(lit) => {
                cx.error_spanned_by(&lit, "expected `key = value`, found a bare literal");
                continue;
            }
        };
        let Some(key) = meta.path().get_ident().cloned() else {
            cx.error_spanned_by(meta.path(), "expected a kwarg name, found a path");
            continue;
        };
        let value = match meta {
            Meta::Path(_) => EntryValue::Flag,
            Meta::NameValue(nv) => EntryValue::Expr(nv.value),
            Meta::List(list) => match list.parse_args_with(
                syn::punctuated::Punctuated::<syn::MetaNameValue, syn::Token![,]>::parse_terminated,
            ) {
                Ok(items) => EntryValue::List(
                    items
                        .into_iter()
                        .filter_map(|nv| match nv.path.get_ident() {
                            Some(ident) => Some((ident.clone(), nv.value)),
                            None => {
                                cx.error_spanned_by(&nv.path, "expected a key name");
                                None
                            }
                        })
                        .collect(),
                ),
                Err(e) => {
                    cx.syn_error(e);
                    continue;
                }
            },
        };
        entries.push(Entry { key, value });
    }
    Declaration { entries }
}

/// A literal number of an expression (`224`, `0.5`, `-1.0`), as f64.
pub fn number(expr: &Expr) -> Option<f64> {
    match expr {
        Expr::Lit(lit) => match &lit.lit {
            Lit::Int(i) => i.base10_parse::<f64>().ok(),
            Lit::Float(f) => f.base10_parse::<f64>().ok(),
            _ => None,
        },
        Expr::Unary(unary) if matches!(unary.op, syn::UnOp::Neg(_)) => {
            number(&unary.expr).map(|v| -v)
        }
        Expr::Binary(binary) if matches!(binary.op, syn::BinOp::Div(_)) => {
            Some(number(&binary.left)? / number(&binary.right)?)
        }
        Expr::Paren(paren) => number(&paren.expr),
        _ => None,
    }
}

/// Token trees nested deeper than this are refused before anything parses them: syn's recursive
/// descent would exhaust the compiler's stack on thousands of levels, and a declaration needs a
/// handful.
pub const MAX_NESTING: usize = 64;

/// Tokens an attribute's arguments or its item may hold: a chain of prefix operators or
/// references (`|| || …`, `&&&…`) nests without brackets, and a few thousand overflow the
/// compiler's 8 MiB stack in syn's parser (measured: 1,500 nested references parse, 4,096 do
/// not); a declaration needs a few hundred.
pub const MAX_TOKENS: usize = 1536;

/// A compile error where `args` or `item` is nested deeper than [`MAX_NESTING`] or holds more
/// than [`MAX_TOKENS`] tokens (found without recursion), if either does.
pub fn too_large(args: &TokenStream, item: &TokenStream) -> Option<TokenStream> {
    use proc_macro2::TokenTree;
    for tokens in [args, item] {
        let mut open = vec![tokens.clone().into_iter()];
        let mut count = 0;
        while let Some(tree) = open.last_mut().map(Iterator::next) {
            let Some(tree) = tree else {
                open.pop();
                continue;
            };
            count += 1;
            let message = match &tree {
                _ if count > MAX_TOKENS => format!("more than {MAX_TOKENS} tokens"),
                TokenTree::Group(_) if open.len() > MAX_NESTING => {
                    format!("nested more than {MAX_NESTING} levels deep")
                }
                TokenTree::Group(group) => {
                    open.push(group.stream().into_iter());
                    continue;
                }
                _ => continue,
            };
            return Some(syn::Error::new(tree.span(), message).to_compile_error());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::{MAX_NESTING, MAX_TOKENS, too_large};
    use proc_macro2::TokenStream;

    fn nested(levels: usize) -> TokenStream {
        let text = format!("size = {}1{}", "(".repeat(levels), ")".repeat(levels));
        text.parse().expect("tokens")
    }

    #[test]
    fn nesting_is_refused_past_the_limit_only() {
        let item: TokenStream = "pub struct P;".parse().expect("tokens");
        assert!(too_large(&nested(MAX_NESTING), &item).is_none());
        assert!(too_large(&nested(MAX_NESTING + 1), &item).is_some());
        assert!(too_large(&item, &nested(100_000)).is_some());
    }

    /// Chains that nest without brackets are bounded by the token count, under what overflows
    /// the compiler's stack (run here on a thread of its 8 MiB).
    #[test]
    fn long_chains_are_refused_and_what_passes_parses() {
        let tokens = |text: &str| -> TokenStream { text.parse().expect("tokens") };
        let chain = |n: usize| format!("size = {}1", "|| ".repeat(n));
        let refs = format!(
            "pub struct K {{ pub a: Option<{}u8> }}",
            "& ".repeat(MAX_TOKENS - 16)
        );
        let unit = "pub struct P;";
        assert!(too_large(&tokens(&chain(MAX_TOKENS)), &tokens(unit)).is_some());
        let fits = chain(MAX_TOKENS / 2 - 4);
        assert!(too_large(&tokens(&fits), &tokens(unit)).is_none());
        assert!(too_large(&TokenStream::new(), &tokens(&refs)).is_none());
        let parsed = std::thread::Builder::new()
            .stack_size(8 << 20)
            .spawn(move || {
                let _ = crate::expand::image_processor(tokens(&fits), tokens(unit));
                let _ = crate::kwargs::images_kwargs(TokenStream::new(), tokens(&refs));
            })
            .expect("thread")
            .join();
        assert!(parsed.is_ok());
    }
}
