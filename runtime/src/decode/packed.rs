//! Samples of fewer than 8 bits as the formats pack them (PNG's and BMP's palette indices): most
//! significant bits first, each row padded to whole bytes.

/// Samples of `depth` bits (1, 2, 4 or 8), packed most significant first in rows of `stride`
/// bytes, one byte each.
pub(crate) fn unpacked(
    packed: &[u8],
    stride: usize,
    (width, height): (u32, u32),
    depth: usize,
) -> Vec<u8> {
    let width = width as usize;
    let per_byte = 8 / depth;
    let mask = ((1u16 << depth) - 1) as u8;
    let mut out = Vec::with_capacity(width * height as usize);
    for row in packed.chunks_exact(stride).take(height as usize) {
        if depth == 8 {
            out.extend_from_slice(&row[..width]);
            continue;
        }
        // Each byte's samples, first to last, the row's last byte cut to its width.
        for (i, &byte) in row[..width.div_ceil(per_byte)].iter().enumerate() {
            let n = per_byte.min(width - i * per_byte);
            out.extend((0..n).map(|k| (byte >> (8 - depth * (k + 1))) & mask));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::unpacked;

    /// Rows of 5 samples at each depth, packed by hand, each row in bytes of its own.
    #[test]
    fn rows_unpack_at_every_depth() {
        // 2 bits: 3 0 1 2 | 1, and 0 3 3 0 | 2.
        assert_eq!(
            unpacked(
                &[0b1100_0110, 0b0100_0000, 0b0011_1100, 0b1000_0000],
                2,
                (5, 2),
                2
            ),
            [3, 0, 1, 2, 1, 0, 3, 3, 0, 2]
        );
        assert_eq!(unpacked(&[0b1011_0000], 1, (5, 1), 1), [1, 0, 1, 1, 0]);
        assert_eq!(
            unpacked(&[0xa5, 0x3f, 0x70], 3, (5, 1), 4),
            [10, 5, 3, 15, 7]
        );
        assert_eq!(unpacked(&[9, 8, 7, 6, 5, 0], 6, (5, 1), 8), [9, 8, 7, 6, 5]);
    }
}
