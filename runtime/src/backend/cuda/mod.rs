//! The CUDA backend's place: the GPU twin of every processor is built on it. Until the CUDA backend
//! lands, it cannot be created, so a GPU twin's constructor returns a clear error.

pub mod host;

use super::Backend;
use crate::error::{Error, Result};
use crate::numeric::Pixels;
use crate::plan::ImagePlan;
use crate::tensor::Tensor;

/// A CUDA device's context (not built yet in this version).
#[derive(Debug)]
pub struct CudaBackend {
    _private: (),
}

impl CudaBackend {
    /// Opens the default CUDA device.
    pub fn new() -> Result<Self> {
        Err(Error::BackendUnavailable(
            "the CUDA backend is not built in this version of twinproc; use the CPU twin".into(),
        ))
    }
}

impl Backend for CudaBackend {
    fn name(&self) -> String {
        "cuda".into()
    }

    fn execute(&self, _: &[Pixels], _: &[ImagePlan]) -> Result<Vec<Tensor>> {
        Err(Error::BackendUnavailable(
            "the CUDA backend is not built in this version of twinproc".into(),
        ))
    }
}
