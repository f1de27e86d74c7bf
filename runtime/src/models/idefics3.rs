//! Idefics3 and SmolVLM (`Idefics3ImageProcessor`, `SmolVLMImageProcessor` / `…Pil`, the same
//! processor under two names): each image's longest edge resized to `size` (the other side even,
//! at most 4096), resized again to whole tiles of `max_image_size`, cut into those tiles and
//! followed by the whole image resized a third time to one tile (without splitting: resized to one
//! tile). The images of a call are one sample (nested lists: one sample each), each sample's
//! frames padded to the batch's largest count, with `pixel_attention_mask`, and `rows`/`cols`
//! (the tiles of each image) when asked.

use super::{IMAGENET_STANDARD_MEAN, IMAGENET_STANDARD_STD};
use crate::backend::Backend;
use crate::call::{Batch, Call};
use crate::error::{Error, Result};
use crate::feature::{BatchFeature, Feature};
use crate::numeric::Size;
use crate::numeric::crop::CropWindow;
use crate::pipeline::pixel_values;
use crate::placement::{Assembly, Canvas, budgeted_elements};
use crate::plan::{ImagePlan, Input, Resized};
use crate::resolve::{check_pixels, resize_plan};
use crate::size::SizeDict;
use crate::tensor::{Tensor, TensorData};
use crate::{image_processor, images_kwargs};
use serde::{Deserialize, Serialize};

/// `max_image_size`: `{"longest_edge": N}`, the side of the square tiles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MaxImageSize {
    pub longest_edge: u32,
}

/// Kwargs of Idefics3 and SmolVLM.
#[images_kwargs]
pub struct Idefics3Kwargs {
    /// Whether each image is cut into square tiles of `max_image_size`, followed by the whole
    /// image resized to one tile.
    pub do_image_splitting: Option<bool>,
    /// The side of a tile: `{"longest_edge": N}`.
    pub max_image_size: Option<MaxImageSize>,
    /// Whether `rows` and `cols` (each image's tiles down and across) are returned too.
    #[kwarg(not_saved)]
    pub return_row_col_info: Option<bool>,
}

/// The side of the class's tiles (the checkpoints of SmolVLM say 384 or 512).
pub const DEFAULT_MAX_IMAGE_SIZE: MaxImageSize = MaxImageSize { longest_edge: 364 };

/// The longest side a first resize may give (`MAX_IMAGE_SIZE`).
pub const MAX_IMAGE_SIZE: usize = 4096;

/// Declares the family's processors: one logic, one set of defaults, two names.
macro_rules! idefics3_family {
    ($($(#[$doc:meta])* $name:ident = $type_name:tt;)*) => {$(
        $(#[$doc])*
        #[image_processor(
            type_name = $type_name,
            kwargs = Idefics3Kwargs,
            preprocess = preprocess,
            resample = Lanczos,
            image_mean = IMAGENET_STANDARD_MEAN,
            image_std = IMAGENET_STANDARD_STD,
            size(longest_edge = 1456),
            do_resize = true,
            do_rescale = true,
            do_normalize = true,
            do_convert_rgb = true,
            do_pad = true,
            do_image_splitting = true,
            max_image_size = DEFAULT_MAX_IMAGE_SIZE,
            return_row_col_info = false
        )]
        pub struct $name;
    )*};
}

idefics3_family! {
    /// Idefics3: longest edge to 1456 (Lanczos), tiles of 364, mean and std 0.5.
    Idefics3ImageProcessor = "Idefics3ImageProcessor";
    /// SmolVLM: Idefics3's processor under its own name (the checkpoints set larger tiles).
    SmolVlmImageProcessor = "SmolVLMImageProcessor";
}

/// `get_resize_output_image_size`: the longest edge to `longest` (the other side by the aspect
/// ratio, truncated, then made even), then both scaled down until the longest is at most 4096
/// (truncated again); at least one pixel each. In f64, as transformers computes it.
///
/// ```
/// # use twinproc::{models::idefics3::longest_edge_size, Size};
/// assert_eq!(longest_edge_size(Size::new(300, 451), 1456), Size::new(968, 1456));
/// ```
pub fn longest_edge_size(input: Size, longest: u32) -> Size {
    let (h, w) = (input.height as f64, input.width as f64);
    let even = |side: u64| side + side % 2;
    let longest = u64::from(longest);
    let (h, w) = if w >= h {
        (even((longest as f64 / (w / h)) as u64), longest)
    } else {
        (longest, even((longest as f64 * (w / h)) as u64))
    };
    let (h, w) = (h.max(1), w.max(1));
    let max = MAX_IMAGE_SIZE as u64;
    let aspect = w as f64 / h as f64;
    let (h, w) = if w >= h && w > max {
        ((max as f64 / aspect) as u64, max)
    } else if h > w && h > max {
        (max, (max as f64 * aspect) as u64)
    } else {
        (h, w)
    };
    Size::new(h.max(1) as usize, w.max(1) as usize)
}

