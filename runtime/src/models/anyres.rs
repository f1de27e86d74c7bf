//! "Anyres" patching, shared by LLaVA-NeXT and LLaVA-OneVision: the grid resolution that suits
//! an image best, the image resized to fit it (aspect ratio kept) and centred in it, cut into
//! square patches, after the whole image squashed to one patch.

use crate::call::Call;
use crate::error::{Error, Result};
use crate::kwargs::Resample;
use crate::numeric::Size;
use crate::numeric::crop::{CropWindow, center_crop};
use crate::plan::{ImagePlan, Input, Resized};
use crate::resolve::{check_pixels, resize_plan};

/// `image_grid_pinpoints` (`[height, width]` pairs) as sizes: a non-empty list of positive ones.
pub fn pinpoint_sizes(pinpoints: Option<&[[u32; 2]]>) -> Result<Vec<Size>> {
    let pinpoints = pinpoints.unwrap_or_default();
    if pinpoints.is_empty() || pinpoints.iter().any(|[h, w]| *h == 0 || *w == 0) {
        return Err(Error::config(
            "image_grid_pinpoints",
            "expected a non-empty list of [height, width] pairs of positive integers",
        ));
    }
    Ok(pinpoints
        .iter()
        .map(|&[h, w]| Size::new(h as usize, w as usize))
        .collect())
}

/// `select_best_resolution`: the grid resolution that keeps the most of the image, then wastes the least.
pub fn select_best_resolution(original: Size, candidates: &[Size]) -> Size {
    let Size { height, width } = original;
    let mut best = candidates[0];
    let mut max_effective = 0usize;
    let mut min_wasted = usize::MAX;
    for &candidate in candidates {
        let (h, w) = (candidate.height, candidate.width);
        let scale = (w as f64 / width as f64).min(h as f64 / height as f64);
        let (down_w, down_h) = (
            (width as f64 * scale) as usize,
            (height as f64 * scale) as usize,
        );
        let effective = (down_w * down_h).min(width * height);
        let wasted = w * h - effective;
        if effective > max_effective || (effective == max_effective && wasted < min_wasted) {
            max_effective = effective;
            min_wasted = wasted;
            best = candidate;
        }
    }
    best
}

/// `get_patch_output_size`: the aspect-preserving size inside `target` (`ceil` on the scaled side).
pub fn patch_output_size(original: Size, target: Size) -> Size {
    let Size { height, width } = original;
    let (target_h, target_w) = (target.height, target.width);
    let scale_w = target_w as f64 / width as f64;
    let scale_h = target_h as f64 / height as f64;
    if scale_w < scale_h {
        Size::new(
            ((height as f64 * scale_w).ceil() as usize).min(target_h),
            target_w,
        )
    } else {
        Size::new(
            target_h,
            ((width as f64 * scale_h).ceil() as usize).min(target_w),
        )
    }
}

/// The plan of one image's patches: the whole image squashed to `squashed`, then the image fitted
/// into the best of `pinpoints` (zero levels around it, as transformers pads the 8-bit image), cut
/// into `patch`-sized cells row-major (smaller ones at the right and bottom of a grid that is not
/// whole patches). transformers then resizes each of them as the call's `size` says and
/// center-crops it if asked: where that leaves every patch as it is (the checkpoints' settings)
/// the patches are windows of the fitted image; otherwise each is a resize of its part of it.
pub fn anyres_plan(
    call: &Call,
    input: &Input,
    (squashed, patch): (Size, Size),
    pinpoints: &[Size],
    resample: Resample,
) -> Result<ImagePlan> {
    let original = input.size();
    let best = select_best_resolution(original, pinpoints);
    let fitted = patch_output_size(original, best);
    let pad_top = (best.height - fitted.height) / 2;
    let pad_left = (best.width - fitted.width) / 2;
    let cells: Vec<CropWindow> = (0..best.height.div_ceil(patch.height))
        .flat_map(|i| (0..best.width.div_ceil(patch.width)).map(move |j| (i, j)))
        .map(|(i, j)| {
            let (top, left) = (i * patch.height, j * patch.width);
            CropWindow {
                top: top as i64 - pad_top as i64,
                left: left as i64 - pad_left as i64,
                height: patch.height.min(best.height - top),
                width: patch.width.min(best.width - left),
            }
        })
        .collect();
    // What `do_resize` and `do_center_crop` make of an image (or patch) of `part`: the size it is
    // resized to, and the window read of that.
    let finish = |part: Size| -> Result<(Size, CropWindow)> {
        let to = match call.resolved.resize {
            Some((size, _)) => size.output_size(part)?,
            None => part,
        };
        check_pixels(to)?;
        let window = match call.resolved.center_crop {
            Some(crop) => center_crop(to, crop, call.numerics),
            None => CropWindow::full(to),
        };
        Ok((to, window))
    };
    let as_they_are = |part: Size| {
        finish(part).map(|(to, window)| to == part && window == CropWindow::full(part))
    };
    let windows_of_fitted = cells
        .iter()
        .all(|c| c.height == patch.height && c.width == patch.width)
        && as_they_are(patch)?;
    let mut resizes = vec![Resized {
        of: None,
        part: None,
        premultiplied: false,
        resize: resize_plan(call.numerics, original, squashed, resample)?,
        windows: Vec::new(),
    }];
    // The squashed image, resized and cropped in its turn.
    let (to, window) = finish(squashed)?;
    if to == squashed {
        resizes[0].windows.push(window);
    } else {
        resizes.push(Resized {
            of: Some(0),
            part: None,
            premultiplied: false,
            resize: resize_plan(call.numerics, squashed, to, resample)?,
            windows: vec![window],
        });
    }
    let fitted_at = resizes.len();
    resizes.push(Resized {
        of: None,
        part: None,
        premultiplied: false,
        resize: resize_plan(call.numerics, original, fitted, resample)?,
        windows: if windows_of_fitted {
            cells.clone()
        } else {
            Vec::new()
        },
    });
    if !windows_of_fitted {
        for cell in cells {
            let part = Size::new(cell.height, cell.width);
            let (to, window) = finish(part)?;
            resizes.push(Resized {
                of: Some(fitted_at),
                part: Some(cell),
                premultiplied: false,
                resize: resize_plan(call.numerics, part, to, resample)?,
                windows: vec![window],
            });
        }
    }
    Ok(ImagePlan {
        convert: input.convert,
        resizes,
        levels: call.level_map(input.channels())?,
        layout: call.resolved.data_format,
    })
}
