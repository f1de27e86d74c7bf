//! Encoded images decoded as Pillow 13 opens them (`PIL.Image.open`, first frame, no EXIF
//! rotation), each in the pixel type that carries what transformers' `convert_to_rgb` makes of
//! Pillow's mode: PNG, JPEG and GIF by decoders of our own settings, Netpbm, TIFF's CMYK, LA and
//! palette images, ICO, and BMP's and TGA's palette indices by hand where the `image` crate reads
//! them otherwise, the rest (BMP, WebP, QOI, TIFF) by the `image` crate. Formats Pillow does not open, and
//! those it opens that no decoder here reads, are a typed error naming the format.

mod bmp;
mod cmyk;
mod containers;
mod decoded;
mod exif;
mod gif;
mod ico;
mod jpeg;
pub mod jpeg_fast;
pub mod limits;
mod packed;
mod palette;
pub(crate) mod path;
mod png;
mod png_text;
mod pnm;
mod tga;
mod tiff;

use crate::error::{BoxError, Error, Result};
pub(crate) use cmyk::cmyk_to_rgb;
pub(crate) use decoded::{Decoded, Held};
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use limits::{decompression_bomb_check, max_alloc};
use std::io::{BufRead, Seek};
use std::path::Path;

/// Decodes an image from `reader` (named `path` in errors) within Pillow's limits: its text
/// chunks', then its pixels' (on the size its header declares, before any pixel is decoded).
pub(crate) fn decode<R: BufRead + Seek>(mut reader: R, path: &Path) -> Result<Decoded> {
    let io_error = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    png_text::check(&mut reader, path)?;
    reader.rewind().map_err(io_error)?;
    let mut start = [0u8; 2];
    let started = reader.fill_buf().map_err(io_error)?;
    start[..started.len().min(2)].copy_from_slice(&started[..started.len().min(2)]);
    let reader = ImageReader::new(reader)
        .with_guessed_format()
        .map_err(io_error)?;
    let check = |size| decompression_bomb_check(path, size);
    let all = |reader: ImageReader<R>| {
        let mut data = Vec::new();
        reader.into_inner().read_to_end(&mut data).map(|_| data)
    };
    let image = match reader.format() {
        Some(ImageFormat::Jpeg) if !pnm::accepts(&start) => {
            return with_pixels(
                jpeg::decode_jpeg(&all(reader).map_err(io_error)?, path, check)?,
                path,
            );
        }
        Some(ImageFormat::Tiff) if !pnm::accepts(&start) => {
            let data = all(reader).map_err(io_error)?;
            let decoded = match tiff::decode_tiff(&data, path, check)? {
                Some(decoded) => decoded,
                None => {
                    let image = with_image_crate(
                        ImageReader::with_format(std::io::Cursor::new(&data), ImageFormat::Tiff),
                        path,
                    )?;
                    match tiff::is_bilevel(&data) {
                        true => Decoded::bits(image),
                        false => Decoded::of(image),
                    }
                }
            };
            // Pillow turns a TIFF by its Orientation tag while loading it.
            let orientation = exif::orientation(&data, ImageFormat::Tiff).unwrap_or(1);
            let decoded = decoded.turned(|image| exif::transposed(image, orientation));
            return with_pixels(decoded, path);
        }
        _ if pnm::accepts(&start) => {
            let data = all(reader).map_err(io_error)?;
            return with_pixels(pnm::decode_pnm(&data, path, check)?, path);
        }
        Some(ImageFormat::Png) => {
            let decoded = png::decode_png(reader.into_inner(), path, max_alloc(), check)?;
            return with_pixels(decoded, path);
        }
        // Pillow opens a GIF's first frame as palette indices (mode `P`).
        Some(ImageFormat::Gif) => {
            let data = all(reader).map_err(io_error)?;
            return with_pixels(gif::first_frame(&data, path, check)?, path);
        }
        Some(ImageFormat::Ico) => ico::decode_ico(&all(reader).map_err(io_error)?, path, check)?,
        Some(ImageFormat::Bmp) => {
            let data = all(reader).map_err(io_error)?;
            let data = bmp::with_pillows_offset(&data).unwrap_or(data);
            let image = with_image_crate(
                ImageReader::with_format(std::io::Cursor::new(&data), ImageFormat::Bmp),
                path,
            )?;
            return with_pixels(bmp::as_pillow_opens(image, &data), path);
        }
        Some(format) if !opened_by_pillow(format) => {
            return Err(Error::Unsupported(format!(
                "{}: {} images, which Pillow does not open",
                path.display(),
                format_name(format)
            )));
        }
        Some(_) => with_image_crate(reader, path)?,
        None => {
            let data = all(reader).map_err(io_error)?;
            match tga::is_tga(&data) {
                true => return with_pixels(tga::decode_tga(&data, path, check)?, path),
                false => {
                    return Err(Error::Decode {
                        path: path.to_path_buf(),
                        message: "cannot identify image file".into(),
                        source: None,
                    });
                }
            }
        }
    };
    with_pixels(Decoded::of(image), path)
}

/// `decoded`, or the error of an image without pixels.
fn with_pixels(decoded: Decoded, path: &Path) -> Result<Decoded> {
    if decoded.image.width() == 0 || decoded.image.height() == 0 {
        return Err(Error::Decode {
            path: path.to_path_buf(),
            message: "the image has no pixels".into(),
            source: None,
        });
    }
    Ok(decoded)
}

/// Decodes with the `image` crate (BMP, WebP, QOI, plain TIFF), checking the header's size
/// against Pillow's limit before any pixel is decoded.
fn with_image_crate<R: BufRead + Seek>(
    mut reader: ImageReader<R>,
    path: &Path,
) -> Result<DynamicImage> {
    let format = reader.format();
    let decode_error = |source: image::ImageError| match source {
        image::ImageError::Unsupported(e) => Error::Unsupported(format!(
            "{}: {}{e}",
            path.display(),
            format
                .map(|f| format!("{} images: ", format_name(f)))
                .unwrap_or_default()
        )),
        other => Error::Decode {
            path: path.to_path_buf(),
            message: String::new(),
            source: Some(BoxError::from(other)),
        },
    };
    let mut limits = Limits::no_limits();
    limits.max_alloc = max_alloc();
    reader.limits(limits);
    let decoder = reader.into_decoder().map_err(decode_error)?;
    decompression_bomb_check(path, decoder.dimensions())?;
    DynamicImage::from_decoder(decoder).map_err(decode_error)
}

/// Whether Pillow 13 opens files of `format` (its wheels' plugins).
fn opened_by_pillow(format: ImageFormat) -> bool {
    !matches!(
        format,
        ImageFormat::OpenExr | ImageFormat::Farbfeld | ImageFormat::Hdr
    )
}

/// The name a user knows `format` by.
fn format_name(format: ImageFormat) -> &'static str {
    format
        .extensions_str()
        .first()
        .map_or("these", |ext| match *ext {
            "exr" => "OpenEXR",
            "ff" => "Farbfeld",
            "hdr" => "Radiance HDR",
            "avif" => "AVIF",
            "dds" => "DDS",
            "webp" => "WebP",
            "tiff" | "tif" => "TIFF",
            other => other,
        })
}
