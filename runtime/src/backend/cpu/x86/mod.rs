//! The x86-64 vector paths of [`Kernels`](super::kernels::Kernels): AVX2, AVX-512BW, AVX-512VBMI.
//!
//! Both passes multiply 8-bit samples, widened to 16 bits, by pairs of 16-bit weights with
//! `vpmaddwd` (two products summed into one 32-bit lane), as ATen's uint8 resize does. Pillow's
//! 22-bit weights go through twice, once per 16-bit half ([`PairedTaps`](crate::numeric::packed::PairedTaps)),
//! and the halves' sums recombine as `(hi << 15) + lo`. `vpackssdw` then `vpackuswb` clamp to
//! `0..=255` exactly as the scalar `clamp` does.
//!
//! Horizontal (`horizontal.rs`): four rows at a time; for each output pixel, each group of four
//! taps is one 16-byte load per row, shuffled into pixel pairs `[p.c0, q.c0, p.c1, q.c1, …]`, so
//! each 32-bit lane sums one channel; with VBMI (`runs.rs`), four outputs at once by byte permutes.
//! Vertical (`vertical.rs`): for each output row, 32 (AVX2) or 64 (AVX-512) samples at a time, two
//! source rows interleaved byte by byte into pairs. `levels.rs`: the level map's lookups, gathered.

mod horizontal;
mod levels;
mod masks;
mod runs;
mod vertical;

pub(in crate::backend::cpu) use horizontal::{horizontal_avx2, horizontal_avx512};
pub(in crate::backend::cpu) use levels::lookup_avx512;
pub(in crate::backend::cpu) use runs::horizontal_vbmi;
pub(in crate::backend::cpu) use vertical::{vertical_avx2, vertical_avx512};
