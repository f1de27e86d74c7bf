//! The kernels' descriptors as `kernels.cuh` declares them: `#[repr(C)]` mirrors, plain old data
//! (bytemuck's derive refuses padding), their sizes checked here and by `kernels.cuh`, and every
//! field's offset compared with the C compiler's in a test.

/// `TP_HORIZONTAL`, `TP_VERTICAL`, `TP_NEAREST`, `TP_COPY`.
pub const HORIZONTAL: i32 = 0;
pub const VERTICAL: i32 = 1;
pub const NEAREST: i32 = 2;
pub const COPY: i32 = 3;
/// `TP_KEEP`, `TP_GRAY`, `TP_GRAY_ALPHA`, `TP_RGBA`.
pub const KEEP: i32 = 0;
pub const GRAY: i32 = 1;
pub const GRAY_ALPHA: i32 = 2;
pub const RGBA: i32 = 3;
/// `TP_FROM_INPUT`, `TP_FROM_STAGE`.
pub const FROM_INPUT: i32 = 0;
pub const FROM_STAGE: i32 = 1;

/// `tp_pass`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct Pass {
    pub kind: i32,
    pub convert: i32,
    pub in_channels: i32,
    pub in_w: i32,
    pub in_h: i32,
    pub out_w: i32,
    pub out_h: i32,
    pub channels: i32,
    pub taps: i32,
    pub aux: i32,
    pub weights: i32,
    pub ksize: i32,
    pub precision: i32,
    pub in_x0: i32,
    pub in_y0: i32,
    pub out_x0: i32,
    pub out_y0: i32,
    /// Read the colours times alpha (Pillow's `RGBa`, `La`).
    pub premultiply: i32,
    /// Divide the colours by alpha after.
    pub unpremultiply: i32,
}

/// `tp_stage_pass`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct StagePass {
    pub src: i64,
    pub dst: i64,
    pub source: i32,
    pub pass: Pass,
}

/// `tp_output_pass`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct OutputPass {
    pub src: i64,
    pub dst: i64,
    pub source: i32,
    pub pass: Pass,
    pub top: i32,
    pub left: i32,
    pub win_h: i32,
    pub win_w: i32,
    pub lut: i32,
    pub channels_last: i32,
    pub canvas_h: i32,
    pub canvas_w: i32,
}

/// The sizes `kernels.cuh` asserts too (`TP_ASSERT_SIZE`).
const _: () = assert!(std::mem::size_of::<StagePass>() == 8 + 8 + 4 + 19 * 4);
const _: () = assert!(std::mem::size_of::<OutputPass>() == 8 + 8 + 4 + 19 * 4 + 8 * 4);

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::{offset_of, size_of};

    unsafe extern "C" {
        /// `host.c`: the C compiler's sizes and offsets of the descriptors, in the order below.
        fn tp_abi_layout(out: *mut i64, len: i32) -> i32;
    }

    /// Every field where the C compiler puts it: a field added, moved or retyped on one side only
    /// fails here, not on a GPU.
    #[test]
    fn descriptors_match_the_c_layout() {
        macro_rules! layout {
            ($($ty:ident { $($field:ident),* })*) => {
                vec![$(size_of::<$ty>(), $(offset_of!($ty, $field)),*),*]
            };
        }
        let rust = layout! {
            Pass { kind, convert, in_channels, in_w, in_h, out_w, out_h, channels, taps, aux,
                   weights, ksize, precision, in_x0, in_y0, out_x0, out_y0, premultiply,
                   unpremultiply }
            StagePass { src, dst, source, pass }
            OutputPass { src, dst, source, pass, top, left, win_h, win_w, lut, channels_last,
                         canvas_h, canvas_w }
        };
        let mut c = vec![-1i64; 64];
        // SAFETY: the function writes at most `len` values into the buffer it is given.
        let n = unsafe { tp_abi_layout(c.as_mut_ptr(), c.len() as i32) };
        c.truncate(n as usize);
        let rust: Vec<i64> = rust.into_iter().map(|v| v as i64).collect();
        assert_eq!(rust, c);
    }
}
