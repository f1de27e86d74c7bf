use twinproc::image_processor;

#[image_processor(do_resize = true, resample = Bilinear, size(shortest_edge = 224), do_center_crop = true)]
pub struct MyImageProcessor;

fn main() {}
