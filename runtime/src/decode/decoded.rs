//! What a decoder gives: an image in the pixel type of Pillow's mode, and what that mode holds
//! beyond it (CMYK samples; palette indices; bits).

use image::{DynamicImage, GrayImage};

/// What Pillow's mode holds of a decoded image, beyond its pixel type here.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Held {
    /// Its pixels: `L`, `LA`, `RGB`, `RGBA`, 16-bit gray.
    Pixels,
    /// CMYK samples (JPEG's and TIFF's mode `CMYK`, which the `image` crate has no type for),
    /// held in an RGBA buffer.
    Cmyk,
    /// Palette indices (mode `P`): the image is their colours; the indices, where they were read.
    Palette(Option<GrayImage>),
    /// Bits (mode `1`): the image is their colours, 8-bit gray of 0 and 255.
    Bits,
}

/// A decoded image in the pixel type of Pillow's mode, and what the mode holds.
#[derive(Debug)]
pub(crate) struct Decoded {
    pub image: DynamicImage,
    pub held: Held,
}

impl Decoded {
    /// An image whose mode holds its pixels.
    pub fn of(image: DynamicImage) -> Self {
        Decoded {
            image,
            held: Held::Pixels,
        }
    }

    /// The colours of palette indices (Pillow's mode `P`), and the indices where they were read
    /// (of the colours' size: others are dropped).
    pub fn palette(colours: DynamicImage, indices: Option<GrayImage>) -> Self {
        let size = (colours.width(), colours.height());
        let indices = indices.filter(|i| i.dimensions() == size);
        Decoded {
            image: colours,
            held: Held::Palette(indices),
        }
    }

    /// The colours of bits (Pillow's mode `1`): 8-bit gray of 0 and 255.
    pub fn bits(colours: DynamicImage) -> Self {
        Decoded {
            image: colours,
            held: Held::Bits,
        }
    }

    /// CMYK samples as Pillow holds them.
    pub fn cmyk(samples: image::RgbaImage) -> Self {
        Decoded {
            image: DynamicImage::ImageRgba8(samples),
            held: Held::Cmyk,
        }
    }

    /// The decoded image turned by `turn` (an EXIF orientation's transposition), its indices with
    /// it.
    pub fn turned(self, turn: impl Fn(DynamicImage) -> DynamicImage) -> Self {
        let held = match self.held {
            Held::Palette(Some(indices)) => {
                Held::Palette(turn(DynamicImage::ImageLuma8(indices)).as_luma8().cloned())
            }
            other => other,
        };
        Decoded {
            image: turn(self.image),
            held,
        }
    }

    /// The image's colours: CMYK converted to RGB as Pillow's `convert("RGB")` converts it.
    pub fn into_rgb_if_cmyk(self) -> DynamicImage {
        match (self.held, self.image) {
            (Held::Cmyk, DynamicImage::ImageRgba8(samples)) => {
                let (width, height) = samples.dimensions();
                let rgb = super::cmyk::cmyk_to_rgb(samples.as_raw(), false);
                image::RgbImage::from_raw(width, height, rgb)
                    .map_or(DynamicImage::new_rgb8(0, 0), DynamicImage::ImageRgb8)
            }
            (_, image) => image,
        }
    }
}
