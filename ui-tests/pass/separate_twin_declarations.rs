//! The transformers-style form: each twin declared on its own, naming the other.
use twinproc::backend::Backend;
use twinproc::extend::{default_preprocess, Batch, Call};
use twinproc::{image_processor, BatchFeature, ImagesKwargs};

fn on_cpu<B: Backend + ?Sized>(backend: &B, call: &Call, batch: Batch<'_>) -> twinproc::Result<BatchFeature> {
    default_preprocess(backend, call, batch)
}

fn on_gpu<B: Backend + ?Sized>(backend: &B, call: &Call, batch: Batch<'_>) -> twinproc::Result<BatchFeature> {
    default_preprocess(backend, call, batch)
}

/// The CPU twin.
#[image_processor(gpu_twin = SplitImageProcessorCuda, preprocess = on_cpu, size(shortest_edge = 224), do_resize = true, resample = Bicubic)]
pub struct SplitImageProcessor;

/// The GPU twin.
#[image_processor(cpu_twin = SplitImageProcessor, preprocess = on_gpu, size(shortest_edge = 224), do_resize = true, resample = Bicubic)]
pub struct SplitImageProcessorCuda;

fn main() {
    let _: ImagesKwargs = SplitImageProcessor::defaults();
    assert_eq!(SplitImageProcessor::defaults(), SplitImageProcessorCuda::defaults());
    assert!(SplitImageProcessorCuda::new(ImagesKwargs::default()).is_err());
    assert_eq!(
        twinproc::auto::lookup("SplitImageProcessor").map(|s| s.type_name),
        Some("SplitImageProcessor")
    );
}
