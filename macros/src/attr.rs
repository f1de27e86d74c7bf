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
