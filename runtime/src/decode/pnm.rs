//! Netpbm files as Pillow 13's `PpmImagePlugin` reads them: P1/P4 as mode `1`, P2/P5 as `L` (`I`
//! above a maxval of 255), P3/P6 as `RGB`, `Pf` as `F`; samples of a maxval other than the
//! type's own rescaled by `round(v / maxval * out_max)` (Python's round, half to even), a raw
//! 16-bit graymap taken as is. What `convert_to_rgb` needs of each mode is kept: `1` as 0 or 255,
//! `I` as 16-bit gray (clipped at 255 later, as Pillow's `I -> RGB`), `F` as Pillow's `F -> RGB`
//! (saturating truncation: NaN and below 0 to 0, above 255 to 255).

use super::decoded::Decoded;
use crate::error::{Error, Result};
use image::{DynamicImage, ImageBuffer};
use std::path::Path;

/// Pillow's header whitespace.
fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// Whether `data` starts as Pillow accepts a Netpbm file (`P` and one of `0123456fy`).
pub(crate) fn accepts(data: &[u8]) -> bool {
    data.len() >= 2 && data[0] == b'P' && b"0123456fy".contains(&data[1])
}

/// A header being read: the bytes and where the next one is.
struct Header<'a> {
    data: &'a [u8],
    at: usize,
}

impl Header<'_> {
    fn next(&mut self) -> Option<u8> {
        let c = *self.data.get(self.at)?;
        self.at += 1;
        Some(c)
    }

    /// The magic number: up to six bytes, ended by whitespace (consumed).
    fn magic(&mut self) -> Vec<u8> {
        let mut magic = Vec::new();
        for _ in 0..6 {
            match self.next() {
                Some(c) if !is_space(c) => magic.push(c),
                _ => break,
            }
        }
        magic
    }

    /// `_read_token`: whitespace skipped before, `#` comments skipped to the line's end, ended by
    /// one whitespace byte (consumed); more than 10 bytes is an error.
    fn token(&mut self) -> std::result::Result<Vec<u8>, String> {
        let mut token = Vec::new();
        while token.len() <= 10 {
            match self.next() {
                None => break,
                Some(c) if is_space(c) => match token.is_empty() {
                    true => continue,
                    false => break,
                },
                Some(b'#') => while !matches!(self.next(), None | Some(b'\r' | b'\n')) {},
                Some(c) => token.push(c),
            }
        }
        if token.is_empty() {
            return Err("Reached EOF while reading header".into());
        }
        if token.len() > 10 {
            return Err(format!(
                "Token too long in file header: {}",
                String::from_utf8_lossy(&token)
            ));
        }
        Ok(token)
    }

    /// A token as Python's `int()` reads it: an optional sign, digits with single underscores
    /// between them.
    fn integer(&mut self) -> std::result::Result<i64, String> {
        let token = self.token()?;
        python_int(&token).ok_or_else(|| {
            format!(
                "invalid literal for int() with base 10: {:?}",
                String::from_utf8_lossy(&token)
            )
        })
    }
}

/// `int(token)` for a token of at most 11 bytes; `None` where Python raises.
fn python_int(token: &[u8]) -> Option<i64> {
    let (negative, digits) = match token.split_first()? {
        (b'-', rest) => (true, rest),
        (b'+', rest) => (false, rest),
        _ => (false, token),
    };
    let well_formed = !digits.is_empty()
        && digits.first()?.is_ascii_digit()
        && digits.last()?.is_ascii_digit()
        && !digits.windows(2).any(|w| w == b"__")
        && digits.iter().all(|&c| c.is_ascii_digit() || c == b'_');
    if !well_formed {
        return None;
    }
    let value = digits
        .iter()
        .filter(|c| c.is_ascii_digit())
        .fold(0i64, |v, &c| v * 10 + i64::from(c - b'0'));
    Some(if negative { -value } else { value })
}

/// Pillow's modes of a Netpbm file.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Bilevel,
    Gray,
    /// 32-bit integer gray (a graymap of maxval above 255), 0 to 65535 here.
    Integer,
    Rgb,
    Float,
}

impl Mode {
    fn bands(self) -> usize {
        if self == Mode::Rgb { 3 } else { 1 }
    }
}

