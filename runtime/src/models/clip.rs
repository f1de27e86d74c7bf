//! CLIP (`CLIPImageProcessor` / `CLIPImageProcessorPil`).

use super::{OPENAI_CLIP_MEAN, OPENAI_CLIP_STD, RESCALE_1_255};
use crate::kwargs::{ImagesKwargs, Resample};
use crate::processor::{ModelSpec, no_model_kwargs};
use crate::size::SizeDict;

fn defaults() -> ImagesKwargs {
    ImagesKwargs {
        resample: Some(Resample::Bicubic),
        image_mean: Some(OPENAI_CLIP_MEAN.into()),
        image_std: Some(OPENAI_CLIP_STD.into()),
        size: Some(SizeDict::shortest_edge(224)),
        default_to_square: Some(false),
        crop_size: Some(SizeDict::height_width(224, 224)),
        do_resize: Some(true),
        do_center_crop: Some(true),
        do_rescale: Some(true),
        rescale_factor: Some(RESCALE_1_255),
        do_normalize: Some(true),
        do_convert_rgb: Some(true),
        ..ImagesKwargs::default()
    }
}

/// CLIP: shortest edge 224 (bicubic), center crop 224×224, OpenAI CLIP mean/std.
///
/// ```
/// use twinproc::{models::clip::CLIP, Image, Processor, ImagesKwargs};
/// let processor = Processor::new(&CLIP, ImagesKwargs::default())?;
/// let image = Image::from_hwc(vec![128; 300 * 400 * 3], 300, 400, 3);
/// let out = processor.preprocess(&[image], &ImagesKwargs::default())?;
/// assert_eq!(out.tensor("pixel_values").unwrap().shape, [1, 3, 224, 224]);
/// # Ok::<(), twinproc::Error>(())
/// ```
pub static CLIP: ModelSpec = ModelSpec {
    type_name: "CLIPImageProcessor",
    description: "CLIP: shortest edge 224 (bicubic), center crop 224x224, OpenAI CLIP mean/std",
    default_to_square: false,
    defaults,
    model_defaults: no_model_kwargs,
    model_kwargs: &[],
    preprocess: None,
};
