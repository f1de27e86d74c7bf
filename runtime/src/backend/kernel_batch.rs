//! A batch laid out for the kernels: the first pass of every two-pass resize as one stage (only
//! the part the outputs need), every output window as the last pass fused with its crop and level
//! map and written to its place in the output buffer, all tables concatenated and packed with the
//! images into one upload. Built on the host from the same [`ImagePlan`]s the CPU backend runs;
//! executed by the CUDA backend on the device and by [`KernelHostBackend`](super::KernelHostBackend)
//! on the host. `#[repr(C)]` mirrors `kernels.cuh`.

use crate::error::{Error, Result};
use crate::kwargs::ChannelDimension;
use crate::numeric::Pixels;
use crate::numeric::convert::ToRgb;
use crate::numeric::fixed::FixedAxis;
use crate::numeric::region::Region;
use crate::numeric::resample::{Reads, ResizePlan};
use crate::plan::{ImagePlan, Placement, Resized};
use std::collections::HashMap;
use std::sync::Arc;

/// `TP_HORIZONTAL`, `TP_VERTICAL`, `TP_NEAREST`, `TP_COPY`.
const HORIZONTAL: i32 = 0;
const VERTICAL: i32 = 1;
const NEAREST: i32 = 2;
const COPY: i32 = 3;
/// `TP_KEEP`, `TP_GRAY`, `TP_GRAY_ALPHA`, `TP_RGBA`.
const KEEP: i32 = 0;
const GRAY: i32 = 1;
const GRAY_ALPHA: i32 = 2;
const RGBA: i32 = 3;
/// `TP_FROM_INPUT`, `TP_FROM_STAGE`.
const FROM_INPUT: i32 = 0;
const FROM_STAGE: i32 = 1;

/// `tp_pass`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Pass {
    pub kind: i32,
    pub convert: i32,
    pub in_channels: i32,
    pub in_w: i32,
    pub in_h: i32,
    pub out_w: i32,
    pub out_h: i32,
    pub channels: i32,
    pub taps: i32,
    pub aux: i32,
    pub weights: i32,
    pub ksize: i32,
    pub precision: i32,
    pub in_x0: i32,
    pub in_y0: i32,
    pub out_x0: i32,
    pub out_y0: i32,
}

/// `tp_stage_pass`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct StagePass {
    pub src: i64,
    pub dst: i64,
    pub source: i32,
    pub pass: Pass,
}

/// `tp_output_pass`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct OutputPass {
    pub src: i64,
    pub dst: i64,
    pub source: i32,
    pub pass: Pass,
    pub top: i32,
    pub left: i32,
    pub win_h: i32,
    pub win_w: i32,
    pub lut: i32,
    pub channels_last: i32,
    pub canvas_h: i32,
    pub canvas_w: i32,
}

/// The size of one 8-bit image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageShape {
    pub width: usize,
    pub height: usize,
    pub channels: usize,
}

impl ImageShape {
    /// The shape of `pixels`.
    pub fn of(pixels: &Pixels) -> Self {
        ImageShape {
            width: pixels.width,
            height: pixels.height,
            channels: pixels.channels,
        }
    }

    /// Its bytes.
    pub fn bytes(&self) -> usize {
        self.width * self.height * self.channels
    }
}

// SAFETY: `#[repr(C)]` structs of integers with no padding (sizes checked below); every bit
// pattern is a valid value.
unsafe impl bytemuck::Zeroable for StagePass {}
// SAFETY: as above.
unsafe impl bytemuck::Pod for StagePass {}
// SAFETY: as above.
unsafe impl bytemuck::Zeroable for OutputPass {}
// SAFETY: as above.
unsafe impl bytemuck::Pod for OutputPass {}
const _: () = assert!(std::mem::size_of::<StagePass>() == 8 + 8 + 4 + 17 * 4);
const _: () = assert!(std::mem::size_of::<OutputPass>() == 8 + 8 + 4 + 17 * 4 + 8 * 4);

