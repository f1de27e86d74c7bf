//! `bench --backend cuda --input host|pinned|device`: calls that leave their outputs on the GPU,
//! from inputs in host, page-locked or device memory.

use super::{Call, STREAMED_CALLS};
use crate::InputArg;
use twinproc::backend::cuda::DeviceOutputs;
use twinproc::backend::{Backend, CudaBackend};
use twinproc::{Error, Image, ImagesKwargs, Processor};

/// A call on the CUDA backend from inputs in `host`, `pinned` or `device` memory, planned each
/// time, returning as soon as its work is queued.
struct CudaCall<'a> {
    name: String,
    cuda: CudaBackend,
    queue: Box<dyn Fn() -> Result<DeviceOutputs, Error> + 'a>,
}

impl<'a> CudaCall<'a> {
    fn new(processor: &'a Processor, images: &'a [Image], input: InputArg) -> Result<Self, Error> {
        let cuda = CudaBackend::new()?;
        let inputs = processor.inputs(images, &ImagesKwargs::default())?;
        let pixels: Vec<_> = inputs.iter().map(|i| i.pixels.clone()).collect();
        let plan = move || processor.plan_inputs(&inputs, &ImagesKwargs::default());
        let (what, queue): (_, Box<dyn Fn() -> Result<DeviceOutputs, Error>>) = match input {
            InputArg::Pinned => {
                let (cuda, pinned) = (cuda.clone(), cuda.pin(&pixels)?);
                (
                    "pinned",
                    Box::new(move || cuda.execute_pinned(&pinned, &plan()?)),
                )
            }
            InputArg::Device => {
                let (cuda, resident) = (cuda.clone(), cuda.upload(&pixels)?);
                (
                    "device",
                    Box::new(move || cuda.execute_resident(&resident, &plan()?)),
                )
            }
            _ => {
                let cuda = cuda.clone();
                (
                    "host",
                    Box::new(move || cuda.execute_on_device(&pixels, &plan()?)),
                )
            }
        };
        Ok(CudaCall {
            name: format!("{} ({what} input, outputs on the device)", cuda.name()),
            cuda,
            queue,
        })
    }
}

/// The name, one call (waited for), and [`STREAMED_CALLS`] calls back to back with one wait at the
/// end: each call's host work and upload overlap the kernels of the call before.
pub(super) fn device_calls<'a>(
    processor: &'a Processor,
    images: &'a [Image],
    input: InputArg,
) -> Result<(String, Call<'a>, Call<'a>), Error> {
    let cuda = std::rc::Rc::new(CudaCall::new(processor, images, input)?);
    let one = cuda.clone();
    let call: Call = Box::new(move || (one.queue)()?.synchronize());
    let name = cuda.name.clone();
    // Calls back to back, one wait at the end: each call's host work and upload overlap the
    // kernels of the call before.
    let streamed: Call = Box::new(move || {
        for _ in 0..STREAMED_CALLS {
            (cuda.queue)()?;
        }
        cuda.cuda.synchronize()
    });
    Ok((name, call, streamed))
}
