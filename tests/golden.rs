//! Golden tests: twinproc's outputs against transformers 5.23.0's own, bit for bit (f32 bytes), for
//! every stored reference image, configuration and backend.

use serde_json::Value;
use twinproc::backend::{Backend, CpuBackend, KernelHostBackend, Kernels};
use twinproc::extend::Batch;
use twinproc::{
    AutoImageProcessor, BatchFeature, Feature, Image, ImagesKwargs, Numerics, Stacking,
};
use twinproc_golden_tests::{
    RefTensor, compare_f32, config_dir, cuda_twin, decoded_rgb, golden_files, image_path, tensor,
};

/// The configurations of the default pipeline (LLaVA-OneVision has its own model logic).
const CONFIGS: [&str; 4] = [
    "clip_vit_b32",
    "clip_legacy_int_size",
    "clip_nocrop_bilinear",
    "siglip_so400m_384",
];

fn numerics_of(backend: &str) -> Numerics {
    match backend {
        "pil" => Numerics::Pil,
        "torchvision" => Numerics::Torchvision,
        other => panic!("unknown backend {other}"),
    }
}

/// The CPU twin writing into memory given back from a previous call full of other values (NaN,
/// 0xa5): every value of an output must be written, or zeroed, by the call itself.
#[derive(Debug)]
struct Recycled(CpuBackend);

impl Backend for Recycled {
    fn name(&self) -> String {
        "cpu (recycled)".into()
    }

    fn execute(
        &self,
        inputs: &[twinproc::numeric::Pixels],
        plans: &[twinproc::plan::ImagePlan],
    ) -> twinproc::Result<Vec<twinproc::Tensor>> {
        self.0.execute(inputs, plans)
    }

    fn execute_placed(
        &self,
        inputs: &[twinproc::numeric::Pixels],
        plans: &[twinproc::plan::ImagePlan],
        placement: &twinproc::placement::Placement,
    ) -> twinproc::Result<Feature> {
        use twinproc::TensorData::{F32, U8};
        let len = placement.elements + 7;
        let garbage = match plans.first().is_none_or(|p| p.levels.table.is_some()) {
            true => F32(vec![f32::NAN; len]),
            false => U8(vec![0xa5; len]),
        };
        let address = |data: &twinproc::TensorData| match data {
            F32(v) => v.as_ptr() as usize,
            U8(v) => v.as_ptr() as usize,
            _ => 0,
        };
        let recycled = address(&garbage);
        self.0.recycle(Feature::Tensor(twinproc::Tensor {
            shape: vec![len],
            data: garbage,
        }));
        let feature = self.0.execute_placed(inputs, plans, placement)?;
        if let Feature::Tensor(t) = &feature {
            assert_eq!(
                address(&t.data),
                recycled,
                "the recycled buffer was not used"
            );
        }
        Ok(feature)
    }
}

