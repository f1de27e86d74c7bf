//! One image through its plan on the CPU: the conversion to RGB, each resize's passes into
//! per-thread scratch buffers (from the input, or from an earlier resize's kept result or a part
//! of it; premultiplied where Pillow premultiplies), and each window written to its output's place
//! (`window.rs`).
//!
//! The arithmetic is the numeric core's: the passes are [`Kernels`] over the plan's tables, the
//! values come from the plan's [`LevelMap`](crate::numeric::normalize::LevelMap) table. `ResizePlan::run_region` followed by `crop_map`
//! is the reference this must equal (`tests/kernels.rs`).

use super::kernels::Kernels;
use super::output::Output;
use super::passes::{Horizontal, OUT_PIXEL, Vertical};
use super::window::{View, write_window};
use crate::numeric::convert::ToRgb;
use crate::numeric::crop::CropWindow;
use crate::numeric::region::Region;
use crate::numeric::resample::{OUTSIDE, ResizePlan};
use crate::numeric::{Pixels, Size};
use crate::plan::ImagePlan;
use std::cell::RefCell;

/// Buffers reused by every image a thread runs: no allocation per image once they have grown.
#[derive(Default)]
struct Scratch {
    converted: Vec<u8>,
    stage: Vec<u8>,
    resized: Vec<u8>,
    /// The whole results of resizes that later resizes read, by resize index.
    kept: Vec<Vec<u8>>,
    /// The part of an earlier result a resize reads.
    part: Vec<u8>,
    /// The image a premultiplied resize reads, premultiplied.
    premultiplied: Vec<u8>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::default();
}

/// A `len`-byte prefix of `buffer`, grown if needed (its old contents are overwritten).
fn take(buffer: &mut Vec<u8>, len: usize) -> &mut [u8] {
    if buffer.len() < len {
        buffer.resize(len, 0);
    }
    &mut buffer[..len]
}

/// The image a resize reads: the input, or its conversion to RGB, or an earlier resize's whole
/// result. Gray is resized as it is and repeated when written, which gives the same bytes as
/// repeating first (each channel is resized alone, with the same weights) for a third of the work.
#[derive(Clone, Copy)]
struct Source<'a> {
    pixels: &'a [u8],
    width: usize,
    height: usize,
    channels: usize,
    channel: [usize; 4],
}

impl Source<'_> {
    fn row(&self) -> usize {
        self.width * self.channels
    }
}

/// Where the whole result of a resize that later resizes read lies.
#[derive(Clone, Copy)]
enum Kept {
    /// It is the source the plan starts from (a copy of it, or of a copy).
    Input,
    /// In `Scratch::kept[i]`, with these bytes per pixel and channel offsets.
    Buffer {
        at: usize,
        bpp: usize,
        channel: [usize; 4],
    },
}

