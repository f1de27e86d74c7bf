use twinproc::{image_processor, ImageProcessor, ImagesKwargs};

#[image_processor(do_resize = true, resample = Bilinear, size(height = 224))]
pub struct MyImageProcessor;

fn main() {
    // Only the declaration's error is reported, not one per use: the stubs have the whole API.
    let processor = MyImageProcessor::new(ImagesKwargs::default()).unwrap();
    let _ = processor.preprocess(&[], &ImagesKwargs::default());
    let _ = MyImageProcessor::default();
    let _: ImagesKwargs = MyImageProcessor::defaults();
    let _ = processor.kwargs();
    let _ = processor.backend().name();
    let _ = processor.save_pretrained("dir");
    let _ = MyImageProcessor::KWARGS_DOC;
    let _ = MyImageProcessorCuda::from_pretrained("dir");
}
