//! Images as the processors take them: decoded images of any pixel type, or raw 8-bit arrays with an
//! explicit or inferred channel layout.

/// Whether JPEG decoding uses its vector inverse DCT and colour conversion (default) or libjpeg's
/// C functions; the bytes are the same (the tests decode both ways).
#[doc(hidden)]
pub use crate::decode::jpeg_fast::set_enabled as set_jpeg_fast_paths;
pub use crate::decode::limits::{PILLOW_MAX_IMAGE_PIXELS, max_image_pixels, set_max_image_pixels};
use crate::decode::{Held, cmyk_to_rgb};
use crate::error::{Error, Result};
use crate::kwargs::ChannelDimension;
use crate::numeric::convert::{self, ToRgb};
use crate::numeric::{Numerics, Pixels};
use image::{DynamicImage, GrayImage, RgbImage};
use std::borrow::Cow;
use std::path::Path;

/// One input image.
#[derive(Debug, Clone)]
pub enum Image {
    /// A decoded image; `do_convert_rgb` treats it as transformers treats the same `PIL.Image`.
    Decoded(DynamicImage),
    /// An image Pillow holds as palette indices (mode `P`: GIF, palette PNG, BMP, TIFF and TGA
    /// files): `do_convert_rgb` converts its colours as transformers does; without it, the indices
    /// are its one channel, as transformers reads them (refused where they were not read: a
    /// run-length encoded BMP, a TGA of wider indices).
    Palette {
        colours: DynamicImage,
        indices: Option<GrayImage>,
    },
    /// An image Pillow holds as bits (mode `1`: 1-bit PNG, BMP, TIFF, TGA and PBM files), as
    /// their colours, 0 and 255: `do_convert_rgb` converts them; without it, the bits are its one
    /// channel, 0 and 1, as transformers' PIL backend reads them, resized in `torchvision`
    /// numerics as its torchvision backend resizes a bool tensor (bilinear or nearest; other
    /// filters are refused).
    Bits(GrayImage),
    /// A CMYK image (Pillow's mode `CMYK`: JPEG and TIFF files), its samples as Pillow holds them,
    /// four per pixel: `do_convert_rgb` converts it as Pillow's `convert("RGB")`; without it, the
    /// four samples are its channels, as transformers reads them.
    Cmyk {
        samples: Vec<u8>,
        width: usize,
        height: usize,
    },
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
        crate::decode::decode(std::io::BufReader::new(file), path).map(Image::from_decoded)
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
        crate::decode::decode(std::io::Cursor::new(bytes), name.as_ref()).map(Image::from_decoded)
    }

    /// A CMYK image converted to RGB as Pillow's `convert("RGB")` converts it (what
    /// `do_convert_rgb` hands on); any other image as it is.
    ///
    /// ```
    /// # fn main() -> Result<(), twinproc::Error> {
    /// # let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/images");
    /// use twinproc::Image;
    /// let cmyk = Image::open(dir.join("syn_cmyk.jpg"))?;
    /// assert!(matches!(cmyk, Image::Cmyk { .. }));
    /// assert!(matches!(cmyk.cmyk_to_rgb(), Image::Decoded(rgb) if rgb.color() == image::ColorType::Rgb8));
    /// # Ok(()) }
    /// ```
    pub fn cmyk_to_rgb(self) -> Image {
        match self {
            Image::Cmyk {
                samples,
                width,
                height,
            } => {
                let rgb = cmyk_to_rgb(&samples, false);
                match RgbImage::from_raw(width as u32, height as u32, rgb) {
                    Some(rgb) => Image::Decoded(DynamicImage::ImageRgb8(rgb)),
                    // Samples that do not fill the size stay as they are (and are refused
                    // when processed).
                    None => Image::Cmyk {
                        samples,
                        width,
                        height,
                    },
                }
            }
            other => other,
        }
    }

    fn from_decoded(decoded: crate::decode::Decoded) -> Image {
        match (decoded.held, decoded.image) {
            (Held::Cmyk, DynamicImage::ImageRgba8(samples)) => Image::Cmyk {
                width: samples.width() as usize,
                height: samples.height() as usize,
                samples: samples.into_raw(),
            },
            (Held::Palette(indices), colours) => Image::Palette { colours, indices },
            (Held::Bits, DynamicImage::ImageLuma8(bits)) => Image::Bits(bits),
            (Held::Bits, colours) => Image::Bits(colours.to_luma8()),
            (_, image) => Image::Decoded(image),
        }
    }

    /// Loads an image file as transformers 5.23 loads a path string given to a processor of
    /// `numerics` (`processor("cat.jpg")`): EXIF orientation applied, alpha dropped, and each
    /// backend's own decoder (`pil`: `load_image`; `torchvision`: `decode_image`, which gives a
    /// GIF's every frame and refuses formats other than JPEG, PNG, GIF and WebP). The images are
    /// 8-bit gray or RGB.
    ///
    /// ```
    /// # fn main() -> Result<(), twinproc::Error> {
    /// # let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/images");
    /// use twinproc::{Image, Numerics};
    /// // Stored 320 wide and 200 high, with EXIF orientation 6 (a quarter turn clockwise).
    /// let images = Image::load(dir.join("syn_exif_orient6.jpg"), Numerics::Pil)?;
    /// let Image::Decoded(turned) = &images[0] else { unreachable!() };
    /// assert_eq!((turned.width(), turned.height()), (200, 320));
    /// # Ok(()) }
    /// ```
    pub fn load(path: impl AsRef<Path>, numerics: crate::numeric::Numerics) -> Result<Vec<Image>> {
        let path = path.as_ref();
        let len = crate::files::regular_file(path)?;
        let io_error = |source| Error::Io {
            path: path.to_path_buf(),
            source,
        };
        let mut data = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
        std::io::Read::read_to_end(&mut std::fs::File::open(path).map_err(io_error)?, &mut data)
            .map_err(io_error)?;
        Self::load_named(&data, path, numerics)
    }

    /// [`load`](Self::load) of an encoded image's bytes, named `name` in errors.
    pub fn load_named(
        bytes: &[u8],
        name: impl AsRef<Path>,
        numerics: crate::numeric::Numerics,
    ) -> Result<Vec<Image>> {
        crate::decode::path::load(bytes, name.as_ref(), numerics)
            .map(|images| images.into_iter().map(Image::Decoded).collect())
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
        numerics: Numerics,
    ) -> Result<(Pixels<'_>, ToRgb)> {
        let gray = |image: &GrayImage, data| {
            let (width, height) = (image.width() as usize, image.height() as usize);
            let pixels = Pixels {
                width,
                height,
                channels: 1,
                data,
            };
            match width * height {
                0 => Err(Error::InvalidImage("the image has no pixels".into())),
                _ => Ok((pixels, ToRgb::Keep)),
            }
        };
        let (pixels, convert) = match self {
            Image::Palette { indices, .. } if !convert_rgb => match indices {
                Some(indices) => gray(indices, Cow::Borrowed(indices.as_raw()))?,
                None => {
                    return Err(Error::Unsupported(
                        "a palette image (Pillow's mode P) without do_convert_rgb whose indices \
                         were not read (a run-length encoded BMP, a TGA of wider indices)"
                            .into(),
                    ));
                }
            },
            Image::Bits(bits) if !convert_rgb => {
                let (pixels, _) = gray(bits, bits.iter().map(|&v| u8::from(v != 0)).collect())?;
                // transformers' PIL backend reads the bits as 0 and 1; torchvision as bool.
                return Ok(match numerics {
                    Numerics::Pil => (pixels, ToRgb::Keep),
                    Numerics::Torchvision => (pixels, ToRgb::Bits),
                });
            }
            Image::Bits(bits) => {
                let pixels = gray(bits, Cow::Borrowed(bits.as_raw()))?.0;
                (pixels, ToRgb::Gray)
            }
            Image::Decoded(DynamicImage::ImageLuma16(_)) if !convert_rgb => {
                return Err(Error::Unsupported(
                    "a 16-bit gray image (Pillow's mode I;16 or I) without do_convert_rgb: \
                     transformers reads its 16-bit values (its PIL backend refuses them), which \
                     is not reproduced yet"
                        .into(),
                ));
            }
            Image::Decoded(image) | Image::Palette { colours: image, .. } => {
                if image.width() == 0 || image.height() == 0 {
                    return Err(Error::InvalidImage("the image has no pixels".into()));
                }
                let pixels = convert::native(image)?;
                let to_rgb = ToRgb::for_decoded(pixels.channels);
                (pixels, to_rgb)
            }
            Image::Cmyk {
                samples,
                width,
                height,
            } => {
                let (width, height) = (*width, *height);
                if samples.len() != width * height * 4 || samples.is_empty() {
                    return Err(Error::InvalidImage(format!(
                        "a {width}x{height} CMYK image of {} samples",
                        samples.len()
                    )));
                }
                let pixels = match convert_rgb {
                    true => Pixels::owned(width, height, 3, cmyk_to_rgb(samples, false)),
                    false => Pixels {
                        width,
                        height,
                        channels: 4,
                        data: Cow::Borrowed(samples),
                    },
                };
                (pixels, ToRgb::Keep)
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
        ChannelDimension::Last => Cow::Borrowed(data),
        ChannelDimension::First => {
            let plane = height * width;
            let mut hwc = vec![0u8; expected];
            for (i, px) in hwc.chunks_exact_mut(channels).enumerate() {
                for (c, v) in px.iter_mut().enumerate() {
                    *v = data[c * plane + i];
                }
            }
            Cow::Owned(hwc)
        }
    };
    Ok(Pixels {
        width,
        height,
        channels,
        data,
    })
}
