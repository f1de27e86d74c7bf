//! `#[images_kwargs]`: a struct of model kwargs becomes a kwargs type that also carries every
//! standard kwarg (`images`, reached through `Deref`), with JSON I/O for the model fields.

use crate::ctxt::{Ctxt, doc_lines};
use crate::tables::STANDARD_KWARGS;
use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use syn::ext::IdentExt;
use syn::{Fields, GenericArgument, ItemStruct, PathArguments, Type};

/// The `T` of `Option<T>`.
fn option_inner(ty: &Type) -> Option<&Type> {
    let Type::Path(path) = ty else { return None };
    let last = path.path.segments.last()?;
    if last.ident != "Option" {
        return None;
    }
    match &last.arguments {
        PathArguments::AngleBracketed(args) if args.args.len() == 1 => match &args.args[0] {
            GenericArgument::Type(inner) => Some(inner),
            _ => None,
        },
        _ => None,
    }
}

/// A model kwarg of the struct.
struct ModelKwarg {
    ident: syn::Ident,
    ty: String,
    meaning: String,
    /// Written to a saved configuration (all but `#[kwarg(not_saved)]`).
    saved: bool,
}

/// The options of `#[kwarg(...)]` on a field: whether it says `not_saved` (a kwarg a call or a
/// configuration may set, which transformers' `to_dict` pops). Anything else is an error.
fn field_options(cx: &Ctxt, field: &syn::Field) -> bool {
    let mut not_saved = false;
    for attr in field.attrs.iter().filter(|a| a.path().is_ident("kwarg")) {
        let parsed = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("not_saved") {
                not_saved = true;
            } else {
                let name = meta.path.to_token_stream().to_string();
                cx.error_spanned_by(
                    &meta.path,
                    format!("unknown kwarg option `{name}`: expected `not_saved`"),
                );
            }
            Ok(())
        });
        if let Err(error) = parsed {
            cx.syn_error(error);
        }
    }
    not_saved
}

fn doc_of(field: &syn::Field) -> String {
    let lines: Vec<String> = doc_lines(&field.attrs)
        .iter()
        .map(|l| l.trim().to_owned())
        .collect();
    lines.join(" ")
}