/// Decodes the Netpbm file `data`, checking its size with `check` before any pixel buffer is
/// allocated.
pub(crate) fn decode_pnm(
    data: &[u8],
    path: &Path,
    check: impl FnOnce((u32, u32)) -> Result<()>,
) -> Result<Decoded> {
    let failed = |message: String| Error::Decode {
        path: path.to_path_buf(),
        message,
        source: None,
    };
    let mut header = Header { data, at: 0 };
    let magic = header.magic();
    let (mut mode, plain) = match magic.as_slice() {
        b"P1" => (Mode::Bilevel, true),
        b"P2" => (Mode::Gray, true),
        b"P3" => (Mode::Rgb, true),
        b"P4" => (Mode::Bilevel, false),
        b"P5" => (Mode::Gray, false),
        b"P6" => (Mode::Rgb, false),
        b"Pf" => (Mode::Float, false),
        other => {
            return Err(Error::Unsupported(format!(
                "{}: Netpbm variant {:?}, which Pillow opens only in its own tests",
                path.display(),
                String::from_utf8_lossy(other)
            )));
        }
    };
    let width = header.integer().map_err(failed)?;
    let height = header.integer().map_err(failed)?;
    let (Ok(width), Ok(height)) = (u32::try_from(width), u32::try_from(height)) else {
        return Err(failed(format!("invalid size {width}x{height}")));
    };
    let mut maxval = 0;
    let mut little_endian_floats = false;
    match mode {
        Mode::Bilevel => {}
        Mode::Float => {
            let token = header.token().map_err(failed)?;
            let scale: f64 = std::str::from_utf8(&token)
                .ok()
                .and_then(|t| t.trim().parse().ok())
                .ok_or_else(|| failed("could not convert string to float".into()))?;
            if scale == 0.0 || !scale.is_finite() {
                return Err(failed("scale must be finite and non-zero".into()));
            }
            little_endian_floats = scale < 0.0;
        }
        _ => {
            maxval = header.integer().map_err(failed)?;
            if !(1..65536).contains(&maxval) {
                return Err(failed(
                    "maxval must be greater than 0 and less than 65536".into(),
                ));
            }
            if maxval > 255 && mode == Mode::Gray {
                mode = Mode::Integer;
            }
        }
    }
    if width == 0 || height == 0 {
        return Err(failed("the image has no pixels".into()));
    }
    check((width, height))?;
    let samples = (width as usize)
        .checked_mul(height as usize)
        .and_then(|n| n.checked_mul(mode.bands()))
        .ok_or_else(|| Error::TooLarge(format!("{}: {width}x{height}", path.display())))?;
    let body = &data[header.at..];
    let values: Vec<u32> = match (mode, plain) {
        (Mode::Bilevel, true) => plain_bits(body, samples).map_err(failed)?,
        (Mode::Bilevel, false) => raw_bits(body, width as usize, height as usize),
        (Mode::Float, _) => {
            let floats = raw_floats(body, width as usize, height as usize, little_endian_floats);
            floats.into_iter().map(|v| u32::from(v as u8)).collect()
        }
        (_, true) => plain_samples(body, samples, maxval, out_max(mode)).map_err(failed)?,
        (Mode::Integer, false) if maxval == 65535 => raw_samples(body, samples, 2),
        (_, false) if maxval == 255 => raw_samples(body, samples, 1),
        (_, false) => {
            let width = if maxval < 256 { 1 } else { 2 };
            let out_max = out_max(mode);
            raw_samples(body, samples, width)
                .into_iter()
                .map(|v| rescale(v, maxval, out_max).min(out_max))
                .collect()
        }
    };
    if values.len() < samples {
        return Err(failed("image file is truncated".into()));
    }
    let image = match mode {
        Mode::Integer => {
            let samples = values.iter().map(|&v| v as u16).collect();
            ImageBuffer::from_raw(width, height, samples).map(DynamicImage::ImageLuma16)
        }
        Mode::Rgb => {
            let samples = values.iter().map(|&v| v as u8).collect();
            ImageBuffer::from_raw(width, height, samples).map(DynamicImage::ImageRgb8)
        }
        _ => {
            let samples = values.iter().map(|&v| v as u8).collect();
            ImageBuffer::from_raw(width, height, samples).map(DynamicImage::ImageLuma8)
        }
    };
    let image = image
        .ok_or_else(|| Error::Internal("a Netpbm image's samples do not fill its size".into()))?;
    // A bitmap is Pillow's mode `1`.
    Ok(match mode {
        Mode::Bilevel => Decoded::bits(image),
        _ => Decoded::of(image),
    })
}

fn out_max(mode: Mode) -> u32 {
    if mode == Mode::Integer { 65535 } else { 255 }
}

/// `round(value / maxval * out_max)` in doubles, half to even, as Python computes it.
fn rescale(value: u32, maxval: i64, out_max: u32) -> u32 {
    (f64::from(value) / maxval as f64 * f64::from(out_max)).round_ties_even() as u32
}

/// Raw samples of `width` bytes (big-endian), at most `samples` of them.
fn raw_samples(body: &[u8], samples: usize, width: usize) -> Vec<u32> {
    body.chunks_exact(width)
        .take(samples)
        .map(|s| s.iter().fold(0, |v, &b| (v << 8) | u32::from(b)))
        .collect()
}

