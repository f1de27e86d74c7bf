//! Built without the `cuda` feature: the CUDA twin's types exist, so code written for both twins
//! compiles, but no device can be opened.

mod backend;
pub(crate) mod tensor;

pub use backend::{CudaBackend, unavailable_reason};
pub use tensor::DeviceTensor;
