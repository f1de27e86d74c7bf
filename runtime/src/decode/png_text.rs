//! Pillow's limits on a PNG's text chunks (`PngImagePlugin.MAX_TEXT_CHUNK`, `MAX_TEXT_MEMORY`),
//! which `Image.open` and `load` apply to every `tEXt`, `zTXt` and `iTXt` chunk: a compressed text
//! may not inflate past 1 MiB, all text together may not pass 64 MiB. The pixels' decoder never
//! inflates the text; this walk of the chunks refuses what Pillow refuses, reading no chunk whole
//! that the limits rule out.

use crate::error::{Error, Result};
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;

/// `ImageFile.SAFEBLOCK`: the most a compressed text chunk may inflate to.
pub const MAX_TEXT_CHUNK: usize = 1 << 20;
/// The most text all chunks together may hold.
pub const MAX_TEXT_MEMORY: usize = 64 * MAX_TEXT_CHUNK;

fn too_large(path: &Path, what: String) -> Error {
    Error::TooLarge(format!("{}: {what}", path.display()))
}

/// The text of a chunk's value, inflated if compressed, within `MAX_TEXT_CHUNK`.
fn inflate(path: &Path, compressed: &[u8]) -> Result<usize> {
    use miniz_oxide::inflate::{TINFLStatus, decompress_to_vec_zlib_with_limit};
    match decompress_to_vec_zlib_with_limit(compressed, MAX_TEXT_CHUNK) {
        Ok(text) => Ok(text.len()),
        Err(e) if e.status == TINFLStatus::HasMoreOutput => Err(too_large(
            path,
            "Decompressed data too large for PngImagePlugin.MAX_TEXT_CHUNK".into(),
        )),
        Err(e) => Err(Error::Decode {
            path: path.to_path_buf(),
            message: format!("a compressed text chunk does not inflate ({:?})", e.status),
            source: None,
        }),
    }
}

/// The length of the text `kind`'s chunk `data` holds (the value after its keyword).
fn text_len(path: &Path, kind: &[u8; 4], data: &[u8]) -> Result<usize> {
    let value = data.splitn(2, |&b| b == 0).nth(1).unwrap_or_default();
    match kind {
        b"tEXt" => Ok(value.len()),
        // Compression method (0: zlib), then the compressed text.
        b"zTXt" => inflate(path, value.get(1..).unwrap_or_default()),
        // Compression flag and method, language tag, translated keyword, then the text.
        _ => {
            let (flag, rest) = (value.first().copied(), value.get(2..).unwrap_or_default());
            let mut fields = rest.splitn(3, |&b| b == 0);
            let text = fields.nth(2).unwrap_or_default();
            if flag == Some(1) {
                inflate(path, text)
            } else {
                Ok(text.len())
            }
        }
    }
}

/// Fails when the PNG `file` (named `path` in errors) holds text Pillow refuses to read; other
/// files pass unread. Leaves `file` anywhere.
pub(crate) fn check<R: Read + Seek>(file: &mut R, path: &Path) -> Result<()> {
    let io_error = |source: io::Error| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut signature = [0u8; 8];
    if file.read_exact(&mut signature).is_err() || signature != *b"\x89PNG\r\n\x1a\n" {
        return Ok(());
    }
    let mut text_memory = 0usize;
    let mut header = [0u8; 8];
    // A chunk cut short ends the walk: the pixels' decoder says what is wrong with the file.
    while file.read_exact(&mut header).is_ok() {
        let length = u32::from_be_bytes([header[0], header[1], header[2], header[3]]) as usize;
        let kind: [u8; 4] = [header[4], header[5], header[6], header[7]];
        if &kind == b"IEND" {
            break;
        }
        if !matches!(&kind, b"tEXt" | b"zTXt" | b"iTXt") {
            file.seek(SeekFrom::Current(length as i64 + 4))
                .map_err(io_error)?;
            continue;
        }
        // Never more than the text the limits still allow, plus the keyword and the headers.
        let allowed = (MAX_TEXT_MEMORY - text_memory).max(MAX_TEXT_CHUNK) + 256;
        let mut data = Vec::new();
        file.by_ref()
            .take(length.min(allowed) as u64)
            .read_to_end(&mut data)
            .map_err(io_error)?;
        if data.len() < length && length > allowed {
            // Pillow reads it whole, then refuses its text.
            return Err(too_large(
                path,
                format!("Too much memory used in text chunks: {length}>MAX_TEXT_MEMORY"),
            ));
        }
        text_memory += text_len(path, &kind, &data)?;
        if text_memory > MAX_TEXT_MEMORY {
            return Err(too_large(
                path,
                format!("Too much memory used in text chunks: {text_memory}>MAX_TEXT_MEMORY"),
            ));
        }
        file.seek(SeekFrom::Current(4)).map_err(io_error)?;
    }
    Ok(())
}
