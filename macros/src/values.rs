//! A declared standard value as the expression of its runtime type, for the twins' class defaults
//! and for the constants a twin's check compares.

use crate::read::{Channels, Standard};
use proc_macro2::{Literal, TokenStream};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::Ident;

/// The value of `key` as an expression of the runtime's type (`SizeDict`, `Resample`, …).
pub(crate) fn standard_value(key: &Ident, value: &Standard) -> TokenStream {
    match value {
        Standard::Bool(b) => quote!(#b),
        Standard::Size(pairs) => {
            let set = pairs.iter().map(|(k, v)| {
                let k = format_ident!("{}", k);
                quote!(#k: ::core::option::Option::Some(#v))
            });
            quote!(::twinproc::SizeDict { #(#set,)* ..::twinproc::SizeDict::EMPTY })
        }
        Standard::Resample(r) => {
            let r = format_ident!("{}", r);
            quote!(::twinproc::Resample::#r)
        }
        Standard::Float(f) => Literal::f64_suffixed(*f).into_token_stream(),
        Standard::Channels(Channels::Path(path)) => {
            quote_spanned!(key.span()=> ::twinproc::ChannelValues::from(#path))
        }
        Standard::Channels(Channels::PerChannel(values)) => {
            let values = values.iter().map(|v| Literal::f64_suffixed(*v));
            quote!(::twinproc::ChannelValues::PerChannel(
                ::std::vec![#(#values),*]
            ))
        }
        Standard::Channels(Channels::Scalar(v)) => {
            let v = Literal::f64_suffixed(*v);
            quote!(::twinproc::ChannelValues::Scalar(#v))
        }
        Standard::Layout(l) => {
            let l = format_ident!("{}", l);
            quote!(::twinproc::ChannelDimension::#l)
        }
        Standard::Text(t) => quote!(::std::string::String::from(#t)),
    }
}

/// The value as a `::twinproc::twin::DeclaredChannels` (per-channel values comparable at compile
/// time), for `Standard::Channels`; else as [`standard_value`].
pub(crate) fn comparable_value(key: &Ident, value: &Standard) -> TokenStream {
    match value {
        Standard::Channels(Channels::Path(path)) => {
            quote_spanned!(key.span()=> ::twinproc::twin::DeclaredChannels::PerChannel(&#path))
        }
        Standard::Channels(Channels::PerChannel(values)) => {
            let values = values.iter().map(|v| Literal::f64_suffixed(*v));
            quote!(::twinproc::twin::DeclaredChannels::PerChannel(&[#(#values),*]))
        }
        Standard::Channels(Channels::Scalar(v)) => {
            let v = Literal::f64_suffixed(*v);
            quote!(::twinproc::twin::DeclaredChannels::Scalar(#v))
        }
        other => standard_value(key, other),
    }
}
