//! The integer weights of an axis laid out for the CPU twin's vector multiply-adds: in 16-bit pairs
//! ([`PairedTaps`]), and gathered for runs of four outputs ([`RunTaps`]). The same integers as the
//! [`FixedAxis`](super::fixed::FixedAxis) they come from; only where they sit changes.

use super::taps::AxisTaps;

/// Taps per group of a [`PairedTaps`] row: one 16-byte load holds four pixels of up to four
/// channels.
pub const GROUP_TAPS: usize = 4;

/// Where [`PairedTaps`] splits a weight that does not fit in 16 bits: `w = hi·2^15 + lo`.
pub const SPLIT_BITS: u32 = 15;

/// The integer weights of an axis laid out for 16-bit multiply-adds (x86 `pmaddwd`, `vpdpwssd`):
/// per output, its taps in pairs, each pair one `i32` whose low half is the weight of tap `2j` and
/// high half that of tap `2j + 1`, zero-padded to whole groups of [`GROUP_TAPS`] taps.
///
/// ATen's int16 weights fit as they are (`hi` is `None`). Pillow's 22-bit weights do not: each is
/// split into `lo = w mod 2^15` (in `0..2^15`) and `hi = w >> 15`, both 16-bit, and
/// `Σ p·w = (Σ p·hi)·2^15 + Σ p·lo` holds exactly in wrapping 32-bit arithmetic because the true
/// sum fits in 32 bits. Integer sums do not depend on their order, so any vector schedule of these
/// pairs gives the scalar loop's bits.
#[derive(Debug, Clone, PartialEq)]
pub struct PairedTaps {
    /// Pairs per output row of `lo` and `hi` (a multiple of `GROUP_TAPS / 2`).
    pub stride: usize,
    /// Groups of [`GROUP_TAPS`] taps each output reads: `ceil(len / GROUP_TAPS)`.
    pub groups: Vec<u32>,
    /// Low halves (or the whole weights, when they fit in 16 bits).
    pub lo: Vec<i32>,
    /// High halves, when some weight does not fit in 16 bits.
    pub hi: Option<Vec<i32>>,
}

impl PairedTaps {
    /// Lays out quantised weights in pairs.
    pub fn new(taps: &AxisTaps<i32>) -> Self {
        let fits = |w: i32| i16::try_from(w).is_ok();
        let split = !taps.weights.iter().all(|&w| fits(w));
        let groups: Vec<u32> = taps
            .lens
            .iter()
            .map(|&len| (len as usize).div_ceil(GROUP_TAPS) as u32)
            .collect();
        let stride = groups.iter().copied().max().unwrap_or(0) as usize * GROUP_TAPS / 2;
        let pack = |a: i32, b: i32| (a & 0xffff) | (b << 16);
        let mut lo = vec![0; groups.len() * stride];
        let mut hi = vec![0; if split { groups.len() * stride } else { 0 }];
        for i in 0..groups.len() {
            let row = taps.row(i);
            let tap = |k: usize| row.get(k).copied().unwrap_or(0);
            for j in 0..stride {
                let (a, b) = (tap(2 * j), tap(2 * j + 1));
                if split {
                    let low = |w: i32| w & ((1 << SPLIT_BITS) - 1);
                    lo[i * stride + j] = pack(low(a), low(b));
                    hi[i * stride + j] = pack(a >> SPLIT_BITS, b >> SPLIT_BITS);
                } else {
                    lo[i * stride + j] = pack(a, b);
                }
            }
        }
        PairedTaps {
            stride,
            groups,
            lo,
            hi: split.then_some(hi),
        }
    }

    /// The pairs of output `i`'s low (or whole) weights.
    pub fn lo_row(&self, i: usize) -> &[i32] {
        &self.lo[i * self.stride..(i + 1) * self.stride]
    }

    /// The pairs of output `i`'s high weights, when weights are split.
    pub fn hi_row(&self, i: usize) -> Option<&[i32]> {
        self.hi
            .as_ref()
            .map(|hi| &hi[i * self.stride..(i + 1) * self.stride])
    }
}

/// Outputs of one [`RunTaps`] run.
pub const RUN_OUTPUTS: usize = 4;

/// Bytes a run reads per row (two 64-byte loads): every tap of its outputs must lie in them.
pub const RUN_BYTES: usize = 128;

/// Bytes a run's gather makes per row and pair slot: 4 outputs × 4 channels × 2 taps, 16 bits each.
pub const SLOT_BYTES: usize = 64;

