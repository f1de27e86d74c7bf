use twinproc::image_processor;

#[image_processor(image_mean = 0.5, image_std = 0)]
pub struct MyImageProcessor;

fn main() {}
