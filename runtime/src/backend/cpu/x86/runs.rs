//! The horizontal pass with AVX-512 VBMI: a run of four outputs gathers its taps from 128 bytes
//! per row with one two-register byte permute per pair slot ([`RunTaps`](crate::numeric::packed::RunTaps)),
//! summed by `vpdpwssd` (a `vpmaddwd` and its add in one: the same wrapping 32-bit sums).
//! Runs that do not fit take the AVX-512 path of `horizontal.rs`, through the same loop.

use super::horizontal::{
    RUN, horizontal_pass, one_rows_avx512, pixel_avx512, prefetch_next, run_rows_avx512,
    to_bytes_128,
};
use super::masks::masks_512;
use crate::backend::cpu::block::{BLOCK_ROWS, Block, store_pixels};
use crate::backend::cpu::passes::{Horizontal, OUT_PIXEL};
use crate::numeric::packed::{RUN_BYTES, RUN_OUTPUTS, SLOT_BYTES, SPLIT_BITS};
use std::arch::x86_64::*;

/// The run of [`RUN`] outputs from `x` for the block's rows, each row's 16 bytes, when `x` starts
/// a run of the axis's [`RunTaps`](crate::numeric::packed::RunTaps) (`whole`: the pass computes all
/// of it) and its taps fit in 128 bytes per row (two loads): per pair slot, one two-register byte
/// permute per row gathers the pairs of all four outputs, against three inserts and two shuffles per four taps
/// and output in [`pixel_avx512`].
///
/// # Safety
/// The processor has AVX-512VBMI and AVX-512VNNI; `block` was made for `pass`, whose `check` succeeded.
#[target_feature(enable = "avx512f,avx512bw,avx512vbmi,avx512vnni")]
#[inline]
unsafe fn run_vbmi<const SPLIT: bool>(
    pass: &Horizontal<'_>,
    block: &Block,
    x: usize,
    whole: bool,
) -> Option<[__m128i; BLOCK_ROWS]> {
    // Runs start at the pass's first output: a crop's odd first column costs nothing.
    let phase = pass.xs.start % RUN_OUTPUTS;
    if !whole || !(x - phase).is_multiple_of(RUN_OUTPUTS) {
        return None;
    }
    let runs = pass.axis.runs(pass.channels, phase);
    let k = (x - phase) / RUN_OUTPUTS;
    let off = (runs.base.get(k).copied().flatten()? as usize - pass.x0) * pass.channels;
    if off + RUN_BYTES > block.avail {
        return None;
    }
    // The even (low) byte of every 16-bit lane of a channel the pixels have.
    let lanes: u64 = (0..RUN_OUTPUTS * 4)
        .filter(|lane| lane % 4 < pass.channels)
        .fold(0, |mask, lane| mask | 0b101 << (4 * lane));
    // SAFETY: `off + RUN_BYTES` bytes of every row of the block lie in the source (`avail`).
    let v = unsafe {
        block.rows.map(|row| {
            (
                _mm512_loadu_si512(row.add(off).cast()),
                _mm512_loadu_si512(row.add(off + 64).cast()),
            )
        })
    };

    let half = _mm512_set1_epi32(1 << (pass.axis.precision_bits - 1));
    let (mut acc, mut acc_hi) = ([half; BLOCK_ROWS], [_mm512_setzero_si512(); BLOCK_ROWS]);
    for j in 0..runs.used[k] as usize {
        let slot = k * runs.slots + j;
        let index = &runs.index[slot * SLOT_BYTES..(slot + 1) * SLOT_BYTES];
        let lo = &runs.lo[slot * 16..(slot + 1) * 16];
        // SAFETY: 64 bytes each.
        let (index, w) = unsafe {
            (
                _mm512_loadu_si512(index.as_ptr().cast()),
                _mm512_loadu_si512(lo.as_ptr().cast()),
            )
        };
        let w_hi = match (SPLIT, &runs.hi) {
            (true, Some(hi)) => {
                // SAFETY: 64 bytes.
                unsafe { _mm512_loadu_si512(hi[slot * 16..(slot + 1) * 16].as_ptr().cast()) }
            }
            _ => w,
        };
        for r in 0..BLOCK_ROWS {
            let p = _mm512_maskz_permutex2var_epi8(lanes, v[r].0, index, v[r].1);
            acc[r] = _mm512_dpwssd_epi32(acc[r], p, w);
            if SPLIT {
                acc_hi[r] = _mm512_dpwssd_epi32(acc_hi[r], p, w_hi);
            }
        }
    }
    let shift = _mm_cvtsi32_si128(pass.axis.precision_bits as i32);
    for r in 0..BLOCK_ROWS {
        if SPLIT {
            acc[r] = _mm512_add_epi32(acc[r], _mm512_slli_epi32::<{ SPLIT_BITS }>(acc_hi[r]));
        }
        acc[r] = _mm512_sra_epi32(acc[r], shift);
    }
    // Lane o: output o of rows 0 to 3; the permute makes lane r row r's outputs 0 to 3.
    let bytes = _mm512_packus_epi16(
        _mm512_packs_epi32(acc[0], acc[1]),
        _mm512_packs_epi32(acc[2], acc[3]),
    );
    let rows = _mm512_permutexvar_epi32(
        _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15),
        bytes,
    );
    Some([
        _mm512_castsi512_si128(rows),
        _mm512_extracti32x4_epi32::<1>(rows),
        _mm512_extracti32x4_epi32::<2>(rows),
        _mm512_extracti32x4_epi32::<3>(rows),
    ])
}

horizontal_pass!(
    horizontal_vbmi,
    "avx512f,avx512bw,avx512vbmi,avx512vnni",
    masks_512,
    pixel_avx512,
    run_rows_avx512,
    one_rows_avx512,
    run_vbmi
);
