//! The CUDA kernels' arithmetic compiled for the host (`host.c` includes `kernels.cuh`), run behind
//! the [`Backend`] trait. The test suite runs every reference case through it, so CI — which has no
//! GPU — checks that the device arithmetic equals the CPU twin bit for bit.

use crate::backend::Backend;
use crate::backend::kernel_batch::{KernelBatch, OutputPass, StagePass};
use crate::error::Result;
use crate::numeric::Pixels;
use crate::plan::ImagePlan;
use crate::tensor::Tensor;
use std::os::raw::c_int;

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
    fn tp_host_output_f32(
        input: *const u8,
        stage: *const u8,
        dst: *mut f32,
        outputs: *const OutputPass,
        n_outputs: c_int,
        starts: *const i32,
        lens: *const i32,
        weights: *const i32,
        luts: *const f32,
    );
    fn tp_host_output_u8(
        input: *const u8,
        stage: *const u8,
        dst: *mut u8,
        outputs: *const OutputPass,
        n_outputs: c_int,
        starts: *const i32,
        lens: *const i32,
        weights: *const i32,
    );
}

/// Runs the CUDA kernels' code on the host, one element after another.
#[derive(Debug, Clone, Copy, Default)]
pub struct KernelHostBackend;

impl Backend for KernelHostBackend {
    fn name(&self) -> String {
        "cuda-kernels-on-host".into()
    }

    fn execute(&self, inputs: &[Pixels], plans: &[ImagePlan]) -> Result<Vec<Tensor>> {
        let batch = KernelBatch::build(inputs, plans)?;
        let mut stage = vec![0u8; batch.stage_bytes];
        let count = |n: usize| c_int::try_from(n).unwrap_or(c_int::MAX);
        let (starts, lens, weights) = (
            batch.starts.as_ptr(),
            batch.lens.as_ptr(),
            batch.weights.as_ptr(),
        );
        let outputs = (
            batch.output_passes.as_ptr(),
            count(batch.output_passes.len()),
        );
        // SAFETY: every pointer is a live buffer whose size `KernelBatch::build` computed from the
        // same descriptors the C code reads (offsets and lengths in range by construction).
        unsafe {
            tp_host_stage(
                batch.input.as_ptr(),
                stage.as_mut_ptr(),
                batch.stage.as_ptr(),
                count(batch.stage.len()),
                starts,
                lens,
                weights,
            );
        }
        if batch.float_output {
            let mut out = vec![0f32; batch.output_elements];
            // SAFETY: as above; `out` holds every output's `dst` range.
            unsafe {
                tp_host_output_f32(
                    batch.input.as_ptr(),
                    stage.as_ptr(),
                    out.as_mut_ptr(),
                    outputs.0,
                    outputs.1,
                    starts,
                    lens,
                    weights,
                    batch.luts.as_ptr(),
                );
            }
            Ok(batch.split_f32(&out))
        } else {
            let mut out = vec![0u8; batch.output_elements];
            // SAFETY: as above.
            unsafe {
                tp_host_output_u8(
                    batch.input.as_ptr(),
                    stage.as_ptr(),
                    out.as_mut_ptr(),
                    outputs.0,
                    outputs.1,
                    starts,
                    lens,
                    weights,
                );
            }
            Ok(batch.split_u8(&out))
        }
    }
}
