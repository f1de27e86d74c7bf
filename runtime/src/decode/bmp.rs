//! BMP's differences from the `image` crate's reading: a palette of grays is Pillow's mode `L`
//! (`1` for two colours), one gray channel, not the RGB the palette expands to; any other palette
//! is mode `P`, whose indices are read here; and where a palette image's pixels start.

use super::decoded::Decoded;
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

/// A copy of the palette BMP file `data` whose pixel data offset is where Pillow reads the pixels
/// from (`BmpImagePlugin`): after the palette where the header's offset is the palette's start or
/// 0 (the file position after the palette); `None` where it reads them from the header's.
pub(crate) fn with_pillows_offset(data: &[u8]) -> Option<Vec<u8>> {
    let (colours, _) = palette(data)?;
    let header_size = u32::from_le_bytes(data.get(14..18)?.try_into().ok()?);
    let offset = u32::from_le_bytes(data.get(10..14)?.try_into().ok()?);
    let entry = if header_size == 12 { 3 } else { 4 };
    let palette_at = 14u32.checked_add(header_size)?;
    if offset != palette_at && offset != 0 {
        return None;
    }
    let pixels_at = palette_at.checked_add(u32::try_from(entry * colours).ok()?)?;
    let mut copy = data.to_vec();
    copy[10..14].copy_from_slice(&pixels_at.to_le_bytes());
    Some(copy)
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
        (Some(_), image) => {
            let size = (image.width(), image.height());
            Decoded::palette(image, indices(data, size))
        }
        (None, image) => Decoded::of(image),
    }
}

/// The palette indices of an uncompressed BMP file of 1, 4 or 8 bits a pixel, if it is of the
/// colours' `size` (`None` for run-length encoded files, or rows that end early): rows of packed
/// indices, each padded to 4 bytes, bottom row first unless the height is negative.
fn indices(data: &[u8], size: (u32, u32)) -> Option<GrayImage> {
    let u32_at = |at: usize| Some(u32::from_le_bytes(data.get(at..at + 4)?.try_into().ok()?));
    let u16_at = |at: usize| Some(u16::from_le_bytes(data.get(at..at + 2)?.try_into().ok()?));
    let (width, height, bits, compression) = match u32_at(14)? {
        // The OS/2 core header: unsigned 16-bit sizes, no compression.
        12 => (
            i64::from(u16_at(18)?),
            i64::from(u16_at(20)?),
            u16_at(24)?,
            0,
        ),
        _ => (
            i64::from(u32_at(18)? as i32),
            i64::from(u32_at(22)? as i32),
            u16_at(28)?,
            u32_at(30)?,
        ),
    };
    if compression != 0 || ![1, 4, 8].contains(&bits) {
        return None;
    }
    if (
        u32::try_from(width).ok()?,
        u32::try_from(height.abs()).ok()?,
    ) != size
    {
        return None;
    }
    let (w, h) = (size.0 as usize, size.1 as usize);
    let stride = (usize::from(bits) * w).div_ceil(32) * 4;
    let pixels = data.get(u32_at(10)? as usize..)?.get(..stride * h)?;
    // Top row first.
    let rows: Vec<u8> = match height < 0 {
        true => pixels.to_vec(),
        false => pixels
            .chunks_exact(stride)
            .rev()
            .flatten()
            .copied()
            .collect(),
    };
    let indices = super::packed::unpacked(&rows, stride, size, usize::from(bits));
    GrayImage::from_raw(size.0, size.1, indices)
}
