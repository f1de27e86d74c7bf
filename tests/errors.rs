//! Bad input gets a typed error naming what is wrong, never a panic.

use std::path::PathBuf;
use twinproc::{AutoImageProcessor, Error, Image, ImagesKwargs, Numerics, Resample};
use twinproc_golden_tests::{config_dir, image_path};

fn temp_file(name: &str, bytes: &[u8]) -> PathBuf {
    let path = std::env::temp_dir().join(format!("twinproc-errors-{}-{name}", std::process::id()));
    std::fs::write(&path, bytes).expect("write");
    path
}

fn config(name: &str, json: &str) -> twinproc::Result<twinproc::Processor> {
    AutoImageProcessor::from_pretrained(temp_file(&format!("{name}.json"), json.as_bytes()))
}

fn clip() -> twinproc::Processor {
    AutoImageProcessor::from_pretrained(config_dir("clip_vit_b32")).expect("clip")
}

fn assert_config_error(result: twinproc::Result<twinproc::Processor>, key: &str) {
    match result {
        Err(Error::InvalidConfig { key: k, message }) => {
            assert_eq!(k, key, "message: {message}");
            let text = Error::InvalidConfig {
                key: k.clone(),
                message,
            }
            .to_string();
            assert!(text.contains(key), "{text}");
        }
        other => panic!("expected an invalid `{key}`, got {other:?}"),
    }
}

#[test]
fn missing_file() {
    let err = Image::open("/no/such/dir/image.png").unwrap_err();
    assert!(matches!(err, Error::Io { .. }), "{err:?}");
    assert!(err.to_string().contains("/no/such/dir/image.png"));
}

#[test]
fn corrupt_file() {
    let path = temp_file("corrupt.png", b"\x89PNG\r\n\x1a\n this is not a png at all");
    let err = Image::open(&path).unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    assert!(err.to_string().contains("corrupt.png"));
    // The decoder's own error is kept as the source (PNG: the png crate's, which reads the rows
    // as Pillow does).
    let source = std::error::Error::source(&err).expect("a source");
    assert!(
        source.downcast_ref::<png::DecodingError>().is_some(),
        "{source:?}"
    );
}

#[test]
fn not_an_image_at_all() {
    let err = Image::open(temp_file("text.png", b"hello")).unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
}

#[test]
fn truncated_file() {
    let bytes = std::fs::read(image_path("chelsea.png")).expect("read");
    let err = Image::open(temp_file("truncated.png", &bytes[..bytes.len() / 2])).unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
}

#[test]
fn huge_image_header() {
    // A PNG whose header claims 100000 x 100000 pixels: refused before any allocation.
    let mut png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR".to_vec();
    let ihdr = [
        &100_000u32.to_be_bytes()[..],
        &100_000u32.to_be_bytes()[..],
        &[8, 2, 0, 0, 0],
    ]
    .concat();
    png.extend_from_slice(&ihdr);
    png.extend_from_slice(&png_crc(b"IHDR", &ihdr).to_be_bytes());
    let err = Image::open(temp_file("huge.png", &png)).unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
}

