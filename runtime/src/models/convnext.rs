//! ConvNeXt and ConvNeXt V2 (`ConvNextImageProcessor` / `ConvNextImageProcessorPil`): below a
//! shortest edge of 384 the image is resized to `shortest_edge / crop_pct` and center-cropped to
//! a square of `shortest_edge`; at 384 and above it is warped to that square.

use super::{IMAGENET_STANDARD_MEAN, IMAGENET_STANDARD_STD};
use crate::backend::Backend;
use crate::call::{Batch, Call};
use crate::error::{Error, Result};
use crate::feature::BatchFeature;
use crate::numeric::crop::{CropWindow, center_crop};
use crate::numeric::{Pixels, Size};
use crate::pipeline::pixel_values;
use crate::placement::Assembly;
use crate::plan::{ImagePlan, Input};
use crate::size::SizeDict;
use crate::{image_processor, images_kwargs};

/// Kwargs of ConvNeXt.
#[images_kwargs]
pub struct ConvNextKwargs {
    /// The share of the resized image the crop keeps, below a shortest edge of 384.
    pub crop_pct: Option<f64>,
}

/// The class's `crop_pct`, `224 / 256`.
pub const DEFAULT_CROP_PCT: f64 = 224.0 / 256.0;

/// From a shortest edge of this size on, the image is warped to the square, not cropped.
const WARP_FROM: u32 = 384;

/// ConvNeXt: warped to 384×384 (bicubic), mean and std 0.5; below 384, resize and crop by
/// `crop_pct`.
#[image_processor(
    type_name = "ConvNextImageProcessor",
    kwargs = ConvNextKwargs,
    preprocess = preprocess,
    resample = Bicubic,
    image_mean = IMAGENET_STANDARD_MEAN,
    image_std = IMAGENET_STANDARD_STD,
    size(shortest_edge = 384),
    default_to_square = false,
    do_resize = true,
    do_rescale = true,
    do_normalize = true,
    crop_pct = DEFAULT_CROP_PCT
)]
pub struct ConvNextImageProcessor;

/// The preprocessing of ConvNeXt, generic over the backend.
pub fn preprocess<B: Backend + ?Sized>(
    backend: &B,
    call: &Call,
    batch: Batch<'_>,
) -> Result<BatchFeature> {
    let crop_pct = call
        .model::<ConvNextKwargs>()?
        .crop_pct
        .unwrap_or(DEFAULT_CROP_PCT);
    let inputs = call.pixels(batch)?;
    let plans = inputs
        .iter()
        .map(|input| plan(call, input, crop_pct))
        .collect::<Result<Vec<_>>>()?;
    let pixels: Vec<Pixels> = inputs.into_iter().map(|input| input.pixels).collect();
    let assembly = Assembly {
        stacking: call.stacking,
        ..Assembly::default()
    };
    pixel_values(backend, call.numerics, &pixels, &plans, &assembly)
}

/// One image's plan: the resize (and the crop `crop_pct` makes), then `do_center_crop`'s crop of
/// that.
fn plan(call: &Call, input: &Input, crop_pct: f64) -> Result<ImagePlan> {
    let mut resolved = call.resolved.clone();
    let mut square = None;
    if let Some((size, resample)) = resolved.resize {
        let Some(short) = size.shortest_edge else {
            return Err(Error::config(
                "size",
                format!(
                    "Size dictionary must contain 'shortest_edge' key. Got {{{}}}",
                    size.keys().join(", ")
                ),
            ));
        };
        let target = if short < WARP_FROM {
            if !(crop_pct.is_finite() && crop_pct > 0.0) {
                return Err(Error::config(
                    "crop_pct",
                    format!("must be a finite positive number, got {crop_pct}"),
                ));
            }
            square = Some(Size::new(short as usize, short as usize));
            // Python's `int(shortest_edge / crop_pct)`.
            SizeDict {
                shortest_edge: Some((f64::from(short) / crop_pct) as u32),
                ..SizeDict::default()
            }
        } else {
            SizeDict {
                height: Some(short),
                width: Some(short),
                ..SizeDict::default()
            }
        };
        resolved.resize = Some((target, resample));
    }
    let (resize, resized) = resolved.resize_for(call.numerics, input.size())?;
    let inner = match square {
        Some(square) => center_crop(resized, square, call.numerics),
        None => CropWindow::full(resized),
    };
    let window = match resolved.center_crop {
        None => inner,
        Some(crop) => {
            let outer = center_crop(inner.size(), crop, call.numerics);
            // A crop of the crop is one window while it stays inside it; past it, transformers
            // pads the first crop with zeros where one window would read the image.
            if outer.top < 0 || outer.left < 0 {
                return Err(Error::Unsupported(format!(
                    "ConvNeXt's center crop of {crop} larger than its {} image",
                    inner.size()
                )));
            }
            CropWindow {
                top: inner.top + outer.top,
                left: inner.left + outer.left,
                ..outer
            }
        }
    };
    Ok(ImagePlan::new(
        input.convert,
        resize,
        vec![window],
        call.level_map(input.channels())?,
        resolved.data_format,
    ))
}
