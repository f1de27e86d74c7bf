//! torchvision's resize of a uint8 image on CPU (`tvF.resize(..., antialias=True)`), as ATen computes it
//! (`aten/src/ATen/native/cpu/UpSampleKernel.cpp`, `UpSampleKernelAVXAntialias.h`): double weights
//! quantised to int16 with a per-axis precision, horizontal pass first, uint8 between passes.
//!
//! torchvision 0.29 keeps uint8 images native for bilinear, bicubic and lanczos on x86 CPUs with AVX2
//! or AVX512 (older releases sent AVX512 machines through float32). Box and hamming exist only for PIL
//! images: transformers raises for them.

use super::fixed::FixedAxis;
use super::pil;
use super::resample::ResizePlan;
use super::shape::Size;
use super::taps::{Filter, antialias_taps};
use crate::error::Error;
use crate::kwargs::Resample;

/// ATen's antialias cubic filter (`HelperInterpCubic::aa_filter`, Keys' `a = -0.5`), written with
/// ATen's `cubic_convolution1/2` expressions (the outer lobe rounds differently from Pillow's).
fn cubic_filter(x: f64) -> f64 {
    const A: f64 = -0.5;
    let x = x.abs();
    if x < 1.0 {
        ((A + 2.0) * x - (A + 3.0)) * x * x + 1.0
    } else if x < 2.0 {
        ((A * x - 5.0 * A) * x + 8.0 * A) * x - 4.0 * A
    } else {
        0.0
    }
}

/// Picks the largest precision (at most 22 bits) at which the largest weight still fits in int16
/// (`_compute_index_ranges_int16_weights`).
pub fn int16_precision(max_weight: f64) -> u32 {
    let mut precision = 0;
    while precision < 22 {
        let next = (0.5 + max_weight * f64::from(1u32 << (precision + 1))) as i32;
        if next >= 1 << 15 {
            break;
        }
        precision += 1;
    }
    precision
}

fn filter(resample: Resample) -> Result<Filter, Error> {
    let filter = |function, support| Ok(Filter { function, support });
    match resample {
        Resample::Bicubic => filter(cubic_filter, 2.0),
        // ATen's triangle (`HelperInterpLinear::aa_filter`) is Pillow's expression; its Lanczos-3
        // (torch >= 2.12) follows Pillow-SIMD, whose filter is Pillow's.
        Resample::Bilinear | Resample::Lanczos => {
            pil::filter(resample).ok_or_else(|| unsupported(resample))
        }
        other => Err(unsupported(other)),
    }
}

/// The int16 table of one axis for the uint8 antialiased path.
pub fn int16_axis(in_size: usize, out_size: usize, resample: Resample) -> Result<FixedAxis, Error> {
    let taps = antialias_taps(in_size, out_size, filter(resample)?, true);
    let max_weight = taps.weights.iter().copied().fold(0.0, f64::max);
    Ok(FixedAxis::from_f64(&taps, int16_precision(max_weight)))
}

/// Source index of each output sample for `nearest-exact` along one axis, with a float32
/// `scale = in / out`. ATen has two kernels whose roundings differ: the channels-last one (which it
/// picks for small outputs, `out_h + out_w <= 128`) computes `floorf(f32((i + 0.5) * scale))`, the
/// generic one `floorf(max(scale * (i + 0.5f) - 0.5f, 0) + 0.5)` in float32.
pub fn nearest_exact_sources(in_size: usize, out_size: usize, small_output: bool) -> Vec<u32> {
    let scale = in_size as f32 / out_size as f32;
    (0..out_size)
        .map(|i| {
            let index = if small_output {
                (((i as f64 + 0.5) * f64::from(scale)) as f32).floor()
            } else {
                let real = (scale * (i as f32 + 0.5) - 0.5).max(0.0);
                (real + 0.5).floor()
            };
            (index as usize).min(in_size - 1) as u32
        })
        .collect()
}

fn unsupported(resample: Resample) -> Error {
    Error::Unsupported(format!(
        "resample {} ({}) is not supported by the torchvision backend on tensors \
         (only NEAREST, BILINEAR, BICUBIC and LANCZOS are); use the pil numerics",
        resample.pil_name(),
        resample as u8
    ))
}

/// The plan of `tvF.resize(uint8 image, [out_h, out_w], interpolation, antialias=True)` on CPU.
/// transformers maps PIL's NEAREST to torchvision's NEAREST_EXACT. An image already of the size
/// passes through unchanged, whatever the filter: BOX and HAMMING, which torchvision's tensors do
/// not have, fail only when a resize runs (as transformers raises).
pub fn resize_plan(input: Size, output: Size, resample: Resample) -> Result<ResizePlan, Error> {
    if input == output {
        return Ok(ResizePlan::Copy);
    }
    let (in_w, in_h) = (input.width, input.height);
    let (out_w, out_h) = (output.width, output.height);
    if resample == Resample::Nearest {
        let small_output = out_h + out_w <= 128;
        return Ok(ResizePlan::Nearest {
            x_src: nearest_exact_sources(in_w, out_w, small_output),
            y_src: nearest_exact_sources(in_h, out_h, small_output),
        });
    }
    let axis = |i, o| (i != o).then(|| int16_axis(i, o, resample)).transpose();
    let horizontal = axis(in_w, out_w)?;
    let vertical = axis(in_h, out_h)?;
    Ok(ResizePlan::Fixed {
        horizontal,
        vertical,
        vertical_first: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int16_precision_fits_the_largest_weight() {
        // 3/7: 3/7 * 2^17 = 56173 >= 2^15, 3/7 * 2^16 = 28086 < 2^15 -> 16 bits.
        assert_eq!(int16_precision(3.0 / 7.0), 16);
        // Weight 1: 2^15 overflows at 15 bits -> 14.
        assert_eq!(int16_precision(1.0), 14);
    }

    #[test]
    fn bilinear_int16_table_matches_hand_derivation() {
        // 3/7 * 2^16 = 28086.86 -> 28087; 1/7 * 2^16 = 9362.29 -> 9362.
        let axis = int16_axis(4, 2, Resample::Bilinear).unwrap();
        assert_eq!(axis.precision_bits, 16);
        assert_eq!(axis.taps.row(0), [28_087, 28_087, 9_362]);
    }

    #[test]
    fn cubic_outer_lobe_uses_aten_expression() {
        assert_eq!(cubic_filter(1.5), -0.0625);
        assert_eq!(cubic_filter(2.0), 0.0);
    }

    #[test]
    fn box_and_hamming_raise_like_transformers() {
        for resample in [Resample::Box, Resample::Hamming] {
            assert!(matches!(
                resize_plan(Size::new(10, 10), Size::new(5, 5), resample),
                Err(Error::Unsupported(_))
            ));
        }
    }

    #[test]
    fn nearest_exact_picks_pixel_centres() {
        // 4 -> 2: floor((i + 0.5) * 2) = 1, 3.
        assert_eq!(nearest_exact_sources(4, 2, true), [1, 3]);
        assert_eq!(nearest_exact_sources(4, 2, false), [1, 3]);
        assert_eq!(nearest_exact_sources(2, 4, false), [0, 0, 1, 1]);
    }
}
