//! PNG pixels as Pillow reads them: row by row as the data arrives, the image complete once its
//! last row is. Pillow's ZIP decoder stops there (`ZipDecode.c`: done when the last row is out),
//! so a file cut inside its zlib checksum, its CRC or its IEND still opens whole; cut before the
//! last row it is "image file is truncated". The `png` crate reads the rows; what it reads after
//! the last one is never asked for.

use super::decoded::Decoded;
use super::palette::looked_up;
use crate::error::{BoxError, Error, Result};
use image::{DynamicImage, ImageBuffer};
use png::{BitDepth, ColorType, Transformations};
use std::path::Path;

/// Decodes a PNG (its first frame, as Pillow opens it) into the image crate's types, checking the
/// header's size with `check` before any pixel buffer is allocated; `max_alloc` bounds the
/// decoder's own buffers.
pub(crate) fn decode_png<R: std::io::BufRead + std::io::Seek>(
    reader: R,
    path: &Path,
    max_alloc: Option<u64>,
    check: impl FnOnce((u32, u32)) -> Result<()>,
) -> Result<Decoded> {
    let read = read_rows(reader, path, max_alloc, check)?;
    let (width, height) = (read.info.width, read.info.height);
    // Pillow holds a palette image's indices (mode `P`) and a 1-bit gray image's bits (`1`).
    if read.info.color_type == ColorType::Indexed {
        let depth = read.info.bit_depth as usize;
        let indices = super::packed::unpacked(&read.pixels, read.stride, (width, height), depth);
        let colours = colours_of(&indices, (width, height), &read.palette)
            .ok_or_else(|| failed(path, "unsupported PNG pixel layout", None))?;
        return Ok(Decoded::palette(
            colours,
            image::GrayImage::from_raw(width, height, indices),
        ));
    }
    let image = image_of(width, height, read.output.0, read.output.1, read.pixels)
        .ok_or_else(|| failed(path, "unsupported PNG pixel layout", None))?;
    Ok(match (read.info.color_type, read.info.bit_depth) {
        (ColorType::Grayscale, BitDepth::One) => Decoded::bits(image),
        _ => Decoded::of(image),
    })
}

/// A palette image's colours as Pillow reads them: each index's PLTE entry (black past its end),
/// with the tRNS chunk's alpha (255 past its end) where there is one: every entry of a tRNS
/// longer than the palette too (`putpalettealphas`), which the `png` crate would ignore.
fn colours_of(
    indices: &[u8],
    (width, height): (u32, u32),
    palette: &Palette,
) -> Option<DynamicImage> {
    let mut entries = [[0, 0, 0, 255u8]; 256];
    for (entry, rgb) in entries.iter_mut().zip(palette.plte.chunks_exact(3)) {
        entry[..3].copy_from_slice(rgb);
    }
    let channels = if palette.trns.is_some() { 4 } else { 3 };
    if let Some(trns) = &palette.trns {
        for (entry, &alpha) in entries.iter_mut().zip(trns) {
            entry[3] = alpha;
        }
    }
    match channels {
        4 => ImageBuffer::from_raw(width, height, looked_up::<4>(indices, &entries))
            .map(DynamicImage::ImageRgba8),
        _ => ImageBuffer::from_raw(width, height, looked_up::<3>(indices, &entries))
            .map(DynamicImage::ImageRgb8),
    }
}

/// What one decoding of a PNG gives.
struct Rows {
    /// The header's size, colour type and depth.
    info: Header,
    /// The output's colour type and depth.
    output: (ColorType, BitDepth),
    /// Bytes a row.
    stride: usize,
    pixels: Vec<u8>,
    /// A palette image's palette.
    palette: Palette,
}

struct Header {
    width: u32,
    height: u32,
    color_type: ColorType,
    bit_depth: BitDepth,
}

/// A palette image's PLTE and tRNS chunks.
#[derive(Default)]
struct Palette {
    plte: Vec<u8>,
    trns: Option<Vec<u8>>,
}

/// The decoding error of `path`.
fn failed(path: &Path, message: &str, source: Option<BoxError>) -> Error {
    Error::Decode {
        path: path.to_path_buf(),
        message: message.into(),
        source,
    }
}

