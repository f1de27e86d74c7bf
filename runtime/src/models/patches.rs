//! Images cut into square patches flattened to rows, as the processors of native-resolution
//! models lay them out (Qwen2-VL's `patchify`, SigLIP2's `convert_image_to_patches`): the backend
//! resizes, rescales and normalizes each image; the rows are gathered from its `[C, H, W]` values
//! here.

use crate::backend::Backend;
use crate::call::Call;
use crate::error::{Error, Result};
use crate::feature::Feature;
use crate::kwargs::ChannelDimension;
use crate::numeric::Size;
use crate::pipeline::pixel_values;
use crate::placement::{Assembly, Stacking, budgeted_elements};
use crate::plan::Input;
use crate::tensor::{Tensor, TensorData};

/// How an image's patches become rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PatchRows {
    /// The side of a square patch, in pixels.
    pub patch: usize,
    /// Patches taken `merge × merge` at a time, the blocks row-major (1: row-major patches).
    pub merge: usize,
    /// Each channel's patch repeated this many times in its row (Qwen2-VL's temporal axis; rows
    /// channel by channel only: no model repeats pixel-by-pixel rows).
    pub repeat: usize,
    /// Within a row: pixel by pixel, channels interleaved (`true`); else channel by channel.
    pub channels_last: bool,
}

impl PatchRows {
    /// Patches down and across an image of `size`, which must be whole `merge × merge` blocks of
    /// patches (transformers' `reshape` fails otherwise).
    pub fn grid(&self, size: Size) -> Result<(usize, usize)> {
        let block = self.patch.saturating_mul(self.merge);
        if block == 0 || !size.height.is_multiple_of(block) || !size.width.is_multiple_of(block) {
            return Err(Error::InvalidImage(format!(
                "a {size} image is not whole {block}×{block} blocks of {0}×{0} patches",
                self.patch
            )));
        }
        Ok((size.height / self.patch, size.width / self.patch))
    }

    /// Elements of a row, for `channels` channels.
    pub fn row_len(&self, channels: usize) -> usize {
        channels * self.repeat * self.patch * self.patch
    }

    /// The rows of one image's `[C, H, W]` values (a size of whole blocks).
    fn rows<T: Copy + Default>(&self, values: &[T], channels: usize, size: Size) -> Vec<T> {
        let PatchRows {
            patch: p, merge: m, ..
        } = *self;
        let (rows, cols) = (size.height / p, size.width / p);
        let row_len = self.row_len(channels);
        let mut out = vec![T::default(); rows * cols * row_len];
        let blocks = (0..rows / m).flat_map(|r| (0..cols / m).map(move |c| (r, c)));
        let patches = blocks.flat_map(|(r, c)| {
            (0..m).flat_map(move |i| (0..m).map(move |j| ((r * m + i) * p, (c * m + j) * p)))
        });
        for ((top, left), row) in patches.zip(out.chunks_exact_mut(row_len)) {
            let at = |c: usize, y: usize| (c * size.height + top + y) * size.width + left;
            if self.channels_last {
                for (k, pixel) in row.chunks_exact_mut(channels).enumerate() {
                    let (y, x) = (k / p, k % p);
                    for (c, v) in pixel.iter_mut().enumerate() {
                        *v = values[at(c, y) + x];
                    }
                }
                continue;
            }
            for (c, channel) in row.chunks_exact_mut(self.repeat * p * p).enumerate() {
                let (first, repeats) = channel.split_at_mut(p * p);
                for (y, line) in first.chunks_exact_mut(p).enumerate() {
                    line.copy_from_slice(&values[at(c, y)..at(c, y) + p]);
                }
                for repeat in repeats.chunks_exact_mut(p * p) {
                    repeat.copy_from_slice(first);
                }
            }
        }
        out
    }

    /// Each image's rows, `[patches, row_len]`, from its `[C, H, W]` tensor.
    pub fn of_images(&self, images: &[Tensor]) -> Result<Vec<Tensor>> {
        images
            .iter()
            .map(|image| {
                let [channels, height, width] = image.shape[..] else {
                    return Err(Error::Internal(format!(
                        "patches of a tensor of shape {:?}, not [C, H, W]",
                        image.shape
                    )));
                };
                let size = Size::new(height, width);
                let (rows, cols) = self.grid(size)?;
                // The repeats multiply the backend's output: checked before they are made.
                let shape = [rows * cols, channels, self.repeat, self.patch, self.patch];
                let bytes = match &image.data {
                    TensorData::U8(_) => 1,
                    TensorData::F32(_) | TensorData::I32(_) => 4,
                    TensorData::I64(_) => 8,
                };
                budgeted_elements("pixel_values", &shape, bytes)?;
                let data = match &image.data {
                    TensorData::F32(v) => TensorData::F32(self.rows(v, channels, size)),
                    TensorData::U8(v) => TensorData::U8(self.rows(v, channels, size)),
                    TensorData::I32(v) => TensorData::I32(self.rows(v, channels, size)),
                    TensorData::I64(v) => TensorData::I64(self.rows(v, channels, size)),
                };
                Ok(Tensor {
                    shape: vec![rows * cols, self.row_len(channels)],
                    data,
                })
            })
            .collect()
    }
}

/// A model kwarg that must be a positive integer, `default` where unset.
pub fn positive(key: &str, value: Option<u32>, default: u32) -> Result<usize> {
    match value.unwrap_or(default) {
        0 => Err(Error::config(key, "must be a positive integer")),
        v => Ok(v as usize),
    }
}

/// Each input resized to its size in `sizes` (`None`: kept) with the call's filter, rescaled and
/// normalized as the call says, by `backend`: one `[C, H, W]` tensor per image, in host memory.
pub fn normalized_images<B: Backend + ?Sized>(
    backend: &B,
    call: &Call,
    inputs: Vec<Input<'_>>,
    sizes: &[Option<Size>],
) -> Result<Vec<Tensor>> {
    let plans = (inputs.iter().zip(sizes))
        .map(|(input, to)| call.plan_whole(input, *to, ChannelDimension::First))
        .collect::<Result<Vec<_>>>()?;
    let pixels: Vec<_> = inputs.into_iter().map(|input| input.pixels).collect();
    let assembly = Assembly {
        stacking: Stacking::List,
        ..Assembly::default()
    };
    let features = pixel_values(backend, call.numerics, &pixels, &plans, &assembly)?;
    match features.data.get("pixel_values").map(Feature::to_host) {
        Some(Ok(Feature::List(images))) => Ok(images),
        Some(Err(e)) => Err(e),
        _ => Err(Error::Internal(
            "the images were not computed as a list".into(),
        )),
    }
}
