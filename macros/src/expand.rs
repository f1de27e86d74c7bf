//! Writing the twins of a checked declaration.

use crate::api;
use crate::attr;
use crate::ctxt::{Ctxt, doc_lines};
use crate::declaration::{DEFAULT_TO_SQUARE, Declaration, IMAGE_STD, RESCALE_FACTOR, Spanned};
use crate::docs;
use crate::read::{Channels, Standard};
use crate::rules;
use crate::stubs;
use crate::twin_checks::{fingerprint_consts, twin_checks};
use crate::values::standard_value;
use proc_macro2::TokenStream;
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::ext::IdentExt;
use syn::{Fields, Ident, ItemStruct};

/// `#[image_processor(...)]` on `item`.
pub fn image_processor(args: TokenStream, item: TokenStream) -> TokenStream {
    if let Some(error) = attr::too_large(&args, &item) {
        return error;
    }
    let item: ItemStruct = match syn::parse2(item) {
        Ok(item) => item,
        Err(e) => return e.to_compile_error(),
    };
    let cx = Ctxt::default();
    if !matches!(item.fields, Fields::Unit) {
        cx.error_spanned_by(
            &item.fields,
            "declare the processor as a unit struct: `pub struct MyImageProcessor;`",
        );
    }
    if !item.generics.params.is_empty() {
        cx.error_spanned_by(
            &item.generics,
            "an image processor declaration takes no generics",
        );
    }
    let declaration = Declaration::from_entries(&cx, attr::parse(&cx, args).entries);
    rules::check(&cx, &declaration);
    match cx.check() {
        Ok(()) => twins(&item, &declaration),
        Err(errors) => {
            let mut out = errors.to_compile_error();
            out.extend(stubs::stubs(&item, &declaration));
            out
        }
    }
}

