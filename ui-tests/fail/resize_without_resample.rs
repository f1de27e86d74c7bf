use twinproc::image_processor;

#[image_processor(do_resize = true, size(shortest_edge = 224))]
pub struct NoFilterImageProcessor;

fn main() {}
