//! The default pipeline of transformers' image processors, generic over the compute backend:
//! convert to RGB → resize → center crop → rescale and normalize → pad, over a batch.

use crate::backend::Backend;
use crate::call::{Batch, Call};
use crate::error::{Error, Result};
use crate::feature::BatchFeature;
use crate::kwargs::Resample;
use crate::numeric::convert::ToRgb;
use crate::numeric::fixed::FixedAxis;
use crate::numeric::normalize::LevelMap;
use crate::numeric::resample::ResizePlan;
use crate::numeric::{Numerics, Pixels, Size, bits, torchvision};
use crate::placement::{Assembly, Canvas, Placement};
use crate::plan::ImagePlan;
use crate::plan::Input;
use crate::resolve::Resolved;
use crate::size::SizeDict;
use std::collections::HashMap;
use std::sync::Arc;

/// The default pipeline as a preprocess function: nested samples are flattened.
pub fn default_preprocess<B: Backend + ?Sized>(
    backend: &B,
    call: &Call,
    batch: Batch<'_>,
) -> Result<BatchFeature> {
    let inputs = call.pixels(batch)?;
    let (pixels, plans) = plan_default_pipeline(&call.resolved, call.numerics, inputs)?;
    let canvas = match call.resolved.pad {
        None => Canvas::Own,
        Some(Some(SizeDict {
            height: Some(h),
            width: Some(w),
            ..
        })) => Canvas::Fixed(Size::new(h as usize, w as usize)),
        Some(_) => Canvas::Largest,
    };
    let assembly = Assembly {
        canvas,
        stacking: call.stacking,
        ..Assembly::default()
    };
    pixel_values(backend, call.numerics, &pixels, &plans, &assembly)
}

/// The last step of a preprocess function: runs `plans[i]` (made in `numerics`, the call's) on
/// `pixels[i]` and forms `pixel_values` as `assembly` says (where `backend` keeps its outputs).
pub fn pixel_values<B: Backend + ?Sized>(
    backend: &B,
    numerics: Numerics,
    pixels: &[Pixels],
    plans: &[ImagePlan],
    assembly: &Assembly,
) -> Result<BatchFeature> {
    // A model's own plans of images with alpha or of bits are marked here (copied only then).
    let marked: Vec<ImagePlan>;
    let alpha = |plan: &ImagePlan| matches!(plan.levels.channels, 2 | 4);
    let bits = |plan: &ImagePlan| plan.convert == ToRgb::Bits;
    let plans = if (numerics == Numerics::Pil && plans.iter().any(alpha)) || plans.iter().any(bits)
    {
        let mut copy = plans.to_vec();
        mark_premultiplied(numerics, &mut copy);
        mark_bits(&mut copy, pixels.iter().map(Pixels::size))?;
        marked = copy;
        &marked[..]
    } else {
        plans
    };
    let placement = Placement::new("pixel_values", plans, assembly)?;
    let mut features = BatchFeature::default();
    features.data.insert(
        "pixel_values".into(),
        backend.execute_placed(pixels, plans, &placement)?,
    );
    Ok(features)
}

/// Marks the resizes Pillow runs premultiplied, in `pil` numerics: of an image of 2 or 4 channels
/// (`LA`, `RGBA`: what transformers' PIL backend makes of any array of 2 or 4 channels, CMYK
/// samples included) with every filter but nearest (`Image.resize` converts to `La`/`RGBa`).
pub fn mark_premultiplied(numerics: Numerics, plans: &mut [ImagePlan]) {
    for plan in plans.iter_mut() {
        let alpha = numerics == Numerics::Pil && matches!(plan.levels.channels, 2 | 4);
        for resized in &mut plan.resizes {
            resized.premultiplied = alpha
                && matches!(&*resized.resize, ResizePlan::Fixed { horizontal, vertical, .. }
                    if horizontal.is_some() || vertical.is_some());
        }
    }
}

