//! CUDA's errors as the crate's.

use crate::error::Error;

/// A failed CUDA call as an error: out of device memory on its own (a caller can retry with a
/// smaller batch or on the CPU), anything else as [`Error::Cuda`].
pub(in crate::backend) fn cuda_error(
    what: &str,
) -> impl Fn(cudarc::driver::DriverError) -> Error + '_ {
    use cudarc::driver::sys::CUresult;
    move |e| match e.0 {
        CUresult::CUDA_ERROR_OUT_OF_MEMORY => Error::CudaOutOfMemory(what.to_owned()),
        _ => Error::Cuda {
            what: what.to_owned(),
            source: Some(e.into()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cudarc::driver::{DriverError, sys::CUresult};

    /// Running out of memory is an error of its own (the error's text needs no CUDA library).
    #[test]
    fn out_of_memory_is_its_own_error() {
        let error = cuda_error("allocating")(DriverError(CUresult::CUDA_ERROR_OUT_OF_MEMORY));
        assert!(
            matches!(error, Error::CudaOutOfMemory(ref what) if what == "allocating"),
            "{error:?}"
        );
    }
}
