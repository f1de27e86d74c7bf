//! A file's orientation where Pillow's `getexif` and torchvision's decoders find it: the EXIF
//! Orientation tag (JPEG's first `Exif` APP1 segment, PNG's `eXIf` chunk, WebP's `EXIF` chunk, a
//! TIFF's own first directory),
//! and for Pillow, when EXIF has none, `tiff:Orientation` in the XMP packet (JPEG's XMP APP1
//! segment, the last one; PNG's `XML:com.adobe.xmp` iTXt chunk; WebP's `XMP ` chunk).

use super::containers::{Tiff, png_chunks};
use image::{DynamicImage, ImageFormat};

/// The value of the file's EXIF Orientation tag, if it has one (any value: 1 to 8 mean a
/// transposition).
pub(crate) fn orientation(data: &[u8], format: ImageFormat) -> Option<u16> {
    let exif = match format {
        ImageFormat::Jpeg => {
            jpeg_segments(data)
                .find(|(marker, payload)| *marker == 0xe1 && payload.starts_with(b"Exif\0\0"))?
                .1
        }
        ImageFormat::Png => png_exif(data)?,
        ImageFormat::WebP => webp_chunk(data, b"EXIF")?,
        // A TIFF's own first directory: Pillow applies it while loading (any form of input).
        ImageFormat::Tiff => data,
        _ => return None,
    };
    let tiff = exif.strip_prefix(b"Exif\0\0").unwrap_or(exif);
    tag_0x0112(tiff)
}

/// Pillow's orientation of a file without an EXIF Orientation tag: the digit after
/// `tiff:Orientation="` or `tiff:Orientation>` in its XMP packet.
pub(crate) fn xmp_orientation(data: &[u8], format: ImageFormat) -> Option<u16> {
    const JPEG_XMP: &[u8] = b"http://ns.adobe.com/xap/1.0/\0";
    let packet: std::borrow::Cow<'_, [u8]> = match format {
        ImageFormat::Jpeg => jpeg_segments(data)
            .filter(|(marker, payload)| *marker == 0xe1 && payload.starts_with(JPEG_XMP))
            .last()
            .map(|(_, payload)| payload[JPEG_XMP.len()..].into())?,
        ImageFormat::Png => png_xmp(data)?,
        ImageFormat::WebP => webp_chunk(data, b"XMP ")?.into(),
        _ => return None,
    };
    // The regex `tiff:Orientation(="|>)([0-9])`: its first match.
    const TAG: &[u8] = b"tiff:Orientation";
    (0..packet.len()).find_map(|at| {
        let rest = packet[at..].strip_prefix(TAG)?;
        let digit = match rest {
            [b'=', b'"', digit, ..] | [b'>', digit, ..] => *digit,
            _ => return None,
        };
        digit.is_ascii_digit().then(|| u16::from(digit - b'0'))
    })
}

/// The XMP of a PNG's `XML:com.adobe.xmp` iTXt chunk (inflated if compressed).
fn png_xmp(data: &[u8]) -> Option<std::borrow::Cow<'_, [u8]>> {
    let body = png_chunks(data)
        .take_while(|(kind, _)| *kind != b"IEND")
        .find(|(kind, body)| *kind == b"iTXt" && body.starts_with(b"XML:com.adobe.xmp\0"))?
        .1;
    let rest = &body[b"XML:com.adobe.xmp\0".len()..];
    let (compressed, rest) = (*rest.first()?, rest.get(2..)?);
    // The language tag and the translated keyword, each ended by a zero byte.
    let language = rest.iter().position(|&b| b == 0)?;
    let rest = &rest[language + 1..];
    let translated = rest.iter().position(|&b| b == 0)?;
    let text = &rest[translated + 1..];
    match compressed {
        0 => Some(text.into()),
        _ => miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(text, 1 << 20)
            .ok()
            .map(Into::into),
    }
}

/// The marker segments of the JPEG `data` before its scan: (marker, payload).
fn jpeg_segments(data: &[u8]) -> impl Iterator<Item = (u8, &[u8])> {
    let mut at = if data.starts_with(&[0xff, 0xd8]) {
        2
    } else {
        data.len()
    };
    std::iter::from_fn(move || {
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
                    let len =
                        usize::from(u16::from_be_bytes([*data.get(at + 2)?, *data.get(at + 3)?]));
                    let payload = data.get(at + 4..at + 2 + len.max(2))?;
                    at += 2 + len;
                    return Some((marker, payload));
                }
            }
        }
    })
}

/// The data of the PNG's `eXIf` chunk (before its end).
fn png_exif(data: &[u8]) -> Option<&[u8]> {
    png_chunks(data)
        .take_while(|(kind, _)| *kind != b"IEND")
        .find(|(kind, _)| *kind == b"eXIf")
        .map(|(_, body)| body)
}

/// The data of the WebP's first chunk of type `kind`.
fn webp_chunk<'a>(data: &'a [u8], kind: &[u8; 4]) -> Option<&'a [u8]> {
    if data.get(..4)? != b"RIFF" || data.get(8..12)? != b"WEBP" {
        return None;
    }
    let mut at = 12;
    loop {
        let chunk = data.get(at..at + 4)?;
        let len = u32::from_le_bytes(data.get(at + 4..at + 8)?.try_into().ok()?) as usize;
        let body = data.get(at + 8..(at + 8).checked_add(len)?)?;
        if chunk == kind {
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

/// `ImageOps.exif_transpose`'s transposition for orientation `orientation` (also what Pillow's
/// TIFF reader applies while loading).
pub(crate) fn transposed(image: DynamicImage, orientation: u16) -> DynamicImage {
    match orientation {
        2 => image.fliph(),
        3 => image.rotate180(),
        4 => image.flipv(),
        // TRANSPOSE: across the main diagonal.
        5 => image.rotate90().fliph(),
        // ROTATE_270 (counter-clockwise): a quarter turn clockwise.
        6 => image.rotate90(),
        // TRANSVERSE: across the other diagonal.
        7 => image.rotate270().fliph(),
        8 => image.rotate270(),
        _ => image,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xmp_orientation_is_the_first_match_of_either_form() {
        let jpeg = |xmp: &[u8]| {
            let mut data = vec![0xff, 0xd8, 0xff, 0xe1];
            let payload = [&b"http://ns.adobe.com/xap/1.0/\0"[..], xmp].concat();
            data.extend(((payload.len() + 2) as u16).to_be_bytes());
            data.extend(payload);
            data.extend([0xff, 0xda]);
            data
        };
        let of = |xmp: &[u8]| xmp_orientation(&jpeg(xmp), ImageFormat::Jpeg);
        assert_eq!(
            of(b"<a tiff:Orientation=\"3\"/><tiff:Orientation>6<"),
            Some(3)
        );
        assert_eq!(
            of(b"<tiff:Orientation>6</tiff:Orientation> tiff:Orientation=\"3\""),
            Some(6)
        );
        assert_eq!(of(b"tiff:Orientation = \"3\""), None);
        assert_eq!(of(b"tiff:Orientation=\"x\" tiff:Orientation>8"), Some(8));
    }

    #[test]
    fn the_tag_in_either_byte_order() {
        let little = b"II*\0\x08\0\0\0\x01\0\x12\x01\x03\0\x01\0\0\0\x06\0\0\0";
        assert_eq!(tag_0x0112(little), Some(6));
        let big = b"MM\0*\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01\0\x03\0\0";
        assert_eq!(tag_0x0112(big), Some(3));
        assert_eq!(tag_0x0112(&little[..12]), None);
    }
}
