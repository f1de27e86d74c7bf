//! `jpeg_idct_islow` (`jidctint.c`) in AVX2: eight columns, then eight rows, each output a sum
//! of 16-bit inputs times 16-bit constants taken two at a time (`pmaddwd`) into 32-bit lanes.
//!
//! `jidctint.c` multiplies sums (`(z2 + z3) * FIX_0_541196100`, the odd part's `z1`…`z5`) in
//! 64-bit `JLONG`s. Multiplied out, every output is each input times one constant (the pairs
//! below), the same integer; in 32 bits it stays that integer while no sum leaves 32 bits. No
//! output weighs its eight inputs by more than 61,214 in all (see the test), and
//! 61,214 · 32,768 + 2¹⁷ < 2³¹: a block goes this way when its dequantized coefficients fit 16
//! bits (every block of a real photo), and pass 2 too when pass 1's outputs do. Otherwise pass 2
//! runs on 32-bit lanes with 32-bit products, whose wrapping keeps the bits it keeps (18..27, its
//! `& RANGE_MASK`) exact; a block past 16 bits goes to libjpeg's own function.

use super::hooks::{twinproc_jpeg_dct_table, twinproc_jpeg_idct_islow};
use mozjpeg_sys::{JDIMENSION, jpeg_component_info, jpeg_decompress_struct};
use std::arch::x86_64::*;

/// Each output's constants for the input pairs `(v0, v4)`, `(v2, v6)`, `(v7, v5)`, `(v3, v1)`:
/// `jidctint.c`'s even part (`tmp0`…`tmp3`) and odd part (its `tmp0`…`tmp3` after `z1`…`z5`).
const EVEN_04: [(i16, i16); 2] = [(8192, 8192), (8192, -8192)];
const EVEN_26: [(i16, i16); 2] = [(4433, -10704), (10703, 4433)];
const ODD: [[(i16, i16); 2]; 4] = [
    [(-11363, 9633), (-6436, 2260)],
    [(9633, 2261), (-11362, 6437)],
    [(-6436, -11362), (-2259, 9633)],
    [(2260, 6437), (9633, 11363)],
];

/// Which arithmetic a block took.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Route {
    /// Both passes on 16-bit inputs.
    Narrow,
    /// Pass 1 on 16-bit inputs, pass 2 in wrapping 32-bit lanes.
    WideRows,
    /// libjpeg's own function.
    Libjpeg,
}

/// `jpeg_idct_islow` on one block.
pub(crate) unsafe extern "C" fn idct_islow(
    cinfo: *mut jpeg_decompress_struct,
    compptr: *mut jpeg_component_info,
    coef_block: *mut i16,
    output_buf: *mut *mut u8,
    output_col: JDIMENSION,
) {
    // SAFETY: as `idct_route`'s, which libjpeg's call to its inverse DCT meets.
    unsafe { idct_route(cinfo, compptr, coef_block, output_buf, output_col) };
}

/// [`idct_islow`], saying which arithmetic the block took.
///
/// # Safety
///
/// As libjpeg calls its inverse DCT: a block of 64 coefficients, the component's 64 multipliers
/// (`int`, libjpeg built without its SIMD), and 8 output rows with 8 samples from `output_col`
/// on; the processor has AVX2 (`install` checked).
pub(crate) unsafe fn idct_route(
    cinfo: *mut jpeg_decompress_struct,
    compptr: *mut jpeg_component_info,
    coef_block: *mut i16,
    output_buf: *mut *mut u8,
    output_col: JDIMENSION,
) -> Route {
    unsafe {
        let quant = twinproc_jpeg_dct_table(compptr);
        let route = transform_block(coef_block, quant, output_buf, output_col);
        if route == Route::Libjpeg {
            (twinproc_jpeg_idct_islow())(cinfo, compptr, coef_block, output_buf, output_col);
        }
        route
    }
}

/// `(a, b)` in each 32-bit lane as the 16-bit pair `pmaddwd` reads: `a` low, `b` high. Both hold
/// 16-bit values.
#[inline]
#[target_feature(enable = "avx2")]
fn pair(a: __m256i, b: __m256i) -> __m256i {
    _mm256_blend_epi16(a, _mm256_slli_epi32(b, 16), 0b1010_1010)
}

