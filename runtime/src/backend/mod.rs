//! Compute backends: one trait, implemented by the CPU twin's loops, by the CUDA kernels, and by
//! the kernels' code built for the host.

pub mod cpu;
pub mod cuda;
mod fallback;
pub(crate) mod interface;
mod select;

pub use cpu::{CpuBackend, Kernels};
pub use cuda::CudaBackend;
/// The CUDA kernels' code built for the host: the test suite's proof that the device code equals
/// the CPU twin (not for users).
#[doc(hidden)]
pub use cuda::host::KernelHostBackend;
pub use fallback::Fallback;
pub use interface::Backend;
pub use select::{BackendChoice, select};
