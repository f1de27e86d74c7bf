//! The horizontal pass: four rows a block, each group of four taps one 16-byte load per row
//! shuffled into pixel pairs, four outputs per run packed into one 16-byte store a row.

use super::masks::{masks_256, masks_512};
use crate::backend::cpu::block::{BLOCK_ROWS, Block, store_pixels};
use crate::backend::cpu::passes::{Horizontal, OUT_PIXEL};
use crate::numeric::packed::{GROUP_TAPS, SPLIT_BITS};
use std::arch::x86_64::*;

/// Asks for the next block's bytes at output `x`'s first tap while this block computes:
/// the source comes from memory, once (a hint: an address past the source is never read).
#[inline(always)]
pub(super) fn prefetch_next(block: &Block, pass: &Horizontal<'_>, x: usize) {
    let off = (pass.axis.taps.starts[x] as usize - pass.x0) * pass.channels;
    for row in block.rows {
        let ahead = row.wrapping_add(off + BLOCK_ROWS * pass.src_stride);
        // SAFETY: SSE is part of x86-64; a prefetch reads nothing.
        unsafe { _mm_prefetch::<_MM_HINT_T0>(ahead.cast()) };
    }
}

/// Output pixels computed together: packing four of them gives each row 16 contiguous bytes.
pub(super) const RUN: usize = 4;

/// The horizontal pass's loop, the same at every width: blocks of rows; in each, runs of [`RUN`]
/// outputs stored 16 bytes a row, then single outputs, and the scalar loop for an output whose
/// loads would pass the source's end. `$pixel` computes one output's sums, `$run_rows` and
/// `$one_rows` pack them into each row's bytes.
macro_rules! horizontal_pass {
    (
        $name:ident, $feature:literal, $masks:ident, $pixel:ident, $run_rows:ident,
        $one_rows:ident $(, $fast_run:ident)?
    ) => {
        /// # Safety
        #[doc = concat!("The processor has ", $feature, "; `pass.check` succeeded for `dst`; `SPLIT` ")]
        /// is whether the axis's weights are split.
        #[target_feature(enable = $feature)]
        pub(in crate::backend::cpu) unsafe fn $name<const SPLIT: bool>(
            pass: &Horizontal<'_>,
            dst: &mut [u8],
            stride: usize,
        ) {
            let masks = $masks(pass.channels);
            let len = pass.xs.len();
            // With fast runs (which start at the pass's first output), the other runs keep to
            // the same alignment, so that outputs after a fallback reach the fast runs' starts.
            let aligned = false $(|| !stringify!($fast_run).is_empty())?;
            for first in (0..pass.rows).step_by(BLOCK_ROWS) {
                let block = Block::new(pass, first);
                let mut i = 0;
                while i < len {
                    let x = pass.xs.start + i;
                    let at = first * stride + i * OUT_PIXEL;
                    if i.is_multiple_of(RUN) {
                        prefetch_next(&block, pass, x);
                    }
                    $(
                        // SAFETY: `$fast_run` checks its own reads.
                        if let Some(rows) = unsafe { $fast_run::<SPLIT>(pass, &block, x, i + RUN <= len) } {
                            for (r, row) in rows.into_iter().enumerate().take(block.n) {
                                let at = at + r * stride;
                                dst[at..at + RUN * OUT_PIXEL].copy_from_slice(&to_bytes_128(row));
                            }
                            i += RUN;
                            continue;
                        }
                    )?
                    if i + RUN <= len
                        && (!aligned || i.is_multiple_of(RUN))
                        && (x..x + RUN).all(|x| block.fits(pass, x))
                    {
                        // SAFETY: every output of the run fits.
                        let sums = unsafe {
                            [
                                $pixel::<SPLIT>(pass, &block, x, masks),
                                $pixel::<SPLIT>(pass, &block, x + 1, masks),
                                $pixel::<SPLIT>(pass, &block, x + 2, masks),
                                $pixel::<SPLIT>(pass, &block, x + 3, masks),
                            ]
                        };
                        let rows = $run_rows(sums);
                        for (r, row) in rows.into_iter().enumerate().take(block.n) {
                            let at = at + r * stride;
                            dst[at..at + RUN * OUT_PIXEL].copy_from_slice(&to_bytes_128(row));
                        }
                        i += RUN;
                        continue;
                    }
                    if block.fits(pass, x) {
                        // SAFETY: it fits.
                        let sums = unsafe { $pixel::<SPLIT>(pass, &block, x, masks) };
                        store_pixels($one_rows(sums), block.n, dst, at, stride);
                    } else {
                        block.scalar(pass, first, i, x, dst, stride);
                    }
                    i += 1;
                }
            }
        }
    };
}
pub(super) use horizontal_pass;

