//! Qwen2-VL and Qwen2.5-VL (`Qwen2VLImageProcessor` / `…Pil`): each image resized by
//! `smart_resize` to multiples of `patch_size × merge_size` within a pixel budget, normalized, then
//! cut into patches flattened to rows of `C · temporal_patch_size · patch_size²` (the image
//! repeated over the temporal axis), merge blocks first; the rows of every image concatenated,
//! with `image_grid_thw` per image.

use super::patches::{PatchRows, normalized_images, positive};
use super::{OPENAI_CLIP_MEAN, OPENAI_CLIP_STD};
use crate::backend::Backend;
use crate::call::{Batch, Call};
use crate::error::{Error, Result};
use crate::feature::BatchFeature;
use crate::numeric::Size;
use crate::tensor::{Tensor, TensorData};
use crate::{image_processor, images_kwargs};
use serde_json::{Map, Value};

/// Kwargs of Qwen2-VL.
#[images_kwargs]
pub struct Qwen2VlKwargs {
    /// The side of a patch, in pixels.
    pub patch_size: Option<u32>,
    /// How many times each patch is repeated along the temporal axis (frames of a video patch).
    pub temporal_patch_size: Option<u32>,
    /// Patches merged along each side into one token: sides are multiples of `patch_size ×
    /// merge_size`, and patches are ordered merge block by merge block.
    pub merge_size: Option<u32>,
}

/// The class's pixel budget (`size`, as declared below; a test holds them equal): 56² to
/// 28² · 1,280 pixels.
const DEFAULT_MIN_PIXELS: u32 = 56 * 56;
const DEFAULT_MAX_PIXELS: u32 = 28 * 28 * 1280;

/// Qwen2-VL: `smart_resize` (bicubic) to between 3,136 and 1,003,520 pixels in multiples of 28,
/// OpenAI CLIP mean and std, 14×14 patches repeated twice over time, merged 2×2.
#[image_processor(
    type_name = "Qwen2VLImageProcessor",
    kwargs = Qwen2VlKwargs,
    preprocess = preprocess,
    legacy_keys = legacy_keys,
    resample = Bicubic,
    image_mean = OPENAI_CLIP_MEAN,
    image_std = OPENAI_CLIP_STD,
    size(shortest_edge = 3136, longest_edge = 1003520),
    default_to_square = false,
    do_resize = true,
    do_rescale = true,
    do_normalize = true,
    do_convert_rgb = true,
    patch_size = 14,
    temporal_patch_size = 2,
    merge_size = 2
)]
pub struct Qwen2VlImageProcessor;

/// `Qwen2VLImageProcessor.__init__`: top-level `min_pixels` and `max_pixels` (the form of the
/// Hub's Qwen2-VL and Qwen2.5-VL configurations) become `size`'s `shortest_edge` and
/// `longest_edge` (over the class's size where the configuration has none), and are not kept.
fn legacy_keys(config: &mut Map<String, Value>) -> Result<()> {
    let mut take = |key: &str| config.remove(key).filter(|v| !v.is_null());
    let (min, max) = (take("min_pixels"), take("max_pixels"));
    if min.is_none() && max.is_none() {
        return Ok(());
    }
    let mut size = match config.remove("size") {
        None | Some(Value::Null) => Map::from_iter([
            ("shortest_edge".into(), DEFAULT_MIN_PIXELS.into()),
            ("longest_edge".into(), DEFAULT_MAX_PIXELS.into()),
        ]),
        Some(Value::Object(size)) => size,
        Some(other) => {
            return Err(Error::config(
                "size",
                format!("a dict is needed with min_pixels or max_pixels, got {other}"),
            ));
        }
    };
    for (value, edge, legacy) in [
        (min, "shortest_edge", "min_pixels"),
        (max, "longest_edge", "max_pixels"),
    ] {
        if let Some(value) = value {
            size.insert(edge.into(), value);
            size.remove(legacy);
        }
    }
    config.insert("size".into(), Value::Object(size));
    Ok(())
}

/// `smart_resize`: sides that are multiples of `factor` (Python's round, ties to even), the
/// aspect ratio kept as closely as may be, the pixel count brought within
/// `min_pixels..=max_pixels` by one scale; an aspect ratio over 200 is refused.
///
/// ```
/// # use twinproc::{models::qwen2_vl::smart_resize, Size};
/// assert_eq!(smart_resize(Size::new(300, 451), 28, 3136, 1003520)?, Size::new(308, 448));
/// assert_eq!(smart_resize(Size::new(1, 1), 28, 3136, 1003520)?, Size::new(56, 56));
/// assert!(smart_resize(Size::new(3, 1000), 28, 3136, 1003520).is_err());
/// # Ok::<(), twinproc::Error>(())
/// ```
pub fn smart_resize(input: Size, factor: usize, min_pixels: u64, max_pixels: u64) -> Result<Size> {
    let (h, w) = (input.height as f64, input.width as f64);
    let ratio = h.max(w) / h.min(w);
    if ratio > 200.0 {
        return Err(Error::InvalidImage(format!(
            "absolute aspect ratio must be smaller than 200, got {ratio:?}"
        )));
    }
    let f = factor as f64;
    let multiple = |v: f64| (v as usize).saturating_mul(factor);
    let (mut h_bar, mut w_bar) = (
        multiple((h / f).round_ties_even()),
        multiple((w / f).round_ties_even()),
    );
    // Python divides the exact integers; below 2⁵³ their f64 quotient is the same.
    let pixels = (input.height as u64 * input.width as u64) as f64;
    let area = (h_bar as u64).saturating_mul(w_bar as u64);
    if area > max_pixels {
        let beta = (pixels / max_pixels as f64).sqrt();
        h_bar = factor.max(multiple((h / beta / f).floor()));
        w_bar = factor.max(multiple((w / beta / f).floor()));
    } else if area < min_pixels {
        let beta = (min_pixels as f64 / pixels).sqrt();
        h_bar = multiple((h * beta / f).ceil());
        w_bar = multiple((w * beta / f).ceil());
    }
    Ok(Size::new(h_bar, w_bar))
}

