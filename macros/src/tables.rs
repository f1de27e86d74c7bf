//! Tables of transformers' kwargs written once, here: the macros check declarations against them,
//! and the runtime takes them from the macros (`__size_keys!`, `__standard_kwarg_docs!`), so no
//! package includes another's files.

use proc_macro2::TokenStream;
use quote::quote;

/// transformers' size-dict keys, in its order.
pub(crate) const SIZE_KEYS: [&str; 6] = [
    "height",
    "width",
    "shortest_edge",
    "longest_edge",
    "max_height",
    "max_width",
];

/// transformers' `VALID_SIZE_DICT_KEYS`.
pub(crate) const VALID_SIZE_KEY_SETS: [&[&str]; 5] = [
    &["height", "width"],
    &["shortest_edge"],
    &["shortest_edge", "longest_edge"],
    &["longest_edge"],
    &["max_height", "max_width"],
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
}

/// Every standard kwarg of transformers' `ImagesKwargs`, in its order. **The one place a standard
/// kwarg is written**: the runtime's `ImagesKwargs` (fields, docs, merging, JSON), the docs table,
/// and what declarations and `#[images_kwargs]` accept all come from here.
pub(crate) const STANDARD_KWARGS: [Kwarg; 17] = [
    Kwarg {
        name: "do_convert_rgb",
        ty: "bool",
        kind: Kind::Bool,
        meaning: "Convert every image to 3-channel RGB (alpha composited onto white).",
    },
    Kwarg {
        name: "do_resize",
        ty: "bool",
        kind: Kind::Bool,
        meaning: "Resize the image to `size`.",
    },
    Kwarg {
        name: "size",
        ty: "SizeDict",
        kind: Kind::Size,
        meaning: "The target size of the resize.",
    },
    Kwarg {
        name: "default_to_square",
        ty: "bool",
        kind: Kind::Bool,
        meaning: "How an int `size` is read: a square (true) or the shortest edge (false).",
    },
    Kwarg {
        name: "crop_size",
        ty: "SizeDict",
        kind: Kind::Size,
        meaning: "The size of the center crop.",
    },
    Kwarg {
        name: "resample",
        ty: "Resample",
        kind: Kind::Resample,
        meaning: "The resampling filter of the resize (PIL code 0-5).",
    },
    Kwarg {
        name: "do_rescale",
        ty: "bool",
        kind: Kind::Bool,
        meaning: "Multiply by `rescale_factor`.",
    },
    Kwarg {
        name: "rescale_factor",
        ty: "f64",
        kind: Kind::Float,
        meaning: "The rescale factor, usually 1/255.",
    },
    Kwarg {
        name: "do_normalize",
        ty: "bool",
        kind: Kind::Bool,
        meaning: "Subtract `image_mean` and divide by `image_std`, per channel.",
    },
    Kwarg {
        name: "image_mean",
        ty: "ChannelValues",
        kind: Kind::Channels,
        meaning: "The per-channel mean of normalize.",
    },
    Kwarg {
        name: "image_std",
        ty: "ChannelValues",
        kind: Kind::Channels,
        meaning: "The per-channel standard deviation of normalize.",
    },
    Kwarg {
        name: "do_pad",
        ty: "bool",
        kind: Kind::Bool,
        meaning: "Pad outputs with zeros at the bottom and right, to `pad_size` or the batch's largest.",
    },
    Kwarg {
        name: "pad_size",
        ty: "SizeDict",
        kind: Kind::Size,
        meaning: "The size to pad to.",
    },
    Kwarg {
        name: "do_center_crop",
        ty: "bool",
        kind: Kind::Bool,
        meaning: "Center-crop the resized image to `crop_size`.",
    },
    Kwarg {
        name: "data_format",
        ty: "ChannelDimension",
        kind: Kind::Layout,
        meaning: "The layout of the output: channels_first (CHW) or channels_last (HWC).",
    },
    Kwarg {
        name: "input_data_format",
        ty: "ChannelDimension",
        kind: Kind::Layout,
        meaning: "The layout of array inputs; inferred when unset.",
    },
    Kwarg {
        name: "device",
        ty: "String",
        kind: Kind::Text,
        meaning: "The device to process on (cpu, cuda, cuda:0).",
    },
];

/// The kind of standard kwarg `name`, if it is one.
pub(crate) fn kind_of(name: &str) -> Option<Kind> {
    STANDARD_KWARGS
        .iter()
        .find(|k| k.name == name)
        .map(|k| k.kind)
}

/// The runtime's `KEYS` and `VALID_KEY_SETS` (`size.rs`).
pub(crate) fn size_keys() -> TokenStream {
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
pub(crate) fn standard_kwarg_docs() -> TokenStream {
    let rows = STANDARD_KWARGS.iter().map(
        |Kwarg {
             name, ty, meaning, ..
         }| { quote!(KwargDoc { name: #name, ty: #ty, meaning: #meaning }) },
    );
    quote!([#(#rows),*])
}
