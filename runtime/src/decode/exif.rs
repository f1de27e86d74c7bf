//! The EXIF Orientation tag of a file, where Pillow's `getexif` and torchvision's decoders find
//! it: JPEG's first `Exif` APP1 segment, PNG's `eXIf` chunk, WebP's `EXIF` chunk.

use super::containers::{Tiff, png_chunks};
use image::ImageFormat;

/// The orientation (1 to 8) the file's EXIF data gives, if any.
pub(crate) fn orientation(data: &[u8], format: ImageFormat) -> Option<u16> {
    let exif = match format {
        ImageFormat::Jpeg => jpeg_exif(data)?,
        ImageFormat::Png => png_exif(data)?,
        ImageFormat::WebP => webp_exif(data)?,
        _ => return None,
    };
    let tiff = exif.strip_prefix(b"Exif\0\0").unwrap_or(exif);
    tag_0x0112(tiff).filter(|o| (1..=8).contains(o))
}

/// The payload of the first APP1 segment that starts with `Exif\0\0`, before the scan.
fn jpeg_exif(data: &[u8]) -> Option<&[u8]> {
    let mut at = 2;
    if data.get(..2)? != [0xff, 0xd8] {
        return None;
    }
    loop {
        if *data.get(at)? != 0xff {
            return None;
        }
        let marker = *data.get(at + 1)?;
        match marker {
            0xff => at += 1,
            0xd8 | 0x01 | 0xd0..=0xd7 => at += 2,
            0xda | 0xd9 => return None,
            _ => {
                let len = usize::from(u16::from_be_bytes([*data.get(at + 2)?, *data.get(at + 3)?]));
                let payload = data.get(at + 4..at + 2 + len.max(2))?;
                if marker == 0xe1 && payload.starts_with(b"Exif\0\0") {
                    return Some(payload);
                }
                at += 2 + len;
            }
        }
    }
}

/// The data of the PNG's `eXIf` chunk (before its end).
fn png_exif(data: &[u8]) -> Option<&[u8]> {
    png_chunks(data)
        .take_while(|(kind, _)| *kind != b"IEND")
        .find(|(kind, _)| *kind == b"eXIf")
        .map(|(_, body)| body)
}

/// The data of the WebP's `EXIF` chunk.
fn webp_exif(data: &[u8]) -> Option<&[u8]> {
    if data.get(..4)? != b"RIFF" || data.get(8..12)? != b"WEBP" {
        return None;
    }
    let mut at = 12;
    loop {
        let kind = data.get(at..at + 4)?;
        let len = u32::from_le_bytes(data.get(at + 4..at + 8)?.try_into().ok()?) as usize;
        let body = data.get(at + 8..at + 8 + len)?;
        if kind == b"EXIF" {
            return Some(body);
        }
        at += 8 + len + len % 2;
    }
}

/// Tag 0x0112 (Orientation, a SHORT) of the first directory of the TIFF structure `tiff`.
fn tag_0x0112(tiff: &[u8]) -> Option<u16> {
    let tiff = Tiff::new(tiff)?;
    let at = tiff.entry(0x0112)?;
    (tiff.u16_at(at + 2)? == 3).then(|| tiff.u16_at(at + 8))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tag_in_either_byte_order() {
        let little = b"II*\0\x08\0\0\0\x01\0\x12\x01\x03\0\x01\0\0\0\x06\0\0\0";
        assert_eq!(tag_0x0112(little), Some(6));
        let big = b"MM\0*\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01\0\x03\0\0";
        assert_eq!(tag_0x0112(big), Some(3));
        assert_eq!(tag_0x0112(&little[..12]), None);
    }
}
