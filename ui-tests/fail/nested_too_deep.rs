use twinproc::image_processor;

#[image_processor(rescale_factor = (((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((1.0))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))]
pub struct MyImageProcessor;

fn main() {}
