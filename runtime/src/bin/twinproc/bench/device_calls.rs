//! `bench --backend cuda --input host|pinned|device`: calls that leave their outputs on the GPU,
//! from inputs in host, page-locked or device memory.

use super::{Call, STREAMED_CALLS};
use crate::InputArg;
use std::time::Instant;
use twinproc::backend::cuda::{DeviceOutputs, GpuTimes};
use twinproc::backend::{Backend, CudaBackend};
use twinproc::extend::ImagePlan;
use twinproc::{Error, Image, ImagesKwargs, Processor};

type Plan<'a> = Box<dyn Fn() -> Result<Vec<ImagePlan>, Error> + 'a>;
type Execute<'a> = Box<dyn Fn(&[ImagePlan]) -> Result<DeviceOutputs, Error> + 'a>;

/// A call on the CUDA backend from inputs in `host`, `pinned` or `device` memory: planned, then
/// queued, returning as soon as its work is queued.
struct CudaCall<'a> {
    name: String,
    cuda: CudaBackend,
    plan: Plan<'a>,
    execute: Execute<'a>,
}

impl<'a> CudaCall<'a> {
    fn new(
        processor: &'a Processor,
        images: &'a [Image],
        input: InputArg,
        timing: bool,
    ) -> Result<Self, Error> {
        let cuda = CudaBackend::new()?;
        let cuda = if timing { cuda.with_timing() } else { cuda };
        let inputs = processor.inputs(images, &ImagesKwargs::default())?;
        let pixels: Vec<_> = inputs.iter().map(|i| i.pixels.clone()).collect();
        let plan: Plan = Box::new(move || processor.plan_inputs(&inputs, &ImagesKwargs::default()));
        let (what, execute): (_, Execute) = match input {
            InputArg::Pinned => {
                let (cuda, pinned) = (cuda.clone(), cuda.pin(&pixels)?);
                (
                    "pinned",
                    Box::new(move |plans| cuda.execute_pinned(&pinned, plans)),
                )
            }
            InputArg::Device => {
                let (cuda, resident) = (cuda.clone(), cuda.upload(&pixels)?);
                (
                    "device",
                    Box::new(move |plans| cuda.execute_resident(&resident, plans)),
                )
            }
            _ => {
                let cuda = cuda.clone();
                (
                    "host",
                    Box::new(move |plans| cuda.execute_on_device(&pixels, plans)),
                )
            }
        };
        Ok(CudaCall {
            name: format!("{} ({what} input, outputs on the device)", cuda.name()),
            cuda,
            plan,
            execute,
        })
    }

    fn queue(&self) -> Result<DeviceOutputs, Error> {
        (self.execute)(&(self.plan)()?)
    }
}

/// The name, one call (waited for), and [`STREAMED_CALLS`] calls back to back with one wait at the
/// end: each call's host work and upload overlap the kernels of the call before.
pub(super) fn device_calls<'a>(
    processor: &'a Processor,
    images: &'a [Image],
    input: InputArg,
) -> Result<(String, Call<'a>, Call<'a>), Error> {
    let cuda = std::rc::Rc::new(CudaCall::new(processor, images, input, false)?);
    let one = cuda.clone();
    let call: Call = Box::new(move || one.queue()?.synchronize());
    let name = cuda.name.clone();
    let streamed: Call = Box::new(move || {
        for _ in 0..STREAMED_CALLS {
            cuda.queue()?;
        }
        cuda.cuda.synchronize()
    });
    Ok((name, call, streamed))
}

/// The median of each phase of `repeat` calls waited for one by one, in milliseconds: on the host,
/// planning, queuing (layout, upload and launches) and the wait; on the GPU, from CUDA events.
pub(super) fn device_profile(
    processor: &Processor,
    images: &[Image],
    input: InputArg,
    repeat: usize,
) -> Result<serde_json::Value, Error> {
    let cuda = CudaCall::new(processor, images, input, true)?;
    let mut phases: Vec<[f64; 8]> = Vec::with_capacity(repeat);
    for _ in 0..=repeat {
        let start = Instant::now();
        let plans = (cuda.plan)()?;
        let planned = Instant::now();
        let outputs = (cuda.execute)(&plans)?;
        let queued = Instant::now();
        outputs.synchronize()?;
        let done = Instant::now();
        let GpuTimes {
            upload_ms,
            queued_ms,
            stage_ms,
            output_ms,
        } = outputs.gpu_times()?.unwrap_or_default();
        let ms = |from: Instant, to: Instant| (to - from).as_secs_f64() * 1e3;
        phases.push([
            ms(start, planned),
            ms(planned, queued),
            ms(queued, done),
            ms(start, done),
            upload_ms.into(),
            queued_ms.into(),
            stage_ms.into(),
            output_ms.into(),
        ]);
    }
    phases.remove(0); // the warm-up
    let names = [
        "host_plan_ms",
        "host_queue_ms",
        "host_wait_ms",
        "host_total_ms",
        "gpu_upload_ms",
        "gpu_upload_to_kernels_ms",
        "gpu_stage_kernel_ms",
        "gpu_output_kernel_ms",
    ];
    let mut profile = serde_json::Map::new();
    for (i, name) in names.into_iter().enumerate() {
        let mut values: Vec<f64> = phases.iter().map(|p| p[i]).collect();
        values.sort_by(f64::total_cmp);
        profile.insert(name.into(), values[values.len() / 2].into());
    }
    Ok(profile.into())
}