/// Where the pipeline runs: the CPU twin with each set of inner loops this processor runs (scalar,
/// AVX2, AVX-512, NEON), and writing into recycled memory; the CUDA kernels' code built for the host, over images cropped to what the
/// outputs read (uploads) and over whole images (kept on the GPU); and on a machine with CUDA
/// (`scripts/gpu-check.sh`), the CUDA twin itself.
fn computes() -> Vec<(&'static str, Box<dyn Backend>)> {
    let mut computes: Vec<(&'static str, Box<dyn Backend>)> = Kernels::supported()
        .into_iter()
        .map(|kernels| {
            let cpu = CpuBackend::new().with_kernels(kernels).unwrap();
            (kernels.name(), Box::new(cpu) as Box<dyn Backend>)
        })
        .collect();
    computes.push(("recycled", Box::new(Recycled(CpuBackend::new()))));
    computes.push(("kernels", Box::new(KernelHostBackend::CROPPED)));
    computes.push((
        "kernels on whole images",
        Box::new(KernelHostBackend::WHOLE),
    ));
    if let Some(cuda) = cuda_twin() {
        computes.push(("cuda", Box::new(cuda)));
    }
    computes
}

fn run(
    config: &str,
    backend: &str,
    images: &[Image],
    stacking: Stacking,
    compute: &dyn Backend,
) -> twinproc::Result<BatchFeature> {
    let processor = AutoImageProcessor::from_pretrained(config_dir(config))?
        .with_numerics(numerics_of(backend));
    // The CUDA twin leaves its outputs on the GPU: compare their copies.
    processor
        .run(
            compute,
            Batch::Flat(images),
            &ImagesKwargs::default(),
            stacking,
        )?
        .to_host()
}

fn reference_f32(name: &str) -> (Vec<usize>, Vec<f32>) {
    match tensor(name) {
        Some(RefTensor::F32 { shape, data }) => (shape, data),
        other => panic!("{name}: expected a float32 reference, got {other:?}"),
    }
}

/// Compares one output tensor with the reference `key` of `file` (whole, or head and tail along the
/// axis the reference truncated). Returns the differences found.
fn compare_output(
    file: &str,
    key: &str,
    keys: &[String],
    shape: &[usize],
    data: &[f32],
) -> Vec<String> {
    let mut problems = Vec::new();
    if keys.iter().any(|k| k == key) {
        let (ref_shape, ref_data) = reference_f32(&format!("{file}/{key}"));
        if ref_shape != shape {
            problems.push(format!("{key}: shape {shape:?}, reference {ref_shape:?}"));
        } else if let Some(diff) = compare_f32(&ref_data, data) {
            problems.push(format!("{key}: {diff}"));
        }
        return problems;
    }
    // Truncated: `key.full_shape`, and `key.head` / `key.tail` along axis 2.
    let full_shape: Vec<usize> = match tensor(&format!("{file}/{key}.full_shape")) {
        Some(RefTensor::I64 { data, .. }) => data.iter().map(|&d| d as usize).collect(),
        other => panic!("{file}: no {key} and no {key}.full_shape: {other:?}"),
    };
    if full_shape != shape {
        return vec![format!("{key}: shape {shape:?}, reference {full_shape:?}")];
    }
    let (ref_head_shape, head) = reference_f32(&format!("{file}/{key}.head"));
    let (_, tail) = reference_f32(&format!("{file}/{key}.tail"));
    let rows = ref_head_shape[2];
    let (outer, len, inner) = (
        shape[..2].iter().product::<usize>(),
        shape[2],
        shape[3..].iter().product::<usize>(),
    );
    let slice = |from: usize| -> Vec<f32> {
        (0..outer)
            .flat_map(|o| {
                data[(o * len + from) * inner..(o * len + from + rows) * inner]
                    .iter()
                    .copied()
            })
            .collect()
    };
    if let Some(diff) = compare_f32(&head, &slice(0)) {
        problems.push(format!("{key}.head: {diff}"));
    }
    if let Some(diff) = compare_f32(&tail, &slice(len - rows)) {
        problems.push(format!("{key}.tail: {diff}"));
    }
    problems
}

fn compare_batch(file: &str, keys: &[String], batch: &BatchFeature) -> Vec<String> {
    let mut problems = Vec::new();
    match batch.data.get("pixel_values") {
        Some(Feature::Tensor(t)) => {
            let data = t.as_f32().expect("pixel_values is float32");
            problems.extend(compare_output(file, "pixel_values", keys, &t.shape, data));
        }
        Some(Feature::List(list)) => {
            for (i, t) in list.iter().enumerate() {
                let data = t.as_f32().expect("pixel_values is float32");
                problems.extend(compare_output(
                    file,
                    &format!("pixel_values.{i:03}"),
                    keys,
                    &t.shape,
                    data,
                ));
            }
        }
        Some(other) => problems.push(format!("pixel_values is not on the host: {other:?}")),
        None => problems.push("no pixel_values".into()),
    }
    problems
}

/// Single-image reference files of a configuration: `(file, image, backend, keys)`.
fn single_image_cases(config: &str) -> Vec<(String, String, String, Vec<String>)> {
    golden_files(config)
        .into_iter()
        .filter_map(|(stem, meta, keys)| {
            let image = meta.get("image")?.as_str()?.to_owned();
            let backend = meta["backend"].as_str()?.to_owned();
            Some((format!("golden/{config}/{stem}"), image, backend, keys))
        })
        .collect()
}

fn report(what: &str, checked: usize, failures: Vec<String>) {
    assert!(checked > 0, "{what}: no case was checked");
    assert!(
        failures.is_empty(),
        "{what}: {} of {checked} cases differ from transformers:\n{}",
        failures.len(),
        failures.join("\n")
    );
    eprintln!("{what}: {checked} cases bit-identical to transformers");
}

#[test]
fn single_images_from_decoded_arrays() {
    let (mut checked, mut failures) = (0, Vec::new());
    for config in CONFIGS {
        for (file, image, backend, keys) in single_image_cases(config) {
            let Some((h, w, rgb)) = decoded_rgb(&image) else {
                continue;
            };
            let input = Image::from_hwc(rgb, h, w, 3);
            for (name, compute) in computes() {
                checked += 1;
                match run(
                    config,
                    &backend,
                    std::slice::from_ref(&input),
                    Stacking::Stack,
                    &*compute,
                ) {
                    Ok(batch) => failures.extend(
                        compare_batch(&file, &keys, &batch)
                            .into_iter()
                            .map(|p| format!("{file} (array, {name}): {p}")),
                    ),
                    Err(e) => failures.push(format!("{file} (array, {name}): error {e}")),
                }
            }
        }
    }
    report("decoded arrays", checked, failures);
}

#[test]
fn single_images_from_png_and_gif_files() {
    let (mut checked, mut failures) = (0, Vec::new());
    for config in CONFIGS {
        for (file, image, backend, keys) in single_image_cases(config) {
            checked += 1;
            let result = Image::open(image_path(&image)).and_then(|input| {
                run(
                    config,
                    &backend,
                    &[input],
                    Stacking::Stack,
                    &CpuBackend::new(),
                )
            });
            match result {
                Ok(batch) => failures.extend(
                    compare_batch(&file, &keys, &batch)
                        .into_iter()
                        .map(|p| format!("{file} (file): {p}")),
                ),
                Err(e) => failures.push(format!("{file} (file): error {e}")),
            }
        }
    }
    report("PNG/GIF files", checked, failures);
}

/// Files decode to exactly the array transformers processed (PIL.Image.open + convert_to_rgb).
#[test]
fn png_and_gif_files_decode_to_the_reference_arrays() {
    let (mut checked, mut failures) = (0, Vec::new());
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(image_path("MANIFEST.json")).expect("manifest"))
            .expect("json");
    let names: Vec<String> = manifest
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|i| i["file"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    assert!(!names.is_empty(), "no images listed in MANIFEST.json");
    for name in &names {
        let Some((h, w, rgb)) = decoded_rgb(name) else {
            continue;
        };
        checked += 1;
        let processor =
            AutoImageProcessor::from_pretrained(config_dir("clip_vit_b32")).expect("config");
        let overrides = ImagesKwargs {
            do_resize: Some(false),
            do_center_crop: Some(false),
            do_rescale: Some(false),
            do_normalize: Some(false),
            data_format: Some(twinproc::ChannelDimension::Last),
            ..Default::default()
        };
        let preprocess = |img: Image| processor.preprocess(&[img], &overrides)?.to_host();
        match Image::open(image_path(name)).and_then(preprocess) {
            Ok(batch) => {
                let t = batch.tensor("pixel_values").expect("stacked");
                match &t.data {
                    twinproc::TensorData::U8(v) if t.shape == [1, h, w, 3] && *v == rgb => {}
                    twinproc::TensorData::U8(v) => {
                        let diff = v.iter().zip(&rgb).filter(|(a, b)| a != b).count();
                        failures.push(format!(
                            "{name}: shape {:?} vs [1, {h}, {w}, 3], {diff} samples differ",
                            t.shape
                        ));
                    }
                    other => failures.push(format!("{name}: not uint8: {other:?}")),
                }
            }
            Err(e) => failures.push(format!("{name}: error {e}")),
        }
    }
    report("decoded files", checked, failures);
}

#[test]
fn batched_calls() {
    let (mut checked, mut failures) = (0, Vec::new());
    for config in CONFIGS {
        for (stem, meta, keys) in golden_files(config) {
            if stem != format!("_batch.{}", meta["backend"].as_str().unwrap_or_default()) {
                continue;
            }
            let file = format!("golden/{config}/{stem}");
            let backend = meta["backend"].as_str().expect("backend");
            let names: Vec<String> =
                serde_json::from_str(meta["images"].as_str().expect("images")).expect("image list");
            let images: Vec<Image> = names
                .iter()
                .map(|n| Image::open(image_path(n)).expect("open"))
                .collect();
            let stacked = keys.iter().any(|k| k == "pixel_values");
            for (name, compute) in computes() {
                checked += 1;
                let compute = &*compute;
                let label = format!("{file} ({name})");
                let label_all =
                    |problems: Vec<String>| problems.into_iter().map(|p| format!("{label}: {p}"));
                if stacked {
                    match run(config, backend, &images, Stacking::Stack, compute) {
                        Ok(batch) => {
                            failures.extend(label_all(compare_batch(&file, &keys, &batch)))
                        }
                        Err(e) => failures.push(format!("{label}: error {e}")),
                    }
                    continue;
                }
                // transformers could not stack these outputs: twinproc must refuse too, and its list must match.
                match run(config, backend, &images, Stacking::Stack, compute) {
                    Err(twinproc::Error::Stack { .. }) => {}
                    other => failures.push(format!("{label}: stacking should fail, got {other:?}")),
                }
                match run(config, backend, &images, Stacking::List, compute) {
                    Ok(batch) => failures.extend(label_all(compare_batch(&file, &keys, &batch))),
                    Err(e) => failures.push(format!("{label}: error {e}")),
                }
            }
        }
    }
    report("batched calls", checked, failures);
}

fn compare_llava(file: &str, keys: &[String], batch: &BatchFeature) -> Vec<String> {
    let mut problems = compare_batch(file, keys, batch);
    for key in ["image_sizes", "batch_num_images"] {
        let expected = match tensor(&format!("{file}/{key}")) {
            Some(RefTensor::I64 { shape, data }) => (shape, data),
            other => panic!("{file}/{key}: {other:?}"),
        };
        match batch.tensor(key) {
            Some(twinproc::Tensor {
                shape,
                data: twinproc::TensorData::I64(data),
            }) => {
                if (shape, data) != (&expected.0, &expected.1) {
                    problems.push(format!("{key}: {shape:?} {data:?}, reference {expected:?}"));
                }
            }
            other => problems.push(format!("{key}: {other:?}")),
        }
    }
    problems
}

/// LLaVA-OneVision: anyres patches of single images, and a multi-image sample (nested list).
#[test]
fn llava_onevision() {
    let config = "llava_onevision_qwen2_0.5b_ov";
    let (mut checked, mut failures) = (0, Vec::new());
    for (stem, meta, keys) in golden_files(config) {
        let file = format!("golden/{config}/{stem}");
        let backend = meta["backend"].as_str().expect("backend");
        let processor = AutoImageProcessor::from_pretrained(config_dir(config))
            .expect("config")
            .with_numerics(numerics_of(backend));
        let images: Vec<Vec<Image>> = if let Some(image) = meta.get("image").and_then(Value::as_str)
        {
            vec![vec![Image::open(image_path(image)).expect("open")]]
        } else {
            let samples: Vec<Vec<String>> =
                serde_json::from_str(meta["images"].as_str().expect("images"))
                    .expect("nested list");
            samples
                .iter()
                .map(|s| {
                    s.iter()
                        .map(|n| Image::open(image_path(n)).expect("open"))
                        .collect()
                })
                .collect()
        };
        let nested = meta.get("image").is_none();
        for (name, compute) in computes() {
            checked += 1;
            let batch = if nested {
                Batch::Nested(&images)
            } else {
                Batch::Flat(&images[0])
            };
            let result = processor.run(&*compute, batch, &ImagesKwargs::default(), Stacking::Stack);
            match result.and_then(|b| b.to_host()) {
                Ok(batch) => failures.extend(
                    compare_llava(&file, &keys, &batch)
                        .into_iter()
                        .map(|p| format!("{file} ({name}): {p}")),
                ),
                Err(e) => failures.push(format!("{file} ({name}): error {e}")),
            }
        }
    }
    report("LLaVA-OneVision", checked, failures);
}

/// Every reference image (stored or not) in every configuration: the output shapes of both backends,
/// and how far the `pil` and `torchvision` outputs are apart (max abs difference, count over 1e-4),
/// equal transformers' own report.
#[test]
fn every_image_matches_transformers_shapes_and_backend_gap() {
    let reference: Value = serde_json::from_slice(
        &std::fs::read(twinproc_golden_tests::fixtures().join("report.json")).expect("report.json"),
    )
    .expect("json");
    let (mut checked, mut failures) = (0, Vec::new());
    for (config, images) in reference.as_object().expect("configs") {
        for (image, expected) in images.as_object().expect("images") {
            let input = match decoded_rgb(image) {
                Some((h, w, rgb)) => Image::from_hwc(rgb, h, w, 3),
                None => Image::open(image_path(image)).expect("open"),
            };
            checked += 1;
            let mut outputs = Vec::new();
            for backend in ["pil", "torchvision"] {
                let batch = match run(
                    config,
                    backend,
                    std::slice::from_ref(&input),
                    Stacking::Stack,
                    &CpuBackend::new(),
                ) {
                    Ok(batch) => batch,
                    Err(e) => {
                        failures.push(format!("{config}/{image}/{backend}: error {e}"));
                        continue;
                    }
                };
                for (key, shape) in expected["shapes"][backend].as_object().expect("shapes") {
                    let shape: Vec<usize> = serde_json::from_value(shape.clone()).expect("shape");
                    match batch.tensor(key) {
                        Some(t) if t.shape == shape => {}
                        other => failures.push(format!(
                            "{config}/{image}/{backend}: {key} shape {:?}, reference {shape:?}",
                            other.map(|t| t.shape.clone())
                        )),
                    }
                }
                outputs.push(batch.tensor("pixel_values").expect("pixel_values").clone());
            }
            let [pil, tv] = outputs.as_slice() else {
                continue;
            };
            let (a, b) = (pil.as_f32().expect("f32"), tv.as_f32().expect("f32"));
            let diffs = a.iter().zip(b).map(|(x, y)| (x - y).abs());
            let (max_abs, over) = diffs.fold((0.0f32, 0usize), |(m, n), d| {
                (m.max(d), n + usize::from(d > 1e-4))
            });
            let ref_max = expected["max_abs"].as_f64().expect("max_abs") as f32;
            let ref_over = expected["frac_diff_gt_1e-4"].as_f64().expect("frac") * a.len() as f64;
            if max_abs.to_bits() != ref_max.to_bits() || (over as f64 - ref_over).abs() > 0.5 {
                failures.push(format!(
                    "{config}/{image}: pil vs torchvision max abs {max_abs} ({over} over 1e-4), reference {ref_max} ({ref_over})"
                ));
            }
        }
    }
    report("all images", checked, failures);
}

/// A LLaVA-OneVision batch equals its single calls, patch axis zero-padded to the largest count
/// (transformers: max abs 0 between the batched and the single calls).
#[test]
fn llava_onevision_batch_equals_single_calls() {
    let config = "llava_onevision_qwen2_0.5b_ov";
    for backend in ["pil", "torchvision"] {
        let processor = AutoImageProcessor::from_pretrained(config_dir(config))
            .expect("config")
            .with_numerics(numerics_of(backend));
        let names = [
            "chelsea.png",
            "syn_thin_w3_h1000.png",
            "syn_odd_w17_h13.png",
        ];
        let images: Vec<Image> = names
            .iter()
            .map(|n| Image::open(image_path(n)).expect("open"))
            .collect();
        // Padding patches are zero in fresh memory and in recycled memory alike.
        let recycled = Recycled(CpuBackend::new());
        for compute in [processor.backend(), &recycled] {
            let batch = processor
                .run(
                    compute,
                    Batch::Flat(&images),
                    &ImagesKwargs::default(),
                    Stacking::Stack,
                )
                .and_then(|b| b.to_host())
                .expect("batch");
            let stacked = batch.tensor("pixel_values").expect("stacked");
            let max_patches = stacked.shape[1];
            let per_patch: usize = stacked.shape[2..].iter().product();
            let data = stacked.as_f32().expect("f32");
            for (i, image) in images.iter().enumerate() {
                let single = processor
                    .preprocess(std::slice::from_ref(image), &ImagesKwargs::default())
                    .and_then(|b| b.to_host())
                    .expect("single");
                let single = single.tensor("pixel_values").expect("single tensor");
                let patches = single.shape[1];
                let at = i * max_patches * per_patch;
                let expected = single.as_f32().expect("f32");
                assert_eq!(
                    &data[at..at + patches * per_patch],
                    expected,
                    "{backend} {}",
                    names[i]
                );
                assert!(
                    data[at + patches * per_patch..at + max_patches * per_patch]
                        .iter()
                        .all(|&v| v == 0.0)
                );
            }
            let sizes = batch.tensor("image_sizes").expect("image_sizes");
            assert_eq!(
                sizes.data,
                twinproc::TensorData::I64(vec![300, 451, 1000, 3, 13, 17])
            );
            assert_eq!(
                batch.tensor("batch_num_images").expect("n").data,
                twinproc::TensorData::I64(vec![1, 1, 1])
            );
        }
    }
}

/// Images of one size share one resize plan and one copy of its tables on the device; every
/// output of such a batch is still bit-identical to transformers' output for its image.
#[test]
fn images_of_one_size_share_tables_and_match_transformers() {
    use twinproc::backend::cuda::batch::{ImageShape, KernelBatch};
    use twinproc::placement::Placement;
    let (mut checked, mut failures) = (0, Vec::new());
    let config = "clip_vit_b32";
    for backend in ["pil", "torchvision"] {
        let cases: Vec<_> = single_image_cases(config)
            .into_iter()
            .filter(|(_, _, b, _)| b == backend)
            .filter_map(|(file, image, _, keys)| {
                let (h, w, rgb) = decoded_rgb(&image)?;
                Some((file, keys, Image::from_hwc(rgb, h, w, 3)))
            })
            .collect();
        // Each image twice, side by side.
        let images: Vec<Image> = cases
            .iter()
            .flat_map(|(_, _, image)| [image.clone(), image.clone()])
            .collect();
        let processor = AutoImageProcessor::from_pretrained(config_dir(config))
            .expect("config")
            .with_numerics(numerics_of(backend));
        let (pixels, plans) = processor
            .plans(&images, &ImagesKwargs::default())
            .expect("plans");
        let shapes: Vec<ImageShape> = pixels.iter().map(ImageShape::of).collect();
        let weights = |range: std::ops::Range<usize>| {
            let plans = &plans[range.clone()];
            KernelBatch::layout(
                &shapes[range],
                plans,
                &Placement::each(plans).expect("placement"),
                true,
            )
            .expect("layout")
            .weights
            .len()
        };
        assert!(std::sync::Arc::ptr_eq(
            &plans[0].resizes[0].resize,
            &plans[1].resizes[0].resize
        ));
        assert_eq!(weights(0..2), weights(0..1), "{backend}: tables not shared");
        for (name, compute) in computes() {
            let batch = run(config, backend, &images, Stacking::List, &*compute).expect("run");
            let Some(Feature::List(outputs)) = batch.data.get("pixel_values") else {
                panic!("pixel_values is not a list");
            };
            for (i, (file, keys, _)) in cases.iter().enumerate() {
                for output in &outputs[2 * i..2 * i + 2] {
                    checked += 1;
                    let shape: Vec<usize> =
                        std::iter::once(1).chain(output.shape.clone()).collect();
                    let data = output.as_f32().expect("float32");
                    failures.extend(
                        compare_output(file, "pixel_values", keys, &shape, data)
                            .into_iter()
                            .map(|p| format!("{file} ({name}, in a batch): {p}")),
                    );
                }
            }
        }
    }
    report("one-size batches", checked, failures);
}

/// `do_pad` (to the batch's largest output, channels first and last): every output of the batch
/// is transformers' output for its image, at the top left of a zero canvas. Padding is written by
/// the kernels in place, so this also checks their placement.
#[test]
fn padded_batches_hold_each_reference_output_in_zeros() {
    use twinproc::ChannelDimension;
    let (mut checked, mut failures) = (0, Vec::new());
    let config = "clip_nocrop_bilinear";
    for backend in ["pil", "torchvision"] {
        // Images with a whole (untruncated) reference, of different output sizes.
        let cases: Vec<(Vec<usize>, Vec<f32>, Image)> = single_image_cases(config)
            .into_iter()
            .filter(|(_, _, b, keys)| b == backend && keys.iter().any(|k| k == "pixel_values"))
            .filter_map(|(file, image, _, _)| {
                let input = match decoded_rgb(&image) {
                    Some((h, w, rgb)) => Image::from_hwc(rgb, h, w, 3),
                    None => Image::open(image_path(&image)).ok()?,
                };
                let (shape, data) = reference_f32(&format!("{file}/pixel_values"));
                (shape[2] * shape[3] <= 512 * 512).then_some((shape, data, input))
            })
            .collect();
        let images: Vec<Image> = cases.iter().map(|c| c.2.clone()).collect();
        let (canvas_h, canvas_w) = cases
            .iter()
            .fold((0, 0), |(h, w), (s, _, _)| (h.max(s[2]), w.max(s[3])));
        for layout in [ChannelDimension::First, ChannelDimension::Last] {
            let overrides = ImagesKwargs {
                do_pad: Some(true),
                data_format: Some(layout),
                ..Default::default()
            };
            let processor = AutoImageProcessor::from_pretrained(config_dir(config))
                .expect("config")
                .with_numerics(numerics_of(backend));
            for (name, compute) in computes() {
                checked += 1;
                let label = format!("{config} {backend} {layout:?} ({name})");
                let batch = processor
                    .run(&*compute, Batch::Flat(&images), &overrides, Stacking::Stack)
                    .and_then(|b| b.to_host())
                    .expect("run");
                let out = batch.tensor("pixel_values").expect("stacked");
                let data = out.as_f32().expect("float32");
                let per_image = 3 * canvas_h * canvas_w;
                if data.len() != images.len() * per_image {
                    failures.push(format!("{label}: shape {:?}", out.shape));
                    continue;
                }
                for (i, (shape, reference, _)) in cases.iter().enumerate() {
                    let (h, w) = (shape[2], shape[3]);
                    let at = |c: usize, y: usize, x: usize| match layout {
                        ChannelDimension::First => (c * canvas_h + y) * canvas_w + x,
                        ChannelDimension::Last => (y * canvas_w + x) * 3 + c,
                    };
                    let mut expected = vec![0f32; per_image];
                    for c in 0..3 {
                        for y in 0..h {
                            for x in 0..w {
                                expected[at(c, y, x)] = reference[(c * h + y) * w + x];
                            }
                        }
                    }
                    if let Some(diff) =
                        compare_f32(&expected, &data[i * per_image..(i + 1) * per_image])
                    {
                        failures.push(format!("{label} image {i}: {diff}"));
                    }
                }
            }
        }
    }
    report("padded batches", checked, failures);
}