fn png_crc(kind: &[u8], data: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &byte in kind.iter().chain(data) {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                0xedb8_8320 ^ (crc >> 1)
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[test]
fn zero_sized_image() {
    let image = Image::from_hwc(Vec::new(), 0, 5, 3);
    let err = clip()
        .preprocess(&[image], &ImagesKwargs::default())
        .unwrap_err();
    assert!(matches!(err, Error::InvalidImage(_)), "{err:?}");
}

#[test]
fn buffer_of_the_wrong_length() {
    let image = Image::from_hwc(vec![0; 10], 2, 2, 3);
    let err = clip()
        .preprocess(&[image], &ImagesKwargs::default())
        .unwrap_err();
    assert!(
        matches!(err, Error::InvalidImage(ref m) if m.contains("12 bytes")),
        "{err:?}"
    );
}

#[test]
fn array_without_a_channel_axis() {
    let image = Image::Array {
        data: vec![0; 5 * 6 * 7],
        shape: [5, 6, 7],
        layout: None,
    };
    let err = clip()
        .preprocess(&[image], &ImagesKwargs::default())
        .unwrap_err();
    assert!(
        matches!(err, Error::InvalidImage(ref m) if m.contains("infer")),
        "{err:?}"
    );
}

#[test]
fn empty_batch() {
    let err = clip()
        .preprocess(&[], &ImagesKwargs::default())
        .unwrap_err();
    assert!(matches!(err, Error::InvalidImage(_)), "{err:?}");
}

#[test]
fn invalid_size_dict_key_set() {
    assert_config_error(
        config(
            "size-keys",
            r#"{"image_processor_type": "CLIPImageProcessor", "size": {"height": 224}}"#,
        ),
        "size",
    );
}

#[test]
fn negative_size() {
    assert_config_error(
        config(
            "size-negative",
            r#"{"image_processor_type": "CLIPImageProcessor", "size": {"shortest_edge": -224}}"#,
        ),
        "size.shortest_edge",
    );
}

#[test]
fn nan_size() {
    // Python's json writes NaN as a bare token, which is not JSON: the file is rejected as such.
    let err = config(
        "size-nan",
        r#"{"image_processor_type": "CLIPImageProcessor", "size": {"shortest_edge": NaN}}"#,
    )
    .unwrap_err();
    assert!(matches!(err, Error::Json { .. }), "{err:?}");
    assert_config_error(
        config(
            "size-fraction",
            r#"{"image_processor_type": "CLIPImageProcessor", "size": {"shortest_edge": 224.5}}"#,
        ),
        "size.shortest_edge",
    );
}

#[test]
fn bad_json() {
    let err = config(
        "bad-json",
        r#"{"image_processor_type": "CLIPImageProcessor", "size": "#,
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Json {
                source: Some(_),
                ..
            }
        ),
        "{err:?}"
    );
    let source = std::error::Error::source(&err).expect("the parser's error");
    assert!(source.to_string().contains("EOF"), "{source}");
    let err = config("not-object", "[1, 2]").unwrap_err();
    assert!(matches!(err, Error::Json { source: None, .. }), "{err:?}");
    assert!(
        err.to_string()
            .ends_with("invalid JSON: expected a JSON object"),
        "{err}"
    );
}

#[test]
fn mean_of_the_wrong_length() {
    let processor = config(
        "mean-length",
        r#"{"image_processor_type": "CLIPImageProcessor", "image_mean": [0.5, 0.5]}"#,
    )
    .expect("valid until an image is processed, as in transformers");
    let image = Image::from_hwc(vec![0; 8 * 8 * 3], 8, 8, 3);
    let err = processor
        .preprocess(&[image], &ImagesKwargs::default())
        .unwrap_err();
    assert!(
        matches!(err, Error::InvalidConfig { ref key, .. } if key == "image_mean"),
        "{err:?}"
    );
}

#[test]
fn std_of_zero() {
    assert_config_error(
        config(
            "std-zero",
            r#"{"image_processor_type": "CLIPImageProcessor", "image_std": [0.5, 0.0, 0.5]}"#,
        ),
        "image_std",
    );
}

#[test]
fn nonfinite_rescale_factor() {
    assert_config_error(
        config(
            "rescale-zero",
            r#"{"image_processor_type": "CLIPImageProcessor", "rescale_factor": 0}"#,
        ),
        "rescale_factor",
    );
}

#[test]
fn unknown_resample_value() {
    assert_config_error(
        config(
            "resample-7",
            r#"{"image_processor_type": "CLIPImageProcessor", "resample": 7}"#,
        ),
        "resample",
    );
    assert_config_error(
        config(
            "resample-str",
            r#"{"image_processor_type": "CLIPImageProcessor", "resample": "bicubic"}"#,
        ),
        "resample",
    );
}

#[test]
fn center_crop_without_crop_size() {
    assert_config_error(
        config(
            "crop-missing",
            r#"{"image_processor_type": "SiglipImageProcessor", "do_center_crop": true}"#,
        ),
        "crop_size",
    );
}

#[test]
fn nan_std_at_call_time() {
    let overrides = ImagesKwargs {
        image_std: Some(twinproc::ChannelValues::Scalar(f64::NAN)),
        ..Default::default()
    };
    let err = clip()
        .preprocess(&[Image::from_hwc(vec![0; 12], 2, 2, 3)], &overrides)
        .unwrap_err();
    assert!(
        matches!(err, Error::InvalidConfig { ref key, .. } if key == "image_std"),
        "{err:?}"
    );
}

/// transformers' torchvision backend raises for BOX and HAMMING when a resize runs (its tensors
/// have neither filter); so does twinproc's torchvision mode. An image already at the size passes
/// through unchanged, as in transformers (checked there: 224x300 with `shortest_edge` 224 and
/// `resample=4` or `5` gives `(1, 3, 224, 224)`; 200x300 raises `NotImplementedError`).
#[test]
fn box_resample_in_torchvision_mode() {
    for resample in [Resample::Box, Resample::Hamming] {
        let overrides = ImagesKwargs {
            resample: Some(resample),
            ..Default::default()
        };
        let at_size = Image::from_hwc((0..224 * 300 * 3).map(|i| i as u8).collect(), 224, 300, 3);
        let passed = clip().preprocess(std::slice::from_ref(&at_size), &overrides);
        let bicubic = clip().preprocess(std::slice::from_ref(&at_size), &ImagesKwargs::default());
        assert_eq!(passed.expect("no resize runs"), bicubic.expect("bicubic"));
    }
    let overrides = ImagesKwargs {
        resample: Some(Resample::Box),
        ..Default::default()
    };
    let image = Image::from_hwc(vec![0; 20 * 30 * 3], 20, 30, 3);
    let err = clip()
        .preprocess(std::slice::from_ref(&image), &overrides)
        .unwrap_err();
    assert!(matches!(err, Error::Unsupported(_)), "{err:?}");
    // The PIL backend has it.
    assert!(
        clip()
            .with_numerics(Numerics::Pil)
            .preprocess(&[image], &overrides)
            .is_ok()
    );
}

#[test]
fn stacking_different_shapes() {
    let overrides = ImagesKwargs {
        do_center_crop: Some(false),
        ..Default::default()
    };
    let images = [
        Image::from_hwc(vec![0; 20 * 30 * 3], 20, 30, 3),
        Image::from_hwc(vec![0; 30 * 20 * 3], 30, 20, 3),
    ];
    let err = clip().preprocess(&images, &overrides).unwrap_err();
    assert!(
        matches!(err, Error::Stack { ref message, .. } if message.contains("entry 1")),
        "{err:?}"
    );
}

#[test]
fn impossible_output_size() {
    let overrides = ImagesKwargs {
        do_center_crop: Some(false),
        size: Some(twinproc::SizeDict::shortest_edge(4_000_000)),
        ..Default::default()
    };
    let err = clip()
        .preprocess(&[Image::from_hwc(vec![0; 2 * 3 * 3], 2, 3, 3)], &overrides)
        .unwrap_err();
    assert!(matches!(err, Error::TooLarge(_)), "{err:?}");
}

#[test]
fn too_many_channels() {
    let image = Image::from_chw(vec![0; 5 * 4 * 4], 5, 4, 4);
    let overrides = ImagesKwargs {
        do_convert_rgb: Some(false),
        ..Default::default()
    };
    let err = clip().preprocess(&[image], &overrides).unwrap_err();
    assert!(
        matches!(err, Error::InvalidImage(ref m) if m.contains("5 channels")),
        "{err:?}"
    );
}

/// Damaged files (truncated anywhere, bytes flipped) give a typed error or a result, never a panic.
#[test]
fn damaged_files_never_panic() {
    let processor = clip();
    let mut outcomes = (0, 0);
    for name in [
        "chelsea.png",
        "syn_palette_trns.png",
        "syn_la.png",
        "no_time_for_that_tiny.gif",
        "rocket.jpg",
    ] {
        let bytes = std::fs::read(image_path(name)).expect("read");
        let mut variants: Vec<Vec<u8>> = (1..8)
            .map(|i| bytes[..bytes.len() * i / 8].to_vec())
            .collect();
        for i in 1..16 {
            let mut flipped = bytes.clone();
            let at = bytes.len() * i / 16;
            flipped[at] ^= 0xA5;
            variants.push(flipped);
        }
        for (i, variant) in variants.iter().enumerate() {
            let path = temp_file(&format!("damaged-{i}-{name}"), variant);
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                Image::open(&path)
                    .and_then(|image| processor.preprocess(&[image], &ImagesKwargs::default()))
            }));
            match result {
                Ok(Ok(_)) => outcomes.0 += 1,
                Ok(Err(Error::Decode { .. } | Error::Io { .. })) => outcomes.1 += 1,
                Ok(Err(other)) => panic!("{name} variant {i}: unexpected error {other:?}"),
                Err(_) => panic!("{name} variant {i}: panicked"),
            }
        }
    }
    assert!(outcomes.1 > 0, "no damaged file was rejected: {outcomes:?}");
}