/// Plans each image of bits read as torchvision reads them (a bool tensor: [`ToRgb::Bits`], the
/// image of `sizes`): its bilinear resizes read the taps of non-zero float32 weight, each weighted
/// one ([`bits::bool_axis`]), and its level map takes every non-zero level as a set bit; then its
/// conversion is `Keep`. A bilinear axis is known by being [`torchvision::int16_axis`]'s; other
/// filters, and outputs without a level map (transformers' are bool), are refused.
pub fn mark_bits(plans: &mut [ImagePlan], sizes: impl IntoIterator<Item = Size>) -> Result<()> {
    let refused = |what: &str| {
        Error::Unsupported(format!(
            "a bilevel image (Pillow's mode 1) without do_convert_rgb in torchvision numerics, \
             {what}: not reproduced"
        ))
    };
    for (plan, input) in plans.iter_mut().zip(sizes) {
        if plan.convert != ToRgb::Bits {
            continue;
        }
        let levels = bits::bit_levels(&plan.levels)
            .ok_or_else(|| refused("without rescale or normalize (a bool output)"))?;
        let mut sizes = Vec::with_capacity(plan.resizes.len());
        for i in 0..plan.resizes.len() {
            let source = plan.source_size(i, input, &sizes)?;
            let out = plan.resizes[i].resize.output_size(source);
            sizes.push(out);
            let ResizePlan::Fixed {
                horizontal,
                vertical,
                vertical_first,
            } = &*plan.resizes[i].resize
            else {
                continue;
            };
            let of_bits = |axis: &Option<FixedAxis>, from: usize, to: usize| match axis {
                None => Ok(None),
                Some(axis) if *axis == torchvision::int16_axis(from, to, Resample::Bilinear)? => {
                    let axis = bits::bool_axis(from, to);
                    // Each tap adds up to 255 (a count) times 2 in 32 bits.
                    match axis.taps.ksize <= 1 << 20 {
                        true => Ok(Some(axis)),
                        false => Err(refused("shrunk more than a million times")),
                    }
                }
                Some(_) => Err(refused(
                    "resized with a filter other than bilinear or nearest",
                )),
            };
            plan.resizes[i].resize = Arc::new(ResizePlan::Fixed {
                horizontal: of_bits(horizontal, source.width, out.width)?,
                vertical: of_bits(vertical, source.height, out.height)?,
                vertical_first: *vertical_first,
            });
        }
        plan.levels = Arc::new(levels);
        plan.convert = ToRgb::Keep;
    }
    Ok(())
}

/// The host side of the default pipeline: each input's pixels and plan (before padding).
pub fn plan_default_pipeline<'a>(
    resolved: &Resolved,
    numerics: Numerics,
    inputs: Vec<Input<'a>>,
) -> Result<(Vec<Pixels<'a>>, Vec<ImagePlan>)> {
    let plans = plan_inputs(resolved, numerics, &inputs)?;
    let pixels: Vec<Pixels<'a>> = inputs.into_iter().map(|input| input.pixels).collect();
    Ok((pixels, plans))
}

/// Each input's plan for the default pipeline (before padding). Inputs of one size share one
/// resize plan, inputs of one channel count one level map: computed once, and the CUDA backend
/// uploads each table once.
pub fn plan_inputs(
    resolved: &Resolved,
    numerics: Numerics,
    inputs: &[Input],
) -> Result<Vec<ImagePlan>> {
    type Resize = (Arc<ResizePlan>, Size);
    let mut level_maps: HashMap<usize, Arc<LevelMap>> = HashMap::new();
    let mut resizes: HashMap<Size, Resize> = HashMap::new();
    inputs
        .iter()
        .map(|input| {
            let channels = input.channels();
            let levels = match level_maps.get(&channels) {
                Some(map) => map.clone(),
                None => {
                    let map = Arc::new(resolved.level_map(numerics, channels)?);
                    level_maps.insert(channels, map.clone());
                    map
                }
            };
            let resize = match resizes.get(&input.size()) {
                Some(resize) => resize.clone(),
                None => {
                    let resize = resolved.resize_for(numerics, input.size())?;
                    resizes.insert(input.size(), resize.clone());
                    resize
                }
            };
            resolved.plan_resized(input, levels, resize, numerics)
        })
        .collect::<Result<Vec<_>>>()
        .and_then(|mut plans| {
            mark_premultiplied(numerics, &mut plans);
            mark_bits(&mut plans, inputs.iter().map(Input::size))?;
            Ok(plans)
        })
}