/// The whole batch, laid out over its images (which stay where they are: in the caller's memory,
/// in page-locked memory, or already on the device).
#[derive(Debug, Clone, Default)]
pub struct KernelBatch {
    /// Bytes of all input images together, back to back.
    pub input_bytes: usize,
    /// Each input image's byte offset among them.
    pub image_offsets: Vec<usize>,
    /// Each image's shape.
    pub shapes: Vec<ImageShape>,
    /// The pixels of each image its buffer holds (all, or the part its outputs read).
    pub held: Vec<Region>,
    /// First passes of two-pass resizes (one launch).
    pub stage: Vec<StagePass>,
    /// Bytes the first passes write.
    pub stage_bytes: usize,
    /// Per output position: first input index (or nearest source, -1 outside).
    pub starts: Vec<i32>,
    /// Per output position: number of taps.
    pub lens: Vec<i32>,
    /// Fixed-point weights, `ksize` per output position.
    pub weights: Vec<i32>,
    /// One per output tensor: the last pass fused with its window and level map (one launch).
    pub output_passes: Vec<OutputPass>,
    /// Level tables, `channels * 256` per distinct map.
    pub luts: Vec<f32>,
    /// Whether outputs are float32 (else uint8).
    pub float_output: bool,
    /// Where each output goes in the output buffer, and the feature it forms.
    pub placement: Placement,
}

/// Where a resize plan's tables are in the batch's: (taps, weights) per axis (for nearest, the
/// x and y sources in `.0`).
#[derive(Debug, Clone, Copy, Default)]
struct TablesAt {
    horizontal: (i32, i32),
    vertical: (i32, i32),
}

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

fn int(value: usize, what: &str) -> Result<i32> {
    i32::try_from(value).map_err(|_| {
        Error::TooLarge(format!(
            "{what} of {value} exceeds the kernels' 32-bit indices"
        ))
    })
}

impl KernelBatch {
    fn push_axis(&mut self, axis: &FixedAxis) -> Result<(i32, i32)> {
        let taps = int(self.starts.len(), "table size")?;
        let weights = int(self.weights.len(), "table size")?;
        self.starts
            .extend(axis.taps.starts.iter().map(|&s| s as i32));
        self.lens.extend(axis.taps.lens.iter().map(|&l| l as i32));
        self.weights.extend_from_slice(&axis.taps.weights);
        Ok((taps, weights))
    }

    fn push_sources(&mut self, sources: &[u32]) -> Result<i32> {
        let at = int(self.starts.len(), "table size")?;
        // OUTSIDE (u32::MAX) becomes -1.
        self.starts.extend(sources.iter().map(|&s| s as i32));
        self.lens.extend(std::iter::repeat_n(0, sources.len()));
        Ok(at)
    }

    /// Pushes a resize plan's tables; returns where each axis's are (taps, weights).
    fn push_tables(&mut self, resize: &ResizePlan) -> Result<TablesAt> {
        let mut at = TablesAt::default();
        match resize {
            ResizePlan::Copy => {}
            ResizePlan::Nearest { x_src, y_src } => {
                at.horizontal.0 = self.push_sources(x_src)?;
                at.vertical.0 = self.push_sources(y_src)?;
            }
            ResizePlan::Fixed {
                horizontal,
                vertical,
                ..
            } => {
                if let Some(axis) = horizontal {
                    at.horizontal = self.push_axis(axis)?;
                }
                if let Some(axis) = vertical {
                    at.vertical = self.push_axis(axis)?;
                }
            }
        }
        Ok(at)
    }

