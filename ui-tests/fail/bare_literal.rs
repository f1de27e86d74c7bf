use twinproc::image_processor;

#[image_processor(224)]
pub struct MyImageProcessor;

fn main() {}