pub fn images_kwargs(args: TokenStream, item: TokenStream) -> TokenStream {
    if let Some(error) = crate::attr::too_large(&args, &item) {
        return error;
    }
    let mut item: ItemStruct = match syn::parse2(item) {
        Ok(item) => item,
        Err(e) => return e.to_compile_error(),
    };
    let cx = Ctxt::default();
    if !args.is_empty() {
        cx.error_spanned_by(&args, "`#[images_kwargs]` takes no arguments");
    }
    if !item.generics.params.is_empty() {
        cx.error_spanned_by(&item.generics, "a kwargs type takes no generics");
    }
    let Fields::Named(fields) = &item.fields else {
        cx.error_spanned_by(
            &item.ident,
            "a kwargs type has named fields: `pub tile_size: Option<u32>`",
        );
        return match cx.check() {
            Err(e) => e.to_compile_error(),
            Ok(()) => TokenStream::new(),
        };
    };
    let mut model = Vec::new();
    for field in &fields.named {
        let Some(ident) = &field.ident else { continue };
        let name = ident.unraw().to_string();
        let saved = !field_options(&cx, field);
        if let Some(standard_ty) = STANDARD_KWARGS
            .iter()
            .find(|k| k.name == name)
            .map(|k| k.ty)
        {
            let ty = field.ty.to_token_stream().to_string().replace(' ', "");
            cx.error_spanned_by(
                ident,
                format!(
                    "`{name}` is a standard kwarg (`Option<{standard_ty}>`), already in every kwargs type{}",
                    if ty == format!("Option<{standard_ty}>") { "" } else { "; it cannot take another type" }
                ),
            );
            continue;
        }
        if name == "images" {
            cx.error_spanned_by(
                ident,
                "`images` holds the standard kwargs; name the model kwarg otherwise",
            );
            continue;
        }
        let Some(inner) = option_inner(&field.ty) else {
            cx.error_spanned_by(
                &field.ty,
                format!("model kwarg `{name}` must be an `Option<_>` (`None`: use the default)"),
            );
            continue;
        };
        model.push(ModelKwarg {
            ident: ident.clone(),
            ty: inner.to_token_stream().to_string().replace(' ', ""),
            meaning: doc_of(field),
            saved,
        });
    }
    // `#[kwarg(...)]` is this macro's: the struct does not keep it.
    if let Fields::Named(fields) = &mut item.fields {
        for field in &mut fields.named {
            field.attrs.retain(|a| !a.path().is_ident("kwarg"));
        }
    }
    if let Err(errors) = cx.check() {
        let mut out = errors.to_compile_error();
        // The struct as written, so uses of the type add no errors of their own.
        out.extend(quote!(#[derive(Default, Clone, Debug)] #item));
        return out;
    }
    let name = item.ident.clone();
    let mut table = String::from(
        "\n\nModel kwargs (every standard kwarg is in [`images`](Self::images) too):\n\n\
         | kwarg | type | meaning |\n|---|---|---|\n",
    );
    for ModelKwarg {
        ident, ty, meaning, ..
    } in &model
    {
        table.push_str(&format!("| `{ident}` | `Option<{ty}>` | {meaning} |\n"));
    }
    item.attrs.push(syn::parse_quote!(#[doc = #table]));
    if let Fields::Named(fields) = &mut item.fields {
        fields.named.push(syn::parse_quote! {
            /// The standard kwargs (`size`, `resample`, ...), also reached through `Deref`.
            pub images: ::twinproc::ImagesKwargs
        });
    }
    let docs = model.iter().map(
        |ModelKwarg {
             ident, ty, meaning, ..
         }| {
            let (key, ty) = (ident.unraw().to_string(), format!("Option<{ty}>"));
            quote!(::twinproc::kwargs::KwargDoc { name: #key, ty: #ty, meaning: #meaning })
        },
    );
    let missing = model.iter().map(|ModelKwarg { ident, .. }| {
        format!("model kwarg `{ident}` of `{name}` has no default: add `{ident} = …` to `#[image_processor]`")
    });
    // transformers' `to_dict` pops the kwargs that are not saved.
    let to_json = model
        .iter()
        .filter(|k| k.saved)
        .map(|ModelKwarg { ident, .. }| {
            let key = ident.unraw().to_string();
            quote!(::twinproc::twin::model_kwarg_to_json(&mut map, #key, &self.#ident)?;)
        });
    let or = model.iter().map(
        |ModelKwarg { ident, .. }| quote!(#ident: self.#ident.as_ref().or(base.#ident.as_ref()).cloned(),),
    );
    let from_json = model.iter().map(|ModelKwarg { ident, .. }| {
        let key = ident.unraw().to_string();
        quote!(#ident: ::twinproc::twin::model_kwarg_from_json(map, #key)?,)
    });
    quote! {
        #[derive(Default, Clone, Debug, PartialEq)]
        #item

        impl ::core::ops::Deref for #name {
            type Target = ::twinproc::ImagesKwargs;
            fn deref(&self) -> &::twinproc::ImagesKwargs { &self.images }
        }

        impl ::core::ops::DerefMut for #name {
            fn deref_mut(&mut self) -> &mut ::twinproc::ImagesKwargs { &mut self.images }
        }

        impl ::twinproc::ModelKwargs for #name {
            const MODEL_KWARGS: &'static [::twinproc::kwargs::KwargDoc] = &[#(#docs),*];
            const MISSING_DEFAULT: &'static [&'static str] = &[#(#missing),*];
            fn standard(&self) -> &::twinproc::ImagesKwargs { &self.images }
            fn standard_mut(&mut self) -> &mut ::twinproc::ImagesKwargs { &mut self.images }
            fn model_or(&self, base: &Self) -> Self {
                Self {
                    #(#or)*
                    images: ::core::default::Default::default(),
                }
            }
            fn model_to_json(&self) -> ::twinproc::Result<::twinproc::__private::Map<::std::string::String, ::twinproc::__private::Value>> {
                let mut map = ::twinproc::__private::Map::new();
                #(#to_json)*
                ::core::result::Result::Ok(map)
            }
            fn model_from_json(map: &::twinproc::__private::Map<::std::string::String, ::twinproc::__private::Value>) -> ::twinproc::Result<Self> {
                ::core::result::Result::Ok(Self {
                    #(#from_json)*
                    images: ::core::default::Default::default(),
                })
            }
        }
    }
}
