//! The horizontal pass: four rows a block; each group of four taps one 16-byte load per row,
//! spread to 4-byte pixels by `tbl`, one `smlal` per tap and row.

use super::lanes::{clip8, group_weights, recombine};
use crate::backend::cpu::block::{BLOCK_ROWS, Block, store_pixels};
use crate::backend::cpu::passes::{Horizontal, OUT_PIXEL};
use crate::numeric::packed::GROUP_TAPS;
use core::arch::aarch64::*;

/// The `tbl` control that spreads four `channels`-byte pixels of a 16-byte load to four 4-byte
/// pixels, zero past the last channel (an index past the table reads zero).
fn spread_mask(channels: usize) -> [u8; 16] {
    std::array::from_fn(|i| {
        let (tap, ch) = (i / OUT_PIXEL, i % OUT_PIXEL);
        if ch < channels {
            (tap * channels + ch) as u8
        } else {
            0xff
        }
    })
}

/// # Safety
/// `pass.check` succeeded for `dst`; `SPLIT` is whether the axis's weights are split (NEON is
/// part of aarch64).
#[target_feature(enable = "neon")]
pub(in crate::backend::cpu) unsafe fn horizontal_neon<const SPLIT: bool>(
    pass: &Horizontal<'_>,
    dst: &mut [u8],
    stride: usize,
) {
    // SAFETY: a 16-byte array.
    let mask = unsafe { vld1q_u8(spread_mask(pass.channels).as_ptr()) };
    for first in (0..pass.rows).step_by(BLOCK_ROWS) {
        let block = Block::new(pass, first);
        for (i, x) in pass.xs.clone().enumerate() {
            let at = first * stride + i * OUT_PIXEL;
            if block.fits(pass, x) {
                // SAFETY: it fits.
                let words = unsafe { pixel::<SPLIT>(pass, &block, x, mask) };
                store_pixels(words, block.n, dst, at, stride);
            } else {
                block.scalar(pass, first, i, x, dst, stride);
            }
        }
    }
}

/// Output `x` of the block's rows, each row's pixel as one 32-bit word.
///
/// # Safety
/// `block.fits(pass, x)`.
#[target_feature(enable = "neon")]
#[inline]
unsafe fn pixel<const SPLIT: bool>(
    pass: &Horizontal<'_>,
    block: &Block,
    x: usize,
    mask: uint8x16_t,
) -> [i32; BLOCK_ROWS] {
    let (taps, pairs) = (&pass.axis.taps, &pass.axis.pairs);
    let start = (taps.starts[x] as usize - pass.x0) * pass.channels;
    let lo = pairs.lo_row(x);
    let hi = pairs.hi_row(x).unwrap_or(lo);
    let mut acc = [vdupq_n_s32(1 << (pass.axis.precision_bits - 1)); BLOCK_ROWS];
    let mut acc_hi = [vdupq_n_s32(0); BLOCK_ROWS];
    for j in 0..pairs.groups[x] as usize {
        let off = start + j * GROUP_TAPS * pass.channels;
        // SAFETY: 4-lane arrays.
        let (w, w_hi) = unsafe {
            (
                vld1_s16(group_weights(lo, j).as_ptr()),
                vld1_s16(group_weights(hi, j).as_ptr()),
            )
        };
        for (r, row) in block.rows.into_iter().enumerate() {
            // SAFETY: `fits` bounds the 16 bytes at `off` of every row of the block.
            let v = vqtbl1q_u8(unsafe { vld1q_u8(row.add(off)) }, mask);
            let p01 = vreinterpretq_s16_u16(vmovl_u8(vget_low_u8(v)));
            let p23 = vreinterpretq_s16_u16(vmovl_high_u8(v));
            acc[r] = taps4(acc[r], p01, p23, w);
            if SPLIT {
                acc_hi[r] = taps4(acc_hi[r], p01, p23, w_hi);
            }
        }
    }
    if SPLIT {
        for r in 0..BLOCK_ROWS {
            acc[r] = recombine(acc[r], acc_hi[r]);
        }
    }
    let shift = vdupq_n_s32(-(pass.axis.precision_bits as i32));
    // Rows 0 and 1, then 2 and 3: each row's pixel one 32-bit lane.
    let rows01 = vreinterpret_u32_u8(clip8(acc[0], acc[1], shift));
    let rows23 = vreinterpret_u32_u8(clip8(acc[2], acc[3], shift));
    [
        vget_lane_u32::<0>(rows01) as i32,
        vget_lane_u32::<1>(rows01) as i32,
        vget_lane_u32::<0>(rows23) as i32,
        vget_lane_u32::<1>(rows23) as i32,
    ]
}

/// `acc + Σ pixel_t · w[t]` over four pixels of four channels (`p01`: pixels 0 and 1, `p23`:
/// 2 and 3), a 32-bit lane per channel.
#[target_feature(enable = "neon")]
#[inline]
fn taps4(acc: int32x4_t, p01: int16x8_t, p23: int16x8_t, w: int16x4_t) -> int32x4_t {
    let acc = vmlal_lane_s16::<0>(acc, vget_low_s16(p01), w);
    let acc = vmlal_high_lane_s16::<1>(acc, p01, w);
    let acc = vmlal_lane_s16::<2>(acc, vget_low_s16(p23), w);
    vmlal_high_lane_s16::<3>(acc, p23, w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_masks_give_each_tap_four_bytes() {
        let z = 0xff;
        assert_eq!(
            spread_mask(3),
            [0, 1, 2, z, 3, 4, 5, z, 6, 7, 8, z, 9, 10, 11, z]
        );
        assert_eq!(
            spread_mask(1),
            [0, z, z, z, 1, z, z, z, 2, z, z, z, 3, z, z, z]
        );
        assert_eq!(spread_mask(4), std::array::from_fn(|i| i as u8));
    }
}
