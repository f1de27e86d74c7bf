//! A model kwarg and custom logic, written once for both twins.
use twinproc::backend::Backend;
use twinproc::extend::{default_preprocess, Batch, Call};
use twinproc::{image_processor, images_kwargs, BatchFeature, Image};

/// Kwargs of the model.
#[images_kwargs]
pub struct ScaledKwargs {
    /// A multiplier applied to nothing, to show a model kwarg.
    pub strength: Option<f32>,
    /// Names of the patches.
    pub labels: Option<Vec<String>>,
}

fn scaled<B: Backend + ?Sized>(backend: &B, call: &Call, batch: Batch<'_>) -> twinproc::Result<BatchFeature> {
    let kwargs = call.model::<ScaledKwargs>()?;
    assert_eq!(kwargs.strength, Some(2.0));
    default_preprocess(backend, call, batch)
}

#[image_processor(
    kwargs = ScaledKwargs,
    preprocess = scaled,
    size(height = 8, width = 8),
    do_resize = true,
    resample = Bilinear,
    strength = 2.0,
    labels = vec!["a".to_owned()],
)]
pub struct ScaledImageProcessor;

fn main() -> twinproc::Result<()> {
    let processor = ScaledImageProcessor::default();
    let image = Image::from_hwc(vec![0; 4 * 4 * 3], 4, 4, 3);
    let out = processor.preprocess(&[image], &ScaledKwargs::default())?;
    assert_eq!(out.tensor("pixel_values").map(|t| t.shape.clone()), Some(vec![1, 3, 8, 8]));
    assert!(ScaledImageProcessorCuda::new(ScaledKwargs::default()).is_err());
    Ok(())
}
