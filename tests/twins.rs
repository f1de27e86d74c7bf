//! The twins `#[image_processor]` emits: constructors, defaults, docs, registry, and that the CPU
//! twin, the generic path and transformers agree.

use twinproc::models::clip::{ClipImageProcessor, ClipImageProcessorCuda};
use twinproc::models::llava_onevision::{LlavaOnevisionImageProcessor, LlavaOnevisionKwargs};
use twinproc::models::siglip::SiglipImageProcessor;
use twinproc::{
    AutoImageProcessor, Error, Image, ImageProcessor, ImagesKwargs, Numerics, SizeDict,
    image_processor, images_kwargs,
};
use twinproc_golden_tests::{RefTensor, compare_f32, config_dir, doc_rows, image_path, tensor};

/// A processor declared outside the runtime crate: `AutoImageProcessor` finds it too.
#[images_kwargs]
pub struct DownstreamKwargs {
    /// How many times to repeat nothing.
    pub repeat: Option<u32>,
}

/// A downstream model.
#[image_processor(kwargs = DownstreamKwargs, size(height = 32, width = 32), do_resize = true, resample = Bilinear, repeat = 3)]
pub struct DownstreamImageProcessor;

#[test]
fn constructor_kwargs_override_defaults() {
    let processor = ClipImageProcessor::new(ImagesKwargs {
        do_center_crop: Some(false),
        ..Default::default()
    })
    .expect("new");
    let kwargs = processor.kwargs().expect("kwargs");
    assert_eq!(kwargs.do_center_crop, Some(false));
    assert_eq!(kwargs.size, Some(SizeDict::shortest_edge(224)));
    assert_eq!(ClipImageProcessor::defaults().do_center_crop, Some(true));
}

#[test]
fn gpu_twin_says_cuda_is_not_built() {
    let err = ClipImageProcessorCuda::new(ImagesKwargs::default()).unwrap_err();
    assert!(
        matches!(err, Error::BackendUnavailable(ref m) if m.contains("CUDA")),
        "{err}"
    );
    let err = ClipImageProcessorCuda::from_pretrained(config_dir("clip_vit_b32")).unwrap_err();
    assert!(matches!(err, Error::BackendUnavailable(_)), "{err}");
}

/// A twin runs on one backend: its `Processor` (reachable through `processor()`) is on the same
/// one, so no call can silently run elsewhere.
#[test]
fn a_twin_and_its_processor_share_one_backend() {
    fn same(a: &dyn twinproc::backend::Backend, b: &dyn twinproc::backend::Backend) -> bool {
        std::ptr::addr_eq(a as *const _, b as *const _)
    }
    let clip = ClipImageProcessor::new(ImagesKwargs::default()).expect("new");
    assert!(same(clip.backend(), clip.processor().backend()));
    let downstream = DownstreamImageProcessor::default();
    assert!(same(downstream.backend(), downstream.processor().backend()));
    let pil = clip.with_numerics(Numerics::Pil);
    assert!(same(pil.backend(), pil.processor().backend()));
}

