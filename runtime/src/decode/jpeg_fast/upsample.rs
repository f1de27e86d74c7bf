//! `h2v2_fancy_upsample` (`jdsample.c`) in AVX2: each output sample is 9/16 of the nearest input,
//! 3/16 of each of the two next nearest and 1/16 of the diagonal one, as libjpeg's integers:
//! column sums `3 · nearer row + farther row`, then `(3 · sum + left sum + 8) >> 4` for even and
//! `(3 · sum + right sum + 7) >> 4` for odd outputs, the edge columns standing in for their
//! missing neighbours.

use super::hooks::twinproc_jpeg_downsampled_width;
use mozjpeg_sys::{jpeg_component_info, jpeg_decompress_struct};
use std::arch::x86_64::*;

/// One row group: for each input row, the output row from it and the row above, then from it
/// and the row below (the context rows libjpeg keeps around the group).
pub(crate) unsafe extern "C" fn h2v2_fancy(
    cinfo: *mut jpeg_decompress_struct,
    compptr: *mut jpeg_component_info,
    input_data: *mut *mut u8,
    output_data_ptr: *mut *mut *mut u8,
) {
    // SAFETY: libjpeg calls this as a component's upsampler: input rows with a context row above
    // and below, `max_v_samp_factor` output rows of twice the component's downsampled width
    // (`install` checked for AVX2).
    unsafe {
        let width = twinproc_jpeg_downsampled_width(compptr) as usize;
        let output = *output_data_ptr;
        let rows = (*cinfo).max_v_samp_factor as usize;
        for out in 0..rows {
            let (inrow, v) = (out / 2, out % 2);
            let near = *input_data.add(inrow);
            let far = *input_data.offset(inrow as isize + if v == 0 { -1 } else { 1 });
            row(
                std::slice::from_raw_parts(near, width),
                std::slice::from_raw_parts(far, width),
                std::slice::from_raw_parts_mut(*output.add(out), 2 * width),
            );
        }
    }
}

/// The 16-bit column sums `3 · near + far` of the 16 samples from `at`.
#[inline]
#[target_feature(enable = "avx2")]
unsafe fn sums(near: &[u8], far: &[u8], at: usize) -> __m256i {
    // SAFETY: the caller keeps at + 16 <= the rows' length.
    unsafe {
        let widen = |p: &[u8]| _mm256_cvtepu8_epi16(_mm_loadu_si128(p.as_ptr().add(at).cast()));
        _mm256_add_epi16(
            _mm256_mullo_epi16(widen(near), _mm256_set1_epi16(3)),
            widen(far),
        )
    }
}

/// Outputs 2i to 2i + 31 (inputs i to i + 15, with their neighbours i - 1 and i + 16).
#[inline]
#[target_feature(enable = "avx2")]
unsafe fn block(near: &[u8], far: &[u8], out: &mut [u8], i: usize) {
    // SAFETY: the caller keeps 1 <= i and i + 17 <= the rows' length; the store writes 32 samples
    // from 2i, below twice it.
    unsafe {
        let (left, this, right) = (
            sums(near, far, i - 1),
            sums(near, far, i),
            sums(near, far, i + 1),
        );
        let thrice = _mm256_mullo_epi16(this, _mm256_set1_epi16(3));
        let even = _mm256_srli_epi16(
            _mm256_add_epi16(_mm256_add_epi16(thrice, left), _mm256_set1_epi16(8)),
            4,
        );
        let odd = _mm256_srli_epi16(
            _mm256_add_epi16(_mm256_add_epi16(thrice, right), _mm256_set1_epi16(7)),
            4,
        );
        // Each 16-bit lane: the even sample in its low byte, the odd one in its high byte.
        let pairs = _mm256_or_si256(even, _mm256_slli_epi16(odd, 8));
        _mm256_storeu_si256(out.as_mut_ptr().add(2 * i).cast(), pairs);
    }
}

/// One output row of `2 · near.len()` samples from the nearer and farther input rows: blocks of
/// 16 inputs (the last one overlapping the one before where the width is no multiple of 16), the
/// two edge columns one by one.
#[target_feature(enable = "avx2")]
pub(crate) unsafe fn row(near: &[u8], far: &[u8], out: &mut [u8]) {
    let width = near.len();
    let sum = |i: usize| 3 * u16::from(near[i]) + u16::from(far[i]);
    let scalar = |out: &mut [u8], i: usize| {
        let this = sum(i);
        let left = sum(i.saturating_sub(1));
        let right = sum((i + 1).min(width - 1));
        out[2 * i] = ((3 * this + left + 8) >> 4) as u8;
        out[2 * i + 1] = ((3 * this + right + 7) >> 4) as u8;
    };
    scalar(out, 0);
    if width < 18 {
        (1..width).for_each(|i| scalar(out, i));
        return;
    }
    // SAFETY: every block starts at 1 or later and ends by width - 1 (i + 17 <= width).
    unsafe {
        let mut i = 1;
        while i + 17 <= width {
            block(near, far, out, i);
            i += 16;
        }
        block(near, far, out, width - 17);
    }
    scalar(out, width - 1);
}
