//! The CUDA kernels' arithmetic compiled for the host (`host.c` includes `kernels.cuh`), run behind
//! the [`Backend`] trait. The test suite runs every reference case through it, so CI — which has no
//! GPU — checks that the device arithmetic equals the CPU twin bit for bit.

use super::abi::{OutputPass, StagePass};
use super::batch::{ImageShape, KernelBatch};
use crate::backend::interface::Backend;
use crate::error::Result;
use crate::feature::Feature;
use crate::numeric::Pixels;
use crate::placement::Placement;
use crate::plan::ImagePlan;
use crate::tensor::{Tensor, TensorData};
use std::os::raw::c_int;

/// The pieces the images are written in: an odd size, so rows are cut at every offset somewhere.
const HOST_PIECE_BYTES: usize = 4099;

unsafe extern "C" {
    fn tp_host_stage(
        input: *const u8,
        stage: *mut u8,
        passes: *const StagePass,
        n_passes: c_int,
        starts: *const i32,
        lens: *const i32,
        weights: *const i32,
    );
    fn tp_host_output(
        input: *const u8,
        stage: *const u8,
        dst_f32: *mut f32,
        dst_u8: *mut u8,
        outputs: *const OutputPass,
        n_outputs: c_int,
        starts: *const i32,
        lens: *const i32,
        weights: *const i32,
        luts: *const f32,
    );
}

/// The buffer's pointer, or null for an empty one (the C code writes to the non-null output).
fn or_null<T>(buffer: &mut [T]) -> *mut T {
    if buffer.is_empty() {
        std::ptr::null_mut()
    } else {
        buffer.as_mut_ptr()
    }
}

/// Runs the CUDA kernels' code on the host, one element after another, over the buffers the CUDA
/// backend would upload: each image cropped to what its outputs read (as images from host memory
/// go), or whole (as images kept on the device are).
#[derive(Debug, Clone, Copy, Default)]
pub struct KernelHostBackend {
    pub whole_images: bool,
}

impl KernelHostBackend {
    /// Over images cropped to what their outputs read.
    pub const CROPPED: Self = KernelHostBackend {
        whole_images: false,
    };
    /// Over whole images.
    pub const WHOLE: Self = KernelHostBackend { whole_images: true };
}

impl Backend for KernelHostBackend {
    fn name(&self) -> String {
        match self.whole_images {
            false => "cuda-kernels-on-host".into(),
            true => "cuda-kernels-on-host (whole images)".into(),
        }
    }

    fn execute(&self, inputs: &[Pixels], plans: &[ImagePlan]) -> Result<Vec<Tensor>> {
        self.execute_placed(inputs, plans, &Placement::each(plans)?)?
            .into_tensors()
    }

    /// Lays the batch out exactly as the CUDA backend uploads it (tables, then images, in one
    /// buffer) and runs the kernels' code over that buffer, writing each output where the kernels
    /// do, so the layout and the placement are tested too.
    fn execute_placed(
        &self,
        inputs: &[Pixels],
        plans: &[ImagePlan],
        placement: &Placement,
    ) -> Result<Feature> {
        let shapes: Vec<ImageShape> = inputs.iter().map(ImageShape::of).collect();
        let batch = KernelBatch::layout(&shapes, plans, placement, !self.whole_images)?;
        let layout = batch.upload_layout(true);
        // u64 words: every table offset is aligned for the types the C code reads.
        let mut words = vec![0u64; layout.len.div_ceil(8).max(1)];
        let upload: &mut [u8] = bytemuck::cast_slice_mut(&mut words);
        batch.write_tables(&layout, upload)?;
        // In pieces of an odd size, as through the CUDA backend's staging ring: rows cut anywhere.
        batch.check_images(inputs)?;
        let images = &mut upload[layout.images..];
        for piece in batch.image_pieces(HOST_PIECE_BYTES) {
            batch.write_image_bytes(inputs, piece.clone(), &mut images[piece])?;
        }
        let base = upload.as_ptr();
        // SAFETY: `upload_layout` placed every table inside the buffer, aligned for its type.
        let table = |at: usize| unsafe { base.add(at) };
        let count = |n: usize| c_int::try_from(n).unwrap_or(c_int::MAX);
        let (starts, lens, weights) = (
            table(layout.starts).cast::<i32>(),
            table(layout.lens).cast::<i32>(),
            table(layout.weights).cast::<i32>(),
        );
        let input = table(layout.images);
        let mut stage = vec![0u8; batch.stage_bytes];
        // Wave after wave, as the device launches them; each wave's passes last to first, so a
        // pass that read what its own wave writes would read zeros and fail the tests.
        let passes = table(layout.stage_passes).cast::<StagePass>();
        for pass in batch.waves().into_iter().flat_map(|wave| wave.rev()) {
            // SAFETY: every pointer is inside a live buffer whose size `KernelBatch::layout`
            // computed from the same descriptors the C code reads (offsets and lengths checked by
            // `check_bounds`); `pass` is one of the `batch.stage.len()` descriptors.
            unsafe {
                tp_host_stage(
                    input,
                    stage.as_mut_ptr(),
                    passes.add(pass),
                    1,
                    starts,
                    lens,
                    weights,
                );
            }
        }
        let elements = batch.placement.elements;
        let (mut f32_out, mut u8_out) = if batch.float_output {
            (vec![0f32; elements], Vec::new())
        } else {
            (Vec::new(), vec![0u8; elements])
        };
        // SAFETY: as above; the non-null output buffer holds every output's `dst` range.
        unsafe {
            tp_host_output(
                input,
                stage.as_ptr(),
                or_null(&mut f32_out),
                or_null(&mut u8_out),
                table(layout.output_passes).cast::<OutputPass>(),
                count(batch.output_passes.len()),
                starts,
                lens,
                weights,
                table(layout.luts).cast::<f32>(),
            );
        }
        Ok(Feature::placed(
            placement,
            placement.split(if batch.float_output {
                TensorData::F32(f32_out)
            } else {
                TensorData::U8(u8_out)
            }),
        ))
    }
}

