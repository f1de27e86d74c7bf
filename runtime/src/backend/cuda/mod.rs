//! The CUDA backend: the kernels of `kernels.cuh`, compiled once per process with NVRTC for the
//! device's own architecture, run over a [`KernelBatch`](batch::KernelBatch) built on the host from the same plans the
//! CPU backend runs. cudarc loads `libcuda` and `libnvrtc` at run time; both are probed first, so a
//! machine without them gets [`Error::BackendUnavailable`](crate::error::Error::BackendUnavailable),
//! never a panic. Built without the `cuda` feature, the types remain and every attempt to open a
//! device is that error.

#[doc(hidden)]
pub mod abi;
#[cfg(feature = "cuda")]
mod backend;
#[doc(hidden)]
pub mod batch;
#[cfg(feature = "cuda")]
mod device;
#[cfg(feature = "cuda")]
mod error;
#[doc(hidden)]
pub mod host;
#[cfg(feature = "cuda")]
mod images;
#[cfg(feature = "cuda")]
pub(crate) mod outputs;
#[cfg(feature = "cuda")]
mod slot;
#[doc(hidden)]
pub mod upload;
#[cfg(not(feature = "cuda"))]
pub(crate) mod without;

#[cfg(feature = "cuda")]
pub use backend::CudaBackend;
#[cfg(feature = "cuda")]
pub use device::{compile_kernels, compile_kernels_cubin, unavailable_reason};
#[cfg(feature = "cuda")]
pub use images::{DeviceImages, PinnedImages};
#[cfg(feature = "cuda")]
pub use outputs::{DeviceOutputs, DeviceTensor, OutputBuffer};
#[cfg(not(feature = "cuda"))]
pub use without::{CudaBackend, DeviceTensor, unavailable_reason};
