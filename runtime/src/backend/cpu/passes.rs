//! The resampler's two passes over 8-bit rows as every set of [`Kernels`](super::Kernels) runs
//! them: what a pass reads and writes, its bounds, and the scalar loops that are the reference.

use crate::numeric::fixed::FixedAxis;
use std::ops::Range;

/// Bytes per pixel of a horizontal pass's output: up to four channels, zeros after the last.
/// A whole 32-bit store per pixel is what lets the vector paths write without shuffling.
pub const OUT_PIXEL: usize = 4;

/// `out[i] = map(row[i * bpp + ch])`: one channel of a row of `bpp`-byte pixels, mapped.
#[inline(always)]
pub fn map_row<T: Copy>(row: &[u8], bpp: usize, ch: usize, out: &mut [T], map: impl Fn(u8) -> T) {
    fn each<const BPP: usize, T>(row: &[u8], ch: usize, out: &mut [T], map: impl Fn(u8) -> T) {
        for (o, px) in out.iter_mut().zip(row.chunks_exact(BPP)) {
            *o = map(px[ch]);
        }
    }
    match bpp {
        4 => each::<4, T>(row, ch, out, map),
        3 => each::<3, T>(row, ch, out, map),
        2 => each::<2, T>(row, ch, out, map),
        _ => each::<1, T>(row, ch, out, map),
    }
}

/// `clamp(acc >> precision_bits, 0, 255)`.
#[inline(always)]
pub(crate) fn clip8(acc: i32, precision_bits: u32) -> u8 {
    (acc >> precision_bits).clamp(0, 255) as u8
}

/// A horizontal pass: `rows` rows of `channels`-byte pixels (1 to 4), the first byte of each row
/// at input column `x0`, resampled to output columns `xs` of `axis`.
#[derive(Debug, Clone)]
pub struct Horizontal<'a> {
    pub axis: &'a FixedAxis,
    pub src: &'a [u8],
    /// Bytes from one source row to the next.
    pub src_stride: usize,
    pub channels: usize,
    pub x0: usize,
    pub rows: usize,
    pub xs: Range<usize>,
}

impl Horizontal<'_> {
    /// Panics unless every read and write of the pass is in bounds (a planning bug, never input).
    pub(super) fn check(&self, dst_len: usize, dst_stride: usize) {
        assert!((1..=4).contains(&self.channels), "1 to 4 channels");
        assert!(
            self.xs.end <= self.axis.taps.out_size(),
            "columns of the axis"
        );
        if self.rows == 0 || self.xs.is_empty() {
            return;
        }
        let taps = &self.axis.taps;
        let end = self.xs.clone().fold(0, |end, x| {
            let start = taps.starts[x] as usize;
            assert!(start >= self.x0, "taps before the source's first column");
            end.max(start + taps.lens[x] as usize - self.x0)
        });
        let last_row = (self.rows - 1) * self.src_stride;
        assert!(
            last_row + end * self.channels <= self.src.len(),
            "source rows"
        );
        let row = self.xs.len() * OUT_PIXEL;
        assert!(row <= dst_stride || self.rows == 1, "output stride");
        assert!((self.rows - 1) * dst_stride + row <= dst_len, "output rows");
    }

    /// Output columns `xs` of row `r`, one sample at a time.
    pub(super) fn scalar_row(&self, r: usize, xs: Range<usize>, dst: &mut [u8]) {
        let (c, taps) = (self.channels, &self.axis.taps);
        let src = &self.src[r * self.src_stride..];
        let half = 1i32 << (self.axis.precision_bits - 1);
        for (x, px) in xs.zip(dst.chunks_exact_mut(OUT_PIXEL)) {
            let start = (taps.starts[x] as usize - self.x0) * c;
            let mut acc = [half; OUT_PIXEL];
            for (k, &w) in taps.row(x).iter().enumerate() {
                for ch in 0..c {
                    acc[ch] += i32::from(src[start + k * c + ch]) * w;
                }
            }
            for ch in 0..OUT_PIXEL {
                px[ch] = if ch < c {
                    clip8(acc[ch], self.axis.precision_bits)
                } else {
                    0
                };
            }
        }
    }
}

/// A vertical pass: source rows `src_stride` bytes apart, row 0 being input row `y0`, resampled
/// to output rows `ys` of `axis`; each row is `row_bytes` samples (any channel count).
#[derive(Debug, Clone)]
pub struct Vertical<'a> {
    pub axis: &'a FixedAxis,
    pub src: &'a [u8],
    pub src_stride: usize,
    pub y0: usize,
    pub row_bytes: usize,
    pub ys: Range<usize>,
}

impl Vertical<'_> {
    /// Panics unless every read and write of the pass is in bounds (a planning bug, never input).
    pub(super) fn check(&self, dst_len: usize, dst_stride: usize) {
        assert!(self.ys.end <= self.axis.taps.out_size(), "rows of the axis");
        if self.ys.is_empty() || self.row_bytes == 0 {
            return;
        }
        let taps = &self.axis.taps;
        for y in self.ys.clone() {
            let (start, len) = (taps.starts[y] as usize, taps.lens[y] as usize);
            assert!(start >= self.y0, "taps above the source's first row");
            if len > 0 {
                let last = (start - self.y0 + len - 1) * self.src_stride;
                assert!(last + self.row_bytes <= self.src.len(), "source rows");
            }
        }
        assert!(
            self.row_bytes <= dst_stride || self.ys.len() == 1,
            "output stride"
        );
        assert!(
            (self.ys.len() - 1) * dst_stride + self.row_bytes <= dst_len,
            "output rows"
        );
    }

    /// Samples `cols` of output row `y`, one at a time.
    pub(super) fn scalar_row(&self, y: usize, cols: Range<usize>, dst: &mut [u8]) {
        let taps = &self.axis.taps;
        let start = taps.starts[y] as usize - self.y0;
        let half = 1i32 << (self.axis.precision_bits - 1);
        for (i, d) in cols.zip(dst.iter_mut()) {
            let mut acc = half;
            for (k, &w) in taps.row(y).iter().enumerate() {
                acc += i32::from(self.src[(start + k) * self.src_stride + i]) * w;
            }
            *d = clip8(acc, self.axis.precision_bits);
        }
    }
}
