//! On an NVIDIA GPU: the CUDA twin gives the same bits as the CPU twin (itself bit-identical to
//! transformers, `golden.rs`) for every reference image, configuration and numerics mode, image by
//! image and as one mixed-size batch. Run by `scripts/gpu-check.sh`.

use twinproc::backend::{Backend, CpuBackend, CudaBackend};
use twinproc::extend::Batch;
use twinproc::numeric::Pixels;
use twinproc::plan::ImagePlan;
use twinproc::{AutoImageProcessor, BatchFeature, Image, ImagesKwargs, Numerics, Stacking};
use twinproc_golden_tests::{config_dir, decoded_rgb, fixtures, image_path};

const CONFIGS: [&str; 5] = [
    "clip_vit_b32",
    "clip_legacy_int_size",
    "clip_nocrop_bilinear",
    "siglip_so400m_384",
    "llava_onevision_qwen2_0.5b_ov",
];

fn reference_images() -> Vec<(String, Image)> {
    let manifest: serde_json::Value = serde_json::from_slice(
        &std::fs::read(fixtures().join("images/MANIFEST.json")).expect("manifest"),
    )
    .expect("json");
    manifest
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|entry| entry["file"].as_str())
        .map(|name| {
            let image = match decoded_rgb(name) {
                Some((h, w, rgb)) => Image::from_hwc(rgb, h, w, 3),
                None => Image::open(image_path(name)).expect("open"),
            };
            (name.to_owned(), image)
        })
        .collect()
}

fn run(backend: &dyn Backend, config: &str, numerics: Numerics, images: &[Image]) -> BatchFeature {
    let processor = AutoImageProcessor::from_pretrained(config_dir(config))
        .expect("config")
        .with_numerics(numerics);
    processor
        .run(
            backend,
            Batch::Flat(images),
            &ImagesKwargs::default(),
            Stacking::List,
        )
        .expect("preprocess")
}

/// Same keys, shapes and element bytes.
fn same_bits(a: &BatchFeature, b: &BatchFeature) -> bool {
    // The CUDA twin leaves its outputs on the device: compare their copies.
    let tensors = |f: &twinproc::Feature| f.clone().into_tensors().expect("to host");
    a.data.len() == b.data.len()
        && a.data.iter().zip(&b.data).all(|((ka, fa), (kb, fb))| {
            let (ta, tb) = (tensors(fa), tensors(fb));
            ka == kb
                && ta.len() == tb.len()
                && ta.iter().zip(&tb).all(|(x, y)| {
                    x.shape == y.shape && x.data.to_le_bytes() == y.data.to_le_bytes()
                })
        })
}

