//! Compute backends: one trait, executed by the CPU backend here (and the CUDA twin later).

pub mod cpu;
pub mod cuda;
pub mod kernel_batch;

use crate::error::Result;
use crate::numeric::Pixels;
use crate::plan::ImagePlan;
use crate::tensor::Tensor;

pub use cpu::CpuBackend;
pub use cuda::CudaBackend;
pub use cuda::host::KernelHostBackend;

/// Executes host-built plans. Implementations must give bit-identical results: they run the same
/// tables through the same integer and float operations.
pub trait Backend: Send + Sync {
    /// A short name for logs: `cpu`, `cuda:0`.
    fn name(&self) -> String;

    /// Runs `plans[i]` on `inputs[i]`, returning one tensor per window, image by image, in order.
    fn execute(&self, inputs: &[Pixels], plans: &[ImagePlan]) -> Result<Vec<Tensor>>;
}
