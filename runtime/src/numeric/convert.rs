//! `convert_to_rgb` as transformers applies it to a `PIL.Image`: a mode with an alpha band (or a
//! transparency key) becomes RGBA and is composited onto opaque white with Pillow's integer
//! `alpha_composite`; any other mode goes through Pillow's `convert("RGB")`.
//!
//! Inputs arrive as [`image::DynamicImage`], which the `image` crate decodes with palettes and `tRNS`
//! chunks already expanded (to RGB, or RGBA where a transparency key exists), as Pillow's
//! `convert("RGBA")` expands them.

use super::Pixels;
use crate::Error;
use image::DynamicImage;

/// Fractional bits of Pillow's `ImagingAlphaComposite`.
const COMPOSITE_PRECISION_BITS: u32 = 7;

/// Pillow's rounded division by 255 of a value scaled by 256: `((a >> 8) + a) >> 8`.
#[inline]
fn shift_for_div255(a: u32) -> u32 {
    ((a >> 8) + a) >> 8
}

/// One sample of `alpha_composite(white, (value, alpha))`, exactly as `ImagingAlphaComposite` computes it
/// for an opaque white destination.
#[inline]
pub fn composite_on_white(value: u8, alpha: u8) -> u8 {
    if alpha == 0 {
        return 255;
    }
    let (src_a, dst_a, dst_v) = (u32::from(alpha), 255u32, 255u32);
    let blend = dst_a * (255 - src_a);
    let out_a255 = src_a * 255 + blend;
    let coef1 = src_a * 255 * 255 * (1 << COMPOSITE_PRECISION_BITS) / out_a255;
    let coef2 = 255 * (1 << COMPOSITE_PRECISION_BITS) - coef1;
    let tmp = u32::from(value) * coef1 + dst_v * coef2;
    (shift_for_div255(tmp + (0x80 << COMPOSITE_PRECISION_BITS)) >> COMPOSITE_PRECISION_BITS) as u8
}

/// Pillow opens a 16-bit PNG sample of an RGB(A) or LA image as its high byte.
#[inline]
fn high_byte(v: u16) -> u8 {
    (v >> 8) as u8
}

/// Pillow's `I;16 -> RGB` clips every sample above 255.
#[inline]
fn clip_16(v: u16) -> u8 {
    v.min(255) as u8
}

fn from_gray_alpha(samples: impl Iterator<Item = (u8, u8)>, w: usize, h: usize) -> Pixels {
    let mut data = Vec::with_capacity(w * h * 3);
    for (l, a) in samples {
        let v = composite_on_white(l, a);
        data.extend_from_slice(&[v, v, v]);
    }
    Pixels {
        width: w,
        height: h,
        channels: 3,
        data,
    }
}

fn from_rgba(samples: impl Iterator<Item = [u8; 4]>, w: usize, h: usize) -> Pixels {
    let mut data = Vec::with_capacity(w * h * 3);
    for [r, g, b, a] in samples {
        data.extend_from_slice(&[
            composite_on_white(r, a),
            composite_on_white(g, a),
            composite_on_white(b, a),
        ]);
    }
    Pixels {
        width: w,
        height: h,
        channels: 3,
        data,
    }
}

fn from_gray(samples: impl Iterator<Item = u8>, w: usize, h: usize) -> Pixels {
    let data = samples.flat_map(|v| [v, v, v]).collect();
    Pixels {
        width: w,
        height: h,
        channels: 3,
        data,
    }
}

