use twinproc::image_processor;

#[image_processor(
    do_resise = true,
    resample = Bicubik,
    image_mean = [0.5, 0.5],
    size(height = 224),
    rescale_factor = 0,
)]
pub struct MyImageProcessor;

fn main() {}
