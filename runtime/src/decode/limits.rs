//! Pillow's decompression-bomb limit: a warning above `MAX_IMAGE_PIXELS`, a refusal above twice as
//! many, on the size a file's header declares, before its pixels are decoded.

use crate::error::{Error, Result};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

/// Pillow's `Image.MAX_IMAGE_PIXELS` (`1024 * 1024 * 1024 // 4 // 3`): decoding an image of more
/// pixels logs a warning (Pillow's `DecompressionBombWarning`), of more than twice as many is
/// refused before its pixels are decoded (`DecompressionBombError`).
pub const PILLOW_MAX_IMAGE_PIXELS: u64 = 89_478_485;

/// The limit in force; `u64::MAX`: none.
static MAX_IMAGE_PIXELS: AtomicU64 = AtomicU64::new(PILLOW_MAX_IMAGE_PIXELS);

/// Sets the decompression-bomb limit of [`Image::open`](crate::Image::open) for the whole process, as assigning
/// `PIL.Image.MAX_IMAGE_PIXELS` does; `None` disables the check.
///
/// ```
/// use twinproc::image::{PILLOW_MAX_IMAGE_PIXELS, max_image_pixels, set_max_image_pixels};
/// assert_eq!(max_image_pixels(), Some(PILLOW_MAX_IMAGE_PIXELS));
/// set_max_image_pixels(None);
/// assert_eq!(max_image_pixels(), None);
/// set_max_image_pixels(Some(PILLOW_MAX_IMAGE_PIXELS));
/// ```
pub fn set_max_image_pixels(limit: Option<u64>) {
    MAX_IMAGE_PIXELS.store(limit.unwrap_or(u64::MAX), Ordering::Relaxed);
}

/// The decompression-bomb limit in force (`None`: disabled).
pub fn max_image_pixels() -> Option<u64> {
    Some(MAX_IMAGE_PIXELS.load(Ordering::Relaxed)).filter(|&limit| limit != u64::MAX)
}

/// Pillow's `_decompression_bomb_check`, on the size a file's header declares.
pub(crate) fn decompression_bomb_check(path: &Path, (width, height): (u32, u32)) -> Result<()> {
    let Some(limit) = max_image_pixels() else {
        return Ok(());
    };
    let pixels = u64::from(width.max(1)) * u64::from(height.max(1));
    let message = |limit: u64| {
        format!(
            "{}: image size ({pixels} pixels) exceeds limit of {limit} pixels, could be decompression bomb DOS attack",
            path.display()
        )
    };
    if pixels > limit.saturating_mul(2) {
        return Err(Error::TooLarge(message(limit.saturating_mul(2))));
    }
    if pixels > limit {
        tracing::warn!("{}", message(limit));
    }
    Ok(())
}

/// The decoders' allocations within what an image of twice Pillow's pixel limit takes in 16-bit
/// RGBA.
pub(crate) fn max_alloc() -> Option<u64> {
    max_image_pixels().map(|limit| limit.saturating_mul(2 * 8))
}
