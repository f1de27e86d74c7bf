//! Images as the processors take them: decoded images of any pixel type, or raw 8-bit arrays with an
//! explicit or inferred channel layout.

use crate::error::{BoxError, Error, Result};
use crate::kwargs::ChannelDimension;
use crate::numeric::Pixels;
use crate::numeric::convert::{self, ToRgb};
use image::{DynamicImage, ImageDecoder, ImageReader, Limits, RgbImage};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

/// Pillow's `Image.MAX_IMAGE_PIXELS` (`1024 * 1024 * 1024 // 4 // 3`): decoding an image of more
/// pixels logs a warning (Pillow's `DecompressionBombWarning`), of more than twice as many is
/// refused before its pixels are decoded (`DecompressionBombError`).
pub const PILLOW_MAX_IMAGE_PIXELS: u64 = 89_478_485;

/// The limit in force; `u64::MAX`: none.
static MAX_IMAGE_PIXELS: AtomicU64 = AtomicU64::new(PILLOW_MAX_IMAGE_PIXELS);

/// Sets the decompression-bomb limit of [`Image::open`] for the whole process, as assigning
/// `PIL.Image.MAX_IMAGE_PIXELS` does; `None` disables the check.
///
/// ```
/// use twinproc::image::{PILLOW_MAX_IMAGE_PIXELS, max_image_pixels, set_max_image_pixels};
/// assert_eq!(max_image_pixels(), Some(PILLOW_MAX_IMAGE_PIXELS));
/// set_max_image_pixels(None);
/// assert_eq!(max_image_pixels(), None);
/// set_max_image_pixels(Some(PILLOW_MAX_IMAGE_PIXELS));
/// ```
pub fn set_max_image_pixels(limit: Option<u64>) {
    MAX_IMAGE_PIXELS.store(limit.unwrap_or(u64::MAX), Ordering::Relaxed);
}

/// The decompression-bomb limit in force (`None`: disabled).
pub fn max_image_pixels() -> Option<u64> {
    Some(MAX_IMAGE_PIXELS.load(Ordering::Relaxed)).filter(|&limit| limit != u64::MAX)
}

/// Pillow's `_decompression_bomb_check`, on the size a file's header declares.
fn decompression_bomb_check(path: &Path, (width, height): (u32, u32)) -> Result<()> {
    let Some(limit) = max_image_pixels() else {
        return Ok(());
    };
    let pixels = u64::from(width.max(1)) * u64::from(height.max(1));
    let message = |limit: u64| {
        format!(
            "{}: image size ({pixels} pixels) exceeds limit of {limit} pixels, could be decompression bomb DOS attack",
            path.display()
        )
    };
    if pixels > limit.saturating_mul(2) {
        return Err(Error::TooLarge(message(limit.saturating_mul(2))));
    }
    if pixels > limit {
        tracing::warn!("{}", message(limit));
    }
    Ok(())
}

/// One input image.
#[derive(Debug, Clone)]
pub enum Image {
    /// A decoded image; `do_convert_rgb` treats it as transformers treats the same `PIL.Image`.
    Decoded(DynamicImage),
    /// 8-bit samples of shape `shape` (3 dimensions); `layout` says where the channel axis is, or
    /// `None` to infer it as transformers does.
    Array {
        data: Vec<u8>,
        shape: [usize; 3],
        layout: Option<ChannelDimension>,
    },
}

impl From<DynamicImage> for Image {
    fn from(image: DynamicImage) -> Self {
        Image::Decoded(image)
    }
}

impl From<RgbImage> for Image {
    fn from(image: RgbImage) -> Self {
        Image::Decoded(DynamicImage::ImageRgb8(image))
    }
}

/// Decodes an image from `reader` (named `path` in errors) within Pillow's limits: its text
/// chunks', then its pixels' (on the size its header declares, before any pixel is decoded).
fn decode<R: std::io::BufRead + std::io::Seek>(mut reader: R, path: &Path) -> Result<Image> {
    let decode_error = |source: BoxError| Error::Decode {
        path: path.to_path_buf(),
        message: String::new(),
        source: Some(source),
    };
    let io_error = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    crate::png_text::check(&mut reader, path)?;
    reader.rewind().map_err(io_error)?;
    let mut reader = ImageReader::new(reader)
        .with_guessed_format()
        .map_err(io_error)?;
    // Pillow's pixel limit, checked below on the header's size; the decoders' allocations
    // within what an image of twice as many 16-bit RGBA pixels takes.
    let max_alloc = max_image_pixels().map(|limit| limit.saturating_mul(2 * 8));
    let check = |size| decompression_bomb_check(path, size);
    let image = if reader.format() == Some(image::ImageFormat::Png) {
        crate::png_decode::decode_png(reader.into_inner(), path, max_alloc, check)?
    } else if reader.format() == Some(image::ImageFormat::Jpeg) {
        let mut data = Vec::new();
        reader
            .into_inner()
            .read_to_end(&mut data)
            .map_err(io_error)?;
        crate::jpeg_decode::decode_jpeg(&data, path, check)?
    } else {
        let mut limits = Limits::no_limits();
        limits.max_alloc = max_alloc;
        reader.limits(limits);
        let decoder = reader.into_decoder().map_err(|e| decode_error(e.into()))?;
        check(decoder.dimensions())?;
        DynamicImage::from_decoder(decoder).map_err(|e| decode_error(e.into()))?
    };
    if image.width() == 0 || image.height() == 0 {
        return Err(Error::Decode {
            path: path.to_path_buf(),
            message: "the image has no pixels".into(),
            source: None,
        });
    }
    Ok(Image::Decoded(image))
}