#[cfg(test)]
mod tests {
    use crate::backend::cpu::passes::clip8;
    use crate::numeric::convert::composite_on_white;
    use std::os::raw::{c_int, c_uint};

    unsafe extern "C" {
        fn tp_host_clip8(acc: c_int, precision: c_int) -> u8;
        fn tp_host_composite_on_white(value: c_uint, alpha: c_uint) -> u8;
        fn tp_host_divmod(i: i64, d: i64, rest: *mut i64) -> i64;
    }

    /// `tp_divmod` is integer division, on both sides of its 32-bit fast path: indices and
    /// divisors around 2^31 and 2^32 and across the kernels' range.
    #[test]
    fn divmod_is_division() {
        let edges = [
            0i64,
            1,
            2,
            3,
            223,
            224,
            1 << 31,
            1 << 32,
            1 << 40,
            i64::MAX / 2,
        ];
        let values = edges
            .iter()
            .flat_map(|&e| (-3..=3).map(move |d| e + d))
            .filter(|&v| v >= 0)
            .chain((0..4096).map(|k| k * 1_048_573 + 7))
            .collect::<Vec<_>>();
        for &i in &values {
            for &d in values.iter().filter(|&&d| d > 0) {
                let mut rest = -1;
                // SAFETY: a pure function; `rest` is a valid pointer.
                let q = unsafe { tp_host_divmod(i, d, &mut rest) };
                assert_eq!((q, rest), (i / d, i % d), "{i} / {d}");
            }
        }
    }

    /// `tp_clip8` = the CPU passes' `clip8`, for every precision either numerics uses and
    /// accumulators around every edge (negative, 0..=255 after the shift, saturated).
    #[test]
    fn clip8_is_the_cpu_twins() {
        for precision in 1..=22 {
            let edges = [
                i32::MIN,
                -(1 << 30),
                -1,
                0,
                1,
                255 << precision,
                256 << precision,
            ];
            let near = edges
                .iter()
                .flat_map(|&e| (-300..=300).map(move |d| e.saturating_add(d)));
            let spread = (-(1 << 16)..(1 << 16)).map(|k| k * 4099);
            for acc in near.chain(spread) {
                // SAFETY: a pure function of two integers.
                let kernel = unsafe { tp_host_clip8(acc, precision as c_int) };
                assert_eq!(
                    kernel,
                    clip8(acc, precision),
                    "acc {acc}, precision {precision}"
                );
            }
        }
    }

    /// `tp_composite_on_white` = the CPU twin's `composite_on_white`, on all 65,536 inputs.
    #[test]
    fn composite_on_white_is_the_cpu_twins() {
        for value in 0..=255u8 {
            for alpha in 0..=255u8 {
                // SAFETY: a pure function of two integers.
                let kernel = unsafe { tp_host_composite_on_white(value.into(), alpha.into()) };
                assert_eq!(kernel, composite_on_white(value, alpha), "{value}, {alpha}");
            }
        }
    }
}
