//! An axis's weights in fixed point, as both sources quantise them, with their vector layouts.

use super::packed::{PairedTaps, RunCache, RunTaps};
use super::taps::{AxisTaps, quantize};

/// A quantised axis: integer weights with `precision_bits` fractional bits.
#[derive(Debug, Clone, PartialEq)]
pub struct FixedAxis {
    pub taps: AxisTaps<i32>,
    pub precision_bits: u32,
    /// The same weights laid out for the CPU twin's vector multiply-adds.
    pub pairs: PairedTaps,
    /// The same pairs laid out for byte-permute gathers, built when first asked.
    pub runs: RunCache,
}

impl FixedAxis {
    /// Quantises double weights with the given precision.
    pub fn from_f64(taps: &AxisTaps<f64>, precision_bits: u32) -> Self {
        let taps = AxisTaps {
            in_size: taps.in_size,
            ksize: taps.ksize,
            starts: taps.starts.clone(),
            lens: taps.lens.clone(),
            weights: taps
                .weights
                .iter()
                .map(|&w| quantize(w, precision_bits))
                .collect(),
        };
        FixedAxis {
            pairs: PairedTaps::new(&taps),
            runs: RunCache::default(),
            taps,
            precision_bits,
        }
    }

    /// The runs of this axis for `channels`-byte pixels (1 to 4), from output `phase` (0 to 3).
    pub fn runs(&self, channels: usize, phase: usize) -> &RunTaps {
        self.runs.get(&self.taps, &self.pairs, channels, phase)
    }
}
