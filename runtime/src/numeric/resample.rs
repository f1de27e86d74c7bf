//! Executing a resize on 8-bit pixels: the separable fixed-point convolution shared by Pillow and
//! ATen's uint8 path, and nearest-neighbour gathers.
//!
//! These are the CPU reference bodies of the operations a [`ResizePlan`] describes. The plan holds every
//! number that decides a result; these loops only execute it, in the order the references do:
//! one pass per axis, 8-bit samples between the passes.

use super::Pixels;
use super::fixed::FixedAxis;
use super::region::Region;
use super::shape::Size;

/// A nearest-neighbour source index that lies outside the input: the output pixel is black.
pub const OUTSIDE: u32 = u32::MAX;

/// How to resize one image: built on the host from the sizes, the filter and the numerics mode.
// Built once per input size and shared behind an `Arc`: its size does not matter.
#[allow(clippy::large_enum_variant)]
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

/// What a resize reads and computes for a region of its output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reads {
    /// The input pixels it reads.
    pub input: Region,
    /// For a two-pass resize, the part of the first pass's output it needs (in that output's
    /// coordinates).
    pub stage: Option<Region>,
}

/// Pixels of `region` of a larger image: `pixels` holds exactly that rectangle.
struct Part<'a> {
    pixels: &'a Pixels<'a>,
    x0: usize,
    y0: usize,
}

/// The input range outputs `out` of `axis` read: every tap of every output in it.
fn taps_span(axis: &FixedAxis, out: std::ops::Range<usize>) -> std::ops::Range<usize> {
    let starts = &axis.taps.starts[out.clone()];
    let lens = &axis.taps.lens[out];
    let lo = starts.iter().copied().min().unwrap_or(0) as usize;
    let hi = starts
        .iter()
        .zip(lens)
        .map(|(&s, &l)| (s + l) as usize)
        .max()
        .unwrap_or(lo);
    lo..hi.max(lo)
}

/// One row of the horizontal pass for `C` interleaved channels, output columns `xs`: each output
/// sample is `(2^(p-1) + Σ sample·weight) >> p`, clamped. `src_row` starts at input column `x0`.
#[inline(always)]
fn horizontal_row<const C: usize>(
    src_row: &[u8],
    x0: usize,
    dst_row: &mut [u8],
    axis: &FixedAxis,
    xs: std::ops::Range<usize>,
) {
    let half = 1i32 << (axis.precision_bits - 1);
    for (x, dst_px) in xs.zip(dst_row.chunks_exact_mut(C)) {
        let weights = axis.taps.row(x);
        let start = (axis.taps.starts[x] as usize - x0) * C;
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

/// Horizontal pass: output columns `xs` of input rows `rows` (absolute), from `src`.
fn horizontal(
    src: &Part<'_>,
    axis: &FixedAxis,
    rows: std::ops::Range<usize>,
    xs: std::ops::Range<usize>,
) -> Pixels<'static> {
    let c = src.pixels.channels;
    let mut out = Pixels::zeroed(xs.len(), rows.len(), c);
    let src_row_len = src.pixels.width * c;
    for (y, dst_row) in rows.zip(out.data.to_mut().chunks_exact_mut(xs.len() * c)) {
        let at = (y - src.y0) * src_row_len;
        let src_row = &src.pixels.data[at..at + src_row_len];
        let xs = xs.clone();
        match c {
            1 => horizontal_row::<1>(src_row, src.x0, dst_row, axis, xs),
            2 => horizontal_row::<2>(src_row, src.x0, dst_row, axis, xs),
            3 => horizontal_row::<3>(src_row, src.x0, dst_row, axis, xs),
            // Pixels have 1 to 4 channels (checked where they are made).
            _ => horizontal_row::<4>(src_row, src.x0, dst_row, axis, xs),
        }
    }
    out
}

/// Vertical pass: output rows `ys` of input columns `cols` (absolute), from `src`.
fn vertical(
    src: &Part<'_>,
    axis: &FixedAxis,
    cols: std::ops::Range<usize>,
    ys: std::ops::Range<usize>,
) -> Pixels<'static> {
    let c = src.pixels.channels;
    let row_len = cols.len() * c;
    let src_row_len = src.pixels.width * c;
    let col_at = (cols.start - src.x0) * c;
    let mut out = Pixels::zeroed(cols.len(), ys.len(), c);
    let mut acc = vec![0i32; row_len];
    for (y, dst_row) in ys.zip(out.data.to_mut().chunks_exact_mut(row_len)) {
        let start = axis.taps.starts[y] as usize - src.y0;
        acc.fill(1 << (axis.precision_bits - 1));
        for (k, &w) in axis.taps.row(y).iter().enumerate() {
            let at = (start + k) * src_row_len + col_at;
            for (a, &s) in acc.iter_mut().zip(&src.pixels.data[at..at + row_len]) {
                *a += i32::from(s) * w;
            }
        }
        for (d, &a) in dst_row.iter_mut().zip(&acc) {
            *d = clip8(a, axis.precision_bits);
        }
    }
    out
}

