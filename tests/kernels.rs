//! Every set of the CPU twin's inner loops this processor runs (scalar, AVX2, AVX-512, NEON) gives
//! the numeric core's reference bytes, over random images and sizes: 1 pixel to thousands wide, every
//! tail length, every filter of both numerics, up- and downscaling, 1 to 4 channels, crops and
//! paddings, both layouts. The reference is `ResizePlan::run_region` then `crop_map`, the loops the
//! golden tests hold to transformers' bytes.

use std::sync::Arc;
use twinproc::backend::cpu::passes::{Horizontal, OUT_PIXEL, Vertical};
use twinproc::backend::{Backend, CpuBackend, KernelHostBackend, Kernels};
use twinproc::numeric::convert::ToRgb;
use twinproc::numeric::crop::{CropWindow, center_crop};
use twinproc::numeric::fixed::FixedAxis;
use twinproc::numeric::normalize::{LevelMap, MeanStd, crop_map};
use twinproc::numeric::region::Region;
use twinproc::numeric::resample::ResizePlan;
use twinproc::numeric::{Numerics, Pixels, Size, bits, pil, torchvision};
use twinproc::plan::ImagePlan;
use twinproc::{ChannelDimension, Resample, TensorData};
use twinproc_golden_tests::{fixtures, sha256_hex};

/// SplitMix64: deterministic cases, the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// In `range`.
    fn below(&mut self, range: std::ops::Range<usize>) -> usize {
        range.start + (self.next() % (range.end - range.start) as u64) as usize
    }

    fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next() as u8).collect()
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(0..items.len())]
    }
}

/// Every filter of both numerics for `in_size -> out_size`, named.
fn axes(in_size: usize, out_size: usize) -> Vec<(String, FixedAxis)> {
    use Resample::*;
    let mut axes = Vec::new();
    for resample in [Box, Bilinear, Hamming, Bicubic, Lanczos] {
        let axis = pil::fixed_axis(in_size, out_size, resample).unwrap();
        axes.push((format!("pil {resample:?}"), axis));
    }
    for resample in [Bilinear, Bicubic, Lanczos] {
        let axis = torchvision::int16_axis(in_size, out_size, resample).unwrap();
        axes.push((format!("torchvision {resample:?}"), axis));
    }
    // A bool image's taps, each of weight one in 1-bit fixed point.
    axes.push((
        "torchvision bool".into(),
        bits::bool_axis(in_size, out_size),
    ));
    axes
}

/// Sizes with every tail: tiny, around the vector widths, and thousands.
const SIZES: [usize; 19] = [
    1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 63, 65, 100, 257, 1001, 2999,
];

/// Output sizes for an input size: down by a lot (7×: wider than a permute run), by 4.8 (a
/// 1920-wide image to CLIP's 398: two registers), a little, up.
fn outputs(rng: &mut Rng, in_size: usize) -> Vec<usize> {
    let mut outs = vec![
        in_size.div_ceil(7),
        (in_size * 5).div_ceil(24),
        in_size * 2 + 1,
        rng.below(1..300),
    ];
    if in_size > 1 {
        outs.push(in_size - 1);
    }
    outs.retain(|&o| o != in_size);
    outs
}

/// A random part `a..b` of `0..len` (the whole of it half the time).
fn part(rng: &mut Rng, len: usize) -> std::ops::Range<usize> {
    if rng.next().is_multiple_of(2) {
        return 0..len;
    }
    let a = rng.below(0..len);
    a..rng.below(a + 1..len + 1)
}

fn sets() -> Vec<Kernels> {
    let sets = Kernels::supported();
    eprintln!(
        "kernel sets run here: {:?}",
        sets.iter().map(|k| k.name()).collect::<Vec<_>>()
    );
    sets
}

