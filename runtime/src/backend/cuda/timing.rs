//! Optional CUDA events around a call's phases, for profiling (`CudaBackend::with_timing`,
//! `twinproc bench --profile`): what the GPU spent on the upload and on each launch.

use super::error::cuda_error;
use crate::error::Result;
use cudarc::driver::{CudaContext, CudaEvent, CudaStream, sys};
use std::sync::Arc;

/// The phases of one call, in the order they are recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Phase {
    /// Copy stream, before the tables' and images' copies are queued.
    UploadStart,
    /// Copy stream, after them.
    UploadEnd,
    /// Compute stream, once the upload is in (before the first-pass launch).
    KernelsStart,
    /// Compute stream, after the first-pass launch.
    StageEnd,
    /// Compute stream, after the output launch.
    OutputEnd,
}

const PHASES: usize = 5;

/// One call's timing events.
pub(super) struct CallEvents {
    events: [CudaEvent; PHASES],
}

/// What the GPU spent on one call, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct GpuTimes {
    /// The copies into the device (tables, and images unless they are already there).
    pub upload_ms: f32,
    /// From the end of the upload to the start of the kernels (another call's kernels, or none).
    pub queued_ms: f32,
    /// The first-pass kernel.
    pub stage_ms: f32,
    /// The output kernel (second passes, crops, level tables).
    pub output_ms: f32,
}

impl CallEvents {
    pub(super) fn new(ctx: &Arc<CudaContext>) -> Result<Self> {
        let event = || {
            ctx.new_event(Some(sys::CUevent_flags::CU_EVENT_DEFAULT))
                .map_err(cuda_error("creating an event"))
        };
        Ok(CallEvents {
            events: [event()?, event()?, event()?, event()?, event()?],
        })
    }

    /// Records `phase` on `stream`.
    pub(super) fn record(&self, phase: Phase, stream: &CudaStream) -> Result<()> {
        self.events[phase as usize]
            .record(stream)
            .map_err(cuda_error("recording an event"))
    }

    /// Waits for the call and reads its times.
    pub(super) fn times(&self) -> Result<GpuTimes> {
        let between = |from: Phase, to: Phase| {
            self.events[from as usize]
                .elapsed_ms(&self.events[to as usize])
                .map_err(cuda_error("reading an event"))
        };
        Ok(GpuTimes {
            upload_ms: between(Phase::UploadStart, Phase::UploadEnd)?,
            queued_ms: between(Phase::UploadEnd, Phase::KernelsStart)?,
            stage_ms: between(Phase::KernelsStart, Phase::StageEnd)?,
            output_ms: between(Phase::StageEnd, Phase::OutputEnd)?,
        })
    }
}
