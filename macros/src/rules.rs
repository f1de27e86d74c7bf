//! The rules between keys of a declaration, one named function each: the checks transformers'
//! `validate_preprocess_arguments` makes at run time, made at compile time, and the twins' own.
//! A key that is written but invalid counts as written: its own error is enough.

use crate::ctxt::Ctxt;
use crate::declaration::{
    CROP_SIZE, DO_CENTER_CROP, DO_NORMALIZE, DO_RESIZE, Declaration, IMAGE_MEAN, IMAGE_STD, Key,
    RESAMPLE, SIZE,
};

/// Every rule, in the order their errors are reported.
const RULES: [fn(&Ctxt, &Declaration); 5] = [
    normalize_needs_mean_and_std,
    center_crop_needs_crop_size,
    resize_needs_size,
    resize_needs_resample,
    one_twin_named,
];

/// Runs every rule.
pub fn check(cx: &Ctxt, declaration: &Declaration) {
    for rule in RULES {
        rule(cx, declaration);
    }
}

/// `flag = true` needs `needed`: the error, on the flag, when it is missing.
fn needs(cx: &Ctxt, declaration: &Declaration, flag: Key, needed: Key, message: &str) {
    if let Some(set) = declaration.standard.get(flag)
        && declaration.standard.flag(flag)
        && !declaration.wrote(needed)
    {
        cx.error_spanned_by(&set.key, message);
    }
}

fn normalize_needs_mean_and_std(cx: &Ctxt, declaration: &Declaration) {
    for needed in [IMAGE_MEAN, IMAGE_STD] {
        let message = format!("`do_normalize = true` needs `{}`", needed.kwarg().name);
        needs(cx, declaration, DO_NORMALIZE, needed, &message);
    }
}

fn center_crop_needs_crop_size(cx: &Ctxt, declaration: &Declaration) {
    let message = "`do_center_crop = true` needs `crop_size(height = …, width = …)`";
    needs(cx, declaration, DO_CENTER_CROP, CROP_SIZE, message);
}

/// Unless the model has its own logic: with no `size`, that logic decides every size itself
/// (SigLIP2's patch budget), and the runtime asks for none.
fn resize_needs_size(cx: &Ctxt, declaration: &Declaration) {
    if declaration.preprocess.is_some() {
        return;
    }
    needs(
        cx,
        declaration,
        DO_RESIZE,
        SIZE,
        "`do_resize = true` needs `size(…)`",
    );
}

fn resize_needs_resample(cx: &Ctxt, declaration: &Declaration) {
    let message = "`do_resize = true` needs `resample` (transformers raises \"`size` and `resample` must be specified if `do_resize` is `True`\")";
    needs(cx, declaration, DO_RESIZE, RESAMPLE, message);
}

fn one_twin_named(cx: &Ctxt, declaration: &Declaration) {
    if let (Some(_), Some(gpu)) = (&declaration.cpu_twin, &declaration.gpu_twin) {
        cx.error_spanned_by(
            &gpu.value,
            "a declaration names one twin: `gpu_twin = …` on the CPU processor, or `cpu_twin = …` on the GPU processor",
        );
    }
}
