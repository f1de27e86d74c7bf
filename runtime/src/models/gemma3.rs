//! Gemma 3 (`Gemma3ImageProcessor` / `…Pil`): each image resized to a fixed size; with pan and
//! scan, an image whose aspect ratio passes a threshold is also cut into crops along its longer
//! side, each crop resized alike and placed after its image, with `num_crops` per image.

use super::{IMAGENET_STANDARD_MEAN, IMAGENET_STANDARD_STD};
use crate::backend::Backend;
use crate::call::{Batch, Call};
use crate::error::{Error, Result};
use crate::feature::BatchFeature;
use crate::numeric::{Numerics, Pixels, Size};
use crate::pipeline::pixel_values;
use crate::placement::Assembly;
use crate::plan::Input;
use crate::tensor::TensorData;
use crate::{image_processor, images_kwargs};

/// Kwargs of Gemma 3.
#[images_kwargs]
pub struct Gemma3Kwargs {
    /// Whether an image is also cut into crops along its longer side (pan and scan).
    pub do_pan_and_scan: Option<bool>,
    /// The smallest side a crop may have, in pixels.
    pub pan_and_scan_min_crop_size: Option<u32>,
    /// The most crops an image is cut into.
    pub pan_and_scan_max_num_crops: Option<u32>,
    /// The aspect ratio (longer side over shorter) from which an image is cut.
    pub pan_and_scan_min_ratio_to_activate: Option<f64>,
}

/// Gemma 3: resize to 224×224 (bilinear; the checkpoints say 896), mean and std 0.5, pan and
/// scan off.
#[image_processor(
    type_name = "Gemma3ImageProcessor",
    kwargs = Gemma3Kwargs,
    preprocess = preprocess,
    resample = Bilinear,
    image_mean = IMAGENET_STANDARD_MEAN,
    image_std = IMAGENET_STANDARD_STD,
    size(height = 224, width = 224),
    default_to_square = true,
    do_convert_rgb = true,
    do_resize = true,
    do_rescale = true,
    do_normalize = true,
    do_pan_and_scan = None,
    pan_and_scan_min_crop_size = None,
    pan_and_scan_max_num_crops = None,
    pan_and_scan_min_ratio_to_activate = None
)]
pub struct Gemma3ImageProcessor;

/// Pan and scan's settings, all needed once it is on.
#[derive(Debug, Clone, Copy)]
pub struct PanAndScan {
    pub min_crop_size: u32,
    pub max_num_crops: u32,
    pub min_ratio_to_activate: f64,
}

impl PanAndScan {
    fn of(kwargs: &Gemma3Kwargs) -> Result<Option<PanAndScan>> {
        if !kwargs.do_pan_and_scan.unwrap_or(false) {
            return Ok(None);
        }
        let missing = |key: &str| Error::config(key, "must be set when do_pan_and_scan is");
        let settings = PanAndScan {
            min_crop_size: (kwargs.pan_and_scan_min_crop_size)
                .ok_or_else(|| missing("pan_and_scan_min_crop_size"))?,
            max_num_crops: (kwargs.pan_and_scan_max_num_crops)
                .ok_or_else(|| missing("pan_and_scan_max_num_crops"))?,
            min_ratio_to_activate: (kwargs.pan_and_scan_min_ratio_to_activate)
                .ok_or_else(|| missing("pan_and_scan_min_ratio_to_activate"))?,
        };
        if settings.max_num_crops == 0 || settings.min_crop_size == 0 {
            return Err(Error::config(
                "pan_and_scan_max_num_crops",
                "pan and scan needs at least one crop of at least one pixel",
            ));
        }
        Ok(Some(settings))
    }

    /// `pan_and_scan_batched`: the crops of an image of `size` as `(top, left, height, width)`,
    /// row-major; none when its aspect ratio is under the threshold or a crop would be smaller
    /// than allowed. A crop past the image's edge is cut there, as Python's slicing cuts it.
    pub fn crops(&self, size: Size) -> Vec<(usize, usize, usize, usize)> {
        let (h, w) = (size.height as f64, size.width as f64);
        let count = |long: f64, short: f64| {
            // Half-up rounding of the ratio, at most what the minimum crop allows.
            let n = ((long / short + 0.5).floor() as u64)
                .min((long / f64::from(self.min_crop_size)).floor() as u64);
            n.max(2).min(u64::from(self.max_num_crops)) as usize
        };
        let (rows, cols) = if w >= h {
            if w / h < self.min_ratio_to_activate {
                return Vec::new();
            }
            (1, count(w, h))
        } else {
            if h / w < self.min_ratio_to_activate {
                return Vec::new();
            }
            (count(h, w), 1)
        };
        let (crop_h, crop_w) = (
            (h / rows as f64).ceil() as usize,
            (w / cols as f64).ceil() as usize,
        );
        if crop_h.min(crop_w) < self.min_crop_size as usize {
            return Vec::new();
        }
        (0..rows)
            .flat_map(|i| (0..cols).map(move |j| (i * crop_h, j * crop_w)))
            .map(|(top, left)| {
                let height = crop_h.min(size.height.saturating_sub(top));
                let width = crop_w.min(size.width.saturating_sub(left));
                (top, left, height, width)
            })
            .collect()
    }
}

