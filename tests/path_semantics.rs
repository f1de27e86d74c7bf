//! Path semantics (`scripts/make_path_goldens.py`): what transformers 5.23 makes of a path string
//! given to a processor — EXIF orientations 1 to 8 (JPEG and PNG), alpha and palette transparency,
//! gray, CMYK, progressive JPEG, GIF frames, WebP, BMP and TIFF — in both backends and two
//! configurations (one cropped, one not, so a turned image changes the output's shape), equals
//! [`Image::load`] through the processor, bit for bit; the same files given as `Image.open(path)`
//! equal [`Image::open`] through it. The few inputs not reproduced yet must be refused with a typed
//! error, never answered.

use serde_json::Value;
use twinproc::{AutoImageProcessor, Error, Image, Numerics};
use twinproc_golden_tests::fixtures;

/// (file, backend) loads refused on purpose (see `decode/path.rs`).
const REFUSED: [(&str, &str); 2] = [
    ("png_gray16.png", "torchvision"),
    ("png_rgb16.png", "torchvision"),
];

#[test]
fn path_inputs_are_transformers_own() {
    let dir = fixtures().join("path");
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(dir.join("MANIFEST.json")).expect("manifest"))
            .expect("json");
    let bytes = std::fs::read(dir.join("goldens.safetensors")).expect("goldens");
    let goldens = safetensors::SafeTensors::deserialize(&bytes).expect("safetensors");
    let (mut checked, mut refused, mut failures) = (0, 0, Vec::new());
    for entry in manifest["entries"].as_array().expect("entries") {
        let object = entry["form"] == "object";
        let (config, file, backend) = (
            entry["config"].as_str().expect("config"),
            entry["file"].as_str().expect("file"),
            entry["backend"].as_str().expect("backend"),
        );
        let numerics = if backend == "pil" {
            Numerics::Pil
        } else {
            Numerics::Torchvision
        };
        let case = format!("{config}/{file}/{backend}");
        let processor = AutoImageProcessor::from_pretrained(dir.join("configs").join(config))
            .expect("processor")
            .with_numerics(numerics);
        let case = if object {
            format!("{case}/object")
        } else {
            case
        };
        let image = dir.join("images").join(file);
        let loaded = match object {
            true => Image::open(&image).map(|i| vec![i]),
            false => Image::load(&image, numerics),
        };
        if let Some(error) = entry.get("error") {
            let expected = error["message"].as_str().expect("message");
            match loaded {
                Err(Error::Unsupported(ours))
                    if expected.contains("Unsupported image file")
                        && ours.contains("Unsupported image file") =>
                {
                    checked += 1
                }
                other => failures.push(format!(
                    "{case}: transformers raised {expected:?}, we gave {other:?}"
                )),
            }
            continue;
        }
        let images = match loaded {
            Err(Error::Unsupported(_)) if REFUSED.contains(&(file, backend)) => {
                refused += 1;
                continue;
            }
            Err(e) => {
                failures.push(format!("{case}: {e}"));
                continue;
            }
            Ok(images) => images,
        };
        let batch = match processor.preprocess(&images, &Default::default()) {
            Ok(batch) => batch,
            Err(e) => {
                failures.push(format!("{case}: {e}"));
                continue;
            }
        };
        let ours = batch.tensor("pixel_values").expect("pixel_values");
        let key = entry["keys"][0].as_str().expect("key");
        let golden = goldens.tensor(key).expect("golden");
        if ours.shape != golden.shape() {
            failures.push(format!(
                "{case}: shape {:?}, transformers {:?}",
                ours.shape,
                golden.shape()
            ));
            continue;
        }
        let values = ours.as_f32().expect("f32");
        let expected: Vec<f32> = golden
            .data()
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        let differing = values
            .iter()
            .zip(&expected)
            .filter(|(a, b)| a.to_bits() != b.to_bits())
            .count();
        match differing {
            0 => checked += 1,
            n => {
                let worst = values
                    .iter()
                    .zip(&expected)
                    .map(|(a, b)| (a - b).abs())
                    .fold(0f32, f32::max);
                failures.push(format!(
                    "{case}: {n} of {} values differ, by up to {worst}",
                    values.len()
                ));
            }
        }
    }
    assert_eq!(
        refused,
        2 * REFUSED.len(),
        "refused loads (both configurations)"
    );
    assert!(
        failures.is_empty(),
        "{} of {} path cases differ from transformers:\n{}",
        failures.len(),
        checked + failures.len(),
        failures.join("\n")
    );
    assert!(checked >= 200, "only {checked} cases checked");
    eprintln!("{checked} path and object cases bit-identical to transformers, {refused} refused");
}
