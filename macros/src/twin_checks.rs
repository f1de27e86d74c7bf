//! How a twin declared on its own is held to its CPU twin: the CPU twin publishes its declared
//! values as constants, the other twin's expansion compares them at compile time.

use crate::docs;
use crate::validate::Checked;
use proc_macro2::TokenStream;
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::Ident;

/// How a declaration reads when compared with its twin's: one string per compared item.
fn fingerprints(checked: &Checked, type_name: &str) -> Vec<(String, String)> {
    let mut items: Vec<(String, String)> = docs::standard_defaults(checked);
    let model: Vec<String> = checked
        .model
        .iter()
        .map(|(k, e)| format!("{k} = {}", e.to_token_stream()))
        .collect();
    items.push(("model kwarg defaults".into(), model.join(", ")));
    items.push(("type_name".into(), type_name.to_owned()));
    items
}

fn fingerprint_ident(item: &str) -> Ident {
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

/// Constants holding the declaration's values, for its separately declared twin to compare with.
pub(crate) fn fingerprint_consts(name: &Ident, checked: &Checked, type_name: &str) -> TokenStream {
    let consts = fingerprints(checked, type_name)
        .into_iter()
        .map(|(item, value)| {
            let ident = fingerprint_ident(&item);
            quote!(#[doc(hidden)] pub const #ident: &'static str = #value;)
        });
    quote!(impl #name { #(#consts)* })
}

/// Compile-time checks that a GPU twin declared on its own matches its CPU twin.
pub(crate) fn twin_checks(
    name: &Ident,
    other: &syn::Path,
    checked: &Checked,
    type_name: &str,
    kwargs_type: &TokenStream,
) -> TokenStream {
    let checks = fingerprints(checked, type_name).into_iter().map(|(item, value)| {
        let ident = fingerprint_ident(&item);
        let key = checked.standard.iter().find(|(k, _)| *k == item).map(|(k, _)| k.clone());
        let span = key.map_or_else(|| other.segments[0].ident.span(), |k| k.span());
        let other_name = other.to_token_stream().to_string().replace(' ', "");
        let message = format!(
            "the twins differ in `{item}`: `{name}` declares `{value}`, its twin `{other_name}` another value; twins declare the same defaults"
        );
        quote_spanned!(span=> const _: () = ::twinproc::twin::assert_same_declaration(<#other>::#ident, #value, #message);)
    });
    let other_kwargs = quote!(<#other as ::twinproc::ImageProcessor>::Kwargs);
    let span = checked.kwargs.as_ref().map_or_else(
        || other.segments[0].ident.span(),
        |path| path.segments[0].ident.span(),
    );
    let same_kwargs =
        quote_spanned!(span=> const _: fn(#kwargs_type) -> #other_kwargs = |kwargs| kwargs;);
    quote! {
        #(#checks)*
        #same_kwargs
    }
}
