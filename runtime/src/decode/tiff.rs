//! The TIFF images whose Pillow mode the `image` crate does not keep, read through the `tiff`
//! crate: CMYK (Pillow's `cmyk2rgb` on the file's own samples), gray with alpha (mode `LA`), and
//! 8-bit palette images (mode `P`: each index's colour from the ColorMap's high bytes, as
//! `TiffImagePlugin` builds its palette). The rest (RGB, RGBA, L, 1, I;16) the `image` crate
//! decodes as Pillow does.

use super::decoded::Decoded;
use crate::error::{Error, Result};
use ::tiff::ColorType;
use ::tiff::decoder::{Decoder, DecodingResult};
use ::tiff::tags::Tag;
use image::{DynamicImage, ImageBuffer};
use std::io::Cursor;
use std::path::Path;

/// TIFF's PhotometricInterpretation tag, and its values for palette and black-is-zero gray.
const PHOTOMETRIC: u16 = 262;
const PALETTE: u16 = 3;
const BLACK_IS_ZERO: u16 = 1;

/// Decodes `data` if it is one of this module's kinds (`None`: the `image` crate's), checking its
/// size with `check` before its pixels are decoded.
pub(crate) fn decode_tiff(
    data: &[u8],
    path: &Path,
    check: impl FnOnce((u32, u32)) -> Result<()>,
) -> Result<Option<Decoded>> {
    let failed = |e: ::tiff::TiffError| Error::Decode {
        path: path.to_path_buf(),
        message: String::new(),
        source: Some(e.into()),
    };
    let mut decoder = Decoder::new(Cursor::new(data)).map_err(failed)?;
    let photometric = decoder
        .find_tag_unsigned::<u16>(Tag::PhotometricInterpretation)
        .map_err(failed)?;
    if photometric == Some(PALETTE) {
        return palette(data, path, check)
            .map(|(colours, indices)| Some(Decoded::palette(colours, Some(indices))));
    }
    let (width, height) = decoder.dimensions().map_err(failed)?;
    let kind = match decoder.colortype() {
        Ok(ColorType::CMYK(8)) => ColorType::CMYK(8),
        Ok(ColorType::Multiband {
            bit_depth: 8,
            num_samples: 2,
        }) => ColorType::GrayA(8),
        _ => return Ok(None),
    };
    check((width, height))?;
    let samples = bytes(decoder.read_image().map_err(failed)?, path)?;
    let image = match kind {
        ColorType::CMYK(_) => ImageBuffer::from_raw(width, height, samples).map(Decoded::cmyk),
        _ => ImageBuffer::from_raw(width, height, samples)
            .map(|la| Decoded::of(DynamicImage::ImageLumaA8(la))),
    };
    image
        .map(Some)
        .ok_or_else(|| Error::Internal("a TIFF's samples do not fill its size".into()))
}

/// The 8-bit samples of a decoded image.
fn bytes(decoded: DecodingResult, path: &Path) -> Result<Vec<u8>> {
    match decoded {
        DecodingResult::U8(samples) => Ok(samples),
        _ => Err(Error::Internal(format!(
            "{}: 8-bit TIFF samples came out wider",
            path.display()
        ))),
    }
}

/// A palette image: its indices read as 8-bit gray (the `tiff` crate does not read palette
/// images; the first directory's PhotometricInterpretation is changed to black-is-zero in a
/// copy), and their colours, each its ColorMap entry.
fn palette(
    data: &[u8],
    path: &Path,
    check: impl FnOnce((u32, u32)) -> Result<()>,
) -> Result<(DynamicImage, image::GrayImage)> {
    let failed = |e: ::tiff::TiffError| Error::Decode {
        path: path.to_path_buf(),
        message: String::new(),
        source: Some(e.into()),
    };
    let unsupported = |what: &str| {
        Error::Unsupported(format!(
            "{}: TIFF palette images {what} (8-bit classic TIFF only)",
            path.display()
        ))
    };
    let gray = as_gray(data).ok_or_else(|| unsupported("of this layout"))?;
    let mut decoder = Decoder::new(Cursor::new(gray.as_slice())).map_err(failed)?;
    if decoder.colortype().map_err(failed)? != ColorType::Gray(8) {
        return Err(unsupported("of other depths"));
    }
    let (width, height) = decoder.dimensions().map_err(failed)?;
    let map = decoder.get_tag_u16_vec(Tag::ColorMap).map_err(failed)?;
    if map.len() != 3 * 256 {
        return Err(unsupported("with a ColorMap of other than 256 entries"));
    }
    check((width, height))?;
    let indices = bytes(decoder.read_image().map_err(failed)?, path)?;
    let rgb = indices
        .iter()
        .flat_map(|&i| [0, 256, 512].map(|plane| (map[plane + usize::from(i)] >> 8) as u8))
        .collect();
    ImageBuffer::from_raw(width, height, rgb)
        .map(DynamicImage::ImageRgb8)
        .zip(ImageBuffer::from_raw(width, height, indices))
        .ok_or_else(|| Error::Internal("a TIFF's indices do not fill its size".into()))
}

/// Whether the TIFF `data` is bilevel (Pillow's mode `1`): gray of one bit per sample.
pub(crate) fn is_bilevel(data: &[u8]) -> bool {
    let Ok(mut decoder) = Decoder::new(Cursor::new(data)) else {
        return false;
    };
    let photometric = decoder.find_tag_unsigned::<u16>(Tag::PhotometricInterpretation);
    let bits = decoder.find_tag_unsigned_vec::<u16>(Tag::BitsPerSample);
    // BitsPerSample is 1 where the directory leaves it out.
    matches!(photometric, Ok(Some(0 | 1)))
        && matches!(bits.as_ref().map(|b| b.as_deref()), Ok(None | Some([1])))
}

/// A copy of the classic TIFF `data` whose first directory says black-is-zero gray in place of
/// palette; `None` if the directory cannot be walked.
fn as_gray(data: &[u8]) -> Option<Vec<u8>> {
    let tiff = super::containers::Tiff::new(data)?;
    let entry = tiff.entry(PHOTOMETRIC)?;
    let mut copy = data.to_vec();
    copy.get_mut(entry + 8..entry + 10)?
        .copy_from_slice(&tiff.short(BLACK_IS_ZERO));
    Some(copy)
}
