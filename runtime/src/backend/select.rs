//! Which backend a processor runs on when the caller leaves it to us.

use super::cpu::CpuBackend;
use super::cuda::CudaBackend;
use super::interface::Backend;

/// Where to compute, as the CLI's `--backend` and `AutoImageProcessor` choose it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BackendChoice {
    /// CUDA when a usable device is present, else the CPU.
    #[default]
    Auto,
    Cpu,
    Cuda,
}

impl BackendChoice {
    /// What a configuration's `device` asks for (transformers moves the images there): `cpu`, or
    /// `cuda` / `cuda:N` (the CUDA twin runs on the first device).
    pub fn for_device(device: &str) -> crate::error::Result<BackendChoice> {
        match device {
            "cpu" => Ok(BackendChoice::Cpu),
            "cuda" => Ok(BackendChoice::Cuda),
            d if d
                .strip_prefix("cuda:")
                .is_some_and(|n| n.parse::<u32>().is_ok()) =>
            {
                Ok(BackendChoice::Cuda)
            }
            other => Err(crate::error::Error::config(
                "device",
                format!("expected \"cpu\", \"cuda\" or \"cuda:N\", got {other:?}"),
            )),
        }
    }
}

/// The backend for `choice`; `Auto` logs which it picked and why (as transformers warns when it
/// falls back to the CPU).
pub fn select(choice: BackendChoice) -> crate::error::Result<std::sync::Arc<dyn Backend>> {
    use std::sync::Arc;
    match choice {
        BackendChoice::Cpu => Ok(Arc::new(CpuBackend::new())),
        BackendChoice::Cuda => Ok(Arc::new(CudaBackend::new()?)),
        BackendChoice::Auto => match CudaBackend::new() {
            Ok(cuda) => {
                tracing::info!("backend: {} (a usable CUDA device was found)", cuda.name());
                // The CPU twin takes over if a sticky error breaks the device.
                Ok(Arc::new(super::fallback::Fallback::new(Arc::new(cuda))))
            }
            Err(reason) => {
                tracing::info!("backend: cpu, falling back to the CPU twin ({reason})");
                Ok(Arc::new(CpuBackend::new()))
            }
        },
    }
}
