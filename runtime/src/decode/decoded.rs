//! What a decoder gives: an image in the pixel type of Pillow's mode, and what that mode holds
//! beyond it (CMYK samples; palette indices or bits).

use image::DynamicImage;

/// What Pillow's mode holds of a decoded image, beyond its pixel type here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Held {
    /// Its pixels: `L`, `LA`, `RGB`, `RGBA`, 16-bit gray.
    Pixels,
    /// CMYK samples (JPEG's and TIFF's mode `CMYK`, which the `image` crate has no type for),
    /// held in an RGBA buffer.
    Cmyk,
    /// Palette indices (mode `P`) or bits (`1`): the image is their colours.
    Indexed,
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

    /// The colours of palette indices or bits (Pillow's mode `P` or `1`).
    pub fn indexed(image: DynamicImage) -> Self {
        Decoded {
            image,
            held: Held::Indexed,
        }
    }

    /// CMYK samples as Pillow holds them.
    pub fn cmyk(samples: image::RgbaImage) -> Self {
        Decoded {
            image: DynamicImage::ImageRgba8(samples),
            held: Held::Cmyk,
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
