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

/// Queues a kernel that keeps `stream` busy for `ms` milliseconds: what is queued after it waits.
fn hold(stream: &std::sync::Arc<cudarc::driver::CudaStream>, ms: u64) {
    use cudarc::driver::{LaunchConfig, PushKernelArg};
    const SPIN: &str = r#"
extern "C" __global__ void spin(unsigned long long ns) {
    unsigned long long start, now;
    asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(start));
    do {
        asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(now));
    } while (now - start < ns);
}
"#;
    let ptx = cudarc::nvrtc::compile_ptx(SPIN).expect("NVRTC compiles the spin kernel");
    let module = stream.context().load_module(ptx).expect("load");
    let spin = module.load_function("spin").expect("spin");
    let ns = ms * 1_000_000;
    let mut launch = stream.launch_builder(&spin);
    launch.arg(&ns);
    // SAFETY: one thread reads its one argument.
    unsafe { launch.launch(LaunchConfig::for_num_elems(1)) }.expect("launch");
}

/// While the GPU is held busy (a kernel spinning on the compute stream), calls from host, pinned
/// and device memory are queued from several threads, each pinned and device image set dropped
/// right after its call is queued, and a 48-image batch of the largest reference image goes up
/// through the staging ring many times over: every output equals the CPU twin's.
#[test]
#[ignore = "needs an NVIDIA GPU"]
fn calls_queued_from_threads_while_the_gpu_is_busy() {
    let cuda = CudaBackend::new().expect("a CUDA device");
    let (pixels, plans) = clip_plans();
    let cpu = CpuBackend::new();
    let expected = cpu.execute(&pixels, &plans).expect("cpu");
    let largest = (0..pixels.len())
        .max_by_key(|&i| pixels[i].data.len())
        .expect("images");
    let (big_pixels, big_plans) = (
        vec![pixels[largest].clone(); 48],
        vec![plans[largest].clone(); 48],
    );
    let big_expected = cpu.execute(&big_pixels, &big_plans).expect("cpu");
    let first = cuda
        .execute_on_device(&pixels[..1], &plans[..1])
        .expect("a call");
    hold(first.stream(), 300);
    let queued: Vec<(String, twinproc::backend::cuda::DeviceOutputs)> = std::thread::scope(|s| {
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let (cuda, pixels, plans) = (&cuda, &pixels, &plans);
                let (big_pixels, big_plans) = (&big_pixels, &big_plans);
                s.spawn(move || {
                    let mut queued = Vec::new();
                    for k in 0..3 {
                        let host = cuda.execute_on_device(pixels, plans).expect("host");
                        queued.push((format!("thread {t} call {k} host"), host));
                        let pinned = cuda.pin(pixels).expect("pin");
                        let out = cuda.execute_pinned(&pinned, plans).expect("pinned");
                        drop(pinned);
                        queued.push((format!("thread {t} call {k} pinned"), out));
                        let resident = cuda.upload(pixels).expect("upload");
                        let out = cuda.execute_resident(&resident, plans).expect("resident");
                        drop(resident);
                        queued.push((format!("thread {t} call {k} device"), out));
                    }
                    if t == 0 {
                        let big = cuda.execute_on_device(big_pixels, big_plans).expect("big");
                        queued.push(("the 48-image batch".into(), big));
                    }
                    queued
                })
            })
            .collect();
        threads
            .into_iter()
            .flat_map(|t| t.join().expect("thread"))
            .collect()
    });
    assert_eq!(first.to_host().expect("to host"), expected[..1]);
    for (what, outputs) in &queued {
        let want = if what.starts_with("the 48") {
            &big_expected
        } else {
            &expected
        };
        assert_eq!(&outputs.to_host().expect("to host"), want, "{what}");
    }
    eprintln!(
        "{} calls queued behind a busy GPU: all equal the CPU twin",
        queued.len()
    );
}

