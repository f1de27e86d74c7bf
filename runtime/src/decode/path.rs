//! A file as transformers 5.23 loads a path string it is given, which differs by backend:
//!
//! - `pil` (`image_utils.load_image`): `PIL.Image.open`, `ImageOps.exif_transpose` (EXIF's
//!   orientation, else XMP's), then `convert("RGB")`, which drops an alpha band instead of
//!   compositing it; a palette image whose `tRNS` makes one entry transparent keeps that entry's
//!   colour as a colour key, and the backend's `convert_to_rgb` then turns every pixel of that
//!   colour white.
//! - `torchvision` (`load_image_as_tensor`, torchcodec absent):
//!   `torchvision.io.decode_image(path, ImageReadMode.RGB, apply_exif_orientation=True)`: JPEG,
//!   PNG, GIF and WebP only; alpha and palette transparency dropped; every frame of a GIF.
//!
//! A GIF's transparent index is a colour key on `pil` too (the first frame's), and shows the
//! screen's background colour on `torchvision`. Not reproduced yet, and refused rather than
//! answered wrongly: 16-bit PNGs on `torchvision` (decoded as uint16 and processed unscaled there).

use super::{exif, gif};
use crate::error::{Error, Result};
use crate::numeric::Numerics;
use image::{AnimationDecoder, DynamicImage, ImageFormat};
use std::path::Path;

/// The images transformers makes of the file `data` (named `path`) given as a path string to a
/// processor of `numerics`: one, or a GIF's frames on `torchvision`; each 8-bit gray or RGB.
pub(crate) fn load(data: &[u8], path: &Path, numerics: Numerics) -> Result<Vec<DynamicImage>> {
    let format = image::guess_format(data).ok();
    // A TIFF's orientation Pillow applies while loading, and then forgets: not again here.
    let exif_orientation = format
        .filter(|f| *f != ImageFormat::Tiff)
        .and_then(|f| exif::orientation(data, f));
    // Pillow reads XMP's orientation where EXIF has none; torchvision does not.
    let pillow_orientation = exif_orientation
        .or_else(|| format.and_then(|f| exif::xmp_orientation(data, f)))
        .unwrap_or(1);
    let unsupported = |what: &str| Error::Unsupported(format!("{}: {what}", path.display()));
    let (images, orientation) = match numerics {
        Numerics::Pil => {
            // `load_image` converts to RGB (CMYK as Pillow's `convert("RGB")`).
            let image = super::decode(std::io::Cursor::new(data), path)?.into_rgb_if_cmyk();
            let key = match format {
                Some(ImageFormat::Png) => png_colour_key(data),
                Some(ImageFormat::Gif) => gif::first_frame_key(data),
                _ => None,
            };
            // A GIF's transparent pixels are the key's colour in Pillow's frame.
            let image = match key {
                Some(key) => with_transparent_as(image, key),
                None => image,
            };
            (vec![keyed(without_alpha(image), key)], pillow_orientation)
        }
        Numerics::Torchvision => {
            let frames = match format {
                Some(ImageFormat::Gif) => gif_frames(data, path)?,
                Some(ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP) => {
                    vec![super::decode(std::io::Cursor::new(data), path)?.into_rgb_if_cmyk()]
                }
                _ => {
                    return Err(unsupported(
                        "torchvision's decode_image: Unsupported image file. Only jpeg, png, webp and gif are currently supported.",
                    ));
                }
            };
            if frames.iter().any(is_16_bit) {
                return Err(unsupported(
                    "a 16-bit PNG given as a path to the torchvision backend (decoded as uint16 and processed unscaled there; not reproduced)",
                ));
            }
            let orientation = match format {
                Some(ImageFormat::Jpeg | ImageFormat::Png) => exif_orientation.unwrap_or(1),
                _ => 1,
            };
            (frames.into_iter().map(without_alpha).collect(), orientation)
        }
    };
    Ok(images
        .into_iter()
        .map(|image| exif::transposed(image, orientation))
        .collect())
}

/// `image` with its transparent pixels (alpha 0) made opaque `colour`.
fn with_transparent_as(image: DynamicImage, colour: [u8; 3]) -> DynamicImage {
    match image {
        DynamicImage::ImageRgba8(mut rgba) => {
            for pixel in rgba.pixels_mut().filter(|p| p[3] == 0) {
                pixel.0 = [colour[0], colour[1], colour[2], 255];
            }
            DynamicImage::ImageRgba8(rgba)
        }
        other => other,
    }
}