/// P4 rows, each padded to a byte, bit set = black (`1;I`): 0 or 255 per pixel.
fn raw_bits(body: &[u8], width: usize, height: usize) -> Vec<u32> {
    let stride = width.div_ceil(8);
    body.chunks_exact(stride)
        .take(height)
        .flat_map(|row| (0..width).map(move |x| row[x / 8] >> (7 - x % 8) & 1))
        .map(|bit| if bit == 1 { 0 } else { 255 })
        .collect()
}

/// `Pf` rows, bottom row first.
fn raw_floats(body: &[u8], width: usize, height: usize, little_endian: bool) -> Vec<f32> {
    let rows: Vec<&[u8]> = body.chunks_exact(width * 4).take(height).collect();
    if rows.len() < height {
        return Vec::new();
    }
    rows.iter()
        .rev()
        .flat_map(|row| row.chunks_exact(4))
        .map(|b| {
            let b = [b[0], b[1], b[2], b[3]];
            if little_endian {
                f32::from_le_bytes(b)
            } else {
                f32::from_be_bytes(b)
            }
        })
        .collect()
}

/// The body of a plain file without its comments (`#` to the next CR or LF).
fn without_comments(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len());
    let mut in_comment = false;
    for &c in body {
        match (in_comment, c) {
            (false, b'#') => in_comment = true,
            (true, b'\r' | b'\n') => in_comment = false,
            (false, c) => out.push(c),
            (true, _) => {}
        }
    }
    out
}

/// P1: one `0` (white) or `1` (black) per pixel, whitespace optional.
fn plain_bits(body: &[u8], samples: usize) -> std::result::Result<Vec<u32>, String> {
    let mut values = Vec::with_capacity(samples);
    for c in without_comments(body).into_iter().filter(|&c| !is_space(c)) {
        if values.len() == samples {
            break;
        }
        match c {
            b'0' => values.push(255),
            b'1' => values.push(0),
            other => return Err(format!("Invalid token for this mode: {}", other as char)),
        }
    }
    Ok(values)
}

/// P2/P3: decimal samples separated by whitespace, each at most `maxval`, rescaled.
fn plain_samples(
    body: &[u8],
    samples: usize,
    maxval: i64,
    out_max: u32,
) -> std::result::Result<Vec<u32>, String> {
    let text = without_comments(body);
    let mut values = Vec::with_capacity(samples);
    for token in text.split(|&c| is_space(c)).filter(|t| !t.is_empty()) {
        if values.len() == samples {
            break;
        }
        if token.len() > 10 {
            return Err(format!(
                "Token too long found in data: {}",
                String::from_utf8_lossy(&token[..11])
            ));
        }
        let value = python_int(token).ok_or_else(|| {
            format!(
                "invalid literal for int() with base 10: {:?}",
                String::from_utf8_lossy(token)
            )
        })?;
        if value < 0 {
            return Err(format!("Channel value is negative: {value}"));
        }
        if value > maxval {
            return Err(format!("Channel value too large for this mode: {value}"));
        }
        values.push(rescale(value as u32, maxval, out_max));
    }
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_as_python_reads_them() {
        assert_eq!(python_int(b"1_000"), Some(1000));
        assert_eq!(python_int(b"+7"), Some(7));
        assert_eq!(python_int(b"-3"), Some(-3));
        for bad in [&b"1__0"[..], b"_1", b"1_", b"0x1", b"", b"-", b"1.0"] {
            assert_eq!(python_int(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn rescaling_rounds_half_to_even() {
        // 1 / 2 * 255 = 127.5 -> 128 (even); 3 / 2 * 255 would exceed: the callers clip.
        assert_eq!(rescale(1, 2, 255), 128);
        assert_eq!(rescale(1, 10, 255), 26); // 25.5 -> 26
        assert_eq!(rescale(3, 10, 255), 76); // 76.5 -> 76
    }

    #[test]
    fn a_header_too_long_or_cut_short_is_pillows_error() {
        let path = Path::new("x.pgm");
        let err = decode_pnm(b"P5 12345678901 1 255\n", path, |_| Ok(())).unwrap_err();
        assert!(err.to_string().contains("Token too long"), "{err}");
        let err = decode_pnm(b"P5 2", path, |_| Ok(())).unwrap_err();
        assert!(err.to_string().contains("Reached EOF"), "{err}");
        let err = decode_pnm(b"P5 2 2 255\n\x01\x02\x03", path, |_| Ok(())).unwrap_err();
        assert!(err.to_string().contains("truncated"), "{err}");
    }
}
