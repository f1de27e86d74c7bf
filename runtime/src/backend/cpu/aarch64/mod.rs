//! The aarch64 vector path of [`Kernels`](super::kernels::Kernels): NEON (Advanced SIMD, present
//! on every aarch64 processor).
//!
//! Both passes widen 8-bit samples to 16 bits and multiply-accumulate them into 32-bit lanes by
//! 16-bit weights (`smlal`), the same [`PairedTaps`](crate::numeric::packed::PairedTaps) the x86
//! paths read: ATen's int16 weights as they are, Pillow's 22-bit weights as two 16-bit halves
//! whose sums recombine as `(hi << 15) + lo`. `sqxtun` then `uqxtn` clamp to `0..=255` exactly as
//! the scalar `clamp` does.
//!
//! Horizontal (`horizontal.rs`): four rows at a time; for each output pixel, each group of four
//! taps is one 16-byte load per row, spread by a table lookup (`tbl`) to four 4-byte pixels, each
//! 32-bit lane summing one channel. Vertical (`vertical.rs`): for each output row, 32 samples at a
//! time, each tap row one multiply-accumulate per lane.

mod horizontal;
mod lanes;
mod vertical;

pub(in crate::backend::cpu) use horizontal::horizontal_neon;
pub(in crate::backend::cpu) use vertical::vertical_neon;
