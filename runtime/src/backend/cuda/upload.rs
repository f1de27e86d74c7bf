//! One upload per call: a batch's tables, and its images when they come from host memory, laid out
//! in one buffer and written into it (images in runs, so the copy engine moves one while the host
//! writes the next).

use super::batch::{ImageShape, KernelBatch};
use crate::error::{Error, Result};
use crate::numeric::Pixels;

/// Bytes of images written and uploaded at a time: large enough for the copy engine's full rate,
/// small enough that the host writes the next run while the last one crosses the bus.
pub const UPLOAD_RUN_BYTES: usize = 8 << 20;

/// Alignment of each table in an upload buffer (enough for every element type the kernels read).
pub const UPLOAD_ALIGN: usize = 16;

/// Byte offsets of a batch's tables in one upload buffer, each aligned to [`UPLOAD_ALIGN`], so
/// one copy carries a whole call's tables (and images, when they come from host memory).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UploadLayout {
    pub starts: usize,
    pub lens: usize,
    pub weights: usize,
    pub luts: usize,
    pub stage_passes: usize,
    pub output_passes: usize,
    /// Where the images start.
    pub images: usize,
    /// Bytes of the whole buffer.
    pub len: usize,
}

impl KernelBatch {
    /// Where the tables go in one upload buffer, followed by the images when `with_images`.
    pub fn upload_layout(&self, with_images: bool) -> UploadLayout {
        let mut at = 0;
        let mut place = |bytes: usize| {
            let offset = at;
            at = (at + bytes).next_multiple_of(UPLOAD_ALIGN);
            offset
        };
        let bytes = |n: usize, size: usize| n * size;
        let mut layout = UploadLayout {
            starts: place(bytes(self.starts.len(), 4)),
            lens: place(bytes(self.lens.len(), 4)),
            weights: place(bytes(self.weights.len(), 4)),
            luts: place(bytes(self.luts.len(), 4)),
            stage_passes: place(std::mem::size_of_val(self.stage.as_slice())),
            output_passes: place(std::mem::size_of_val(self.output_passes.as_slice())),
            images: 0,
            len: 0,
        };
        layout.images = place(0);
        layout.len = layout.images + if with_images { self.input_bytes } else { 0 };
        layout
    }

    /// Writes the tables into `buffer` (at least `layout.images` bytes) where `layout` puts them.
    pub fn write_tables(&self, layout: &UploadLayout, buffer: &mut [u8]) -> Result<()> {
        let tables: [(usize, &[u8]); 6] = [
            (layout.starts, bytemuck::cast_slice(&self.starts)),
            (layout.lens, bytemuck::cast_slice(&self.lens)),
            (layout.weights, bytemuck::cast_slice(&self.weights)),
            (layout.luts, bytemuck::cast_slice(&self.luts)),
            (layout.stage_passes, bytemuck::cast_slice(&self.stage)),
            (
                layout.output_passes,
                bytemuck::cast_slice(&self.output_passes),
            ),
        ];
        for (at, bytes) in tables {
            buffer
                .get_mut(at..at + bytes.len())
                .ok_or_else(|| {
                    Error::Internal("the upload buffer is smaller than its layout".into())
                })?
                .copy_from_slice(bytes);
        }
        Ok(())
    }

    /// The bytes of image `i` among all images.
    fn image_bytes(&self, i: usize) -> std::ops::Range<usize> {
        let end = self
            .image_offsets
            .get(i + 1)
            .copied()
            .unwrap_or(self.input_bytes);
        self.image_offsets.get(i).copied().unwrap_or(end)..end
    }

    /// Runs of consecutive images of about `bytes` each (at least one image a run): the upload
    /// copies one run to the device while the host writes the next.
    pub fn image_runs(&self, bytes: usize) -> Vec<std::ops::Range<usize>> {
        let mut runs = Vec::new();
        let mut start = 0;
        for i in 0..self.image_offsets.len() {
            let end = self.image_bytes(i).end;
            if end - self.image_bytes(start).start >= bytes || i + 1 == self.image_offsets.len() {
                runs.push(start..i + 1);
                start = i + 1;
            }
        }
        runs
    }

