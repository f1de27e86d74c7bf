//! The aarch64 vector path of [`Kernels`](super::kernels::Kernels): NEON (Advanced SIMD, present
//! on every aarch64 processor).
//!
//! Both passes widen 8-bit samples to 16 bits and multiply-accumulate them into 32-bit lanes by
//! 16-bit weights (`smlal`), the same [`PairedTaps`](crate::numeric::packed::PairedTaps) the x86
//! paths read: ATen's int16 weights as they are, Pillow's 22-bit weights as two 16-bit halves
//! whose sums recombine as `(hi << 15) + lo`. `sqxtun` then `uqxtn` clamp to `0..=255` exactly as
//! the scalar `clamp` does.
//!
//! Horizontal (`horizontal.rs`): four rows at a time; for each output pixel, each group of four
//! taps is one 16-byte load per row, spread by a table lookup (`tbl`) to four 4-byte pixels, each
//! 32-bit lane summing one channel. Vertical (`vertical.rs`): for each output row, 32 samples at a
//! time, each tap row one multiply-accumulate per lane.

mod horizontal;
mod vertical;

pub(in crate::backend::cpu) use horizontal::horizontal_neon;
pub(in crate::backend::cpu) use vertical::vertical_neon;

use core::arch::aarch64::*;

/// Taps `4j..4j + 4` of a row of [`PairedTaps`](crate::numeric::packed::PairedTaps) words (each
/// the weights of two taps, low half first), as 16-bit lanes.
#[inline(always)]
fn group_weights(words: &[i32], j: usize) -> [i16; 4] {
    let [a, b] = [words[2 * j], words[2 * j + 1]];
    [a as i16, (a >> 16) as i16, b as i16, (b >> 16) as i16]
}

/// `clamp(acc >> shift, 0, 255)` of four lanes each of `a` and `b`, as eight bytes: `sshl` by a
/// negative count shifts right arithmetically (truncating, as `>>` does), `sqxtun` clamps to
/// `0..=65535` and `uqxtn` to `0..=255`.
#[target_feature(enable = "neon")]
#[inline]
fn clip8(a: int32x4_t, b: int32x4_t, shift: int32x4_t) -> uint8x8_t {
    let (a, b) = (vshlq_s32(a, shift), vshlq_s32(b, shift));
    vqmovn_u16(vcombine_u16(vqmovun_s32(a), vqmovun_s32(b)))
}

/// `lo + (hi << 15)`: the two halves' sums of a split weight, in wrapping 32-bit arithmetic.
#[target_feature(enable = "neon")]
#[inline]
fn recombine(lo: int32x4_t, hi: int32x4_t) -> int32x4_t {
    vaddq_s32(
        lo,
        vshlq_n_s32::<{ crate::numeric::packed::SPLIT_BITS as i32 }>(hi),
    )
}