/// `resize_for_vision_encoder`: the longer side rounded up to whole tiles, the other side by the
/// aspect ratio (truncated) rounded up to whole tiles.
///
/// ```
/// # use twinproc::{models::idefics3::whole_tiles_size, Size};
/// assert_eq!(whole_tiles_size(Size::new(968, 1456), 364), Size::new(1092, 1456));
/// ```
pub fn whole_tiles_size(size: Size, tile: usize) -> Size {
    let (h, w, t) = (size.height as f64, size.width as f64, tile as f64);
    let aspect = w / h;
    let up = |side: f64| (side / t).ceil() * t;
    let (h, w) = if w >= h {
        let w = up(w);
        (up((w / aspect).trunc()), w)
    } else {
        let h = up(h);
        (h, up((h * aspect).trunc()))
    };
    Size::new(h as usize, w as usize)
}

/// The plan of one image, and its tiles down and across (0, 0 when it is not cut).
fn image_plan(
    call: &Call,
    input: &Input,
    tile: usize,
    splitting: bool,
) -> Result<(ImagePlan, [i64; 2])> {
    let resample = call.resolved.resample;
    let mut plan = ImagePlan {
        convert: input.convert,
        resizes: Vec::new(),
        levels: call.level_map(input.channels())?,
        layout: call.resolved.data_format,
    };
    // Resizes `of` (the input when `None`), of `from` pixels, to `to`, read through `windows`.
    let mut resize = |of: Option<usize>, from: Size, to: Size, windows: Vec<CropWindow>| {
        if to.is_empty() {
            return Err(Error::InvalidImage(format!(
                "Idefics3 resizes a {} image to an empty {to} one",
                input.size()
            )));
        }
        check_pixels(to)?;
        let resize = resize_plan(call.numerics, from, to, resample)?;
        plan.resizes.push(Resized {
            of,
            part: None,
            premultiplied: false,
            resize,
            windows,
        });
        Ok::<_, Error>(Some(plan.resizes.len() - 1))
    };
    let (first, size) = match call.resolved.resize {
        None => (None, input.size()),
        Some((size, _)) => {
            let to = match size {
                SizeDict {
                    longest_edge: Some(edge),
                    ..
                } if edge > 0 => longest_edge_size(input.size(), edge),
                SizeDict {
                    height: Some(h),
                    width: Some(w),
                    ..
                } if h > 0 && w > 0 => Size::new(h as usize, w as usize),
                _ => {
                    return Err(Error::config(
                        "size",
                        "size must be a dictionary with key 'longest_edge' or 'height' and 'width'.",
                    ));
                }
            };
            (resize(None, input.size(), to, Vec::new())?, to)
        }
    };
    let square = Size::new(tile, tile);
    if !splitting {
        resize(first, size, square, vec![CropWindow::full(square)])?;
        return Ok((plan, [0, 0]));
    }
    let tiled = whole_tiles_size(size, tile);
    if tiled.height <= tile && tiled.width <= tile {
        resize(first, size, tiled, vec![CropWindow::full(tiled)])?;
        return Ok((plan, [0, 0]));
    }
    let (rows, cols) = (tiled.height.div_ceil(tile), tiled.width.div_ceil(tile));
    budgeted_elements("pixel_values", &[rows * cols + 1, 3, tile, tile], 4)?;
    let tiles = (0..rows)
        .flat_map(|r| (0..cols).map(move |c| (r, c)))
        .map(|(r, c)| CropWindow {
            top: (r * tile) as i64,
            left: (c * tile) as i64,
            height: tile,
            width: tile,
        })
        .collect();
    let whole = resize(first, size, tiled, tiles)?;
    resize(whole, tiled, square, vec![CropWindow::full(square)])?;
    Ok((plan, [rows as i64, cols as i64]))
}

