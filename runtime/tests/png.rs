//! PNG read as Pillow reads it, on a file Pillow cannot write: Adam7-interlaced, whole and cut.

mod common;

use common::png_chunk;
use twinproc::Image;

/// An Adam7-interlaced 8-bit RGB PNG of `pixels`, written by hand from the specification (every
/// scanline filter 0); the offset where its zlib stream's checksum starts.
fn interlaced_png(width: u32, height: u32, pixels: &[u8]) -> (Vec<u8>, usize) {
    let passes = [
        (0, 0, 8, 8),
        (4, 0, 8, 8),
        (0, 4, 4, 8),
        (2, 0, 4, 4),
        (0, 2, 2, 4),
        (1, 0, 2, 2),
        (0, 1, 1, 2),
    ];
    let mut raw = Vec::new();
    for (x0, y0, dx, dy) in passes {
        if x0 >= width || y0 >= height {
            continue;
        }
        for y in (y0..height).step_by(dy as usize) {
            raw.push(0);
            for x in (x0..width).step_by(dx as usize) {
                let at = ((y * width + x) * 3) as usize;
                raw.extend_from_slice(&pixels[at..at + 3]);
            }
        }
    }
    let zlib = miniz_oxide::deflate::compress_to_vec_zlib(&raw, 6);
    let mut ihdr = width.to_be_bytes().to_vec();
    ihdr.extend(height.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 1]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(png_chunk(b"IHDR", &ihdr));
    let checksum = png.len() + 8 + zlib.len() - 4;
    png.extend(png_chunk(b"IDAT", &zlib));
    png.extend(png_chunk(b"IEND", &[]));
    (png, checksum)
}

fn pixels_of(image: Image) -> Vec<u8> {
    match image {
        Image::Decoded(decoded) | Image::Indexed(decoded) => decoded.as_bytes().to_vec(),
        Image::Array { data, .. } => data,
        Image::Cmyk { samples, .. } => samples,
    }
}

/// An interlaced PNG gives its pixels; cut after its last pass's bytes (in the zlib checksum) it
/// still does, as in Pillow; cut inside the passes it is truncated.
#[test]
fn interlaced_images_and_their_truncations() {
    let (width, height) = (13, 9);
    let pixels: Vec<u8> = (0..width * height * 3)
        .map(|v| (v * 7 % 251) as u8)
        .collect();
    let (png, checksum) = interlaced_png(width, height, &pixels);
    let whole = Image::decode(&png).expect("an interlaced PNG");
    assert_eq!(pixels_of(whole), pixels);
    let cut = Image::decode(&png[..checksum + 2]).expect("cut in the checksum");
    assert_eq!(pixels_of(cut), pixels);
    let err = Image::decode(&png[..checksum - 20]).expect_err("cut in the passes");
    assert!(err.to_string().contains("image file is truncated"), "{err}");
}
