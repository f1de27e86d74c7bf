use twinproc::{image_processor, images_kwargs};

#[images_kwargs]
pub struct RepeatKwargs {
    /// How many times.
    pub repeat: Option<u32>,
}

#[image_processor(gpu_twin = RepeatImageProcessorCuda, kwargs = RepeatKwargs, repeat = 3)]
pub struct RepeatImageProcessor;

#[image_processor(cpu_twin = RepeatImageProcessor, kwargs = RepeatKwargs, repeat = 4)]
pub struct RepeatImageProcessorCuda;

fn main() {}