/// The extension API's tiles: each tile of an image is exactly its part of the untiled output
/// (CLIP's 224×224 crop cut into four 112×112 tiles), both numerics.
#[test]
fn tiles_are_their_part_of_the_whole_output() {
    use twinproc::backend::CpuBackend;
    use twinproc::extend::{Assembly, Stacking, pixel_values};
    let images = [Image::open(image_path("chelsea.png")).expect("open")];
    for numerics in [Numerics::Pil, Numerics::Torchvision] {
        let processor = AutoImageProcessor::from_pretrained(config_dir("clip_vit_b32"))
            .expect("config")
            .with_numerics(numerics);
        let (pixels, plans) = processor
            .plans(&images, &ImagesKwargs::default())
            .expect("plans");
        let whole = pixel_values(
            &CpuBackend::new(),
            numerics,
            &pixels,
            &plans,
            &Assembly::default(),
        )
        .expect("whole");
        let tiled: Vec<_> = plans
            .iter()
            .map(|p| {
                p.clone()
                    .split_window(|w| w.tiles(112))
                    .expect("one window")
            })
            .collect();
        let tiles = pixel_values(
            &CpuBackend::new(),
            numerics,
            &pixels,
            &tiled,
            &Assembly::per_image(&tiled, Stacking::Stack),
        )
        .expect("tiles");
        let whole = whole.tensor("pixel_values").expect("whole tensor");
        let tiles = tiles.tensor("pixel_values").expect("tiles tensor");
        assert_eq!(tiles.shape, [1, 4, 3, 112, 112]);
        let (w, t) = (whole.as_f32().expect("f32"), tiles.as_f32().expect("f32"));
        for tile in 0..4 {
            let (ty, tx) = (tile / 2 * 112, tile % 2 * 112);
            for c in 0..3 {
                for y in 0..112 {
                    let from = (c * 224 + ty + y) * 224 + tx;
                    let to = ((tile * 3 + c) * 112 + y) * 112;
                    assert_eq!(
                        w[from..from + 112]
                            .iter()
                            .map(|v| v.to_bits())
                            .collect::<Vec<_>>(),
                        t[to..to + 112]
                            .iter()
                            .map(|v| v.to_bits())
                            .collect::<Vec<_>>(),
                        "{numerics:?} tile {tile} channel {c} row {y}"
                    );
                }
            }
        }
        // A plan of several windows cannot be split again.
        assert!(tiled[0].clone().split_window(|w| vec![w]).is_err());
    }
}

