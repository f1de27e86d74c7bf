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

/// A row of the standard kwargs table (the runtime's `KwargDoc`, same fields).
pub(crate) struct KwargDoc {
    pub(crate) name: &'static str,
    pub(crate) ty: &'static str,
    pub(crate) meaning: &'static str,
}

/// Every standard kwarg of transformers' `ImagesKwargs`: name, type, meaning.
pub(crate) const STANDARD_KWARGS: [KwargDoc; 17] = [
    KwargDoc {
        name: "do_convert_rgb",
        ty: "bool",
        meaning: "Convert every image to 3-channel RGB (alpha composited onto white).",
    },
    KwargDoc {
        name: "do_resize",
        ty: "bool",
        meaning: "Resize the image to `size`.",
    },
    KwargDoc {
        name: "size",
        ty: "SizeDict",
        meaning: "The target size of the resize.",
    },
    KwargDoc {
        name: "default_to_square",
        ty: "bool",
        meaning: "How an int `size` is read: a square (true) or the shortest edge (false).",
    },
    KwargDoc {
        name: "crop_size",
        ty: "SizeDict",
        meaning: "The size of the center crop.",
    },
    KwargDoc {
        name: "resample",
        ty: "Resample",
        meaning: "The resampling filter of the resize (PIL code 0-5).",
    },
    KwargDoc {
        name: "do_rescale",
        ty: "bool",
        meaning: "Multiply by `rescale_factor`.",
    },
    KwargDoc {
        name: "rescale_factor",
        ty: "f64",
        meaning: "The rescale factor, usually 1/255.",
    },
    KwargDoc {
        name: "do_normalize",
        ty: "bool",
        meaning: "Subtract `image_mean` and divide by `image_std`, per channel.",
    },
    KwargDoc {
        name: "image_mean",
        ty: "ChannelValues",
        meaning: "The per-channel mean of normalize.",
    },
    KwargDoc {
        name: "image_std",
        ty: "ChannelValues",
        meaning: "The per-channel standard deviation of normalize.",
    },
    KwargDoc {
        name: "do_pad",
        ty: "bool",
        meaning: "Pad outputs with zeros at the bottom and right, to `pad_size` or the batch's largest.",
    },
    KwargDoc {
        name: "pad_size",
        ty: "SizeDict",
        meaning: "The size to pad to.",
    },
    KwargDoc {
        name: "do_center_crop",
        ty: "bool",
        meaning: "Center-crop the resized image to `crop_size`.",
    },
    KwargDoc {
        name: "data_format",
        ty: "ChannelDimension",
        meaning: "The layout of the output: channels_first (CHW) or channels_last (HWC).",
    },
    KwargDoc {
        name: "input_data_format",
        ty: "ChannelDimension",
        meaning: "The layout of array inputs; inferred when unset.",
    },
    KwargDoc {
        name: "device",
        ty: "String",
        meaning: "The device to process on (cpu, cuda, cuda:0).",
    },
];

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
    let rows = STANDARD_KWARGS.iter().map(|KwargDoc { name, ty, meaning }| {
        quote!(KwargDoc { name: #name, ty: #ty, meaning: #meaning })
    });
    quote!([#(#rows),*])
}
