//! What a declaration with errors expands to besides its errors: items of the declared names with
//! the whole API of a twin, so that every use of the processor elsewhere type-checks and the user
//! sees the declaration's own errors, not a cascade at each use.

use crate::api;
use crate::declaration::Declaration;
use crate::twin_checks::fingerprint_consts;
use proc_macro2::TokenStream;
use quote::{ToTokens, format_ident, quote};
use syn::{Ident, ItemStruct};

/// A stub twin: the type, `ImageProcessor` (never run: the crate does not compile), the inherent API.
fn stub(vis: &syn::Visibility, name: &Ident, kwargs_type: &TokenStream) -> TokenStream {
    let api = api::inherent(name, kwargs_type, "");
    let never = quote!(::core::unreachable!("a declaration with errors"));
    quote! {
        #vis struct #name;
        #[allow(unused_variables)]
        impl ::twinproc::ImageProcessor for #name {
            type Kwargs = #kwargs_type;
            fn spec() -> &'static ::twinproc::ModelSpec { #never }
            fn from_processor(processor: ::twinproc::Processor) -> ::twinproc::Result<Self> { #never }
            fn processor(&self) -> &::twinproc::Processor { #never }
            fn processor_mut(&mut self) -> &mut ::twinproc::Processor { #never }
            fn backend(&self) -> &dyn ::twinproc::backend::Backend { #never }
        }
        #api
    }
}

/// The stubs of `item`: the declared twin, and its `…Cuda` twin when the declaration makes both;
/// a CPU twin declared on its own also publishes (empty) constants marked as a stub's, so its
/// GPU twin's checks pass and add no error.
pub(crate) fn stubs(item: &ItemStruct, declaration: &Declaration) -> TokenStream {
    let (vis, name) = (&item.vis, &item.ident);
    let kwargs_type = match &declaration.kwargs {
        Some(path) => path.value.to_token_stream(),
        None => quote!(::twinproc::ImagesKwargs),
    };
    let mut out = stub(vis, name, &kwargs_type);
    let declared_apart = declaration.cpu_twin.is_some() || declaration.gpu_twin.is_some();
    if !declared_apart {
        out.extend(stub(vis, &format_ident!("{}Cuda", name), &kwargs_type));
    }
    if declaration.cpu_twin.is_none() {
        // The CPU twin: its `Default`, and the constants a separately declared GPU twin reads.
        out.extend(quote! {
            impl ::core::default::Default for #name {
                fn default() -> Self { #name }
            }
        });
        if declaration.gpu_twin.is_some() {
            out.extend(fingerprint_consts(name, declaration, "", true));
        }
    }
    out
}
