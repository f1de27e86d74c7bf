//! Backend selection without a GPU: typed errors, a logged fallback, never a panic.

use twinproc::backend::{BackendChoice, CudaBackend, cuda, select};
use twinproc::models::clip::ClipImageProcessorCuda;
use twinproc::{AutoImageProcessor, Error, ImagesKwargs};
use twinproc_golden_tests::config_dir;

#[test]
fn cuda_absence_is_an_error_not_a_panic() {
    match cuda::unavailable_reason() {
        Some(reason) => {
            assert!(reason.contains("CUDA is not available"), "{reason}");
            let err = CudaBackend::new().unwrap_err();
            assert!(matches!(err, Error::BackendUnavailable(_)), "{err}");
            let err = select(BackendChoice::Cuda).unwrap_err();
            assert!(matches!(err, Error::BackendUnavailable(_)), "{err}");
            let err = ClipImageProcessorCuda::new(ImagesKwargs::default()).unwrap_err();
            assert!(matches!(err, Error::BackendUnavailable(_)), "{err}");
        }
        None => {
            // A machine with CUDA libraries: opening may still fail (no device), but with an error.
            if let Err(err) = CudaBackend::new() {
                assert!(
                    matches!(err, Error::BackendUnavailable(_) | Error::Cuda { .. }),
                    "{err}"
                );
            }
        }
    }
}

#[test]
fn auto_falls_back_to_the_cpu() {
    let backend = select(BackendChoice::Auto).expect("auto always has a backend");
    if cuda::unavailable_reason().is_some() {
        assert_eq!(backend.name(), "cpu");
        let processor =
            AutoImageProcessor::from_pretrained(config_dir("clip_vit_b32")).expect("auto");
        assert_eq!(processor.backend().name(), "cpu");
    }
    assert_eq!(select(BackendChoice::Cpu).expect("cpu").name(), "cpu");
}

/// The twins' parity beyond the reference set (which has only bicubic and bilinear): for every
/// filter either numerics mode supports, one-axis and two-axis resizes (either pass order),
/// upscales, copies (no resize) and crops larger than the image, channels first and last, gray and RGBA
/// inputs, the kernels' code (over cropped and over whole images) gives the CPU twin's bytes.
#[test]
fn kernels_equal_the_cpu_twin_for_every_filter_and_shape() {
    use twinproc::backend::{Backend, CpuBackend, KernelHostBackend};
    use twinproc::{ChannelDimension, Image, Numerics, Resample, SizeDict};
    use twinproc_golden_tests::image_path;
    let images: Vec<Image> = [
        "chelsea.png",
        "camera.png",
        "syn_la.png",
        "syn_rgba_transparent.png",
        "syn_thin_w3_h1000.png",
        "syn_wide_w1000_h3.png",
        "syn_odd_w17_h13.png",
    ]
    .iter()
    .map(|name| Image::open(image_path(name)).expect("open"))
    .collect();
    let processor = AutoImageProcessor::from_pretrained(config_dir("clip_vit_b32")).expect("clip");
    let shapes = [
        // (size, crop): shortest edge; fixed sizes changing one axis or both; a crop larger
        // than the resized image (zero windows around it); no crop; no resize (copies).
        (
            Some(SizeDict::shortest_edge(64)),
            Some(SizeDict::height_width(48, 80)),
        ),
        (Some(SizeDict::height_width(13, 40)), None),
        (
            Some(SizeDict::height_width(90, 17)),
            Some(SizeDict::height_width(30, 30)),
        ),
        (
            Some(SizeDict::height_width(300, 7)),
            Some(SizeDict::height_width(320, 9)),
        ),
        (None, Some(SizeDict::height_width(30, 30))),
    ];
    let (mut checked, mut failures) = (0, Vec::new());
    for numerics in [Numerics::Pil, Numerics::Torchvision] {
        let processor = processor.clone().with_numerics(numerics);
        for resample in Resample::ALL {
            for (size, crop) in shapes {
                for layout in [ChannelDimension::First, ChannelDimension::Last] {
                    let overrides = ImagesKwargs {
                        resample: Some(resample),
                        do_resize: Some(size.is_some()),
                        size,
                        do_center_crop: Some(crop.is_some()),
                        crop_size: crop,
                        data_format: Some(layout),
                        ..Default::default()
                    };
                    let (pixels, plans) = match processor.plans(&images, &overrides) {
                        Ok(planned) => planned,
                        // transformers' torchvision backend has no BOX or HAMMING either.
                        Err(Error::Unsupported(_)) if numerics == Numerics::Torchvision => continue,
                        Err(e) => panic!("{numerics:?} {resample:?} {size:?}: {e}"),
                    };
                    let cpu = CpuBackend::new().execute(&pixels, &plans).expect("cpu");
                    for kernels in [KernelHostBackend::CROPPED, KernelHostBackend::WHOLE] {
                        checked += 1;
                        if kernels.execute(&pixels, &plans).expect("kernels") != cpu {
                            failures.push(format!(
                                "{numerics:?} {resample:?} {size:?} {crop:?} {layout:?} ({})",
                                kernels.name()
                            ));
                        }
                    }
                }
            }
        }
    }
    assert!(checked > 0);
    assert!(
        failures.is_empty(),
        "{} of {checked} differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
    eprintln!("{checked} cases: the kernels' code equals the CPU twin");
}

/// A configuration's `device` decides where `AutoImageProcessor` runs, as in transformers: `cpu`
/// the CPU twin, `cuda` the GPU twin (without CUDA, a typed error rather than a silent CPU run),
/// anything else an invalid `device`.
#[test]
fn the_configurations_device_is_followed() {
    let dir = std::env::temp_dir().join(format!("twinproc-device-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let load = |device: &str| {
        let json =
            format!(r#"{{"image_processor_type": "CLIPImageProcessor", "device": "{device}"}}"#);
        std::fs::write(dir.join("preprocessor_config.json"), json).expect("write");
        AutoImageProcessor::from_pretrained(&dir)
    };
    assert_eq!(load("cpu").expect("cpu").backend().name(), "cpu");
    if twinproc::backend::cuda::unavailable_reason().is_some() {
        let err = load("cuda:0").unwrap_err();
        assert!(matches!(err, Error::BackendUnavailable(_)), "{err:?}");
    }
    let err = load("tpu").unwrap_err();
    assert!(
        matches!(&err, Error::InvalidConfig { key, .. } if key == "device"),
        "{err:?}"
    );
    std::fs::remove_dir_all(&dir).ok();
}
