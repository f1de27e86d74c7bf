//! Configuration I/O: every legacy form transformers reads, and the exact JSON it saves.

use std::path::PathBuf;
use twinproc::{AutoImageProcessor, Error, Processor, SizeDict};
use twinproc_golden_tests::config_dir;

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("twinproc-config-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn write_config(name: &str, json: &str) -> PathBuf {
    let dir = temp_dir(name);
    std::fs::write(dir.join("preprocessor_config.json"), json).expect("write");
    dir
}

fn load_json(name: &str, json: &str) -> twinproc::Result<Processor> {
    AutoImageProcessor::from_pretrained(write_config(name, json))
}

/// The configurations transformers' own `save_pretrained` wrote: twinproc writes the same bytes.
#[test]
fn saved_json_is_byte_identical_to_transformers() {
    for config in [
        "clip_vit_b32",
        "clip_nocrop_bilinear",
        "siglip_so400m_384",
        "llava_onevision_qwen2_0.5b_ov",
    ] {
        let file = config_dir(config).join("preprocessor_config.json");
        let expected = std::fs::read_to_string(&file).expect("read");
        let processor = AutoImageProcessor::from_pretrained(&file).expect("load");
        assert_eq!(processor.to_json_string().unwrap(), expected, "{config}");
    }
}

/// Int `size`/`crop_size` resolve to the dict forms, and save as transformers saves them.
#[test]
fn legacy_int_sizes_resolve_and_save_as_dicts() {
    let legacy =
        AutoImageProcessor::from_pretrained(config_dir("clip_legacy_int_size")).expect("legacy");
    let dict = AutoImageProcessor::from_pretrained(config_dir("clip_vit_b32")).expect("dict");
    assert_eq!(legacy.kwargs(), dict.kwargs());
    assert_eq!(legacy.kwargs().size, Some(SizeDict::shortest_edge(224)));
    assert_eq!(
        legacy.kwargs().crop_size,
        Some(SizeDict::height_width(224, 224))
    );
    let saved =
        std::fs::read_to_string(config_dir("clip_vit_b32").join("preprocessor_config.json"))
            .expect("read");
    assert_eq!(legacy.to_json_string().unwrap(), saved);
}

/// Every legacy form, saved and reloaded, gives the same processor.
#[test]
fn every_legacy_form_round_trips() {
    let forms = [
        (
            "int-size",
            r#"{"image_processor_type": "CLIPImageProcessor", "size": 256, "crop_size": 240}"#,
        ),
        (
            "int-size-square",
            r#"{"image_processor_type": "SiglipImageProcessor", "size": 256}"#,
        ),
        (
            "list-size",
            r#"{"image_processor_type": "SiglipImageProcessor", "size": [256, 320]}"#,
        ),
        (
            "max-size",
            r#"{"image_processor_type": "CLIPImageProcessor", "size": 256, "max_size": 512}"#,
        ),
        (
            "scalar-mean",
            r#"{"image_processor_type": "SiglipImageProcessor", "image_mean": 0.5, "image_std": 0.25}"#,
        ),
        (
            "resample-int",
            r#"{"image_processor_type": "CLIPImageProcessor", "resample": 2}"#,
        ),
        (
            "fast-name",
            r#"{"image_processor_type": "CLIPImageProcessorFast"}"#,
        ),
        (
            "pil-name",
            r#"{"image_processor_type": "SiglipImageProcessorPil"}"#,
        ),
        (
            "feature-extractor",
            r#"{"feature_extractor_type": "CLIPFeatureExtractor", "size": 224}"#,
        ),
        (
            "unknown-keys",
            r#"{"image_processor_type": "CLIPImageProcessor", "processor_class": "CLIPProcessor", "my_key": [1, {"a": null}]}"#,
        ),
    ];
    for (name, json) in forms {
        let first = load_json(name, json).unwrap_or_else(|e| panic!("{name}: {e}"));
        let dir = temp_dir(&format!("{name}-saved"));
        let path = first.save_pretrained(&dir).expect("save");
        let text = std::fs::read_to_string(&path).expect("read back");
        assert!(text.ends_with("}\n"), "{name}: trailing newline");
        assert!(
            !text.contains("Fast\"") && !text.contains("Pil\""),
            "{name}: backend suffix saved: {text}"
        );
        let second = AutoImageProcessor::from_pretrained(&dir)
            .unwrap_or_else(|e| panic!("{name} reloaded: {e}"));
        assert_eq!(first.kwargs(), second.kwargs(), "{name}");
        assert_eq!(first.extra().unwrap(), second.extra().unwrap(), "{name}");
        assert_eq!(
            second.to_json_string().unwrap(),
            text,
            "{name}: saving twice changes nothing"
        );
    }
    let unknown = load_json("unknown-keys-check", forms[9].1).expect("load");
    assert_eq!(
        unknown.extra().unwrap()["my_key"],
        serde_json::json!([1, {"a": null}])
    );
    let scalar = load_json("scalar-check", forms[4].1).expect("load");
    assert_eq!(
        scalar.kwargs().image_mean,
        Some(twinproc::ChannelValues::Scalar(0.5))
    );
}