/// A reader on another binding's stream, recorded with `record_use`, keeps the outputs' memory
/// alive after the tensor drops: the stream is held busy, its copy out of the tensor queued behind
/// the hold, the tensor dropped, and more calls made (whose buffers would reuse freed memory);
/// the copy still reads the CPU twin's outputs.
#[test]
#[ignore = "needs an NVIDIA GPU"]
fn a_recorded_use_outlives_the_tensor() {
    use cudarc::driver::sys;
    use twinproc::models::clip::{ClipImageProcessor, ClipImageProcessorCuda};
    let images: Vec<Image> = reference_images()
        .into_iter()
        .map(|(_, image)| image)
        .take(8)
        .collect();
    let gpu = ClipImageProcessorCuda::new(ImagesKwargs::default()).expect("a CUDA device");
    let cpu = ClipImageProcessor::new(ImagesKwargs::default()).expect("cpu");
    let expected = cpu.preprocess(&images, &Default::default()).expect("cpu");
    let expected = expected.to_host().expect("host");
    let expected = expected.data["pixel_values"]
        .clone()
        .into_tensors()
        .expect("tensors");
    let out = gpu.preprocess(&images, &Default::default()).expect("gpu");
    let pixels = out
        .device_tensor("pixel_values")
        .expect("on the device")
        .clone();
    pixels.synchronize().expect("written");
    let reader = pixels.stream().context().new_stream().expect("a stream");
    let mut copy = reader.alloc_zeros::<f32>(pixels.len()).expect("alloc");
    hold(&reader, 300);
    {
        use cudarc::driver::DevicePtrMut;
        let (dst, _record) = copy.device_ptr_mut(&reader);
        // SAFETY: both ranges hold `len` floats; the copy is ordered on `reader`.
        unsafe {
            sys::cuMemcpyDtoDAsync_v2(
                dst,
                pixels.device_ptr(),
                pixels.len() * 4,
                reader.cu_stream(),
            )
        }
        .result()
        .expect("queue the copy");
    }
    // SAFETY: `reader` is a live stream of the device's primary context.
    unsafe { pixels.record_use(reader.cu_stream() as u64) }.expect("record");
    drop(pixels);
    drop(out);
    for _ in 0..4 {
        let more = gpu.preprocess(&images, &Default::default()).expect("gpu");
        more.synchronize().expect("done");
    }
    let copied = reader.clone_dtoh(&copy).expect("download");
    let want: Vec<f32> = expected
        .iter()
        .flat_map(|t| t.as_f32().expect("f32").to_vec())
        .collect();
    assert!(copied == want, "the copy read freed memory");
}

/// A libnvrtc found without its libnvrtc-builtins (CI copies the library alone into a folder) is
/// NVRTC unavailable, said in one line with the compiler's reason, not a compile failure later.
#[test]
#[ignore = "needs a folder holding libnvrtc alone on LD_LIBRARY_PATH (.ci/run makes one)"]
fn nvrtc_without_its_builtins_is_unavailable() {
    for result in [
        twinproc::backend::cuda::compile_kernels("compute_90").map(|_| ()),
        twinproc::backend::cuda::compile_kernels_cubin("sm_90").map(|_| ()),
    ] {
        match result {
            Err(twinproc::Error::BackendUnavailable(reason)) => {
                assert!(reason.contains("libnvrtc-builtins"), "{reason}");
                assert!(!reason.contains('\n'), "{reason}");
            }
            other => panic!("expected BackendUnavailable, got {other:?}"),
        }
    }
}

/// Images that do not match their plans are an error before anything is queued (no copy left
/// reading memory that is then freed), and the calls after it are right.
#[test]
#[ignore = "needs an NVIDIA GPU"]
fn mismatched_images_fail_before_queuing_and_leave_the_device_right() {
    let cuda = CudaBackend::new().expect("a CUDA device");
    let (pixels, plans) = clip_plans();
    let expected = CpuBackend::new().execute(&pixels, &plans).expect("cpu");
    let shifted: Vec<ImagePlan> = plans
        .iter()
        .cycle()
        .skip(1)
        .take(plans.len())
        .cloned()
        .collect();
    let pinned = cuda.pin(&pixels).expect("pin");
    assert!(cuda.execute_pinned(&pinned, &shifted).is_err());
    drop(pinned);
    let resident = cuda.upload(&pixels[..1]).expect("upload");
    assert!(cuda.execute_resident(&resident, &plans).is_err());
    assert!(cuda.execute_on_device(&pixels[1..], &plans).is_err());
    let outputs = cuda
        .execute_on_device(&pixels, &plans)
        .expect("a right call");
    assert_eq!(outputs.to_host().expect("to host"), expected);
}
