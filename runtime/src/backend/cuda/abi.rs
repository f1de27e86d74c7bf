//! The kernels' descriptors as `kernels.cuh` declares them: `#[repr(C)]` mirrors, plain old data
//! (their sizes checked here and by `host.c`).

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
#[derive(Debug, Clone, Copy, Default, PartialEq)]
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
}

/// `tp_stage_pass`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct StagePass {
    pub src: i64,
    pub dst: i64,
    pub source: i32,
    pub pass: Pass,
}

/// `tp_output_pass`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq)]
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

// SAFETY: `#[repr(C)]` structs of integers with no padding (sizes checked below); every bit
// pattern is a valid value.
unsafe impl bytemuck::Zeroable for StagePass {}
// SAFETY: as above.
unsafe impl bytemuck::Pod for StagePass {}
// SAFETY: as above.
unsafe impl bytemuck::Zeroable for OutputPass {}
// SAFETY: as above.
unsafe impl bytemuck::Pod for OutputPass {}
const _: () = assert!(std::mem::size_of::<StagePass>() == 8 + 8 + 4 + 17 * 4);
const _: () = assert!(std::mem::size_of::<OutputPass>() == 8 + 8 + 4 + 17 * 4 + 8 * 4);