/// Runs `plan` on `input`, writing output `i` (window after window, resize after resize) to
/// `outputs[i]`.
pub fn run_image(kernels: Kernels, input: &Pixels, plan: &ImagePlan, outputs: &mut [Output<'_>]) {
    // The backend checked every plan before any ran.
    let Ok(sizes) = plan.sizes(input.size()) else {
        return;
    };
    let computed = plan.computed(&sizes);
    let read_again = plan.read_again();
    SCRATCH.with_borrow_mut(|scratch| {
        let Scratch {
            converted,
            stage,
            resized,
            kept,
            part,
            premultiplied,
        } = scratch;
        let identity = [0, 1, 2, 3];
        let base = match plan.convert {
            ToRgb::Keep | ToRgb::Bits => Source {
                pixels: &input.data,
                width: input.width,
                height: input.height,
                channels: input.channels,
                channel: identity,
            },
            ToRgb::Gray => Source {
                pixels: &input.data,
                width: input.width,
                height: input.height,
                channels: 1,
                channel: [0; 4],
            },
            convert => {
                // Only the rows the resizes of the input read (a band's or a crop's) are converted.
                let rows = (plan.resizes.iter().zip(&computed))
                    .filter(|(resized, _)| resized.of.is_none())
                    .fold(Region::EMPTY, |rows, (resized, &region)| {
                        rows.union(&resized.resize.reads(input.size(), region).input)
                    });
                convert.apply_rows_into(input, rows.y0..rows.y1, converted);
                Source {
                    pixels: converted,
                    width: input.width,
                    height: input.height,
                    channels: convert.output_channels(input.channels),
                    channel: identity,
                }
            }
        };
        if kept.len() < plan.resizes.len() {
            kept.resize_with(plan.resizes.len(), Vec::new);
        }
        let mut kept_as = vec![Kept::Input; plan.resizes.len()];
        let mut outputs = outputs.iter_mut();
        for (i, resized_plan) in plan.resizes.iter().enumerate() {
            let (earlier, rest) = kept.split_at_mut(i);
            let whole = match resized_plan.of.map(|of| (of, kept_as[of])) {
                None | Some((_, Kept::Input)) => base,
                Some((of, Kept::Buffer { at, bpp, channel })) => Source {
                    pixels: &earlier[at],
                    width: sizes[of].width,
                    height: sizes[of].height,
                    channels: bpp,
                    channel,
                },
            };
            let source = match resized_plan.part {
                None => whole,
                Some(window) => Source {
                    pixels: crop_into(&whole, &window, part),
                    width: window.width,
                    height: window.height,
                    ..whole
                },
            };
            let alpha = resized_plan.premultiplied;
            let source = match alpha {
                true => Source {
                    pixels: premultiply_into(&source, plan.levels.channels, premultiplied),
                    ..source
                },
                false => source,
            };
            let into = if read_again[i] {
                &mut rest[0]
            } else {
                &mut *resized
            };
            let view = compute(
                kernels,
                &resized_plan.resize,
                &source,
                computed[i],
                stage,
                &mut *into,
            );
            // Divided back by alpha: a premultiplied resize computed into `into` (it has passes).
            let view = match alpha {
                false => view,
                true => {
                    let (stride, bpp, region, channel) =
                        (view.stride, view.bpp, view.region, view.channel);
                    let len = region.height() * stride;
                    unpremultiply(&mut into[..len], bpp, &channel, plan.levels.channels);
                    View {
                        data: &into[..len],
                        stride,
                        bpp,
                        region,
                        channel,
                    }
                }
            };
            // A copy's view is its source (whole, as the result is).
            let copied = std::ptr::eq(view.data.as_ptr(), source.pixels.as_ptr());
            let (bpp, channel) = (view.bpp, view.channel);
            for (window, output) in resized_plan.windows.iter().zip(&mut outputs) {
                write_window(kernels, &view, window, &plan.levels, output);
            }
            if read_again[i] {
                kept_as[i] = match (copied, resized_plan.part, resized_plan.of) {
                    (false, ..) => Kept::Buffer {
                        at: i,
                        bpp,
                        channel,
                    },
                    (true, None, Some(of)) => kept_as[of],
                    (true, None, None) => Kept::Input,
                    // A copy of a part: the part, kept.
                    (true, Some(_), _) => {
                        rest[0].clear();
                        rest[0].extend_from_slice(source.pixels);
                        Kept::Buffer {
                            at: i,
                            bpp: source.channels,
                            channel: source.channel,
                        }
                    }
                };
            }
        }
        // A huge image's intermediate results are not held by the thread after it.
        for buffer in kept.iter_mut().filter(|b| b.capacity() > KEPT_BYTES) {
            *buffer = Vec::new();
        }
    });
}

/// Pillow's `MULDIV255`: `a * b / 255`, rounded.
fn muldiv255(a: u8, b: u8) -> u8 {
    let t = u32::from(a) * u32::from(b) + 128;
    (((t >> 8) + t) >> 8) as u8
}

/// `source` with each pixel's first `channels - 1` channels multiplied by its last, as Pillow's
/// `RGBA` to `RGBa` (and `LA` to `La`) conversion makes them, into `out`.
fn premultiply_into<'a>(source: &Source<'_>, channels: usize, out: &'a mut Vec<u8>) -> &'a [u8] {
    let len = source.height * source.row();
    let out = take(out, len);
    out.copy_from_slice(&source.pixels[..len]);
    let ch = &source.channel[..channels];
    for px in out.chunks_exact_mut(source.channels) {
        let alpha = px[ch[channels - 1]];
        for &c in &ch[..channels - 1] {
            px[c] = muldiv255(px[c], alpha);
        }
    }
    out
}

/// Each pixel's first `channels - 1` channels divided by its last, as Pillow's `RGBa` to `RGBA`
/// (and `La` to `LA`) conversion divides them: kept where alpha is 0 or 255, else
/// `min(255, 255 * v / alpha)`.
fn unpremultiply(data: &mut [u8], bpp: usize, channel: &[usize; 4], channels: usize) {
    let ch = &channel[..channels];
    for px in data.chunks_exact_mut(bpp) {
        let alpha = u32::from(px[ch[channels - 1]]);
        if alpha == 0 || alpha == 255 {
            continue;
        }
        for &c in &ch[..channels - 1] {
            px[c] = (255 * u32::from(px[c]) / alpha).min(255) as u8;
        }
    }
}

/// The `window` of `source` (zeros outside it) into `out`, pixel by pixel as the source holds them.
fn crop_into<'a>(source: &Source<'_>, window: &CropWindow, out: &'a mut Vec<u8>) -> &'a [u8] {
    let c = source.channels;
    let out = take(out, window.height * window.width * c);
    out.fill(0);
    let clip = |v: i64, max: usize| v.clamp(0, max as i64) as usize;
    let (x0, x1) = (
        clip(window.left, source.width),
        clip(window.left + window.width as i64, source.width),
    );
    for (y, row) in out.chunks_exact_mut(window.width * c).enumerate() {
        let sy = window.top + y as i64;
        if x0 >= x1 || sy < 0 || sy >= source.height as i64 {
            continue;
        }
        let at = sy as usize * source.row();
        let dst = (x0 as i64 - window.left) as usize * c;
        row[dst..dst + (x1 - x0) * c].copy_from_slice(&source.pixels[at + x0 * c..at + x1 * c]);
    }
    out
}

/// The most bytes a thread keeps of an intermediate result between images.
const KEPT_BYTES: usize = 16 << 20;

/// Computes `region` of the resized image into `resized` (through `stage` for two passes), or
/// returns a view of the source when the resize copies.
fn compute<'a>(
    kernels: Kernels,
    plan: &ResizePlan,
    src: &'a Source<'_>,
    region: Region,
    stage: &mut Vec<u8>,
    resized: &'a mut Vec<u8>,
) -> View<'a> {
    let (c, row) = (src.channels, src.row());
    let view = |data, bpp| View {
        data,
        stride: region.width() * bpp,
        bpp,
        region,
        channel: src.channel,
    };
    if region.is_empty() {
        return view(&[], OUT_PIXEL);
    }
    match plan {
        ResizePlan::Copy
        | ResizePlan::Fixed {
            horizontal: None,
            vertical: None,
            ..
        } => View {
            data: &src.pixels[region.y0 * row + region.x0 * c..],
            stride: row,
            bpp: c,
            region,
            channel: src.channel,
        },
        ResizePlan::Fixed {
            horizontal: Some(h),
            vertical: Some(v),
            vertical_first,
        } => {
            let reads = plan.reads(Size::new(src.height, src.width), region);
            let staged = reads.stage.unwrap_or(region);
            let out = take(resized, region.height() * region.width() * OUT_PIXEL);
            if *vertical_first {
                let stage_row = staged.width() * c;
                let stage = take(stage, staged.height() * stage_row);
                let first = Vertical {
                    axis: v,
                    src: &src.pixels[staged.x0 * c..],
                    src_stride: row,
                    y0: 0,
                    row_bytes: stage_row,
                    ys: staged.y0..staged.y1,
                };
                kernels.vertical(&first, stage, stage_row);
                let second = Horizontal {
                    axis: h,
                    src: stage,
                    src_stride: stage_row,
                    channels: c,
                    x0: staged.x0,
                    rows: region.height(),
                    xs: region.x0..region.x1,
                };
                kernels.horizontal(&second, out, region.width() * OUT_PIXEL);
            } else {
                let stage_row = staged.width() * OUT_PIXEL;
                let stage = take(stage, staged.height() * stage_row);
                let first = Horizontal {
                    axis: h,
                    src: &src.pixels[staged.y0 * row..],
                    src_stride: row,
                    channels: c,
                    x0: 0,
                    rows: staged.height(),
                    xs: staged.x0..staged.x1,
                };
                kernels.horizontal(&first, stage, stage_row);
                // The stage's columns are the region's (`reads`).
                let second = Vertical {
                    axis: v,
                    src: stage,
                    src_stride: stage_row,
                    y0: staged.y0,
                    row_bytes: region.width() * OUT_PIXEL,
                    ys: region.y0..region.y1,
                };
                kernels.vertical(&second, out, region.width() * OUT_PIXEL);
            }
            view(out, OUT_PIXEL)
        }
        ResizePlan::Fixed {
            horizontal: Some(h),
            vertical: None,
            ..
        } => {
            let out = take(resized, region.height() * region.width() * OUT_PIXEL);
            let pass = Horizontal {
                axis: h,
                src: &src.pixels[region.y0 * row..],
                src_stride: row,
                channels: c,
                x0: 0,
                rows: region.height(),
                xs: region.x0..region.x1,
            };
            kernels.horizontal(&pass, out, region.width() * OUT_PIXEL);
            view(out, OUT_PIXEL)
        }
        ResizePlan::Fixed {
            horizontal: None,
            vertical: Some(v),
            ..
        } => {
            let out = take(resized, region.height() * region.width() * c);
            let pass = Vertical {
                axis: v,
                src: &src.pixels[region.x0 * c..],
                src_stride: row,
                y0: 0,
                row_bytes: region.width() * c,
                ys: region.y0..region.y1,
            };
            kernels.vertical(&pass, out, region.width() * c);
            view(out, c)
        }
        ResizePlan::Nearest { x_src, y_src } => {
            let out = take(resized, region.height() * region.width() * c);
            for (dst, &sy) in out
                .chunks_exact_mut(region.width() * c)
                .zip(&y_src[region.y0..region.y1])
            {
                for (px, &sx) in dst.chunks_exact_mut(c).zip(&x_src[region.x0..region.x1]) {
                    if sy == OUTSIDE || sx == OUTSIDE {
                        px.fill(0);
                    } else {
                        let at = sy as usize * row + sx as usize * c;
                        px.copy_from_slice(&src.pixels[at..at + c]);
                    }
                }
            }
            view(out, c)
        }
    }
}
