//! Executing a resize on 8-bit pixels: the separable fixed-point convolution shared by Pillow and
//! ATen's uint8 path, and nearest-neighbour gathers.
//!
//! These are the CPU reference bodies of the operations a [`ResizePlan`] describes. The plan holds every
//! number that decides a result; these loops only execute it, in the order the references do:
//! one pass per axis, 8-bit samples between the passes.

use super::Pixels;
use super::taps::FixedAxis;

/// A nearest-neighbour source index that lies outside the input: the output pixel is black.
pub const OUTSIDE: u32 = u32::MAX;

/// How to resize one image: built on the host from the sizes, the filter and the numerics mode.
#[derive(Debug, Clone, PartialEq)]
pub enum ResizePlan {
    /// The output size equals the input size: both references return the pixels unchanged.
    Copy,
    /// Fixed-point separable convolution with an 8-bit intermediate (Pillow; ATen uint8 antialias).
    /// An axis whose size does not change has no pass. The horizontal pass runs first unless
    /// `vertical_first` (Pillow 13 does that when the height shrinks much more than the width).
    Fixed {
        horizontal: Option<FixedAxis>,
        vertical: Option<FixedAxis>,
        vertical_first: bool,
    },
    /// Each output pixel copies one input pixel: `x_src[x]`, `y_src[y]` ([`OUTSIDE`]: black).
    Nearest { x_src: Vec<u32>, y_src: Vec<u32> },
}

/// Rounds a fixed-point accumulator back to 8 bits: `clamp(acc >> precision, 0, 255)`.
#[inline(always)]
fn clip8(acc: i32, precision_bits: u32) -> u8 {
    (acc >> precision_bits).clamp(0, 255) as u8
}

/// One row of the horizontal pass for `C` interleaved channels: each output sample is
/// `(2^(p-1) + Σ sample·weight) >> p`, clamped.
#[inline(always)]
fn horizontal_row<const C: usize>(src_row: &[u8], dst_row: &mut [u8], axis: &FixedAxis) {
    let half = 1i32 << (axis.precision_bits - 1);
    for (x, dst_px) in dst_row.chunks_exact_mut(C).enumerate() {
        let weights = axis.taps.row(x);
        let start = axis.taps.starts[x] as usize * C;
        let pixels = &src_row[start..start + weights.len() * C];
        let mut acc = [half; C];
        for (px, &w) in pixels.chunks_exact(C).zip(weights) {
            for ch in 0..C {
                acc[ch] += i32::from(px[ch]) * w;
            }
        }
        for ch in 0..C {
            dst_px[ch] = clip8(acc[ch], axis.precision_bits);
        }
    }
}

/// Horizontal fixed-point pass over every row.
pub fn fixed_horizontal(src: &Pixels, axis: &FixedAxis) -> Pixels {
    let c = src.channels;
    let out_w = axis.taps.out_size();
    let mut out = Pixels::zeroed(out_w, src.height, c);
    let rows = src
        .data
        .chunks_exact(src.width * c)
        .zip(out.data.chunks_exact_mut(out_w * c));
    for (src_row, dst_row) in rows {
        match c {
            1 => horizontal_row::<1>(src_row, dst_row, axis),
            2 => horizontal_row::<2>(src_row, dst_row, axis),
            3 => horizontal_row::<3>(src_row, dst_row, axis),
            // Pixels have 1 to 4 channels (checked where they are made).
            _ => horizontal_row::<4>(src_row, dst_row, axis),
        }
    }
    out
}

/// Vertical fixed-point pass over every column.
pub fn fixed_vertical(src: &Pixels, axis: &FixedAxis) -> Pixels {
    let row_len = src.width * src.channels;
    let out_h = axis.taps.out_size();
    let mut out = Pixels::zeroed(src.width, out_h, src.channels);
    let mut acc = vec![0i32; row_len];
    for (y, dst_row) in out.data.chunks_exact_mut(row_len).enumerate() {
        let start = axis.taps.starts[y] as usize;
        acc.fill(1 << (axis.precision_bits - 1));
        for (k, &w) in axis.taps.row(y).iter().enumerate() {
            let src_row = &src.data[(start + k) * row_len..(start + k + 1) * row_len];
            for (a, &s) in acc.iter_mut().zip(src_row) {
                *a += i32::from(s) * w;
            }
        }
        for (d, &a) in dst_row.iter_mut().zip(&acc) {
            *d = clip8(a, axis.precision_bits);
        }
    }
    out
}

impl ResizePlan {
    /// Runs the plan on one image (the CPU reference execution).
    pub fn run(&self, src: &Pixels) -> Pixels {
        match self {
            ResizePlan::Copy => src.clone(),
            ResizePlan::Fixed {
                horizontal,
                vertical,
                vertical_first,
            } => {
                let pass = |image: &Pixels, vertical_pass: bool| match (
                    vertical_pass,
                    horizontal,
                    vertical,
                ) {
                    (false, Some(axis), _) => Some(fixed_horizontal(image, axis)),
                    (true, _, Some(axis)) => Some(fixed_vertical(image, axis)),
                    _ => None,
                };
                let first = pass(src, *vertical_first);
                let second = pass(first.as_ref().unwrap_or(src), !*vertical_first);
                second.or(first).unwrap_or_else(|| src.clone())
            }
            ResizePlan::Nearest { x_src, y_src } => {
                let c = src.channels;
                let mut out = Pixels::zeroed(x_src.len(), y_src.len(), c);
                let out_row_len = x_src.len() * c;
                for (dst_row, &sy) in out.data.chunks_exact_mut(out_row_len).zip(y_src) {
                    if sy == OUTSIDE {
                        continue;
                    }
                    let src_row = &src.data[sy as usize * src.width * c..];
                    for (dst_px, &sx) in dst_row.chunks_exact_mut(c).zip(x_src) {
                        if sx != OUTSIDE {
                            let at = sx as usize * c;
                            dst_px.copy_from_slice(&src_row[at..at + c]);
                        }
                    }
                }
                out
            }
        }
    }
}
