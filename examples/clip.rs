//! Preprocess the bundled sample images with CLIP in both numerics modes and show how far the two
//! transformers backends are from each other.
//!
//! `cargo run --release -p twinproc-examples --example clip`

use std::path::Path;
use twinproc::{AutoImageProcessor, Image, ImagesKwargs, Numerics};

fn main() -> Result<(), twinproc::Error> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures");
    let images = ["chelsea.png", "astronaut.png", "coffee.png"]
        .iter()
        .map(|name| Image::open(root.join("images").join(name)))
        .collect::<Result<Vec<_>, _>>()?;
    let processor = AutoImageProcessor::from_pretrained(root.join("configs/clip_vit_b32"))?;
    let run = |numerics| {
        processor
            .clone()
            .with_numerics(numerics)
            .preprocess(&images, &ImagesKwargs::default())?
            // Auto computes on the GPU when it can, leaving the outputs there.
            .to_host()
    };
    let (pil, torchvision) = (run(Numerics::Pil)?, run(Numerics::Torchvision)?);
    let (Some(a), Some(b)) = (
        pil.tensor("pixel_values"),
        torchvision.tensor("pixel_values"),
    ) else {
        unreachable!("preprocess always returns pixel_values");
    };
    let (Some(a), Some(b)) = (a.as_f32(), b.as_f32()) else {
        unreachable!("normalized outputs are float32");
    };
    let max_diff = a
        .iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0f32, f32::max);
    println!(
        "pixel_values {:?}: pil and torchvision numerics differ by up to {max_diff} (as transformers' two backends do)",
        pil.tensor("pixel_values")
            .map(|t| t.shape.clone())
            .unwrap_or_default()
    );
    Ok(())
}
