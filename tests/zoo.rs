//! The model zoo against transformers 5.23.0 (`scripts/make_zoo_goldens.py`): every family's saved
//! configuration, both numerics, each bundled image alone and a batch of three, through the CPU
//! twin, the CUDA kernels' code built for the host and (on a machine with CUDA) the CUDA twin.
//! Every output's name, dtype, shape and the SHA-256 of its bytes are transformers' own; where
//! transformers raises, twinproc returns an error.

use serde_json::Value;
use twinproc::backend::{Backend, CpuBackend, KernelHostBackend};
use twinproc::extend::Batch;
use twinproc::tensor::TensorData;
use twinproc::{
    AutoImageProcessor, BatchFeature, Feature, Image, ImagesKwargs, Numerics, Processor, Stacking,
};
use twinproc_golden_tests::{cuda_twin, doc_rows, fixtures, image_path, sha256_hex, zoo_goldens};

/// Calls transformers answers that twinproc refuses with a typed error (`Error::Unsupported`), not
/// reproduced yet: (configuration, backend, image). An image kept as it is (no `do_convert_rgb`)
/// in torchvision numerics: transformers resizes a 16-bit image's values as uint16 (palette
/// indices, and bits in both numerics, are reproduced). Any other refusal fails, and so does an
/// answer to one of these (take it off the list).
const REFUSED_NOT_REPRODUCED: &[(&str, &str, &str)] =
    &[("vit_scalar_mean", "torchvision", "syn_gray16.png")];

/// The CPU twin, the kernels' host build, and the CUDA twin where it runs.
fn computes() -> Vec<(&'static str, Box<dyn Backend>)> {
    let mut computes: Vec<(&'static str, Box<dyn Backend>)> = vec![
        ("cpu", Box::new(CpuBackend::new())),
        ("kernels", Box::new(KernelHostBackend::CROPPED)),
    ];
    if let Some(cuda) = cuda_twin() {
        computes.push(("cuda", Box::new(cuda)));
    }
    computes
}

/// What differs between `batch` and the golden outputs, if anything.
fn compare(expected: &serde_json::Map<String, Value>, batch: &BatchFeature) -> Option<String> {
    let names: Vec<&String> = batch.data.keys().collect();
    let wanted: Vec<&String> = expected.keys().collect();
    if names != wanted {
        return Some(format!("outputs {names:?}, transformers {wanted:?}"));
    }
    for (name, golden) in expected {
        let Some(Feature::Tensor(tensor)) = batch.data.get(name) else {
            return Some(format!("{name}: not a tensor"));
        };
        let dtype = match &tensor.data {
            TensorData::F32(_) => "float32",
            TensorData::U8(_) => "uint8",
            TensorData::I32(_) => "int32",
            TensorData::I64(_) => "int64",
        };
        let shape: Vec<u64> = tensor.shape.iter().map(|&d| d as u64).collect();
        let golden_shape: Vec<u64> = golden["shape"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_u64).collect())
            .unwrap_or_default();
        if dtype != golden["dtype"] || shape != golden_shape {
            return Some(format!(
                "{name}: {dtype} {shape:?}, transformers {} {golden_shape:?}",
                golden["dtype"]
            ));
        }
        let digest = sha256_hex(&tensor.data.le_bytes());
        if digest != golden["sha256"] {
            let values = match &tensor.data {
                TensorData::I64(v) if v.len() <= 64 => format!(" {v:?}"),
                _ => String::new(),
            };
            return Some(format!(
                "{name}: other bytes{values} (transformers' values: {})",
                golden
                    .get("values")
                    .map_or("hashed".into(), Value::to_string)
            ));
        }
    }
    None
}