/// The preprocessing of Idefics3 and SmolVLM, generic over the backend.
pub fn preprocess<B: Backend + ?Sized>(
    backend: &B,
    call: &Call,
    batch: Batch<'_>,
) -> Result<BatchFeature> {
    let kwargs = call.model::<Idefics3Kwargs>()?;
    let tile = match kwargs.max_image_size {
        Some(MaxImageSize { longest_edge }) if longest_edge > 0 => longest_edge as usize,
        _ => {
            return Err(Error::config(
                "max_image_size",
                "must be {\"longest_edge\": N} with N > 0",
            ));
        }
    };
    let splitting = kwargs.do_image_splitting.unwrap_or(false);
    let inputs = call.pixels(batch)?;
    let mut plans = Vec::with_capacity(inputs.len());
    let mut tiles = Vec::with_capacity(inputs.len());
    for input in &inputs {
        let (plan, rows_cols) = image_plan(call, input, tile, splitting)?;
        plans.push(plan);
        tiles.push(rows_cols);
    }
    // A flat list of images is one sample (`make_nested_list_of_images`).
    let images_per_sample: Vec<usize> = match batch {
        Batch::Flat(images) => vec![images.len()],
        Batch::Nested(samples) => samples.iter().map(Vec::len).collect(),
    };
    let mut frames_per_sample = Vec::with_capacity(images_per_sample.len());
    let mut plans_left = plans.as_slice();
    for &n in &images_per_sample {
        let (sample, rest) = plans_left.split_at(n);
        frames_per_sample.push(sample.iter().map(|p| p.windows().count()).sum());
        plans_left = rest;
    }
    let padded = call.resolved.pad.is_some();
    let assembly = Assembly {
        groups: Some(frames_per_sample.clone()),
        pad_groups: padded,
        canvas: if padded { Canvas::Largest } else { Canvas::Own },
        stacking: call.stacking,
    };
    let pixels: Vec<_> = inputs.into_iter().map(|input| input.pixels).collect();
    let mut features = pixel_values(backend, call.numerics, &pixels, &plans, &assembly)?;
    if padded {
        let (key, mask) = (
            "pixel_attention_mask",
            attention_mask(&plans, &frames_per_sample)?,
        );
        features.data.insert(key.into(), Feature::Tensor(mask));
    }
    if kwargs.return_row_col_info.unwrap_or(false) {
        // transformers' nested lists: `[samples, images]`, or one list per sample when the
        // samples have different counts of images.
        let same = images_per_sample.windows(2).all(|w| w[0] == w[1]);
        for (key, axis) in [("rows", 0), ("cols", 1)] {
            let mut per_image = tiles.iter().map(|t| t[axis]);
            let lists: Vec<Tensor> = (images_per_sample.iter())
                .map(|&n| {
                    let values: Vec<i64> = per_image.by_ref().take(n).collect();
                    Tensor {
                        shape: vec![values.len()],
                        data: TensorData::I64(values),
                    }
                })
                .collect();
            let feature = match same {
                true => Feature::Tensor(Tensor::stack(key, &lists)?),
                false => Feature::List(lists),
            };
            features.data.insert(key.into(), feature);
        }
    }
    Ok(features)
}

/// `pixel_attention_mask`: `[samples, frames, H, W]` (the batch's most frames and largest frame),
/// 1 over each frame's pixels, 0 in the padding and the padded frames.
fn attention_mask(plans: &[ImagePlan], frames_per_sample: &[usize]) -> Result<Tensor> {
    let windows: Vec<&CropWindow> = plans.iter().flat_map(ImagePlan::windows).collect();
    let most = frames_per_sample.iter().copied().max().unwrap_or(0);
    let height = windows.iter().map(|w| w.height).max().unwrap_or(0);
    let width = windows.iter().map(|w| w.width).max().unwrap_or(0);
    let shape = vec![frames_per_sample.len(), most, height, width];
    let mut mask = vec![0i64; budgeted_elements("pixel_attention_mask", &shape, 8)?];
    let mut windows = windows.into_iter();
    for (sample, &frames) in frames_per_sample.iter().enumerate() {
        for (frame, window) in windows.by_ref().take(frames).enumerate() {
            let at = (sample * most + frame) * height * width;
            for row in mask[at..].chunks_mut(width).take(window.height) {
                row[..window.width].fill(1);
            }
        }
    }
    Ok(Tensor {
        shape,
        data: TensorData::I64(mask),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// transformers 5.23's `get_resize_output_image_size` and `resize_for_vision_encoder`
    /// (Idefics3's) on images of these sizes: longest edge 1456, tiles of 364.
    #[test]
    fn sizes_are_transformers() {
        let cases = [
            ((300, 451), (968, 1456), (1092, 1456)),
            ((1, 1), (1456, 1456), (1456, 1456)),
            ((1000, 3), (1456, 4), (1456, 364)),
            ((3, 1000), (4, 1456), (364, 1456)),
            ((13, 17), (1114, 1456), (1456, 1456)),
            ((512, 512), (1456, 1456), (1456, 1456)),
        ];
        for ((h, w), first, tiled) in cases {
            let got = longest_edge_size(Size::new(h, w), 1456);
            assert_eq!(got, Size::new(first.0, first.1), "{h}x{w}");
            assert_eq!(
                whole_tiles_size(got, 364),
                Size::new(tiled.0, tiled.1),
                "{h}x{w}"
            );
        }
        // Scaled below 4096 after the longest edge: 5000 wide.
        assert_eq!(
            longest_edge_size(Size::new(300, 451), 5000),
            Size::new(2724, 4096)
        );
    }
}
