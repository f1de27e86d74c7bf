//! Tables of transformers' kwargs written once, here: the macros check declarations against them,
//! and the runtime takes them from the macros (`__size_keys!`, `__standard_kwarg_docs!`), so no
//! package includes another's files.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// transformers' size-dict keys, in its order.
pub(crate) const SIZE_KEYS: [&str; 8] = [
    "height",
    "width",
    "shortest_edge",
    "longest_edge",
    "max_height",
    "max_width",
    "min_pixels",
    "max_pixels",
];

/// transformers' `VALID_SIZE_DICT_KEYS`.
pub(crate) const VALID_SIZE_KEY_SETS: [&[&str]; 6] = [
    &["height", "width"],
    &["shortest_edge"],
    &["shortest_edge", "longest_edge"],
    &["longest_edge"],
    &["max_height", "max_width"],
    &["min_pixels", "max_pixels"],
];

/// What a standard kwarg's value is: how a declaration writes it, how JSON holds it. The runtime
/// type of each is [`Kwarg::ty`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `true` / `false`.
    Bool,
    /// A size dict: `size(shortest_edge = 224)`.
    Size,
    /// A PIL filter name: `Bicubic`.
    Resample,
    /// A positive number.
    Float,
    /// Per-channel values: `[0.5, 0.5, 0.5]`, a scalar, or a constant's path.
    Channels,
    /// `"channels_first"` / `"channels_last"`.
    Layout,
    /// A string.
    Text,
}

/// A standard kwarg: its name (field and JSON key), its runtime type, kind and meaning.
pub(crate) struct Kwarg {
    pub(crate) name: &'static str,
    pub(crate) ty: &'static str,
    pub(crate) kind: Kind,
    pub(crate) meaning: &'static str,
    /// Whether transformers writes it to `preprocessor_config.json` when set (`default_to_square` is
    /// written only when the configuration or the constructor set it, not as a class default).
    pub(crate) saved: bool,
}

/// Every standard kwarg of transformers' `ImagesKwargs`, in its order. **The one place a standard
/// kwarg is written**: the runtime's `ImagesKwargs` (fields, docs, merging, JSON), the docs table,
/// and what declarations and `#[images_kwargs]` accept all come from here.
pub(crate) const STANDARD_KWARGS: &[Kwarg] = &[
    Kwarg {
        name: "do_convert_rgb",
        ty: "bool",
        kind: Kind::Bool,
        meaning: "Convert every image to 3-channel RGB (alpha composited onto white).",
        saved: true,
    },
    Kwarg {
        name: "do_resize",
        ty: "bool",
        kind: Kind::Bool,
        meaning: "Resize the image to `size`.",
        saved: true,
    },
    Kwarg {
        name: "size",
        ty: "SizeDict",
        kind: Kind::Size,
        meaning: "The target size of the resize.",
        saved: true,
    },
    Kwarg {
        name: "default_to_square",
        ty: "bool",
        kind: Kind::Bool,
        meaning: "How an int `size` is read: a square (true) or the shortest edge (false).",
        saved: false,
    },
    Kwarg {
        name: "crop_size",
        ty: "SizeDict",
        kind: Kind::Size,
        meaning: "The size of the center crop.",
        saved: true,
    },
    Kwarg {
        name: "resample",
        ty: "Resample",
        kind: Kind::Resample,
        meaning: "The resampling filter of the resize (PIL code 0-5).",
        saved: true,
    },
    Kwarg {
        name: "do_rescale",
        ty: "bool",
        kind: Kind::Bool,
        meaning: "Multiply by `rescale_factor`.",
        saved: true,
    },
    Kwarg {
        name: "rescale_factor",
        ty: "f64",
        kind: Kind::Float,
        meaning: "The rescale factor, usually 1/255.",
        saved: true,
    },
    Kwarg {
        name: "do_normalize",
        ty: "bool",
        kind: Kind::Bool,
        meaning: "Subtract `image_mean` and divide by `image_std`, per channel.",
        saved: true,
    },
    Kwarg {
        name: "image_mean",
        ty: "ChannelValues",
        kind: Kind::Channels,
        meaning: "The per-channel mean of normalize.",
        saved: true,
    },
    Kwarg {
        name: "image_std",
        ty: "ChannelValues",
        kind: Kind::Channels,
        meaning: "The per-channel standard deviation of normalize.",
        saved: true,
    },
    Kwarg {
        name: "do_pad",
        ty: "bool",
        kind: Kind::Bool,
        meaning: "Pad outputs with zeros at the bottom and right, to `pad_size` or the batch's largest.",
        saved: true,
    },
    Kwarg {
        name: "pad_size",
        ty: "SizeDict",
        kind: Kind::Size,
        meaning: "The size to pad to.",
        saved: true,
    },
    Kwarg {
        name: "do_center_crop",
        ty: "bool",
        kind: Kind::Bool,
        meaning: "Center-crop the resized image to `crop_size`.",
        saved: true,
    },
    Kwarg {
        name: "data_format",
        ty: "ChannelDimension",
        kind: Kind::Layout,
        meaning: "The layout of the output: channels_first (CHW) or channels_last (HWC).",
        saved: true,
    },
    Kwarg {
        name: "input_data_format",
        ty: "ChannelDimension",
        kind: Kind::Layout,
        meaning: "The layout of array inputs; inferred when unset.",
        saved: true,
    },
    Kwarg {
        name: "device",
        ty: "String",
        kind: Kind::Text,
        meaning: "The device to process on (cpu, cuda, cuda:0).",
        saved: true,
    },
];

