use twinproc::image_processor;

#[image_processor(resample = Bicubik)]
pub struct MyImageProcessor;

fn main() {}
