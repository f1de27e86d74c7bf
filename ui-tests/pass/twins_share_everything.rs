//! Both twins have the same constructors, defaults, calls and docs.
use twinproc::models::clip::{ClipImageProcessor, ClipImageProcessorCuda};
use twinproc::{ImageProcessor, ImagesKwargs};

fn defaults_of<P: ImageProcessor<Kwargs = ImagesKwargs>>() -> ImagesKwargs {
    P::defaults()
}

fn main() {
    assert_eq!(defaults_of::<ClipImageProcessor>(), defaults_of::<ClipImageProcessorCuda>());
    assert_eq!(ClipImageProcessor::KWARGS_DOC, ClipImageProcessorCuda::KWARGS_DOC);
    assert_eq!(ClipImageProcessor::spec().type_name, ClipImageProcessorCuda::spec().type_name);
    let _: fn(ImagesKwargs) -> twinproc::Result<ClipImageProcessorCuda> = ClipImageProcessorCuda::new;
    let _: fn(ImagesKwargs) -> twinproc::Result<ClipImageProcessor> = ClipImageProcessor::new;
}