#[test]
fn every_family_is_transformers_own() {
    let goldens = zoo_goldens();
    let batch_files: Vec<&str> = goldens["batch"]
        .as_array()
        .expect("batch")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let computes = computes();
    let (mut checked, mut refused, mut failures) = (0, 0, Vec::new());
    let mut not_reproduced = 0;
    for (config, backends) in goldens["configs"].as_object().expect("configs") {
        let dir = fixtures().join("zoo/configs").join(config);
        for (backend, cases) in backends.as_object().expect("backends") {
            let numerics = match backend.as_str() {
                "pil" => Numerics::Pil,
                _ => Numerics::Torchvision,
            };
            let processor = AutoImageProcessor::from_pretrained(&dir)
                .unwrap_or_else(|e| panic!("{config}: {e}"))
                .with_numerics(numerics);
            for (case, golden) in cases.as_object().expect("cases") {
                let files = match case.as_str() {
                    "_batch" => batch_files.clone(),
                    file => vec![file],
                };
                let images: Vec<Image> = files
                    .iter()
                    .map(|f| Image::open(image_path(f)).expect("open"))
                    .collect();
                for (name, compute) in &computes {
                    let result = processor
                        .run(
                            &**compute,
                            Batch::Flat(&images),
                            &ImagesKwargs::default(),
                            Stacking::Stack,
                        )
                        .and_then(|batch| batch.to_host());
                    let place = format!("{config} {backend} {case} ({name})");
                    let listed = REFUSED_NOT_REPRODUCED.contains(&(config, backend, case));
                    match (result, golden.get("outputs").and_then(Value::as_object)) {
                        (Err(twinproc::Error::Unsupported(_)), Some(_)) if listed => {
                            not_reproduced += 1
                        }
                        (_, Some(_)) if listed => {
                            failures.push(format!("{place}: listed as not reproduced"))
                        }
                        (Ok(batch), Some(expected)) => {
                            checked += 1;
                            if let Some(difference) = compare(expected, &batch) {
                                failures.push(format!("{place}: {difference}"));
                            }
                        }
                        (Err(_), None) => refused += 1,
                        (Ok(_), None) => failures.push(format!(
                            "{place}: an output where transformers raised {}",
                            golden["error"]
                        )),
                        (Err(e), Some(_)) => failures.push(format!("{place}: {e}")),
                    }
                }
            }
        }
    }
    assert!(checked > 0, "no case was checked");
    assert!(
        failures.is_empty(),
        "{} cases differ from transformers ({checked} equal, {refused} refused as transformers \
         does):\n{}",
        failures.len(),
        failures.join("\n")
    );
    eprintln!(
        "{checked} cases bit-identical to transformers, {refused} refused as transformers does, \
         {not_reproduced} refused where transformers answers (listed)"
    );
}

/// Each family's saved configuration loads and saves back to transformers' own bytes (a
/// hand-written one, legacy keys and all, to what transformers saves once it loaded it), and each
/// class with nothing set saves as transformers saves it: the declarations' defaults are the
/// classes'.
#[test]
fn configurations_and_defaults_are_transformers_own() {
    let mut compared = 0;
    for folder in ["configs", "defaults"] {
        let dir = fixtures().join("zoo").join(folder);
        for entry in std::fs::read_dir(&dir).expect("zoo configurations") {
            let dir = entry.expect("entry").path();
            let file = dir.join("preprocessor_config.json");
            // A hand-written configuration saves as transformers saves it once loaded.
            let saved = Some(dir.join("transformers_saved.json")).filter(|f| f.exists());
            let expected = std::fs::read_to_string(saved.as_ref().unwrap_or(&file)).expect("read");
            let loaded = AutoImageProcessor::from_pretrained(&file).expect("load");
            assert_eq!(
                loaded.to_json_string().unwrap(),
                expected,
                "{}",
                file.display()
            );
            if folder == "defaults" {
                let fresh = Processor::new(loaded.model(), ImagesKwargs::default()).expect("new");
                assert_eq!(
                    fresh.to_json_string().unwrap(),
                    expected,
                    "{}",
                    file.display()
                );
            }
            compared += 1;
        }
    }
    assert!(compared >= 10, "only {compared} configurations");
}

