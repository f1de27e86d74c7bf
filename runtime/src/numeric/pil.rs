//! Pillow's 8-bit resampler (`src/libImaging/Resample.c`) and nearest-neighbour scaling
//! (`Image.resize` with `NEAREST`, an affine transform in `src/libImaging/Geometry.c`).

use super::fixed::FixedAxis;
use super::resample::{OUTSIDE, ResizePlan};
use super::shape::Size;
use super::taps::{Filter, antialias_taps};
use crate::kwargs::Resample;
use std::f64::consts::PI;

/// Fractional bits of Pillow's 8-bit coefficients: `32 - 8 - 2`.
pub const PRECISION_BITS: u32 = 22;

fn box_filter(x: f64) -> f64 {
    if x > -0.5 && x <= 0.5 { 1.0 } else { 0.0 }
}

fn bilinear_filter(x: f64) -> f64 {
    let x = x.abs();
    if x < 1.0 { 1.0 - x } else { 0.0 }
}

fn hamming_filter(x: f64) -> f64 {
    let x = x.abs();
    if x == 0.0 {
        1.0
    } else if x >= 1.0 {
        0.0
    } else {
        let x = x * PI;
        // Pillow writes the constants as float literals: 0.54f, 0.46f.
        x.sin() / x * (f64::from(0.54f32) + f64::from(0.46f32) * x.cos())
    }
}

fn bicubic_filter(x: f64) -> f64 {
    const A: f64 = -0.5;
    let x = x.abs();
    if x < 1.0 {
        ((A + 2.0) * x - (A + 3.0)) * x * x + 1.0
    } else if x < 2.0 {
        (((x - 5.0) * x + 8.0) * x - 4.0) * A
    } else {
        0.0
    }
}

fn sinc_filter(x: f64) -> f64 {
    if x == 0.0 {
        1.0
    } else {
        let x = x * PI;
        x.sin() / x
    }
}

fn lanczos_filter(x: f64) -> f64 {
    // Truncated sinc: -3 <= x < 3.
    if (-3.0..3.0).contains(&x) {
        sinc_filter(x) * sinc_filter(x / 3.0)
    } else {
        0.0
    }
}

/// The filter of a resampling mode (Pillow's `struct filter` table); NEAREST has none.
pub fn filter(resample: Resample) -> Option<Filter> {
    let (function, support): (fn(f64) -> f64, f64) = match resample {
        Resample::Nearest => return None,
        Resample::Box => (box_filter, 0.5),
        Resample::Bilinear => (bilinear_filter, 1.0),
        Resample::Hamming => (hamming_filter, 1.0),
        Resample::Bicubic => (bicubic_filter, 2.0),
        Resample::Lanczos => (lanczos_filter, 3.0),
    };
    Some(Filter { function, support })
}

/// Pillow's coefficients for one axis (`precompute_coeffs` + `normalize_coeffs_8bpc`).
pub fn fixed_axis(in_size: usize, out_size: usize, resample: Resample) -> Option<FixedAxis> {
    let taps = antialias_taps(in_size, out_size, filter(resample)?, false);
    Some(FixedAxis::from_f64(&taps, PRECISION_BITS))
}

/// Source index of each output sample for a NEAREST resize (`ImagingScaleAffine`): the position starts
/// at `0.5 * scale` and *accumulates* `+= scale` per output sample in double, then truncates; the
/// accumulation sometimes lands just below an integer that `(x + 0.5) * scale` would hit exactly.
/// Positions past the input are [`OUTSIDE`] (Pillow leaves them black).
pub fn nearest_sources(in_size: usize, out_size: usize) -> Vec<u32> {
    let scale = in_size as f64 / out_size as f64;
    let mut position = scale * 0.5;
    let mut sources = Vec::with_capacity(out_size);
    for _ in 0..out_size {
        let index = position as usize; // position >= 0: truncation is Pillow's COORD
        sources.push(if index < in_size {
            index as u32
        } else {
            OUTSIDE
        });
        position += scale;
    }
    sources
}

