//! Every value form a key takes.
use twinproc::{image_processor, ImagesKwargs};

const MEAN: [f64; 3] = [0.485, 0.456, 0.406];

#[image_processor(
    type_name = "EveryFormImageProcessor",
    resample = twinproc::Resample::Bilinear,
    image_mean = MEAN,
    image_std = 0.25,
    size(shortest_edge = 256, longest_edge = 1333),
    crop_size(height = 224, width = 224),
    pad_size(height = 256, width = 256),
    do_resize,
    do_center_crop = true,
    do_rescale = true,
    rescale_factor = 1.0 / 255.0,
    do_normalize = true,
    do_convert_rgb = false,
    do_pad = false,
    default_to_square = false,
    data_format = "channels_last",
    input_data_format = "channels_first",
    device = "cpu",
)]
pub struct EveryForm;

#[image_processor(size(max_height = 512, max_width = 512), do_resize = true, resample = Nearest, image_mean = [0.5, 0.5, 0.5], image_std = [1, 1, 1])]
pub struct MaxSize;

#[image_processor(size(longest_edge = 512), do_resize = true, resample = Lanczos)]
pub struct LongestEdge;

#[image_processor]
pub struct NothingDeclared;

fn main() {
    let kwargs = EveryForm::defaults();
    assert_eq!(kwargs.image_std, Some(twinproc::ChannelValues::Scalar(0.25)));
    assert_eq!(kwargs.data_format, Some(twinproc::ChannelDimension::Last));
    assert_eq!(kwargs.resample, Some(twinproc::Resample::Bilinear));
    assert_eq!(MaxSize::defaults().resample, Some(twinproc::Resample::Nearest));
    assert_eq!(LongestEdge::defaults().size.and_then(|s| s.longest_edge), Some(512));
    assert_eq!(NothingDeclared::defaults().do_resize, None);
    let _: ImagesKwargs = NothingDeclared::defaults();
}
