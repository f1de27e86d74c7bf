use twinproc::image_processor;

#[image_processor(do_resize = true, resample = Bilinear, size(height = 224))]
pub struct MyImageProcessor;

fn main() {}