/// Reads the PNG at `reader` row by row, to its last row: a palette image's indices as they are
/// packed, any other image expanded to what Pillow's modes hold (transparency to alpha, low bit
/// depths to 8).
fn read_rows<R: std::io::BufRead + std::io::Seek>(
    reader: R,
    path: &Path,
    max_alloc: Option<u64>,
    check: impl FnOnce((u32, u32)) -> Result<()>,
) -> Result<Rows> {
    let decoding = |e: png::DecodingError| failed(path, "", Some(e.into()));
    // Cut before the pixels, Pillow's chunk reader says "Truncated File Read".
    let header = |e: png::DecodingError| match is_truncation(&e) {
        true => failed(path, "truncated file read", Some(e.into())),
        false => decoding(e),
    };
    let bytes = max_alloc.map_or(usize::MAX, |b| usize::try_from(b).unwrap_or(usize::MAX));
    let mut decoder = png::Decoder::new_with_limits(reader, png::Limits { bytes });
    let indexed = decoder.read_header_info().map_err(header)?.color_type == ColorType::Indexed;
    decoder.set_transformations(match indexed {
        true => Transformations::IDENTITY,
        false => Transformations::EXPAND,
    });
    let mut reader = decoder.read_info().map_err(header)?;
    let palette = match (indexed, reader.info().palette.as_deref()) {
        (true, Some(plte)) => Palette {
            plte: plte.to_vec(),
            trns: reader.info().trns.as_deref().map(<[u8]>::to_vec),
        },
        (true, None) => return Err(failed(path, "missing palette of indexed image", None)),
        (false, _) => Palette::default(),
    };
    let info = reader.info();
    let info = Header {
        width: info.width,
        height: info.height,
        color_type: info.color_type,
        bit_depth: info.bit_depth,
    };
    let (width, height) = (info.width, info.height);
    check((width, height))?;
    let (color, depth) = reader.output_color_type();
    let too_large = || Error::TooLarge(format!("{}: a PNG of {width}x{height}", path.display()));
    let stride = reader.output_line_size(width).ok_or_else(too_large)?;
    let len = stride.checked_mul(height as usize).ok_or_else(too_large)?;
    let mut pixels = vec![0u8; len];
    let rows = rows_of(width, height, reader.info().interlaced);
    let bits = color.samples() as u8 * depth as u8;
    let mut read = 0;
    while read < rows {
        let row = match reader.next_interlaced_row() {
            Ok(Some(row)) => row,
            Ok(None) => break,
            Err(e) if is_truncation(&e) => {
                return Err(failed(path, "image file is truncated", Some(e.into())));
            }
            Err(e) => return Err(decoding(e)),
        };
        match row.interlace() {
            png::InterlaceInfo::Adam7(pass) => {
                png::expand_interlaced_row(&mut pixels, stride, row.data(), pass, bits)
            }
            png::InterlaceInfo::Null(_) => {
                let at = read * stride;
                pixels[at..at + stride].copy_from_slice(row.data());
            }
        }
        read += 1;
    }
    if read < rows {
        return Err(failed(path, "image file is truncated", None));
    }
    Ok(Rows {
        info,
        output: (color, depth),
        stride,
        pixels,
        palette,
    })
}

/// Rows the decoder gives: the image's, or the sum of the Adam7 passes' (a pass without columns
/// has no rows).
fn rows_of(width: u32, height: u32, interlaced: bool) -> usize {
    if !interlaced {
        return height as usize;
    }
    const PASSES: [(u32, u32, u32, u32); 7] = [
        (0, 0, 8, 8),
        (4, 0, 8, 8),
        (0, 4, 4, 8),
        (2, 0, 4, 4),
        (0, 2, 2, 4),
        (1, 0, 2, 2),
        (0, 1, 1, 2),
    ];
    PASSES
        .iter()
        .filter(|&&(x0, _, _, _)| width > x0)
        .map(|&(_, y0, _, dy)| height.saturating_sub(y0).div_ceil(dy) as usize)
        .sum()
}

/// Whether decoding stopped because the data ran out.
fn is_truncation(e: &png::DecodingError) -> bool {
    matches!(e, png::DecodingError::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof)
        || matches!(e, png::DecodingError::Format(f) if f.to_string().contains("EOF"))
}

/// The decoded rows (big-endian 16-bit samples) as the image crate's pixel type.
fn image_of(
    width: u32,
    height: u32,
    color: ColorType,
    depth: BitDepth,
    pixels: Vec<u8>,
) -> Option<DynamicImage> {
    let wide = || -> Vec<u16> {
        pixels
            .chunks_exact(2)
            .map(|b| u16::from_be_bytes([b[0], b[1]]))
            .collect()
    };
    Some(match (color, depth) {
        (ColorType::Grayscale, BitDepth::Eight) => {
            DynamicImage::ImageLuma8(ImageBuffer::from_raw(width, height, pixels)?)
        }
        (ColorType::GrayscaleAlpha, BitDepth::Eight) => {
            DynamicImage::ImageLumaA8(ImageBuffer::from_raw(width, height, pixels)?)
        }
        (ColorType::Rgb, BitDepth::Eight) => {
            DynamicImage::ImageRgb8(ImageBuffer::from_raw(width, height, pixels)?)
        }
        (ColorType::Rgba, BitDepth::Eight) => {
            DynamicImage::ImageRgba8(ImageBuffer::from_raw(width, height, pixels)?)
        }
        (ColorType::Grayscale, BitDepth::Sixteen) => {
            DynamicImage::ImageLuma16(ImageBuffer::from_raw(width, height, wide())?)
        }
        (ColorType::GrayscaleAlpha, BitDepth::Sixteen) => {
            DynamicImage::ImageLumaA16(ImageBuffer::from_raw(width, height, wide())?)
        }
        (ColorType::Rgb, BitDepth::Sixteen) => {
            DynamicImage::ImageRgb16(ImageBuffer::from_raw(width, height, wide())?)
        }
        (ColorType::Rgba, BitDepth::Sixteen) => {
            DynamicImage::ImageRgba16(ImageBuffer::from_raw(width, height, wide())?)
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::rows_of;

    /// Adam7's rows, counted by hand for small images (a pass whose columns start past the
    /// width has none).
    #[test]
    fn interlaced_rows_are_the_passes_rows() {
        assert_eq!(rows_of(1, 1, true), 1);
        assert_eq!(rows_of(8, 8, true), 1 + 1 + 1 + 2 + 2 + 4 + 4);
        assert_eq!(
            rows_of(1, 8, true),
            [1, 0, 1, 0, 2, 0, 4].iter().sum::<usize>()
        );
        assert_eq!(
            rows_of(5, 3, true),
            [1, 1, 0, 1, 1, 2, 1].iter().sum::<usize>()
        );
        assert_eq!(rows_of(7, 9, false), 9);
    }
}
