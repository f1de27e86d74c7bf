use twinproc::image_processor;

#[image_processor(do_resize = true, resample = Bilinear, size = 224)]
pub struct MyImageProcessor;

fn main() {}
