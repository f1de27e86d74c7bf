//! The vertical pass: for each output row, 32 (AVX2) or 64 (AVX-512) samples at a time, two
//! source rows interleaved byte by byte into pairs; both widths are one macro body.

use crate::backend::cpu::passes::Vertical;
use crate::numeric::packed::SPLIT_BITS;
use std::arch::x86_64::*;

/// The source rows of output row `y`'s taps, in pairs: `(tap 2j, tap 2j + 1)`, the second the
/// first again past the last tap (its weight is zero).
#[inline(always)]
fn tap_rows(pass: &Vertical<'_>, y: usize) -> impl Iterator<Item = (usize, usize)> + use<> {
    let taps = &pass.axis.taps;
    let (start, len) = (taps.starts[y] as usize - pass.y0, taps.lens[y] as usize);
    let stride = pass.src_stride;
    (0..len.div_ceil(2)).map(move |j| {
        let a = (start + 2 * j) * stride;
        (a, if 2 * j + 1 < len { a + stride } else { a })
    })
}

/// The vertical pass at one vector width: the AVX2 and AVX-512 paths are this one body with the
/// width's intrinsics.
macro_rules! vertical_pass {
    (
        $vis:vis $name:ident, $feature:literal, $chunk:literal, $to_bytes:ident,
        $setzero:ident, $set1:ident, $loadu:ident, $unpacklo:ident, $unpackhi:ident,
        $dot:ident, $add:ident, $slli:ident, $split:tt, $sra:ident, $packs:ident,
        $packus:ident $(,)?
    ) => {
        /// # Safety
        #[doc = concat!("The processor has ", $feature, "; `pass.check` succeeded for `dst`; `SPLIT` ")]
        /// is whether the axis's weights are split.
        #[target_feature(enable = $feature)]
        $vis unsafe fn $name<const SPLIT: bool>(pass: &Vertical<'_>, dst: &mut [u8], stride: usize) {
            const CHUNK: usize = $chunk;
            let n = pass.row_bytes;
            let pairs = &pass.axis.pairs;
            let zero = $setzero();
            let half = $set1(1 << (pass.axis.precision_bits - 1));
            let shift = _mm_cvtsi32_si128(pass.axis.precision_bits as i32);
            let src = pass.src.as_ptr();
            for (i, y) in pass.ys.clone().enumerate() {
                let out = &mut dst[i * stride..i * stride + n];
                if n < CHUNK {
                    pass.scalar_row(y, 0..n, out);
                    continue;
                }
                let lo = pairs.lo_row(y);
                let hi = pairs.hi_row(y).unwrap_or(lo);
                let mut col = 0;
                loop {
                    // The last chunk ends at the row's end, recomputing some samples with equal
                    // values.
                    let at = col.min(n - CHUNK);
                    let (mut acc, mut acc_hi) = ([half; 4], [zero; 4]);
                    for (j, (a, b)) in tap_rows(pass, y).enumerate() {
                        // SAFETY: `check` bounds `row_bytes` bytes of every tap row.
                        let (a, b) = unsafe {
                            (
                                $loadu(src.add(a + at).cast()),
                                $loadu(src.add(b + at).cast()),
                            )
                        };
                        let (ab_lo, ab_hi) = ($unpacklo(a, b), $unpackhi(a, b));
                        let pairs16 = [
                            $unpacklo(ab_lo, zero),
                            $unpackhi(ab_lo, zero),
                            $unpacklo(ab_hi, zero),
                            $unpackhi(ab_hi, zero),
                        ];
                        let w = $set1(lo[j]);
                        for k in 0..4 {
                            acc[k] = $dot(acc[k], pairs16[k], w);
                        }
                        if SPLIT {
                            let w = $set1(hi[j]);
                            for k in 0..4 {
                                acc_hi[k] = $dot(acc_hi[k], pairs16[k], w);
                            }
                        }
                    }
                    for k in 0..4 {
                        if SPLIT {
                            acc[k] = $add(acc[k], $slli::<$split>(acc_hi[k]));
                        }
                        acc[k] = $sra(acc[k], shift);
                    }
                    // Per 128-bit lane, samples 0-3, 4-7, 8-11, 12-15 of the lane's 16 sit in
                    // acc[0..4]: packing restores the order.
                    let bytes = $packus($packs(acc[0], acc[1]), $packs(acc[2], acc[3]));
                    out[at..at + CHUNK].copy_from_slice(&$to_bytes(bytes));
                    if at + CHUNK >= n {
                        break;
                    }
                    col += CHUNK;
                }
            }
        }
    };
}

