//! torchvision's resize of a bool image (Pillow's mode `1` read without `do_convert_rgb`): cast to
//! float32, resized with antialias, cast back to bool (`resize_image`). With the triangle filter,
//! whose weights are never negative, an output is set exactly when one of its taps of non-zero
//! float32 weight reads a set input, so the resize is planned on the integer path with each such
//! tap weighted one: an output level is then the count of its set taps (at most 255), and the
//! level map takes every non-zero level as a set bit.

use super::fixed::FixedAxis;
use super::normalize::LevelMap;
use super::taps::AxisTaps;

/// ATen's antialiased triangle filter in float32 (`HelperInterpLinear::aa_filter`).
fn triangle(x: f32) -> f32 {
    let x = x.abs();
    if x < 1.0 { 1.0 - x } else { 0.0 }
}

/// The taps of non-zero weight of each output of an axis resized from `in_size` to `out_size`
/// samples, as ATen computes a float32 image's weights
/// (`_compute_indices_min_size_weights_aa` with `scalar_t = float`: C++ promotes each `+ 0.5` to
/// double), each weighted one (in fixed point of 1 bit).
pub fn bool_axis(in_size: usize, out_size: usize) -> FixedAxis {
    let scale = in_size as f32 / out_size as f32;
    let (support, inv_scale) = match scale >= 1.0 {
        true => (scale, 1.0 / scale),
        false => (1.0, 1.0),
    };
    let ksize = support.ceil() as usize * 2 + 1;
    let mut starts = Vec::with_capacity(out_size);
    let mut lens = Vec::with_capacity(out_size);
    let mut weights = vec![0.0; out_size * ksize];
    for (i, row) in weights.chunks_exact_mut(ksize).enumerate() {
        let center = (f64::from(scale) * (i as f64 + 0.5)) as f32;
        let xmin = ((f64::from(center - support) + 0.5) as i64).max(0);
        let xmax = ((f64::from(center + support) + 0.5) as i64).min(in_size as i64);
        let len = ((xmax - xmin).max(0) as usize).min(ksize);
        for (j, w) in row.iter_mut().take(len).enumerate() {
            let at = (j as i64 + xmin) as f32 - center;
            let weight = triangle(((f64::from(at) + 0.5) * f64::from(inv_scale)) as f32);
            *w = f64::from(u8::from(weight != 0.0));
        }
        starts.push(xmin as u32);
        lens.push(len as u32);
    }
    let taps = AxisTaps {
        in_size,
        ksize,
        starts,
        lens,
        weights,
    };
    FixedAxis::from_f64(&taps, 1)
}

/// `levels` with every non-zero level mapped as level 1 (a set bit); `None` when the map keeps
/// the levels (no rescale or normalize: transformers' output would be a bool tensor).
pub fn bit_levels(levels: &LevelMap) -> Option<LevelMap> {
    let table = levels.table.as_ref()?;
    let table = table
        .chunks_exact(256)
        .flat_map(|channel| (0..256).map(|level| channel[level.min(1)]))
        .collect();
    Some(LevelMap {
        channels: levels.channels,
        table: Some(table),
    })
}
