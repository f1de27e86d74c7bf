//! BLIP and BLIP-2 (`BlipImageProcessor` / `BlipImageProcessorPil`).

use super::{OPENAI_CLIP_MEAN, OPENAI_CLIP_STD};
use crate::image_processor;

/// BLIP: resize to 384×384 (bicubic, aspect ratio not kept), OpenAI CLIP mean and std.
#[image_processor(
    type_name = "BlipImageProcessor",
    resample = Bicubic,
    image_mean = OPENAI_CLIP_MEAN,
    image_std = OPENAI_CLIP_STD,
    size(height = 384, width = 384),
    default_to_square = true,
    do_resize = true,
    do_rescale = true,
    do_normalize = true,
    do_convert_rgb = true
)]
pub struct BlipImageProcessor;
