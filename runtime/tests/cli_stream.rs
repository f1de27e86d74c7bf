//! Many files through the command line, written image by image: each image's outputs are still
//! transformers' for that image, in order; a batch whose images do not stack alike, and an image
//! that fails late, end as the whole batch would.

mod common;

use common::{stderr, twinproc};
use std::path::{Path, PathBuf};
use twinproc_golden_tests::{RefTensor, compare_f32, config_dir, golden_files, image_path, tensor};

/// A fresh directory of this process's for `name`.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("twinproc-stream-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    dir
}

fn preprocess(
    config: &str,
    numerics: &str,
    threads: &str,
    out: &Path,
    images: &[PathBuf],
) -> std::process::Output {
    let config = config_dir(config);
    let mut args = vec![
        "preprocess".to_owned(),
        "--config".into(),
        config.display().to_string(),
        "--numerics".into(),
        numerics.into(),
        "--threads".into(),
        threads.into(),
        "--out".into(),
        out.display().to_string(),
    ];
    args.extend(images.iter().map(|p| p.display().to_string()));
    twinproc(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

/// The single-image references of CLIP in `numerics`: (image file, pixel_values of shape
/// [1, 3, 224, 224]).
fn clip_references(numerics: &str) -> Vec<(PathBuf, Vec<f32>)> {
    golden_files("clip_vit_b32")
        .into_iter()
        .filter(|(_, meta, _)| meta["backend"] == numerics)
        .filter_map(|(stem, meta, _)| {
            let image = image_path(meta.get("image")?.as_str()?);
            match tensor(&format!("golden/clip_vit_b32/{stem}/pixel_values"))? {
                RefTensor::F32 { shape, data } if shape == [1, 3, 224, 224] => Some((image, data)),
                _ => None,
            }
        })
        .collect()
}

/// 21 files, at one thread and at two, in both numerics: every image's
/// slice of the file is transformers' output for it alone.
#[test]
fn every_image_of_a_streamed_run_is_transformers_own() {
    for numerics in ["pil", "torchvision"] {
        let references = clip_references(numerics);
        assert!(
            references.len() >= 4,
            "{numerics}: {} references",
            references.len()
        );
        let cases: Vec<&(PathBuf, Vec<f32>)> = references.iter().cycle().take(21).collect();
        let images: Vec<PathBuf> = cases.iter().map(|(path, _)| path.clone()).collect();
        for threads in ["1", "2"] {
            let dir = scratch(&format!("{numerics}-{threads}"));
            let out = dir.join("out.safetensors");
            let output = preprocess("clip_vit_b32", numerics, threads, &out, &images);
            assert!(output.status.success(), "{}", stderr(&output));
            assert!(
                String::from_utf8_lossy(&output.stdout)
                    .contains("pixel_values [21, 3, 224, 224] float32"),
                "{}",
                String::from_utf8_lossy(&output.stdout)
            );
            let bytes = std::fs::read(&out).expect("read");
            let file = safetensors::SafeTensors::deserialize(&bytes).expect("safetensors");
            let view = file.tensor("pixel_values").expect("pixel_values");
            assert_eq!(view.shape(), [21, 3, 224, 224]);
            let values: Vec<f32> = view
                .data()
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect();
            for (i, (image, expected)) in cases.iter().enumerate() {
                let slice = &values[i * expected.len()..][..expected.len()];
                assert_eq!(
                    compare_f32(expected, slice),
                    None,
                    "{numerics}, {threads} threads, image {i} ({})",
                    image.display()
                );
            }
            assert_eq!(
                std::fs::read_dir(&dir).expect("dir").count(),
                1,
                "nothing beside it"
            );
            std::fs::remove_dir_all(&dir).ok();
        }
    }
}

/// Without the center crop, images of two sizes do not stack: after twelve that did, the run
/// fails as the whole batch does (transformers' error), and leaves no file.
#[test]
fn images_that_do_not_stack_fail_as_the_whole_batch() {
    let photo = image_path("astronaut.png");
    let other = image_path("coffee.png");
    let mut images = vec![photo; 12];
    images.push(other);
    let dir = scratch("unstacked");
    let out = dir.join("out.safetensors");
    let output = preprocess("clip_nocrop_bilinear", "torchvision", "1", &out, &images);
    assert!(!output.status.success());
    let err = stderr(&output);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("pixel_values"), "{err}");
    assert_eq!(
        std::fs::read_dir(&dir).expect("dir").count(),
        0,
        "no file: {err}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// A corrupt file after nineteen good ones: one line naming it, no file written, none left beside, and
/// an existing file at the output path untouched.
#[test]
fn a_late_bad_file_fails_naming_it() {
    let dir = scratch("late-failure");
    let bad = dir.join("broken.png");
    std::fs::write(&bad, b"\x89PNG\r\n\x1a\n not a png").expect("write");
    let mut images = vec![image_path("astronaut.png"); 19];
    images.push(bad.clone());
    let out = dir.join("out.safetensors");
    std::fs::write(&out, b"before").expect("write");
    let output = preprocess("clip_vit_b32", "torchvision", "1", &out, &images);
    assert!(!output.status.success());
    let err = stderr(&output);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("broken.png"), "{err}");
    assert_eq!(std::fs::read(&out).expect("read"), b"before");
    assert_eq!(
        std::fs::read_dir(&dir).expect("dir").count(),
        2,
        "nothing beside: {err}"
    );
    std::fs::remove_dir_all(&dir).ok();
}
