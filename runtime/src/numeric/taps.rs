//! Separable resampling tables: for each output position along one axis, the first input index, the
//! number of input samples it reads, and their weights.
//!
//! Pillow (`Resample.c`) and ATen (`UpSampleKernel.cpp`, antialiased path) build these tables with the
//! same recipe; they differ only in the filter expressions, the float type, and how the weights are
//! quantised. The recipe lives here once; `pil` and `torchvision` supply the differences.

/// Weights of one axis before quantisation.
#[derive(Debug, Clone, PartialEq)]
pub struct AxisTaps<W> {
    /// Number of input samples along the axis.
    pub in_size: usize,
    /// Weights reserved per output sample (`ksize`); only the first `lens[i]` of row `i` are used.
    pub ksize: usize,
    /// First input index read by each output sample.
    pub starts: Vec<u32>,
    /// Number of input samples read by each output sample.
    pub lens: Vec<u32>,
    /// `out_size * ksize` weights, row `i` at `i * ksize`.
    pub weights: Vec<W>,
}

impl<W: Copy> AxisTaps<W> {
    /// Number of output samples along the axis.
    pub fn out_size(&self) -> usize {
        self.starts.len()
    }

    /// The used weights of output sample `i`.
    pub fn row(&self, i: usize) -> &[W] {
        let at = i * self.ksize;
        &self.weights[at..at + self.lens[i] as usize]
    }
}

/// A resampling filter: its function and its support (half-width) at scale 1.
#[derive(Debug, Clone, Copy)]
pub struct Filter {
    pub function: fn(f64) -> f64,
    pub support: f64,
}

/// Builds the antialiased tables for resizing `in_size` samples to `out_size`.
///
/// Everything is computed in double, as both sources do for 8-bit images. For each output sample `i` (Pillow `precompute_coeffs`, ATen
/// `_compute_indices_min_size_weights_aa`):
/// `center = (i + 0.5) * scale`, support widened by `max(scale, 1)`,
/// taps `[(int)(center - support + 0.5), (int)(center + support + 0.5))` clipped to the input,
/// weight of tap `j` = `filter((j - center + 0.5) / max(scale, 1))`, normalised to sum 1.
/// `clamp_to_ksize` reproduces ATen's clamp of the tap count to `ksize`, which Pillow lacks.
pub fn antialias_taps(
    in_size: usize,
    out_size: usize,
    filter: Filter,
    clamp_to_ksize: bool,
) -> AxisTaps<f64> {
    let filter_support = filter.support;
    let scale = in_size as f64 / out_size as f64;
    let (support, inv_scale) = if scale >= 1.0 {
        (filter_support * scale, 1.0 / scale)
    } else {
        (filter_support, 1.0)
    };
    let ksize = support.ceil() as usize * 2 + 1;
    let mut starts = Vec::with_capacity(out_size);
    let mut lens = Vec::with_capacity(out_size);
    let mut weights = vec![0.0; out_size * ksize];
    let in_size_i64 = in_size as i64;
    for (i, row) in weights.chunks_exact_mut(ksize).enumerate() {
        let center = (i as f64 + 0.5) * scale;
        // C's (int) conversion: truncation toward zero.
        let xmin = ((center - support + 0.5) as i64).max(0);
        let xmax = ((center + support + 0.5) as i64).min(in_size_i64);
        let mut len = (xmax - xmin).max(0) as usize;
        if clamp_to_ksize {
            len = len.min(ksize);
        }
        let mut total = 0.0;
        for (j, w) in row.iter_mut().take(len).enumerate() {
            // `j + xmin` is an integer sum in both sources, then `- center + 0.5` in double.
            *w = (filter.function)(((j as i64 + xmin) as f64 - center + 0.5) * inv_scale);
            total += *w;
        }
        if total != 0.0 {
            for w in row.iter_mut().take(len) {
                *w /= total;
            }
        }
        starts.push(xmin as u32);
        lens.push(len as u32);
    }
    AxisTaps {
        in_size,
        ksize,
        starts,
        lens,
        weights,
    }
}

/// Rounds a weight to fixed point as both sources do: half away from zero, then truncation.
pub fn quantize(weight: f64, precision_bits: u32) -> i32 {
    let v = weight * f64::from(1u32 << precision_bits);
    if v < 0.0 {
        (-0.5 + v) as i32
    } else {
        (0.5 + v) as i32
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The triangle filter (bilinear's), for tests of tap layouts.
    pub(crate) fn triangle(x: f64) -> f64 {
        let x = x.abs();
        if x < 1.0 { 1.0 - x } else { 0.0 }
    }

    #[test]
    fn downscale_by_two_with_a_triangle() {
        // 4 -> 2: scale 2, support 2, ksize 5. Output 0: center 1.0, taps [(int)(-0.5), (int)3.5) = [0, 3),
        // arguments (x - 1 + 0.5) / 2 = -0.25, 0.25, 0.75 -> weights 0.75, 0.75, 0.25 -> 3/7, 3/7, 1/7.
        let filter = Filter {
            function: triangle,
            support: 1.0,
        };
        let taps = antialias_taps(4, 2, filter, false);
        assert_eq!(taps.ksize, 5);
        assert_eq!(taps.starts, [0, 1]);
        assert_eq!(taps.lens, [3, 3]);
        let expected = [3.0 / 7.0, 3.0 / 7.0, 1.0 / 7.0];
        for (w, e) in taps.row(0).iter().zip(expected) {
            assert!((w - e).abs() < 1e-15, "{w} vs {e}");
        }
        // Output 1: center 3.0, taps [1, 4): arguments -0.75, -0.25, 0.25 -> 1/7, 3/7, 3/7.
        let expected = [1.0 / 7.0, 3.0 / 7.0, 3.0 / 7.0];
        for (w, e) in taps.row(1).iter().zip(expected) {
            assert!((w - e).abs() < 1e-15, "{w} vs {e}");
        }
    }

    #[test]
    fn quantize_rounds_half_away_from_zero() {
        // 3/7 * 2^22 = 1797558.86 -> 1797559; 1/7 * 2^22 = 599186.29 -> 599186.
        assert_eq!(quantize(3.0 / 7.0, 22), 1_797_559);
        assert_eq!(quantize(1.0 / 7.0, 22), 599_186);
        assert_eq!(quantize(-1.0 / 7.0, 22), -599_186);
        assert_eq!(quantize(0.5 / 4.0, 3), 1); // 0.125 * 8 = 1.0
        assert_eq!(quantize(-0.5 / 8.0, 3), -1); // -0.5 rounds away from zero
    }
}
