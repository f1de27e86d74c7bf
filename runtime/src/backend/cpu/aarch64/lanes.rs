//! What both NEON passes do to their lanes: weights from pairs, and the sums' last steps.

use core::arch::aarch64::*;

/// Taps `4j..4j + 4` of a row of [`PairedTaps`](crate::numeric::packed::PairedTaps) words (each
/// the weights of two taps, low half first), as 16-bit lanes.
#[inline(always)]
pub(super) fn group_weights(words: &[i32], j: usize) -> [i16; 4] {
    let [a, b] = [words[2 * j], words[2 * j + 1]];
    [a as i16, (a >> 16) as i16, b as i16, (b >> 16) as i16]
}

/// `clamp(acc >> shift, 0, 255)` of four lanes each of `a` and `b`, as eight bytes: `sshl` by a
/// negative count shifts right arithmetically (truncating, as `>>` does), `sqxtun` clamps to
/// `0..=65535` and `uqxtn` to `0..=255`.
#[target_feature(enable = "neon")]
#[inline]
pub(super) fn clip8(a: int32x4_t, b: int32x4_t, shift: int32x4_t) -> uint8x8_t {
    let (a, b) = (vshlq_s32(a, shift), vshlq_s32(b, shift));
    vqmovn_u16(vcombine_u16(vqmovun_s32(a), vqmovun_s32(b)))
}

/// `lo + (hi << 15)`: the two halves' sums of a split weight, in wrapping 32-bit arithmetic.
#[target_feature(enable = "neon")]
#[inline]
pub(super) fn recombine(lo: int32x4_t, hi: int32x4_t) -> int32x4_t {
    vaddq_s32(
        lo,
        vshlq_n_s32::<{ crate::numeric::packed::SPLIT_BITS as i32 }>(hi),
    )
}
