//! Procedural macros of twinproc: one declaration of an image processor becomes its CPU and GPU twins.
//!
//! Each macro reads like its pipeline: `attr` parses the attribute into entries, `declaration`
//! makes them a typed declaration (each value read by `read`; duplicates and unknown keys found
//! there), `rules` checks the keys against each other, one named function per rule — all of them
//! accumulating every error in a `ctxt` that must be checked (spanned, with "did you mean") — and
//! `expand` writes the twins and their docs (`docs`). On error the macro emits the errors *and* stub items, so the user sees the errors
//! of the declaration instead of a cascade at every use.

mod api;
mod attr;
mod ctxt;
mod declaration;
mod docs;
mod expand;
mod kwargs;
mod read;
mod rules;
mod stubs;
mod tables;
mod twin_checks;
mod values;

// Built as an ordinary library too (`macros/as-lib`, for the fuzzer and the tests): then the
// expansions are exposed over proc_macro2's streams and the entry points below are left out.
#[cfg(twinproc_macros_as_lib)]
pub use {
    expand::image_processor,
    kwargs::images_kwargs,
    tables::{images_kwargs_struct, size_keys, standard_kwarg_docs},
};

#[cfg(not(twinproc_macros_as_lib))]
use proc_macro::TokenStream;

/// Declares an image processor and emits its two twins: the CPU processor (the declared name) and
/// the GPU processor (the name with `Cuda`), with identical constructors, defaults, calls and docs.
///
/// See the `twinproc` crate for the syntax.
#[cfg(not(twinproc_macros_as_lib))]
#[proc_macro_attribute]
pub fn image_processor(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::image_processor(args.into(), item.into()).into()
}

/// Turns a struct of model kwargs (`Option` fields with doc comments) into a kwargs type that also
/// carries every standard `ImagesKwargs` field.
#[cfg(not(twinproc_macros_as_lib))]
#[proc_macro_attribute]
pub fn images_kwargs(args: TokenStream, item: TokenStream) -> TokenStream {
    kwargs::images_kwargs(args.into(), item.into()).into()
}

/// transformers' size-dict keys as the runtime's `KEYS` and `VALID_KEY_SETS` constants (not part
/// of the API: how the tables stay written once).
#[doc(hidden)]
#[cfg(not(twinproc_macros_as_lib))]
#[proc_macro]
pub fn __size_keys(_: TokenStream) -> TokenStream {
    tables::size_keys().into()
}

/// The runtime's `ImagesKwargs` from the one table of standard kwargs (not part of the API).
#[doc(hidden)]
#[cfg(not(twinproc_macros_as_lib))]
#[proc_macro]
pub fn __images_kwargs(_: TokenStream) -> TokenStream {
    tables::images_kwargs_struct().into()
}

/// The standard kwargs' documentation rows as an array of the runtime's `KwargDoc` (not part of the
/// API: how the table stays written once).
#[doc(hidden)]
#[cfg(not(twinproc_macros_as_lib))]
#[proc_macro]
pub fn __standard_kwarg_docs(_: TokenStream) -> TokenStream {
    tables::standard_kwarg_docs().into()
}
