use twinproc::image_processor;

#[image_processor(do_rescale = true, rescale_factor = "1/255")]
pub struct MyImageProcessor;

fn main() {}