/// The pairs of [`PairedTaps`] laid out for runs of [`RUN_OUTPUTS`] consecutive outputs (those from
/// `phase + 4k`: a pass's first output sets the phase), for pixels of `channels` bytes: [`RUN_BYTES`] bytes per row from the run's first tap,
/// then per pair slot `j` a two-register byte-permute index that gathers, in 16-bit lane
/// `8·o + 2·c + t`, channel `c` of tap `2j + t` of output `o`, and the pair weights of each output
/// in its four 32-bit lanes. A run whose taps do not fit in one load is marked so (the caller
/// computes it another way). Same integers as [`PairedTaps`]: only where they sit changes.
#[derive(Debug, Clone, PartialEq)]
pub struct RunTaps {
    pub channels: usize,
    /// The first output of run 0 (0 to 3).
    pub phase: usize,
    /// Pair slots per run in `index`, `lo` and `hi`.
    pub slots: usize,
    /// Per run: its first tap (input index), or `None` when it does not fit in one load.
    pub base: Vec<Option<u32>>,
    /// Per run: the pair slots it uses.
    pub used: Vec<u32>,
    /// [`SLOT_BYTES`] indices per run and slot.
    pub index: Vec<u8>,
    /// 16 lanes (`4 outputs × 4 channels`) per run and slot: low (or whole) pair weights.
    pub lo: Vec<i32>,
    /// The high halves, when weights are split.
    pub hi: Option<Vec<i32>>,
}

impl RunTaps {
    /// The runs from output `phase` of `taps` (paired as `pairs`) for `channels`-byte pixels.
    pub fn new(taps: &AxisTaps<i32>, pairs: &PairedTaps, channels: usize, phase: usize) -> Self {
        let runs = taps.out_size().saturating_sub(phase) / RUN_OUTPUTS;
        let pairs_of = |x: usize| (taps.lens[x] as usize).div_ceil(2);
        let outputs = |k: usize| phase + k * RUN_OUTPUTS..phase + (k + 1) * RUN_OUTPUTS;
        let first = |k: usize| taps.starts[phase + k * RUN_OUTPUTS] as usize;
        // A run fits when the last byte any used pair of it reads, from its first tap, is in
        // the run's bytes.
        let fits = |k: usize| {
            outputs(k)
                .map(|x| (taps.starts[x] as usize - first(k) + 2 * pairs_of(x)) * channels)
                .max()
                .is_some_and(|end| end <= RUN_BYTES)
        };
        let base: Vec<Option<u32>> = (0..runs)
            .map(|k| fits(k).then_some(first(k) as u32))
            .collect();
        let used: Vec<u32> = (0..runs)
            .map(|k| outputs(k).map(pairs_of).max().unwrap_or(0) as u32)
            .collect();
        // Slots for the runs that fit only (at most RUN_BYTES / 2 pairs): a strong downscale's
        // long rows of taps take no room.
        let slots = (0..runs)
            .filter(|&k| base[k].is_some())
            .map(|k| used[k] as usize)
            .max()
            .unwrap_or(0);
        let mut index = vec![0u8; runs * slots * SLOT_BYTES];
        let mut lo = vec![0i32; runs * slots * 16];
        let mut hi = pairs.hi.as_ref().map(|_| vec![0i32; runs * slots * 16]);
        for k in (0..runs).filter(|&k| base[k].is_some()) {
            let first = first(k);
            for j in 0..slots {
                let at = (k * slots + j) * SLOT_BYTES;
                for (o, x) in outputs(k).enumerate() {
                    let start = taps.starts[x] as usize - first;
                    for c in 0..channels {
                        for t in 0..2 {
                            // Past the output's taps the weight is zero: any byte will do, and
                            // the index stays in the run (the permute reads its low 7 bits).
                            let byte = ((start + 2 * j + t) * channels + c) % RUN_BYTES;
                            index[at + 2 * (8 * o + 2 * c + t)] = byte as u8;
                        }
                    }
                    let weight = |table: &[i32]| table.get(x * pairs.stride + j).copied();
                    let lanes = (k * slots + j) * 16 + 4 * o;
                    let in_row = j < pairs.stride;
                    lo[lanes..lanes + 4].fill(if in_row {
                        weight(&pairs.lo).unwrap_or(0)
                    } else {
                        0
                    });
                    if let (Some(hi), Some(table)) = (&mut hi, &pairs.hi) {
                        hi[lanes..lanes + 4].fill(if in_row {
                            weight(table).unwrap_or(0)
                        } else {
                            0
                        });
                    }
                }
            }
        }
        RunTaps {
            channels,
            phase,
            slots,
            base,
            used,
            index,
            lo,
            hi,
        }
    }
}

/// [`RunTaps`] for each pixel size and phase, built the first time a pass asks (plans are shared,
/// so once per input size). Derived data: it takes no part in comparing axes.
#[derive(Debug, Clone, Default)]
pub struct RunCache([std::sync::OnceLock<RunTaps>; 16]);

