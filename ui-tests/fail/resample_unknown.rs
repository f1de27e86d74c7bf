use twinproc::image_processor;

#[image_processor(resample = Area)]
pub struct MyImageProcessor;

fn main() {}
