//! Every format Pillow opens that a well-kept crate decodes (`scripts/make_format_fixture.py`:
//! TIFF in every compression and mode Pillow writes, BMP, WebP lossy and lossless, PPM/PGM/PBM
//! binary and plain, TGA raw and RLE, ICO, QOI, all written by Pillow 13): each file opens in the
//! pixel type that stands for its Pillow mode (`1`, `F` as 8-bit gray, `I` and `I;16` as 16-bit
//! gray, `P` and `CMYK` as RGB, as `convert_to_rgb` sees them), its palette indices and bits are
//! Pillow's array of the mode, and transformers' `convert_to_rgb` of it gives Pillow's bytes.

use serde_json::Value;
use twinproc::Image;
use twinproc::numeric::convert::{ToRgb, native};
use twinproc_golden_tests::fixtures;

/// What transformers' `convert_to_rgb` makes of a decoded image, as the processors run it.
fn to_rgb(image: &image::DynamicImage) -> twinproc::Result<Vec<u8>> {
    let pixels = native(image)?;
    let mut out = Vec::new();
    ToRgb::for_decoded(pixels.channels).apply_into(&pixels, &mut out);
    Ok(out)
}

#[test]
fn every_format_opens_as_pillow_opens_it() {
    let dir = fixtures().join("formats");
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(dir.join("MANIFEST.json")).expect("manifest"))
            .expect("json");
    let packed = std::fs::read(dir.join("decoded.xz")).expect("decoded arrays");
    let mut decoded = Vec::new();
    lzma_rs::xz_decompress(&mut packed.as_slice(), &mut decoded).expect("xz");
    let files = manifest.as_array().expect("files");
    let mut failures = Vec::new();
    for entry in files {
        let name = entry["file"].as_str().expect("file");
        let mode = entry["mode"].as_str().expect("mode");
        let (w, h) = (
            entry["size"][0].as_u64().expect("w") as usize,
            entry["size"][1].as_u64().expect("h") as usize,
        );
        let at = entry["rgb_offset"].as_u64().expect("rgb_offset") as usize;
        let expected = &decoded[at..at + w * h * 3];
        let opened = Image::open(dir.join(name));
        // What the mode holds beyond the colours: CMYK samples, palette indices or bits.
        let held = match &opened {
            Ok(Image::Cmyk { .. }) => "CMYK",
            Ok(Image::Palette { .. }) => "P",
            Ok(Image::Bits(_)) => "1",
            _ => "pixels",
        };
        let pillow_held = match mode {
            "CMYK" | "P" | "1" => mode,
            _ => "pixels",
        };
        if opened.is_ok() && held != pillow_held {
            failures.push(format!("{name}: opened as {held}, Pillow's mode is {mode}"));
        }
        // Indices and bits are Pillow's array of the mode (its bool array of mode `1` stores
        // bytes 0 and 255, as the bits' colours are).
        let raw_at = entry["raw_offset"].as_u64().expect("raw_offset") as usize;
        let raw_len = entry["raw_len"].as_u64().expect("raw_len") as usize;
        let raw = &decoded[raw_at..raw_at + raw_len];
        let ours = match &opened {
            Ok(Image::Palette { indices, .. }) => Some(indices.as_ref().map(|i| i.to_vec())),
            Ok(Image::Bits(bits)) => Some(Some(bits.to_vec())),
            _ => None,
        };
        match ours {
            Some(Some(ours)) if ours != raw => {
                let differing = ours.iter().zip(raw).filter(|(a, b)| a != b).count();
                failures.push(format!("{name}: {differing} of its {mode} values differ"));
            }
            Some(None) => failures.push(format!("{name}: its {mode} indices were not read")),
            _ => {}
        }
        let image = match opened.map(Image::cmyk_to_rgb) {
            Ok(Image::Decoded(image) | Image::Palette { colours: image, .. }) => image,
            Ok(Image::Bits(bits)) => image::DynamicImage::ImageLuma8(bits),
            Ok(_) => {
                failures.push(format!("{name}: not a decoded image"));
                continue;
            }
            Err(e) => {
                let source = std::error::Error::source(&e)
                    .map(|s| format!(": {s}"))
                    .unwrap_or_default();
                failures.push(format!("{name} ({mode}): {e}{source}"));
                continue;
            }
        };
        if (image.width() as usize, image.height() as usize) != (w, h) {
            failures.push(format!(
                "{name}: {}x{}, Pillow {w}x{h}",
                image.width(),
                image.height()
            ));
            continue;
        }
        let pixel_type = match mode {
            "L" | "1" | "F" => image::ColorType::L8,
            "LA" => image::ColorType::La8,
            "RGB" | "P" | "CMYK" => image::ColorType::Rgb8,
            "RGBA" => image::ColorType::Rgba8,
            "I;16" | "I;16B" | "I" => image::ColorType::L16,
            other => panic!("{name}: no pixel type for Pillow's mode {other}"),
        };
        if image.color() != pixel_type {
            failures.push(format!(
                "{name}: opened as {:?}, Pillow's {mode} is {pixel_type:?}",
                image.color()
            ));
        }
        match to_rgb(&image) {
            Ok(rgb) if rgb == expected => {}
            Ok(rgb) => {
                let differing = rgb.iter().zip(expected).filter(|(a, b)| a != b).count();
                let worst = rgb
                    .iter()
                    .zip(expected)
                    .map(|(a, b)| a.abs_diff(*b))
                    .max()
                    .unwrap_or(0);
                failures.push(format!(
                    "{name} ({mode}, ours {:?}): {differing} of {} RGB bytes differ, by up to {worst}",
                    image.color(),
                    expected.len()
                ));
            }
            Err(e) => failures.push(format!("{name} ({mode}): {e}")),
        }
    }
    assert!(files.len() >= 60, "only {} files", files.len());
    assert!(
        failures.is_empty(),
        "{} of {} differ from Pillow 13:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
    eprintln!(
        "{} files in 7 formats: every RGB byte Pillow's",
        files.len()
    );
}

/// Formats Pillow does not open are a typed error naming the format; bytes no format claims are
/// Pillow's "cannot identify image file".
#[test]
fn formats_pillow_does_not_open_are_named() {
    let cases: [(&[u8], &str); 3] = [
        (b"\x76\x2f\x31\x01\x02\x00\x00\x00channels", "OpenEXR"),
        (
            b"farbfeld\x00\x00\x00\x01\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00",
            "Farbfeld",
        ),
        (
            b"#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y 1 +X 1\n\x00\x00\x00\x00",
            "Radiance HDR",
        ),
    ];
    for (bytes, format) in cases {
        let err = Image::decode(bytes).unwrap_err();
        assert!(
            matches!(err, twinproc::Error::Unsupported(_)),
            "{format}: {err:?}"
        );
        let text = err.to_string();
        assert!(
            text.contains(format) && text.contains("Pillow does not open"),
            "{text}"
        );
        assert_eq!(text.lines().count(), 1, "{text}");
    }
    for bytes in [
        &b"PF\n1 1\n-1.0\n\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"[..],
        b"not an image at all",
    ] {
        let err = Image::decode(bytes).unwrap_err().to_string();
        assert!(err.ends_with("cannot identify image file"), "{err}");
    }
}
