//! Vector versions of libjpeg's two arithmetic-heavy decoding steps, installed into its method
//! tables after `jpeg_start_decompress` (`jpeg_hooks.c` reaches them), giving libjpeg's bytes:
//!
//! - the accurate integer inverse DCT (`jidctint.c`, `jpeg_idct_islow`), eight columns then
//!   eight rows at a time in 32-bit lanes. Pass 2 keeps only bits 18..27 of each sum (its
//!   `& RANGE_MASK`), which 32-bit wrapping arithmetic computes exactly; pass 1 is exact while
//!   no sum leaves 32 bits, which holds for blocks whose dequantized coefficients are at most
//!   [`PASS1_EXACT_LIMIT`] in magnitude (every block of a real photo); other blocks go to
//!   libjpeg's own function.
//! - YCbCr to RGB (`jdcolext.c`, `ycc_rgb_convert`), its tables' integer formulas computed per
//!   pixel.
//!
//! `set_enabled(false)` keeps libjpeg's C functions (tests run both ways).

use mozjpeg_sys::{J_COLOR_SPACE, JDIMENSION, jpeg_component_info, jpeg_decompress_struct};
use std::sync::atomic::{AtomicBool, Ordering};

type IdctFn = unsafe extern "C" fn(
    *mut jpeg_decompress_struct,
    *mut jpeg_component_info,
    *mut i16,
    *mut *mut u8,
    JDIMENSION,
);
type ColorFn = unsafe extern "C" fn(
    *mut jpeg_decompress_struct,
    *mut *mut *mut u8,
    JDIMENSION,
    *mut *mut u8,
    std::ffi::c_int,
);

unsafe extern "C" {
    fn twinproc_jpeg_idct(
        cinfo: *mut jpeg_decompress_struct,
        ci: std::ffi::c_int,
    ) -> Option<IdctFn>;
    fn twinproc_jpeg_set_idct(
        cinfo: *mut jpeg_decompress_struct,
        ci: std::ffi::c_int,
        idct: IdctFn,
    );
    fn twinproc_jpeg_idct_islow() -> IdctFn;
    fn twinproc_jpeg_set_color_convert(cinfo: *mut jpeg_decompress_struct, convert: ColorFn);
    fn twinproc_jpeg_dct_table(compptr: *mut jpeg_component_info) -> *const i32;
    fn twinproc_jpeg_multiplier_bytes() -> std::ffi::c_int;
}

/// The largest dequantized coefficient magnitude for which pass 1's sums stay within 32 bits: no
/// output of the column transform weighs its inputs by more than 61,214 in all (see the test),
/// and 61,214 · 35,081 + 1,024 < 2³¹.
pub(crate) const PASS1_EXACT_LIMIT: i32 = 35_081;

static ENABLED: AtomicBool = AtomicBool::new(true);

/// Whether decoding uses the vector versions (when the processor has AVX2); `false`: libjpeg's
/// own C functions. The bytes are the same either way.
pub fn set_enabled(enabled: bool) {
    ENABLED.store(enabled, Ordering::Relaxed);
}

