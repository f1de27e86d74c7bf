//! LLaVA-OneVision (`LlavaOnevisionImageProcessor` / `…Pil`): "anyres" patching, written once for
//! every backend.
//!
//! A flat list makes every image its own sample: the best grid resolution from
//! `image_grid_pinpoints`, an aspect-preserving resize into it, centred zero padding, 384×384 patches
//! (row-major) after the whole image squashed to 384×384. A sample of several images (a nested list)
//! is not patched: each image is padded to a square with the mean colour and squashed.

use super::anyres::{anyres_plan, pinpoint_sizes};
pub use super::anyres::{patch_output_size, select_best_resolution};
use super::{OPENAI_CLIP_MEAN, OPENAI_CLIP_STD};
use crate::backend::Backend;
use crate::call::{Batch, Call};
use crate::error::{Error, Result};
use crate::feature::BatchFeature;
use crate::kwargs::ChannelValues;
use crate::numeric::convert::ToRgb;
use crate::numeric::crop::CropWindow;
use crate::numeric::{Pixels, Size};
use crate::pipeline::pixel_values;
use crate::placement::{Assembly, Canvas};
use crate::plan::ImagePlan;
use crate::resolve::resize_plan;
use crate::tensor::TensorData;
use crate::{image_processor, images_kwargs};

/// Kwargs of LLaVA-OneVision.
#[images_kwargs]
pub struct LlavaOnevisionKwargs {
    /// The grid resolutions `[height, width]` an image may be patched into (anyres).
    pub image_grid_pinpoints: Option<Vec<[u32; 2]>>,
}

/// The class's 36 grid resolutions: every `[h, w]` with h, w in 384..=2304, step 384.
pub fn default_pinpoints() -> Vec<[u32; 2]> {
    let steps = (1..=6).map(|i| i * 384);
    steps
        .clone()
        .flat_map(|h| steps.clone().map(move |w| [h, w]))
        .collect()
}

/// LLaVA-OneVision: anyres 384×384 patches over the best of `image_grid_pinpoints`, after the whole
/// image squashed to one patch; multi-image samples are padded to squares with the mean colour.
#[image_processor(
    type_name = "LlavaOnevisionImageProcessor",
    kwargs = LlavaOnevisionKwargs,
    preprocess = preprocess,
    resample = Bicubic,
    image_mean = OPENAI_CLIP_MEAN,
    image_std = OPENAI_CLIP_STD,
    size(height = 384, width = 384),
    do_resize = true,
    do_rescale = true,
    do_normalize = true,
    do_pad = true,
    do_convert_rgb = true,
    image_grid_pinpoints = default_pinpoints()
)]
pub struct LlavaOnevisionImageProcessor;

/// `image_grid_pinpoints` (`[height, width]` pairs) as sizes.
fn pinpoints(call: &Call) -> Result<Vec<Size>> {
    pinpoint_sizes(
        call.model::<LlavaOnevisionKwargs>()?
            .image_grid_pinpoints
            .as_deref(),
    )
}

/// `pad_to_square` with `color`: the image centred (extra row or column after) on a square canvas.
pub fn pad_to_square(pixels: &Pixels<'_>, color: &[u8]) -> Pixels<'static> {
    let side = pixels.width.max(pixels.height);
    if pixels.width == pixels.height {
        return pixels.clone().into_owned();
    }
    let c = pixels.channels;
    let mut data: Vec<u8> = color
        .iter()
        .copied()
        .cycle()
        .take(side * side * c)
        .collect();
    let (top, left) = ((side - pixels.height) / 2, (side - pixels.width) / 2);
    for (y, row) in pixels.data.chunks_exact(pixels.width * c).enumerate() {
        let at = ((top + y) * side + left) * c;
        data[at..at + row.len()].copy_from_slice(row);
    }
    Pixels {
        width: side,
        height: side,
        channels: c,
        data: data.into(),
    }
}

/// The preprocessing of LLaVA-OneVision, generic over the backend.
pub fn preprocess<B: Backend + ?Sized>(
    backend: &B,
    call: &Call,
    batch: Batch<'_>,
) -> Result<BatchFeature> {
    let (size, resample) = call
        .resolved
        .resize
        .ok_or_else(|| Error::config("do_resize", "LLaVA-OneVision always resizes its patches"))?;
    let (Some(patch_h), Some(patch_w)) = (size.height, size.width) else {
        return Err(Error::config(
            "size",
            "LLaVA-OneVision needs a {height, width} size",
        ));
    };
    let patch = Size::new(patch_h as usize, patch_w as usize);
    if patch.height != patch.width {
        return Err(Error::Unsupported(
            "LLaVA-OneVision patches of a non-square size".into(),
        ));
    }
    let inputs = call.pixels(batch)?;
    let nested = matches!(batch, Batch::Nested(_));
    let mut plans = Vec::with_capacity(inputs.len());
    let mut squared = Vec::new();
    for input in &inputs {
        if nested {
            // The instance's mean, as transformers uses it: int(x * 255) per channel.
            let mean = call
                .instance
                .image_mean
                .clone()
                .unwrap_or(ChannelValues::Scalar(0.0));
            // Padding happens on the RGB image, so the conversion runs here, on the host.
            if input.convert == ToRgb::Bits {
                return Err(Error::Unsupported(
                    "a bilevel image (Pillow's mode 1) without do_convert_rgb in torchvision \
                     numerics, padded to a square: not reproduced"
                        .into(),
                ));
            }
            let rgb = input.convert.apply(&input.pixels);
            let color: Vec<u8> = mean
                .per_channel("image_mean", rgb.channels)?
                .into_iter()
                .map(|v| (v * 255.0) as u8)
                .collect();
            let square = pad_to_square(&rgb, &color);
            let side = square.width;
            plans.push(ImagePlan::new(
                ToRgb::Keep,
                resize_plan(call.numerics, Size::new(side, side), patch, resample)?,
                vec![CropWindow::full(patch)],
                call.level_map(input.channels())?,
                call.resolved.data_format,
            ));
            squared.push(square);
            continue;
        }
        plans.push(anyres_plan(
            call,
            input,
            (patch, patch),
            &pinpoints(call)?,
            resample,
        )?);
    }
    let image_sizes: Vec<i64> = inputs
        .iter()
        .flat_map(|input| [input.pixels.height as i64, input.pixels.width as i64])
        .collect();
    // Each image's patches stacked into `[patches, ...]`, the patch axis zero-padded to the
    // batch's largest count when `do_pad` (`_pad_for_batching`).
    let patches_per_image = plans.iter().map(|plan| plan.windows().count()).collect();
    let sources: Vec<Pixels> = if nested {
        squared
    } else {
        inputs.into_iter().map(|input| input.pixels).collect()
    };
    let assembly = Assembly {
        groups: Some(patches_per_image),
        pad_groups: call.resolved.pad.is_some(),
        canvas: Canvas::Own,
        stacking: call.stacking,
    };
    let batch_num_images: Vec<i64> = match batch {
        Batch::Flat(images) => vec![1; images.len()],
        Batch::Nested(samples) => samples.iter().map(|s| s.len() as i64).collect(),
    };
    Ok(
        pixel_values(backend, call.numerics, &sources, &plans, &assembly)?
            .with_tensor(
                "image_sizes",
                vec![image_sizes.len() / 2, 2],
                TensorData::I64(image_sizes),
            )
            .with_tensor(
                "batch_num_images",
                vec![batch_num_images.len()],
                TensorData::I64(batch_num_images),
            ),
    )
}
