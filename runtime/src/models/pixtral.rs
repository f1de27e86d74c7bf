//! Pixtral (`PixtralImageProcessor` / `…Pil`): each image shrunk to fit `longest_edge` (aspect
//! ratio kept), its sides rounded up to whole patches, normalized, and the batch zero-padded at the
//! bottom and right to its largest image, with `image_sizes` (each image's size before padding).

use super::{OPENAI_CLIP_MEAN, OPENAI_CLIP_STD};
use crate::backend::Backend;
use crate::call::{Batch, Call};
use crate::error::{Error, Result};
use crate::feature::BatchFeature;
use crate::numeric::Numerics;
use crate::numeric::Size;
use crate::numeric::crop::{CropWindow, center_crop};
use crate::pipeline::pixel_values;
use crate::placement::{Assembly, Canvas};
use crate::tensor::TensorData;
use crate::{image_processor, images_kwargs};
use serde::{Deserialize, Serialize};

/// A patch size as a configuration writes it: one side, or `{height, width}` (saved back in the
/// form it was given).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum PatchSize {
    Side(u32),
    HeightWidth { height: u32, width: u32 },
}

impl PatchSize {
    /// Height and width.
    pub fn size(self) -> Size {
        match self {
            PatchSize::Side(side) => Size::new(side as usize, side as usize),
            PatchSize::HeightWidth { height, width } => Size::new(height as usize, width as usize),
        }
    }
}

/// The class's patch size, 16×16.
pub const DEFAULT_PATCH_SIZE: PatchSize = PatchSize::HeightWidth {
    height: 16,
    width: 16,
};

/// Kwargs of Pixtral.
#[images_kwargs]
pub struct PixtralKwargs {
    /// The model's patch: resized sides are whole patches.
    pub patch_size: Option<PatchSize>,
}

/// Pixtral: fit within 1024×1024 (bicubic) in whole 16×16 patches, OpenAI CLIP mean and std, the
/// batch padded to its largest image.
#[image_processor(
    type_name = "PixtralImageProcessor",
    kwargs = PixtralKwargs,
    preprocess = preprocess,
    resample = Bicubic,
    image_mean = OPENAI_CLIP_MEAN,
    image_std = OPENAI_CLIP_STD,
    size(longest_edge = 1024),
    default_to_square = true,
    do_resize = true,
    do_rescale = true,
    do_normalize = true,
    do_pad = true,
    do_convert_rgb = true,
    patch_size = DEFAULT_PATCH_SIZE
)]
pub struct PixtralImageProcessor;

/// `get_resize_output_image_size`: shrunk (never grown) by one ratio to fit `max`, each side
/// floored, then rounded up to whole patches (a side floored to 0 stays 0, as Python's `//` has it).
///
/// ```
/// # use twinproc::{models::pixtral::fit_in_patches, Size};
/// let fit = fit_in_patches(Size::new(300, 451), Size::new(1024, 1024), Size::new(16, 16));
/// assert_eq!(fit, Size::new(304, 464));
/// ```
pub fn fit_in_patches(input: Size, max: Size, patch: Size) -> Size {
    let (mut h, mut w) = (input.height as f64, input.width as f64);
    let ratio = (h / max.height as f64).max(w / max.width as f64);
    if ratio > 1.0 {
        (h, w) = ((h / ratio).floor(), (w / ratio).floor());
    }
    let whole = |side: f64, patch: usize| {
        let tokens = (side as i64 - 1).div_euclid(patch as i64) + 1;
        tokens.max(0) as usize * patch
    };
    Size::new(whole(h, patch.height), whole(w, patch.width))
}

/// The preprocessing of Pixtral, generic over the backend.
pub fn preprocess<B: Backend + ?Sized>(
    backend: &B,
    call: &Call,
    batch: Batch<'_>,
) -> Result<BatchFeature> {
    let patch = call
        .model::<PixtralKwargs>()?
        .patch_size
        .unwrap_or(DEFAULT_PATCH_SIZE)
        .size();
    if patch.is_empty() {
        return Err(Error::config(
            "patch_size",
            "must have a positive height and width",
        ));
    }
    let inputs = call.pixels(batch)?;
    let mut plans = Vec::with_capacity(inputs.len());
    let mut sizes = Vec::with_capacity(inputs.len());
    for input in &inputs {
        let to = match call.resolved.resize {
            Some((size, _)) => {
                let max = match (size.longest_edge, size.height, size.width) {
                    (Some(edge), ..) => Size::new(edge as usize, edge as usize),
                    (None, Some(h), Some(w)) => Size::new(h as usize, w as usize),
                    _ => {
                        return Err(Error::config(
                            "size",
                            "size must contain either 'longest_edge' or 'height' and 'width'.",
                        ));
                    }
                };
                let to = fit_in_patches(input.size(), max, patch);
                if to.is_empty() {
                    return Err(Error::InvalidImage(format!(
                        "resizing a {} image to fit {max} gives an empty {to} image",
                        input.size()
                    )));
                }
                Some(to)
            }
            None => None,
        };
        let plan = call.plan_whole(input, to, call.resolved.data_format)?;
        plans.push(match call.resolved.center_crop {
            Some(crop) => {
                plan.split_window(|whole| vec![center_crop(whole.size(), crop, call.numerics)])?
            }
            None => plan,
        });
        sizes.push(to.unwrap_or(input.size()));
    }
    // With a center crop, transformers' torchvision backend keeps the sizes before it
    // (`image_sizes`, and what the padding pads by); its PIL backend the crops' sizes.
    let before_crop = call.resolved.center_crop.is_some() && call.numerics == Numerics::Torchvision;
    if !before_crop {
        sizes = (plans.iter())
            .flat_map(|plan| plan.windows().map(CropWindow::size))
            .collect();
    }
    let image_sizes: Vec<i64> = (sizes.iter())
        .flat_map(|s| [s.height as i64, s.width as i64])
        .collect();
    if before_crop && call.resolved.pad.is_some() && sizes.windows(2).any(|w| w[0] != w[1]) {
        // transformers pads each crop by its image's shortfall from the largest image: crops of
        // images of different sizes come out of different sizes, which it cannot stack.
        return Err(Error::Stack {
            key: "pixel_values".into(),
            message: "center crops padded by their images' sizes differ in shape".into(),
        });
    }
    let assembly = Assembly {
        canvas: match (call.resolved.pad, before_crop) {
            (Some(_), false) => Canvas::Largest,
            _ => Canvas::Own,
        },
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

#[cfg(test)]
mod tests {
    use super::*;

    /// transformers 5.23's `get_resize_output_image_size` (Pixtral's) on these arguments: one
    /// side floored to 0 stays 0.
    #[test]
    fn fit_in_patches_is_transformers() {
        let cases = [
            ((300, 451, 1024, 1024, 16, 16), (304, 464)),
            ((1, 1, 1024, 1024, 16, 16), (16, 16)),
            ((3, 1000, 256, 256, 14, 14), (0, 266)),
            ((1000, 3, 1024, 1024, 16, 16), (1008, 16)),
            ((2000, 1500, 1024, 1024, 16, 16), (1024, 768)),
            ((1025, 1024, 1024, 1024, 16, 16), (1024, 1024)),
            ((17, 13, 512, 256, 14, 16), (28, 16)),
        ];
        for ((h, w, mh, mw, ph, pw), (th, tw)) in cases {
            let got = fit_in_patches(Size::new(h, w), Size::new(mh, mw), Size::new(ph, pw));
            assert_eq!(got, Size::new(th, tw), "{h}x{w} in {mh}x{mw}");
        }
    }
}
