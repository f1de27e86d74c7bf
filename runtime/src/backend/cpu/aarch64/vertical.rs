//! The vertical pass: for each output row, 32 samples at a time, each tap row widened to 16 bits
//! and multiply-accumulated by its weight into 32-bit lanes.

use super::lanes::{clip8, recombine};
use crate::backend::cpu::passes::Vertical;
use core::arch::aarch64::*;

/// Samples per chunk: two 16-byte loads per tap row, eight independent sums.
const CHUNK: usize = 32;
const VECS: usize = CHUNK / 16;

/// # Safety
/// `pass.check` succeeded for `dst`; `SPLIT` is whether the axis's weights are split (NEON is
/// part of aarch64).
#[target_feature(enable = "neon")]
pub(in crate::backend::cpu) unsafe fn vertical_neon<const SPLIT: bool>(
    pass: &Vertical<'_>,
    dst: &mut [u8],
    stride: usize,
) {
    let n = pass.row_bytes;
    let (taps, pairs) = (&pass.axis.taps, &pass.axis.pairs);
    let half = vdupq_n_s32(1 << (pass.axis.precision_bits - 1));
    let shift = vdupq_n_s32(-(pass.axis.precision_bits as i32));
    // Tap `k`'s 16-bit weight from a row of pairs (low half first).
    let weight = |words: &[i32], k: usize| (words[k / 2] >> (16 * (k % 2))) as i16;
    for (i, y) in pass.ys.clone().enumerate() {
        let out = &mut dst[i * stride..i * stride + n];
        if n < CHUNK {
            pass.scalar_row(y, 0..n, out);
            continue;
        }
        let (start, len) = (taps.starts[y] as usize - pass.y0, taps.lens[y] as usize);
        let lo = pairs.lo_row(y);
        let hi = pairs.hi_row(y).unwrap_or(lo);
        let mut col = 0;
        loop {
            // The last chunk ends at the row's end, recomputing some samples with equal values.
            let at = col.min(n - CHUNK);
            let mut acc = [[half; 4]; VECS];
            let mut acc_hi = [[vdupq_n_s32(0); 4]; VECS];
            for k in 0..len {
                let row = (start + k) * pass.src_stride + at;
                let (w, w_hi) = (weight(lo, k), weight(hi, k));
                for v in 0..VECS {
                    // SAFETY: `check` bounds `row_bytes` bytes of every tap row, and
                    // `at + CHUNK <= row_bytes`.
                    let bytes = unsafe { vld1q_u8(pass.src.as_ptr().add(row + 16 * v)) };
                    let l = vreinterpretq_s16_u16(vmovl_u8(vget_low_u8(bytes)));
                    let h = vreinterpretq_s16_u16(vmovl_high_u8(bytes));
                    acc[v] = samples16(acc[v], l, h, w);
                    if SPLIT {
                        acc_hi[v] = samples16(acc_hi[v], l, h, w_hi);
                    }
                }
            }
            for v in 0..VECS {
                if SPLIT {
                    for q in 0..4 {
                        acc[v][q] = recombine(acc[v][q], acc_hi[v][q]);
                    }
                }
                let [a, b, c, d] = acc[v];
                let bytes = vcombine_u8(clip8(a, b, shift), clip8(c, d, shift));
                let at = at + 16 * v;
                // SAFETY: 16 bytes of `out` from `at` (`at + CHUNK <= n`).
                unsafe { vst1q_u8(out[at..at + 16].as_mut_ptr(), bytes) };
            }
            if at + CHUNK >= n {
                break;
            }
            col += CHUNK;
        }
    }
}

/// `acc[q] + samples · w` for 16 samples (`l`: 0 to 7, `h`: 8 to 15), four to a sum.
#[target_feature(enable = "neon")]
#[inline]
fn samples16(acc: [int32x4_t; 4], l: int16x8_t, h: int16x8_t, w: i16) -> [int32x4_t; 4] {
    [
        vmlal_n_s16(acc[0], vget_low_s16(l), w),
        vmlal_high_n_s16(acc[1], l, w),
        vmlal_n_s16(acc[2], vget_low_s16(h), w),
        vmlal_high_n_s16(acc[3], h, w),
    ]
}
