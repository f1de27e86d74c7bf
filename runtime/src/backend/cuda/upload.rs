//! One upload per call: a batch's tables, and its images when they come from host memory, laid out
//! in one device buffer; the images written in pieces through a bounded staging ring, so the copy
//! engine moves one piece while the host writes the next.

use super::batch::{ImageShape, KernelBatch};
use crate::error::{Error, Result};
use crate::numeric::Pixels;

/// Bytes of one segment of a slot's page-locked staging ring: large enough for the copy engine's
/// full rate, small enough that the host writes the next segment while this one crosses the bus.
pub const STAGING_SEGMENT_BYTES: usize = 8 << 20;

/// Segments in a staging ring: images from host memory go up through at most this many segments'
/// bytes of page-locked memory, however large the batch.
pub const STAGING_SEGMENTS: usize = 4;

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

    /// The images' bytes in pieces of at most `bytes` (rows are cut anywhere).
    pub fn image_pieces(&self, bytes: usize) -> impl Iterator<Item = std::ops::Range<usize>> {
        let end = self.input_bytes;
        (0..end)
            .step_by(bytes.max(1))
            .map(move |start| start..(start + bytes.max(1)).min(end))
    }

    /// Checks that `inputs` are the images this batch was laid out for.
    pub fn check_images(&self, inputs: &[Pixels]) -> Result<()> {
        let fits = |(i, pixels): (usize, &Pixels)| {
            let held = self.held.get(i);
            self.shapes.get(i) == Some(&ImageShape::of(pixels))
                && held.is_some_and(|h| h.x1 <= pixels.width && h.y1 <= pixels.height)
                && pixels.data.len() == pixels.width * pixels.height * pixels.channels
        };
        if inputs.len() != self.image_offsets.len() || !inputs.iter().enumerate().all(fits) {
            return Err(Error::InvalidArgument(
                "the images do not match the batch's layout".into(),
            ));
        }
        Ok(())
    }

    /// Writes bytes `range` of the images as the device buffer holds them (each image's held
    /// rectangle row after row, the images back to back) into `out`, in parallel: any range, so
    /// an upload can go through a bounded staging buffer piece by piece. This copy is the host's
    /// share of a GPU call's time. `inputs` are all the batch's images, already
    /// [checked](Self::check_images).
    pub fn write_image_bytes(
        &self,
        inputs: &[Pixels],
        range: std::ops::Range<usize>,
        out: &mut [u8],
    ) -> Result<()> {
        use rayon::prelude::*;
        let mismatch = || Error::Internal("image bytes outside the batch's layout".into());
        if out.len() != range.len() || range.end > self.input_bytes {
            return Err(mismatch());
        }
        // (place in `out`, the source bytes): a piece of one row each.
        let mut pieces: Vec<(&mut [u8], &[u8])> = Vec::new();
        let mut rest = out;
        let mut at = range.start;
        let mut i = self
            .image_offsets
            .partition_point(|&o| o <= at)
            .saturating_sub(1);
        while at < range.end {
            let (Some(pixels), Some(held)) = (inputs.get(i), self.held.get(i)) else {
                return Err(mismatch());
            };
            let image = self.image_bytes(i);
            let row = held.width() * pixels.channels;
            if at >= image.end || row == 0 {
                i += 1;
                continue;
            }
            let within = at - image.start;
            let (y, x) = (held.y0 + within / row, within % row);
            let len = (row - x).min(range.end - at);
            let from = (y * pixels.width + held.x0) * pixels.channels + x;
            let source = pixels.data.get(from..from + len).ok_or_else(mismatch)?;
            let (place, tail) = std::mem::take(&mut rest).split_at_mut(len);
            pieces.push((place, source));
            rest = tail;
            at += len;
        }
        pieces
            .into_par_iter()
            .with_min_len(64)
            .for_each(|(place, source)| place.copy_from_slice(source));
        Ok(())
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
    fn images_that_do_not_match_the_layout_are_an_error() {
        let batch = batch_of(&[4, 4]);
        let pixels = |len: usize| Pixels {
            width: len,
            height: 1,
            channels: 1,
            data: vec![1; len].into(),
        };
        assert!(batch.check_images(&[pixels(4)]).is_err());
        assert!(batch.check_images(&[pixels(4), pixels(5)]).is_err());
        assert!(batch.check_images(&[pixels(4), pixels(4)]).is_ok());
        let images = [pixels(4), pixels(4)];
        let mut region = vec![0u8; 8];
        assert!(
            batch
                .write_image_bytes(&images, 0..8, &mut region[..7])
                .is_err()
        );
        assert!(
            batch
                .write_image_bytes(&images, 4..9, &mut region[..5])
                .is_err()
        );
        assert!(
            batch
                .write_image_bytes(&images, 4..8, &mut region[4..])
                .is_ok()
        );
        assert_eq!(region, [0, 0, 0, 0, 1, 1, 1, 1]);
    }

    /// Any split of the images' bytes into pieces writes what one piece of everything writes:
    /// images held whole and in part, empty ones, rows cut anywhere.
    #[test]
    fn pieces_of_any_size_write_the_same_bytes() {
        let mut batch = KernelBatch::default();
        let shapes = [(5, 3, 3), (0, 0, 3), (7, 4, 1), (2, 2, 4), (6, 5, 3)];
        let helds = [
            Region::full(5, 3),
            Region::EMPTY,
            Region {
                x0: 2,
                x1: 6,
                y0: 1,
                y1: 4,
            },
            Region::full(2, 2),
            Region {
                x0: 0,
                x1: 3,
                y0: 2,
                y1: 5,
            },
        ];
        let mut images = Vec::new();
        for (&(width, height, channels), &held) in shapes.iter().zip(&helds) {
            batch.image_offsets.push(batch.input_bytes);
            batch.held.push(held);
            batch.shapes.push(ImageShape {
                width,
                height,
                channels,
            });
            batch.input_bytes += held.width() * held.height() * channels;
            let seed = images.len() as u8 * 50;
            let data = (0..width * height * channels).map(|v| seed.wrapping_add(v as u8));
            images.push(Pixels {
                width,
                height,
                channels,
                data: data.collect(),
            });
        }
        batch.check_images(&images).unwrap();
        // Expected: each held rectangle's rows, by hand.
        let mut expected = Vec::new();
        for (pixels, held) in images.iter().zip(&helds) {
            let c = pixels.channels;
            for y in held.y0..held.y1 {
                let at = (y * pixels.width + held.x0) * c;
                expected.extend_from_slice(&pixels.data[at..at + held.width() * c]);
            }
        }
        assert_eq!(expected.len(), batch.input_bytes);
        for piece in 1..=batch.input_bytes {
            let mut written = vec![0u8; batch.input_bytes];
            for start in (0..batch.input_bytes).step_by(piece) {
                let range = start..(start + piece).min(batch.input_bytes);
                let out = &mut written[range.clone()];
                batch.write_image_bytes(&images, range, out).unwrap();
            }
            assert_eq!(written, expected, "pieces of {piece} bytes");
        }
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
        let images = std::slice::from_ref(&image);
        batch.check_images(images).unwrap();
        batch.write_image_bytes(images, 0..4, &mut region).unwrap();
        assert_eq!(region, [5, 6, 9, 10]);
    }
}