/// The runtime's `KEYS` and `VALID_KEY_SETS` (`size.rs`).
pub fn size_keys() -> TokenStream {
    let keys = SIZE_KEYS;
    let n = keys.len();
    let sets = VALID_SIZE_KEY_SETS.iter().map(|set| quote!(&[#(#set),*]));
    let m = VALID_SIZE_KEY_SETS.len();
    quote! {
        const KEYS: [&str; #n] = [#(#keys),*];
        const VALID_KEY_SETS: [&[&str]; #m] = [#(#sets),*];
    }
}

/// The runtime's `STANDARD_KWARGS` array (`kwargs.rs`).
pub fn standard_kwarg_docs() -> TokenStream {
    let rows = STANDARD_KWARGS.iter().map(
        |Kwarg {
             name, ty, meaning, ..
         }| { quote!(KwargDoc { name: #name, ty: #ty, meaning: #meaning }) },
    );
    quote!([#(#rows),*])
}

/// The runtime's `ImagesKwargs` (`kwargs.rs`): a field per standard kwarg with its meaning as doc,
/// merging (`or`), and JSON reading and writing through the runtime's `StandardValue` trait.
pub fn images_kwargs_struct() -> TokenStream {
    let names: Vec<_> = STANDARD_KWARGS
        .iter()
        .map(|k| format_ident!("{}", k.name))
        .collect();
    let keys = STANDARD_KWARGS.iter().map(|k| k.name);
    let docs = STANDARD_KWARGS.iter().map(|k| k.meaning);
    // The table's own constants name Rust types (checked by every build of the runtime): no input
    // reaches this.
    let types: Vec<syn::Type> = STANDARD_KWARGS
        .iter()
        .map(|k| syn::parse_str(k.ty).expect("a type name"))
        .collect();
    let (keys2, names2, types2) = (keys.clone(), names.clone(), types.clone());
    let unsaved = STANDARD_KWARGS.iter().filter(|k| !k.saved).map(|k| k.name);
    quote! {
        /// The standard kwargs of every image processor (transformers 5.23 `ImagesKwargs`), each
        /// optional: unset means "not given here" (the class default, or the instance's value).
        #[derive(Debug, Clone, PartialEq, Default)]
        pub struct ImagesKwargs {
            #( #[doc = #docs] pub #names: ::core::option::Option<#types>, )*
        }

        impl ImagesKwargs {
            /// Keys transformers never writes to `preprocessor_config.json` even when set.
            pub const UNSAVED_KEYS: &'static [&'static str] = &[#(#unsaved),*];

            /// Every value of `self` that is set, else the one in `base`.
            pub fn or(&self, base: &ImagesKwargs) -> ImagesKwargs {
                ImagesKwargs {
                    #( #names: self.#names.clone().or_else(|| base.#names.clone()), )*
                }
            }

            /// The JSON of every set value, as transformers writes it (sizes as dicts, resample
            /// as its code), in transformers' order.
            pub fn to_json(&self) -> Map<String, Value> {
                let mut map = Map::new();
                #(
                    if let ::core::option::Option::Some(value) = &self.#names2 {
                        map.insert(#keys2.into(), StandardValue::to_json(value));
                    }
                )*
                map
            }

            /// Reads every standard key of `map` (a null is unset), removing it; other keys stay.
            fn take_standard(map: &mut Map<String, Value>, context: &JsonContext) -> Result<Self> {
                let mut kwargs = ImagesKwargs::default();
                #(
                    if let ::core::option::Option::Some(value) = map.remove(#keys).filter(|v| !v.is_null()) {
                        kwargs.#names = ::core::option::Option::Some(
                            <#types2 as StandardValue>::from_json(#keys, &value, context)?,
                        );
                    }
                )*
                Ok(kwargs)
            }
        }
    }
}
