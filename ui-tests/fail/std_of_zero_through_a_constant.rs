use twinproc::image_processor;

const STD: [f64; 3] = [0.5, 0.0, 0.5];

#[image_processor(do_normalize = true, image_mean = [0.5, 0.5, 0.5], image_std = STD)]
pub struct ZeroStdImageProcessor;

fn main() {}
