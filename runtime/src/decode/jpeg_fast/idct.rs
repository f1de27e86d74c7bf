//! `jpeg_idct_islow` (`jidctint.c`) in AVX2: eight columns, then eight rows, in 32-bit lanes.

use super::hooks::{twinproc_jpeg_dct_table, twinproc_jpeg_idct_islow};
use mozjpeg_sys::{JDIMENSION, jpeg_component_info, jpeg_decompress_struct};
use std::arch::x86_64::*;

/// The largest dequantized coefficient magnitude for which pass 1's sums stay within 32 bits: no
/// output of the column transform weighs its inputs by more than 61,214 in all (see the test),
/// and 61,214 · 35,081 + 1,024 < 2³¹.
pub(crate) const PASS1_EXACT_LIMIT: i32 = 35_081;

/// The column (pass 1) or row (pass 2) transform of `jpeg_idct_islow` on eight lanes:
/// `v[k]` holds input `k` of each lane; returns the eight sums before their descaling.
#[inline(always)]
unsafe fn transform(v: [__m256i; 8]) -> [__m256i; 8] {
    unsafe {
        let k = |c: i32| _mm256_set1_epi32(c);
        let mul = |a, c: i32| _mm256_mullo_epi32(a, k(c));
        let add = |a, b| _mm256_add_epi32(a, b);
        let sub = |a, b| _mm256_sub_epi32(a, b);
        // Even part.
        let z1 = mul(add(v[2], v[6]), 4433);
        let tmp2 = add(z1, mul(v[6], -15137));
        let tmp3 = add(z1, mul(v[2], 6270));
        let tmp0 = _mm256_slli_epi32(add(v[0], v[4]), 13);
        let tmp1 = _mm256_slli_epi32(sub(v[0], v[4]), 13);
        let (tmp10, tmp13) = (add(tmp0, tmp3), sub(tmp0, tmp3));
        let (tmp11, tmp12) = (add(tmp1, tmp2), sub(tmp1, tmp2));
        // Odd part.
        let (t0, t1, t2, t3) = (v[7], v[5], v[3], v[1]);
        let z1 = add(t0, t3);
        let z2 = add(t1, t2);
        let z3 = add(t0, t2);
        let z4 = add(t1, t3);
        let z5 = mul(add(z3, z4), 9633);
        let (t0, t1, t2, t3) = (
            mul(t0, 2446),
            mul(t1, 16819),
            mul(t2, 25172),
            mul(t3, 12299),
        );
        let (z1, z2) = (mul(z1, -7373), mul(z2, -20995));
        let z3 = add(mul(z3, -16069), z5);
        let z4 = add(mul(z4, -3196), z5);
        let t0 = add(t0, add(z1, z3));
        let t1 = add(t1, add(z2, z4));
        let t2 = add(t2, add(z2, z3));
        let t3 = add(t3, add(z1, z4));
        [
            add(tmp10, t3),
            add(tmp11, t2),
            add(tmp12, t1),
            add(tmp13, t0),
            sub(tmp13, t0),
            sub(tmp12, t1),
            sub(tmp11, t2),
            sub(tmp10, t3),
        ]
    }
}

/// The transpose of an 8×8 matrix of 32-bit values held as eight rows.
#[inline(always)]
unsafe fn transpose(r: [__m256i; 8]) -> [__m256i; 8] {
    unsafe {
        let t0 = _mm256_unpacklo_epi32(r[0], r[1]);
        let t1 = _mm256_unpackhi_epi32(r[0], r[1]);
        let t2 = _mm256_unpacklo_epi32(r[2], r[3]);
        let t3 = _mm256_unpackhi_epi32(r[2], r[3]);
        let t4 = _mm256_unpacklo_epi32(r[4], r[5]);
        let t5 = _mm256_unpackhi_epi32(r[4], r[5]);
        let t6 = _mm256_unpacklo_epi32(r[6], r[7]);
        let t7 = _mm256_unpackhi_epi32(r[6], r[7]);
        let u0 = _mm256_unpacklo_epi64(t0, t2);
        let u1 = _mm256_unpackhi_epi64(t0, t2);
        let u2 = _mm256_unpacklo_epi64(t1, t3);
        let u3 = _mm256_unpackhi_epi64(t1, t3);
        let u4 = _mm256_unpacklo_epi64(t4, t6);
        let u5 = _mm256_unpackhi_epi64(t4, t6);
        let u6 = _mm256_unpacklo_epi64(t5, t7);
        let u7 = _mm256_unpackhi_epi64(t5, t7);
        [
            _mm256_permute2x128_si256(u0, u4, 0x20),
            _mm256_permute2x128_si256(u1, u5, 0x20),
            _mm256_permute2x128_si256(u2, u6, 0x20),
            _mm256_permute2x128_si256(u3, u7, 0x20),
            _mm256_permute2x128_si256(u0, u4, 0x31),
            _mm256_permute2x128_si256(u1, u5, 0x31),
            _mm256_permute2x128_si256(u2, u6, 0x31),
            _mm256_permute2x128_si256(u3, u7, 0x31),
        ]
    }
}