#[test]
#[ignore = "needs an NVIDIA GPU"]
fn cuda_twin_equals_cpu_twin_on_every_reference_case() {
    let cuda = CudaBackend::new().expect("a CUDA device");
    let cpu = CpuBackend::new();
    let images = reference_images();
    let mut failures = Vec::new();
    let mut checked = 0;
    for config in CONFIGS {
        for numerics in [Numerics::Pil, Numerics::Torchvision] {
            for (name, image) in &images {
                checked += 1;
                let one = std::slice::from_ref(image);
                if !same_bits(
                    &run(&cuda, config, numerics, one),
                    &run(&cpu, config, numerics, one),
                ) {
                    failures.push(format!("{config} {} {name}", numerics.name()));
                }
            }
            let all: Vec<Image> = images.iter().map(|(_, i)| i.clone()).collect();
            checked += 1;
            if !same_bits(
                &run(&cuda, config, numerics, &all),
                &run(&cpu, config, numerics, &all),
            ) {
                failures.push(format!("{config} {} whole batch", numerics.name()));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
    eprintln!(
        "{checked} cases: CUDA twin bit-identical to the CPU twin ({})",
        cuda.name()
    );
}

/// The kernels' source compiles with NVRTC (needs only `libnvrtc`, no GPU).
#[test]
#[ignore = "needs libnvrtc (the CUDA toolkit, or the nvidia-cuda-nvrtc wheel) on LD_LIBRARY_PATH"]
fn kernels_compile_with_nvrtc() {
    for arch in ["compute_80", "compute_90"] {
        let ptx =
            twinproc::backend::cuda::compile_kernels(arch).expect("NVRTC compiles the kernels");
        for kernel in ["tp_stage", "tp_output_f32", "tp_output_u8"] {
            assert!(
                ptx.contains(&format!(".entry {kernel}")),
                "{arch}: no {kernel} in the PTX"
            );
        }
    }
    // What the backend loads first: a CUBIN (an ELF image) for the device's own architecture.
    for arch in ["sm_80", "sm_90"] {
        let cubin = twinproc::backend::cuda::compile_kernels_cubin(arch)
            .expect("NVRTC compiles the kernels to a CUBIN");
        assert!(cubin.starts_with(b"\x7fELF"), "{arch}: not an ELF image");
    }
}

/// The GPU twin's outputs stay on the device (one stacked tensor, padded and grouped there for
/// LLaVA-OneVision), and their copies equal the CPU twin's.
#[test]
#[ignore = "needs an NVIDIA GPU"]
fn gpu_twin_outputs_stay_on_the_device() {
    use twinproc::Feature;
    use twinproc::models::clip::{ClipImageProcessor, ClipImageProcessorCuda};
    use twinproc::models::llava_onevision::{
        LlavaOnevisionImageProcessor, LlavaOnevisionImageProcessorCuda,
    };
    let images: Vec<Image> = reference_images()
        .into_iter()
        .map(|(_, image)| image)
        .take(5)
        .collect();
    let none = ImagesKwargs::default();
    let gpu = ClipImageProcessorCuda::new(none.clone()).expect("a CUDA device");
    let out = gpu.preprocess(&images, &Default::default()).expect("gpu");
    let pixels = out.device_tensor("pixel_values").expect("on the device");
    assert_eq!(pixels.shape(), [images.len(), 3, 224, 224]);
    assert_ne!(pixels.device_ptr(), 0);
    let cpu = ClipImageProcessor::new(none.clone()).expect("cpu");
    let expected = cpu.preprocess(&images, &Default::default()).expect("cpu");
    assert_eq!(out.to_host().expect("to host"), expected);
    // LLaVA-OneVision: patches grouped per image and the patch axis padded, on the device.
    let gpu = LlavaOnevisionImageProcessorCuda::new(Default::default()).expect("a CUDA device");
    let cpu = LlavaOnevisionImageProcessor::new(Default::default()).expect("cpu");
    let out = gpu.preprocess(&images, &Default::default()).expect("gpu");
    assert!(matches!(
        out.data.get("pixel_values"),
        Some(Feature::Device(_))
    ));
    let expected = cpu.preprocess(&images, &Default::default()).expect("cpu");
    assert_eq!(out.to_host().expect("to host"), expected);
}

/// The reference images' pixels and CLIP plans (every mode of the set, mixed sizes).
fn clip_plans() -> (Vec<Pixels<'static>>, Vec<ImagePlan>) {
    let images: Vec<Image> = reference_images()
        .into_iter()
        .map(|(_, image)| image)
        .collect();
    let processor = AutoImageProcessor::from_pretrained(config_dir("clip_vit_b32")).expect("clip");
    let (pixels, plans) = processor
        .plans(&images, &ImagesKwargs::default())
        .expect("plans");
    (pixels.into_iter().map(Pixels::into_owned).collect(), plans)
}

/// Images from host memory, from page-locked memory and kept on the device give the CPU twin's
/// outputs.
#[test]
#[ignore = "needs an NVIDIA GPU"]
fn every_input_memory_gives_the_same_outputs() {
    let cuda = CudaBackend::new().expect("a CUDA device");
    let (pixels, plans) = clip_plans();
    let expected = CpuBackend::new().execute(&pixels, &plans).expect("cpu");
    let host = cuda.execute_on_device(&pixels, &plans).expect("host");
    let pinned = cuda.pin(&pixels).expect("pin");
    let pinned = cuda.execute_pinned(&pinned, &plans).expect("pinned");
    let on_device = cuda.upload(&pixels).expect("upload");
    let resident = cuda.execute_resident(&on_device, &plans).expect("resident");
    for (what, outputs) in [("host", host), ("pinned", pinned), ("resident", resident)] {
        assert_eq!(outputs.to_host().expect("to host"), expected, "{what}");
    }
}

/// Calls queued back to back without waiting (each call's upload overlapping the kernels of the
/// one before, the upload buffers reused in turn) give the same outputs as calls one at a time.
#[test]
#[ignore = "needs an NVIDIA GPU"]
fn queued_calls_do_not_overwrite_each_other() {
    let cuda = CudaBackend::new().expect("a CUDA device");
    let (pixels, plans) = clip_plans();
    let cpu = CpuBackend::new();
    // Batches of different sizes, so the upload buffers also grow while calls are in flight.
    let batches: Vec<std::ops::Range<usize>> = (0..12)
        .map(|i| (i % pixels.len())..pixels.len().min(i % pixels.len() + 1 + 3 * i))
        .collect();
    let queued: Vec<_> = batches
        .iter()
        .map(|r| {
            cuda.execute_on_device(&pixels[r.clone()], &plans[r.clone()])
                .expect("queued")
        })
        .collect();
    for (range, outputs) in batches.iter().zip(queued) {
        let expected = cpu
            .execute(&pixels[range.clone()], &plans[range.clone()])
            .expect("cpu");
        assert_eq!(outputs.to_host().expect("to host"), expected, "{range:?}");
    }
}
