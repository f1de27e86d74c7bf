//! The CUDA kernels' arithmetic compiled for the host (`host.c` includes `kernels.cuh`), run behind
//! the [`Backend`] trait. The test suite runs every reference case through it, so CI — which has no
//! GPU — checks that the device arithmetic equals the CPU twin bit for bit.

use crate::backend::Backend;
use crate::backend::kernel_batch::{KernelBatch, MapPass, ResamplePass};
use crate::error::Result;
use crate::numeric::Pixels;
use crate::plan::ImagePlan;
use crate::tensor::Tensor;
use std::os::raw::c_int;

unsafe extern "C" {
    fn tp_host_resample(
        input: *const u8,
        stage1: *const u8,
        stage2: *const u8,
        dst: *mut u8,
        passes: *const ResamplePass,
        n_passes: c_int,
        starts: *const i32,
        lens: *const i32,
        weights: *const i32,
    );
    fn tp_host_map_f32(
        input: *const u8,
        stage1: *const u8,
        stage2: *const u8,
        dst: *mut f32,
        maps: *const MapPass,
        n_maps: c_int,
        luts: *const f32,
    );
    fn tp_host_map_u8(
        input: *const u8,
        stage1: *const u8,
        stage2: *const u8,
        dst: *mut u8,
        maps: *const MapPass,
        n_maps: c_int,
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
        let mut stage1 = vec![0u8; batch.stage_bytes[0]];
        let mut stage2 = vec![0u8; batch.stage_bytes[1]];
        let count = |n: usize| c_int::try_from(n).unwrap_or(c_int::MAX);
        for (stage, passes) in batch.stages.iter().enumerate() {
            let dst = if stage == 0 {
                stage1.as_mut_ptr()
            } else {
                stage2.as_mut_ptr()
            };
            // SAFETY: every pointer is a live buffer whose size `KernelBatch::build` computed from
            // the same descriptors the C code reads (offsets and lengths in range by construction);
            // a stage never reads the buffer it writes.
            unsafe {
                tp_host_resample(
                    batch.input.as_ptr(),
                    stage1.as_ptr(),
                    stage2.as_ptr(),
                    dst,
                    passes.as_ptr(),
                    count(passes.len()),
                    batch.starts.as_ptr(),
                    batch.lens.as_ptr(),
                    batch.weights.as_ptr(),
                );
            }
        }
        if batch.float_output {
            let mut out = vec![0f32; batch.output_elements];
            // SAFETY: as above; `out` holds every map's `dst` range.
            unsafe {
                tp_host_map_f32(
                    batch.input.as_ptr(),
                    stage1.as_ptr(),
                    stage2.as_ptr(),
                    out.as_mut_ptr(),
                    batch.maps.as_ptr(),
                    count(batch.maps.len()),
                    batch.luts.as_ptr(),
                );
            }
            Ok(batch.split_f32(&out))
        } else {
            let mut out = vec![0u8; batch.output_elements];
            // SAFETY: as above.
            unsafe {
                tp_host_map_u8(
                    batch.input.as_ptr(),
                    stage1.as_ptr(),
                    stage2.as_ptr(),
                    out.as_mut_ptr(),
                    batch.maps.as_ptr(),
                    count(batch.maps.len()),
                );
            }
            Ok(batch.split_u8(&out))
        }
    }
}
