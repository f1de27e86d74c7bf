use twinproc::image_processor;

#[image_processor(size(height = 224, height = 256, width = 224))]
pub struct MyImageProcessor;

fn main() {}
