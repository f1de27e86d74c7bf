//! The resampler's two passes over 8-bit rows: a scalar path, the reference, and vector paths
//! picked at run time from what the processor has.
//!
//! Every path computes, for each output sample, the same integer sum `2^(p-1) + Σ sample·weight`
//! with the weights of one [`FixedAxis`](crate::numeric::fixed::FixedAxis), then `clamp(sum >> p, 0, 255)`. Integer sums do not depend
//! on their order, so the vector paths (16-bit multiply-adds over [`PairedTaps`](crate::numeric::packed::PairedTaps))
//! give the scalar path's bytes; `tests/kernels.rs` checks that for every path this machine runs.

use super::passes::{Horizontal, OUT_PIXEL, Vertical, map_row};
use crate::error::{Error, Result};

/// Calls a vector pass monomorphised on whether the pass's axis splits its weights in halves.
#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
macro_rules! by_split {
    ($pass:expr, $($f:ident)::+ ($($arg:expr),*)) => {
        if $pass.axis.pairs.hi.is_some() {
            $($f)::+::<true>($($arg),*)
        } else {
            $($f)::+::<false>($($arg),*)
        }
    };
}

/// A set of inner loops for the two passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Kernels {
    /// Plain Rust, one sample at a time: the reference the others must equal.
    Scalar,
    /// aarch64 NEON: 128-bit widening multiply-accumulates (`smlal`).
    Neon,
    /// x86-64 AVX2: 256-bit `vpmaddwd`.
    Avx2,
    /// x86-64 AVX-512 (F and BW): 512-bit `vpmaddwd`.
    Avx512,
    /// AVX-512 with VBMI and VNNI (Ice Lake and later, Zen 4): the horizontal pass gathers four
    /// outputs' taps with one byte permute, and both passes sum with `vpdpwssd`.
    Avx512Vbmi,
}

impl Kernels {
    /// Every set, fastest last (of those one processor can run).
    pub const ALL: [Kernels; 5] = [
        Kernels::Scalar,
        Kernels::Neon,
        Kernels::Avx2,
        Kernels::Avx512,
        Kernels::Avx512Vbmi,
    ];

