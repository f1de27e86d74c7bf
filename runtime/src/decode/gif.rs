//! What Pillow and transformers' path loading need of a GIF beyond its pixels: the first frame's
//! palette indices (Pillow's mode `P`), its transparent colour (Pillow keeps it as a colour key)
//! and the screen's background colour (what torchvision shows where no frame has drawn).

use image::GrayImage;

/// The first frame's palette indices as Pillow opens them: the screen's size (grown to hold the
/// frame), the frame's indices where it lies, its transparent index (or 0) elsewhere; `None` if
/// the `gif` crate cannot read them or they are not of the colours' `size` (checked before
/// anything of the size is allocated).
pub(crate) fn first_frame_indices(data: &[u8], size: (u32, u32)) -> Option<GrayImage> {
    let mut options = ::gif::DecodeOptions::new();
    options.set_color_output(::gif::ColorOutput::Indexed);
    // A frame of indices within Pillow's size holds at most a byte a pixel of it.
    let limit = u64::from(size.0) * u64::from(size.1);
    options.set_memory_limit(::gif::MemoryLimit::Bytes(limit.try_into().ok()?));
    let mut decoder = options.read_info(data).ok()?;
    let screen = (usize::from(decoder.width()), usize::from(decoder.height()));
    let frame = decoder.read_next_frame().ok()??;
    let (x0, y0) = (usize::from(frame.left), usize::from(frame.top));
    let (w, h) = (usize::from(frame.width), usize::from(frame.height));
    let (width, height) = (screen.0.max(x0 + w), screen.1.max(y0 + h));
    if (u32::try_from(width).ok()?, u32::try_from(height).ok()?) != size {
        return None;
    }
    let mut indices = vec![frame.transparent.unwrap_or(0); width * height];
    for (y, row) in frame.buffer.chunks_exact(w.max(1)).take(h).enumerate() {
        let at = (y0 + y) * width + x0;
        indices[at..at + w].copy_from_slice(&row[..w]);
    }
    GrayImage::from_raw(size.0, size.1, indices)
}

/// The logical screen's palette (if the file has one) and where the blocks after it start.
fn global_palette(data: &[u8]) -> Option<(Option<&[u8]>, usize)> {
    if !matches!(data.get(..6)?, b"GIF87a" | b"GIF89a") {
        return None;
    }
    let flags = *data.get(10)?;
    let size = 3 << ((flags & 7) + 1);
    match flags & 0x80 {
        0 => Some((None, 13)),
        _ => Some((Some(data.get(13..13 + size)?), 13 + size)),
    }
}

/// The background colour: the global palette's entry of the screen's background index.
pub(crate) fn background(data: &[u8]) -> Option<[u8; 3]> {
    let (palette, _) = global_palette(data)?;
    let index = usize::from(*data.get(11)?);
    let entry = palette?.get(3 * index..3 * index + 3)?;
    Some([entry[0], entry[1], entry[2]])
}

/// The colour of the first frame's transparent index (its graphic control extension's), from its
/// local palette or the global one.
pub(crate) fn first_frame_key(data: &[u8]) -> Option<[u8; 3]> {
    let (global, mut at) = global_palette(data)?;
    let mut transparent = None;
    loop {
        match *data.get(at)? {
            0x21 => {
                let label = *data.get(at + 1)?;
                at += 2;
                if label == 0xf9 && *data.get(at)? == 4 {
                    let packed = *data.get(at + 1)?;
                    transparent = (packed & 1 == 1).then_some(*data.get(at + 4)?);
                }
                // The extension's sub-blocks, to the empty one.
                loop {
                    let size = usize::from(*data.get(at)?);
                    at += 1 + size;
                    if size == 0 {
                        break;
                    }
                }
            }
            0x2c => {
                let flags = *data.get(at + 9)?;
                let palette = match flags & 0x80 {
                    0 => global?,
                    _ => data.get(at + 10..at + 10 + (3 << ((flags & 7) + 1)))?,
                };
                let index = usize::from(transparent?);
                let entry = palette.get(3 * index..3 * index + 3)?;
                return Some([entry[0], entry[1], entry[2]]);
            }
            _ => return None,
        }
    }
}
