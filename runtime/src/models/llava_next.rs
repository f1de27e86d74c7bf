//! LLaVA-NeXT (`LlavaNextImageProcessor` / `…Pil`): "anyres" patching over five grid
//! resolutions (multiples of 336), the whole image squashed to one patch first; the patches of
//! each image stacked, the batch's patch counts zero-padded to its largest (`do_pad`).

use super::anyres::{anyres_plan, pinpoint_sizes};
use super::{OPENAI_CLIP_MEAN, OPENAI_CLIP_STD};
use crate::backend::Backend;
use crate::call::{Batch, Call};
use crate::error::{Error, Result};
use crate::feature::BatchFeature;
use crate::kwargs::Resample;
use crate::numeric::Size;
use crate::pipeline::pixel_values;
use crate::placement::Assembly;
use crate::tensor::TensorData;
use crate::{image_processor, images_kwargs};

/// Kwargs of LLaVA-NeXT.
#[images_kwargs]
pub struct LlavaNextKwargs {
    /// The grid resolutions `[height, width]` an image may be patched into (anyres).
    pub image_grid_pinpoints: Option<Vec<[u32; 2]>>,
}

/// The class's grid resolutions: 336×672, 672×336, 672×672, 1008×336 and 336×1008.
pub fn default_pinpoints() -> Vec<[u32; 2]> {
    vec![[336, 672], [672, 336], [672, 672], [1008, 336], [336, 1008]]
}

/// LLaVA-NeXT: anyres patches of 224×224 (the checkpoints say 336) over the best of
/// `image_grid_pinpoints`, after the whole image squashed to one patch; OpenAI CLIP mean and std.
#[image_processor(
    type_name = "LlavaNextImageProcessor",
    kwargs = LlavaNextKwargs,
    preprocess = preprocess,
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
    do_convert_rgb = true,
    do_pad = true,
    image_grid_pinpoints = default_pinpoints()
)]
pub struct LlavaNextImageProcessor;

/// The size the whole image is squashed to (`size`'s height and width, else its shortest edge
/// square), the patch (`crop_size`'s height, else `size`'s height, else its shortest edge, square)
/// and the filter, as transformers picks them.
fn patch_side(call: &Call) -> Result<((Size, Size), Resample)> {
    let (size, resample) = call
        .resolved
        .resize
        .ok_or_else(|| Error::Unsupported("LLaVA-NeXT without do_resize".into()))?;
    let crop = call.resolved.center_crop.or_else(|| {
        let crop = call.instance.crop_size?;
        Some(Size::new(crop.height? as usize, crop.width? as usize))
    });
    let side = match (crop, size.height, size.shortest_edge) {
        (Some(crop), ..) => crop.height,
        (None, Some(h), _) => h as usize,
        (None, None, Some(edge)) => edge as usize,
        _ => {
            return Err(Error::config(
                "size",
                "LLaVA-NeXT needs a height or a shortest edge",
            ));
        }
    };
    let squashed = match (size.height, size.width, size.shortest_edge) {
        (Some(h), Some(w), _) => Size::new(h as usize, w as usize),
        (_, _, Some(edge)) => Size::new(edge as usize, edge as usize),
        _ => {
            return Err(Error::config(
                "size",
                "LLaVA-NeXT needs a {height, width} or a shortest edge",
            ));
        }
    };
    Ok(((squashed, Size::new(side, side)), resample))
}

/// The preprocessing of LLaVA-NeXT, generic over the backend.
pub fn preprocess<B: Backend + ?Sized>(
    backend: &B,
    call: &Call,
    batch: Batch<'_>,
) -> Result<BatchFeature> {
    let (patch, resample) = patch_side(call)?;
    let pinpoints = pinpoint_sizes(
        call.model::<LlavaNextKwargs>()?
            .image_grid_pinpoints
            .as_deref(),
    )?;
    let inputs = call.pixels(batch)?;
    let plans = (inputs.iter())
        .map(|input| anyres_plan(call, input, patch, &pinpoints, resample))
        .collect::<Result<Vec<_>>>()?;
    let image_sizes: Vec<i64> = (inputs.iter())
        .flat_map(|input| [input.pixels.height as i64, input.pixels.width as i64])
        .collect();
    let assembly = Assembly {
        groups: Some(plans.iter().map(|plan| plan.windows().count()).collect()),
        pad_groups: call.resolved.pad.is_some(),
        stacking: call.stacking,
        ..Assembly::default()
    };
    let pixels: Vec<_> = inputs.into_iter().map(|input| input.pixels).collect();
    Ok(
        pixel_values(backend, call.numerics, &pixels, &plans, &assembly)?.with_tensor(
            "image_sizes",
            vec![plans.len(), 2],
            TensorData::I64(image_sizes),
        ),
    )
}