/// `acc + (pairs of a·b summed)`: `vpmaddwd` then `vpaddd` (VNNI's `vpdpwssd` is both in one, with
/// the same wrapping 32-bit sum).
#[target_feature(enable = "avx2")]
#[inline]
fn dot_avx2(acc: __m256i, a: __m256i, b: __m256i) -> __m256i {
    _mm256_add_epi32(acc, _mm256_madd_epi16(a, b))
}

/// As [`dot_avx2`], 512 bits wide.
#[target_feature(enable = "avx512f,avx512bw")]
#[inline]
fn dot_avx512(acc: __m512i, a: __m512i, b: __m512i) -> __m512i {
    _mm512_add_epi32(acc, _mm512_madd_epi16(a, b))
}

vertical_pass!(
    pub(in crate::backend::cpu) vertical_avx2,
    "avx2",
    32,
    to_bytes_256,
    _mm256_setzero_si256,
    _mm256_set1_epi32,
    _mm256_loadu_si256,
    _mm256_unpacklo_epi8,
    _mm256_unpackhi_epi8,
    dot_avx2,
    _mm256_add_epi32,
    _mm256_slli_epi32,
    { SPLIT_BITS as i32 },
    _mm256_sra_epi32,
    _mm256_packs_epi32,
    _mm256_packus_epi16,
);

/// The 512-bit pass, summing with `$dot` (`vpmaddwd` + `vpaddd`, or VNNI's `vpdpwssd`).
macro_rules! vertical_pass_512 {
    ($name:ident, $feature:literal, $dot:ident) => {
        vertical_pass!(
            $name,
            $feature,
            64,
            to_bytes_512,
            _mm512_setzero_si512,
            _mm512_set1_epi32,
            _mm512_loadu_si512,
            _mm512_unpacklo_epi8,
            _mm512_unpackhi_epi8,
            $dot,
            _mm512_add_epi32,
            _mm512_slli_epi32,
            { SPLIT_BITS },
            _mm512_sra_epi32,
            _mm512_packs_epi32,
            _mm512_packus_epi16,
        );
    };
}

vertical_pass_512!(vertical_avx512_, "avx512f,avx512bw", dot_avx512);
vertical_pass_512!(
    vertical_vnni_,
    "avx512f,avx512bw,avx512vnni",
    _mm512_dpwssd_epi32
);

#[inline(always)]
fn to_bytes_256(v: __m256i) -> [u8; 32] {
    // SAFETY: same size, any bit pattern is valid.
    unsafe { std::mem::transmute(v) }
}

#[inline(always)]
fn to_bytes_512(v: __m512i) -> [u8; 64] {
    // SAFETY: same size, any bit pattern is valid.
    unsafe { std::mem::transmute(v) }
}

/// # Safety
/// The processor has AVX-512F and AVX-512BW, and AVX-512VNNI when `vnni`; `pass.check` succeeded
/// for `dst`; `SPLIT` is whether the axis's weights are split.
#[target_feature(enable = "avx512f,avx512bw,avx2")]
pub(in crate::backend::cpu) unsafe fn vertical_avx512<const SPLIT: bool>(
    pass: &Vertical<'_>,
    dst: &mut [u8],
    stride: usize,
    vnni: bool,
) {
    // SAFETY: forwarded; AVX-512 implies AVX2 for rows too short for a 64-byte chunk.
    unsafe {
        match (pass.row_bytes < 64, vnni) {
            (true, _) => vertical_avx2::<SPLIT>(pass, dst, stride),
            (false, false) => vertical_avx512_::<SPLIT>(pass, dst, stride),
            (false, true) => vertical_vnni_::<SPLIT>(pass, dst, stride),
        }
    }
}
