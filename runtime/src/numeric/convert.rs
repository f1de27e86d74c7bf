//! `convert_to_rgb` as transformers applies it to a `PIL.Image`: a mode with an alpha band (or a
//! transparency key) becomes RGBA and is composited onto opaque white with Pillow's integer
//! `alpha_composite`; any other mode goes through Pillow's `convert("RGB")`.
//!
//! Inputs arrive as [`image::DynamicImage`], which the `image` crate decodes with palettes and `tRNS`
//! chunks already expanded (to RGB, or RGBA where a transparency key exists), as Pillow's
//! `convert("RGBA")` expands them. The conversion itself is a [`ToRgb`] step the backend runs.

use super::Pixels;
use crate::error::Error;
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

/// Pillow's `I;16 -> L` clips every sample above 255.
#[inline]
fn clip_16(v: u16) -> u8 {
    v.min(255) as u8
}

/// The step from an image's own channels to RGB (`convert_to_rgb`), run by the backend: on the CPU
/// by [`ToRgb::apply`], on the GPU inside the first pass (`kernels.cuh`), with the same integers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ToRgb {
    /// Already RGB, or no conversion asked (`do_convert_rgb=False`).
    #[default]
    Keep,
    /// One gray channel, repeated.
    Gray,
    /// Gray and alpha, composited onto white.
    GrayAlpha,
    /// RGBA, composited onto white.
    Rgba,
    /// One channel of bits, 0 and 1, kept (no `do_convert_rgb`) in torchvision numerics, where
    /// transformers resizes them as a bool tensor: the planner makes its resizes and level map
    /// those of bits (`pipeline::mark_bits`) and the conversion `Keep`; a backend keeps it too.
    Bits,
}

impl ToRgb {
    /// The conversion of a decoded image of `channels` channels (Pillow modes L, LA, RGB, RGBA).
    pub fn for_decoded(channels: usize) -> Self {
        match channels {
            1 => ToRgb::Gray,
            2 => ToRgb::GrayAlpha,
            4 => ToRgb::Rgba,
            _ => ToRgb::Keep,
        }
    }

    /// The conversion of an array of `channels` channels (transformers' array path: one channel is
    /// repeated, four are composited onto white).
    pub fn for_array(channels: usize) -> Result<Self, Error> {
        match channels {
            1 => Ok(ToRgb::Gray),
            3 => Ok(ToRgb::Keep),
            4 => Ok(ToRgb::Rgba),
            n => Err(Error::InvalidImage(format!(
                "cannot convert an image with {n} channels to RGB (expected 1, 3 or 4)"
            ))),
        }
    }

    /// The channel count after the conversion of an image of `channels` channels.
    pub fn output_channels(self, channels: usize) -> usize {
        match self {
            ToRgb::Keep | ToRgb::Bits => channels,
            _ => 3,
        }
    }

    /// The converted pixels (borrowed when there is nothing to do).
    pub fn apply<'a>(self, pixels: &'a Pixels<'_>) -> Pixels<'a> {
        if matches!(self, ToRgb::Keep | ToRgb::Bits) {
            return Pixels {
                data: std::borrow::Cow::Borrowed(&pixels.data),
                ..*pixels
            };
        }
        let mut data = Vec::new();
        self.apply_into(pixels, &mut data);
        Pixels::owned(
            pixels.width,
            pixels.height,
            self.output_channels(pixels.channels),
            data,
        )
    }

    /// Writes the converted samples into `out` (resized to fit, its allocation reused).
    pub fn apply_into(self, pixels: &Pixels<'_>, out: &mut Vec<u8>) {
        self.apply_rows_into(pixels, 0..pixels.height, out);
    }

    /// Converts rows `rows` only, each where it lies in the whole converted image: `out` holds
    /// the whole image's size, its other rows untouched (a resize that reads only these rows, as
    /// a band or a crop does, converts no more).
    pub fn apply_rows_into(
        self,
        pixels: &Pixels<'_>,
        rows: std::ops::Range<usize>,
        out: &mut Vec<u8>,
    ) {
        let (c, oc) = (pixels.channels, self.output_channels(pixels.channels));
        let (row, out_row) = (pixels.width * c, pixels.width * oc);
        out.resize(pixels.height * out_row, 0);
        let data = &pixels.data[rows.start * row..rows.end * row];
        let out = &mut out[rows.start * out_row..rows.end * out_row];
        let pixels = data.chunks_exact(c);
        match self {
            ToRgb::Keep | ToRgb::Bits => out.copy_from_slice(data),
            ToRgb::Gray => {
                for (o, p) in out.chunks_exact_mut(3).zip(pixels) {
                    o.fill(p[0]);
                }
            }
            ToRgb::GrayAlpha => {
                let composite = composite_table();
                for (o, p) in out.chunks_exact_mut(3).zip(pixels) {
                    o.fill(composite[usize::from(p[1]) << 8 | usize::from(p[0])]);
                }
            }
            ToRgb::Rgba => {
                let composite = composite_table();
                for (o, p) in out.chunks_exact_mut(3).zip(pixels) {
                    let alpha = usize::from(p[3]) << 8;
                    for ch in 0..3 {
                        o[ch] = composite[alpha | usize::from(p[ch])];
                    }
                }
            }
        }
    }
}

/// [`composite_on_white`] of every `(alpha, value)`, at `alpha << 8 | value`: one lookup per
/// sample instead of a division (64 KiB, built once from the function itself).
fn composite_table() -> &'static [u8; 1 << 16] {
    static TABLE: std::sync::OnceLock<Box<[u8; 1 << 16]>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = Box::new([0u8; 1 << 16]);
        for (i, v) in table.iter_mut().enumerate() {
            *v = composite_on_white(i as u8, (i >> 8) as u8);
        }
        table
    })
}

/// A decoded image's own 8-bit samples (gray 1 channel, gray+alpha 2, RGB 3, RGBA 4), 16-bit samples
/// reduced as Pillow opens them (`I;16` clipped, 16-bit RGB(A)/LA to their high byte).
pub fn native(image: &DynamicImage) -> Result<Pixels<'_>, Error> {
    use std::borrow::Cow;
    let (w, h) = (image.width() as usize, image.height() as usize);
    let reduce =
        |samples: &[u16], f: fn(u16) -> u8| Cow::Owned(samples.iter().map(|&v| f(v)).collect());
    let (channels, data): (usize, Cow<'_, [u8]>) = match image {
        DynamicImage::ImageLuma8(img) => (1, Cow::Borrowed(img.as_raw())),
        DynamicImage::ImageLumaA8(img) => (2, Cow::Borrowed(img.as_raw())),
        DynamicImage::ImageRgb8(img) => (3, Cow::Borrowed(img.as_raw())),
        DynamicImage::ImageRgba8(img) => (4, Cow::Borrowed(img.as_raw())),
        DynamicImage::ImageLuma16(img) => (1, reduce(img.as_raw(), clip_16)),
        DynamicImage::ImageLumaA16(img) => (2, reduce(img.as_raw(), high_byte)),
        DynamicImage::ImageRgb16(img) => (3, reduce(img.as_raw(), high_byte)),
        DynamicImage::ImageRgba16(img) => (4, reduce(img.as_raw(), high_byte)),
        other => {
            return Err(Error::Unsupported(format!(
                "pixel type {:?}: transformers' convert_to_rgb handles 8- and 16-bit images only",
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
