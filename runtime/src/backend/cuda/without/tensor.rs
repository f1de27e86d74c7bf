//! The device tensor of a build without the `cuda` feature: a type with no values.

use crate::error::Result;
use crate::tensor::Tensor;
use std::convert::Infallible;

/// A tensor on a CUDA device, which this build never holds.
#[derive(Debug, Clone, PartialEq)]
pub struct DeviceTensor {
    never: Infallible,
}

impl DeviceTensor {
    /// The shape, row-major.
    pub fn shape(&self) -> &[usize] {
        match self.never {}
    }

    /// Waits until the kernels writing the elements have finished.
    pub fn synchronize(&self) -> Result<()> {
        match self.never {}
    }

    /// Copies the tensor to the host.
    pub fn to_host(&self) -> Result<Tensor> {
        match self.never {}
    }
}
