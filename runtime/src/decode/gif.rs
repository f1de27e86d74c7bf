//! A GIF as Pillow opens it: its first frame's palette indices (mode `P`; `L` for a palette of
//! grays, which holds the same values) and their colours, the frame's transparent colour (Pillow
//! keeps it as a colour key) and the screen's background colour (what torchvision shows where no
//! frame has drawn).

use super::decoded::Decoded;
use super::palette::looked_up;
use crate::error::{Error, Result};
use image::{DynamicImage, GrayImage, ImageBuffer};
use std::path::Path;

/// The first frame as `GifImagePlugin` opens it, checking its size with `check` before its pixels
/// are decoded: the screen's size, grown to hold the frame; the frame's indices where it lies,
/// its transparent index (or 0) elsewhere. Their colours are each index's entry of the frame's
/// palette (its own, else the screen's; black past its end), with alpha where the frame has a
/// transparent index, none there (what transformers' `convert("RGBA")` makes of Pillow's
/// `info["transparency"]`).
pub(crate) fn first_frame(
    data: &[u8],
    path: &Path,
    check: impl FnOnce((u32, u32)) -> Result<()>,
) -> Result<Decoded> {
    let failed = |e: ::gif::DecodingError| Error::Decode {
        path: path.to_path_buf(),
        message: String::new(),
        source: Some(e.into()),
    };
    let mut options = ::gif::DecodeOptions::new();
    options.set_color_output(::gif::ColorOutput::Indexed);
    let mut decoder = options.read_info(data).map_err(failed)?;
    let screen = (usize::from(decoder.width()), usize::from(decoder.height()));
    let global = decoder.global_palette().map(<[u8]>::to_vec);
    let frame = decoder
        .next_frame_info()
        .map_err(failed)?
        .ok_or_else(|| Error::Decode {
            path: path.to_path_buf(),
            message: "image not found in GIF frame".into(),
            source: None,
        })?;
    let (x0, y0) = (usize::from(frame.left), usize::from(frame.top));
    let (w, h) = (usize::from(frame.width), usize::from(frame.height));
    let transparent = first_frame_blocks(data).map_or(frame.transparent, |(t, _)| t);
    let palette = frame.palette.clone().or(global).unwrap_or_default();
    let (width, height) = (screen.0.max(x0 + w), screen.1.max(y0 + h));
    // Both at most 2 x 65535.
    check((width as u32, height as u32))?;
    let too_large = || Error::TooLarge(format!("{}: a GIF of {width}x{height}", path.display()));
    let mut pixels = Vec::new();
    pixels.try_reserve_exact(w * h).map_err(|_| too_large())?;
    pixels.resize(w * h, 0);
    decoder.read_into_buffer(&mut pixels).map_err(failed)?;
    let mut indices = Vec::new();
    indices
        .try_reserve_exact(width * height)
        .map_err(|_| too_large())?;
    indices.resize(width * height, transparent.unwrap_or(0));
    for (y, row) in pixels.chunks_exact(w.max(1)).take(h).enumerate() {
        let at = (y0 + y) * width + x0;
        indices[at..at + w].copy_from_slice(row);
    }
    // Black past the palette's end; the transparent index's entry without alpha.
    let mut entries = [[0, 0, 0, 255u8]; 256];
    for (entry, rgb) in entries.iter_mut().zip(palette.chunks_exact(3)) {
        entry[..3].copy_from_slice(rgb);
    }
    let size = (width as u32, height as u32);
    let colours = match transparent {
        None => ImageBuffer::from_raw(size.0, size.1, looked_up::<3>(&indices, &entries))
            .map(DynamicImage::ImageRgb8),
        Some(key) => {
            entries[usize::from(key)][3] = 0;
            ImageBuffer::from_raw(size.0, size.1, looked_up::<4>(&indices, &entries))
                .map(DynamicImage::ImageRgba8)
        }
    };
    let colours =
        colours.ok_or_else(|| Error::Internal("a GIF's colours do not fill its size".into()))?;
    Ok(Decoded::palette(
        colours,
        GrayImage::from_raw(size.0, size.1, indices),
    ))
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

/// The colour of the first frame's transparent index, from its palette.
pub(crate) fn first_frame_key(data: &[u8]) -> Option<[u8; 3]> {
    let (transparent, palette) = first_frame_blocks(data)?;
    let index = usize::from(transparent?);
    let entry = palette?.get(3 * index..3 * index + 3)?;
    Some([entry[0], entry[1], entry[2]])
}

/// The first frame's transparent index and palette (its own, else the screen's), as
/// `GifImagePlugin` reads the blocks before it: each graphic control extension with the flag sets
/// the index, one without it leaves an earlier one's (the `gif` crate forgets it).
fn first_frame_blocks(data: &[u8]) -> Option<(Option<u8>, Option<&[u8]>)> {
    let (global, mut at) = global_palette(data)?;
    let mut transparent = None;
    loop {
        match *data.get(at)? {
            0x21 => {
                let label = *data.get(at + 1)?;
                at += 2;
                if label == 0xf9 && *data.get(at)? == 4 && *data.get(at + 1)? & 1 == 1 {
                    transparent = Some(*data.get(at + 4)?);
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
                    0 => global,
                    _ => Some(data.get(at + 10..at + 10 + (3 << ((flags & 7) + 1)))?),
                };
                return Some((transparent, palette));
            }
            _ => return None,
        }
    }
}
