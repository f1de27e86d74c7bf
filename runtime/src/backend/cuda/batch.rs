//! A batch laid out for the kernels: the first pass of every two-pass resize as one stage (only
//! the part the outputs need), every output window as the last pass fused with its crop and level
//! map and written to its place in the output buffer, all tables concatenated and packed with the
//! images into one upload. Built on the host from the same [`ImagePlan`]s the CPU backend runs;
//! executed by the CUDA backend on the device and by [`KernelHostBackend`](super::host::KernelHostBackend)
//! on the host. `#[repr(C)]` mirrors `kernels.cuh`.

use super::abi::{
    COPY, FROM_INPUT, FROM_STAGE, GRAY, GRAY_ALPHA, HORIZONTAL, KEEP, NEAREST, OutputPass, Pass,
    RGBA, StagePass, VERTICAL,
};
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

/// The kernels' code of a conversion to RGB.
fn convert_code(convert: ToRgb) -> i32 {
    match convert {
        ToRgb::Keep => KEEP,
        ToRgb::Gray => GRAY,
        ToRgb::GrayAlpha => GRAY_ALPHA,
        ToRgb::Rgba => RGBA,
    }
}

/// An 8-bit image a pass reads: the input image, or a result in the stage buffer, written by the
/// waves before `wave`.
#[derive(Debug, Clone, Copy)]
enum Image8 {
    Input,
    Stage { at: i64, wave: usize },
}

/// Where a resize plan's tables are in the batch's: (taps, weights) per axis (for nearest, the
/// x and y sources in `.0`).
#[derive(Debug, Clone, Copy, Default)]
struct TablesAt {
    horizontal: (i32, i32),
    vertical: (i32, i32),
}

fn offset_error() -> Error {
    Error::TooLarge("crop offset".into())
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

    /// The passes of a resize of an image of `size` with `native` channels (`channels` after the
    /// conversion), in order (at most two), computing what `reads` says the outputs need from the
    /// input pixels `held` in the image's buffer. The first reads the input through the
    /// conversion; a second reads the stage, already converted.
    fn passes(
        resize: &ResizePlan,
        tables: TablesAt,
        size: Size,
        (native, channels): (i32, i32),
        convert: ToRgb,
        (reads, held): (Reads, Region),
    ) -> Result<Vec<Pass>> {
        let convert = convert_code(convert);
        // A pass reading `input` (the pixels its buffer holds), computing `out` from `origin` on.
        let sized = |kind, input: Region, out: Size, origin: (usize, usize)| -> Result<Pass> {
            Ok(Pass {
                kind,
                convert,
                in_channels: native,
                in_w: int(input.width(), "width")?,
                in_h: int(input.height(), "height")?,
                in_x0: int(input.x0, "column")?,
                in_y0: int(input.y0, "row")?,
                out_w: int(out.width, "width")?,
                out_h: int(out.height, "height")?,
                out_x0: int(origin.0, "column")?,
                out_y0: int(origin.1, "row")?,
                channels,
                ..Pass::default()
            })
        };
        let out = resize.output_size(size);
        Ok(match resize {
            ResizePlan::Nearest { .. } => vec![Pass {
                taps: tables.horizontal.0,
                aux: tables.vertical.0,
                ..sized(NEAREST, held, out, (0, 0))?
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
                        let stage_size = Size::new(stage.height(), stage.width());
                        let first = sized(kind, held, stage_size, (stage.x0, stage.y0))?;
                        // The second pass reads the stage: RGB already.
                        let second = Pass {
                            convert: KEEP,
                            in_channels: channels,
                            ..sized(kind2, stage, out, (0, 0))?
                        };
                        vec![
                            axis_pass(kind, axis, at, first)?,
                            axis_pass(kind2, axis2, at2, second)?,
                        ]
                    }
                    (Some((axis, kind, at)), None, _) => {
                        vec![axis_pass(kind, axis, at, sized(kind, held, out, (0, 0))?)?]
                    }
                    _ => {
                        return Err(Error::InvalidArgument(
                            "a two-pass resize without its stage".into(),
                        ));
                    }
                }
            }
            _ => vec![sized(COPY, held, out, (0, 0))?],
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
                let mut passes = Self::passes(
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
                    let copy = Self::passes(
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
        // The kernels keep a pixel's channels in `TP_MAX_CHANNELS` registers.
        let channels_fit =
            |p: &Pass| (1..=4).contains(&p.channels) && (1..=4).contains(&p.in_channels);
        let passes = self.stage.iter().map(|s| &s.pass);
        if let Some(p) = passes
            .chain(self.output_passes.iter().map(|o| &o.pass))
            .find(|p| !channels_fit(p))
        {
            return Err(Error::Internal(format!(
                "a pass of more than 4 channels: {p:?}"
            )));
        }
        if self.stage_waves.len() != self.stage.len() {
            return Err(Error::Internal("stage passes without their waves".into()));
        }
        // Each stage range's writer and its wave, by offset: a pass reads the stage only where
        // earlier waves wrote it.
        let mut writers: Vec<(i64, i64, usize)> = (self.stage.iter().zip(&self.stage_waves))
            .map(|(s, &wave)| (s.dst, s.dst + write_len(&s.pass) as i64, wave))
            .collect();
        writers.sort_unstable();
        for (s, &wave) in self.stage.iter().zip(&self.stage_waves) {
            if !fits(s.src, read_len(&s.pass), source_len(s.source))
                || !fits(s.dst, write_len(&s.pass), self.stage_bytes)
            {
                return Err(Error::Internal(format!("stage pass out of bounds: {s:?}")));
            }
            if s.source == FROM_STAGE {
                let end = s.src + read_len(&s.pass) as i64;
                let first = writers.partition_point(|w| w.1 <= s.src);
                if (writers[first..].iter())
                    .take_while(|w| w.0 < end)
                    .any(|w| w.2 >= wave)
                {
                    return Err(Error::Internal(format!(
                        "a stage pass reads what its own wave writes: {s:?}"
                    )));
                }
            }
        }
        for o in &self.output_passes {
            let canvas = o.canvas_h as usize * o.canvas_w as usize * o.pass.channels as usize;
            if !fits(o.src, read_len(&o.pass), source_len(o.source))
                || !fits(o.dst, canvas, self.placement.elements)
                || o.win_h > o.canvas_h
                || o.win_w > o.canvas_w
            {
                return Err(Error::Internal(format!("output pass out of bounds: {o:?}")));
            }
        }
        Ok(())
    }
}