    /// The passes of a resize of a `(w, h)` image with `native` channels (`channels` after the
    /// conversion), in order (at most two), computing what `reads` says the outputs need from the
    /// input pixels `held` in the image's buffer. The first reads the input through the
    /// conversion; a second reads the stage, already converted.
    fn passes(
        resize: &ResizePlan,
        tables: TablesAt,
        (w, h): (usize, usize),
        (native, channels): (i32, i32),
        convert: ToRgb,
        (reads, held): (Reads, Region),
    ) -> Result<Vec<Pass>> {
        let convert = match convert {
            ToRgb::Keep => KEEP,
            ToRgb::Gray => GRAY,
            ToRgb::GrayAlpha => GRAY_ALPHA,
            ToRgb::Rgba => RGBA,
        };
        // A pass reading `input` (the pixels its buffer holds), computing `out` from `origin` on.
        let sized = |kind,
                     input: Region,
                     (out_w, out_h): (usize, usize),
                     origin: (usize, usize)|
         -> Result<Pass> {
            Ok(Pass {
                kind,
                convert,
                in_channels: native,
                in_w: int(input.width(), "width")?,
                in_h: int(input.height(), "height")?,
                in_x0: int(input.x0, "column")?,
                in_y0: int(input.y0, "row")?,
                out_w: int(out_w, "width")?,
                out_h: int(out_h, "height")?,
                out_x0: int(origin.0, "column")?,
                out_y0: int(origin.1, "row")?,
                channels,
                ..Pass::default()
            })
        };
        let (out_w, out_h) = resize.output_size((w, h));
        Ok(match resize {
            ResizePlan::Nearest { .. } => vec![Pass {
                taps: tables.horizontal.0,
                aux: tables.vertical.0,
                ..sized(NEAREST, held, (out_w, out_h), (0, 0))?
            }],
            ResizePlan::Fixed {
                horizontal,
                vertical,
                vertical_first,
            } if horizontal.is_some() || vertical.is_some() => {
                let axis_pass =
                    |kind, axis: &FixedAxis, (taps, weights): (i32, i32), pass: Pass| {
                        Ok::<_, Error>(Pass {
                            kind,
                            taps,
                            weights,
                            ksize: int(axis.taps.ksize, "ksize")?,
                            precision: axis.precision_bits as i32,
                            ..pass
                        })
                    };
                let order = if *vertical_first {
                    [
                        (vertical, VERTICAL, tables.vertical),
                        (horizontal, HORIZONTAL, tables.horizontal),
                    ]
                } else {
                    [
                        (horizontal, HORIZONTAL, tables.horizontal),
                        (vertical, VERTICAL, tables.vertical),
                    ]
                };
                let mut axes = order
                    .into_iter()
                    .filter_map(|(axis, kind, at)| axis.as_ref().map(|axis| (axis, kind, at)));
                let (first, second) = (axes.next(), axes.next());
                match (first, second, reads.stage) {
                    (Some((axis, kind, at)), Some((axis2, kind2, at2)), Some(stage)) => {
                        let stage_size = (stage.width(), stage.height());
                        let first = sized(kind, held, stage_size, (stage.x0, stage.y0))?;
                        // The second pass reads the stage: RGB already.
                        let second = Pass {
                            convert: KEEP,
                            in_channels: channels,
                            ..sized(kind2, stage, (out_w, out_h), (0, 0))?
                        };
                        vec![
                            axis_pass(kind, axis, at, first)?,
                            axis_pass(kind2, axis2, at2, second)?,
                        ]
                    }
                    (Some((axis, kind, at)), None, _) => {
                        vec![axis_pass(
                            kind,
                            axis,
                            at,
                            sized(kind, held, (out_w, out_h), (0, 0))?,
                        )?]
                    }
                    _ => {
                        return Err(Error::InvalidArgument(
                            "a two-pass resize without its stage".into(),
                        ));
                    }
                }
            }
            _ => vec![sized(COPY, held, (out_w, out_h), (0, 0))?],
        })
    }

