use twinproc::image_processor;

#[image_processor(size(height = 224, width = 224))]
pub struct MyImageProcessor {
    extra: u32,
}

fn main() {}