/// Output `x`'s sums for the block's rows, shifted: rows 0 and 1 in the first vector, 2 and 3 in
/// the second, four channels each.
///
/// # Safety
/// `block.fits(pass, x)`.
#[target_feature(enable = "avx2")]
#[inline]
unsafe fn pixel_avx2<const SPLIT: bool>(
    pass: &Horizontal<'_>,
    block: &Block,
    x: usize,
    masks: [__m256i; 2],
) -> [__m256i; 2] {
    let (taps, pairs) = (&pass.axis.taps, &pass.axis.pairs);
    let [r0, r1, r2, r3] = block.rows;
    let start = (taps.starts[x] as usize - pass.x0) * pass.channels;
    let lo = pairs.lo_row(x);
    let hi = pairs.hi_row(x).unwrap_or(lo);
    let half = _mm256_set1_epi32(1 << (pass.axis.precision_bits - 1));
    let (mut a01, mut a23) = (half, half);
    let (mut h01, mut h23) = (_mm256_setzero_si256(), _mm256_setzero_si256());
    for j in 0..pairs.groups[x] as usize {
        let off = start + j * GROUP_TAPS * pass.channels;
        // SAFETY: `fits` bounds the 16 bytes at `off` of every row of the block.
        let (v01, v23) = unsafe {
            (
                _mm256_loadu2_m128i(r1.add(off).cast(), r0.add(off).cast()),
                _mm256_loadu2_m128i(r3.add(off).cast(), r2.add(off).cast()),
            )
        };
        let (p01, q01) = (
            _mm256_shuffle_epi8(v01, masks[0]),
            _mm256_shuffle_epi8(v01, masks[1]),
        );
        let (p23, q23) = (
            _mm256_shuffle_epi8(v23, masks[0]),
            _mm256_shuffle_epi8(v23, masks[1]),
        );
        let (wp, wq) = (
            _mm256_set1_epi32(lo[2 * j]),
            _mm256_set1_epi32(lo[2 * j + 1]),
        );
        a01 = _mm256_add_epi32(a01, _mm256_madd_epi16(p01, wp));
        a01 = _mm256_add_epi32(a01, _mm256_madd_epi16(q01, wq));
        a23 = _mm256_add_epi32(a23, _mm256_madd_epi16(p23, wp));
        a23 = _mm256_add_epi32(a23, _mm256_madd_epi16(q23, wq));
        if SPLIT {
            let (wp, wq) = (
                _mm256_set1_epi32(hi[2 * j]),
                _mm256_set1_epi32(hi[2 * j + 1]),
            );
            h01 = _mm256_add_epi32(h01, _mm256_madd_epi16(p01, wp));
            h01 = _mm256_add_epi32(h01, _mm256_madd_epi16(q01, wq));
            h23 = _mm256_add_epi32(h23, _mm256_madd_epi16(p23, wp));
            h23 = _mm256_add_epi32(h23, _mm256_madd_epi16(q23, wq));
        }
    }
    if SPLIT {
        a01 = _mm256_add_epi32(a01, _mm256_slli_epi32::<{ SPLIT_BITS as i32 }>(h01));
        a23 = _mm256_add_epi32(a23, _mm256_slli_epi32::<{ SPLIT_BITS as i32 }>(h23));
    }
    let shift = _mm_cvtsi32_si128(pass.axis.precision_bits as i32);
    [_mm256_sra_epi32(a01, shift), _mm256_sra_epi32(a23, shift)]
}

/// Four outputs' sums (from [`pixel_avx2`]) as each row's 16 bytes, rows 0 to 3.
#[target_feature(enable = "avx2")]
#[inline]
fn run_rows_avx2([a, b, c, d]: [[__m256i; 2]; RUN]) -> [__m128i; BLOCK_ROWS] {
    // Per lane (rows 0 and 1, then rows 2 and 3), the run's four pixels in order.
    let rows01 = _mm256_packus_epi16(
        _mm256_packs_epi32(a[0], b[0]),
        _mm256_packs_epi32(c[0], d[0]),
    );
    let rows23 = _mm256_packus_epi16(
        _mm256_packs_epi32(a[1], b[1]),
        _mm256_packs_epi32(c[1], d[1]),
    );
    [
        _mm256_castsi256_si128(rows01),
        _mm256_extracti128_si256::<1>(rows01),
        _mm256_castsi256_si128(rows23),
        _mm256_extracti128_si256::<1>(rows23),
    ]
}

/// One output's sums (from [`pixel_avx2`]) as each row's 4 bytes, rows 0 to 3.
#[target_feature(enable = "avx2")]
#[inline]
fn one_rows_avx2([a01, a23]: [__m256i; 2]) -> [i32; BLOCK_ROWS] {
    // Lane 0 holds rows 0 and 2, lane 1 rows 1 and 3.
    let bytes = _mm256_packus_epi16(_mm256_packs_epi32(a01, a23), _mm256_setzero_si256());
    [
        _mm256_extract_epi32::<0>(bytes),
        _mm256_extract_epi32::<4>(bytes),
        _mm256_extract_epi32::<1>(bytes),
        _mm256_extract_epi32::<5>(bytes),
    ]
}

