//! The Rust side of `jpeg_hooks.c`: libjpeg's method signatures, and the accessors of its
//! method tables.

use mozjpeg_sys::{JDIMENSION, jpeg_component_info, jpeg_decompress_struct};

pub(crate) type IdctFn = unsafe extern "C" fn(
    *mut jpeg_decompress_struct,
    *mut jpeg_component_info,
    *mut i16,
    *mut *mut u8,
    JDIMENSION,
);
pub(crate) type ColorFn = unsafe extern "C" fn(
    *mut jpeg_decompress_struct,
    *mut *mut *mut u8,
    JDIMENSION,
    *mut *mut u8,
    std::ffi::c_int,
);

pub(crate) type UpsampleFn = unsafe extern "C" fn(
    *mut jpeg_decompress_struct,
    *mut jpeg_component_info,
    *mut *mut u8,
    *mut *mut *mut u8,
);

unsafe extern "C" {
    pub(crate) fn twinproc_jpeg_set_h2v2_fancy(
        cinfo: *mut jpeg_decompress_struct,
        fancy: UpsampleFn,
    );
    pub(crate) fn twinproc_jpeg_downsampled_width(compptr: *mut jpeg_component_info) -> JDIMENSION;
    pub(crate) fn twinproc_jpeg_idct(
        cinfo: *mut jpeg_decompress_struct,
        ci: std::ffi::c_int,
    ) -> Option<IdctFn>;
    pub(crate) fn twinproc_jpeg_set_idct(
        cinfo: *mut jpeg_decompress_struct,
        ci: std::ffi::c_int,
        idct: IdctFn,
    );
    pub(crate) fn twinproc_jpeg_idct_islow() -> IdctFn;
    pub(crate) fn twinproc_jpeg_set_color_convert(
        cinfo: *mut jpeg_decompress_struct,
        convert: ColorFn,
    );
    pub(crate) fn twinproc_jpeg_dct_table(compptr: *mut jpeg_component_info) -> *const i32;
    pub(crate) fn twinproc_jpeg_multiplier_bytes() -> std::ffi::c_int;
}