/// The 8-bit RGB image transformers processes for a decoded image (`do_convert_rgb=True`).
pub fn to_rgb(image: &DynamicImage) -> Result<Pixels, Error> {
    let (w, h) = (image.width() as usize, image.height() as usize);
    Ok(match image {
        DynamicImage::ImageRgb8(img) => Pixels {
            width: w,
            height: h,
            channels: 3,
            data: img.as_raw().clone(),
        },
        DynamicImage::ImageLuma8(img) => from_gray(img.as_raw().iter().copied(), w, h),
        DynamicImage::ImageLumaA8(img) => {
            from_gray_alpha(img.as_raw().chunks_exact(2).map(|p| (p[0], p[1])), w, h)
        }
        DynamicImage::ImageRgba8(img) => from_rgba(
            img.as_raw()
                .chunks_exact(4)
                .map(|p| [p[0], p[1], p[2], p[3]]),
            w,
            h,
        ),
        DynamicImage::ImageLuma16(img) => from_gray(img.as_raw().iter().map(|&v| clip_16(v)), w, h),
        DynamicImage::ImageLumaA16(img) => from_gray_alpha(
            img.as_raw()
                .chunks_exact(2)
                .map(|p| (high_byte(p[0]), high_byte(p[1]))),
            w,
            h,
        ),
        DynamicImage::ImageRgb16(img) => Pixels {
            width: w,
            height: h,
            channels: 3,
            data: img.as_raw().iter().map(|&v| high_byte(v)).collect(),
        },
        DynamicImage::ImageRgba16(img) => from_rgba(
            img.as_raw().chunks_exact(4).map(|p| {
                [
                    high_byte(p[0]),
                    high_byte(p[1]),
                    high_byte(p[2]),
                    high_byte(p[3]),
                ]
            }),
            w,
            h,
        ),
        other => {
            return Err(Error::Unsupported(format!(
                "pixel type {:?}: transformers' convert_to_rgb handles 8- and 16-bit images only",
                other.color()
            )));
        }
    })
}

/// Keeps a decoded image's own channels without `convert_to_rgb` (`do_convert_rgb=False`): gray stays one
/// channel, colour three, alpha four, 16-bit samples reduced as Pillow opens them.
pub fn to_native(image: &DynamicImage) -> Result<Pixels, Error> {
    let (w, h) = (image.width() as usize, image.height() as usize);
    let (channels, data): (usize, Vec<u8>) = match image {
        DynamicImage::ImageLuma8(img) => (1, img.as_raw().clone()),
        DynamicImage::ImageLumaA8(img) => (2, img.as_raw().clone()),
        DynamicImage::ImageRgb8(img) => (3, img.as_raw().clone()),
        DynamicImage::ImageRgba8(img) => (4, img.as_raw().clone()),
        DynamicImage::ImageLuma16(img) => (1, img.as_raw().iter().map(|&v| clip_16(v)).collect()),
        DynamicImage::ImageLumaA16(img) => {
            (2, img.as_raw().iter().map(|&v| high_byte(v)).collect())
        }
        DynamicImage::ImageRgb16(img) => (3, img.as_raw().iter().map(|&v| high_byte(v)).collect()),
        DynamicImage::ImageRgba16(img) => (4, img.as_raw().iter().map(|&v| high_byte(v)).collect()),
        other => {
            return Err(Error::Unsupported(format!(
                "pixel type {:?}: only 8- and 16-bit images are supported",
                other.color()
            )));
        }
    };
    Ok(Pixels {
        width: w,
        height: h,
        channels,
        data,
    })
}

/// `convert_to_rgb` for an array input (transformers' NumPy/tensor path): one channel is repeated,
/// four channels are composited onto white; three pass through.
pub fn array_to_rgb(pixels: Pixels) -> Result<Pixels, Error> {
    let (w, h) = (pixels.width, pixels.height);
    match pixels.channels {
        3 => Ok(pixels),
        1 => Ok(from_gray(pixels.data.into_iter(), w, h)),
        4 => Ok(from_rgba(
            pixels
                .data
                .chunks_exact(4)
                .map(|p| [p[0], p[1], p[2], p[3]]),
            w,
            h,
        )),
        n => Err(Error::InvalidImage(format!(
            "cannot convert an image with {n} channels to RGB (expected 1, 3 or 4)"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn composite_on_white_is_rounded_blend() {
        // For an opaque white background Pillow's integer composite equals
        // round((v * a + 255 * (255 - a)) / 255), half up, for every input.
        for alpha in 0..=255u32 {
            for value in 0..=255u32 {
                let numerator = value * alpha + 255 * (255 - alpha);
                let expected = (2 * numerator + 255) / 510;
                assert_eq!(
                    u32::from(composite_on_white(value as u8, alpha as u8)),
                    expected,
                    "value {value} alpha {alpha}"
                );
            }
        }
    }
}
