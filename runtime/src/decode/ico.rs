//! ICO as Pillow's `IcoImagePlugin` opens it: the largest icon (of those, the least colour
//! depth), a PNG as PNG, a BMP as the upper half of its bitmap with the alpha of its own fourth
//! byte (32 bits per pixel) or of the AND mask below it (set bit: transparent).

use crate::error::{Error, Result};
use image::codecs::bmp::BmpDecoder;
use image::{DynamicImage, ImageBuffer, ImageDecoder};
use std::io::Cursor;
use std::path::Path;

/// One icon of the directory.
struct Entry {
    width: u32,
    height: u32,
    bpp: u16,
    size: usize,
    offset: usize,
    colour_depth: u32,
}

/// The directory's icons as Pillow orders them: by area, largest first, then by colour depth.
fn entries(data: &[u8]) -> Option<Vec<Entry>> {
    let u16_at = |at: usize| Some(u16::from_le_bytes(data.get(at..at + 2)?.try_into().ok()?));
    let u32_at = |at: usize| Some(u32::from_le_bytes(data.get(at..at + 4)?.try_into().ok()?));
    let count = usize::from(u16_at(4)?);
    let mut entries = (0..count)
        .map(|i| {
            let at = 6 + 16 * i;
            let (width, height) = (*data.get(at)?, *data.get(at + 1)?);
            let colours = *data.get(at + 2)?;
            let bpp = u16_at(at + 6)?;
            let colour_depth = match (bpp, colours) {
                (0, 0) => 256,
                (0, n) => f64::from(n).log2().ceil() as u32,
                (bpp, _) => u32::from(bpp),
            };
            Some(Entry {
                width: if width == 0 { 256 } else { u32::from(width) },
                height: if height == 0 { 256 } else { u32::from(height) },
                bpp,
                size: usize::try_from(u32_at(at + 8)?).ok()?,
                offset: usize::try_from(u32_at(at + 12)?).ok()?,
                colour_depth,
            })
        })
        .collect::<Option<Vec<_>>>()?;
    entries.sort_by_key(|e| e.colour_depth);
    entries.sort_by_key(|e| std::cmp::Reverse(e.width * e.height));
    Some(entries)
}

/// Decodes the ICO file `data`, checking the icon's size with `check` first.
pub(crate) fn decode_ico(
    data: &[u8],
    path: &Path,
    check: impl FnOnce((u32, u32)) -> Result<()>,
) -> Result<DynamicImage> {
    let failed = |message: &str| Error::Decode {
        path: path.to_path_buf(),
        message: message.into(),
        source: None,
    };
    let entries = entries(data).ok_or_else(|| failed("truncated ICO directory"))?;
    let entry = entries
        .first()
        .ok_or_else(|| failed("an ICO file without icons"))?;
    let icon = data
        .get(entry.offset..)
        .filter(|icon| icon.len() >= 8)
        .ok_or_else(|| failed("an icon past the end of the file"))?;
    if icon.starts_with(b"\x89PNG\r\n\x1a\n") {
        return super::png::decode_png(Cursor::new(icon), path, super::limits::max_alloc(), check)
            .map(|decoded| decoded.image);
    }
    bitmap(data, entry, path, check)
}

/// A BMP icon: its header, palette and XOR bitmap made a BMP file of half the height for the
/// `image` crate, and the alpha read here.
fn bitmap(
    data: &[u8],
    entry: &Entry,
    path: &Path,
    check: impl FnOnce((u32, u32)) -> Result<()>,
) -> Result<DynamicImage> {
    let failed = |source: Option<image::ImageError>| Error::Decode {
        path: path.to_path_buf(),
        message: if source.is_some() {
            String::new()
        } else {
            "truncated icon bitmap".into()
        },
        source: source.map(Into::into),
    };
    let dib = &data[entry.offset..];
    let u32_at = |at: usize| Some(u32::from_le_bytes(dib.get(at..at + 4)?.try_into().ok()?));
    let u16_at = |at: usize| Some(u16::from_le_bytes(dib.get(at..at + 2)?.try_into().ok()?));
    let header = (|| {
        let header_size = usize::try_from(u32_at(0)?).ok()?;
        let width = i32::try_from(u32_at(4)?).ok()?;
        let height = i32::try_from(u32_at(8)?).ok()?;
        let bpp = u16_at(14)?;
        let compression = u32_at(16)?;
        let used = u32_at(32)?;
        Some((header_size, width, height, bpp, compression, used))
    })();
    let Some((header_size, width, height, bpp, compression, used)) = header else {
        return Err(failed(None));
    };
    if header_size < 40 || width <= 0 || height <= 1 {
        return Err(failed(None));
    }
    let (width, height) = (width as u32, height as u32 / 2);
    check((width, height))?;
    let colours = match (used, bpp) {
        (0, 1..=8) => 1usize << bpp,
        (n, 1..=8) => n as usize,
        _ => 0,
    };
    let masks = if compression == 3 && header_size == 40 {
        12
    } else {
        0
    };
    let pixels_at = header_size + masks + 4 * colours;
    let mut file = Vec::with_capacity(14 + dib.len());
    file.extend_from_slice(b"BM");
    file.extend_from_slice(&((14 + dib.len()) as u32).to_le_bytes());
    file.extend_from_slice(&0u32.to_le_bytes());
    file.extend_from_slice(&((14 + pixels_at) as u32).to_le_bytes());
    file.extend_from_slice(dib);
    file[14 + 8..14 + 12].copy_from_slice(&height.to_le_bytes());
    let decoder = BmpDecoder::new(Cursor::new(file)).map_err(|e| failed(Some(e)))?;
    if decoder.dimensions() != (width, height) {
        return Err(failed(None));
    }
    let rgb = DynamicImage::from_decoder(decoder)
        .map_err(|e| failed(Some(e)))?
        .to_rgb8();
    let alpha = match entry.bpp {
        32 => {
            let bytes = width as usize * height as usize * 4;
            let pixels = dib
                .get(pixels_at..pixels_at + bytes)
                .ok_or_else(|| failed(None))?;
            bottom_up(pixels, width as usize * 4, |row, x| row[4 * x + 3], width)
        }
        _ => {
            let stride = width.next_multiple_of(32) as usize / 8;
            let bytes = stride * height as usize;
            let end = entry.offset + entry.size;
            let mask = end
                .checked_sub(bytes)
                .and_then(|start| data.get(start..end))
                .ok_or_else(|| failed(None))?;
            bottom_up(
                mask,
                stride,
                |row, x| {
                    if row[x / 8] >> (7 - x % 8) & 1 == 1 {
                        0
                    } else {
                        255
                    }
                },
                width,
            )
        }
    };
    let rgba = rgb
        .pixels()
        .zip(alpha)
        .flat_map(|(p, a)| [p[0], p[1], p[2], a])
        .collect();
    ImageBuffer::from_raw(width, height, rgba)
        .map(DynamicImage::ImageRgba8)
        .ok_or_else(|| Error::Internal("an icon's pixels do not fill its size".into()))
}

/// One value per pixel from rows of `stride` bytes stored bottom row first, top row first out.
fn bottom_up(
    rows: &[u8],
    stride: usize,
    value: impl Fn(&[u8], usize) -> u8,
    width: u32,
) -> Vec<u8> {
    rows.chunks_exact(stride)
        .rev()
        .flat_map(|row| {
            (0..width as usize)
                .map(|x| value(row, x))
                .collect::<Vec<_>>()
        })
        .collect()
}
