//! `--semantics path`: the command line loads each IMAGE as transformers loads a path string
//! (EXIF orientation, its backend's loader, a GIF's every frame on torchvision), bit for bit
//! against transformers' outputs (`scripts/make_path_goldens.py`).

mod common;

use common::{out_path, stderr, twinproc};
use twinproc_golden_tests::fixtures;

/// Runs `preprocess` on one of the path fixtures' images with the uncropped configuration and
/// `extra` arguments; asserts its `pixel_values` are the golden `key`'s, shape and bytes.
fn preprocess_matches(file: &str, extra: &[&str], key: &str) {
    let dir = fixtures().join("path");
    let config = dir.join("configs/clip_nocrop_se16_bilinear");
    let out = out_path(&format!("semantics-{}", key.replace('/', "-")));
    let image = dir.join("images").join(file);
    let mut args = vec!["preprocess", "--config", config.to_str().expect("utf-8")];
    args.extend(extra);
    args.extend([
        "--out",
        out.to_str().expect("utf-8"),
        image.to_str().expect("utf-8"),
    ]);
    let output = twinproc(&args);
    assert!(output.status.success(), "{}", stderr(&output));
    let bytes = std::fs::read(&out).expect("output");
    let ours = safetensors::SafeTensors::deserialize(&bytes).expect("safetensors");
    let view = ours.tensor("pixel_values").expect("pixel_values");
    let goldens = std::fs::read(dir.join("goldens.safetensors")).expect("goldens");
    let goldens = safetensors::SafeTensors::deserialize(&goldens).expect("safetensors");
    let golden = goldens.tensor(key).expect(key);
    assert_eq!(view.shape(), golden.shape(), "{key}");
    assert!(view.data() == golden.data(), "{key}: values differ");
    std::fs::remove_file(&out).ok();
}

#[test]
fn path_semantics_from_the_command_line() {
    for (numerics, files) in [
        ("pil", vec!["jpeg_orient6.jpg"]),
        ("torchvision", vec!["jpeg_orient6.jpg", "gif_anim3.gif"]),
    ] {
        for file in files {
            preprocess_matches(
                file,
                &["--numerics", numerics, "--semantics", "path"],
                &format!("clip_nocrop_se16_bilinear/{file}/{numerics}/path"),
            );
        }
    }
}

/// The default is object semantics: the same JPEG keeps its stored orientation.
#[test]
fn object_semantics_is_the_default() {
    preprocess_matches(
        "jpeg_orient6.jpg",
        &[],
        "clip_nocrop_se16_bilinear/jpeg_orient6.jpg/torchvision/object",
    );
}