/// How the call's kwargs cut images into rows: `merge × merge` blocks of patches, each
/// channel's patch repeated `temporal_patch_size` times.
fn patch_rows(call: &Call) -> Result<PatchRows> {
    let kwargs = call.model::<Qwen2VlKwargs>()?;
    Ok(PatchRows {
        patch: positive("patch_size", kwargs.patch_size, 14)?,
        merge: positive("merge_size", kwargs.merge_size, 2)?,
        repeat: positive("temporal_patch_size", kwargs.temporal_patch_size, 2)?,
        channels_last: false,
    })
}

/// The preprocessing of Qwen2-VL, generic over the backend: resize, rescale and normalize there,
/// the patches gathered into rows here.
pub fn preprocess<B: Backend + ?Sized>(
    backend: &B,
    call: &Call,
    batch: Batch<'_>,
) -> Result<BatchFeature> {
    let rows = patch_rows(call)?;
    let inputs = call.pixels(batch)?;
    let mut sizes = Vec::with_capacity(inputs.len());
    for input in &inputs {
        sizes.push(match call.resolved.resize {
            Some((size, _)) => {
                let (Some(min), Some(max)) = (size.shortest_edge, size.longest_edge) else {
                    return Err(Error::config(
                        "size",
                        format!(
                            "`size` dict must contain 'shortest_edge' and 'longest_edge' keys but got {{{}}}",
                            size.keys().join(", ")
                        ),
                    ));
                };
                let factor = rows.patch.checked_mul(rows.merge).ok_or_else(|| {
                    Error::config("merge_size", "patch_size × merge_size is too large")
                })?;
                Some(smart_resize(input.size(), factor, min.into(), max.into())?)
            }
            None => None,
        });
    }
    let images = normalized_images(backend, call, inputs, &sizes)?;
    let patches = rows.of_images(&images)?;
    let thw: Vec<i64> = (images.iter())
        .flat_map(|image| {
            let grid = |side: usize| (side / rows.patch) as i64;
            [1, grid(image.shape[1]), grid(image.shape[2])]
        })
        .collect();
    let pixels = Tensor::cat("pixel_values", &patches)?;
    Ok(BatchFeature::default()
        .with_tensor("pixel_values", pixels.shape, pixels.data)
        .with_tensor(
            "image_grid_thw",
            vec![images.len(), 3],
            TensorData::I64(thw),
        ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// transformers 5.23's `smart_resize` on these arguments (ties of Python's round, both
    /// branches, the ratio limit, an extreme shape).
    #[test]
    fn the_legacy_defaults_are_the_declared_size() {
        let size = Qwen2VlImageProcessor::defaults().images.size;
        let edges = size.map(|s| (s.shortest_edge, s.longest_edge));
        assert_eq!(
            edges,
            Some((Some(DEFAULT_MIN_PIXELS), Some(DEFAULT_MAX_PIXELS)))
        );
    }

    #[test]
    fn smart_resize_is_transformers() {
        let cases = [
            ((70, 98, 28, 3136, 1003520), Some((56, 112))),
            ((42, 42, 28, 3136, 1003520), Some((56, 56))),
            ((1, 1, 28, 3136, 1003520), Some((56, 56))),
            ((300, 451, 28, 3136, 1003520), Some((308, 448))),
            ((3000, 4000, 28, 3136, 1003520), Some((840, 1148))),
            ((1000, 5, 28, 3136, 1003520), Some((812, 28))),
            ((14, 2800, 28, 3136, 1003520), Some((28, 812))),
            ((4321, 1234, 28, 3136, 200704), Some((812, 224))),
            ((99999, 1000, 28, 3136, 12845056), Some((35812, 336))),
            ((17, 13, 32, 1024, 1 << 20), Some((64, 32))),
            ((3, 1000, 28, 3136, 1003520), None),
        ];
        for ((h, w, factor, min, max), expected) in cases {
            let got = smart_resize(Size::new(h, w), factor, min, max).ok();
            assert_eq!(got, expected.map(|(h, w)| Size::new(h, w)), "{h}x{w}");
        }
    }
}
