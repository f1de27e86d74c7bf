//! BMP's one difference from the `image` crate's reading: a palette of grays is Pillow's mode `L`
//! (`1` for two colours), one gray channel, not the RGB the palette expands to; any other palette
//! is mode `P`, whose indices the `image` crate reads when asked.

use super::decoded::Decoded;
use image::codecs::bmp::BmpDecoder;
use image::{DynamicImage, GrayImage};

/// The BMP file `data`'s palette, if it has one (at most 8 bits a pixel): its colour count and
/// whether Pillow reads it as gray (`BmpImagePlugin`: entry `i` is `(i, i, i)`, or for two colours
/// the entries are black and white).
fn palette(data: &[u8]) -> Option<(usize, bool)> {
    let u32_at = |at: usize| {
        data.get(at..at + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    let u16_at = |at: usize| {
        data.get(at..at + 2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]))
    };
    let header_size = u32_at(14)?;
    // The OS/2 core header keeps its size and depth in 16-bit fields and 3-byte entries.
    let (bits, colours, entry) = match header_size {
        12 => (u16_at(24), None, 3),
        _ => (u16_at(28), u32_at(46), 4),
    };
    let Some(bits @ (1 | 4 | 8)) = bits else {
        return None;
    };
    let colours = match colours {
        Some(n) if n > 0 => n as usize,
        _ => 1 << bits,
    };
    let palette_at = 14 + header_size as usize;
    let values: Vec<u8> = match colours {
        2 => vec![0, 255],
        n => (0..n).map(|i| i as u8).collect(),
    };
    let gray = colours <= 256
        && values.iter().enumerate().all(|(i, &v)| {
            data.get(palette_at + i * entry..palette_at + i * entry + 3) == Some(&[v, v, v][..])
        });
    Some((colours, gray))
}

/// The `image` crate's decoding of the BMP file `data` in Pillow's mode.
pub(crate) fn as_pillow_opens(image: DynamicImage, data: &[u8]) -> Decoded {
    match (palette(data), image) {
        (Some((colours, true)), DynamicImage::ImageRgb8(rgb)) => {
            let (width, height) = rgb.dimensions();
            let gray = rgb.pixels().map(|p| p[0]).collect();
            let image = image::GrayImage::from_raw(width, height, gray)
                .map_or(DynamicImage::ImageRgb8(rgb), DynamicImage::ImageLuma8);
            // Two colours, black and white, are mode `1`.
            match colours {
                2 => Decoded::bits(image),
                _ => Decoded::of(image),
            }
        }
        (Some(_), image) => Decoded::palette(image, indices(data)),
        (None, image) => Decoded::of(image),
    }
}

/// The palette indices of an uncompressed BMP file (`None` for run-length encoded ones).
fn indices(data: &[u8]) -> Option<GrayImage> {
    let header_size = u32::from_le_bytes(data.get(14..18)?.try_into().ok()?);
    let compression = match header_size {
        12 => 0,
        _ => u32::from_le_bytes(data.get(30..34)?.try_into().ok()?),
    };
    if compression != 0 {
        return None;
    }
    let mut decoder = BmpDecoder::new(std::io::Cursor::new(data)).ok()?;
    decoder.set_indexed_color(true);
    match DynamicImage::from_decoder(decoder).ok()? {
        DynamicImage::ImageLuma8(indices) => Some(indices),
        _ => None,
    }
}