#[test]
fn horizontal_passes_equal_the_reference() {
    let mut rng = Rng(1);
    let (mut cases, mut failures) = (0, Vec::new());
    for in_w in SIZES {
        for out_w in outputs(&mut rng, in_w) {
            for (name, axis) in axes(in_w, out_w) {
                let channels = rng.below(1..5);
                let rows = rng.below(1..10);
                // The source ends where the last row ends: reads past it must not happen.
                let src = rng.bytes(rows * in_w * channels);
                let pixels = Pixels::owned(in_w, rows, channels, src.clone());
                let xs = part(&mut rng, out_w);
                let plan = ResizePlan::Fixed {
                    horizontal: Some(axis.clone()),
                    vertical: None,
                    vertical_first: false,
                };
                let region = Region {
                    x0: xs.start,
                    x1: xs.end,
                    y0: 0,
                    y1: rows,
                };
                let reference = plan.run_region(&pixels, region);
                let pass = Horizontal {
                    axis: &axis,
                    src: &src,
                    src_stride: in_w * channels,
                    channels,
                    x0: 0,
                    rows,
                    xs: xs.clone(),
                };
                for kernels in sets_cached() {
                    cases += 1;
                    let stride = xs.len() * OUT_PIXEL;
                    let mut out = vec![0xa5; rows * stride];
                    kernels.horizontal(&pass, &mut out, stride);
                    let expected: Vec<u8> = reference
                        .data
                        .chunks_exact(channels)
                        .flat_map(|px| (0..OUT_PIXEL).map(|c| px.get(c).copied().unwrap_or(0)))
                        .collect();
                    if out != expected {
                        failures.push(format!(
                            "{} {name} {in_w}->{out_w} columns {xs:?}, {channels} channels, {rows} rows",
                            kernels.name()
                        ));
                    }
                }
            }
        }
    }
    report("horizontal", cases, failures);
}

#[test]
fn vertical_passes_equal_the_reference() {
    let mut rng = Rng(2);
    let (mut cases, mut failures) = (0, Vec::new());
    let row_lens = [1, 3, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 200, 673];
    for in_h in SIZES {
        for out_h in outputs(&mut rng, in_h) {
            for (name, axis) in axes(in_h, out_h) {
                let row_bytes = rng.pick(&row_lens);
                let src = rng.bytes(in_h * row_bytes);
                let pixels = Pixels::owned(row_bytes, in_h, 1, src.clone());
                let ys = part(&mut rng, out_h);
                let plan = ResizePlan::Fixed {
                    horizontal: None,
                    vertical: Some(axis.clone()),
                    vertical_first: false,
                };
                let region = Region {
                    x0: 0,
                    x1: row_bytes,
                    y0: ys.start,
                    y1: ys.end,
                };
                let reference = plan.run_region(&pixels, region);
                let pass = Vertical {
                    axis: &axis,
                    src: &src,
                    src_stride: row_bytes,
                    y0: 0,
                    row_bytes,
                    ys: ys.clone(),
                };
                for kernels in sets_cached() {
                    cases += 1;
                    let mut out = vec![0xa5; ys.len() * row_bytes];
                    kernels.vertical(&pass, &mut out, row_bytes);
                    if out[..] != reference.data[..] {
                        failures.push(format!(
                            "{} {name} {in_h}->{out_h} rows {ys:?}, {row_bytes} bytes a row",
                            kernels.name()
                        ));
                    }
                }
            }
        }
    }
    report("vertical", cases, failures);
}

