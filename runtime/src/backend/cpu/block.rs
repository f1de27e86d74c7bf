//! A block of source rows that a horizontal vector pass reads together, and what every
//! architecture's pass does with it alike: bounds, the scalar fallback, the stores.

use super::passes::{Horizontal, OUT_PIXEL};
use crate::numeric::packed::GROUP_TAPS;

/// Source rows per horizontal block.
pub(super) const BLOCK_ROWS: usize = 4;

/// What a horizontal block reads: the row pointers (missing rows repeat the last) and how many
/// bytes the last real row has from its start on.
pub(super) struct Block {
    pub(super) rows: [*const u8; BLOCK_ROWS],
    pub(super) n: usize,
    pub(super) avail: usize,
}

impl Block {
    pub(super) fn new(pass: &Horizontal<'_>, first: usize) -> Self {
        let n = (pass.rows - first).min(BLOCK_ROWS);
        let at = |i: usize| (first + i.min(n - 1)) * pass.src_stride;
        // `check` proved every row start lies in the source.
        let ptr = |i: usize| pass.src[at(i)..].as_ptr();
        Block {
            rows: [ptr(0), ptr(1), ptr(2), ptr(3)],
            n,
            avail: pass.src.len() - at(n - 1),
        }
    }

    /// Whether output `x`'s 16-byte loads all lie in the source; the last columns of the last
    /// rows may not (their pixels past the taps are read, with weight zero, from the next row).
    pub(super) fn fits(&self, pass: &Horizontal<'_>, x: usize) -> bool {
        let start = pass.axis.taps.starts[x] as usize - pass.x0;
        match pass.axis.pairs.groups[x] as usize {
            0 => true,
            groups => (start + GROUP_TAPS * (groups - 1)) * pass.channels + 16 <= self.avail,
        }
    }

    /// Output column `i` (output `x`) of the block's rows, the scalar way.
    pub(super) fn scalar(
        &self,
        pass: &Horizontal<'_>,
        first: usize,
        i: usize,
        x: usize,
        dst: &mut [u8],
        stride: usize,
    ) {
        for r in 0..self.n {
            let at = (first + r) * stride + i * OUT_PIXEL;
            pass.scalar_row(first + r, x..x + 1, &mut dst[at..at + OUT_PIXEL]);
        }
    }
}

/// Writes the block's four 4-byte pixels of one output column, `at` in its first row.
#[inline(always)]
pub(super) fn store_pixels(
    words: [i32; BLOCK_ROWS],
    n: usize,
    dst: &mut [u8],
    at: usize,
    stride: usize,
) {
    for (r, word) in words.into_iter().enumerate().take(n) {
        let at = at + r * stride;
        dst[at..at + OUT_PIXEL].copy_from_slice(&word.to_le_bytes());
    }
}