/// The generated docs of every family list every kwarg, standard and the model's own, with its
/// default (`None` where the class sets none, as transformers' `@auto_docstring` shows it).
#[test]
fn generated_docs_list_every_kwarg_of_every_family() {
    use twinproc::ModelKwargs;
    use twinproc::models::{
        bit, blip, convnext, gemma3, idefics3, llava_next, pixtral, qwen2_vl, siglip2, vit,
    };
    let families: [(&str, &str, &[twinproc::kwargs::KwargDoc]); 11] = [
        ("ViT", vit::VitImageProcessor::KWARGS_DOC, &[]),
        ("BLIP", blip::BlipImageProcessor::KWARGS_DOC, &[]),
        ("BiT", bit::BitImageProcessor::KWARGS_DOC, &[]),
        (
            "ConvNeXt",
            convnext::ConvNextImageProcessor::KWARGS_DOC,
            convnext::ConvNextKwargs::MODEL_KWARGS,
        ),
        (
            "Qwen2-VL",
            qwen2_vl::Qwen2VlImageProcessor::KWARGS_DOC,
            qwen2_vl::Qwen2VlKwargs::MODEL_KWARGS,
        ),
        (
            "SigLIP2",
            siglip2::Siglip2ImageProcessor::KWARGS_DOC,
            siglip2::Siglip2Kwargs::MODEL_KWARGS,
        ),
        (
            "Pixtral",
            pixtral::PixtralImageProcessor::KWARGS_DOC,
            pixtral::PixtralKwargs::MODEL_KWARGS,
        ),
        (
            "Gemma 3",
            gemma3::Gemma3ImageProcessor::KWARGS_DOC,
            gemma3::Gemma3Kwargs::MODEL_KWARGS,
        ),
        (
            "LLaVA-NeXT",
            llava_next::LlavaNextImageProcessor::KWARGS_DOC,
            llava_next::LlavaNextKwargs::MODEL_KWARGS,
        ),
        (
            "Idefics3",
            idefics3::Idefics3ImageProcessor::KWARGS_DOC,
            idefics3::Idefics3Kwargs::MODEL_KWARGS,
        ),
        (
            "SmolVLM",
            idefics3::SmolVlmImageProcessor::KWARGS_DOC,
            idefics3::Idefics3Kwargs::MODEL_KWARGS,
        ),
    ];
    let mut rows = std::collections::BTreeMap::new();
    for (family, doc, model) in families {
        let table = doc_rows(doc);
        for kwarg in twinproc::kwargs::STANDARD_KWARGS.iter().chain(model) {
            let default = table.iter().find(|(k, _)| k == kwarg.name).map(|r| &r.1);
            assert!(
                default.is_some_and(|d| !d.is_empty()),
                "{family}: the docs list no default for {}",
                kwarg.name
            );
        }
        rows.insert(family, table);
    }
    let default = |family: &str, key: &str| {
        rows[family]
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, d)| d.as_str())
    };
    for (family, key, expected) in [
        ("ViT", "resample", "Bilinear"),
        ("ViT", "do_convert_rgb", "None"),
        ("ConvNeXt", "crop_pct", "DEFAULT_CROP_PCT"),
        ("ConvNeXt", "size", "{shortest_edge: 384}"),
        ("Qwen2-VL", "merge_size", "2"),
        (
            "Qwen2-VL",
            "size",
            "{shortest_edge: 3136, longest_edge: 1003520}",
        ),
        ("SigLIP2", "size", "None"),
        ("SigLIP2", "max_num_patches", "256"),
        ("Pixtral", "patch_size", "DEFAULT_PATCH_SIZE"),
        ("Pixtral", "do_pad", "true"),
        ("Gemma 3", "do_pan_and_scan", "None"),
        ("LLaVA-NeXT", "image_grid_pinpoints", "default_pinpoints()"),
        ("Idefics3", "resample", "Lanczos"),
        ("Idefics3", "size", "{longest_edge: 1456}"),
        ("Idefics3", "max_image_size", "DEFAULT_MAX_IMAGE_SIZE"),
        ("SmolVLM", "do_image_splitting", "true"),
        ("SmolVLM", "return_row_col_info", "false"),
    ] {
        assert_eq!(default(family, key), Some(expected), "{family} {key}");
    }
}
