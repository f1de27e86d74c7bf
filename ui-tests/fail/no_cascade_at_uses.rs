use twinproc::{image_processor, ImagesKwargs};

#[image_processor(do_resize = true, size(height = 224))]
pub struct MyImageProcessor;

fn main() {
    // Only the declaration's error is reported, not one per use.
    let processor = MyImageProcessor::new(ImagesKwargs::default()).unwrap();
    let _ = processor.preprocess(&[], &ImagesKwargs::default());
    let _ = MyImageProcessor::default();
}
