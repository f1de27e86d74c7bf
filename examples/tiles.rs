//! A downstream model declared from scratch: a custom kwarg (`tile_size`) and custom logic (cut the
//! resized image into tiles), written once for both twins, run on the bundled sample images.
//!
//! `cargo run --release -p twinproc-examples --example tiles`

use std::path::Path;
use twinproc::extend::{Assembly, Backend, Batch, Call, pixel_values};
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

/// The model's logic: the default plan of each image, its window cut into tiles, each image's tiles
/// stacked. Generic over the backend, so the CPU and GPU twins both run exactly this.
fn tiles<B: Backend + ?Sized>(
    backend: &B,
    call: &Call,
    batch: Batch<'_>,
) -> twinproc::Result<BatchFeature> {
    let tile = call.model::<TilesKwargs>()?.tile_size.unwrap_or(224) as usize;
    let inputs = call.pixels(batch)?;
    let plans = inputs
        .iter()
        .map(|input| {
            call.plan(input)?
                .split_window(|resized| resized.tiles(tile))
        })
        .collect::<twinproc::Result<Vec<_>>>()?;
    let pixels: Vec<_> = inputs.into_iter().map(|input| input.pixels).collect();
    // The backend writes every tile in its place in the one stacked tensor.
    pixel_values(
        backend,
        call.numerics,
        &pixels,
        &plans,
        &Assembly::per_image(&plans, call.stacking),
    )
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
