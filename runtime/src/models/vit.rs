//! ViT (`ViTImageProcessor` / `ViTImageProcessorPil`).

use super::{IMAGENET_STANDARD_MEAN, IMAGENET_STANDARD_STD};
use crate::image_processor;

/// ViT: resize to 224×224 (bilinear, aspect ratio not kept), mean and std 0.5; no conversion to
/// RGB unless asked (`do_convert_rgb` unset, as in transformers: a gray image is then refused).
#[image_processor(
    type_name = "ViTImageProcessor",
    resample = Bilinear,
    image_mean = IMAGENET_STANDARD_MEAN,
    image_std = IMAGENET_STANDARD_STD,
    size(height = 224, width = 224),
    do_resize = true,
    do_rescale = true,
    do_normalize = true
)]
pub struct VitImageProcessor;
