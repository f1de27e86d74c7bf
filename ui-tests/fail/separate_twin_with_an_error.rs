//! A mistake in one of two separately declared twins is one error: its stub still publishes what
//! the other twin compares, and defines no second `…Cuda`.
use twinproc::image_processor;

#[image_processor(gpu_twin = SplitImageProcessorCuda, do_resize = true, resample = Bilinear, size(heigth = 224, width = 224))]
pub struct SplitImageProcessor;

#[image_processor(cpu_twin = SplitImageProcessor, do_resize = true, resample = Bilinear, size(height = 224, width = 224))]
pub struct SplitImageProcessorCuda;

fn main() {
    let _ = SplitImageProcessor::default();
}
