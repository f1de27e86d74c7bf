//! The CUDA backend of a build without the `cuda` feature: it cannot be made (a typed error, as on
//! a machine without a GPU).

use crate::backend::interface::Backend;
use crate::error::{Error, Result};
use crate::numeric::Pixels;
use crate::plan::ImagePlan;
use crate::tensor::Tensor;
use std::convert::Infallible;

const WITHOUT: &str = "CUDA is not available: twinproc was built without its `cuda` feature";

/// Why CUDA cannot be used: this build has no CUDA twin.
pub fn unavailable_reason() -> Option<String> {
    Some(WITHOUT.into())
}

/// The CUDA backend, which this build cannot make: [`new`](Self::new) is always an error.
#[derive(Debug, Clone)]
pub struct CudaBackend {
    never: Infallible,
}

impl CudaBackend {
    /// Always [`Error::BackendUnavailable`] in this build.
    pub fn new() -> Result<Self> {
        Err(Error::BackendUnavailable(WITHOUT.into()))
    }

    /// Always [`Error::BackendUnavailable`] in this build.
    pub fn with_device(_ordinal: usize) -> Result<Self> {
        Self::new()
    }

    /// Never called: no value of this type exists.
    pub fn synchronize(&self) -> Result<()> {
        match self.never {}
    }
}

impl Backend for CudaBackend {
    fn name(&self) -> String {
        match self.never {}
    }

    fn execute(&self, _: &[Pixels], _: &[ImagePlan]) -> Result<Vec<Tensor>> {
        match self.never {}
    }
}
