//! CLIP (`CLIPImageProcessor` / `CLIPImageProcessorPil`).

use super::{OPENAI_CLIP_MEAN, OPENAI_CLIP_STD};
use crate::image_processor;

/// CLIP: shortest edge 224 (bicubic), center crop 224×224, OpenAI CLIP mean and std.
///
/// ```
/// use twinproc::{models::clip::ClipImageProcessor, Image, ImagesKwargs};
/// let processor = ClipImageProcessor::default();
/// let image = Image::from_hwc(vec![128; 300 * 400 * 3], 300, 400, 3);
/// let out = processor.preprocess(&[image], &ImagesKwargs::default())?;
/// assert_eq!(out.tensor("pixel_values").unwrap().shape, [1, 3, 224, 224]);
/// # Ok::<(), twinproc::Error>(())
/// ```
#[image_processor(
    type_name = "CLIPImageProcessor",
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
pub struct ClipImageProcessor;
