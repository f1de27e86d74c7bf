use twinproc::image_processor;

#[image_processor(data_format = "nchw")]
pub struct MyImageProcessor;

fn main() {}
