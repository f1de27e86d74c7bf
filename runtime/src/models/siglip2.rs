//! SigLIP2 NaFlex (`Siglip2ImageProcessor` / `…Pil`): each image resized, aspect ratio about
//! kept, to whole patches with at most `max_num_patches` of them, normalized, cut into patches of
//! `patch_size² · C` values (pixel by pixel) and zero-padded to `max_num_patches` rows, with
//! `pixel_attention_mask` (1 for an image's rows, 0 for padding) and `spatial_shapes`.

use super::patches::{PatchRows, normalized_images, positive};
use crate::backend::Backend;
use crate::call::{Batch, Call};
use crate::error::Result;
use crate::feature::BatchFeature;
use crate::numeric::Size;
use crate::placement::budgeted_elements;
use crate::tensor::{Tensor, TensorData};
use crate::{image_processor, images_kwargs};

/// Kwargs of SigLIP2.
#[images_kwargs]
pub struct Siglip2Kwargs {
    /// The side of a patch, in pixels.
    pub patch_size: Option<u32>,
    /// The most patches an image may have; every image is padded to this many rows.
    pub max_num_patches: Option<u32>,
}

/// SigLIP2 NaFlex: resized (bilinear) to at most 256 patches of 16×16, mean and std 0.5.
#[image_processor(
    type_name = "Siglip2ImageProcessor",
    kwargs = Siglip2Kwargs,
    preprocess = preprocess,
    resample = Bilinear,
    image_mean = [0.5, 0.5, 0.5],
    image_std = [0.5, 0.5, 0.5],
    do_resize = true,
    do_rescale = true,
    do_normalize = true,
    patch_size = 16,
    max_num_patches = 256
)]
pub struct Siglip2ImageProcessor;

/// `get_image_size_for_max_num_patches`: the largest scale (a bisection in f64, as transformers
/// runs it) whose sides, each rounded up to whole patches (one at the least), make at most
/// `max_patches` patches.
///
/// ```
/// # use twinproc::{models::siglip2::size_for_max_patches, Size};
/// assert_eq!(size_for_max_patches(Size::new(300, 451), 16, 256), Size::new(208, 304));
/// ```
pub fn size_for_max_patches(input: Size, patch: usize, max_patches: usize) -> Size {
    let eps = 1e-5;
    let scaled = |scale: f64, side: usize| {
        let side = ((side as f64 * scale) / patch as f64).ceil() as usize * patch;
        side.max(patch)
    };
    let (mut low, mut high) = (eps / 10.0, 100.0);
    while high - low >= eps {
        let scale = (low + high) / 2.0;
        let (h, w) = (scaled(scale, input.height), scaled(scale, input.width));
        let patches = (h as f64 / patch as f64) * (w as f64 / patch as f64);
        if patches <= max_patches as f64 {
            low = scale;
        } else {
            high = scale;
        }
    }
    Size::new(scaled(low, input.height), scaled(low, input.width))
}

/// The preprocessing of SigLIP2, generic over the backend.
pub fn preprocess<B: Backend + ?Sized>(
    backend: &B,
    call: &Call,
    batch: Batch<'_>,
) -> Result<BatchFeature> {
    let kwargs = call.model::<Siglip2Kwargs>()?;
    let patch = positive("patch_size", kwargs.patch_size, 16)?;
    let max_patches = positive("max_num_patches", kwargs.max_num_patches, 256)?;
    let inputs = call.pixels(batch)?;
    let sizes: Vec<Option<Size>> = (inputs.iter())
        .map(|input| {
            (call.resolved.resize.is_some())
                .then(|| size_for_max_patches(input.size(), patch, max_patches))
        })
        .collect();
    let rows = PatchRows {
        patch,
        merge: 1,
        repeat: 1,
        channels_last: true,
    };
    let images = normalized_images(backend, call, inputs, &sizes)?;
    // Every image padded to `max_patches` rows: checked before the padding is made.
    let channels = images.first().map_or(0, |image| image.shape[0]);
    let row = rows.row_len(channels);
    budgeted_elements("pixel_values", &[images.len(), max_patches, row], 4)?;
    let mut padded = Vec::with_capacity(images.len());
    let (mut masks, mut shapes) = (Vec::new(), Vec::new());
    for (image, patches) in images.iter().zip(rows.of_images(&images)?) {
        let (height, width) = (image.shape[1] / patch, image.shape[2] / patch);
        shapes.extend([height as i64, width as i64]);
        let count = patches.shape[0];
        masks.extend((0..max_patches).map(|i| i32::from(i < count)));
        padded.push(pad_rows(patches, max_patches));
    }
    let pixels = Tensor::stack("pixel_values", &padded)?;
    Ok(BatchFeature::default()
        .with_tensor("pixel_values", pixels.shape, pixels.data)
        .with_tensor(
            "pixel_attention_mask",
            vec![padded.len(), max_patches],
            TensorData::I32(masks),
        )
        .with_tensor(
            "spatial_shapes",
            vec![padded.len(), 2],
            TensorData::I64(shapes),
        ))
}

/// `pad_along_first_dim`: zero rows after the patches, up to `rows` (none taken away).
fn pad_rows(mut patches: Tensor, rows: usize) -> Tensor {
    let [count, len] = patches.shape[..] else {
        return patches;
    };
    if count < rows {
        let extra = (rows - count) * len;
        match &mut patches.data {
            TensorData::F32(v) => v.resize(v.len() + extra, 0.0),
            TensorData::U8(v) => v.resize(v.len() + extra, 0),
            TensorData::I32(v) => v.resize(v.len() + extra, 0),
            TensorData::I64(v) => v.resize(v.len() + extra, 0),
        }
        patches.shape[0] = rows;
    }
    patches
}

#[cfg(test)]
mod tests {
    use super::*;

    /// transformers 5.23's `get_image_size_for_max_num_patches` on these arguments (the scale's
    /// upper bound of 100 included: a 1×1 image grows to 7×7 patches).
    #[test]
    fn size_for_max_patches_is_transformers() {
        let cases = [
            ((300, 451, 16, 256), (208, 304)),
            ((1, 1, 16, 256), (112, 112)),
            ((3, 1000, 16, 256), (16, 4096)),
            ((1000, 3, 16, 64), (1024, 16)),
            ((512, 512, 16, 256), (256, 256)),
            ((4000, 3000, 14, 1024), (504, 378)),
            ((17, 13, 16, 256), (288, 224)),
            ((100, 100, 32, 1), (32, 32)),
        ];
        for ((h, w, patch, max), (th, tw)) in cases {
            let got = size_for_max_patches(Size::new(h, w), patch, max);
            assert_eq!(got, Size::new(th, tw), "{h}x{w}, {patch}, {max}");
        }
    }
}
