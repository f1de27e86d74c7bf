//! A batch laid out for the kernels: the first pass of every two-pass resize as one stage (only
//! the part the outputs need), every output window as the last pass fused with its crop and level
//! map and written to its place in the output buffer, all tables concatenated and packed with the
//! images into one upload. Built on the host from the same [`ImagePlan`]s the CPU backend runs;
//! executed by the CUDA backend on the device and by [`KernelHostBackend`](super::host::KernelHostBackend)
//! on the host. `#[repr(C)]` mirrors `kernels.cuh`.

use super::abi::{COPY, FROM_INPUT, FROM_STAGE, OutputPass, Pass, StagePass};
use super::passes::{TablesAt, convert_code, int, offset_error, resize_passes};
use crate::error::{Error, Result};
use crate::kwargs::ChannelDimension;
use crate::numeric::convert::ToRgb;
use crate::numeric::fixed::FixedAxis;
use crate::numeric::region::Region;
use crate::numeric::resample::{Reads, ResizePlan};
use crate::numeric::{Pixels, Size};
use crate::placement::Placement;
use crate::plan::ImagePlan;
use std::collections::HashMap;
use std::sync::Arc;

/// The size of one 8-bit image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageShape {
    pub width: usize,
    pub height: usize,
    pub channels: usize,
}

impl ImageShape {
    /// Its height and width.
    pub fn size(&self) -> Size {
        Size::new(self.height, self.width)
    }

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
    /// Passes into the stage buffer: the first passes of two-pass resizes, and every pass of a
    /// resize that later resizes read. In waves, in order.
    pub stage: Vec<StagePass>,
    /// The wave of each stage pass: 0 reads the input images, wave `n` what waves before it
    /// wrote. One launch per wave, after the waves before it.
    pub stage_waves: Vec<usize>,
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

/// An 8-bit image a pass reads: the input image, or a result in the stage buffer, written by the
/// waves before `wave`.
#[derive(Debug, Clone, Copy)]
enum Image8 {
    Input,
    Stage { at: i64, wave: usize },
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

    /// Pushes a stage pass reading `(source, offset, wave)`; returns where it writes.
    fn push_stage(&mut self, pass: Pass, (source, src, wave): (i32, i64, usize)) -> Result<i64> {
        let dst = self.stage_bytes as i64;
        self.stage_bytes += pass.out_w as usize * pass.out_h as usize * pass.channels as usize;
        self.stage.push(StagePass {
            src,
            dst,
            source,
            pass,
        });
        self.stage_waves.push(wave);
        Ok(dst)
    }