horizontal_pass!(
    horizontal_avx2,
    "avx2",
    masks_256,
    pixel_avx2,
    run_rows_avx2,
    one_rows_avx2
);

/// Output `x`'s sums for the block's rows, shifted: row `r` in lane `r`, four channels each.
///
/// # Safety
/// `block.fits(pass, x)`.
#[target_feature(enable = "avx512f,avx512bw")]
#[inline]
pub(super) unsafe fn pixel_avx512<const SPLIT: bool>(
    pass: &Horizontal<'_>,
    block: &Block,
    x: usize,
    masks: [__m512i; 2],
) -> __m512i {
    let (taps, pairs) = (&pass.axis.taps, &pass.axis.pairs);
    let [r0, r1, r2, r3] = block.rows;
    let start = (taps.starts[x] as usize - pass.x0) * pass.channels;
    let lo = pairs.lo_row(x);
    let hi = pairs.hi_row(x).unwrap_or(lo);
    let mut acc = _mm512_set1_epi32(1 << (pass.axis.precision_bits - 1));
    let mut acc_hi = _mm512_setzero_si512();
    for j in 0..pairs.groups[x] as usize {
        let off = start + j * GROUP_TAPS * pass.channels;
        // SAFETY: `fits` bounds the 16 bytes at `off` of every row of the block.
        let v = unsafe {
            let v = _mm512_castsi128_si512(_mm_loadu_si128(r0.add(off).cast()));
            let v = _mm512_inserti32x4::<1>(v, _mm_loadu_si128(r1.add(off).cast()));
            let v = _mm512_inserti32x4::<2>(v, _mm_loadu_si128(r2.add(off).cast()));
            _mm512_inserti32x4::<3>(v, _mm_loadu_si128(r3.add(off).cast()))
        };
        let (p, q) = (
            _mm512_shuffle_epi8(v, masks[0]),
            _mm512_shuffle_epi8(v, masks[1]),
        );
        let (wp, wq) = (
            _mm512_set1_epi32(lo[2 * j]),
            _mm512_set1_epi32(lo[2 * j + 1]),
        );
        acc = _mm512_add_epi32(acc, _mm512_madd_epi16(p, wp));
        acc = _mm512_add_epi32(acc, _mm512_madd_epi16(q, wq));
        if SPLIT {
            let (wp, wq) = (
                _mm512_set1_epi32(hi[2 * j]),
                _mm512_set1_epi32(hi[2 * j + 1]),
            );
            acc_hi = _mm512_add_epi32(acc_hi, _mm512_madd_epi16(p, wp));
            acc_hi = _mm512_add_epi32(acc_hi, _mm512_madd_epi16(q, wq));
        }
    }
    if SPLIT {
        acc = _mm512_add_epi32(acc, _mm512_slli_epi32::<{ SPLIT_BITS }>(acc_hi));
    }
    _mm512_sra_epi32(acc, _mm_cvtsi32_si128(pass.axis.precision_bits as i32))
}

/// Four outputs' sums (from [`pixel_avx512`]) as each row's 16 bytes, rows 0 to 3.
#[target_feature(enable = "avx512f,avx512bw")]
#[inline]
pub(super) fn run_rows_avx512([a, b, c, d]: [__m512i; RUN]) -> [__m128i; BLOCK_ROWS] {
    // Lane r: row r's four pixels, in order.
    let bytes = _mm512_packus_epi16(_mm512_packs_epi32(a, b), _mm512_packs_epi32(c, d));
    [
        _mm512_castsi512_si128(bytes),
        _mm512_extracti32x4_epi32::<1>(bytes),
        _mm512_extracti32x4_epi32::<2>(bytes),
        _mm512_extracti32x4_epi32::<3>(bytes),
    ]
}

/// One output's sums (from [`pixel_avx512`]) as each row's 4 bytes, rows 0 to 3.
#[target_feature(enable = "avx512f,avx512bw")]
#[inline]
pub(super) fn one_rows_avx512(acc: __m512i) -> [i32; BLOCK_ROWS] {
    let zero = _mm512_setzero_si512();
    // Lane r holds row r; after packing, its first 32 bits are the pixel.
    let bytes = _mm512_packus_epi16(_mm512_packs_epi32(acc, zero), zero);
    let firsts = _mm512_castsi512_si128(_mm512_permutexvar_epi32(
        _mm512_setr_epi32(0, 4, 8, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
        bytes,
    ));
    [
        _mm_extract_epi32::<0>(firsts),
        _mm_extract_epi32::<1>(firsts),
        _mm_extract_epi32::<2>(firsts),
        _mm_extract_epi32::<3>(firsts),
    ]
}

horizontal_pass!(
    horizontal_avx512,
    "avx512f,avx512bw",
    masks_512,
    pixel_avx512,
    run_rows_avx512,
    one_rows_avx512
);

#[inline(always)]
pub(super) fn to_bytes_128(v: __m128i) -> [u8; 16] {
    // SAFETY: same size, any bit pattern is valid.
    unsafe { std::mem::transmute(v) }
}