/// The `ImagesKwargs { ... }` of the class defaults.
fn standard_defaults(declaration: &Declaration) -> TokenStream {
    let fields = declaration
        .standard
        .declared()
        .map(|(_, Spanned { key, value })| {
            let value = standard_value(key, value);
            quote!(#key: ::core::option::Option::Some(#value))
        });
    let rescale = declaration.standard.get(RESCALE_FACTOR).is_none().then(|| {
        // BaseImageProcessor's default.
        quote!(rescale_factor: ::core::option::Option::Some(1.0f64 / 255.0f64),)
    });
    quote! {
        ::twinproc::ImagesKwargs {
            #(#fields,)*
            #rescale
            ..::core::default::Default::default()
        }
    }
}

/// Which twins a declaration emits.
enum Form {
    /// One declaration, both twins: the CPU twin has the declared name, the GPU twin `…Cuda`.
    Both,
    /// The CPU twin only; its GPU twin is declared separately under this name.
    CpuOnly(syn::Path),
    /// The GPU twin only (the declared name); its CPU twin is declared separately under this name.
    GpuOnly(syn::Path),
}

/// Everything the twins of a declaration share, computed once.
struct Shared {
    kwargs_type: TokenStream,
    spec: Ident,
    type_name: String,
    docs_text: String,
    table: String,
}

/// The spec of the declaration, whose declared struct is the twin `twin`. The kwargs type is named
/// through the twin (`<twin as ImageProcessor>::Kwargs`): a type that is not a kwargs type is then
/// reported once, on the twin's impl, not again at every use.
fn spec_item(
    declaration: &Declaration,
    shared: &Shared,
    twin: &Ident,
    description: &str,
) -> TokenStream {
    let Shared {
        kwargs_type,
        spec,
        type_name,
        ..
    } = shared;
    let default_to_square = !matches!(
        declaration.standard.get(DEFAULT_TO_SQUARE),
        Some(Spanned {
            value: Standard::Bool(false),
            ..
        })
    );
    let standard_defaults = standard_defaults(declaration);
    let model_fields = declaration
        .model
        .iter()
        .map(|Spanned { key, value: expr }| {
            let span = expr
                .to_token_stream()
                .into_iter()
                .next()
                .map_or(key.span(), |t| t.span());
            // `key = None`: the class sets no default (as transformers' `= None`).
            let unset =
                matches!(expr, syn::Expr::Path(p) if p.qself.is_none() && p.path.is_ident("None"));
            if unset {
                quote_spanned!(span=> kwargs.#key = ::core::option::Option::None)
            } else {
                quote_spanned!(span=> kwargs.#key = ::core::option::Option::Some(#expr))
            }
        });
    let model_kwargs = quote! {{
        #[doc(hidden)]
        pub struct ClassDefaults;
        impl ::twinproc::model_kwargs::ClassDefaults<#kwargs_type> for ClassDefaults {
            fn set(kwargs: &mut #kwargs_type) {
                #(#model_fields;)*
            }
        }
        ::twinproc::twin::model_kwargs_spec::<#twin, ClassDefaults>()
    }};
    let preprocess = match &declaration.preprocess {
        Some(Spanned { value: path, .. }) => {
            let span = path.segments[0].ident.span();
            // Spanned on the function: one written for a single backend is an error there.
            let run = quote_spanned!(span=> #path(backend, call, batch));
            quote!(::core::option::Option::Some(|backend, call, batch| #run))
        }
        None => quote!(::core::option::Option::None),
    };
    let legacy_keys = match &declaration.legacy_keys {
        Some(Spanned { value: path, .. }) => {
            let span = path.segments[0].ident.span();
            // Spanned on the function: one of another signature is an error there.
            let rewrite = quote_spanned!(span=> #path(config));
            quote!(::core::option::Option::Some(|config| #rewrite))
        }
        None => quote!(::core::option::Option::None),
    };
    quote! {
        #[doc(hidden)]
        #[allow(non_upper_case_globals)]
        static #spec: ::twinproc::ModelSpec = ::twinproc::ModelSpec {
            type_name: #type_name,
            description: #description,
            default_to_square: #default_to_square,
            defaults: {
                fn defaults() -> ::twinproc::ImagesKwargs { #standard_defaults }
                defaults
            },
            model_kwargs: #model_kwargs,
            preprocess: #preprocess,
            legacy_keys: #legacy_keys,
        };
    }
}

fn kwargs_checks(declaration: &Declaration, twin: &Ident) -> TokenStream {
    let Some(Spanned { value: path, .. }) = &declaration.kwargs else {
        return TokenStream::new();
    };
    let span = path
        .segments
        .first()
        .map_or(proc_macro2::Span::call_site(), |s| s.ident.span());
    let model_names = declaration.model.iter().map(|m| m.key.unraw().to_string());
    quote_spanned! {span=>
        const _: () = ::twinproc::twin::assert_twin_model_defaults::<#twin>(&[#(#model_names),*]);
    }
}

/// Per-channel constants named by path, checked where the macro cannot see their values: by const
/// evaluation, spanned on the path (finite; a standard deviation non-zero).
fn channel_checks(declaration: &Declaration) -> TokenStream {
    let checks = declaration.standard.declared().filter_map(|(kwarg, declared)| {
        let Standard::Channels(Channels::Path(path)) = &declared.value else {
            return None;
        };
        let nonzero = kwarg.name == IMAGE_STD.kwarg().name;
        let name = kwarg.name;
        let rule = if nonzero { "finite and non-zero" } else { "finite" };
        let message = format!("`{name}` values must be {rule}");
        let span = path.segments[0].ident.span();
        Some(quote_spanned!(span=> const _: () = ::twinproc::twin::assert_channels(&#path, #nonzero, #message);))
    });
    quote!(#(#checks)*)
}

/// One twin: the struct, its `ImageProcessor` impl and inherent mirrors.
fn twin_items(
    vis: &syn::Visibility,
    twin: &Ident,
    cuda: bool,
    doc: &str,
    shared: &Shared,
    declared_apart_from: Option<&syn::Path>,
) -> TokenStream {
    let Shared {
        kwargs_type,
        spec,
        table,
        ..
    } = shared;
    let (backend_new, derives) = if cuda {
        (
            quote!(::twinproc::backend::CudaBackend::new()?),
            quote!(#[derive(Debug)]),
        )
    } else {
        (
            quote!(::twinproc::backend::CpuBackend::new()),
            quote!(#[derive(Debug, Clone)]),
        )
    };
    let api = api::inherent(twin, kwargs_type, table);
    // A twin declared on its own: the model kwarg defaults the macro could not compare.
    let same_defaults = declared_apart_from
        .map(|other| quote!(::twinproc::twin::same_model_defaults::<Self, #other>()?;));
    let default = (!cuda).then(|| {
        quote! {
            impl ::core::default::Default for #twin {
                /// The class defaults (checked when the declaration compiled; panics only where a twin declared
                /// on its own differs in a model kwarg default the macro could not compare).
                fn default() -> Self {
                    match <Self as ::twinproc::ImageProcessor>::new(::twinproc::twin::unset_kwargs::<Self>()) {
                        ::core::result::Result::Ok(processor) => processor,
                        // Checked at compile time, but for a separately declared twin's model kwargs.
                        ::core::result::Result::Err(error) => ::core::panic!("the class defaults of `{}`: {error}", ::core::stringify!(#twin)),
                    }
                }
            }
        }
    });
    quote! {
        #[doc = #doc]
        #derives
        #vis struct #twin {
            /// Runs on this twin's backend: the twin holds no other.
            processor: ::twinproc::Processor,
        }

        impl ::twinproc::ImageProcessor for #twin {
            type Kwargs = #kwargs_type;
            fn spec() -> &'static ::twinproc::ModelSpec { &#spec }
            fn from_processor(processor: ::twinproc::Processor) -> ::twinproc::Result<Self> {
                #same_defaults
                let backend = ::std::sync::Arc::new(#backend_new);
                ::core::result::Result::Ok(Self { processor: processor.with_backend(backend) })
            }
            fn processor(&self) -> &::twinproc::Processor { &self.processor }
            fn processor_mut(&mut self) -> &mut ::twinproc::Processor { &mut self.processor }
            fn backend(&self) -> &dyn ::twinproc::backend::Backend { self.processor.backend() }
        }

        #api

        #default
    }
}

/// The twins of a checked declaration, their specification, registration and docs.
fn twins(item: &ItemStruct, declaration: &Declaration) -> TokenStream {
    let (vis, name) = (&item.vis, &item.ident);
    let form = match (&declaration.gpu_twin, &declaration.cpu_twin) {
        (Some(gpu), _) => Form::CpuOnly(gpu.value.clone()),
        (None, Some(cpu)) => Form::GpuOnly(cpu.value.clone()),
        (None, None) => Form::Both,
    };
    let kwargs_type = match &declaration.kwargs {
        Some(path) => path.value.to_token_stream(),
        None => quote!(::twinproc::ImagesKwargs),
    };
    let kwargs_name = kwargs_type.to_string().replace(' ', "");
    let type_name = declaration
        .type_name
        .as_ref()
        .map(|s| s.value.value())
        .unwrap_or_else(|| match &form {
            Form::GpuOnly(cpu) => cpu
                .segments
                .last()
                .map_or_else(|| name.unraw().to_string(), |s| s.ident.unraw().to_string()),
            _ => name.unraw().to_string(),
        });
    let intro = doc_lines(&item.attrs);
    let description = intro
        .first()
        .map(|l| l.trim().to_owned())
        .unwrap_or_else(|| type_name.clone());
    let table = docs::kwargs_table(declaration, &kwargs_name);
    let docs_text = format!(
        "{}\n\nThe class defaults of every kwarg (`None`: unset). A configuration's values replace \
         them; a call's set fields replace both.\n\n{table}",
        intro.join("\n")
    );
    let shared = Shared {
        kwargs_type,
        spec: format_ident!(
            "__TWINPROC_SPEC_{}",
            name.unraw().to_string().to_uppercase()
        ),
        type_name,
        docs_text,
        table,
    };
    let cpu_doc = |cuda: &str| {
        format!(
            "{}\nThis is the CPU twin; [`{cuda}`] is the same processor on CUDA, with identical \
             constructors, defaults and results. transformers name: `{}`.",
            shared.docs_text, shared.type_name
        )
    };
    let cuda_doc = |cpu: &str| {
        format!(
            "{}\nThis is the GPU twin (CUDA); [`{cpu}`] is the same processor on the CPU, with \
             identical constructors, defaults and results. Its outputs stay on the GPU \
             (`Feature::Device`, for a model on the same device); `BatchFeature::to_host` copies \
             them. transformers name: `{}`.",
            shared.docs_text, shared.type_name
        )
    };
    let spec = spec_item(declaration, &shared, name, &description);
    let spec_ident = &shared.spec;
    let registration = quote! {
        ::twinproc::__private::inventory::submit! {
            ::twinproc::twin::Registration(&#spec_ident)
        }
    };
    let mut checks = kwargs_checks(declaration, name);
    checks.extend(channel_checks(declaration));
    let path_text = |p: &syn::Path| p.to_token_stream().to_string().replace(' ', "");
    match form {
        Form::Both => {
            let cuda = format_ident!("{}Cuda", name);
            let cpu_twin = twin_items(
                vis,
                name,
                false,
                &cpu_doc(&cuda.unraw().to_string()),
                &shared,
                None,
            );
            let cuda_twin = twin_items(
                vis,
                &cuda,
                true,
                &cuda_doc(&name.unraw().to_string()),
                &shared,
                None,
            );
            quote!(#spec #registration #checks #cpu_twin #cuda_twin)
        }
        Form::CpuOnly(gpu) => {
            let cpu_twin = twin_items(
                vis,
                name,
                false,
                &cpu_doc(&path_text(&gpu)),
                &shared,
                Some(&gpu),
            );
            let consts = fingerprint_consts(name, declaration, &shared.type_name, false);
            quote!(#spec #registration #checks #cpu_twin #consts)
        }
        Form::GpuOnly(cpu) => {
            let cuda_twin = twin_items(
                vis,
                name,
                true,
                &cuda_doc(&path_text(&cpu)),
                &shared,
                Some(&cpu),
            );
            let compare = twin_checks(
                name,
                &cpu,
                declaration,
                &shared.type_name,
                &shared.kwargs_type,
            );
            quote!(#spec #checks #cuda_twin #compare)
        }
    }
}
