use twinproc::image_processor;

pub struct NotKwargs;

#[image_processor(kwargs = NotKwargs, size(height = 224, width = 224))]
pub struct MyImageProcessor;

fn main() {}
