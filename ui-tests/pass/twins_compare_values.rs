//! Twins declared on their own are compared by value: a constant and its literal are the same
//! value, and so are `1.0 / 255.0` and the number it is.
use twinproc::image_processor;
use twinproc::models::OPENAI_CLIP_MEAN;

/// The CPU twin.
#[image_processor(
    gpu_twin = ValuesImageProcessorCuda,
    image_mean = OPENAI_CLIP_MEAN,
    rescale_factor = 1.0 / 255.0,
    size(shortest_edge = 224),
)]
pub struct ValuesImageProcessor;

/// The GPU twin.
#[image_processor(
    cpu_twin = ValuesImageProcessor,
    image_mean = [0.48145466, 0.4578275, 0.40821073],
    rescale_factor = 0.00392156862745098,
    size(shortest_edge = 224),
)]
pub struct ValuesImageProcessorCuda;

fn main() {
    assert_eq!(ValuesImageProcessor::defaults(), ValuesImageProcessorCuda::defaults());
}
