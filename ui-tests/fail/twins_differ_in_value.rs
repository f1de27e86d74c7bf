use twinproc::image_processor;
use twinproc::models::OPENAI_CLIP_MEAN;

#[image_processor(gpu_twin = MeanImageProcessorCuda, image_mean = OPENAI_CLIP_MEAN)]
pub struct MeanImageProcessor;

#[image_processor(cpu_twin = MeanImageProcessor, image_mean = [0.48145466, 0.4578275, 0.40821074])]
pub struct MeanImageProcessorCuda;

fn main() {}
