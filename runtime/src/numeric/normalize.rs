//! Rescale and normalize, fused with the crop into one pass that writes f32 planes (CHW).
//!
//! Every output value is a function of the channel and the 8-bit level, so the float formula of each
//! mode is evaluated once per `(channel, level)` on the host into a 256-entry table per channel; both
//! twins look values up in the same table. The formulas are the references' own, operation by operation:
//! - `pil`: `f32(f64(level) * rescale_factor)`, then `(x - mean) / std` in f32;
//! - `torchvision`: mean and std are float32 tensors scaled by `1 / rescale_factor` in f32, then
//!   `(f32(level) - mean') / std'` in f32.

use super::crop::CropWindow;
use super::{Numerics, Pixels};
use crate::kwargs::ChannelDimension;

/// What happens to the 8-bit levels after resize and crop.
#[derive(Debug, Clone, PartialEq)]
pub struct LevelMap {
    pub channels: usize,
    /// `channels * 256` values, or `None` when neither rescale nor normalize is on (output stays uint8).
    pub table: Option<Vec<f32>>,
}

/// The per-channel normalization constants as transformers holds them: float32.
#[derive(Debug, Clone, PartialEq)]
pub struct MeanStd {
    pub mean: Vec<f32>,
    pub std: Vec<f32>,
}

impl LevelMap {
    /// The value of `level` in channel `channel` (the table must exist).
    #[inline]
    pub fn value(table: &[f32], channel: usize, level: u8) -> f32 {
        table[channel * 256 + usize::from(level)]
    }

    /// Builds the table of one numerics mode.
    pub fn new(
        numerics: Numerics,
        channels: usize,
        rescale_factor: Option<f64>,
        normalize: Option<&MeanStd>,
    ) -> Self {
        if rescale_factor.is_none() && normalize.is_none() {
            return LevelMap {
                channels,
                table: None,
            };
        }
        let mut table = Vec::with_capacity(channels * 256);
        for c in 0..channels {
            let mean_std = normalize.map(|n| (n.mean[c], n.std[c]));
            for level in 0..=255u8 {
                table.push(match numerics {
                    Numerics::Pil => pil_value(level, rescale_factor, mean_std),
                    Numerics::Torchvision => torchvision_value(level, rescale_factor, mean_std),
                });
            }
        }
        LevelMap {
            channels,
            table: Some(table),
        }
    }
}

/// `rescale` (`x.astype(float64) * scale`, cast to float32) then `normalize` (float32 `(x - mean) / std`).
fn pil_value(level: u8, rescale_factor: Option<f64>, mean_std: Option<(f32, f32)>) -> f32 {
    let x = match rescale_factor {
        Some(factor) => (f64::from(level) * factor) as f32,
        None => f32::from(level),
    };
    match mean_std {
        Some((mean, std)) => (x - mean) / std,
        None => x,
    }
}

/// `rescale_and_normalize`: with both on, mean and std are fused with the factor
/// (`tensor(mean) * (1.0 / rescale_factor)`, float32); rescale alone is `x * rescale_factor` in float32.
fn torchvision_value(level: u8, rescale_factor: Option<f64>, mean_std: Option<(f32, f32)>) -> f32 {
    let x = f32::from(level);
    match (rescale_factor, mean_std) {
        (Some(factor), Some((mean, std))) => {
            let inv = (1.0 / factor) as f32;
            (x - mean * inv) / (std * inv)
        }
        (None, Some((mean, std))) => (x - mean) / std,
        (Some(factor), None) => x * factor as f32,
        (None, None) => x,
    }
}

/// Writes the cropped image, each sample mapped by `map(channel, level)`, in `layout` (CHW planes or
/// HWC rows). Pixels outside the source are level 0: both backends pad the uint8 image with zeros.
pub fn crop_map<T: Copy>(
    src: &Pixels,
    crop: &CropWindow,
    layout: ChannelDimension,
    out: &mut [T],
    map: impl Fn(usize, u8) -> T,
) {
    let c = src.channels;
    let plane = crop.height * crop.width;
    for y in 0..crop.height {
        let sy = CropWindow::source(crop.top, y, src.height);
        for x in 0..crop.width {
            let at = match (sy, CropWindow::source(crop.left, x, src.width)) {
                (Some(sy), Some(sx)) => Some((sy * src.width + sx) * c),
                _ => None,
            };
            let pixel = y * crop.width + x;
            for ch in 0..c {
                let level = at.map_or(0, |at| src.data[at + ch]);
                let index = match layout {
                    ChannelDimension::First => ch * plane + pixel,
                    ChannelDimension::Last => pixel * c + ch,
                };
                out[index] = map(ch, level);
            }
        }
    }
}