/// `a · c.0 + b · c.1` in each lane of a [`pair`].
#[inline]
#[target_feature(enable = "avx2")]
fn madd(pair: __m256i, c: (i16, i16)) -> __m256i {
    _mm256_madd_epi16(
        pair,
        _mm256_set1_epi32((c.0 as u16 as i32) | (i32::from(c.1) << 16)),
    )
}

/// The column or row transform on eight lanes whose inputs `v[k]` all fit 16 bits: the eight
/// sums, `round` added, before their descaling.
#[inline]
#[target_feature(enable = "avx2")]
fn narrow(v: &[__m256i; 8], round: i32) -> [__m256i; 8] {
    let (add, sub) = (|a, b| _mm256_add_epi32(a, b), |a, b| _mm256_sub_epi32(a, b));
    let (p04, p26) = (pair(v[0], v[4]), pair(v[2], v[6]));
    let (p75, p31) = (pair(v[7], v[5]), pair(v[3], v[1]));
    let round = _mm256_set1_epi32(round);
    let tmp0 = add(madd(p04, EVEN_04[0]), round);
    let tmp1 = add(madd(p04, EVEN_04[1]), round);
    let (tmp2, tmp3) = (madd(p26, EVEN_26[0]), madd(p26, EVEN_26[1]));
    let (tmp10, tmp13) = (add(tmp0, tmp3), sub(tmp0, tmp3));
    let (tmp11, tmp12) = (add(tmp1, tmp2), sub(tmp1, tmp2));
    let mut odd = [round; 4];
    for (o, [c75, c31]) in odd.iter_mut().zip(ODD) {
        *o = add(madd(p75, c75), madd(p31, c31));
    }
    [
        add(tmp10, odd[3]),
        add(tmp11, odd[2]),
        add(tmp12, odd[1]),
        add(tmp13, odd[0]),
        sub(tmp13, odd[0]),
        sub(tmp12, odd[1]),
        sub(tmp11, odd[2]),
        sub(tmp10, odd[3]),
    ]
}

