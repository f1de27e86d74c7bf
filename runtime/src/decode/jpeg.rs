//! JPEG as Pillow 13 decodes it: libjpeg-turbo's decoder (the `mozjpeg-sys` build, compiled from
//! its vendored C source by cargo with only a C compiler) with Pillow's settings — the accurate
//! integer IDCT, fancy upsampling, and the output mode from the frame's components as
//! `JpegImagePlugin` picks it (1: `L`, 3: `RGB`, 4: `CMYK` read with Adobe's inversion, `CMYK;I`).
//! A CMYK image is handed on with the samples Pillow's mode `CMYK` holds (`CMYK;I` unpacked).
//!
//! Truncation as Pillow's suspending source sees it: data that runs out before the last row is
//! "image file is truncated"; after it (in the EOI marker's place), the image is whole.

use super::decoded::Decoded;
use crate::error::{Error, Result};
use image::{DynamicImage, ImageBuffer};
use mozjpeg_sys::{
    J_COLOR_SPACE, J_DCT_METHOD, JWRN_JPEG_EOF, jpeg_common_struct, jpeg_create_decompress,
    jpeg_decompress_struct, jpeg_destroy_decompress, jpeg_error_mgr, jpeg_finish_decompress,
    jpeg_mem_src, jpeg_read_header, jpeg_read_scanlines, jpeg_start_decompress, jpeg_std_error,
};
use std::ffi::c_int;
use std::path::Path;

/// Why libjpeg stopped: carried out of its callbacks by unwinding (never a panic: no hook runs).
enum Stop {
    /// Its own error message.
    Failed(String),
    /// The data ran out before the last row.
    Truncated,
}

/// What the callbacks see through `client_data` (shared with the decode, hence a cell).
struct Progress {
    /// Every row is out: running out of data now (in the EOI marker's place) is not an error.
    rows_done: std::cell::Cell<bool>,
}

unsafe extern "C-unwind" fn error_exit(cinfo: &mut jpeg_common_struct) {
    let buffer = [0u8; 80];
    // SAFETY: `err` is the manager installed below; `format_message` writes a NUL-terminated
    // message of at most 80 bytes into the buffer.
    if let Some(format) = unsafe { (*cinfo.err).format_message } {
        unsafe { format(cinfo, &buffer) };
    }
    let end = buffer.iter().position(|&b| b == 0).unwrap_or(buffer.len());
    let message = String::from_utf8_lossy(&buffer[..end]).into_owned();
    std::panic::resume_unwind(Box::new(Stop::Failed(message)));
}

unsafe extern "C-unwind" fn emit_message(cinfo: &mut jpeg_common_struct, level: c_int) {
    // SAFETY: as above; `client_data` points to the `Progress` of the running decode.
    let (code, progress) = unsafe {
        (
            (*cinfo.err).msg_code,
            &*(cinfo.client_data as *const Progress),
        )
    };
    // Warnings (level -1) are ignored as Pillow ignores them, but for the data running out early.
    if level < 0 && code == JWRN_JPEG_EOF as c_int && !progress.rows_done.get() {
        std::panic::resume_unwind(Box::new(Stop::Truncated));
    }
}

