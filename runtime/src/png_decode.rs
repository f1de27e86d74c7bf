//! PNG pixels as Pillow reads them: row by row as the data arrives, the image complete once its
//! last row is. Pillow's ZIP decoder stops there (`ZipDecode.c`: done when the last row is out),
//! so a file cut inside its zlib checksum, its CRC or its IEND still opens whole; cut before the
//! last row it is "image file is truncated". The `png` crate reads the rows; what it reads after
//! the last one is never asked for.

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
) -> Result<DynamicImage> {
    let failed = |message: &str, source: Option<BoxError>| Error::Decode {
        path: path.to_path_buf(),
        message: message.into(),
        source,
    };
    let decoding = |e: png::DecodingError| failed("", Some(e.into()));
    let bytes = max_alloc.map_or(usize::MAX, |b| usize::try_from(b).unwrap_or(usize::MAX));
    let mut decoder = png::Decoder::new_with_limits(reader, png::Limits { bytes });
    // Palettes and transparency to RGB(A), low bit depths to 8: what Pillow's modes hold.
    decoder.set_transformations(Transformations::EXPAND);
    // Cut before the pixels, Pillow's chunk reader says "Truncated File Read".
    let mut reader = decoder.read_info().map_err(|e| match is_truncation(&e) {
        true => failed("truncated file read", Some(e.into())),
        false => decoding(e),
    })?;
    let (width, height) = (reader.info().width, reader.info().height);
    check((width, height))?;
    let (color, depth) = reader.output_color_type();
    let too_large = || Error::TooLarge(format!("{}: a PNG of {width}x{height}", path.display()));
    let stride = reader.output_line_size(width).ok_or_else(too_large)?;
    let len = stride.checked_mul(height as usize).ok_or_else(too_large)?;
    let mut pixels = vec![0u8; len];
    let rows = rows_of(width, height, reader.info().interlaced);
    let samples = color.samples() as u8;
    let mut read = 0;
    while read < rows {
        let row = match reader.next_interlaced_row() {
            Ok(Some(row)) => row,
            Ok(None) => break,
            Err(e) if is_truncation(&e) => {
                return Err(failed("image file is truncated", Some(e.into())));
            }
            Err(e) => return Err(decoding(e)),
        };
        match row.interlace() {
            png::InterlaceInfo::Adam7(pass) => png::expand_interlaced_row(
                &mut pixels,
                stride,
                row.data(),
                pass,
                samples * depth as u8,
            ),
            png::InterlaceInfo::Null(_) => {
                let at = read * stride;
                pixels[at..at + stride].copy_from_slice(row.data());
            }
        }
        read += 1;
    }
    if read < rows {
        return Err(failed("image file is truncated", None));
    }
    image_of(width, height, color, depth, pixels)
        .ok_or_else(|| failed("unsupported PNG pixel layout", None))
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
    use super::{decode_png, rows_of};
    use std::path::Path;

    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    fn chunk(png: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        png.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let start = png.len();
        png.extend_from_slice(kind);
        png.extend_from_slice(data);
        let crc = crc32(&png[start..]);
        png.extend_from_slice(&crc.to_be_bytes());
    }

    /// An Adam7-interlaced 8-bit RGB PNG of `pixels`, written by hand from the specification
    /// (every scanline filter 0); the offset where its zlib stream's checksum starts.
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
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut ihdr = Vec::new();
        ihdr.extend_from_slice(&width.to_be_bytes());
        ihdr.extend_from_slice(&height.to_be_bytes());
        ihdr.extend_from_slice(&[8, 2, 0, 0, 1]);
        chunk(&mut png, b"IHDR", &ihdr);
        let checksum = png.len() + 8 + zlib.len() - 4;
        chunk(&mut png, b"IDAT", &zlib);
        chunk(&mut png, b"IEND", &[]);
        (png, checksum)
    }

    fn decode(bytes: &[u8]) -> crate::error::Result<image::DynamicImage> {
        decode_png(
            std::io::Cursor::new(bytes),
            Path::new("<test>"),
            None,
            |_| Ok(()),
        )
    }

    /// An interlaced PNG gives its pixels; cut after its last pass's bytes (in the zlib
    /// checksum) it still does, as in Pillow; cut inside the passes it is truncated.
    #[test]
    fn interlaced_images_and_their_truncations() {
        let (width, height) = (13, 9);
        let pixels: Vec<u8> = (0..width * height * 3)
            .map(|v| (v * 7 % 251) as u8)
            .collect();
        let (png, checksum) = interlaced_png(width, height, &pixels);
        let whole = decode(&png).expect("an interlaced PNG");
        assert_eq!(whole.as_bytes(), pixels);
        let cut = decode(&png[..checksum + 2]).expect("cut in the checksum");
        assert_eq!(cut.as_bytes(), pixels);
        let err = decode(&png[..checksum - 20]).expect_err("cut in the passes");
        assert!(err.to_string().contains("image file is truncated"), "{err}");
    }

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
