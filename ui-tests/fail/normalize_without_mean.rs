use twinproc::image_processor;

#[image_processor(do_normalize = true, image_std = [0.5, 0.5, 0.5])]
pub struct MyImageProcessor;

fn main() {}
