//! SigLIP (`SiglipImageProcessor` / `SiglipImageProcessorPil`).

use super::{IMAGENET_STANDARD_MEAN, IMAGENET_STANDARD_STD, RESCALE_1_255};
use crate::kwargs::{ImagesKwargs, Resample};
use crate::processor::{ModelSpec, no_model_kwargs};
use crate::size::SizeDict;

fn defaults() -> ImagesKwargs {
    ImagesKwargs {
        resample: Some(Resample::Bicubic),
        image_mean: Some(IMAGENET_STANDARD_MEAN.into()),
        image_std: Some(IMAGENET_STANDARD_STD.into()),
        size: Some(SizeDict::height_width(224, 224)),
        do_resize: Some(true),
        do_rescale: Some(true),
        rescale_factor: Some(RESCALE_1_255),
        do_normalize: Some(true),
        do_convert_rgb: Some(true),
        ..ImagesKwargs::default()
    }
}

/// SigLIP: squash to 224×224 (bicubic, no crop), mean/std 0.5.
pub static SIGLIP: ModelSpec = ModelSpec {
    type_name: "SiglipImageProcessor",
    description: "SigLIP: resize to 224x224 (bicubic, aspect not kept), mean/std 0.5",
    default_to_square: true,
    defaults,
    model_defaults: no_model_kwargs,
    model_kwargs: &[],
    preprocess: None,
};