/// The `(top, left, height, width)` rectangle of `pixels`, copied.
fn crop(
    pixels: &Pixels,
    (top, left, height, width): (usize, usize, usize, usize),
) -> Pixels<'static> {
    let c = pixels.channels;
    let row = pixels.width * c;
    let data = (top..top + height)
        .flat_map(|y| &pixels.data[y * row + left * c..y * row + (left + width) * c])
        .copied()
        .collect::<Vec<u8>>();
    Pixels {
        width,
        height,
        channels: c,
        data: data.into(),
    }
}

/// The preprocessing of Gemma 3, generic over the backend.
pub fn preprocess<B: Backend + ?Sized>(
    backend: &B,
    call: &Call,
    batch: Batch<'_>,
) -> Result<BatchFeature> {
    let pan_and_scan = PanAndScan::of(call.model::<Gemma3Kwargs>()?)?;
    let size = match (call.resolved.resize, pan_and_scan, call.numerics) {
        (Some((size, _)), ..) => Some(size),
        // transformers' torchvision backend resizes the image and its crops whatever
        // `do_resize` says; its PIL backend does not.
        (None, Some(_), Numerics::Torchvision) => {
            Some(call.resolved.size.ok_or_else(|| {
                Error::config("size", "pan and scan resizes every crop to `size`")
            })?)
        }
        (None, ..) => None,
    };
    let inputs = call.pixels(batch)?;
    let (mut pixels, mut plans, mut num_crops) = (Vec::new(), Vec::new(), Vec::new());
    for input in inputs {
        let crops = pan_and_scan.map_or_else(Vec::new, |p| p.crops(input.size()));
        num_crops.push(crops.len() as i64);
        let whole = input.size();
        let cropped: Vec<Input<'_>> = (crops.iter())
            .map(|&rect| Input {
                pixels: crop(&input.pixels, rect),
                convert: input.convert,
            })
            .collect();
        // The image, then its crops, each resized alike.
        for part in std::iter::once(input).chain(cropped) {
            if part.size().is_empty() {
                return Err(Error::InvalidImage(format!(
                    "pan and scan cut an empty crop from a {whole} image"
                )));
            }
            let to = size.map(|s| s.output_size(part.size())).transpose()?;
            plans.push(call.plan_whole(&part, to, call.resolved.data_format)?);
            pixels.push(part.pixels);
        }
    }
    let assembly = Assembly {
        stacking: call.stacking,
        ..Assembly::default()
    };
    Ok(
        pixel_values(backend, call.numerics, &pixels, &plans, &assembly)?.with_tensor(
            "num_crops",
            vec![num_crops.len()],
            TensorData::I64(num_crops),
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// transformers 5.23's `pan_and_scan_batched` on images of these sizes: the sizes of the
    /// crops it cuts (the last one cut at the edge).
    /// Image height and width, minimum crop size and most crops; the crops' heights and widths.
    type Case = ((usize, usize, u32, u32), &'static [(usize, usize)]);

    #[test]
    fn crops_are_transformers() {
        let cases: [Case; 7] = [
            ((300, 451, 32, 4), &[(300, 226), (300, 225)]),
            ((300, 451, 256, 4), &[]),
            ((100, 1000, 32, 4), &[(100, 250); 4]),
            ((1000, 100, 32, 3), &[(334, 100), (334, 100), (332, 100)]),
            ((5, 13, 2, 4), &[(5, 5), (5, 5), (5, 3)]),
            ((300, 330, 32, 4), &[]),
            ((7, 30, 2, 9), &[(7, 8), (7, 8), (7, 8), (7, 6)]),
        ];
        for ((h, w, min_crop_size, max_num_crops), expected) in cases {
            let settings = PanAndScan {
                min_crop_size,
                max_num_crops,
                min_ratio_to_activate: 1.2,
            };
            let sizes: Vec<(usize, usize)> = (settings.crops(Size::new(h, w)).iter())
                .map(|&(_, _, ch, cw)| (ch, cw))
                .collect();
            assert_eq!(sizes, expected, "{h}x{w}");
        }
    }
}
