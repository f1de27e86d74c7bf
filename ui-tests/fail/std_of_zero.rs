use twinproc::image_processor;

#[image_processor(image_mean = 0.5, image_std = [0.5, 0.0, 0.5])]
pub struct MyImageProcessor;

fn main() {}
