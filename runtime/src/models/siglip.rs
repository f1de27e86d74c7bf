//! SigLIP (`SiglipImageProcessor` / `SiglipImageProcessorPil`).

use super::{IMAGENET_STANDARD_MEAN, IMAGENET_STANDARD_STD};
use crate::image_processor;

/// SigLIP: resize to 224×224 (bicubic, aspect ratio not kept, no crop), mean and std 0.5.
#[image_processor(
    type_name = "SiglipImageProcessor",
    resample = Bicubic,
    image_mean = IMAGENET_STANDARD_MEAN,
    image_std = IMAGENET_STANDARD_STD,
    size(height = 224, width = 224),
    do_resize = true,
    do_rescale = true,
    do_normalize = true,
    do_convert_rgb = true
)]
pub struct SiglipImageProcessor;
