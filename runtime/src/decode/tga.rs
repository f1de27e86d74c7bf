//! TGA, which has no signature: Pillow tries it on any file no other format claims, and takes it
//! if the 18-byte header is one it reads (`TgaImagePlugin._open`). The `image` crate decodes the
//! pixels; a colour-mapped image is Pillow's mode `P`, whose `convert("RGB")` takes the palette's
//! colours without its alpha.

use super::decoded::Decoded;
use crate::error::{Error, Result};
use image::codecs::tga::TgaDecoder;
use image::{DynamicImage, GrayImage, ImageBuffer, ImageDecoder};
use std::io::Cursor;
use std::path::Path;

/// Whether Pillow opens `data` as a TGA file: a colour-map type of 0 or 1, a size of at least one
/// pixel, a depth of 1, 8, 16, 24 or 32 bits, an image type it knows and a known orientation.
pub(crate) fn is_tga(data: &[u8]) -> bool {
    let Some(header) = data.get(..18) else {
        return false;
    };
    let u16_at = |at: usize| u16::from_le_bytes([header[at], header[at + 1]]);
    let (map_type, image_type, depth) = (header[1], header[2], header[16]);
    map_type <= 1
        && u16_at(12) > 0
        && u16_at(14) > 0
        && [1, 8, 16, 24, 32].contains(&depth)
        && [1, 2, 3, 9, 10, 11].contains(&image_type)
}

/// Decodes the TGA file `data`, checking its size with `check` first.
pub(crate) fn decode_tga(
    data: &[u8],
    path: &Path,
    check: impl FnOnce((u32, u32)) -> Result<()>,
) -> Result<Decoded> {
    let failed = |e: image::ImageError| Error::Decode {
        path: path.to_path_buf(),
        message: String::new(),
        source: Some(e.into()),
    };
    if data[2] == 3 && data[16] == 1 {
        return bilevel(data, path, check).map(Decoded::bits);
    }
    let decoder = TgaDecoder::new(Cursor::new(data)).map_err(failed)?;
    check(decoder.dimensions())?;
    let image = DynamicImage::from_decoder(decoder).map_err(failed)?;
    let colour_mapped = data[2] & 7 == 1;
    // A colour-mapped image is Pillow's mode `P`.
    Ok(match image {
        DynamicImage::ImageRgba8(rgba) if colour_mapped => Decoded::palette(
            DynamicImage::ImageRgb8(DynamicImage::ImageRgba8(rgba).to_rgb8()),
            indices(data),
        ),
        other if colour_mapped => Decoded::palette(other, indices(data)),
        other => Decoded::of(other),
    })
}

/// The indices of a colour-mapped image of 8-bit indices (types 1 and 9: raw and run-length
/// encoded), in the order the header says; `None` for other depths or data that ends early.
fn indices(data: &[u8]) -> Option<GrayImage> {
    let u16_at = |at: usize| usize::from(u16::from_le_bytes([data[at], data[at + 1]]));
    let (width, height) = (u16_at(12), u16_at(14));
    if data[16] != 8 {
        return None;
    }
    let map_bytes = match data[1] {
        1 => u16_at(5) * usize::from(data[7]).div_ceil(8),
        _ => 0,
    };
    let mut body = data.get(18 + usize::from(data[0]) + map_bytes..)?;
    let count = width * height;
    // Stored rows: raw, or packets of a repeated index or of literal ones, across rows.
    let stored = match data[2] {
        1 => body.get(..count)?.to_vec(),
        _ => {
            let mut stored = Vec::with_capacity(count);
            while stored.len() < count {
                let (&packet, rest) = body.split_first()?;
                let n = usize::from(packet & 0x7f) + 1;
                body = match packet & 0x80 {
                    0 => {
                        let (literal, rest) = rest.split_at_checked(n)?;
                        stored.extend_from_slice(literal);
                        rest
                    }
                    _ => {
                        let (&index, rest) = rest.split_first()?;
                        stored.extend(std::iter::repeat_n(index, n));
                        rest
                    }
                };
            }
            stored.truncate(count);
            stored
        }
    };
    let (top_first, mirrored) = (data[17] & 0x20 != 0, data[17] & 0x10 != 0);
    let mut indices = Vec::with_capacity(count);
    for y in 0..height {
        let row = &stored[width * if top_first { y } else { height - 1 - y }..][..width];
        match mirrored {
            true => indices.extend(row.iter().rev()),
            false => indices.extend_from_slice(row),
        }
    }
    GrayImage::from_raw(width as u32, height as u32, indices)
}

/// An uncompressed bilevel image (mode `1`, which the `image` crate does not read): rows of bits,
/// most significant first, each row padded to a byte, set bits white; bottom row first unless
/// the descriptor says top first, and mirrored if it says right to left.
fn bilevel(
    data: &[u8],
    path: &Path,
    check: impl FnOnce((u32, u32)) -> Result<()>,
) -> Result<DynamicImage> {
    let u16_at = |at: usize| usize::from(u16::from_le_bytes([data[at], data[at + 1]]));
    let (width, height) = (u16_at(12), u16_at(14));
    check((width as u32, height as u32))?;
    let map_bytes = match data[1] {
        1 => u16_at(5) * usize::from(data[7]).div_ceil(8),
        _ => 0,
    };
    let start = 18 + usize::from(data[0]) + map_bytes;
    let stride = width.div_ceil(8);
    let rows = data
        .get(start..)
        .and_then(|pixels| pixels.get(..stride * height))
        .ok_or_else(|| Error::Decode {
            path: path.to_path_buf(),
            message: "image file is truncated".into(),
            source: None,
        })?;
    let (top_first, mirrored) = (data[17] & 0x20 != 0, data[17] & 0x10 != 0);
    let mut pixels = Vec::with_capacity(width * height);
    for y in 0..height {
        let row = &rows[stride * if top_first { y } else { height - 1 - y }..][..stride];
        pixels.extend((0..width).map(|x| {
            let x = if mirrored { width - 1 - x } else { x };
            if row[x / 8] >> (7 - x % 8) & 1 == 1 {
                255
            } else {
                0
            }
        }));
    }
    ImageBuffer::from_raw(width as u32, height as u32, pixels)
        .map(DynamicImage::ImageLuma8)
        .ok_or_else(|| Error::Internal("a TGA's rows do not fill its size".into()))
}
