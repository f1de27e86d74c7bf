use twinproc::image_processor;

#[image_processor(do_resize = true, resample = Bicubic)]
pub struct MyImageProcessor;

fn main() {}
