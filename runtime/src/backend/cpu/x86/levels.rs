//! The level map's lookups, 16 at a time: the same table, the same values.

use std::arch::x86_64::*;

/// `out[i] = table[row[4 * i + ch]]`, by 16-lane gathers.
///
/// # Safety
/// The processor has AVX-512F; `row` holds `4 * out.len()` bytes and `ch < 4`.
#[target_feature(enable = "avx512f")]
pub(in crate::backend::cpu) unsafe fn lookup_avx512(
    row: &[u8],
    ch: usize,
    table: &[f32; 256],
    out: &mut [f32],
) {
    let shift = _mm_cvtsi32_si128((8 * ch) as i32);
    let low_byte = _mm512_set1_epi32(0xff);
    let whole = out.len() / 16 * 16;
    for i in (0..whole).step_by(16) {
        // SAFETY: 64 bytes of `row` from `4 * i` (the caller's bound); the indices are bytes, in
        // the 256-entry table; 16 floats of `out` from `i`.
        unsafe {
            let pixels = _mm512_loadu_si512(row.as_ptr().add(4 * i).cast());
            let levels = _mm512_and_si512(_mm512_srl_epi32(pixels, shift), low_byte);
            let values = _mm512_i32gather_ps::<4>(levels, table.as_ptr().cast());
            _mm512_storeu_ps(out.as_mut_ptr().add(i), values);
        }
    }
    for (i, o) in out.iter_mut().enumerate().skip(whole) {
        *o = table[usize::from(row[4 * i + ch])];
    }
}
