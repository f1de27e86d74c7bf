use twinproc::image_processor;

#[image_processor(do_resize = true, resample = Bilinear, size(height = 224, width = 224), do_resize = false)]
pub struct MyImageProcessor;

fn main() {}
