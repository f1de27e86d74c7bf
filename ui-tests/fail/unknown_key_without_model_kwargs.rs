use twinproc::image_processor;

#[image_processor(size(height = 224, width = 224), tile_size = 512)]
pub struct MyImageProcessor;

fn main() {}