/// Decodes `data`, checking the frame's size with `check` before any pixel buffer is allocated.
pub(crate) fn decode_jpeg(
    data: &[u8],
    path: &Path,
    check: impl FnOnce((u32, u32)) -> Result<()>,
) -> Result<Decoded> {
    let failed = |message: String| Error::Decode {
        path: path.to_path_buf(),
        message,
        source: None,
    };
    let progress = Progress {
        rows_done: std::cell::Cell::new(false),
    };
    // SAFETY: libjpeg's C structs start zeroed, as its own examples declare them; the error
    // manager and the progress outlive the decompressor, destroyed on every path below, and are
    // reached only through the pointers it holds from here on.
    let mut err: jpeg_error_mgr = unsafe { std::mem::zeroed() };
    let mut cinfo: jpeg_decompress_struct = unsafe { std::mem::zeroed() };
    let manager = unsafe { jpeg_std_error(&mut err) };
    manager.error_exit = Some(error_exit);
    manager.emit_message = Some(emit_message);
    cinfo.common.err = manager;
    cinfo.common.client_data = (&raw const progress).cast_mut().cast();
    unsafe { jpeg_create_decompress(&mut cinfo) };
    let mut check = Some(check);
    let decoded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        // SAFETY: the decompressor was created above; `data` outlives it; every libjpeg error
        // unwinds out of these calls to the `catch_unwind` (its callbacks are `C-unwind`).
        unsafe { read(&mut cinfo, data, &progress, &mut check) }
    }));
    // SAFETY: created above, destroyed once.
    unsafe { jpeg_destroy_decompress(&mut cinfo) };
    match decoded {
        Ok(result) => result,
        Err(payload) => Err(match payload.downcast::<Stop>().map(|stop| *stop) {
            Ok(Stop::Failed(message)) => failed(message),
            Ok(Stop::Truncated) => failed("image file is truncated".into()),
            Err(payload) => std::panic::resume_unwind(payload),
        }),
    }
}

/// The decode itself, between create and destroy.
///
/// # Safety
///
/// `cinfo` is a created decompressor whose error manager unwinds; `data` outlives it.
unsafe fn read(
    cinfo: &mut jpeg_decompress_struct,
    data: &[u8],
    progress: &Progress,
    check: &mut Option<impl FnOnce((u32, u32)) -> Result<()>>,
) -> Result<Decoded> {
    unsafe {
        jpeg_mem_src(cinfo, data.as_ptr(), data.len() as _);
        jpeg_read_header(cinfo, 1);
    }
    let (width, height) = (cinfo.image_width, cinfo.image_height);
    if let Some(check) = check.take() {
        check((width, height))?;
    }
    let layers = cinfo.num_components;
    cinfo.out_color_space = match layers {
        1 => J_COLOR_SPACE::JCS_GRAYSCALE,
        3 => J_COLOR_SPACE::JCS_RGB,
        4 => J_COLOR_SPACE::JCS_CMYK,
        n => {
            return Err(Error::Unsupported(format!(
                "cannot handle {n}-layer images (Pillow opens 1, 3 and 4)"
            )));
        }
    };
    cinfo.dct_method = J_DCT_METHOD::JDCT_ISLOW;
    cinfo.do_fancy_upsampling = 1;
    unsafe {
        jpeg_start_decompress(cinfo);
        super::jpeg_fast::install(cinfo);
    }
    let (w, h) = (cinfo.output_width as usize, cinfo.output_height as usize);
    let channels = cinfo.output_components as usize;
    let stride = w * channels;
    let mut pixels = vec![0u8; stride * h];
    while (cinfo.output_scanline as usize) < h {
        let at = cinfo.output_scanline as usize * stride;
        let mut row = pixels[at..].as_mut_ptr();
        // SAFETY: `row` points to a whole row of the buffer.
        unsafe { jpeg_read_scanlines(cinfo, &mut row, 1) };
    }
    progress.rows_done.set(true);
    unsafe { jpeg_finish_decompress(cinfo) };
    let image = match layers {
        1 => ImageBuffer::from_raw(width, height, pixels)
            .map(|l| Decoded::of(DynamicImage::ImageLuma8(l))),
        3 => ImageBuffer::from_raw(width, height, pixels)
            .map(|rgb| Decoded::of(DynamicImage::ImageRgb8(rgb))),
        // Stored inverted (Adobe's convention, which Pillow assumes): its `CMYK;I` unpacks `255 - v`.
        _ => {
            let samples = pixels.into_iter().map(|v| 255 - v).collect();
            ImageBuffer::from_raw(width, height, samples).map(Decoded::cmyk)
        }
    };
    image.ok_or_else(|| Error::Internal("a JPEG's rows do not fill its size".into()))
}