    /// Lays out `plans[i]` over images of `shapes[i]`, back to back in one buffer (the images
    /// themselves are not copied: they may already be on the device).
    ///
    /// With `crop_uploads`, each image's buffer holds only the pixels its outputs read (a center
    /// crop skips a resized image's sides, so their source columns never cross the bus).
    pub fn layout(
        shapes: &[ImageShape],
        plans: &[ImagePlan],
        placement: &Placement,
        crop_uploads: bool,
    ) -> Result<Self> {
        if shapes.len() != plans.len() {
            return Err(Error::InvalidArgument(format!(
                "{} images for {} plans",
                shapes.len(),
                plans.len()
            )));
        }
        let mut batch = KernelBatch {
            float_output: plans.first().is_some_and(|p| p.levels.table.is_some()),
            ..KernelBatch::default()
        };
        let mut last_lut: Option<(*const f32, i32)> = None;
        // Keyed by the resize plan's address: every plan outlives this function, so no address
        // is reused. Plans sharing a resize plan (images of one size) share its tables.
        let mut known_tables: HashMap<usize, TablesAt> = HashMap::new();
        for (shape, plan) in shapes.iter().zip(plans) {
            let (w, h) = (shape.width, shape.height);
            // What each resize reads for the windows its outputs are.
            let reads: Vec<Reads> = plan
                .resizes
                .iter()
                .map(|r| {
                    let computed = Region::read_by(&r.windows, r.resize.output_size((w, h)));
                    r.resize.reads((w, h), computed)
                })
                .collect();
            // The pixels the image's buffer holds: only what the outputs read, when uploading.
            let held = if crop_uploads {
                reads
                    .iter()
                    .fold(Region::EMPTY, |held, r| held.union(&r.input))
            } else {
                Region::full(w, h)
            };
            let image_at = batch.input_bytes as i64;
            batch.image_offsets.push(batch.input_bytes);
            batch.held.push(held);
            batch.shapes.push(*shape);
            batch.input_bytes += held.width() * held.height() * shape.channels;
            let native = int(shape.channels, "channels")?;
            let channels = int(plan.convert.output_channels(shape.channels), "channels")?;
            if plan.levels.table.is_some() != batch.float_output {
                return Err(Error::InvalidArgument(
                    "a batch mixes float and uint8 outputs".into(),
                ));
            }
            let lut = match &plan.levels.table {
                Some(table) => match last_lut {
                    Some((ptr, at)) if ptr == table.as_ptr() => at,
                    _ => {
                        let at = int(batch.luts.len(), "table size")?;
                        batch.luts.extend_from_slice(table);
                        last_lut = Some((table.as_ptr(), at));
                        at
                    }
                },
                None => 0,
            };
            for (Resized { resize, windows }, reads) in plan.resizes.iter().zip(reads) {
                let tables = match known_tables.get(&(Arc::as_ptr(resize) as usize)) {
                    Some(&at) => at,
                    None => {
                        let at = batch.push_tables(resize)?;
                        known_tables.insert(Arc::as_ptr(resize) as usize, at);
                        at
                    }
                };
                let mut passes = Self::passes(
                    resize,
                    tables,
                    (w, h),
                    (native, channels),
                    plan.convert,
                    (reads, held),
                )?;
                let last = passes.pop().unwrap_or_default();
                let (source, src) = match passes.first() {
                    Some(&pass) => {
                        let dst = batch.stage_bytes as i64;
                        batch.stage_bytes +=
                            pass.out_w as usize * pass.out_h as usize * pass.channels as usize;
                        batch.stage.push(StagePass {
                            src: image_at,
                            dst,
                            source: FROM_INPUT,
                            pass,
                        });
                        (FROM_STAGE, dst)
                    }
                    None => (FROM_INPUT, image_at),
                };
                for window in windows {
                    let placed = placement
                        .outputs
                        .get(batch.output_passes.len())
                        .ok_or_else(|| {
                            Error::InvalidArgument("a placement of too few outputs".into())
                        })?;
                    let offset = |v: i64| {
                        i32::try_from(v).map_err(|_| Error::TooLarge("crop offset".into()))
                    };
                    batch.output_passes.push(OutputPass {
                        src,
                        dst: placed.offset as i64,
                        source,
                        pass: last,
                        top: offset(window.top)?,
                        left: offset(window.left)?,
                        win_h: int(window.height, "height")?,
                        win_w: int(window.width, "width")?,
                        lut,
                        channels_last: i32::from(plan.layout == ChannelDimension::Last),
                        canvas_h: int(placed.canvas.0, "height")?,
                        canvas_w: int(placed.canvas.1, "width")?,
                    });
                }
            }
        }
        if batch.output_passes.len() != placement.outputs.len() {
            return Err(Error::InvalidArgument(
                "a placement of too many outputs".into(),
            ));
        }
        batch.placement = placement.clone();
        batch.check_bounds()?;
        Ok(batch)
    }

    /// Checks that every descriptor reads and writes inside its buffers (the kernels index raw
    /// pointers; a layout bug must be an error here, not memory corruption there).
    pub fn check_bounds(&self) -> Result<()> {
        let fits =
            |offset: i64, len: usize, size: usize| offset >= 0 && offset as usize + len <= size;
        let read_len = |p: &Pass| p.in_w as usize * p.in_h as usize * p.in_channels as usize;
        let write_len = |p: &Pass| p.out_w as usize * p.out_h as usize * p.channels as usize;
        let source_len = |source: i32| {
            if source == FROM_INPUT {
                self.input_bytes
            } else {
                self.stage_bytes
            }
        };
        for s in &self.stage {
            if !fits(s.src, read_len(&s.pass), source_len(s.source))
                || !fits(s.dst, write_len(&s.pass), self.stage_bytes)
            {
                return Err(Error::Cuda(format!("stage pass out of bounds: {s:?}")));
            }
        }
        for o in &self.output_passes {
            let canvas = o.canvas_h as usize * o.canvas_w as usize * o.pass.channels as usize;
            if !fits(o.src, read_len(&o.pass), source_len(o.source))
                || !fits(o.dst, canvas, self.placement.elements)
                || o.win_h > o.canvas_h
                || o.win_w > o.canvas_w
            {
                return Err(Error::Cuda(format!("output pass out of bounds: {o:?}")));
            }
        }
        Ok(())
    }

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
                .ok_or_else(|| Error::Cuda("the upload buffer is smaller than its layout".into()))?
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