    /// Copies images `run` of the batch (`inputs` are all of them) to their places in `images`
    /// (the images' region of an upload buffer), in parallel: this copy is the host's share of a
    /// GPU call's time. Returns the bytes written.
    pub fn write_images(
        &self,
        inputs: &[Pixels],
        run: std::ops::Range<usize>,
        images: &mut [u8],
    ) -> Result<std::ops::Range<usize>> {
        use rayon::prelude::*;
        let mismatch =
            || Error::InvalidArgument("the images do not match the batch's layout".into());
        if inputs.len() != self.image_offsets.len() || run.end > inputs.len() {
            return Err(mismatch());
        }
        let bytes = self.image_bytes(run.start).start..self.image_bytes(run.end - 1).end;
        let region = images.get_mut(bytes.clone()).ok_or_else(mismatch)?;
        let mut places = Vec::with_capacity(run.len());
        let mut rest = region;
        for i in run {
            let (place, tail) = rest.split_at_mut(self.image_bytes(i).len());
            let pixels = &inputs[i];
            let held = self.held.get(i).copied().ok_or_else(mismatch)?;
            let row = held.width() * pixels.channels;
            let fits = self.shapes.get(i) == Some(&ImageShape::of(pixels))
                && held.x1 <= pixels.width
                && held.y1 <= pixels.height
                && pixels.data.len() == pixels.width * pixels.height * pixels.channels
                && place.len() == row * held.height();
            if !fits {
                return Err(mismatch());
            }
            places.push((place, pixels, held));
            rest = tail;
        }
        places.into_par_iter().for_each(|(place, pixels, held)| {
            let c = pixels.channels;
            let row = held.width() * c;
            if row == 0 {
                return;
            }
            // Rows of the held columns (one copy when the image is held whole).
            for (y, dst) in (held.y0..held.y1).zip(place.chunks_exact_mut(row)) {
                let at = (y * pixels.width + held.x0) * c;
                dst.copy_from_slice(&pixels.data[at..at + row]);
            }
        });
        Ok(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::numeric::region::Region;

    fn batch_of(sizes: &[usize]) -> KernelBatch {
        let mut batch = KernelBatch::default();
        for &size in sizes {
            batch.image_offsets.push(batch.input_bytes);
            batch.held.push(Region::full(size, 1));
            batch.shapes.push(ImageShape {
                width: size,
                height: 1,
                channels: 1,
            });
            batch.input_bytes += size;
        }
        batch
    }

    #[test]
    fn image_runs_cover_every_image_once_in_order() {
        assert!(batch_of(&[]).image_runs(10).is_empty());
        // One image larger than a run is a run of its own.
        let one = std::ops::Range { start: 0, end: 1 };
        assert_eq!(batch_of(&[100]).image_runs(10), [one]);
        assert_eq!(batch_of(&[4, 4, 4, 4, 4]).image_runs(8), [0..2, 2..4, 4..5]);
        assert_eq!(batch_of(&[3, 20, 3]).image_runs(8), [0..2, 2..3]);
    }

    #[test]
    fn images_that_do_not_match_the_layout_are_an_error() {
        let batch = batch_of(&[4, 4]);
        let pixels = |len: usize| Pixels {
            width: len,
            height: 1,
            channels: 1,
            data: vec![1; len].into(),
        };
        let mut region = vec![0u8; 8];
        assert!(batch.write_images(&[pixels(4)], 0..1, &mut region).is_err());
        assert!(
            batch
                .write_images(&[pixels(4), pixels(5)], 0..2, &mut region)
                .is_err()
        );
        assert!(
            batch
                .write_images(&[pixels(4), pixels(4)], 0..2, &mut region[..7])
                .is_err()
        );
        assert_eq!(
            batch
                .write_images(&[pixels(4), pixels(4)], 1..2, &mut region)
                .ok(),
            Some(4..8)
        );
        assert_eq!(region, [0, 0, 0, 0, 1, 1, 1, 1]);
    }

    /// An image held in part: only the held rectangle's rows are copied.
    #[test]
    fn a_held_part_is_copied_row_by_row() {
        let mut batch = batch_of(&[4]);
        batch.shapes[0] = ImageShape {
            width: 4,
            height: 3,
            channels: 1,
        };
        batch.held[0] = Region {
            x0: 1,
            x1: 3,
            y0: 1,
            y1: 3,
        };
        let image = Pixels {
            width: 4,
            height: 3,
            channels: 1,
            data: (0..12).collect(),
        };
        let mut region = vec![0u8; 4];
        assert_eq!(
            batch
                .write_images(std::slice::from_ref(&image), 0..1, &mut region)
                .ok(),
            Some(0..4)
        );
        assert_eq!(region, [5, 6, 9, 10]);
    }
}
