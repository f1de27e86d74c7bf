//! The shuffle controls of the horizontal pass: pixel pairs of a 16-byte load, per 128-bit lane.

use std::arch::x86_64::*;

/// Shuffle control that gathers pixels `p` and `p + 1` of a 16-byte load of `channels`-byte
/// pixels into 16-bit lanes `[p.c0, q.c0, p.c1, q.c1, …]` (zero past the last channel).
fn pair_mask(channels: usize, p: usize) -> [u8; 16] {
    let mut mask = [0x80u8; 16];
    for ch in 0..channels {
        mask[4 * ch] = (p * channels + ch) as u8;
        mask[4 * ch + 2] = ((p + 1) * channels + ch) as u8;
    }
    mask
}

/// The shuffle controls of a pass's pixel pairs, in both 128-bit lanes.
#[target_feature(enable = "avx2")]
pub(super) fn masks_256(channels: usize) -> [__m256i; 2] {
    let mask = |p| {
        // SAFETY: a 16-byte array.
        _mm256_broadcastsi128_si256(unsafe {
            _mm_loadu_si128(pair_mask(channels, p).as_ptr().cast())
        })
    };
    [mask(0), mask(2)]
}

/// The shuffle controls of a pass's pixel pairs, in every 128-bit lane.
#[target_feature(enable = "avx512f,avx512bw")]
pub(super) fn masks_512(channels: usize) -> [__m512i; 2] {
    let mask = |p| {
        // SAFETY: a 16-byte array.
        _mm512_broadcast_i32x4(unsafe { _mm_loadu_si128(pair_mask(channels, p).as_ptr().cast()) })
    };
    [mask(0), mask(2)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pair_masks_gather_channels_of_two_pixels() {
        let z = 0x80;
        assert_eq!(
            pair_mask(3, 0),
            [0, z, 3, z, 1, z, 4, z, 2, z, 5, z, z, z, z, z]
        );
        assert_eq!(
            pair_mask(3, 2),
            [6, z, 9, z, 7, z, 10, z, 8, z, 11, z, z, z, z, z]
        );
        assert_eq!(
            pair_mask(1, 2),
            [2, z, 3, z, z, z, z, z, z, z, z, z, z, z, z, z]
        );
        assert_eq!(pair_mask(4, 2)[12..], [11, z, 15, z]);
    }
}