    /// The stage passes of each wave, in order.
    pub fn waves(&self) -> Vec<std::ops::Range<usize>> {
        let mut start = 0;
        (self.stage_waves.chunk_by(|a, b| a == b))
            .map(|wave| {
                start += wave.len();
                start - wave.len()..start
            })
            .collect()
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
            let size = shape.size();
            let sizes = plan.sizes(size)?;
            let computed = plan.computed(&sizes);
            let read_again = plan.read_again();
            // The size of the image (or part) each resize reads.
            let source_sizes = (0..plan.resizes.len())
                .map(|i| plan.source_size(i, size, &sizes))
                .collect::<Result<Vec<Size>>>()?;
            let source_size = |i: usize| source_sizes[i];
            // What each resize reads of its source for what its outputs (or later resizes) need.
            let reads: Vec<Reads> = (plan.resizes.iter().enumerate())
                .map(|(i, r)| r.resize.reads(source_size(i), computed[i]))
                .collect();
            // The pixels the image's buffer holds: only what the outputs read, when uploading
            // (a plan of resizes of resizes holds the whole image).
            let chained = plan.resizes.iter().any(|r| r.of.is_some());
            let held = if crop_uploads && !chained {
                reads
                    .iter()
                    .fold(Region::EMPTY, |held, r| held.union(&r.input))
            } else {
                Region::full(size.width, size.height)
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
            // Where each resize read again keeps its whole result.
            let mut results: Vec<Image8> = vec![Image8::Input; plan.resizes.len()];
            for (i, (resized, reads)) in plan.resizes.iter().zip(reads).enumerate() {
                let tables = match known_tables.get(&(Arc::as_ptr(&resized.resize) as usize)) {
                    Some(&at) => at,
                    None => {
                        let at = batch.push_tables(&resized.resize)?;
                        known_tables.insert(Arc::as_ptr(&resized.resize) as usize, at);
                        at
                    }
                };
                let source = resized.of.map_or(Image8::Input, |of| results[of]);
                let (mut from, mut read) = match source {
                    Image8::Input => ((FROM_INPUT, image_at, 0), (native, plan.convert, held)),
                    Image8::Stage { at, wave } => {
                        let whole = resized.of.map_or(size, |of| sizes[of]);
                        (
                            (FROM_STAGE, at, wave),
                            (
                                channels,
                                ToRgb::Keep,
                                Region::full(whole.width, whole.height),
                            ),
                        )
                    }
                };
                if let Some(part) = resized.part {
                    // The part copied to the stage first (zeros outside the image).
                    let (in_channels, convert, held) = read;
                    let crop = Pass {
                        kind: COPY,
                        convert: convert_code(convert),
                        in_channels,
                        in_w: int(held.width(), "width")?,
                        in_h: int(held.height(), "height")?,
                        in_x0: int(held.x0, "column")?,
                        in_y0: int(held.y0, "row")?,
                        out_w: int(part.width, "width")?,
                        out_h: int(part.height, "height")?,
                        out_x0: i32::try_from(part.left).map_err(|_| offset_error())?,
                        out_y0: i32::try_from(part.top).map_err(|_| offset_error())?,
                        channels,
                        ..Pass::default()
                    };
                    let dst = batch.push_stage(crop, from)?;
                    from = (FROM_STAGE, dst, from.2 + 1);
                    read = (channels, ToRgb::Keep, Region::full(part.width, part.height));
                }
                let mut passes = resize_passes(
                    &resized.resize,
                    tables,
                    source_size(i),
                    (read.0, channels),
                    read.1,
                    (reads, read.2),
                )?;
                if resized.premultiplied {
                    // The first pass reads the colours times alpha, the last divides them back.
                    if let Some(first) = passes.first_mut() {
                        first.premultiply = 1;
                    }
                    if let Some(last) = passes.last_mut() {
                        last.unpremultiply = 1;
                    }
                }
                let (source, src, last) = if read_again[i] && passes.iter().any(|p| p.kind != COPY)
                {
                    // Every pass to the stage, the last writing the whole result; the outputs
                    // copy their windows from it.
                    let mut from = from;
                    for pass in passes {
                        let dst = batch.push_stage(pass, from)?;
                        from = (FROM_STAGE, dst, from.2 + 1);
                    }
                    results[i] = Image8::Stage {
                        at: from.1,
                        wave: from.2,
                    };
                    let whole = sizes[i];
                    let copy = resize_passes(
                        &ResizePlan::Copy,
                        TablesAt::default(),
                        whole,
                        (channels, channels),
                        ToRgb::Keep,
                        (reads, Region::full(whole.width, whole.height)),
                    )?;
                    (
                        FROM_STAGE,
                        from.1,
                        copy.into_iter().next().unwrap_or_default(),
                    )
                } else {
                    // A copy read again is its source (the part, when it reads one).
                    results[i] = match from {
                        (FROM_INPUT, ..) => Image8::Input,
                        (_, at, wave) => Image8::Stage { at, wave },
                    };
                    let last = passes.pop().unwrap_or_default();
                    match passes.first() {
                        Some(&pass) => (FROM_STAGE, batch.push_stage(pass, from)?, last),
                        None => (from.0, from.1, last),
                    }
                };
                for window in &resized.windows {
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
                        canvas_h: int(placed.canvas.height, "height")?,
                        canvas_w: int(placed.canvas.width, "width")?,
                    });
                }
            }
        }
        // Each wave's passes together, waves in order (a stable sort keeps the plans' order).
        let mut order: Vec<usize> = (0..batch.stage.len()).collect();
        order.sort_by_key(|&i| batch.stage_waves[i]);
        batch.stage = order.iter().map(|&i| batch.stage[i]).collect();
        batch.stage_waves = order.iter().map(|&i| batch.stage_waves[i]).collect();
        if batch.output_passes.len() != placement.outputs.len() {
            return Err(Error::InvalidArgument(
                "a placement of too many outputs".into(),
            ));
        }
        batch.placement = placement.clone();
        batch.check_bounds()?;
        Ok(batch)
    }
}
