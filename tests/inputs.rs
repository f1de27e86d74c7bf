//! Input forms and layouts: every way of handing over the same pixels gives the same bits.

use twinproc::{AutoImageProcessor, ChannelDimension, Image, ImagesKwargs, SizeDict, TensorData};
use twinproc_golden_tests::{RefTensor, compare_f32, config_dir, image_path, tensor};

fn clip() -> twinproc::Processor {
    AutoImageProcessor::from_pretrained(config_dir("clip_vit_b32")).expect("clip")
}

fn pixel_values(image: Image, overrides: &ImagesKwargs) -> twinproc::Tensor {
    // Auto may pick the GPU twin: its outputs come back from the GPU here.
    let batch = clip()
        .preprocess(&[image], overrides)
        .and_then(|b| b.to_host())
        .expect("preprocess");
    batch.tensor("pixel_values").expect("stacked").clone()
}

fn chelsea_hwc() -> (Vec<u8>, usize, usize) {
    let Image::Decoded(decoded) = Image::open(image_path("chelsea.png")).expect("open") else {
        unreachable!("files decode to images");
    };
    let rgb = decoded.to_rgb8();
    let (w, h) = rgb.dimensions();
    (rgb.into_raw(), h as usize, w as usize)
}

fn to_chw(hwc: &[u8], h: usize, w: usize) -> Vec<u8> {
    let mut chw = vec![0; hwc.len()];
    for i in 0..h * w {
        for c in 0..3 {
            chw[c * h * w + i] = hwc[i * 3 + c];
        }
    }
    chw
}

/// HWC, CHW, inferred layouts and `RgbImage` all equal the reference of the file.
#[test]
fn layouts_and_types_agree_with_the_reference() {
    let Some(RefTensor::F32 { data: expected, .. }) =
        tensor("golden/clip_vit_b32/chelsea.torchvision/pixel_values")
    else {
        panic!("no reference");
    };
    let (hwc, h, w) = chelsea_hwc();
    let chw = to_chw(&hwc, h, w);
    let inputs = [
        ("hwc", Image::from_hwc(hwc.clone(), h, w, 3)),
        ("chw", Image::from_chw(chw.clone(), 3, h, w)),
        (
            "inferred chw",
            Image::Array {
                data: chw,
                shape: [3, h, w],
                layout: None,
            },
        ),
        (
            "inferred hwc",
            Image::Array {
                data: hwc.clone(),
                shape: [h, w, 3],
                layout: None,
            },
        ),
        (
            "RgbImage",
            image::RgbImage::from_raw(w as u32, h as u32, hwc)
                .expect("rgb")
                .into(),
        ),
    ];
    for (name, input) in inputs {
        let out = pixel_values(input, &ImagesKwargs::default());
        assert_eq!(
            compare_f32(&expected, out.as_f32().expect("f32")),
            None,
            "{name}"
        );
    }
}

/// `data_format=channels_last` is the transpose of the default output, bit for bit.
#[test]
fn channels_last_output_is_the_transpose() {
    let (hwc, h, w) = chelsea_hwc();
    let first = pixel_values(
        Image::from_hwc(hwc.clone(), h, w, 3),
        &ImagesKwargs::default(),
    );
    let last = pixel_values(
        Image::from_hwc(hwc, h, w, 3),
        &ImagesKwargs {
            data_format: Some(ChannelDimension::Last),
            ..Default::default()
        },
    );
    assert_eq!(first.shape, [1, 3, 224, 224]);
    assert_eq!(last.shape, [1, 224, 224, 3]);
    let (a, b) = (first.as_f32().expect("f32"), last.as_f32().expect("f32"));
    for c in 0..3 {
        for i in 0..224 * 224 {
            assert_eq!(a[c * 224 * 224 + i].to_bits(), b[i * 3 + c].to_bits());
        }
    }
}

/// Without rescale and normalize the output stays uint8, as in transformers.
#[test]
fn no_rescale_no_normalize_keeps_uint8() {
    let overrides = ImagesKwargs {
        do_rescale: Some(false),
        do_normalize: Some(false),
        ..Default::default()
    };
    let out = pixel_values(Image::from_hwc(vec![7; 30 * 40 * 3], 30, 40, 3), &overrides);
    assert_eq!(out.shape, [1, 3, 224, 224]);
    assert!(matches!(out.data, TensorData::U8(ref v) if v.iter().all(|&x| x == 7)));
}

/// `do_pad` pads the normalized output with zeros at the bottom and right.
#[test]
fn pad_adds_zeros_bottom_right() {
    let overrides = ImagesKwargs {
        do_pad: Some(true),
        pad_size: Some(SizeDict::height_width(230, 226)),
        ..Default::default()
    };
    let out = pixel_values(
        Image::from_hwc(vec![255; 30 * 40 * 3], 30, 40, 3),
        &overrides,
    );
    assert_eq!(out.shape, [1, 3, 230, 226]);
    let v = out.as_f32().expect("f32");
    let at = |c: usize, y: usize, x: usize| v[(c * 230 + y) * 226 + x];
    assert!(at(0, 0, 0) > 1.0, "white normalizes above 1");
    assert_eq!(at(0, 0, 225), 0.0);
    assert_eq!(at(2, 229, 0), 0.0);
    assert_eq!(at(1, 223, 223), at(1, 0, 0));
}
