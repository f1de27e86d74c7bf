//! How a twin declared on its own is held to its CPU twin: the CPU twin publishes each declared
//! value as a typed constant, and the other twin's expansion compares its own values with them at
//! compile time, by value (a constant and its literal are the same value; `224` and `256` are not).
//! Model kwargs, whose types the macro does not see, are compared one by one: numbers at compile
//! time, any other expression by value when either twin is made (`twin::same_model_defaults`).

use crate::attr::number;
use crate::declaration::Declaration;
use crate::docs;
use crate::tables::Kind;
use crate::values::comparable_value;
use proc_macro2::TokenStream;
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::ext::IdentExt;
use syn::{Expr, Ident};

/// One compared item: its name, the published constant's name, type and this declaration's value,
/// the runtime's comparison, and the value as the message shows it.
struct Item {
    name: String,
    ident: Ident,
    ty: TokenStream,
    value: TokenStream,
    same: TokenStream,
    shown: String,
}

fn const_ident(item: &str) -> Ident {
    let cleaned: String = item
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    format_ident!("__TWINPROC_DECLARED_{}", cleaned)
}

/// Every standard kwarg (set or not), the model kwargs' defaults and the type name.
fn items(declaration: &Declaration, type_name: &str) -> Vec<Item> {
    let shown = docs::standard_defaults(declaration);
    let mut items: Vec<Item> = (declaration.standard.rows())
        .zip(shown)
        .map(|((kwarg, declared), (_, shown))| {
            let (ty, same) = match kwarg.kind {
                Kind::Bool => (quote!(bool), quote!(bool)),
                Kind::Float => (quote!(f64), quote!(float)),
                Kind::Size => (quote!(::twinproc::SizeDict), quote!(size)),
                Kind::Resample => (quote!(::twinproc::Resample), quote!(resample)),
                Kind::Channels => (quote!(::twinproc::twin::DeclaredChannels), quote!(channels)),
                Kind::Layout => (quote!(::twinproc::ChannelDimension), quote!(layout)),
                Kind::Text => (quote!(&'static str), quote!(text)),
            };
            let value = match declared {
                Some(declared) => {
                    let value = comparable_value(&declared.key, &declared.value);
                    quote!(::core::option::Option::Some(#value))
                }
                None => quote!(::core::option::Option::None),
            };
            Item {
                name: kwarg.name.to_owned(),
                ident: const_ident(kwarg.name),
                ty: quote!(::core::option::Option<#ty>),
                value,
                same: quote!(::twinproc::twin::same::#same),
                shown,
            }
        })
        .collect();
    items.push(Item {
        ident: const_ident("type_name"),
        name: "type_name".to_owned(),
        ty: quote!(::core::option::Option<&'static str>),
        value: quote!(::core::option::Option::Some(#type_name)),
        same: quote!(::twinproc::twin::same::text),
        shown: type_name.to_owned(),
    });
    items
}

/// A model kwarg's default as the twins compare it at compile time: a number, by its value (`3`,
/// `3u32`, `0x3` and `6 / 2` alike), as `Some(text)`; any other expression is `None`, compared by
/// value when a twin is made (`twin::same_model_defaults`: the macro sees no type to evaluate it in).
fn model_value(expr: &Expr) -> TokenStream {
    match number(expr) {
        Some(v) => {
            let text = format!("{v:?}");
            quote!(::core::option::Option::Some(#text))
        }
        None => quote!(::core::option::Option::None),
    }
}

/// The constant of the model kwargs' `(name, value)` pairs a separately declared twin compares.
fn model_ident() -> Ident {
    const_ident("model kwargs")
}

/// Constants holding the declaration's values, for its separately declared twin to compare with.
pub(crate) fn fingerprint_consts(
    name: &Ident,
    declaration: &Declaration,
    type_name: &str,
    stub: bool,
) -> TokenStream {
    let consts = items(declaration, type_name).into_iter().map(|item| {
        let Item {
            ident, ty, value, ..
        } = item;
        quote!(#[doc(hidden)] pub const #ident: #ty = #value;)
    });
    let model = declaration.model.iter().map(|m| {
        let (key, value) = (m.key.unraw().to_string(), model_value(&m.value));
        quote!((#key, #value))
    });
    let model_ident = model_ident();
    quote! {
        impl #name {
            #(#consts)*
            #[doc(hidden)]
            pub const #model_ident: &'static [(&'static str, ::core::option::Option<&'static str>)] = &[#(#model),*];
            /// Whether these are a stub's (a declaration with errors): its twin compares nothing.
            #[doc(hidden)]
            pub const __TWINPROC_STUB: bool = #stub;
        }
    }
}

/// Compile-time checks that a GPU twin declared on its own matches its CPU twin.
pub(crate) fn twin_checks(
    name: &Ident,
    other: &syn::Path,
    declaration: &Declaration,
    type_name: &str,
    kwargs_type: &TokenStream,
) -> TokenStream {
    let other_name = other.to_token_stream().to_string().replace(' ', "");
    let checks = items(declaration, type_name).into_iter().map(|item| {
        let key = (declaration.standard.declared())
            .find(|(kwarg, _)| kwarg.name == item.name)
            .map(|(_, declared)| &declared.key);
        let span = key.map_or_else(|| other.segments[0].ident.span(), |k| k.span());
        let Item {
            name: what,
            ident,
            value,
            same,
            shown,
            ..
        } = item;
        let message = format!(
            "the twins differ in `{what}`: `{name}` declares `{shown}`, its twin `{other_name}` another value; twins declare the same defaults"
        );
        quote_spanned!(span=> const _: () = ::twinproc::twin::assert_same(<#other>::__TWINPROC_STUB || #same(<#other>::#ident, #value), #message);)
    });
    let model_ident = model_ident();
    let model_checks = declaration.model.iter().map(|m| {
        let (key, value) = (m.key.unraw().to_string(), model_value(&m.value));
        let message = format!(
            "the twins differ in model kwarg `{key}`: `{name}` declares `{}`, its twin `{other_name}` another value or none; twins declare the same defaults",
            m.value.to_token_stream()
        );
        quote_spanned!(m.key.span()=> const _: () = ::twinproc::twin::assert_same(
            <#other>::__TWINPROC_STUB || ::twinproc::twin::same::model_kwarg(<#other>::#model_ident, #key, #value), #message);)
    });
    let other_kwargs = quote!(<#other as ::twinproc::ImageProcessor>::Kwargs);
    let span = declaration.kwargs.as_ref().map_or_else(
        || other.segments[0].ident.span(),
        |path| path.value.segments[0].ident.span(),
    );
    let same_kwargs =
        quote_spanned!(span=> const _: fn(#kwargs_type) -> #other_kwargs = |kwargs| kwargs;);
    quote! {
        #(#checks)*
        #(#model_checks)*
        #same_kwargs
    }
}
