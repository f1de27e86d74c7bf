use twinproc::image_processor;

#[image_processor(legacy_key = rewrite, do_resize = true, resample = Bilinear, size(height = 8, width = 8))]
pub struct LegacyImageProcessor;

fn main() {}