/// The reference execution of one plan: convert, resize the part the windows read, crop and map
/// each level (what the CPU twin did before its vector loops).
fn reference(input: &Pixels<'_>, plan: &ImagePlan) -> Vec<TensorData> {
    let input = plan.convert.apply(input);
    let sizes = plan.sizes(input.size()).expect("a valid plan");
    let computed = plan.computed(&sizes);
    let mut outputs = Vec::new();
    // Each resize's result (whole when a later resize reads it).
    let mut results: Vec<Pixels<'static>> = Vec::new();
    for (resized, &region) in plan.resizes.iter().zip(&computed) {
        let source = resized.of.map_or(&input, |of| &results[of]);
        let cropped = resized.part.map(|window| crop(source, &window));
        let source = cropped.as_ref().unwrap_or(source);
        let channels = plan.levels.channels;
        let part = match resized.premultiplied {
            false => resized.resize.run_region(source, region),
            true => {
                // Pillow's RGBA -> RGBa, the resize, RGBa -> RGBA.
                let mut times_alpha = source.clone().into_owned();
                for px in times_alpha.data.to_mut().chunks_exact_mut(channels) {
                    let alpha = u32::from(px[channels - 1]);
                    for v in &mut px[..channels - 1] {
                        let t = u32::from(*v) * alpha + 128;
                        *v = (((t >> 8) + t) >> 8) as u8;
                    }
                }
                let mut part = resized.resize.run_region(&times_alpha, region);
                for px in part.data.to_mut().chunks_exact_mut(channels) {
                    let alpha = u32::from(px[channels - 1]);
                    if alpha != 0 && alpha != 255 {
                        for v in &mut px[..channels - 1] {
                            *v = (255 * u32::from(*v) / alpha).min(255) as u8;
                        }
                    }
                }
                part
            }
        };
        for window in &resized.windows {
            let window = &CropWindow {
                top: window.top - region.y0 as i64,
                left: window.left - region.x0 as i64,
                ..*window
            };
            let len = plan.levels.channels * window.height * window.width;
            outputs.push(match &plan.levels.table {
                Some(table) => {
                    let mut out = vec![0.0f32; len];
                    crop_map(&part, window, plan.layout, &mut out, |c, v| {
                        LevelMap::value(table, c, v)
                    });
                    TensorData::F32(out)
                }
                None => {
                    let mut out = vec![0u8; len];
                    crop_map(&part, window, plan.layout, &mut out, |_, v| v);
                    TensorData::U8(out)
                }
            });
        }
        results.push(part);
    }
    outputs
}