/// Copies `region` out of `src`.
fn cut(src: &Pixels, region: Region) -> Pixels<'static> {
    let c = src.channels;
    let mut out = Pixels::zeroed(region.width(), region.height(), c);
    for (y, dst_row) in
        (region.y0..region.y1).zip(out.data.to_mut().chunks_exact_mut(region.width() * c))
    {
        let at = (y * src.width + region.x0) * c;
        dst_row.copy_from_slice(&src.data[at..at + region.width() * c]);
    }
    out
}

impl ResizePlan {
    /// Runs the plan on one image (the CPU reference execution).
    pub fn run(&self, src: &Pixels) -> Pixels<'static> {
        let out = self.output_size(src.size());
        self.run_region(src, Region::full(out.width, out.height))
    }

    /// The size the plan gives an image of `input`.
    pub fn output_size(&self, input: Size) -> Size {
        match self {
            ResizePlan::Copy => input,
            ResizePlan::Nearest { x_src, y_src } => Size::new(y_src.len(), x_src.len()),
            ResizePlan::Fixed {
                horizontal,
                vertical,
                ..
            } => Size::new(
                vertical
                    .as_ref()
                    .map_or(input.height, |a| a.taps.out_size()),
                horizontal
                    .as_ref()
                    .map_or(input.width, |a| a.taps.out_size()),
            ),
        }
    }

    /// What computing `region` of the output of an image of `input` reads: every output sample
    /// depends on its own taps alone, so nothing outside these rectangles matters.
    pub fn reads(&self, input: Size, region: Region) -> Reads {
        let Size { height, width } = input;
        let (xs, ys) = (region.x0..region.x1, region.y0..region.y1);
        let rect = |cols: std::ops::Range<usize>, rows: std::ops::Range<usize>| Region {
            x0: cols.start,
            x1: cols.end,
            y0: rows.start,
            y1: rows.end,
        };
        let (input, stage) = match self {
            ResizePlan::Copy => (region, None),
            ResizePlan::Nearest { .. } => (Region::full(width, height), None),
            ResizePlan::Fixed {
                horizontal: Some(h),
                vertical: Some(v),
                vertical_first,
            } => {
                let (cols, rows) = (taps_span(h, xs.clone()), taps_span(v, ys.clone()));
                let stage = if *vertical_first {
                    rect(cols.clone(), ys)
                } else {
                    rect(xs, rows.clone())
                };
                (rect(cols, rows), Some(stage))
            }
            ResizePlan::Fixed {
                horizontal: Some(h),
                vertical: None,
                ..
            } => (rect(taps_span(h, xs), ys), None),
            ResizePlan::Fixed {
                horizontal: None,
                vertical: Some(v),
                ..
            } => (rect(xs, taps_span(v, ys)), None),
            ResizePlan::Fixed { .. } => (region, None),
        };
        Reads { input, stage }
    }

    /// Runs the plan for `region` of the output only: every output pixel depends on its own taps
    /// alone, so the region's values are exactly those of the whole output (a crop reads no more).
    pub fn run_region(&self, src: &Pixels, region: Region) -> Pixels<'static> {
        let whole = Part {
            pixels: src,
            x0: 0,
            y0: 0,
        };
        let (xs, ys) = (region.x0..region.x1, region.y0..region.y1);
        match self {
            ResizePlan::Copy => cut(src, region),
            ResizePlan::Fixed {
                horizontal: Some(h),
                vertical: Some(v),
                vertical_first,
            } => {
                // The part of the first pass the region needs: the same rectangle the kernels'
                // stage holds (`reads`).
                let stage = self.reads(src.size(), region).stage.unwrap_or(region);
                let (cols, rows) = (stage.x0..stage.x1, stage.y0..stage.y1);
                let first = if *vertical_first {
                    vertical(&whole, v, cols, rows)
                } else {
                    horizontal(&whole, h, rows, cols)
                };
                let part = Part {
                    pixels: &first,
                    x0: stage.x0,
                    y0: stage.y0,
                };
                if *vertical_first {
                    horizontal(&part, h, ys, xs)
                } else {
                    vertical(&part, v, xs, ys)
                }
            }
            ResizePlan::Fixed {
                horizontal: Some(h),
                vertical: None,
                ..
            } => horizontal(&whole, h, ys, xs),
            ResizePlan::Fixed {
                horizontal: None,
                vertical: Some(v),
                ..
            } => vertical(&whole, v, xs, ys),
            ResizePlan::Fixed {
                horizontal: None,
                vertical: None,
                ..
            } => cut(src, region),
            ResizePlan::Nearest { x_src, y_src } => {
                let c = src.channels;
                let mut out = Pixels::zeroed(region.width(), region.height(), c);
                let out_row_len = region.width() * c;
                for (dst_row, &sy) in out
                    .data
                    .to_mut()
                    .chunks_exact_mut(out_row_len)
                    .zip(&y_src[ys])
                {
                    if sy == OUTSIDE {
                        continue;
                    }
                    let src_row = &src.data[sy as usize * src.width * c..];
                    for (dst_px, &sx) in dst_row.chunks_exact_mut(c).zip(&x_src[xs.clone()]) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kwargs::Resample;
    use crate::numeric::{pil, torchvision};

    fn image(width: usize, height: usize, channels: usize) -> Pixels<'static> {
        let data = (0..width * height * channels)
            .map(|i| ((i * 37 + i / 7) % 256) as u8)
            .collect();
        Pixels {
            width,
            height,
            channels,
            data,
        }
    }

    /// Any region of the output equals the same rectangle of the whole output (whose values the
    /// golden tests check against transformers), in either pass order.
    #[test]
    fn a_region_equals_the_same_part_of_the_whole() {
        let cases = [
            ((64, 48), (30, 22), Resample::Bicubic),
            ((3, 100), (38, 38), Resample::Bicubic), // Pillow: vertical pass first
            ((20, 10), (40, 31), Resample::Lanczos),
            ((50, 50), (50, 17), Resample::Bilinear),
            ((17, 13), (9, 30), Resample::Nearest),
        ];
        for ((w, h), (ow, oh), resample) in cases {
            let src = image(w, h, 3);
            let plans = [
                pil::resize_plan(Size::new(h, w), Size::new(oh, ow), resample),
                torchvision::resize_plan(Size::new(h, w), Size::new(oh, ow), resample).unwrap(),
            ];
            for plan in plans {
                let whole = plan.run(&src);
                for region in [
                    Region {
                        x0: 1,
                        x1: ow - 2,
                        y0: 3,
                        y1: oh - 1,
                    },
                    Region {
                        x0: 0,
                        x1: ow,
                        y0: oh / 2,
                        y1: oh,
                    },
                    Region {
                        x0: ow / 3,
                        x1: ow / 3 + 1,
                        y0: 0,
                        y1: 1,
                    },
                ] {
                    assert_eq!(
                        plan.run_region(&src, region),
                        cut(&whole, region),
                        "{w}x{h} -> {ow}x{oh} {resample:?} {region:?}"
                    );
                }
            }
        }
    }
}
