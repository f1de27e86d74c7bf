use twinproc::image_processor;

#[image_processor(size(height = 224, width = 224), do_resise = true)]
pub struct MyImageProcessor;

fn main() {}