/// A `processor_config.json` with an `image_processor` section is read too.
#[test]
fn processor_config_section_is_read() {
    let dir = temp_dir("processor-config");
    std::fs::write(
        dir.join("processor_config.json"),
        r#"{"processor_class": "X", "image_processor": {"image_processor_type": "SiglipImageProcessor", "size": {"height": 384, "width": 384}}}"#,
    )
    .expect("write");
    let processor = AutoImageProcessor::from_pretrained(&dir).expect("load");
    assert_eq!(processor.model().type_name, "SiglipImageProcessor");
    assert_eq!(
        processor.kwargs().size,
        Some(SizeDict::height_width(384, 384))
    );
}

#[test]
fn unknown_processor_type_is_an_error() {
    let err = load_json(
        "unknown-type",
        r#"{"image_processor_type": "NoSuchImageProcessor"}"#,
    )
    .unwrap_err();
    assert!(
        matches!(err, Error::UnknownProcessor(ref name) if name == "NoSuchImageProcessor"),
        "{err}"
    );
}

/// The keys transformers' `save_pretrained` writes when they are set, and only then (checked
/// there: `CLIPImageProcessor(data_format="channels_last", input_data_format="channels_first",
/// device="cpu", default_to_square=False)` saves all four; `CLIPImageProcessor()` saves
/// `crop_size, do_center_crop, do_convert_rgb, do_normalize, do_rescale, do_resize, image_mean,
/// image_processor_type, image_std, resample, rescale_factor, size`).
#[test]
fn set_layout_device_and_square_are_saved() {
    use twinproc::models::clip::ClipImageProcessor;
    use twinproc::{ChannelDimension, ImageProcessor, ImagesKwargs};
    let keys = |processor: &ClipImageProcessor| -> serde_json::Map<String, serde_json::Value> {
        let text = processor.processor().to_json_string().expect("json");
        serde_json::from_str(&text).expect("parse")
    };
    let plain = keys(&ClipImageProcessor::new(ImagesKwargs::default()).expect("new"));
    let names: Vec<&str> = plain.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "crop_size",
            "do_center_crop",
            "do_convert_rgb",
            "do_normalize",
            "do_rescale",
            "do_resize",
            "image_mean",
            "image_processor_type",
            "image_std",
            "resample",
            "rescale_factor",
            "size"
        ]
    );
    let set = keys(
        &ClipImageProcessor::new(ImagesKwargs {
            data_format: Some(ChannelDimension::Last),
            input_data_format: Some(ChannelDimension::First),
            device: Some("cpu".into()),
            default_to_square: Some(false),
            ..Default::default()
        })
        .expect("new"),
    );
    assert_eq!(set["data_format"], "channels_last");
    assert_eq!(set["input_data_format"], "channels_first");
    assert_eq!(set["device"], "cpu");
    assert_eq!(set["default_to_square"], false);
}