    /// The name used by `--kernels` and in logs.
    pub fn name(self) -> &'static str {
        match self {
            Kernels::Scalar => "scalar",
            Kernels::Neon => "neon",
            Kernels::Avx2 => "avx2",
            Kernels::Avx512 => "avx512",
            Kernels::Avx512Vbmi => "avx512vbmi",
        }
    }

    /// Whether this processor can run the set.
    pub fn is_supported(self) -> bool {
        // Asked before every pass: detected once per process.
        static SUPPORTED: std::sync::OnceLock<[bool; Kernels::ALL.len()]> =
            std::sync::OnceLock::new();
        let supported = SUPPORTED.get_or_init(|| Kernels::ALL.map(Kernels::detect));
        Kernels::ALL
            .iter()
            .position(|&k| k == self)
            .is_some_and(|i| supported[i])
    }

    /// Whether this processor has the instructions of the set.
    fn detect(self) -> bool {
        match self {
            Kernels::Scalar => true,
            #[cfg(target_arch = "aarch64")]
            Kernels::Neon => std::arch::is_aarch64_feature_detected!("neon"),
            #[cfg(target_arch = "x86_64")]
            Kernels::Avx2 => std::arch::is_x86_feature_detected!("avx2"),
            #[cfg(target_arch = "x86_64")]
            Kernels::Avx512 => {
                std::arch::is_x86_feature_detected!("avx512f")
                    && std::arch::is_x86_feature_detected!("avx512bw")
            }
            #[cfg(target_arch = "x86_64")]
            Kernels::Avx512Vbmi => {
                Kernels::Avx512.detect()
                    && std::arch::is_x86_feature_detected!("avx512vbmi")
                    && std::arch::is_x86_feature_detected!("avx512vnni")
            }
            _ => false,
        }
    }

    /// The sets this processor can run.
    pub fn supported() -> Vec<Kernels> {
        Kernels::ALL
            .into_iter()
            .filter(|k| k.is_supported())
            .collect()
    }

    /// The fastest set this processor can run.
    pub fn best() -> Kernels {
        static BEST: std::sync::OnceLock<Kernels> = std::sync::OnceLock::new();
        *BEST.get_or_init(|| {
            let best = Kernels::supported().pop().unwrap_or(Kernels::Scalar);
            tracing::debug!("cpu kernels: {}", best.name());
            best
        })
    }

    /// `self`, or an error when this processor cannot run it.
    pub fn checked(self) -> Result<Kernels> {
        if self.is_supported() {
            Ok(self)
        } else {
            Err(Error::BackendUnavailable(format!(
                "this processor cannot run the {} kernels",
                self.name()
            )))
        }
    }

    /// Runs a horizontal pass, writing [`OUT_PIXEL`] bytes per output pixel, rows `dst_stride`
    /// bytes apart.
    pub fn horizontal(self, pass: &Horizontal<'_>, dst: &mut [u8], dst_stride: usize) {
        pass.check(dst.len(), dst_stride);
        match self {
            #[cfg(target_arch = "x86_64")]
            // SAFETY: `checked`/`is_supported` gate the variant; `check` bounds every access.
            Kernels::Avx2 if self.is_supported() => unsafe {
                by_split!(pass, super::x86::horizontal_avx2(pass, dst, dst_stride))
            },
            #[cfg(target_arch = "x86_64")]
            // SAFETY: as above.
            Kernels::Avx512 if self.is_supported() => unsafe {
                by_split!(pass, super::x86::horizontal_avx512(pass, dst, dst_stride))
            },
            #[cfg(target_arch = "x86_64")]
            // SAFETY: as above.
            Kernels::Avx512Vbmi if self.is_supported() => unsafe {
                by_split!(pass, super::x86::horizontal_vbmi(pass, dst, dst_stride))
            },
            #[cfg(target_arch = "aarch64")]
            // SAFETY: as above.
            Kernels::Neon if self.is_supported() => unsafe {
                by_split!(pass, super::aarch64::horizontal_neon(pass, dst, dst_stride))
            },
            _ => {
                for r in 0..pass.rows {
                    let at = r * dst_stride;
                    let dst = &mut dst[at..at + pass.xs.len() * OUT_PIXEL];
                    pass.scalar_row(r, pass.xs.clone(), dst);
                }
            }
        }
    }

    /// `out[i] = table[row[i * bpp + ch]]`: the level map of one channel of a row (rescale and
    /// normalize are one table lookup per sample; AVX-512 gathers 16 at a time).
    pub fn lookup(self, row: &[u8], bpp: usize, ch: usize, table: &[f32; 256], out: &mut [f32]) {
        #[cfg(target_arch = "x86_64")]
        if matches!(self, Kernels::Avx512 | Kernels::Avx512Vbmi) && bpp == 4 && self.is_supported()
        {
            assert!(
                ch < 4 && row.len() >= out.len() * 4,
                "the row holds the outputs"
            );
            // SAFETY: the processor has AVX-512F; the row holds every pixel read.
            return unsafe { super::x86::lookup_avx512(row, ch, table, out) };
        }
        map_row(row, bpp, ch, out, |v| table[usize::from(v)])
    }

    /// Runs a vertical pass, writing `row_bytes` bytes per output row, rows `dst_stride` apart.
    pub fn vertical(self, pass: &Vertical<'_>, dst: &mut [u8], dst_stride: usize) {
        pass.check(dst.len(), dst_stride);
        match self {
            #[cfg(target_arch = "x86_64")]
            // SAFETY: `checked`/`is_supported` gate the variant; `check` bounds every access.
            Kernels::Avx2 if self.is_supported() => unsafe {
                by_split!(pass, super::x86::vertical_avx2(pass, dst, dst_stride))
            },
            #[cfg(target_arch = "x86_64")]
            // SAFETY: as above.
            Kernels::Avx512 | Kernels::Avx512Vbmi if self.is_supported() => unsafe {
                let vnni = self == Kernels::Avx512Vbmi;
                by_split!(
                    pass,
                    super::x86::vertical_avx512(pass, dst, dst_stride, vnni)
                )
            },
            #[cfg(target_arch = "aarch64")]
            // SAFETY: as above.
            Kernels::Neon if self.is_supported() => unsafe {
                by_split!(pass, super::aarch64::vertical_neon(pass, dst, dst_stride))
            },
            _ => {
                for (i, y) in pass.ys.clone().enumerate() {
                    let at = i * dst_stride;
                    pass.scalar_row(y, 0..pass.row_bytes, &mut dst[at..at + pass.row_bytes]);
                }
            }
        }
    }
}
