//! `--semantics path`: the command line loads each IMAGE as transformers loads a path string
//! (EXIF orientation, its backend's loader, a GIF's every frame on torchvision), bit for bit
//! against transformers' outputs (`scripts/make_path_goldens.py`).

mod common;

use common::{out_path, stderr, twinproc};
use twinproc_golden_tests::fixtures;

fn golden(key: &str) -> (Vec<usize>, Vec<u8>) {
    let bytes = std::fs::read(fixtures().join("path/goldens.safetensors")).expect("goldens");
    let file = safetensors::SafeTensors::deserialize(&bytes).expect("safetensors");
    let view = file.tensor(key).expect(key);
    (view.shape().to_vec(), view.data().to_vec())
}

#[test]
fn path_semantics_from_the_command_line() {
    let dir = fixtures().join("path");
    let config = dir.join("configs/clip_nocrop_se16_bilinear");
    for (numerics, files) in [
        ("pil", vec!["jpeg_orient6.jpg"]),
        ("torchvision", vec!["jpeg_orient6.jpg", "gif_anim3.gif"]),
    ] {
        for file in files {
            let out = out_path(&format!("semantics-{numerics}-{file}"));
            let image = dir.join("images").join(file);
            let output = twinproc(&[
                "preprocess",
                "--config",
                config.to_str().expect("utf-8"),
                "--numerics",
                numerics,
                "--semantics",
                "path",
                "--out",
                out.to_str().expect("utf-8"),
                image.to_str().expect("utf-8"),
            ]);
            assert!(output.status.success(), "{}", stderr(&output));
            let bytes = std::fs::read(&out).expect("output");
            let ours = safetensors::SafeTensors::deserialize(&bytes).expect("safetensors");
            let view = ours.tensor("pixel_values").expect("pixel_values");
            let (shape, data) =
                golden(&format!("clip_nocrop_se16_bilinear/{file}/{numerics}/path"));
            assert_eq!(view.shape(), shape.as_slice(), "{numerics} {file}");
            assert!(
                view.data() == data.as_slice(),
                "{numerics} {file}: values differ"
            );
            std::fs::remove_file(&out).ok();
        }
    }
}

/// The default is object semantics: the same JPEG keeps its stored orientation.
#[test]
fn object_semantics_is_the_default() {
    let dir = fixtures().join("path");
    let out = out_path("semantics-object");
    let image = dir.join("images/jpeg_orient6.jpg");
    let output = twinproc(&[
        "preprocess",
        "--config",
        dir.join("configs/clip_nocrop_se16_bilinear")
            .to_str()
            .expect("utf-8"),
        "--out",
        out.to_str().expect("utf-8"),
        image.to_str().expect("utf-8"),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let bytes = std::fs::read(&out).expect("output");
    let ours = safetensors::SafeTensors::deserialize(&bytes).expect("safetensors");
    let (shape, data) = golden("clip_nocrop_se16_bilinear/jpeg_orient6.jpg/torchvision/object");
    let view = ours.tensor("pixel_values").expect("pixel_values");
    assert_eq!(view.shape(), shape.as_slice());
    assert!(view.data() == data.as_slice());
    std::fs::remove_file(&out).ok();
}
