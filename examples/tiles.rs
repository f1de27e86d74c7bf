//! A downstream model declared from scratch: a custom kwarg (`tile_size`) and custom logic (cut the
//! resized image into tiles), written once for both twins, run on the bundled sample images.
//!
//! `cargo run --release -p twinproc-examples --example tiles`

use std::path::Path;
use twinproc::backend::Backend;
use twinproc::numeric::crop::CropWindow;
use twinproc::plan::{Assembly, ImagePlan};
use twinproc::processor::{Batch, Call, pixel_values};
use twinproc::{BatchFeature, Feature, Image, image_processor, images_kwargs};

/// Kwargs of the tiles model.
#[images_kwargs]
pub struct TilesKwargs {
    /// Edge of a tile, in pixels.
    pub tile_size: Option<u32>,
}

/// Resizes to 448×448 and cuts the result into square tiles, row-major.
#[image_processor(
    kwargs = TilesKwargs,
    preprocess = tiles,
    resample = Bicubic,
    image_mean = [0.5, 0.5, 0.5],
    image_std = [0.5, 0.5, 0.5],
    size(height = 448, width = 448),
    do_resize = true, do_rescale = true, do_normalize = true, do_convert_rgb = true,
    tile_size = 224,
)]
pub struct TilesImageProcessor;

/// The model's logic: one resize plan per image, one window per tile. Generic over the backend, so the
/// CPU and GPU twins both run exactly this.
fn tiles<B: Backend + ?Sized>(
    backend: &B,
    call: &Call,
    batch: Batch<'_>,
) -> twinproc::Result<BatchFeature> {
    let tile = call.model::<TilesKwargs>()?.tile_size.unwrap_or(224) as usize;
    let inputs = call.pixels(batch)?;
    let mut plans = Vec::new();
    for input in &inputs {
        let mut plan =
            call.resolved
                .plan(call.numerics, input, call.level_map(input.channels())?)?;
        let windows = &mut plan.resizes[0].windows;
        let resized = windows[0];
        *windows = (0..resized.height / tile)
            .flat_map(|i| (0..resized.width / tile).map(move |j| (i, j)))
            .map(|(i, j)| CropWindow {
                top: (i * tile) as i64,
                left: (j * tile) as i64,
                height: tile,
                width: tile,
            })
            .collect();
        plans.push(plan);
    }
    let counts: Vec<usize> = plans
        .iter()
        .map(|p: &ImagePlan| p.windows().count())
        .collect();
    let pixels: Vec<_> = inputs.into_iter().map(|input| input.pixels).collect();
    // Each image's tiles stacked into one tensor; the backend writes every tile in its place.
    let assembly = Assembly {
        groups: Some(counts),
        stacking: call.stacking,
        ..Assembly::default()
    };
    pixel_values(backend, &pixels, &plans, &assembly)
}

fn main() -> twinproc::Result<()> {
    let images = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/images");
    let batch: Vec<Image> = ["chelsea.png", "astronaut.png"]
        .iter()
        .map(|name| Image::open(images.join(name)))
        .collect::<twinproc::Result<_>>()?;
    let processor = TilesImageProcessor::default();
    let out = processor.preprocess(&batch, &TilesKwargs::default())?;
    if let Some(Feature::Tensor(t)) = out.data.get("pixel_values") {
        println!("tiles of 224: pixel_values {:?}", t.shape);
    }
    let small = TilesKwargs {
        tile_size: Some(112),
        ..Default::default()
    };
    let out = processor.preprocess(&batch, &small)?;
    if let Some(Feature::Tensor(t)) = out.data.get("pixel_values") {
        println!("tiles of 112: pixel_values {:?}", t.shape);
    }
    // The GPU twin runs the same function; its outputs stay on the GPU.
    match TilesImageProcessorCuda::new(TilesKwargs::default())
        .and_then(|gpu| gpu.preprocess(&batch, &TilesKwargs::default()))
    {
        Ok(out) => {
            if let Some(t) = out.device_tensor("pixel_values") {
                println!("GPU twin: pixel_values {:?} on the GPU", t.shape());
            }
        }
        Err(e) => println!("GPU twin: {e}"),
    }
    println!("\n{}", TilesImageProcessor::KWARGS_DOC);
    Ok(())
}
