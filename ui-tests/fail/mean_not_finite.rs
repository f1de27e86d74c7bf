use twinproc::image_processor;

#[image_processor(do_normalize = true, image_mean = [1.0 / 0.0, 0.5, 0.5], image_std = [0.5, 0.5, 0.5])]
pub struct InfiniteMeanImageProcessor;

fn main() {}