impl Image {
    /// Reads an image file as `PIL.Image.open(path)` handed to a processor is treated: first frame,
    /// no EXIF rotation, the file's own pixel type.
    ///
    /// ```
    /// # fn main() -> Result<(), twinproc::Error> {
    /// let err = twinproc::Image::open("no/such/file.png").unwrap_err();
    /// assert!(err.to_string().contains("no/such/file.png"));
    /// # Ok(()) }
    /// ```
    pub fn open(path: impl AsRef<Path>) -> Result<Image> {
        let path = path.as_ref();
        crate::files::regular_file(path)?;
        let file = std::fs::File::open(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        decode(std::io::BufReader::new(file), path)
    }

    /// Decodes an encoded image (PNG, JPEG, GIF bytes) as [`open`](Self::open) decodes a file;
    /// errors name it `<bytes>`.
    ///
    /// ```
    /// let err = twinproc::Image::decode(b"not an image").unwrap_err();
    /// assert!(err.to_string().starts_with("<bytes>: cannot decode image"));
    /// ```
    pub fn decode(bytes: &[u8]) -> Result<Image> {
        Self::decode_named(bytes, "<bytes>")
    }

    /// [`decode`](Self::decode), errors naming the bytes `name` (`<stdin>`, a URL).
    pub fn decode_named(bytes: &[u8], name: impl AsRef<Path>) -> Result<Image> {
        decode(std::io::Cursor::new(bytes), name.as_ref())
    }

    /// HWC samples (`height` rows of `width` pixels of `channels` samples).
    pub fn from_hwc(data: Vec<u8>, height: usize, width: usize, channels: usize) -> Image {
        Image::Array {
            data,
            shape: [height, width, channels],
            layout: Some(ChannelDimension::Last),
        }
    }

    /// CHW samples (`channels` planes of `height` rows of `width` samples).
    pub fn from_chw(data: Vec<u8>, channels: usize, height: usize, width: usize) -> Image {
        Image::Array {
            data,
            shape: [channels, height, width],
            layout: Some(ChannelDimension::First),
        }
    }

    /// The 8-bit pixels the pipeline starts from, in the image's own channels, and the conversion to
    /// RGB the backend applies when `convert_rgb` (`do_convert_rgb`) is set. `default_layout` is the
    /// call's `input_data_format`, used for arrays without their own.
    pub(crate) fn to_pixels(
        &self,
        convert_rgb: bool,
        default_layout: Option<ChannelDimension>,
    ) -> Result<(Pixels<'_>, ToRgb)> {
        let (pixels, convert) = match self {
            Image::Decoded(image) => {
                if image.width() == 0 || image.height() == 0 {
                    return Err(Error::InvalidImage("the image has no pixels".into()));
                }
                let pixels = convert::native(image)?;
                let to_rgb = ToRgb::for_decoded(pixels.channels);
                (pixels, to_rgb)
            }
            Image::Array {
                data,
                shape,
                layout,
            } => {
                let pixels = array_pixels(data, *shape, layout.or(default_layout))?;
                let to_rgb = if convert_rgb {
                    ToRgb::for_array(pixels.channels)?
                } else {
                    ToRgb::Keep
                };
                (pixels, to_rgb)
            }
        };
        Ok((pixels, if convert_rgb { convert } else { ToRgb::Keep }))
    }
}

/// transformers' `infer_channel_dimension_format` for a 3-D array: a leading axis of 1 or 3 means
/// channels first (also when the last axis could be channels too), else a trailing one means last.
pub fn infer_layout(shape: [usize; 3]) -> Result<ChannelDimension> {
    let is_channels = |n: usize| n == 1 || n == 3;
    if is_channels(shape[0]) {
        Ok(ChannelDimension::First)
    } else if is_channels(shape[2]) {
        Ok(ChannelDimension::Last)
    } else {
        Err(Error::InvalidImage(format!(
            "unable to infer the channel dimension of an array of shape {shape:?}; give the layout"
        )))
    }
}

fn array_pixels(
    data: &[u8],
    shape: [usize; 3],
    layout: Option<ChannelDimension>,
) -> Result<Pixels<'_>> {
    let layout = match layout {
        Some(layout) => layout,
        None => infer_layout(shape)?,
    };
    let (channels, height, width) = match layout {
        ChannelDimension::First => (shape[0], shape[1], shape[2]),
        ChannelDimension::Last => (shape[2], shape[0], shape[1]),
    };
    let expected = channels
        .checked_mul(height)
        .and_then(|n| n.checked_mul(width))
        .ok_or_else(|| Error::TooLarge(format!("array shape {shape:?}")))?;
    if !(1..=4).contains(&channels) {
        return Err(Error::InvalidImage(format!(
            "array of shape {shape:?} has {channels} channels; 1 to 4 are supported"
        )));
    }
    if expected == 0 {
        return Err(Error::InvalidImage(format!(
            "array of shape {shape:?} has no pixels"
        )));
    }
    if data.len() != expected {
        return Err(Error::InvalidImage(format!(
            "array of shape {shape:?} needs {expected} bytes, got {}",
            data.len()
        )));
    }
    let data = match layout {
        ChannelDimension::Last => std::borrow::Cow::Borrowed(data),
        ChannelDimension::First => {
            let plane = height * width;
            let mut hwc = vec![0u8; expected];
            for (i, px) in hwc.chunks_exact_mut(channels).enumerate() {
                for (c, v) in px.iter_mut().enumerate() {
                    *v = data[c * plane + i];
                }
            }
            std::borrow::Cow::Owned(hwc)
        }
    };
    Ok(Pixels {
        width,
        height,
        channels,
        data,
    })
}
