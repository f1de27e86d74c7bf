//! BiT and DINOv2 (`BitImageProcessor` / `BitImageProcessorPil`; DINOv2's checkpoints use it
//! with a shortest edge of 256 and ImageNet's default mean and std).

use super::{OPENAI_CLIP_MEAN, OPENAI_CLIP_STD};
use crate::image_processor;

/// BiT: shortest edge 224 (bicubic), center crop 224×224, OpenAI CLIP mean and std.
#[image_processor(
    type_name = "BitImageProcessor",
    resample = Bicubic,
    image_mean = OPENAI_CLIP_MEAN,
    image_std = OPENAI_CLIP_STD,
    size(shortest_edge = 224),
    default_to_square = false,
    crop_size(height = 224, width = 224),
    do_resize = true,
    do_center_crop = true,
    do_rescale = true,
    do_normalize = true,
    do_convert_rgb = true
)]
pub struct BitImageProcessor;