fn has_alpha(image: &DynamicImage) -> bool {
    image
        .as_rgba8()
        .is_some_and(|rgba| rgba.pixels().any(|p| p[3] < 255))
}

fn is_16_bit(image: &DynamicImage) -> bool {
    matches!(
        image,
        DynamicImage::ImageLuma16(_)
            | DynamicImage::ImageLumaA16(_)
            | DynamicImage::ImageRgb16(_)
            | DynamicImage::ImageRgba16(_)
    )
}

/// `convert("RGB")`'s treatment of alpha: dropped (gray with alpha keeps its gray).
fn without_alpha(image: DynamicImage) -> DynamicImage {
    match image {
        DynamicImage::ImageLumaA8(_) => DynamicImage::ImageLuma8(image.to_luma8()),
        DynamicImage::ImageRgba8(_) => DynamicImage::ImageRgb8(image.to_rgb8()),
        DynamicImage::ImageLumaA16(_) => DynamicImage::ImageLuma16(image.to_luma16()),
        DynamicImage::ImageRgba16(_) => DynamicImage::ImageRgb16(image.to_rgb16()),
        other => other,
    }
}

/// Every pixel of colour `key` white: `convert_to_rgb` compositing an RGB image whose
/// `info["transparency"]` is that colour.
fn keyed(image: DynamicImage, key: Option<[u8; 3]>) -> DynamicImage {
    let Some(key) = key else {
        return image;
    };
    let mut rgb = image.to_rgb8();
    for pixel in rgb.pixels_mut() {
        if pixel.0 == key {
            pixel.0 = [255; 3];
        }
    }
    DynamicImage::ImageRgb8(rgb)
}

/// The colour Pillow keeps as `info["transparency"]` of a palette PNG whose `tRNS` makes exactly
/// one entry fully transparent and the rest opaque (`PngImagePlugin`'s `_simple_palette`).
fn png_colour_key(data: &[u8]) -> Option<[u8; 3]> {
    let mut palette = None;
    for (kind, body) in super::containers::png_chunks(data) {
        match kind {
            b"IHDR" if body.get(9) != Some(&3) => return None,
            b"PLTE" => palette = Some(body),
            b"tRNS" => {
                let mut zeros = body.iter().enumerate().filter(|(_, a)| **a == 0);
                let (index, _) = zeros.next()?;
                let simple = zeros.next().is_none() && body.iter().all(|&a| a == 0 || a == 255);
                let entry = palette?.get(3 * index..3 * index + 3)?;
                return simple.then(|| [entry[0], entry[1], entry[2]]);
            }
            b"IDAT" | b"IEND" => return None,
            _ => {}
        }
    }
    None
}

/// Every frame of a GIF as composed for display, for `torchvision.io.decode_gif`.
fn gif_frames(data: &[u8], path: &Path) -> Result<Vec<DynamicImage>> {
    let failed = |e: image::ImageError| Error::Decode {
        path: path.to_path_buf(),
        message: String::new(),
        source: Some(e.into()),
    };
    let decoder =
        image::codecs::gif::GifDecoder::new(std::io::Cursor::new(data)).map_err(failed)?;
    // Every frame is the whole screen: Pillow's limit on the screen's size, and on all frames'
    // pixels together twice that (as one image of them would be refused).
    let (width, height) = image::ImageDecoder::dimensions(&decoder);
    super::limits::decompression_bomb_check(path, (width, height))?;
    let screen = u64::from(width.max(1)) * u64::from(height.max(1));
    let most = super::limits::max_image_pixels().map_or(u64::MAX, |limit| limit.saturating_mul(2));
    let mut frames = Vec::new();
    for frame in decoder.into_frames() {
        if screen.saturating_mul(frames.len() as u64 + 1) > most {
            return Err(Error::TooLarge(format!(
                "{}: a GIF of more than {} frames of {width}x{height} (Pillow's pixel limit, twice over)",
                path.display(),
                frames.len()
            )));
        }
        frames.push(DynamicImage::ImageRgba8(
            frame.map_err(failed)?.into_buffer(),
        ));
    }
    if !frames.iter().any(has_alpha) {
        return Ok(frames);
    }
    // What no frame has drawn yet shows the screen's background colour.
    let background = gif::background(data).ok_or_else(|| {
        Error::Unsupported(format!(
            "{}: a GIF with transparency and no global palette given as a path to the torchvision backend",
            path.display()
        ))
    })?;
    Ok(frames
        .into_iter()
        .map(|f| with_transparent_as(f, background))
        .collect())
}
