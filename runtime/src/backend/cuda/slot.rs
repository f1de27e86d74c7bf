//! The upload buffers of a device, reused across calls.

use super::error::cuda_error;
use crate::error::Result;
use cudarc::driver::{CudaContext, CudaEvent, CudaSlice, CudaStream, PinnedHostSlice};
use std::sync::Arc;

/// One upload buffer: page-locked host memory (copied at the pinned rate, no pageable bounce) and
/// the device buffer it is copied into, reused across calls and grown as needed, with the events
/// that order their reuse.
pub(super) struct Slot {
    pub(super) pinned: Option<PinnedHostSlice<u8>>,
    pub(super) device: Option<CudaSlice<u8>>,
    /// Recorded on the copy stream after the copies out of `pinned`: the host waits for it
    /// before writing `pinned` again.
    pub(super) uploaded: CudaEvent,
    /// Recorded on the compute stream after the kernels that read `device`: the next copy into
    /// `device` waits for it.
    pub(super) consumed: CudaEvent,
}

impl Slot {
    pub(super) fn new(ctx: &Arc<CudaContext>) -> Result<Self> {
        let event = || ctx.new_event(None).map_err(cuda_error("creating an event"));
        Ok(Slot {
            pinned: None,
            device: None,
            uploaded: event()?,
            consumed: event()?,
        })
    }

    /// Makes room for `pinned_bytes` of page-locked memory and `device_bytes` on the device.
    /// The caller has waited for `uploaded`, so the old page-locked memory is free to go.
    pub(super) fn reserve(
        &mut self,
        ctx: &Arc<CudaContext>,
        copy: &Arc<CudaStream>,
        pinned_bytes: usize,
        device_bytes: usize,
    ) -> Result<()> {
        // Grow geometrically so batches of slowly growing sizes do not reallocate every call.
        let capacity = |bytes: usize| bytes.max(1).next_power_of_two();
        if self.pinned.as_ref().is_none_or(|p| p.len() < pinned_bytes) {
            self.pinned = None;
            // SAFETY: the page-locked memory is written before any of it is copied.
            let pinned = unsafe { ctx.alloc_pinned::<u8>(capacity(pinned_bytes)) };
            self.pinned = Some(pinned.map_err(cuda_error("allocating page-locked memory"))?);
        }
        if self.device.as_ref().is_none_or(|d| d.len() < device_bytes) {
            // The old buffer is freed on the copy stream, after the kernels that read it.
            copy.wait(&self.consumed)
                .map_err(cuda_error("ordering streams"))?;
            self.device = None;
            // SAFETY: every byte a kernel reads is copied in first (the layout says which).
            let buffer = unsafe { copy.alloc::<u8>(capacity(device_bytes)) };
            self.device = Some(buffer.map_err(cuda_error("allocating"))?);
        }
        Ok(())
    }
}