/// The `window` of `image`, zeros outside it.
fn crop(image: &Pixels<'_>, window: &CropWindow) -> Pixels<'static> {
    let c = image.channels;
    let mut data = vec![0u8; window.height * window.width * c];
    for y in 0..window.height {
        for x in 0..window.width {
            let (sy, sx) = (window.top + y as i64, window.left + x as i64);
            if (0..image.height as i64).contains(&sy) && (0..image.width as i64).contains(&sx) {
                let at = (sy as usize * image.width + sx as usize) * c;
                let to = (y * window.width + x) * c;
                data[to..to + c].copy_from_slice(&image.data[at..at + c]);
            }
        }
    }
    Pixels::owned(window.width, window.height, c, data)
}

/// A random plan for an image of `(width, height)` and `channels` channels.
fn random_plan(rng: &mut Rng, input: Size, channels: usize) -> ImagePlan {
    let Size {
        height: h,
        width: w,
    } = input;
    let numerics = rng.pick(&[Numerics::Pil, Numerics::Torchvision]);
    let convert = match (channels, rng.next() % 2) {
        (1, 0) => ToRgb::Gray,
        (2, 0) => ToRgb::GrayAlpha,
        (4, 0) => ToRgb::Rgba,
        _ => ToRgb::Keep,
    };
    let out_channels = convert.output_channels(channels);
    let size = |n: usize, rng: &mut Rng| match rng.next() % 4 {
        0 => n,
        1 => rng.below(1..n * 3 + 2),
        _ => rng.below(1..n.max(2)),
    };
    let out = Size::new(size(h, rng), size(w, rng));
    let resample = match numerics {
        Numerics::Pil => rng.pick(&[
            Resample::Nearest,
            Resample::Box,
            Resample::Bilinear,
            Resample::Hamming,
            Resample::Bicubic,
            Resample::Lanczos,
        ]),
        Numerics::Torchvision => rng.pick(&[
            Resample::Nearest,
            Resample::Bilinear,
            Resample::Bicubic,
            Resample::Lanczos,
        ]),
    };
    let resize = match numerics {
        Numerics::Pil => pil::resize_plan(input, out, resample),
        Numerics::Torchvision => torchvision::resize_plan(input, out, resample).unwrap(),
    };
    // Windows: a centre crop (maybe larger than the image: padding), or two patches.
    let Size {
        height: oh,
        width: ow,
    } = out;
    let crop = Size::new(rng.below(1..oh + 5), rng.below(1..ow + 5));
    let mut windows = vec![center_crop(out, crop, numerics)];
    if rng.next().is_multiple_of(3) {
        windows.push(CropWindow {
            top: rng.below(0..oh) as i64 - 2,
            left: rng.below(0..ow) as i64 - 2,
            height: rng.below(1..oh + 1),
            width: rng.below(1..ow + 1),
        });
    }
    let levels = match rng.next() % 3 {
        0 => LevelMap::new(numerics, out_channels, None, None),
        _ => {
            let normalize = MeanStd {
                mean: (0..out_channels).map(|c| 0.4 + 0.05 * c as f32).collect(),
                std: (0..out_channels).map(|c| 0.25 + 0.01 * c as f32).collect(),
            };
            LevelMap::new(numerics, out_channels, Some(1.0 / 255.0), Some(&normalize))
        }
    };
    let layout = rng.pick(&[ChannelDimension::First, ChannelDimension::Last]);
    let mut plan = ImagePlan::new(convert, Arc::new(resize), windows, Arc::new(levels), layout);
    // Half the resizes of images with alpha premultiplied (Pillow's RGBa, La).
    let resize = &plan.resizes[0].resize;
    let resizes = matches!(&**resize, ResizePlan::Fixed { horizontal, vertical, .. }
        if horizontal.is_some() || vertical.is_some());
    plan.resizes[0].premultiplied =
        matches!(out_channels, 2 | 4) && resizes && rng.next().is_multiple_of(2);
    plan
}

/// One image per call: the backend also cuts its window into row bands, one per thread and more.
#[test]
fn whole_plans_equal_the_reference() {
    let mut rng = Rng(3);
    let (mut cases, mut failures) = (0, Vec::new());
    let backends: Vec<CpuBackend> = sets_cached()
        .into_iter()
        .map(|k| CpuBackend::new().with_kernels(k).unwrap())
        .collect();
    for case in 0..1500 {
        let (w, h) = (rng.below(1..120), rng.below(1..120));
        let channels = rng.below(1..5);
        let input = Pixels::owned(w, h, channels, rng.bytes(w * h * channels));
        let plan = random_plan(&mut rng, Size::new(h, w), channels);
        let expected = reference(&input, &plan);
        for backend in &backends {
            cases += 1;
            if outputs_of(backend, &input, &plan) != expected {
                let resize = &plan.resizes[0].resize;
                failures.push(format!(
                    "case {case}: {} on {w}x{h}x{channels}, {:?}, to {:?} ({}), windows {:?}",
                    backend.kernels().name(),
                    plan.convert,
                    resize.output_size(Size::new(h, w)),
                    match &**resize {
                        ResizePlan::Copy => "copy",
                        ResizePlan::Nearest { .. } => "nearest",
                        ResizePlan::Fixed {
                            vertical_first: true,
                            ..
                        } => "vertical first",
                        ResizePlan::Fixed { .. } => "fixed point",
                    },
                    plan.resizes[0].windows,
                ));
            }
        }
    }
    report("whole plans", cases, failures);
}

/// Resizes of resizes (Idefics3's): each resize reads the input or an earlier result, whole;
/// some results are only read again, some also have windows. Through every kernel set of the CPU
/// twin and the CUDA kernels on the host (their stage waves run last pass first, so a wave that
/// read its own writes would fail here).
#[test]
fn chained_plans_equal_the_reference() {
    let mut rng = Rng(11);
    let (mut cases, mut failures) = (0, Vec::new());
    let mut backends: Vec<Box<dyn Backend>> = sets_cached()
        .into_iter()
        .map(|k| Box::new(CpuBackend::new().with_kernels(k).unwrap()) as Box<dyn Backend>)
        .collect();
    backends.push(Box::new(KernelHostBackend::CROPPED));
    backends.push(Box::new(KernelHostBackend::WHOLE));
    for case in 0..400 {
        let (w, h) = (rng.below(1..60), rng.below(1..60));
        let channels = rng.below(1..5);
        let input = Pixels::owned(w, h, channels, rng.bytes(w * h * channels));
        let mut plan = random_plan(&mut rng, Size::new(h, w), channels);
        let mut sizes = plan.sizes(input.size()).unwrap();
        for i in 1..rng.below(2..5) {
            let of = rng.below(0..i);
            // Half of them read a part of it (LLaVA's patches), past its edges at times.
            let whole = sizes[of];
            let part = rng.next().is_multiple_of(2).then(|| CropWindow {
                top: rng.below(0..whole.height + 2) as i64 - 2,
                left: rng.below(0..whole.width + 2) as i64 - 2,
                height: rng.below(1..whole.height + 3),
                width: rng.below(1..whole.width + 3),
            });
            let from = part.map_or(whole, |p| Size::new(p.height, p.width));
            let grown = random_plan(&mut rng, from, plan.levels.channels);
            let mut resized = grown.resizes[0].clone();
            resized.of = Some(of);
            resized.part = part;
            if rng.next().is_multiple_of(3) {
                // Read again only (Idefics3's first resize).
                plan.resizes[of].windows.clear();
            }
            sizes.push(resized.resize.output_size(from));
            plan.resizes.push(resized);
        }
        let expected = reference(&input, &plan);
        for backend in &backends {
            cases += 1;
            if outputs_of(&**backend, &input, &plan) != expected {
                failures.push(format!(
                    "case {case}: {} on {w}x{h}x{channels}, {:?}, sizes {sizes:?}, from {:?}",
                    backend.name(),
                    plan.convert,
                    plan.resizes.iter().map(|r| r.of).collect::<Vec<_>>(),
                ));
            }
        }
    }
    report("chained plans", cases, failures);
}

/// A plan whose resize reads one that does not come before it is an error, not a panic.
#[test]
fn a_resize_of_a_later_resize_is_refused() {
    let mut rng = Rng(5);
    let input = Pixels::owned(8, 6, 3, rng.bytes(8 * 6 * 3));
    let mut plan = random_plan(&mut rng, input.size(), 3);
    plan.resizes[0].of = Some(0);
    let backends: [&dyn Backend; 2] = [&CpuBackend::new(), &KernelHostBackend::WHOLE];
    for backend in backends {
        let result = backend.execute(std::slice::from_ref(&input), std::slice::from_ref(&plan));
        assert!(result.is_err(), "{}", backend.name());
    }
}

/// What `backend` makes of `plan` on `input`.
fn outputs_of(backend: &dyn Backend, input: &Pixels<'_>, plan: &ImagePlan) -> Vec<TensorData> {
    let outputs = backend
        .execute(std::slice::from_ref(input), std::slice::from_ref(plan))
        .expect("execute");
    outputs.into_iter().map(|t| t.data).collect()
}

fn sets_cached() -> Vec<Kernels> {
    static SETS: std::sync::OnceLock<Vec<Kernels>> = std::sync::OnceLock::new();
    SETS.get_or_init(sets).clone()
}

fn report(what: &str, cases: usize, failures: Vec<String>) {
    assert!(cases > 0, "{what}: no case ran");
    assert!(
        failures.is_empty(),
        "{what}: {} of {cases} cases differ, first: {}",
        failures.len(),
        failures[..failures.len().min(5)].join("\n")
    );
    eprintln!("{what}: {cases} cases equal");
}

/// The taps a bool image's antialiased bilinear resize reads along an axis are torch's
/// (`scripts/make_bool_resize_fixture.py`: the non-zero outputs of one-hot float32 inputs, for
/// every pair of sizes up to 48 and large ratios).
#[test]
fn bool_taps_are_torchs() {
    let fixture = fixtures().join("bool_resize.json");
    let text = std::fs::read_to_string(fixture).expect("fixture");
    let pairs: serde_json::Value = serde_json::from_str(&text).expect("json");
    let pairs = pairs["pairs"].as_array().expect("pairs");
    let mut differ = Vec::new();
    for pair in pairs {
        let (size_in, size_out) = (pair[0].as_u64().unwrap(), pair[1].as_u64().unwrap());
        let axis = bits::bool_axis(size_in as usize, size_out as usize);
        let mut spans = Vec::new();
        for k in 0..size_out as usize {
            let row = axis.taps.row(k);
            let first = row.iter().position(|&w| w != 0).expect("a tap") as u32;
            let last = row.iter().rposition(|&w| w != 0).expect("a tap") as u32;
            spans.push(axis.taps.starts[k] + first);
            spans.push(last - first + 1);
        }
        let bytes: Vec<u8> = spans.iter().flat_map(|v: &u32| v.to_le_bytes()).collect();
        if sha256_hex(&bytes)[..16] != *pair[2].as_str().unwrap() {
            differ.push(format!("{size_in} -> {size_out}"));
        }
    }
    assert!(pairs.len() > 2000, "{} pairs", pairs.len());
    assert!(
        differ.is_empty(),
        "{} pairs differ: {differ:?}",
        differ.len()
    );
}
