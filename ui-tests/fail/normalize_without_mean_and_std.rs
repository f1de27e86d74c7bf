use twinproc::image_processor;

#[image_processor(do_rescale = true, do_normalize = true)]
pub struct MyImageProcessor;

fn main() {}
