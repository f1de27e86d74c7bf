//! The inherent methods a twin has (mirrors of its `ImageProcessor` methods, so a user needs no
//! trait import), written once for the twins and for the stubs of a declaration with errors.

use proc_macro2::TokenStream;
use quote::quote;
use syn::Ident;

/// `new`, `from_pretrained`, `defaults`, `preprocess`, `save_pretrained` and `KWARGS_DOC` of
/// `twin`, whose kwargs type is `kwargs_type`.
pub(crate) fn inherent(twin: &Ident, kwargs_type: &TokenStream, table: &str) -> TokenStream {
    quote! {
        impl #twin {
            /// A processor with `kwargs` over the class defaults.
            pub fn new(kwargs: #kwargs_type) -> ::twinproc::Result<Self> {
                <Self as ::twinproc::ImageProcessor>::new(kwargs)
            }
            /// A processor from `preprocessor_config.json` (a directory or the file).
            pub fn from_pretrained(path: impl ::core::convert::AsRef<::std::path::Path>) -> ::twinproc::Result<Self> {
                <Self as ::twinproc::ImageProcessor>::from_pretrained(path)
            }
            /// The class defaults.
            pub fn defaults() -> #kwargs_type {
                <Self as ::twinproc::ImageProcessor>::defaults()
            }
            /// Preprocesses a batch; set fields of `overrides` replace the instance's values.
            pub fn preprocess(&self, images: &[::twinproc::Image], overrides: &#kwargs_type) -> ::twinproc::Result<::twinproc::BatchFeature> {
                <Self as ::twinproc::ImageProcessor>::preprocess(self, images, overrides)
            }
            /// Writes `preprocessor_config.json` into `dir`.
            pub fn save_pretrained(&self, dir: impl ::core::convert::AsRef<::std::path::Path>) -> ::twinproc::Result<::std::path::PathBuf> {
                <Self as ::twinproc::ImageProcessor>::save_pretrained(self, dir)
            }
            /// The table of every kwarg, its default and meaning (this type's documentation).
            pub const KWARGS_DOC: &'static str = #table;
        }
    }
}
