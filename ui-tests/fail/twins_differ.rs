use twinproc::image_processor;

#[image_processor(gpu_twin = SplitImageProcessorCuda, size(shortest_edge = 224), do_resize = true, resample = Bilinear)]
pub struct SplitImageProcessor;

#[image_processor(cpu_twin = SplitImageProcessor, size(shortest_edge = 256), do_resize = true, resample = Bilinear)]
pub struct SplitImageProcessorCuda;

fn main() {}
