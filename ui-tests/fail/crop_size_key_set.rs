use twinproc::image_processor;

#[image_processor(do_center_crop = true, crop_size(shortest_edge = 224))]
pub struct MyImageProcessor;

fn main() {}