impl PartialEq for RunCache {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl RunCache {
    /// The runs of `taps` (laid out as `pairs`) for `channels`-byte pixels (1 to 4), from output
    /// `phase` (0 to 3): built on first use.
    pub fn get(
        &self,
        taps: &AxisTaps<i32>,
        pairs: &PairedTaps,
        channels: usize,
        phase: usize,
    ) -> &RunTaps {
        self.0[(channels - 1) * RUN_OUTPUTS + phase]
            .get_or_init(|| RunTaps::new(taps, pairs, channels, phase))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::numeric::fixed::FixedAxis;
    use crate::numeric::taps::tests::triangle;
    use crate::numeric::taps::{Filter, antialias_taps};

    /// The pairs hold every weight: `hi·2^15 + lo` (or `lo` alone) gives it back, zeros pad.
    #[test]
    fn paired_taps_hold_every_weight() {
        for precision_bits in [14, 22] {
            let filter = Filter {
                function: triangle,
                support: 1.0,
            };
            let axis = FixedAxis::from_f64(&antialias_taps(37, 5, filter, false), precision_bits);
            let pairs = &axis.pairs;
            assert_eq!(pairs.hi.is_some(), precision_bits == 22);
            for i in 0..5 {
                let row = axis.taps.row(i);
                assert_eq!(pairs.groups[i] as usize, row.len().div_ceil(GROUP_TAPS));
                for k in 0..pairs.stride * 2 {
                    let half = |v: i32| {
                        if k % 2 == 0 {
                            i32::from(v as i16)
                        } else {
                            v >> 16
                        }
                    };
                    let lo = half(pairs.lo_row(i)[k / 2]);
                    let weight = match pairs.hi_row(i) {
                        Some(hi) => (half(hi[k / 2]) << SPLIT_BITS) + (lo & 0x7fff),
                        None => lo,
                    };
                    assert_eq!(
                        weight,
                        row.get(k).copied().unwrap_or(0),
                        "output {i} tap {k}"
                    );
                }
            }
        }
    }

    /// Emulating the permute and the 16-bit multiply-adds on the run tables gives each output's
    /// sum of the whole weights (on any machine, with or without VBMI).
    #[test]
    fn run_tables_gather_every_tap_of_each_output() {
        let bicubic = |x: f64| {
            let x = x.abs();
            if x < 1.0 {
                (1.5 * x - 2.5) * x * x + 1.0
            } else if x < 2.0 {
                ((-0.5 * x + 2.5) * x - 4.0) * x + 2.0
            } else {
                0.0
            }
        };
        let filter = Filter {
            function: bicubic,
            support: 2.0,
        };
        let mut fitted = 0;
        for (in_size, out_size) in [(640, 298), (1920, 398), (50, 121), (3000, 100)] {
            for precision_bits in [14, 22] {
                let axis = FixedAxis::from_f64(
                    &antialias_taps(in_size, out_size, filter, false),
                    precision_bits,
                );
                for (channels, phase) in (1..=4).flat_map(|c| (0..RUN_OUTPUTS).map(move |p| (c, p)))
                {
                    let row: Vec<u8> = (0..in_size * channels + RUN_BYTES)
                        .map(|i| (i * 7 + i / 5) as u8)
                        .collect();
                    let runs = axis.runs(channels, phase);
                    for (k, base) in runs.base.iter().enumerate() {
                        let Some(base) = base else { continue };
                        fitted += 1;
                        let bytes = &row[*base as usize * channels..][..RUN_BYTES];
                        for o in 0..RUN_OUTPUTS {
                            let x = phase + k * RUN_OUTPUTS + o;
                            for c in 0..channels {
                                let mut sum = 0i64;
                                for j in 0..runs.used[k] as usize {
                                    let slot = k * runs.slots + j;
                                    let lane = 8 * o + 2 * c;
                                    let pick = |t: usize| {
                                        i64::from(
                                            bytes[runs.index[slot * SLOT_BYTES + 2 * (lane + t)]
                                                as usize],
                                        )
                                    };
                                    let half = |w: i32, t: usize| i64::from((w >> (16 * t)) as i16);
                                    let pair = |w: i32| pick(0) * half(w, 0) + pick(1) * half(w, 1);
                                    let lo = runs.lo[slot * 16 + 4 * o + c];
                                    sum += match &runs.hi {
                                        Some(hi) => {
                                            (pair(hi[slot * 16 + 4 * o + c]) << SPLIT_BITS)
                                                + pair(lo)
                                        }
                                        None => pair(lo),
                                    };
                                }
                                let start = axis.taps.starts[x] as usize;
                                let expected: i64 = axis
                                    .taps
                                    .row(x)
                                    .iter()
                                    .enumerate()
                                    .map(|(t, &w)| {
                                        i64::from(row[(start + t) * channels + c]) * i64::from(w)
                                    })
                                    .sum();
                                assert_eq!(
                                    sum, expected,
                                    "{in_size}->{out_size} p{precision_bits} c{channels} x{x}"
                                );
                            }
                        }
                    }
                }
            }
        }
        assert!(fitted > 100, "runs were checked: {fitted}");
    }
}
