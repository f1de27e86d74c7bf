//! The CUDA backend: the kernels of `kernels.cuh`, compiled once per process with NVRTC for the
//! device's own architecture, run over a [`KernelBatch`](batch::KernelBatch) built on the host from the same plans the
//! CPU backend runs. cudarc loads `libcuda` and `libnvrtc` at run time; both are probed first, so a
//! machine without them gets [`Error::BackendUnavailable`](crate::error::Error::BackendUnavailable),
//! never a panic. Built without the `cuda` feature, the types remain and every attempt to open a
//! device is that error.
//!
//! The module by concern: `abi` (the C descriptors' mirrors), `batch` (the host-built layout of a
//! call: `passes` of each resize, `bounds` checked before any launch), `upload` (marshalling it into one copy), `device` (probing, NVRTC compile), `images` and
//! `slot` (buffers kept or reused between calls), `backend` (launches), `outputs` (what stays on
//! the device), `timing` (optional events around a call's phases, for profiling), `host` (the same
//! kernels compiled for the host, for the tests).
//!
//! Every kernel function and the CPU twin's function it must equal, with the test that holds them
//! together (CI runs all of them; the host build of `kernels.cuh` is the code NVRTC compiles):
//!
//! | `kernels.cuh` | equals, on the CPU twin | pinned by |
//! |---|---|---|
//! | `tp_clip8` | `cpu::passes::clip8` | `cuda::host::tests::clip8_is_the_cpu_twins` (every precision, every edge) |
//! | `tp_composite_on_white` | `numeric::convert::composite_on_white` | `cuda::host::tests::composite_on_white_is_the_cpu_twins` (all 65,536 inputs) |
//! | `tp_read` (keep, gray, gray + alpha, RGBA; a pixel's channels at once) | `numeric::convert::Convert::apply` | `tests/backends.rs` `kernels_equal_the_cpu_twin_for_every_filter_and_shape` (gray, gray + alpha, RGBA inputs) |
//! | `tp_sample`, `TP_HORIZONTAL` | `cpu::passes::Horizontal::scalar_row` (which every SIMD path equals: `tests/kernels.rs`) | the same, every filter and both pass orders |
//! | `tp_sample`, `TP_VERTICAL` | `cpu::passes::Vertical::scalar_row` | the same |
//! | `tp_sample`, `TP_NEAREST`, `TP_COPY` | `cpu::execute::compute` (`ResizePlan::Nearest`, `Copy`) | the same |
//! | `tp_divmod` (32-bit when it can) | integer division | `cuda::host::tests::divmod_is_division` (both sides of 2^32) |
//! | `tp_read` with `premultiply`, `tp_unpremultiply` (Pillow's `RGBa`, `La`) | `cpu::execute::premultiply_into`, `unpremultiply` | `tests/kernels.rs` `chained_plans_equal_the_reference` (a Pillow-formula reference; `tests/zoo.rs` against Pillow) |
//! | `tp_sample`, `TP_COPY` outside its image (a part of an earlier result) | `cpu::execute::crop_into` | `tests/kernels.rs` `chained_plans_equal_the_reference` |
//! | `tp_stage` (`tp_stage_run`) | the first pass of `cpu::execute::compute`, and whole results later resizes read (in waves) | `tests/golden.rs` (every reference case through `KernelHostBackend`, over cropped and whole images; the host runs the same loop as 3 interleaved threads) |
//! | `tp_output_f32`, `tp_output_u8` (`tp_output_run`: `tp_output_levels`, `tp_output_index`) | `cpu::window::write_window` (window, zero padding, level tables, CHW or HWC, canvas) | `tests/golden.rs`, and `tests/twins.rs` `uint8_outputs_through_the_kernels` |
//! | the descriptors `tp_pass`, `tp_stage_pass`, `tp_output_pass` | `abi::{Pass, StagePass, OutputPass}` | `cuda::abi::tests::descriptors_match_the_c_layout` (every field's offset) |

#[doc(hidden)]
pub mod abi;
#[cfg(feature = "cuda")]
mod backend;
#[doc(hidden)]
pub mod batch;
mod bounds;
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
mod passes;
#[cfg(feature = "cuda")]
mod slot;
#[cfg(feature = "cuda")]
mod timing;
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
#[cfg(feature = "cuda")]
pub use timing::GpuTimes;
#[cfg(not(feature = "cuda"))]
pub use without::{CudaBackend, DeviceTensor, unavailable_reason};
