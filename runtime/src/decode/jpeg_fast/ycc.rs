//! `ycc_rgb_convert` (`jdcolext.c`) in AVX2: the integer formulas of `jdcolor.c`'s tables, 16
//! pixels at a time in 16-bit lanes.

use mozjpeg_sys::{JDIMENSION, jpeg_decompress_struct};
use std::arch::x86_64::*;

/// `ycc_rgb_convert`: `num_rows` rows of Y, Cb, Cr from `input_row` to RGB rows.
pub(crate) unsafe extern "C" fn ycc_rgb(
    cinfo: *mut jpeg_decompress_struct,
    input_buf: *mut *mut *mut u8,
    input_row: JDIMENSION,
    output_buf: *mut *mut u8,
    num_rows: std::ffi::c_int,
) {
    // SAFETY: libjpeg calls this as its colour converter: three component row arrays with
    // rows from `input_row` on, and `num_rows` output rows, each of `output_width` pixels.
    unsafe {
        let width = (*cinfo).output_width as usize;
        for i in 0..num_rows.max(0) as usize {
            let row = input_row as usize + i;
            let y = std::slice::from_raw_parts(*(*input_buf).add(row), width);
            let cb = std::slice::from_raw_parts(*(*input_buf.add(1)).add(row), width);
            let cr = std::slice::from_raw_parts(*(*input_buf.add(2)).add(row), width);
            let out = std::slice::from_raw_parts_mut(*output_buf.add(i), 3 * width);
            ycc_rgb_row(y, cb, cr, out);
        }
    }
}

/// For each 16-byte run of 16 interleaved RGB pixels, and each plane (R, G, B): which byte of
/// the plane lands at each place of the run (-128: none, a `pshufb` zero).
const INTERLEAVE: [[[i8; 16]; 3]; 3] = {
    let mut masks = [[[-128i8; 16]; 3]; 3];
    let mut at = 0;
    while at < 48 {
        masks[at / 16][at % 3][at % 16] = (at / 3) as i8;
        at += 1;
    }
    masks
};

/// `(v · c + 2¹⁵) >> 16` in each 16-bit lane, exactly: the high half of the product, plus one
/// where its low half is at least 2¹⁵.
#[inline]
#[target_feature(enable = "avx2")]
fn rounded_high(v: __m256i, c: i16) -> __m256i {
    let c = _mm256_set1_epi16(c);
    _mm256_add_epi16(
        _mm256_mulhi_epi16(v, c),
        _mm256_srli_epi16(_mm256_mullo_epi16(v, c), 15),
    )
}

/// One row; 16 pixels at a time, the rest one by one. In 16-bit lanes, each table's constant
/// split into a multiple of 2¹⁶ and a 16-bit rest: R = Y + r + (26,345·r + 2¹⁵) >> 16 (91,881 =
/// 2¹⁶ + 26,345), B = Y + 2b + (-14,942·b + 2¹⁵) >> 16 (116,130 = 2¹⁷ − 14,942), G = Y − r +
/// (−22,554·b + 18,734·r + 2¹⁵) >> 16 (−46,802 = −2¹⁶ + 18,734), the last sum in 32 bits.
#[target_feature(enable = "avx2")]
pub(crate) unsafe fn ycc_rgb_row(y: &[u8], cb: &[u8], cr: &[u8], out: &mut [u8]) {
    let whole = y.len() / 16 * 16;
    for x in (0..whole).step_by(16) {
        // SAFETY: 16 samples of each plane from `x` on, within `whole`; 48 output bytes from 3x.
        unsafe {
            let load = |p: &[u8]| _mm256_cvtepu8_epi16(_mm_loadu_si128(p.as_ptr().add(x).cast()));
            let centre = _mm256_set1_epi16(128);
            let yy = load(y);
            let b = _mm256_sub_epi16(load(cb), centre);
            let r = _mm256_sub_epi16(load(cr), centre);
            let red = _mm256_add_epi16(_mm256_add_epi16(yy, r), rounded_high(r, 26345));
            let blue = _mm256_add_epi16(
                _mm256_add_epi16(yy, _mm256_add_epi16(b, b)),
                rounded_high(b, -14942),
            );
            // (b, r) pairs; the packs put each 128-bit half's eight pixels back in order.
            let constants = _mm256_set1_epi32((-22554i32 as u16 as i32) | (18734 << 16));
            let half = _mm256_set1_epi32(1 << 15);
            let sum = |pairs| {
                _mm256_srai_epi32(
                    _mm256_add_epi32(_mm256_madd_epi16(pairs, constants), half),
                    16,
                )
            };
            let green = _mm256_packs_epi32(
                sum(_mm256_unpacklo_epi16(b, r)),
                sum(_mm256_unpackhi_epi16(b, r)),
            );
            let green = _mm256_add_epi16(_mm256_sub_epi16(yy, r), green);
            // Saturating packs clamp to 0..255 (the range limit of in-range samples).
            let order = |v| _mm256_permute4x64_epi64(v, 0b11_01_10_00);
            let red_green = order(_mm256_packus_epi16(red, green));
            let blue = order(_mm256_packus_epi16(blue, blue));
            let planes = [
                _mm256_castsi256_si128(red_green),
                _mm256_extracti128_si256(red_green, 1),
                _mm256_castsi256_si128(blue),
            ];
            // Interleaved: each 16-byte run of the 48 gathers its bytes from the three planes.
            for (k, masks) in INTERLEAVE.iter().enumerate() {
                let mut run = _mm_setzero_si128();
                for (plane, mask) in planes.iter().zip(masks) {
                    let mask = _mm_loadu_si128(mask.as_ptr().cast());
                    run = _mm_or_si128(run, _mm_shuffle_epi8(*plane, mask));
                }
                _mm_storeu_si128(out.as_mut_ptr().add(3 * x + 16 * k).cast(), run);
            }
        }
    }
    for x in whole..y.len() {
        let (yy, b, r) = (
            i32::from(y[x]),
            i32::from(cb[x]) - 128,
            i32::from(cr[x]) - 128,
        );
        let red = (91881 * r + (1 << 15)) >> 16;
        let blue = (116130 * b + (1 << 15)) >> 16;
        let green = (-22554 * b + (1 << 15) - 46802 * r) >> 16;
        for (c, v) in [red, green, blue].into_iter().enumerate() {
            out[3 * x + c] = (yy + v).clamp(0, 255) as u8;
        }
    }
}
