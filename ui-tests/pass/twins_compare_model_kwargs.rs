//! Separately declared twins compare their model kwargs one by one: numbers by value (`3`, `3u32`
//! and `6 / 2` are one value), other expressions by their tokens.
use twinproc::{image_processor, images_kwargs};

#[images_kwargs]
pub struct RepeatKwargs {
    /// How many times.
    pub repeat: Option<u32>,
    /// Names.
    pub names: Option<Vec<String>>,
}

/// The CPU twin.
#[image_processor(gpu_twin = RepeatImageProcessorCuda, kwargs = RepeatKwargs, repeat = 3, names = vec![String::from("a")])]
pub struct RepeatImageProcessor;

/// The GPU twin.
#[image_processor(cpu_twin = RepeatImageProcessor, kwargs = RepeatKwargs, repeat = 3u32, names = vec![String::from("a")])]
pub struct RepeatImageProcessorCuda;

fn main() {
    assert_eq!(RepeatImageProcessor::defaults(), RepeatImageProcessorCuda::defaults());
}