/// The same transform, `jidctint.c`'s formulas as written, in wrapping 32-bit lanes.
#[inline]
#[target_feature(enable = "avx2")]
fn wide(v: &[__m256i; 8], round: i32) -> [__m256i; 8] {
    let k = |c: i32| _mm256_set1_epi32(c);
    let mul = |a, c: i32| _mm256_mullo_epi32(a, k(c));
    let add = |a, b| _mm256_add_epi32(a, b);
    let sub = |a, b| _mm256_sub_epi32(a, b);
    // Even part.
    let z1 = mul(add(v[2], v[6]), 4433);
    let tmp2 = add(z1, mul(v[6], -15137));
    let tmp3 = add(z1, mul(v[2], 6270));
    let tmp0 = add(_mm256_slli_epi32(add(v[0], v[4]), 13), k(round));
    let tmp1 = add(_mm256_slli_epi32(sub(v[0], v[4]), 13), k(round));
    let (tmp10, tmp13) = (add(tmp0, tmp3), sub(tmp0, tmp3));
    let (tmp11, tmp12) = (add(tmp1, tmp2), sub(tmp1, tmp2));
    // Odd part.
    let (t0, t1, t2, t3) = (v[7], v[5], v[3], v[1]);
    let z5 = mul(add(add(t0, t2), add(t1, t3)), 9633);
    let (z1, z2) = (mul(add(t0, t3), -7373), mul(add(t1, t2), -20995));
    let z3 = add(mul(add(t0, t2), -16069), z5);
    let z4 = add(mul(add(t1, t3), -3196), z5);
    let t0 = add(mul(t0, 2446), add(z1, z3));
    let t1 = add(mul(t1, 16819), add(z2, z4));
    let t2 = add(mul(t2, 25172), add(z2, z3));
    let t3 = add(mul(t3, 12299), add(z1, z4));
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

/// The transpose of an 8×8 matrix of 32-bit values held as eight rows.
#[inline]
#[target_feature(enable = "avx2")]
fn transpose(r: [__m256i; 8]) -> [__m256i; 8] {
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

/// Whether every lane of `v` holds a 16-bit value.
#[inline]
#[target_feature(enable = "avx2")]
fn fit_16_bits(v: &[__m256i; 8]) -> bool {
    let (mut lo, mut hi) = (v[0], v[0]);
    for x in &v[1..] {
        lo = _mm256_min_epi32(lo, *x);
        hi = _mm256_max_epi32(hi, *x);
    }
    let out = _mm256_or_si256(
        _mm256_cmpgt_epi32(hi, _mm256_set1_epi32(i16::MAX.into())),
        _mm256_cmpgt_epi32(_mm256_set1_epi32(i16::MIN.into()), lo),
    );
    _mm256_testz_si256(out, out) != 0
}

/// Both passes into the output rows, or [`Route::Libjpeg`] (nothing written) when a
/// dequantized coefficient does not fit 16 bits.
#[target_feature(enable = "avx2")]
unsafe fn transform_block(
    coef: *const i16,
    quant: *const i32,
    output_buf: *mut *mut u8,
    output_col: JDIMENSION,
) -> Route {
    unsafe {
        let mut v = [_mm256_setzero_si256(); 8];
        for (r, lane) in v.iter_mut().enumerate() {
            let c = _mm256_cvtepi16_epi32(_mm_loadu_si128(coef.add(8 * r).cast()));
            let q = _mm256_loadu_si256(quant.add(8 * r).cast());
            *lane = _mm256_mullo_epi32(c, q);
        }
        if !fit_16_bits(&v) {
            return Route::Libjpeg;
        }
        // Pass 1: columns in lanes; DESCALE by CONST_BITS - PASS1_BITS = 11.
        let mut columns = narrow(&v, 1 << 10);
        for s in &mut columns {
            *s = _mm256_srai_epi32(*s, 11);
        }
        // Pass 2: rows in lanes; DESCALE by CONST_BITS + PASS1_BITS + 3 = 18.
        let rows = transpose(columns);
        let (route, mut samples) = if fit_16_bits(&rows) {
            (Route::Narrow, narrow(&rows, 1 << 17))
        } else {
            (Route::WideRows, wide(&rows, 1 << 17))
        };
        // The range limit of the low 10 bits: a signed 10-bit value s gives clamp(s + 128, 0, 255).
        let center = _mm256_set1_epi32(128);
        for s in &mut samples {
            let low = _mm256_srai_epi32(_mm256_slli_epi32(_mm256_srai_epi32(*s, 18), 22), 22);
            *s = _mm256_add_epi32(low, center);
        }
        store(&samples, output_buf, output_col);
        route
    }
}

/// Moves byte `4x + y` of each 16-byte half to `4y + x`: a 4×4 transpose.
const TRANSPOSE_4X4: [i8; 16] = {
    let mut mask = [0i8; 16];
    let mut i = 0;
    while i < 16 {
        mask[4 * (i % 4) + i / 4] = i as i8;
        i += 1;
    }
    mask
};

/// Writes the samples, `samples[x]` holding column `x` of rows 0..8 in its lanes, to the output
/// rows: saturated to bytes (the range limit's clamp), transposed in bytes.
#[inline]
#[target_feature(enable = "avx2")]
unsafe fn store(samples: &[__m256i; 8], output_buf: *mut *mut u8, output_col: JDIMENSION) {
    unsafe {
        // Per 128-bit half: columns 0..4 (then 4..8) of rows 0..4 (high half: rows 4..8),
        // four bytes a column.
        let words = |a: usize| _mm256_packs_epi32(samples[a], samples[a + 1]);
        let left = _mm256_packus_epi16(words(0), words(2));
        let right = _mm256_packus_epi16(words(4), words(6));
        let mask = _mm256_broadcastsi128_si256(_mm_loadu_si128(TRANSPOSE_4X4.as_ptr().cast()));
        // Now four bytes a row: rows 0..4 (4..8) of columns 0..4 (4..8).
        let (left, right) = (
            _mm256_shuffle_epi8(left, mask),
            _mm256_shuffle_epi8(right, mask),
        );
        // Rows 0, 1 | 4, 5 and 2, 3 | 6, 7, eight bytes each.
        let even = _mm256_unpacklo_epi32(left, right);
        let odd = _mm256_unpackhi_epi32(left, right);
        let halves = [
            _mm256_castsi256_si128(even),
            _mm256_castsi256_si128(odd),
            _mm256_extracti128_si256(even, 1),
            _mm256_extracti128_si256(odd, 1),
        ];
        for (k, half) in halves.iter().enumerate() {
            let row = |r: usize| (*output_buf.add(r)).add(output_col as usize);
            _mm_storel_epi64(row(2 * k).cast(), *half);
            _mm_storeh_pd(row(2 * k + 1).cast(), _mm_castsi128_pd(*half));
        }
    }
}
