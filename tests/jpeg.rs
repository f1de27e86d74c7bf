//! A JPEG corpus (`scripts/make_jpeg_fixture.py`: written by Pillow 13 — 4:4:4, 4:2:2, 4:2:0,
//! baseline, optimized and progressive, restart intervals, grayscale, CMYK, odd and tiny sizes,
//! quality 10 to 100 — and by libjpeg-turbo's encoder for 4:1:1 and 4:4:0, which Pillow cannot
//! write) decodes to exactly the bytes Pillow 13 decodes from it.

use serde_json::Value;
use twinproc::Image;
use twinproc_golden_tests::fixtures;

/// Both ways: with the vector inverse DCT and colour conversion, and with libjpeg's C functions.
#[test]
fn every_jpeg_decodes_to_pillows_bytes() {
    for fast in [true, false] {
        twinproc::image::set_jpeg_fast_paths(fast);
        corpus_decodes_to_pillows_bytes(fast);
    }
    twinproc::image::set_jpeg_fast_paths(true);
}

fn corpus_decodes_to_pillows_bytes(fast: bool) {
    let dir = fixtures().join("jpeg");
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(dir.join("MANIFEST.json")).expect("manifest"))
            .expect("json");
    let packed = std::fs::read(dir.join("decoded.xz")).expect("decoded arrays");
    let mut decoded = Vec::new();
    lzma_rs::xz_decompress(&mut packed.as_slice(), &mut decoded).expect("xz");
    let files = manifest["files"].as_array().expect("files");
    let mut failures = Vec::new();
    for entry in files {
        let name = entry["file"].as_str().expect("file");
        let (at, len) = (
            entry["offset"].as_u64().expect("offset") as usize,
            entry["len"].as_u64().expect("len") as usize,
        );
        let expected = &decoded[at..at + len];
        let mode = entry["mode"].as_str().expect("mode");
        match Image::open(dir.join(name)).map(Image::cmyk_to_rgb) {
            Ok(Image::Decoded(image)) => {
                let ours = match image.color() {
                    image::ColorType::L8 => "L",
                    image::ColorType::Rgb8 => "RGB",
                    other => {
                        failures.push(format!("{name}: {other:?}, Pillow: {mode}"));
                        continue;
                    }
                };
                if ours != mode || image.as_bytes() != expected {
                    let differing = image
                        .as_bytes()
                        .iter()
                        .zip(expected)
                        .filter(|(a, b)| a != b)
                        .count();
                    failures.push(format!(
                        "{name}: {ours} vs Pillow's {mode}, {differing} of {len} bytes differ"
                    ));
                }
            }
            Ok(_) => failures.push(format!("{name}: not a decoded image")),
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }
    assert!(files.len() >= 40, "only {} files", files.len());
    assert!(
        failures.is_empty(),
        "{} of {} differ from Pillow 13 (fast paths {fast}):\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
    eprintln!(
        "{} JPEG files, fast paths {fast}: every byte Pillow's",
        files.len()
    );
}