/// Pillow 13's pass order (`ImagingResampleInner`): the vertical pass runs first when the height
/// shrinks by more than twice as many pixels as the width does.
pub fn vertical_pass_first(input: Size, output: Size) -> bool {
    let height_loss = input.height as i64 - output.height as i64;
    let width_loss = input.width as i64 - output.width as i64;
    height_loss > 0 && height_loss > width_loss * 2
}

/// The plan of `PIL.Image.resize((width, height), resample)` on an 8-bit image of `input`.
pub fn resize_plan(input: Size, output: Size, resample: Resample) -> ResizePlan {
    let (in_w, in_h) = (input.width, input.height);
    let (out_w, out_h) = (output.width, output.height);
    if input == output {
        return ResizePlan::Copy;
    }
    if resample == Resample::Nearest {
        return ResizePlan::Nearest {
            x_src: nearest_sources(in_w, out_w),
            y_src: nearest_sources(in_h, out_h),
        };
    }
    let axis = |i, o| {
        if i == o {
            None
        } else {
            fixed_axis(i, o, resample)
        }
    };
    ResizePlan::Fixed {
        horizontal: axis(in_w, out_w),
        vertical: axis(in_h, out_h),
        vertical_first: vertical_pass_first(input, output),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bilinear_table_matches_hand_derivation() {
        // See taps::tests: weights 3/7, 3/7, 1/7 in 22-bit fixed point.
        let axis = fixed_axis(4, 2, Resample::Bilinear).unwrap();
        assert_eq!(axis.precision_bits, 22);
        assert_eq!(axis.taps.row(0), [1_797_559, 1_797_559, 599_186]);
        assert_eq!(axis.taps.row(1), [599_186, 1_797_559, 1_797_559]);
    }

    #[test]
    fn filters_match_their_formulas() {
        assert_eq!(box_filter(0.5), 1.0);
        assert_eq!(box_filter(-0.5), 0.0);
        assert_eq!(bicubic_filter(0.0), 1.0);
        assert_eq!(bicubic_filter(1.0), 0.0);
        // Outer lobe at 1.5: (((1.5 - 5) * 1.5 + 8) * 1.5 - 4) * -0.5 = 0.125 * -0.5 = -0.0625
        assert_eq!(bicubic_filter(1.5), -0.0625);
        assert_eq!(lanczos_filter(3.0), 0.0);
        assert_eq!(lanczos_filter(-3.0), sinc_filter(-3.0) * sinc_filter(-1.0));
        assert_eq!(hamming_filter(0.0), 1.0);
        assert_eq!(hamming_filter(1.0), 0.0);
    }

    #[test]
    fn nearest_accumulates_like_scale_affine() {
        // in 2, out 7: scale 2/7; x = 3 lands on (3 + 0.5) * 2/7 = 1 exactly, but the accumulated
        // position is just below 1, so Pillow reads pixel 0.
        let sources = nearest_sources(2, 7);
        assert_eq!(sources[3], 0);
        assert_eq!(nearest_sources(4, 2), [1, 3]);
        assert_eq!(nearest_sources(1, 3), [0, 0, 0]);
    }

    #[test]
    fn pass_order_follows_pillow_13() {
        // 3x1000 -> 384x384: height loses 616, width gains: vertical first.
        assert!(vertical_pass_first(Size::new(1000, 3), Size::new(384, 384)));
        // 3x1000 -> 224x74666: both grow.
        assert!(!vertical_pass_first(
            Size::new(1000, 3),
            Size::new(74666, 224)
        ));
        // 451x300 -> 336x224: height loses 76, width 115.
        assert!(!vertical_pass_first(
            Size::new(300, 451),
            Size::new(224, 336)
        ));
        // 100x400 -> 90x370: height loses 30, width 10: 30 > 20.
        assert!(vertical_pass_first(Size::new(400, 100), Size::new(370, 90)));
        assert!(!vertical_pass_first(
            Size::new(400, 100),
            Size::new(380, 90)
        ));
    }
}
