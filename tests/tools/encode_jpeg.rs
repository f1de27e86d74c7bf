//! Writes JPEGs that Pillow cannot: `encode-jpeg WIDTH HEIGHT H V QUALITY < rgb > jpeg` encodes 8-bit
//! RGB with luma sampling factors H×V (4:1:1 is 4×1, 4:4:0 is 1×2), baseline, through libjpeg-turbo's
//! encoder (mozjpeg-sys with libjpeg-turbo's defaults). `scripts/make_jpeg_fixture.py` runs it; what
//! the fixture then holds is what Pillow decodes from the file.

use mozjpeg_sys::*;
use std::io::{Read, Write};

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("numbers: WIDTH HEIGHT H V QUALITY"))
        .collect();
    let [width, height, h, v, quality] = args[..] else {
        panic!("usage: encode-jpeg WIDTH HEIGHT H V QUALITY < rgb > jpeg");
    };
    let mut rgb = Vec::new();
    std::io::stdin().read_to_end(&mut rgb).expect("stdin");
    assert_eq!(
        rgb.len(),
        width * height * 3,
        "stdin: WIDTH x HEIGHT RGB bytes"
    );
    let mut out: *mut u8 = std::ptr::null_mut();
    let mut size: std::ffi::c_ulong = 0;
    // SAFETY: libjpeg's documented compression sequence over a buffer of the declared size; its
    // default error handler exits the process on an error, fine for this tool.
    unsafe {
        let mut err: jpeg_error_mgr = std::mem::zeroed();
        let mut cinfo: jpeg_compress_struct = std::mem::zeroed();
        cinfo.common.err = jpeg_std_error(&mut err);
        jpeg_create_compress(&mut cinfo);
        jpeg_mem_dest(&mut cinfo, &mut out, &mut size);
        cinfo.image_width = width as u32;
        cinfo.image_height = height as u32;
        cinfo.input_components = 3;
        cinfo.in_color_space = J_COLOR_SPACE::JCS_RGB;
        jpeg_c_set_int_param(
            &mut cinfo,
            J_INT_PARAM::JINT_COMPRESS_PROFILE,
            JINT_COMPRESS_PROFILE_VALUE::JCP_FASTEST as i32,
        );
        jpeg_set_defaults(&mut cinfo);
        jpeg_set_quality(&mut cinfo, quality as i32, 1);
        let components = std::slice::from_raw_parts_mut(cinfo.comp_info, 3);
        components[0].h_samp_factor = h as i32;
        components[0].v_samp_factor = v as i32;
        for chroma in &mut components[1..] {
            chroma.h_samp_factor = 1;
            chroma.v_samp_factor = 1;
        }
        jpeg_start_compress(&mut cinfo, 1);
        while (cinfo.next_scanline as usize) < height {
            let row = rgb[cinfo.next_scanline as usize * width * 3..].as_ptr();
            jpeg_write_scanlines(&mut cinfo, &row, 1);
        }
        jpeg_finish_compress(&mut cinfo);
        std::io::stdout()
            .write_all(std::slice::from_raw_parts(out, size as usize))
            .expect("stdout");
        jpeg_destroy_compress(&mut cinfo);
    }
}