#[test]
fn registry_finds_every_model_and_alias() {
    for (name, expected) in [
        ("CLIPImageProcessor", "CLIPImageProcessor"),
        ("CLIPImageProcessorFast", "CLIPImageProcessor"),
        ("CLIPImageProcessorPil", "CLIPImageProcessor"),
        ("CLIPFeatureExtractor", "CLIPImageProcessor"),
        ("SiglipImageProcessor", "SiglipImageProcessor"),
        (
            "LlavaOnevisionImageProcessorPil",
            "LlavaOnevisionImageProcessor",
        ),
        ("DownstreamImageProcessor", "DownstreamImageProcessor"),
    ] {
        let spec = twinproc::auto::lookup(name).unwrap_or_else(|| panic!("{name} not registered"));
        assert_eq!(spec.type_name, expected);
    }
    let dir =
        std::env::temp_dir().join(format!("twinproc-twins-downstream-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(
        dir.join("preprocessor_config.json"),
        r#"{"image_processor_type": "DownstreamImageProcessor", "repeat": 5}"#,
    )
    .expect("write");
    let auto = AutoImageProcessor::from_pretrained(&dir).expect("auto");
    assert_eq!(auto.extra().unwrap()["repeat"], 5);
    let typed = DownstreamImageProcessor::from_pretrained(&dir).expect("typed");
    assert_eq!(typed.kwargs().expect("kwargs").repeat, Some(5));
    assert_eq!(DownstreamImageProcessor::defaults().repeat, Some(3));
}

/// The CPU twin, the generic `Processor` and transformers give the same bits.
#[test]
fn cpu_twin_equals_generic_path_and_reference() {
    let image = Image::open(image_path("chelsea.png")).expect("open");
    for (numerics, backend) in [
        (Numerics::Pil, "pil"),
        (Numerics::Torchvision, "torchvision"),
    ] {
        let twin = ClipImageProcessor::from_pretrained(config_dir("clip_vit_b32"))
            .expect("twin")
            .with_numerics(numerics);
        let generic = AutoImageProcessor::from_pretrained(config_dir("clip_vit_b32"))
            .expect("auto")
            .with_numerics(numerics);
        let a = twin
            .preprocess(std::slice::from_ref(&image), &ImagesKwargs::default())
            .expect("twin");
        let b = generic
            .preprocess(std::slice::from_ref(&image), &ImagesKwargs::default())
            .and_then(|b| b.to_host())
            .expect("generic");
        assert_eq!(a, b);
        let Some(RefTensor::F32 { data, .. }) = tensor(&format!(
            "golden/clip_vit_b32/chelsea.{backend}/pixel_values"
        )) else {
            panic!("reference")
        };
        let out = a
            .tensor("pixel_values")
            .expect("tensor")
            .as_f32()
            .expect("f32");
        assert_eq!(compare_f32(&data, out), None);

        let llava = LlavaOnevisionImageProcessor::from_pretrained(config_dir(
            "llava_onevision_qwen2_0.5b_ov",
        ))
        .expect("llava")
        .with_numerics(numerics);
        let out = llava
            .preprocess(
                std::slice::from_ref(&image),
                &LlavaOnevisionKwargs::default(),
            )
            .expect("llava");
        let Some(RefTensor::F32 { data, .. }) = tensor(&format!(
            "golden/llava_onevision_qwen2_0.5b_ov/chelsea.{backend}/pixel_values"
        )) else {
            panic!("reference")
        };
        let got = out
            .tensor("pixel_values")
            .expect("tensor")
            .as_f32()
            .expect("f32");
        assert_eq!(compare_f32(&data, got), None, "llava {backend}");
    }
    let siglip = SiglipImageProcessor::default();
    assert_eq!(
        siglip.kwargs().expect("kwargs").size,
        Some(SizeDict::height_width(224, 224))
    );
}

/// A call's model kwargs override the instance's: a single pinpoint forces one 384x384 grid.
#[test]
fn model_kwargs_override_per_call() {
    let llava = LlavaOnevisionImageProcessor::default();
    let image = Image::from_hwc(vec![90; 300 * 451 * 3], 300, 451, 3);
    let overrides = LlavaOnevisionKwargs {
        image_grid_pinpoints: Some(vec![[384, 384]]),
        ..Default::default()
    };
    let out = llava
        .preprocess(std::slice::from_ref(&image), &overrides)
        .expect("override");
    assert_eq!(
        out.tensor("pixel_values").expect("t").shape,
        [1, 2, 3, 384, 384]
    );
    let out = llava
        .preprocess(&[image], &LlavaOnevisionKwargs::default())
        .expect("default");
    assert_eq!(
        out.tensor("pixel_values").expect("t").shape,
        [1, 3, 3, 384, 384]
    );
}

/// The generated docs list every kwarg with its default.
#[test]
fn generated_docs_list_every_kwarg_with_its_default() {
    let clip = doc_rows(ClipImageProcessor::KWARGS_DOC);
    let llava = doc_rows(LlavaOnevisionImageProcessor::KWARGS_DOC);
    for doc in twinproc::kwargs::STANDARD_KWARGS {
        assert!(
            clip.iter().any(|(k, _)| k == doc.name),
            "CLIP docs miss {}",
            doc.name
        );
        assert!(
            llava.iter().any(|(k, _)| k == doc.name),
            "LLaVA docs miss {}",
            doc.name
        );
    }
    let default = |rows: &[(String, String)], key: &str| {
        rows.iter()
            .find(|(k, _)| k == key)
            .map(|(_, d)| d.clone())
            .unwrap_or_default()
    };
    assert_eq!(default(&clip, "size"), "{shortest_edge: 224}");
    assert_eq!(default(&clip, "crop_size"), "{height: 224, width: 224}");
    assert_eq!(default(&clip, "resample"), "Bicubic");
    assert_eq!(default(&clip, "image_mean"), "OPENAI_CLIP_MEAN");
    assert_eq!(default(&clip, "default_to_square"), "false");
    assert_eq!(
        default(&clip, "rescale_factor"),
        format!("{:?}", 1.0 / 255.0)
    );
    assert_eq!(default(&clip, "do_pad"), "None");
    assert_eq!(default(&llava, "size"), "{height: 384, width: 384}");
    assert_eq!(default(&llava, "do_pad"), "true");
    for model in <LlavaOnevisionKwargs as twinproc::ModelKwargs>::MODEL_KWARGS {
        assert_eq!(default(&llava, model.name), "default_pinpoints()");
        assert!(!model.meaning.is_empty());
    }
    assert_eq!(
        LlavaOnevisionImageProcessor::kwarg_docs().len(),
        twinproc::kwargs::STANDARD_KWARGS.len() + 1
    );
}

/// The host-built plans of a call, run by any backend, give the call's own outputs.
#[test]
fn plans_run_anywhere_give_the_same_outputs() {
    use twinproc::backend::{Backend, KernelHostBackend};
    let processor = AutoImageProcessor::from_pretrained(config_dir("clip_vit_b32")).expect("clip");
    let images = [
        Image::open(image_path("syn_la.png")).expect("open"),
        Image::open(image_path("chelsea.png")).expect("open"),
    ];
    let (pixels, plans) = processor
        .plans(&images, &ImagesKwargs::default())
        .expect("plans");
    let outputs = KernelHostBackend::CROPPED
        .execute(&pixels, &plans)
        .expect("kernels");
    let direct = processor
        .preprocess(&images, &ImagesKwargs::default())
        .and_then(|b| b.to_host())
        .expect("preprocess");
    let stacked = twinproc::Tensor::stack("pixel_values", &outputs).expect("stack");
    assert_eq!(Some(&stacked), direct.tensor("pixel_values"));
    let llava = AutoImageProcessor::from_pretrained(config_dir("llava_onevision_qwen2_0.5b_ov"))
        .expect("llava");
    assert!(matches!(
        llava.plans(&images, &ImagesKwargs::default()),
        Err(Error::Unsupported(_))
    ));
}

/// Without rescale and normalize (uint8 outputs) the kernels' code gives the CPU twin's bytes.
#[test]
fn uint8_outputs_through_the_kernels() {
    use twinproc::backend::{Backend, CpuBackend, KernelHostBackend};
    let processor = AutoImageProcessor::from_pretrained(config_dir("clip_vit_b32")).expect("clip");
    let overrides = ImagesKwargs {
        do_rescale: Some(false),
        do_normalize: Some(false),
        ..Default::default()
    };
    let images = [
        Image::open(image_path("horse.png")).expect("open"),
        Image::open(image_path("camera.png")).expect("open"),
    ];
    let (pixels, plans) = processor.plans(&images, &overrides).expect("plans");
    let kernels = KernelHostBackend::CROPPED
        .execute(&pixels, &plans)
        .expect("kernels");
    assert!(matches!(kernels[0].data, twinproc::TensorData::U8(_)));
    assert_eq!(
        kernels,
        CpuBackend::new().execute(&pixels, &plans).expect("cpu")
    );
}

/// A model whose output is its model kwarg, to see which value a call gets.
#[image_processor(kwargs = DownstreamKwargs, preprocess = echo_repeat, repeat = 3)]
pub struct EchoImageProcessor;

fn echo_repeat(
    _: &dyn twinproc::extend::Backend,
    call: &twinproc::extend::Call,
    _: twinproc::extend::Batch<'_>,
) -> twinproc::Result<twinproc::BatchFeature> {
    let repeat = call
        .model::<DownstreamKwargs>()?
        .repeat
        .map_or(-1, i64::from);
    let tensor = twinproc::Tensor {
        shape: vec![1],
        data: twinproc::TensorData::I64(vec![repeat]),
    };
    let mut batch = twinproc::BatchFeature::default();
    batch
        .data
        .insert("repeat".into(), twinproc::Feature::Tensor(tensor));
    Ok(batch)
}

fn repeat_of(batch: twinproc::Result<twinproc::BatchFeature>) -> twinproc::TensorData {
    batch
        .expect("preprocess")
        .tensor("repeat")
        .expect("repeat")
        .data
        .clone()
}

/// A call's model kwargs: its overrides over the configuration over the class defaults, typed all
/// the way (the twin, and a processor loaded by `AutoImageProcessor`).
#[test]
fn model_kwargs_reach_the_preprocess_function_typed() {
    use twinproc::TensorData::I64;
    let images = [Image::from_hwc(vec![0; 12], 2, 2, 3)];
    let unset = DownstreamKwargs::default();
    let five = DownstreamKwargs {
        repeat: Some(5),
        ..Default::default()
    };
    let seven = DownstreamKwargs {
        repeat: Some(7),
        ..Default::default()
    };
    let default = EchoImageProcessor::new(unset.clone()).expect("new");
    assert_eq!(repeat_of(default.preprocess(&images, &unset)), I64(vec![3]));
    assert_eq!(repeat_of(default.preprocess(&images, &seven)), I64(vec![7]));
    let configured = EchoImageProcessor::new(five.clone()).expect("new");
    assert_eq!(
        repeat_of(configured.preprocess(&images, &unset)),
        I64(vec![5])
    );
    assert_eq!(
        repeat_of(configured.preprocess(&images, &seven)),
        I64(vec![7])
    );

    let dir = std::env::temp_dir().join(format!("twinproc-twins-echo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let config = dir.join("preprocessor_config.json");
    std::fs::write(
        &config,
        r#"{"image_processor_type": "EchoImageProcessor", "repeat": 5}"#,
    )
    .expect("write");
    let auto = AutoImageProcessor::from_pretrained(&dir).expect("auto");
    let flat = twinproc::extend::Batch::Flat(&images);
    let stack = twinproc::Stacking::Stack;
    let kwargs = ImagesKwargs::default();
    assert_eq!(repeat_of(auto.preprocess(&images, &kwargs)), I64(vec![5]));
    let run = auto.run_with_model_kwargs(auto.backend(), flat, &seven, stack);
    assert_eq!(repeat_of(run), I64(vec![7]));
    // Another model's kwargs type is refused, not misread.
    let other = LlavaOnevisionKwargs::default();
    let err = auto.run_with_model_kwargs(auto.backend(), flat, &other, stack);
    assert!(matches!(err, Err(Error::Unsupported(_))), "{err:?}");

    // A model kwarg of the wrong type is an error when the configuration is read, in both forms.
    std::fs::write(
        &config,
        r#"{"image_processor_type": "EchoImageProcessor", "repeat": "five"}"#,
    )
    .expect("write");
    let err = AutoImageProcessor::from_pretrained(&dir).unwrap_err();
    assert!(
        matches!(&err, Error::InvalidConfig { key, .. } if key == "repeat"),
        "{err}"
    );
    let err = EchoImageProcessor::from_pretrained(&dir).unwrap_err();
    assert!(
        matches!(&err, Error::InvalidConfig { key, .. } if key == "repeat"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// Kwargs whose default is an expression the macro cannot compare at compile time.
#[images_kwargs]
pub struct NamesKwargs {
    /// Names.
    pub names: Option<Vec<String>>,
}

#[image_processor(gpu_twin = SameNamesImageProcessorCuda, kwargs = NamesKwargs, names = vec![String::from("a")])]
pub struct SameNamesImageProcessor;

#[image_processor(cpu_twin = SameNamesImageProcessor, kwargs = NamesKwargs, names = ["a".to_owned()].to_vec())]
pub struct SameNamesImageProcessorCuda;

#[image_processor(gpu_twin = OtherNamesImageProcessorCuda, kwargs = NamesKwargs, names = vec![String::from("a")])]
pub struct OtherNamesImageProcessor;

#[image_processor(cpu_twin = OtherNamesImageProcessor, kwargs = NamesKwargs, names = vec![String::from("b")])]
pub struct OtherNamesImageProcessorCuda;

/// Separately declared twins whose model kwarg defaults are expressions: written differently but
/// equal in value, they are the same; different in value, making either twin is an error naming
/// the kwarg (before the GPU twin looks for a device).
#[test]
fn separate_twins_compare_model_defaults_by_value() {
    let kwargs = NamesKwargs::default();
    let same = SameNamesImageProcessor::new(kwargs.clone()).expect("equal values");
    assert_eq!(
        same.kwargs().expect("kwargs").names,
        Some(vec!["a".to_owned()])
    );
    let cuda = SameNamesImageProcessorCuda::new(kwargs.clone()).unwrap_err();
    assert!(matches!(cuda, Error::BackendUnavailable(_)), "{cuda}");
    for err in [
        OtherNamesImageProcessor::new(kwargs.clone()).unwrap_err(),
        OtherNamesImageProcessorCuda::new(kwargs.clone()).unwrap_err(),
    ] {
        let Error::InvalidArgument(message) = &err else {
            panic!("{err:?}")
        };
        assert!(message.contains("model kwarg `names`"), "{message}");
        assert!(
            message.contains(r#"["a"]"#) && message.contains(r#"["b"]"#),
            "{message}"
        );
    }
}