/// A processor whose class declares no filter (and does not resize by default).
#[twinproc::image_processor(size(height = 8, width = 8))]
pub struct NoFilterImageProcessor;

/// `do_resize` without `resample` is transformers' ValueError in both backends (checked there: a
/// CLIP config with `"resample": null` raises "`size` and `resample` must be specified if
/// `do_resize` is `True`."), not a silent bilinear resize.
#[test]
fn resize_without_resample() {
    let processor = NoFilterImageProcessor::new(ImagesKwargs::default()).expect("new");
    let image = Image::from_hwc(vec![0; 20 * 30 * 3], 20, 30, 3);
    let overrides = ImagesKwargs {
        do_resize: Some(true),
        ..Default::default()
    };
    for numerics in [Numerics::Pil, Numerics::Torchvision] {
        let result = twinproc::ImageProcessor::with_numerics(processor.clone(), numerics)
            .preprocess(std::slice::from_ref(&image), &overrides)
            .map(|_| ());
        match result {
            Err(Error::InvalidConfig { key, message }) => {
                assert_eq!(key, "resample");
                assert!(message.contains("must be specified if `do_resize` is `True`"));
            }
            other => panic!("{numerics:?}: {other:?}"),
        }
    }
}

/// Each configuration of `configs` run on an RGB `side`×`side` image: its error, which
/// `expected` must accept.
fn each_refused(configs: &[&str], side: usize, expected: impl Fn(&Error) -> bool) {
    let image = [Image::from_hwc(vec![9; side * side * 3], side, side, 3)];
    for json in configs {
        let processor = config("refused", json).expect("config");
        match processor.preprocess(&image, &ImagesKwargs::default()) {
            Err(e) if expected(&e) => {}
            other => panic!("{json}: {other:?}"),
        }
    }
}

/// Outputs a model builds on the host (Qwen2-VL's repeated patch rows, SigLIP2's padding) are held
/// to the output budget before they are made: a typed error, not an abort.
#[test]
fn host_built_outputs_are_held_to_the_budget() {
    let configs = [
        r#"{"image_processor_type": "Qwen2VLImageProcessor", "temporal_patch_size": 4000000000}"#,
        r#"{"image_processor_type": "Siglip2ImageProcessor", "max_num_patches": 4000000000}"#,
        r#"{"image_processor_type": "Qwen2VLImageProcessor", "patch_size": 4000000000, "merge_size": 4000000000}"#,
    ];
    each_refused(&configs, 56, |e| matches!(e, Error::TooLarge(_)));
}