/// Replaces the methods `cinfo` chose by their vector versions where those apply.
///
/// # Safety
///
/// `cinfo` has been through `jpeg_start_decompress` (its method tables are set up).
pub(crate) unsafe fn install(cinfo: &mut jpeg_decompress_struct) {
    #[cfg(target_arch = "x86_64")]
    {
        if !ENABLED.load(Ordering::Relaxed) || !std::arch::is_x86_feature_detected!("avx2") {
            return;
        }
        // SAFETY: the accessors read and write the method tables `jpeg_start_decompress` set up.
        unsafe {
            let islow = twinproc_jpeg_idct_islow();
            let int_multipliers = twinproc_jpeg_multiplier_bytes() == 4;
            for ci in (0..cinfo.num_components).filter(|_| int_multipliers) {
                if twinproc_jpeg_idct(cinfo, ci).is_some_and(|f| f as usize == islow as usize) {
                    twinproc_jpeg_set_idct(cinfo, ci, x86::idct_islow);
                }
            }
            if cinfo.jpeg_color_space == J_COLOR_SPACE::JCS_YCbCr
                && cinfo.out_color_space == J_COLOR_SPACE::JCS_RGB
                && cinfo.num_components == 3
                && cinfo.do_fancy_upsampling != 0
            {
                twinproc_jpeg_set_color_convert(cinfo, x86::ycc_rgb);
            }
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = cinfo;
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::*;
    use std::arch::x86_64::*;

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
    pub(super) unsafe extern "C" fn idct_islow(
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
                outside =
                    _mm256_or_si256(outside, _mm256_cmpgt_epi32(_mm256_abs_epi32(*lane), limit));
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

    /// `ycc_rgb_convert`: `num_rows` rows of Y, Cb, Cr from `input_row` to RGB rows.
    pub(super) unsafe extern "C" fn ycc_rgb(
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

    /// One row; 16 pixels at a time, the rest one by one.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn ycc_rgb_row(y: &[u8], cb: &[u8], cr: &[u8], out: &mut [u8]) {
        let whole = y.len() / 16 * 16;
        let mut planes = [[0u8; 16]; 3];
        for x in (0..whole).step_by(16) {
            // SAFETY: 16 samples of each plane from `x` on, within `whole`.
            unsafe {
                let load =
                    |p: &[u8]| _mm256_cvtepu8_epi16(_mm_loadu_si128(p.as_ptr().add(x).cast()));
                let (yv, cbv, crv) = (load(y), load(cb), load(cr));
                let halves = |v: __m256i| {
                    (
                        _mm256_cvtepi16_epi32(_mm256_castsi256_si128(v)),
                        _mm256_cvtepi16_epi32(_mm256_extracti128_si256(v, 1)),
                    )
                };
                let centered = |v| _mm256_sub_epi32(v, _mm256_set1_epi32(128));
                let (y0, y1) = halves(yv);
                let (b0, b1) = halves(cbv);
                let (r0, r1) = halves(crv);
                let channels = |yy, b, r| {
                    let (b, r) = (centered(b), centered(r));
                    let half = _mm256_set1_epi32(1 << 15);
                    let red = _mm256_srai_epi32(
                        _mm256_add_epi32(_mm256_mullo_epi32(r, _mm256_set1_epi32(91881)), half),
                        16,
                    );
                    let blue = _mm256_srai_epi32(
                        _mm256_add_epi32(_mm256_mullo_epi32(b, _mm256_set1_epi32(116130)), half),
                        16,
                    );
                    let green = _mm256_srai_epi32(
                        _mm256_add_epi32(
                            _mm256_add_epi32(
                                _mm256_mullo_epi32(b, _mm256_set1_epi32(-22554)),
                                half,
                            ),
                            _mm256_mullo_epi32(r, _mm256_set1_epi32(-46802)),
                        ),
                        16,
                    );
                    [
                        _mm256_add_epi32(yy, red),
                        _mm256_add_epi32(yy, green),
                        _mm256_add_epi32(yy, blue),
                    ]
                };
                let first = channels(y0, b0, r0);
                let second = channels(y1, b1, r1);
                for c in 0..3 {
                    // Saturating packs clamp to 0..255 (the range limit of in-range samples).
                    let words = _mm256_packs_epi32(first[c], second[c]);
                    let words = _mm256_permute4x64_epi64(words, 0b11_01_10_00);
                    let bytes = _mm256_packus_epi16(words, words);
                    let bytes = _mm256_permute4x64_epi64(bytes, 0b11_01_10_00);
                    _mm_storeu_si128(planes[c].as_mut_ptr().cast(), _mm256_castsi256_si128(bytes));
                }
            }
            for (i, px) in out[3 * x..3 * (x + 16)].chunks_exact_mut(3).enumerate() {
                px.copy_from_slice(&[planes[0][i], planes[1][i], planes[2][i]]);
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
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A decompressor started on a Pillow-written JPEG of the corpus (its quantization tables in
    /// place), handed to `body`.
    fn with_started(file: &str, body: impl FnOnce(&mut jpeg_decompress_struct)) {
        use mozjpeg_sys::*;
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/fixtures/jpeg")
            .join(file);
        let data = std::fs::read(path).unwrap();
        // SAFETY: libjpeg's own sequence on a valid file; destroyed at the end.
        unsafe {
            let mut err: jpeg_error_mgr = std::mem::zeroed();
            let mut cinfo: jpeg_decompress_struct = std::mem::zeroed();
            cinfo.common.err = jpeg_std_error(&mut err);
            jpeg_create_decompress(&mut cinfo);
            jpeg_mem_src(&mut cinfo, data.as_ptr(), data.len() as _);
            jpeg_read_header(&mut cinfo, 1);
            cinfo.dct_method = J_DCT_METHOD::JDCT_ISLOW;
            jpeg_start_decompress(&mut cinfo);
            body(&mut cinfo);
            jpeg_destroy_decompress(&mut cinfo);
        }
    }

    /// Random blocks, small and large (past the limit too), through libjpeg's `jpeg_idct_islow`
    /// and the vector one, with quantization tables of quality 10 and 100: the same samples.
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn the_vector_idct_is_libjpegs() {
        if !std::arch::is_x86_feature_detected!("avx2") {
            return;
        }
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for file in [
            "00_rgb_64x48_quality10_subsampling0.jpg",
            "02_rgb_64x48_quality100_subsampling0.jpg",
        ] {
            with_started(file, |cinfo| {
                for block in 0..60_000 {
                    let ci = block % 3;
                    // SAFETY: a started decompressor's component; 8 rows of 8 samples each.
                    unsafe {
                        let compptr = cinfo.comp_info.add(ci);
                        let magnitude = [8, 64, 512, 2048, 32767][block % 5];
                        let mut coef = [0i16; 64];
                        for c in coef.iter_mut() {
                            let r = next();
                            // Mostly zeros, as quantized blocks are.
                            if r % 3 == 0 {
                                *c = (((r >> 8) % (2 * magnitude + 1)) as i64 - magnitude as i64)
                                    as i16;
                            }
                        }
                        let mut ours = [[0u8; 8]; 8];
                        let mut theirs = [[0u8; 8]; 8];
                        let mut rows: Vec<*mut u8> =
                            ours.iter_mut().map(|r| r.as_mut_ptr()).collect();
                        x86::idct_islow(
                            cinfo,
                            compptr,
                            coef.clone().as_mut_ptr(),
                            rows.as_mut_ptr(),
                            0,
                        );
                        let mut rows: Vec<*mut u8> =
                            theirs.iter_mut().map(|r| r.as_mut_ptr()).collect();
                        (twinproc_jpeg_idct_islow())(
                            cinfo,
                            compptr,
                            coef.as_mut_ptr(),
                            rows.as_mut_ptr(),
                            0,
                        );
                        assert_eq!(ours, theirs, "{file}, block {block}: {coef:?}");
                    }
                }
            });
        }
    }

    /// Every (Y, Cb, Cr) through the vector conversion equals `jdcolor.c`'s tables and range
    /// limit, transcribed: `Cr_r_tab`, `Cb_b_tab` rounded, `Cb_g_tab` carrying the half.
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn the_vector_colour_conversion_is_libjpegs() {
        if !std::arch::is_x86_feature_detected!("avx2") {
            return;
        }
        let fix = |x: f64| (x * 65536.0 + 0.5) as i64;
        let table = |i: i64| {
            let x = i - 128;
            let r = (fix(1.40200) * x + (1 << 15)) >> 16;
            let b = (fix(1.77200) * x + (1 << 15)) >> 16;
            (r, b, -fix(0.71414) * x, -fix(0.34414) * x + (1 << 15))
        };
        let limit = |v: i64| v.clamp(0, 255) as u8;
        // Rows of 256 + 7 pixels (a tail past the vector width), every Y for each (Cb, Cr).
        let width = 263;
        for cb in 0..256 {
            for cr in 0..256 {
                let y: Vec<u8> = (0..width).map(|x| (x % 256) as u8).collect();
                let (cbs, crs) = (vec![cb as u8; width], vec![cr as u8; width]);
                let mut out = vec![0u8; 3 * width];
                // SAFETY: AVX2 checked above.
                unsafe { x86::ycc_rgb_row(&y, &cbs, &crs, &mut out) };
                let (r_cr, _, g_cr, _) = table(cr);
                let (_, b_cb, _, g_cb) = table(cb);
                for (x, px) in out.chunks_exact(3).enumerate() {
                    let yy = i64::from(y[x]);
                    let expected = [
                        limit(yy + r_cr),
                        limit(yy + ((g_cb + g_cr) >> 16)),
                        limit(yy + b_cb),
                    ];
                    assert_eq!(px, expected, "y {yy} cb {cb} cr {cr}");
                }
            }
        }
    }

    /// The column transform's outputs weigh their eight inputs by at most 61,214 in all: the
    /// bound behind [`PASS1_EXACT_LIMIT`], from `jidctint.c`'s constants.
    #[test]
    fn pass_one_stays_within_32_bits_below_the_limit() {
        let transform = |v: [i64; 8]| -> [i64; 8] {
            let z1 = (v[2] + v[6]) * 4433;
            let (tmp2, tmp3) = (z1 - v[6] * 15137, z1 + v[2] * 6270);
            let (tmp0, tmp1) = ((v[0] + v[4]) << 13, (v[0] - v[4]) << 13);
            let (t0, t1, t2, t3) = (v[7], v[5], v[3], v[1]);
            let z5 = (t0 + t2 + t1 + t3) * 9633;
            let (z1, z2) = ((t0 + t3) * -7373, (t1 + t2) * -20995);
            let (z3, z4) = ((t0 + t2) * -16069 + z5, (t1 + t3) * -3196 + z5);
            let (t0, t1, t2, t3) = (
                t0 * 2446 + z1 + z3,
                t1 * 16819 + z2 + z4,
                t2 * 25172 + z2 + z3,
                t3 * 12299 + z1 + z4,
            );
            [
                tmp0 + tmp3 + t3,
                tmp1 + tmp2 + t2,
                tmp1 - tmp2 + t1,
                tmp0 - tmp3 + t0,
                tmp0 - tmp3 - t0,
                tmp1 - tmp2 - t1,
                tmp1 + tmp2 - t2,
                tmp0 + tmp3 - t3,
            ]
        };
        let mut weight = [0i64; 8];
        for k in 0..8 {
            let mut unit = [0; 8];
            unit[k] = 1;
            for (w, out) in weight.iter_mut().zip(transform(unit)) {
                *w += out.abs();
            }
        }
        let worst = *weight.iter().max().unwrap();
        assert_eq!(worst, 61_214);
        assert!(worst * i64::from(PASS1_EXACT_LIMIT) + 1024 < 1 << 31);
        assert!(worst * (i64::from(PASS1_EXACT_LIMIT) + 1) + 1024 >= 1 << 31);
    }
}
