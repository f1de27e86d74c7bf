//! Vector versions of libjpeg's arithmetic-heavy decoding steps, installed into its method
//! tables after `jpeg_start_decompress` (`jpeg_hooks.c` reaches them), giving libjpeg's bytes:
//!
//! - the accurate integer inverse DCT (`jidctint.c`, `jpeg_idct_islow`), eight columns then
//!   eight rows at a time, its products multiplied out into pairs of 16-bit constants
//!   (`pmaddwd`), exact while the inputs fit 16 bits (every block of a real photo). Pass 2 falls
//!   back to 32-bit products, whose wrapping keeps the bits it keeps (18..27, its `&
//!   RANGE_MASK`); blocks whose dequantized coefficients pass 16 bits go to libjpeg's own
//!   function.
//! - YCbCr to RGB (`jdcolext.c`, `ycc_rgb_convert`), its tables' integer formulas computed per
//!   pixel.
//! - fancy upsampling of components of half the width and height (`jdsample.c`,
//!   `h2v2_fancy_upsample`, 4:2:0's chroma), 16 samples at a time.
//!
//! `set_enabled(false)` keeps libjpeg's C functions (tests run both ways).

use mozjpeg_sys::jpeg_decompress_struct;
use std::sync::atomic::{AtomicBool, Ordering};

static ENABLED: AtomicBool = AtomicBool::new(true);

/// Whether decoding uses the vector versions (when the processor has AVX2); `false`: libjpeg's
/// own C functions. The bytes are the same either way.
pub fn set_enabled(enabled: bool) {
    ENABLED.store(enabled, Ordering::Relaxed);
}

/// Replaces the methods `cinfo` chose by their vector versions where those apply.
///
/// # Safety
///
/// `cinfo` has been through `jpeg_start_decompress` (its method tables are set up).
pub(crate) unsafe fn install(cinfo: &mut jpeg_decompress_struct) {
    #[cfg(target_arch = "x86_64")]
    {
        use hooks::*;
        use mozjpeg_sys::J_COLOR_SPACE;
        if !ENABLED.load(Ordering::Relaxed) || !std::arch::is_x86_feature_detected!("avx2") {
            return;
        }
        // SAFETY: the accessors read and write the method tables `jpeg_start_decompress` set up.
        unsafe {
            let islow = twinproc_jpeg_idct_islow();
            let int_multipliers = twinproc_jpeg_multiplier_bytes() == 4;
            for ci in (0..cinfo.num_components).filter(|_| int_multipliers) {
                if twinproc_jpeg_idct(cinfo, ci).is_some_and(|f| f as usize == islow as usize) {
                    twinproc_jpeg_set_idct(cinfo, ci, idct::idct_islow);
                }
            }
            if cinfo.jpeg_color_space == J_COLOR_SPACE::JCS_YCbCr
                && cinfo.out_color_space == J_COLOR_SPACE::JCS_RGB
                && cinfo.num_components == 3
                && cinfo.do_fancy_upsampling != 0
            {
                twinproc_jpeg_set_color_convert(cinfo, ycc::ycc_rgb);
            }
            twinproc_jpeg_set_h2v2_fancy(cinfo, upsample::h2v2_fancy);
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (cinfo, ENABLED.load(Ordering::Relaxed));
}

// The vector functions and what installs them are x86-64's (other targets keep libjpeg's C).
#[cfg(target_arch = "x86_64")]
mod hooks;
#[cfg(target_arch = "x86_64")]
mod idct;
#[cfg(all(test, target_arch = "x86_64"))]
mod tests;
#[cfg(target_arch = "x86_64")]
mod upsample;
#[cfg(target_arch = "x86_64")]
mod ycc;