/// `jpeg_idct_islow` on one block.
pub(crate) unsafe extern "C" fn idct_islow(
    cinfo: *mut jpeg_decompress_struct,
    compptr: *mut jpeg_component_info,
    coef_block: *mut i16,
    output_buf: *mut *mut u8,
    output_col: JDIMENSION,
) {
    // SAFETY: libjpeg calls this as its inverse DCT: a block of 64 coefficients, the
    // component's 64 multipliers (`int`, libjpeg built without its SIMD), and 8 output rows
    // with 8 samples from `output_col` on; `install` checked for AVX2.
    unsafe {
        let quant = twinproc_jpeg_dct_table(compptr);
        if !pass(coef_block, quant, output_buf, output_col) {
            (twinproc_jpeg_idct_islow())(cinfo, compptr, coef_block, output_buf, output_col);
        }
    }
}

/// Both passes; `false` (nothing written) if a coefficient is past [`PASS1_EXACT_LIMIT`].
#[target_feature(enable = "avx2")]
unsafe fn pass(
    coef: *const i16,
    quant: *const i32,
    output_buf: *mut *mut u8,
    output_col: JDIMENSION,
) -> bool {
    unsafe {
        let mut v = [_mm256_setzero_si256(); 8];
        let mut outside = _mm256_setzero_si256();
        let limit = _mm256_set1_epi32(PASS1_EXACT_LIMIT);
        for (r, lane) in v.iter_mut().enumerate() {
            let c = _mm256_cvtepi16_epi32(_mm_loadu_si128(coef.add(8 * r).cast()));
            let q = _mm256_loadu_si256(quant.add(8 * r).cast());
            *lane = _mm256_mullo_epi32(c, q);
            outside = _mm256_or_si256(outside, _mm256_cmpgt_epi32(_mm256_abs_epi32(*lane), limit));
        }
        if _mm256_movemask_epi8(outside) != 0 {
            return false;
        }
        // Pass 1: columns in lanes; DESCALE by CONST_BITS - PASS1_BITS = 11.
        let round = _mm256_set1_epi32(1 << 10);
        let columns = transform(v).map(|s| _mm256_srai_epi32(_mm256_add_epi32(s, round), 11));
        // Pass 2: rows in lanes; DESCALE by CONST_BITS + PASS1_BITS + 3 = 18, then the range
        // limit of the low 10 bits: a signed 10-bit value s gives clamp(s + 128, 0, 255).
        let round = _mm256_set1_epi32(1 << 17);
        let center = _mm256_set1_epi32(128);
        let rows = transform(transpose(columns)).map(|s| {
            let s = _mm256_srai_epi32(_mm256_add_epi32(s, round), 18);
            _mm256_add_epi32(_mm256_srai_epi32(_mm256_slli_epi32(s, 22), 22), center)
        });
        let out = transpose(rows);
        for (r, row) in out.iter().enumerate() {
            let words = _mm256_packs_epi32(*row, *row);
            let bytes = _mm256_packus_epi16(words, words);
            // Lanes 0-3 of the low half and 0-3 of the high half: the row's 8 samples.
            let low = _mm256_castsi256_si128(bytes);
            let high = _mm256_extracti128_si256(bytes, 1);
            let samples = _mm_unpacklo_epi32(low, high);
            let dst = (*output_buf.add(r)).add(output_col as usize);
            _mm_storel_epi64(dst.cast(), samples);
        }
        true
    }
}
