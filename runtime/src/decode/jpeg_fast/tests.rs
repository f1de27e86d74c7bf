//! The vector functions against libjpeg's own, and the bound that keeps pass 1 exact.

use super::hooks::twinproc_jpeg_idct_islow;
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

/// Random blocks, small and large (past 16 bits too), through libjpeg's `jpeg_idct_islow` and
/// the vector one, with quantization tables of quality 10 and 100: the same samples, by each of
/// the vector one's routes.
#[cfg(target_arch = "x86_64")]
#[test]
fn the_vector_idct_is_libjpegs() {
    use idct::Route;
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
    let mut routes = std::collections::BTreeMap::<String, usize>::new();
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
                            *c =
                                (((r >> 8) % (2 * magnitude + 1)) as i64 - magnitude as i64) as i16;
                        }
                    }
                    let mut ours = [[0u8; 8]; 8];
                    let mut theirs = [[0u8; 8]; 8];
                    let mut rows: Vec<*mut u8> = ours.iter_mut().map(|r| r.as_mut_ptr()).collect();
                    let route = idct::idct_route(
                        cinfo,
                        compptr,
                        coef.clone().as_mut_ptr(),
                        rows.as_mut_ptr(),
                        0,
                    );
                    *routes.entry(format!("{route:?}")).or_default() += 1;
                    let mut rows: Vec<*mut u8> =
                        theirs.iter_mut().map(|r| r.as_mut_ptr()).collect();
                    (twinproc_jpeg_idct_islow())(
                        cinfo,
                        compptr,
                        coef.as_mut_ptr(),
                        rows.as_mut_ptr(),
                        0,
                    );
                    assert_eq!(ours, theirs, "{file}, block {block} ({route:?}): {coef:?}");
                }
            }
        });
    }
    for route in [Route::Narrow, Route::WideRows, Route::Libjpeg] {
        let taken = routes.get(&format!("{route:?}")).copied().unwrap_or(0);
        assert!(
            taken > 5_000,
            "{route:?} taken by {taken} blocks only: {routes:?}"
        );
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
            unsafe { ycc::ycc_rgb_row(&y, &cbs, &crs, &mut out) };
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

/// The column transform's outputs weigh their eight inputs by at most 61,214 in all, from
/// `jidctint.c`'s constants: 16-bit inputs (down to -32,768)
/// keep every sum, its rounding added, within 32 bits.
#[test]
fn sixteen_bit_inputs_keep_the_sums_within_32_bits() {
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
    let largest = -i64::from(i16::MIN);
    assert!(worst * largest + (1 << 17) < 1 << 31);
}

/// `h2v2_fancy_upsample`'s inner loop as `jdsample.c` writes it (first and last columns apart),
/// against the vector row, on random rows of every width from 3 to 100 and some wide ones.
#[test]
fn the_vector_upsampling_is_libjpegs() {
    if !std::arch::is_x86_feature_detected!("avx2") {
        return;
    }
    let libjpeg = |near: &[u8], far: &[u8]| {
        let sum = |i: usize| i32::from(near[i]) * 3 + i32::from(far[i]);
        let mut out = Vec::new();
        let (mut this, next) = (sum(0), sum(1));
        out.push(((this * 4 + 8) >> 4) as u8);
        out.push(((this * 3 + next + 7) >> 4) as u8);
        let mut last = this;
        this = next;
        for i in 2..near.len() {
            let next = sum(i);
            out.push(((this * 3 + last + 8) >> 4) as u8);
            out.push(((this * 3 + next + 7) >> 4) as u8);
            last = this;
            this = next;
        }
        out.push(((this * 3 + last + 8) >> 4) as u8);
        out.push(((this * 4 + 7) >> 4) as u8);
        out
    };
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state as u8
    };
    for width in (3..=100).chain([255, 256, 257, 1023, 4097]) {
        for _ in 0..20 {
            let near: Vec<u8> = (0..width).map(|_| next()).collect();
            let far: Vec<u8> = (0..width).map(|_| next()).collect();
            let mut ours = vec![0u8; 2 * width];
            // SAFETY: AVX2 checked above.
            unsafe { super::upsample::row(&near, &far, &mut ours) };
            assert_eq!(ours, libjpeg(&near, &far), "width {width}");
        }
    }
}
