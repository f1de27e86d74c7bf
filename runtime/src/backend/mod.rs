//! Compute backends: one trait, implemented by the CPU twin's loops, by the CUDA kernels, and by
//! the kernels' code built for the host.

pub mod cpu;
pub mod cuda;
pub mod kernel_batch;

use crate::error::Result;
use crate::numeric::Pixels;
use crate::plan::{ImagePlan, Placement};
use crate::tensor::{Feature, Tensor};

pub use cpu::{CpuBackend, Kernels};
pub use cuda::CudaBackend;
pub use cuda::host::KernelHostBackend;

/// Executes host-built plans. Implementations must give bit-identical results: they run the same
/// tables through the same integer and float operations.
pub trait Backend: Send + Sync + std::fmt::Debug {
    /// A short name for logs: `cpu`, `cuda:0`.
    fn name(&self) -> String;

    /// Runs `plans[i]` on `inputs[i]`, returning one host tensor per window, image by image, in
    /// order.
    fn execute(&self, inputs: &[Pixels], plans: &[ImagePlan]) -> Result<Vec<Tensor>>;

    /// Runs the plans and writes every output where `placement` puts it (padded, grouped,
    /// stacked), returning the feature where this backend keeps its outputs: host tensors, or
    /// tensors on the GPU for the CUDA backend.
    fn execute_placed(
        &self,
        inputs: &[Pixels],
        plans: &[ImagePlan],
        placement: &Placement,
    ) -> Result<Feature> {
        placement.assemble(self.execute(inputs, plans)?)
    }

    /// Takes back a feature this backend returned, once the caller is done with it, for a later
    /// call to write its outputs into. The CPU twin keeps up to two host buffers: their pages are
    /// already mapped, so the next call skips the kernel's zeroing of fresh memory (a fifth of a
    /// CLIP batch's time on one core). Other backends drop it.
    fn recycle(&self, feature: Feature) {
        drop(feature);
    }
}

/// Where to compute, as the CLI's `--backend` and `AutoImageProcessor` choose it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BackendChoice {
    /// CUDA when a usable device is present, else the CPU.
    #[default]
    Auto,
    Cpu,
    Cuda,
}

/// The backend for `choice`; `Auto` logs which it picked and why (as transformers warns when it
/// falls back to the CPU).
pub fn select(choice: BackendChoice) -> crate::Result<std::sync::Arc<dyn Backend>> {
    use std::sync::Arc;
    match choice {
        BackendChoice::Cpu => Ok(Arc::new(CpuBackend::new())),
        BackendChoice::Cuda => Ok(Arc::new(CudaBackend::new()?)),
        BackendChoice::Auto => match CudaBackend::new() {
            Ok(cuda) => {
                tracing::info!("backend: {} (a usable CUDA device was found)", cuda.name());
                Ok(Arc::new(cuda))
            }
            Err(reason) => {
                tracing::info!("backend: cpu, falling back to the CPU twin ({reason})");
                Ok(Arc::new(CpuBackend::new()))
            }
        },
    }
}
