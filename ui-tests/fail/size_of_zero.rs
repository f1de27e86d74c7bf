use twinproc::image_processor;

#[image_processor(do_resize = true, resample = Bilinear, size(shortest_edge = 0))]
pub struct MyImageProcessor;

fn main() {}
