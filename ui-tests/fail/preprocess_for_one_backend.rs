use twinproc::backend::CpuBackend;
use twinproc::extend::{default_preprocess, Batch, Call};
use twinproc::{image_processor, BatchFeature};

/// Written for the CPU backend only: the GPU twin could not run it.
fn on_cpu(backend: &CpuBackend, call: &Call, batch: Batch<'_>) -> twinproc::Result<BatchFeature> {
    default_preprocess(backend, call, batch)
}

#[image_processor(preprocess = on_cpu, do_resize = true, resample = Bilinear, size(height = 8, width = 8))]
pub struct CpuOnlyImageProcessor;

fn main() {}
